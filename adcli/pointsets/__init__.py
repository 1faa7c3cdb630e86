"""Many points at once: read from a file or stdin, or laid out on grids, in chunks.

``open_points`` checks everything it can before the first derivative (the
file opens, its header names every variable the formula needs, nothing is
both in the file and fixed with ``--at``); ``PointStream.chunks`` then reads
lazily, so 10**8 rows run in the memory of one chunk.  NumPy is imported only
here, never on the one-point path.
"""

from __future__ import annotations

import os
import sys

from ..errors import UsageError, choose

FORMATS = ("csv", "jsonl", "npy", "npz")
_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".npy": "npy",
             ".npz": "npz"}
#: What one named input is called in each format, for messages.
_NOUN = {"csv": "column", "jsonl": "key", "npy": "field", "npz": "array"}

__all__ = ["open_points", "PointStream", "FORMATS"]


class PointStream:
    """The points of a request: ``names`` (in the formula's order), ``total`` rows
    when known before reading (npy, npz, grids; None for text streams), the
    file's ``ignored`` columns, and ``chunks(size)``: dicts name -> 1-D float64
    arrays of equal length <= size.  A stream from stdin can be read once."""

    def __init__(self, names: tuple, total: int | None, ignored: tuple, source):
        self.names, self.total, self.ignored = names, total, ignored
        self._source = source

    def chunks(self, size: int):
        if not isinstance(size, int) or size < 1:
            raise ValueError(f"chunk size must be a positive integer, not {size!r}")
        return self._source(size)


def open_points(path: str | None = None, fmt: str | None = None, grids: tuple = (),
                needed: tuple = (), fixed: tuple = ()) -> PointStream:
    """The points of ``path`` (a file, or "-" for stdin with ``fmt``) or of ``grids``."""
    needed, fixed = tuple(needed), tuple(fixed)
    if path is not None and grids:
        raise UsageError("give the points either from a file (--points) or as grids "
                         "(--grid), not both")
    if path is None:
        if not grids:
            raise UsageError("no points: give --points FILE or --grid NAME=START:STOP:COUNT")
        return _grids(tuple(grids), needed, fixed)
    if fmt is not None:
        fmt = choose("jsonl" if fmt == "ndjson" else fmt, FORMATS, "points format")
    if path == "-":
        if fmt not in ("csv", "jsonl"):
            raise UsageError("points from stdin (-) need their format: give "
                             "--points-format csv or --points-format jsonl")
        raw = getattr(sys.stdin, "buffer", None)
        if raw is None:  # a text-only stdin (an embedding program's): its text as UTF-8
            import io

            raw = io.BytesIO(sys.stdin.read().encode("utf-8", "surrogateescape"))
        return _text(raw, None, "stdin", fmt, needed, fixed)
    label = path
    _check_file(path, label)
    if fmt is None:
        fmt = _SUFFIXES.get(os.path.splitext(path)[1].lower())
        if fmt is None:
            raise UsageError(f"cannot tell the format of {label}: name it .csv, .jsonl, "
                             f".npy or .npz, or give --points-format")
    if fmt in ("csv", "jsonl"):
        return _text(None, path, label, fmt, needed, fixed)
    if fmt == "npy":
        return _npy(path, label, needed, fixed)
    return _npz(path, label, needed, fixed)


def _check_file(path: str, label: str) -> None:
    if os.path.isdir(path):
        raise UsageError(f"{label} is a directory, not a points file")
    try:
        size = os.path.getsize(path)
        with open(path, "rb"):
            pass
    except FileNotFoundError:
        raise UsageError(f"cannot read {label}: no such file") from None
    except OSError as exc:
        raise UsageError(f"cannot read {label}: {exc.strerror or exc}") from None
    if size == 0:
        raise UsageError(f"{label} is empty: nothing to read")


def _columns(label: str, fmt: str, available: tuple, needed: tuple, fixed: tuple) -> tuple:
    """The names the file must give, in ``needed`` order, and the columns it ignores."""
    noun = _NOUN[fmt]
    both = [name for name in fixed if name in available]
    if both:
        raise UsageError(f"{label} gives {both[0]}, which --at {both[0]}=... also fixes: "
                         f"drop one of the two")
    wanted = tuple(name for name in needed if name not in fixed)
    missing = [name for name in wanted if name not in available]
    if missing:
        them = "them" if len(missing) > 1 else "it"
        nouns = noun + "s" if len(missing) > 1 else noun
        raise UsageError(f"{label} has no {nouns} {', '.join(missing)}: add {them}, or fix "
                         f"{them} with --at {missing[0]}=VALUE")
    if not wanted:
        raise UsageError(f"{label} gives no variable of the formula: every one is fixed "
                         f"with --at, so there is one point: drop --points")
    return wanted, tuple(name for name in available if name not in needed)


def _text(raw, path, label, fmt, needed, fixed) -> PointStream:
    from .text import Lines, csv_chunks, csv_header, jsonl_chunks, jsonl_keys

    def opened():
        try:
            return open(path, "rb")
        except OSError as exc:
            raise UsageError(f"cannot read {label}: {exc.strerror or exc}") from None

    stream = raw if raw is not None else opened()
    try:
        lines = Lines(stream, label)
        if fmt == "csv":
            available = header = csv_header(lines)
        else:
            available, first_text, first_number = jsonl_keys(lines)
    finally:
        if raw is None:
            stream.close()
    names, ignored = _columns(label, fmt, available, needed, fixed)
    # a file is read again from the start of its rows; stdin goes on where it is
    skip = lines.line if fmt == "csv" else lines.line - 1
    pending = [] if raw is None else ([] if fmt == "csv" else [(first_text, first_number)])

    def read(body, size, pending):
        if fmt == "csv":
            return csv_chunks(body, header, names, size)
        return jsonl_chunks(body, names, size, pending)

    def source(size):
        if raw is not None:
            yield from read(lines, size, pending)
            pending.clear()
            return
        with opened() as fresh:
            body = Lines(fresh, label)
            if skip:
                body.block(skip)
            yield from read(body, size, [])

    return PointStream(names, None, ignored, source)


def _npy(path, label, needed, fixed) -> PointStream:
    from .arrays import Npy

    wanted = tuple(name for name in needed if name not in fixed)
    data = Npy(path, label, wanted)
    names, ignored = _columns(label, "npy", data.columns, needed, fixed)
    return PointStream(names, data.total, ignored, lambda size: data.chunks(names, size))


def _npz(path, label, needed, fixed) -> PointStream:
    from .arrays import Npz

    data = Npz(path, label)
    names, ignored = _columns(label, "npz", data.columns, needed, fixed)
    total = data.settle(names)
    return PointStream(names, total, ignored, lambda size: data.chunks(names, size))


def _grids(specs, needed, fixed) -> PointStream:
    from ..language.points import check_names
    from .grids import grid_chunks, parse_grid, product_size

    grids = [parse_grid(spec) for spec in specs]
    seen = set()
    for name, *_ in grids:
        if name in seen:
            raise UsageError(f"--grid gives {name} twice: several --grid options make a "
                             f"product, one per variable")
        seen.add(name)
        if name in fixed:
            raise UsageError(f"--grid {name}=... and --at {name}=... both give {name}: "
                             f"drop one of the two")
    check_names(seen, needed, "--grid")
    missing = [name for name in needed if name not in fixed and name not in seen]
    if missing:
        raise UsageError(f"no values for {', '.join(missing)}: add --grid "
                         f"{missing[0]}=START:STOP:COUNT, or fix it with --at "
                         f"{missing[0]}=VALUE")
    by_name = {grid[0]: grid for grid in grids}
    names = tuple(name for name in needed if name in by_name)
    total = product_size(grids)

    def source(size):
        for chunk in grid_chunks(grids, total, size):
            yield {name: chunk[name] for name in names}

    return PointStream(names, total, (), source)
