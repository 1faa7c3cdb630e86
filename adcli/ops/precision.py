"""Which numbers a computation uses: float64, or mpmath at D significant digits.

``--precision D`` runs every backend (numerical steps included) in mpmath, so
that a user can watch round-off vanish; the point itself is then read at D
digits too (``pi/6`` is not first rounded to a double).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager

from ..errors import UsageError
from .namespaces import FLOAT, mpmath_math

MAX_DIGITS = 10_000


@contextmanager
def arithmetic(digits: int | None, guard: int = 0, option: str = "--precision"):
    """The namespace to compute in: FLOAT, or mpmath with ``digits`` digits (plus
    ``guard`` digits that the user did not ask for and is not limited by)."""
    if digits is None:
        yield FLOAT
        return
    if not 1 <= digits <= MAX_DIGITS:
        raise UsageError(f"{option} {digits}: give 1 to {MAX_DIGITS:,} digits")
    import mpmath

    with mpmath.workdps(digits + guard):
        yield mpmath_math()


def epsilon(m) -> float:
    """The unit round-off of the namespace's numbers (at the current precision)."""
    if m is not None and m.name == "mpmath":
        import mpmath

        return mpmath.eps
    return sys.float_info.epsilon
