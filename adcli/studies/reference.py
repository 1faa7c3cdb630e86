"""The reference every method is measured against: mpmath AD at high precision.

The tape is recorded in mpmath arithmetic at the requested digits plus guard
digits, at exactly the point the methods used (a float point is an exact
binary fraction), and one reverse sweep gives the gradient.  AD has no
truncation error, so the only error left is mpmath's rounding, far below the
digits reported.
"""

from __future__ import annotations

from ..backends import Problem
from ..backends.reverse import gradient as reverse_gradient
from ..ops.precision import arithmetic
from ..records.comparison import Reference
from ..tape.record import record

GUARD_DIGITS = 15
DEFAULT_DIGITS = 50


def reference(problem: Problem, digits: int = DEFAULT_DIGITS, extra: int = 0) -> Reference:
    """``digits`` as the user asked (--reference-digits), ``extra`` more where the
    methods themselves run at high precision."""
    import mpmath

    with arithmetic(digits, GUARD_DIGITS + extra, "--reference-digits") as m:
        point = {name: mpmath.mpf(value) for name, value in problem.point.items()}
        tape = record(problem.graph, point, m)
        result = reverse_gradient(tape, problem.wrt, m)
        value = +tape.value
    digits += extra
    return Reference(value, result, digits,
                     f"reverse-mode AD in mpmath at {digits} significant digits "
                     f"(+{GUARD_DIGITS} guard)")
