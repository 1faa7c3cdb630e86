"""``--points`` and ``--grid``: one row per point, streamed chunk by chunk.

The run reads a chunk, differentiates it (:mod:`adcli.over_points`) and
writes its rows before reading the next, so memory stays that of one chunk.
A failed point is a row with NaN and its reason, never the end of the run;
the summary goes to stderr and the exit code is 1 if any point failed
(``--strict``: stop at the first failed or warned point).
"""

from __future__ import annotations

import sys
import time

from ..errors import MathError, UsageError

#: Rows per chunk: arrays of 16,384 float64 (128 KiB) keep the CPU's caches
#: warm; measured best of 4,096 to 262,144 (benchmarks/points.py).
CHUNK = 16_384

#: Points per chunk when they run one at a time (a program, --precision).
POINTWISE_CHUNK = 256

#: The largest chunk: its arrays, one per tape entry, must fit in memory.
MAX_CHUNK = 10_000_000

#: The formats of a stream of rows (``npy`` needs --output).
ROW_FORMATS = ("csv", "jsonl", "json", "table", "npy")


def wants_points(settings) -> bool:
    return bool(getattr(settings, "points", None) or getattr(settings, "grid", ()))


def run_points(settings, mode: str, digits=None, method: str = "auto") -> None:
    """Differentiate at every point of ``--points``/``--grid`` and write the rows."""
    from ..api import variables_of
    from ..over_points import differentiate_points, pointwise_reason

    expression = settings.formula()

    def differentiate(chunks, supplied):
        return differentiate_points(expression, chunks, settings.at, settings.wrt, mode,
                                    digits, method, supplied=supplied)

    stream_points(settings, variables_of(expression), differentiate,
                  pointwise_reason(expression, digits))


def stream_points(settings, variables: list, differentiate, note: str | None = None,
                  empty: tuple = ("value",)) -> None:
    """Read the points, ``differentiate(chunks, supplied names)`` them and write the
    rows; the columns are the results' own (:func:`_table`), ``empty`` with no rows."""
    from ..language.points import given_names
    from ..pointsets import open_points
    from ..render.rows import row_writer

    fmt = settings.fmt or "csv"
    if fmt not in ROW_FORMATS:
        raise UsageError(f"--format {fmt} is not a format of rows: with --points or --grid "
                         f"choose one of {', '.join(ROW_FORMATS)}")
    if fmt == "npy" and not settings.output_path:
        raise UsageError("--format npy writes a binary file: give --output FILE.npy")
    chunk = CHUNK if settings.chunk is None else settings.chunk
    if not 1 <= chunk <= MAX_CHUNK:
        raise UsageError(f"--chunk {chunk}: give 1 to {MAX_CHUNK:,} points per chunk")
    fixed = given_names(settings.at, variables)
    stream = open_points(settings.points, settings.points_format, settings.grid,
                         tuple(variables), tuple(fixed))
    if stream.ignored:
        sys.stderr.write(f"adcli: note: not a variable of the formula, not used: "
                         f"{', '.join(stream.ignored)}\n")
    if note is not None:  # nothing to gain from large chunks: rows come out sooner
        sys.stderr.write(f"adcli: note: {note}\n")
        chunk = min(chunk, POINTWISE_CHUNK)
    results = differentiate(stream.chunks(chunk), stream.names)
    target = open(settings.output_path, "w" if fmt != "npy" else "wb") \
        if settings.output_path and fmt != "npy" else sys.stdout
    try:
        _stream_rows(results, settings, fmt, target, variables, row_writer, stream.total,
                     empty, note is not None)
    finally:
        if target is not sys.stdout:
            target.close()


def _table(result) -> tuple[dict, dict | None, tuple]:
    """A chunk's result as (columns by name, JSON layout or None, what --quiet keeps):
    ``adcli diff``'s value and gradient, or a vector command's own columns."""
    if hasattr(result, "columns"):
        return result.columns, result.layout, result.derivatives
    gradient = {f"d/d{k}": v for k, v in result.gradient.items()}
    return {"value": result.value, **gradient}, None, tuple(gradient)


def _stream_rows(results, settings, fmt, target, variables, row_writer, total,
                 empty: tuple = ("value",), costed: bool = False) -> None:
    import numpy as np

    writer = None
    done, first_error, first_warning, warned = 0, None, None, 0
    ticker = _Ticker(total)
    strict = getattr(settings, "strict", False)
    path = settings.output_path if fmt == "npy" else None
    for chunk, result in results:
        columns, layout, derivatives = _table(result)
        n = len(result.errors)
        if writer is None:
            outputs = derivatives if settings.quiet else tuple(columns)
            writer = row_writer(fmt, target, tuple(variables), outputs, settings.quiet,
                                path=path, layout=layout)
        point = {k: chunk[k] if k in chunk else np.full(n, np.nan) for k in variables}
        for name, value in _fixed_values(settings, variables, chunk).items():
            point[name] = np.full(n, value)
        stop = n
        if strict:
            bad = [i for i in range(n) if result.errors[i] or result.warnings[i]]
            stop = bad[0] + 1 if bad else n
        writer.write({k: v[:stop] for k, v in point.items()},
                     {k: v[:stop] for k, v in columns.items()}, result.errors[:stop])
        for i in range(stop):
            if result.errors[i] and first_error is None:
                first_error = (done + i + 1, result.errors[i])
            if result.warnings[i]:
                warned += 1
                first_warning = first_warning or (done + i + 1, result.warnings[i])
        done += stop
        if costed and done == stop:
            _cost(done, time.perf_counter() - ticker.start, total)
        ticker.tick(done)
        if stop < n:
            break
    ticker.close()
    if writer is None:  # no points at all: still a well-formed (empty) output
        writer = row_writer(fmt, target, tuple(variables), empty, settings.quiet, path=path)
    summary = writer.close()
    if first_warning is not None and not strict:
        sys.stderr.write(f"adcli: warning: {_counted(warned)} at a kink or a tie; first, "
                         f"row {first_warning[0]:,}: {first_warning[1]}\n")
    failed = summary.get("failed", 0)
    if strict and (first_error or first_warning):
        row, why = first_error or first_warning
        raise MathError(f"--strict: row {row:,}: {why}")
    if failed:
        raise MathError(f"{failed:,} of {_counted(summary.get('rows', done))} failed "
                        f"(NaN in their rows); first, row {first_error[0]:,}: {first_error[1]}")


def _cost(done: int, seconds: float, total: int | None) -> None:
    """What a point-by-point run costs, measured on its first chunk."""
    each = seconds / max(done, 1)
    whole = f"; all {total:,}: about {each * total:.2g} s" if total else ""
    sys.stderr.write(f"adcli: note: {each * 1e3:.2g} ms per point{whole}\n")


def _counted(n: int) -> str:
    return f"{n:,} point" + ("" if n == 1 else "s")


def _fixed_values(settings, variables, chunk) -> dict:
    """The values --at fixes, as floats, for the point columns of the output."""
    from ..language.points import parse_point

    supplied = frozenset(chunk)
    return parse_point(settings.at, variables, supplied=supplied) if settings.at else {}


class _Ticker:
    """Points done and points per second on stderr, at a terminal only."""

    def __init__(self, total):
        self.total, self.start, self.shown = total, time.perf_counter(), 0.0
        self.live = sys.stderr.isatty()

    def tick(self, done: int) -> None:
        now = time.perf_counter()
        if not self.live or now - self.shown < 0.2:
            return
        self.shown = now
        rate = done / max(now - self.start, 1e-9)
        of = f" of {self.total:,}" if self.total else ""
        sys.stderr.write(f"\r{done:,}{of} points, {rate:,.0f} points/s ")
        sys.stderr.flush()

    def close(self) -> None:
        if self.live and self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
