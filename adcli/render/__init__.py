"""One registry of renderers: output format -> writer; records in, text out.

Renderers never compute derivatives, and the heavy ones (Rich) are imported
only when their format is asked for.  Each format module maps a record's class
name to a function, so rendering one kind of record imports no other.  The
graph's pictures (text, dot, mermaid) are formats of the same registry, for
the one record that has a picture.
"""

from __future__ import annotations

import sys
from importlib import import_module

from .numbers import number

FORMATS = ("table", "plain", "json", "csv", "markdown", "latex")
#: The graph's own formats: pictures of a :class:`~adcli.records.graph_view.GraphView`.
DRAWINGS = ("text", "dot", "mermaid")

#: Format -> "module" (its ``render``) or "module:function".
_WRITERS = {"table": "rich_table", "plain": "plain", "json": "json_out", "csv": "csv_out",
            "markdown": "markdown", "latex": "latex", "text": "drawing:write_text",
            "dot": "drawing:write_dot", "mermaid": "drawing:write_mermaid", "quiet": "quiet"}


def render(record, fmt: str, quiet: bool = False, stream=None) -> None:
    """Write ``record`` to ``stream`` (stdout) in format ``fmt``."""
    stream = stream if stream is not None else sys.stdout
    _tolerate_narrow_encoding(stream)
    module, _, function = _WRITERS["quiet" if quiet else fmt].partition(":")
    write = getattr(import_module(f"{__name__}.{module}"), function or "render")
    write(record, stream, quiet=quiet)


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
                f"d/d{k} left {_sided(warning.left[k])}, right {_sided(warning.right[k])}"
                for k in warning.left)
        stream.write(f"adcli: warning: {warning.message}{sides}\n")


def _sided(x) -> str:
    return number(x, shown=6, missing="undefined")
