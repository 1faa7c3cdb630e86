"""Numbers as text: every renderer shows a number the same way.

float64 values are written as the shortest text that reads back as the same
double; with ``--precision D`` (mpmath numbers) with D significant digits.
"""

from __future__ import annotations


def number(x, digits: int | None = None, *, shown: int | None = None,
           missing: str = "") -> str:
    """``x`` as text, the one way every renderer writes a number.

    ``digits`` is the working precision of ``--precision D``: an mpmath number
    is written with D significant digits, a float always exactly.  ``shown``
    rounds for the eye instead (``--digits N``, warnings); an mpmath number
    then formats itself through its own context, so mpmath is imported only
    when D digits are asked of something that is not a float.  ``None`` is
    ``missing``.
    """
    if x is None:
        return missing
    if hasattr(x, "shape") and x.shape:  # a vector or matrix: see array_text
        return array_text(x, shown)
    if shown is not None:
        nstr = getattr(getattr(x, "context", None), "nstr", None)
        return nstr(x, shown) if nstr is not None else format(float(x), f".{shown}g")
    if digits is None or isinstance(x, float):
        return repr(float(x))
    import mpmath

    return mpmath.nstr(x, digits)


#: Arrays up to this many elements are written out; larger ones are summarised.
SHOWN_ELEMENTS = 36


def array_text(x, shown: int | None = None) -> str:
    """A small array as nested lists of numbers; a large one by shape and norm
    (JSON and CSV keep every element)."""
    import numpy as np

    if x.size > SHOWN_ELEMENTS:
        return (f"array {' x '.join(map(str, x.shape))}, norm "
                f"{number(float(np.sqrt(np.sum(np.square(x)))), shown=6)}")
    if shown is not None:
        x = np.vectorize(lambda v: float(format(v, f".{shown}g")), otypes=[float])(x)
    return repr(x.tolist())


def plain(value, digits: int | None = None):
    """``value`` for JSON: floats stay floats; mpmath numbers become :class:`Raw`;
    arrays become nested lists."""
    if hasattr(value, "shape") and hasattr(value, "tolist"):
        value = value.tolist()
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
