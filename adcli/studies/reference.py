"""The reference every method is measured against: mpmath AD at high precision,
checked by one-sided differences that share none of its rules.

The tape is recorded in mpmath arithmetic at the requested digits plus guard
digits, at exactly the point the methods used (a float point is an exact
binary fraction), and one reverse sweep gives the gradient.  AD has no
truncation error, so the only error left is mpmath's rounding, far below the
digits reported.  But AD is one of the methods graded, and it fails where the
op table's local rules do (``sqrt(x**2)`` at 0 multiplies an infinite partial
by 0): so each partial is also checked against the formula's own one-sided
difference quotients at the same precision, which read no rule at all.  A
point where they disagree has no derivative to grade against: a math error.
At a kink or a tie, AD's documented subgradient is graded, with warnings.
"""

from __future__ import annotations

from ..backends import Problem
from ..backends._common import slopes
from ..errors import MathError
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
        if not tape.kinks and not tape.branches:
            for name in problem.wrt:
                _check(problem, m, point, name, result[name])
    digits += extra
    return Reference(value, result, digits,
                     f"reverse-mode AD in mpmath at {digits} significant digits "
                     f"(+{GUARD_DIGITS} guard), checked by one-sided differences")


def _check(problem: Problem, m, point: dict, name: str, ad) -> None:
    """Refuse AD's partial unless the one-sided quotients that exist agree with it."""
    sides = slopes(problem, m, point, name)
    agree = [s is not None and abs(s[0] - ad) <= s[1] + 1e-9 * abs(ad) for s in sides]
    if any(s is not None for s in sides) and all(
            ok for ok, s in zip(agree, sides) if s is not None):
        return
    shown = ", ".join(f"{side} {'undefined' if s is None else _short(s[0])}"
                      for side, s in zip(("left", "right"), sides))
    raise MathError(f"the derivative with respect to {name} does not exist at the point: "
                    f"AD's rules give {_short(ad)}, but the one-sided difference "
                    f"quotients give {shown}")


def _short(x) -> str:
    return f"{float(x):.6g}"
