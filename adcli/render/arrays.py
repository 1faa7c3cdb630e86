"""Vectors and matrices as each format shows them.

A terminal table shows a small matrix as a matrix (rows of aligned numbers),
LaTeX as a ``bmatrix``, Markdown as nested lists, CSV one row per element;
a large one is summarised by shape and norm wherever a person reads it
(JSON, CSV, plain and ``--quiet`` keep every element).
"""

from __future__ import annotations

from .numbers import SHOWN_ELEMENTS, number


def is_array(x) -> bool:
    return bool(getattr(x, "shape", ()))


def shape_text(shape) -> str:
    """``2×3`` (a scalar: empty)."""
    return "×".join(map(str, shape))


def small(x) -> bool:
    """Written out element by element where a person reads it."""
    return x.size <= SHOWN_ELEMENTS


def block(x, digits=None) -> str:
    """A small vector or matrix as lines of right-aligned numbers; other arrays
    as :func:`~adcli.render.numbers.number` writes them."""
    if not small(x) or x.ndim > 2:
        return number(x, shown=digits)
    rows = x.reshape(1, -1) if x.ndim == 1 else x
    cells = [[number(float(v), shown=digits) for v in row] for row in rows]
    width = max(len(c) for row in cells for c in row)
    return "\n".join("  ".join(c.rjust(width) for c in row) for row in cells)


def bmatrix(x, digits=None) -> str | None:
    """A small vector or matrix as LaTeX (a vector as a column); None when it is not."""
    if not small(x) or x.ndim > 2:
        return None
    rows = x.reshape(-1, 1) if x.ndim == 1 else x
    body = r" \\ ".join(" & ".join(number(float(v), shown=digits) for v in row)
                        for row in rows)
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def elements(x) -> list:
    """Every element, C order (row by row), each as its exact number text."""
    import numpy as np

    return [number(float(v)) for v in np.ravel(x)]


def full(x) -> str:
    """Every element as nested lists: a line for scripts, however large."""
    import numpy as np

    return repr(np.asarray(x, dtype=float).tolist())


def indexed(name: str, x) -> list:
    """``(A[0, 1], value)`` for every element, C order."""
    import numpy as np

    return [(f"{name}[{', '.join(map(str, k))}]", number(float(x[k])))
            for k in np.ndindex(*x.shape)]
