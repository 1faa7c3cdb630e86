"""CSV and JSON-lines points, read in blocks of lines so memory stays flat.

Bytes are decoded by this module, so an invalid byte is refused by its offset
in the file.  A CSV block is parsed at C speed (``numpy.loadtxt``, the needed
columns only); only when that fails is it read again cell by cell, to name
the line and the cell that are wrong.
"""

from __future__ import annotations

import csv
import json
from itertools import repeat

from ..errors import UsageError

_BOM = b"\xef\xbb\xbf"


class Lines:
    """Decoded lines of a binary stream, a block at a time, with line numbers.

    Bytes are read in large pieces (cut at the last newline) rather than line
    by line: splitting a decoded piece is a C loop, a line iterator is not."""

    PIECE = 1 << 22

    def __init__(self, raw, label: str):
        self.raw, self.label = raw, label
        self.offset = 0      # bytes decoded
        self.line = 0        # lines handed out
        self.pending = []    # decoded lines not handed out yet
        self.tail = b""      # bytes after the last newline read
        self.quoted = False  # a quote seen in any piece: rows need the exact check
        self.ended = False
        self.read = getattr(raw, "read1", raw.read)

    def _piece(self) -> None:
        data = self.read(self.PIECE)
        if not data:
            self.ended = True
            data, self.tail = self.tail, b""
        else:
            data = self.tail + data
            cut = data.rfind(b"\n") + 1
            data, self.tail = data[:cut], data[cut:]
        start = 0
        if self.offset == 0 and data.startswith(_BOM):
            start = len(_BOM)
        try:
            text = data[start:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UsageError(f"{self.label} is not UTF-8 text: invalid byte "
                             f"0x{data[start + exc.start]:02x} at byte offset "
                             f"{self.offset + start + exc.start}") from None
        self.offset += len(data)
        if '"' in text:
            self.quoted = True
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        self.pending += lines

    def block(self, n: int) -> list:
        """Up to ``n`` lines (without their newline); [] at the end."""
        while len(self.pending) < n and not self.ended:
            self._piece()
        lines = self.pending[:n]
        del self.pending[:n]
        self.line += len(lines)
        return lines

    def first(self) -> tuple:
        """The first line that is not blank, and its line number; ("", 0) if none."""
        while True:
            lines = self.block(1)
            if not lines:
                return "", 0
            if lines[0].strip():
                return lines[0], self.line


def _numbers_only(cells) -> bool:
    try:
        [float(c) for c in cells]
    except ValueError:
        return False
    return True


def csv_header(lines: Lines) -> tuple:
    """The column names of a CSV file, whitespace stripped."""
    label = lines.label
    text, number = lines.first()
    if not number:
        raise UsageError(f"{label} is empty: a CSV points file starts with a header "
                         f"naming the variables, e.g. x,y")
    names = tuple(cell.strip() for cell in next(csv.reader([text])))
    if _numbers_only(names):
        raise UsageError(f"{label} line {number}: the first line must be a header naming "
                         f"the variables (e.g. x,y), not numbers")
    seen = set()
    for k, name in enumerate(names):
        if not name:
            raise UsageError(f"{label} line {number}: column {k + 1} of the header has "
                             f"no name")
        if name in seen:
            raise UsageError(f"{label} line {number}: the header names {name} twice")
        seen.add(name)
    return names


def csv_chunks(lines: Lines, header: tuple, names: tuple, size: int):
    """Columns ``names`` of the rows after the header, ``size`` lines at a time."""
    import numpy as np

    width = len(header)
    where = [header.index(name) for name in names]
    while True:
        first = lines.line + 1
        block = lines.block(size)
        if not block:
            return
        table = _fast(block, width, where, lines.quoted)
        if table is None:
            table = _careful(block, first, header, where, lines.label)
        if len(table):
            yield {name: np.ascontiguousarray(table[:, k], dtype=np.float64)
                   for k, name in enumerate(names)}


def _fast(rows: list, width: int, where: list, quoted: bool = True):
    """Columns ``where`` of ``rows`` as floats (NumPy's C reader), or None when any
    row needs a closer look: a field count, a quote, a cell that is no number."""
    import numpy as np

    commas = set(map(str.count, rows, repeat(",")))
    if commas != {width - 1}:  # blank lines, or a row to look at closely
        rows = [row for row in rows if row and not row.isspace()]
        if not rows:
            return np.empty((0, len(where)))
        if set(map(str.count, rows, repeat(","))) != {width - 1}:
            return None
    if quoted and '"' in "".join(rows):
        return None
    try:
        return np.loadtxt(rows, delimiter=",", usecols=where, comments=None, ndmin=2,
                          dtype=np.float64, quotechar=None)
    except ValueError:
        return None


def _careful(block: list, first: int, header: tuple, where: list, label: str):
    """The same block, cell by cell: quoted cells, text in ignored columns, or an error."""
    import numpy as np

    width, out = len(header), []
    for number, text in enumerate(block, start=first):
        if not text or text.isspace():
            continue
        row = next(csv.reader([text]))
        if len(row) != width:
            raise UsageError(f"{label} line {number}: {len(row)} fields, but the header "
                             f"has {width} ({','.join(header)})")
        values = []
        for k in where:
            cell = row[k]
            try:
                values.append(float(cell))
            except ValueError:
                shown = cell.strip()
                raise UsageError(f"{label} line {number}: {shown!r} is not a number "
                                 f"(column {header[k]})" if shown else
                                 f"{label} line {number}: column {header[k]} is empty"
                                 ) from None
        out.append(values)
    return np.array(out, dtype=np.float64).reshape(len(out), len(where))


def jsonl_keys(lines: Lines) -> tuple:
    """The keys of the first object: the columns of a JSON-lines file."""
    label = lines.label
    text, number = lines.first()
    if not number:
        raise UsageError(f"{label} is empty: a JSON-lines points file has one object per "
                         f'line, e.g. {{"x": 1.5, "y": 0.3}}')
    return tuple(_object(text, number, label)), text, number


def _object(text: str, number: int, label: str) -> dict:
    try:
        obj = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{label} line {number}: not valid JSON ({exc.msg}, column "
                         f"{exc.colno})") from None
    if not isinstance(obj, dict):
        raise UsageError(f"{label} line {number}: a line must be a JSON object such as "
                         f'{{"x": 1.5}}, not {type(obj).__name__}')
    return obj


def jsonl_chunks(lines: Lines, names: tuple, size: int, pending: list):
    """Columns ``names`` of the objects, ``size`` lines at a time.

    ``pending`` holds (text, line number) already read (the first object)."""
    import numpy as np

    label = lines.label
    while True:
        first = lines.line + 1
        numbered = pending + list(zip(lines.block(size - len(pending)),
                                      range(first, first + size)))
        pending = []
        if not numbered:
            return
        columns = [[] for _ in names]
        for text, number in numbered:
            if not text or text.isspace():
                continue
            obj = _object(text, number, label)
            for name, column in zip(names, columns):
                value = obj.get(name)
                if type(value) is not float and type(value) is not int:
                    raise UsageError(
                        f"{label} line {number}: no {name}" if name not in obj else
                        f"{label} line {number}: {json.dumps(value)} is not a number "
                        f"(key {name})")
                column.append(value)
        try:
            arrays = [np.array(column, dtype=np.float64) for column in columns]
        except OverflowError:
            raise UsageError(f"{label}: an integer too large for a float, in lines "
                             f"{numbered[0][1]}-{numbered[-1][1]}") from None
        if len(arrays[0]):
            yield dict(zip(names, arrays))
