"""One registry of renderers: output format -> module; records in, text out.

Renderers never compute derivatives, and the heavy ones (Rich) are imported
only when their format is asked for.  Each format module maps a record's class
name to a function, so rendering one kind of record imports no other.
"""

from __future__ import annotations

import sys
from importlib import import_module

FORMATS = ("table", "plain", "json", "csv", "markdown", "latex")

_MODULES = {"table": "rich_table", "plain": "plain", "json": "json_out", "csv": "csv_out",
            "markdown": "markdown", "latex": "latex"}


def render(record, fmt: str, quiet: bool = False, stream=None) -> None:
    """Write ``record`` to ``stream`` (stdout) in format ``fmt``."""
    stream = stream if stream is not None else sys.stdout
    _tolerate_narrow_encoding(stream)
    module = import_module(f"{__name__}.{_MODULES['plain' if quiet else fmt]}")
    module.render(record, stream, quiet=quiet)


def _tolerate_narrow_encoding(stream) -> None:
    """An ASCII or Latin-1 terminal gets '?' for the signs it lacks (∂, ┃), not a crash."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        "∂┃".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def warn(warnings, stream=None) -> None:
    """Warnings go to stderr, one line each, whatever the output format."""
    stream = stream if stream is not None else sys.stderr
    for warning in warnings:
        sides = ""
        if warning.left:
            sides = "; one-sided derivatives: " + ", ".join(
                f"d/d{k} left {_g(warning.left[k])}, right {_g(warning.right[k])}"
                for k in warning.left)
        stream.write(f"adcli: warning: {warning.message}{sides}\n")


def _g(x) -> str:
    return "undefined" if x is None else f"{x:.6g}"
