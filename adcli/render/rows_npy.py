"""``-f npy --output FILE``: rows streamed into a structured .npy file.

The header is written first with room for any row count, the rows are
appended chunk by chunk, and the header is rewritten with the final count at
close: ``numpy.load`` then reads a plain structured array.  Its fields are the
CSV columns without ``error``: a failed row's outputs are NaN, and the reason
is left to the text formats (a fixed-width text field would truncate it).
"""

from __future__ import annotations

from ..errors import UsageError
from .rows import RowWriter

_MAGIC = b"\x93NUMPY"
_ROOM = 10**19  # the widest count the header is laid out for


def _header(descr, count: int, size: int | None = None) -> bytes:
    """The .npy header for ``count`` rows, padded to ``size`` bytes (or to 64)."""
    text = "{'descr': %r, 'fortran_order': False, 'shape': (%d,), }" % (descr, count)
    try:
        body, version, length = text.encode("latin1"), 1, 2
    except UnicodeEncodeError:
        body, version, length = text.encode("utf8"), 3, 4
    if version == 1 and len(body) > 65000:
        version, length = 2, 4
    fixed = len(_MAGIC) + 2 + length
    total = size if size is not None else -(-(fixed + len(body) + 1) // 64) * 64
    body = body + b" " * (total - fixed - len(body) - 1) + b"\n"
    return _MAGIC + bytes([version, 0]) + (len(body)).to_bytes(length, "little") + body


class NpyRows(RowWriter):
    """A structured array, one float64 field per column, written as it comes."""

    def __init__(self, path: str, names: tuple, outputs: tuple, quiet: bool = False):
        import numpy as np

        fields = outputs if quiet else (*names, *outputs)
        if len(set(fields)) != len(fields):
            twice = next(f for f in fields if fields.count(f) > 1)
            raise UsageError(f"-f npy: two columns would be named {twice}")
        self.quiet = quiet
        self.dtype = np.dtype([(name, "<f8") for name in fields])
        self.descr = np.lib.format.dtype_to_descr(self.dtype)
        try:
            stream = open(path, "wb")
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
        super().__init__(stream, names, outputs)
        self.size = len(_header(self.descr, _ROOM))
        stream.write(_header(self.descr, 0, self.size))

    def _chunk(self, point, columns, errors, failed, n):
        import numpy as np

        rows = np.empty(n, dtype=self.dtype)
        for name in self.dtype.names:
            rows[name] = columns[name] if name in columns else point[name]
        self.stream.write(rows.tobytes())

    def _finish(self):
        self.stream.seek(0)
        self.stream.write(_header(self.descr, self.rows, self.size))
        self.stream.close()
