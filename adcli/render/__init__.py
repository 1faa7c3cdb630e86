"""One registry of renderers: output format -> module; records in, text out.

Renderers never compute derivatives, and the heavy ones (Rich) are imported
only when their format is asked for.  Each format module maps a record's class
name to a function, so rendering one kind of record imports no other.
"""

from __future__ import annotations

import sys
from importlib import import_module

FORMATS = ("table", "plain", "json", "csv", "markdown")

_MODULES = {"table": "rich_table", "plain": "plain", "json": "json_out", "csv": "csv_out",
            "markdown": "markdown"}


def render(record, fmt: str, quiet: bool = False, stream=None) -> None:
    """Write ``record`` to ``stream`` (stdout) in format ``fmt``."""
    stream = stream if stream is not None else sys.stdout
    module = import_module(f"{__name__}.{_MODULES['plain' if quiet else fmt]}")
    module.render(record, stream, quiet=quiet)


def warn(warnings, stream=None) -> None:
    """Warnings go to stderr, one line each, whatever the output format."""
    stream = stream if stream is not None else sys.stderr
    for warning in warnings:
        stream.write(f"adcli: warning: {warning.message}\n")
