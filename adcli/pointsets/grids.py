"""``--grid x=0:1:101``: evenly spaced points, several grids making a product.

Each chunk is computed from its flat row numbers, so a 10**9-point product
costs memory for one chunk, never for the whole product.  The values are
numpy.linspace's, bit for bit (same arithmetic, same exact last point).
"""

from __future__ import annotations

from ..errors import UsageError
from ..language.points import parse_value

#: The most points a product of grids may have: beyond it a run is hours long.
MAX_POINTS = 10**9


def parse_grid(spec: str) -> tuple:
    """``"x=-pi:pi:9"`` -> ``("x", -3.14..., 3.14..., 9)``."""
    name, sep, rest = spec.partition("=")
    name, parts = name.strip(), rest.split(":")
    if not sep or not name or len(parts) != 3:
        raise UsageError(f"--grid {spec}: write NAME=START:STOP:COUNT, e.g. x=0:1:101")
    start = parse_value(parts[0].strip(), name, option="--grid", given=spec)
    stop = parse_value(parts[1].strip(), name, option="--grid", given=spec)
    try:
        count = int(parts[2].strip())
    except ValueError:
        raise UsageError(f"--grid {spec}: the count {parts[2].strip()!r} is not a whole "
                         f"number") from None
    if count < 1:
        raise UsageError(f"--grid {spec}: the count must be at least 1")
    if count > MAX_POINTS:
        raise UsageError(f"--grid {spec}: at most {MAX_POINTS:,} points")
    return name, start, stop, count


def product_size(grids: list) -> int:
    total = 1
    for _, _, _, count in grids:
        total *= count
        if total > MAX_POINTS:
            shown = " x ".join(f"{c:,}" for *_, c in grids)
            raise UsageError(f"--grid: {shown} points is more than the {MAX_POINTS:,} "
                             f"allowed: use fewer points per grid")
    return total


def axis_values(start: float, stop: float, count: int, index):
    """numpy.linspace(start, stop, count)[index] for an int64 array ``index``."""
    import numpy as np

    y = index.astype(np.float64)
    div = count - 1
    delta = stop - start
    if div > 0:
        step = delta / div
        if step == 0:  # subnormal steps, as numpy does (gh-5437)
            y /= div
            y *= delta
        else:
            y *= step
    else:
        y *= delta
    y += start
    if div > 0:
        y[index == div] = stop
    return y


def grid_chunks(grids: list, total: int, size: int):
    """Chunks of the product, the first grid varying slowest."""
    import numpy as np

    strides, stride = [], 1
    for *_, count in reversed(grids):
        strides.append(stride)
        stride *= count
    strides.reverse()
    for lo in range(0, total, size):
        flat = np.arange(lo, min(lo + size, total), dtype=np.int64)
        yield {name: axis_values(start, stop, count, (flat // step) % count)
               for (name, start, stop, count), step in zip(grids, strides)}
