"""Numbers as text: every renderer shows a number the same way.

float64 values are written as the shortest text that reads back as the same
double; with ``--precision D`` (mpmath numbers) with D significant digits.
"""

from __future__ import annotations


def number(x, digits: int | None = None) -> str:
    if digits is None or isinstance(x, float):
        return repr(float(x))
    import mpmath

    return mpmath.nstr(x, digits)


def plain(value, digits: int | None = None):
    """``value`` for JSON: floats stay floats; mpmath numbers become :class:`Raw`."""
    if isinstance(value, dict):
        return {k: plain(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, digits) for v in value]
    if isinstance(value, float) and not value - value == 0:
        return None  # JSON has no inf or nan: null says "no finite number"
    if value is None or isinstance(value, (bool, str, int, float)):
        return value
    if not value - value == 0:
        return None
    return Raw(number(value, digits))


class Raw(str):
    """Number text to be written into JSON as it is (a JSON number, not a string)."""
