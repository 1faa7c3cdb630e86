"""One row per point, streamed: the point, its outputs and why a row failed.

A writer takes one chunk at a time (NumPy columns) and writes it at once, so
memory is one chunk whatever the number of points.  Numbers are Python's
shortest round-trip text (``repr``), made column by column from ``tolist``:
that is the fast exact path (no per-value formatting calls of our own).

Formats: ``csv`` (header ``x,y,value,d/dx,...,error``), ``jsonl`` and
``json`` (``{"point": {...}, "value": v, "gradient": {...}, "error": null}``,
or the nesting a ``layout`` gives, e.g. ``"jacobian": [[...]]``; NaN as
null), ``table`` (a preview of the first rows), ``npy`` (a structured array
in ``path``, float64 fields named as the CSV columns without ``error``: a
failed row is NaN there; see ``rows_npy``).  ``quiet`` writes only the output
columns other than ``value``, space separated (npy: only those fields).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod

from ..errors import UsageError, choose

FORMATS = ("csv", "jsonl", "json", "table", "npy")


def row_writer(fmt: str, stream, names: tuple, outputs: tuple, quiet: bool = False,
               path: str | None = None, preview: int = 20,
               layout: dict | None = None) -> "RowWriter":
    """The writer of ``fmt`` for points ``names`` and columns ``outputs``
    (``layout``: their nesting in JSON, see :func:`json_template`)."""
    choose(fmt, FORMATS, "format")
    names, outputs = tuple(names), tuple(outputs)
    if fmt == "npy":
        from .rows_npy import NpyRows

        if path is None:
            raise UsageError("-f npy writes a binary file: give --output FILE.npy")
        return NpyRows(path, names, quiet_columns(outputs) if quiet else outputs, quiet)
    if quiet:
        return QuietRows(stream, names, outputs)
    return {"csv": CsvRows, "jsonl": JsonlRows, "json": JsonRows,
            "table": TableRows}[fmt](stream, names, outputs, preview=preview,
                                                layout=layout)


def quiet_columns(outputs: tuple) -> tuple:
    """What --quiet keeps: every output but the formula's value."""
    return tuple(name for name in outputs if name != "value")


def texts(values, n: int, null: str | None = None) -> list:
    """Each number's shortest round-trip text; non-finite ones ``null`` if given.

    ``repr`` is nearly all the cost of a row, so a column made of runs of one
    value (a variable fixed with --at, a grid's slow axis) is written once per
    run; runs compare bits, so 0.0 and -0.0 stay apart."""
    import numpy as np

    array = np.ascontiguousarray(np.broadcast_to(np.asarray(values, dtype=np.float64), (n,)))
    bits = array.view(np.int64)
    starts = np.flatnonzero(bits[1:] != bits[:-1]) + 1
    if n > 1 and len(starts) < n // 4:
        starts = np.concatenate(([0], starts))
        runs = np.diff(np.append(starts, n))
        once = np.array(list(map(float.__repr__, array[starts].tolist())), dtype=object)
        out = np.repeat(once, runs).tolist()
    else:
        out = list(map(float.__repr__, array.tolist()))
    if null is not None:
        for k in np.flatnonzero(~np.isfinite(array)).tolist():
            out[k] = null
    return out


class RowWriter(ABC):
    """Counts rows and failed rows; a subclass writes a chunk's rows."""

    def __init__(self, stream, names: tuple, outputs: tuple, **_):
        self.stream, self.names, self.outputs = stream, names, outputs
        self.rows = self.failed = 0

    def write(self, point: dict, columns: dict, errors) -> None:
        errors = errors.tolist() if hasattr(errors, "tolist") else list(errors)
        n = len(errors)
        failed = [k for k, error in enumerate(errors) if error is not None]
        self._chunk(point, columns, errors, failed, n)
        self.rows += n
        self.failed += len(failed)

    def close(self) -> dict:
        self._finish()
        return {"rows": self.rows, "failed": self.failed}

    @abstractmethod
    def _chunk(self, point, columns, errors, failed, n) -> None:
        """Write one chunk's rows (each format its own way)."""

    def _finish(self) -> None:
        if hasattr(self.stream, "flush"):
            self.stream.flush()


def csv_cell(text: str) -> str:
    """RFC 4180: quoted when it holds a comma, a quote or a line break."""
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


class CsvRows(RowWriter):
    """``x,y,value,d/dx,d/dy,error``; error is empty on a row that is fine."""

    def __init__(self, stream, names, outputs, **kw):
        super().__init__(stream, names, outputs)
        stream.write(",".join(csv_cell(c) for c in (*names, *outputs, "error")) + "\n")

    def _chunk(self, point, columns, errors, failed, n):
        if not n:
            return
        cells = [texts(point[name], n) for name in self.names]
        cells += [texts(columns[name], n) for name in self.outputs]
        reasons = [""] * n
        for k in failed:
            reasons[k] = csv_cell(str(errors[k]))
        self.stream.write("\n".join(map(",".join, zip(*cells, reasons))) + "\n")


def json_template(names: tuple, outputs: tuple, layout: dict | None = None) -> tuple:
    """A %-template of one row object, and the columns in its placeholders' order.

    ``layout`` nests the outputs (a key to a column, a list of columns, a list
    of lists, or a name -> column mapping).  Without it, ``value`` is the key
    value, ``d/dNAME`` goes to gradient[NAME] (where the first one stands), any
    other output is a top-level key of its own name."""
    def key(name):
        return json.dumps(name).replace("%", "%%")

    if layout is None:
        layout, gradient = {}, {}
        for name in outputs:
            if name.startswith("d/d") and len(name) > 3:
                gradient[name[3:]] = name
                layout.setdefault("gradient", gradient)
            else:
                layout[name] = name
    parts = ['"point": {' + ", ".join(f"{key(n)}: %s" for n in names) + "}"]
    order = [("point", n) for n in names]
    for top, spec in layout.items():
        text, stack = [], [("spec", spec)]
        while stack:  # a layout is two levels deep at most; iterative all the same
            what, item = stack.pop()
            if what == "text":
                text.append(item)
            elif isinstance(item, str):
                text.append("%s")
                order.append(("out", item))
            else:
                named = isinstance(item, dict)
                members = list(item.items()) if named else [(None, v) for v in item]
                steps = [("text", "{" if named else "[")]
                for k, (name, v) in enumerate(members):
                    between = (", " if k else "") + (f"{key(name)}: " if named else "")
                    steps += [("text", between), ("spec", v)]
                steps.append(("text", "}" if named else "]"))
                stack.extend(reversed(steps))
        parts.append(f"{key(top)}: " + "".join(text))
    parts.append('"error": %s')
    return "{" + ", ".join(parts) + "}", order


class JsonlRows(RowWriter):
    """One JSON object per line; a number that is not finite is null."""

    separator = "\n"

    def __init__(self, stream, names, outputs, layout=None, **kw):
        super().__init__(stream, names, outputs)
        self.template, self.order = json_template(names, outputs, layout)

    def _lines(self, point, columns, errors, failed, n):
        cells = [texts((point if where == "point" else columns)[name], n, "null")
                 for where, name in self.order]
        reasons = ["null"] * n
        for k in failed:
            reasons[k] = json.dumps(str(errors[k]))
        return self.separator.join(map(self.template.__mod__, zip(*cells, reasons)))

    def _chunk(self, point, columns, errors, failed, n):
        if n:
            self.stream.write(self._lines(point, columns, errors, failed, n) + "\n")


class JsonRows(JsonlRows):
    """One JSON array, streamed: "[" first, the rows with commas, "]" at close."""

    separator = ",\n"

    def __init__(self, stream, names, outputs, **kw):
        super().__init__(stream, names, outputs, **kw)
        stream.write("[")

    def _chunk(self, point, columns, errors, failed, n):
        if n:
            self.stream.write((",\n" if self.rows else "\n") +
                              self._lines(point, columns, errors, failed, n))

    def _finish(self):
        self.stream.write("\n]\n" if self.rows else "]\n")
        super()._finish()


class QuietRows(RowWriter):
    """--quiet: the output columns but value, space separated, one line per point."""

    def __init__(self, stream, names, outputs, **kw):
        super().__init__(stream, names, quiet_columns(outputs))

    def _chunk(self, point, columns, errors, failed, n):
        if n:
            cells = [texts(columns[name], n) for name in self.outputs]
            self.stream.write("\n".join(map(" ".join, zip(*cells))) + "\n")


#: Significant digits of the terminal preview: a row fits a terminal, and CSV,
#: JSON lines and npy keep every digit.
TABLE_DIGITS = 10


def _rounded(values) -> list:
    """Each number as CSV writes it when that is short, else to TABLE_DIGITS digits."""
    out = []
    for v in map(float, values):
        text = repr(v)
        out.append(text if len(text) <= TABLE_DIGITS + 2 else format(v, f".{TABLE_DIGITS}g"))
    return out


class TableRows(RowWriter):
    """A terminal preview: the first ``preview`` rows, and how to get the rest."""

    def __init__(self, stream, names, outputs, preview: int = 20, **kw):
        super().__init__(stream, names, outputs)
        self.preview, self.kept = preview, []

    def _chunk(self, point, columns, errors, failed, n):
        take = min(n, self.preview - len(self.kept))
        if take <= 0:
            return
        cells = [_rounded(point[name][:take]) for name in self.names]
        cells += [_rounded(columns[name][:take]) for name in self.outputs]
        reasons = ["" if e is None else str(e) for e in errors[:take]]
        self.kept += [list(row) for row in zip(*cells, reasons)]

    def _finish(self):
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        hidden = self.rows - len(self.kept)
        caption = (f"{len(self.kept):,} of {self.rows:,} rows shown; {hidden:,} not shown: "
                   f"use -f csv (or -f jsonl) for every row" if hidden else
                   f"{self.rows:,} rows" if self.rows != 1 else "1 row")
        if self.failed:
            caption += f"; {self.failed:,} failed"
        caption += f"; numbers to {TABLE_DIGITS} digits (-f csv: every digit)"
        table = Table(caption=Text(caption))
        for name in (*self.names, *self.outputs):  # Text: a name or reason is no markup
            table.add_column(Text(name), justify="right", overflow="fold")
        table.add_column(Text("error"), overflow="fold")
        for row in self.kept:
            table.add_row(*map(Text, row))
        Console(file=self.stream).print(table)
        super()._finish()
