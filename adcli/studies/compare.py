"""Every method on one formula, side by side, against the high-precision reference.

The rows are the course's three columns made concrete: numerical methods
(truncation + round-off, a step to choose), the symbolic method (expression
swell), and AD (exact to working precision at a small constant cost per op).
"""

from __future__ import annotations

import time
from dataclasses import replace

from ..backends import Problem, backend
from ..backends._common import kink_warnings
from ..errors import AdcliError
from ..records.comparison import Comparison, MethodRow
from .method_rows import correct_digits, cost_words, note_words
from .reference import DEFAULT_DIGITS, reference
from ..backends.shaped import is_shaped

#: (row name, backend mode, numerical method) in the order the table shows them.
METHODS = (
    ("forward-difference", "numerical", "forward"),
    ("backward-difference", "numerical", "backward"),
    ("central-difference", "numerical", "central"),
    ("five-point", "numerical", "five-point"),
    ("richardson", "numerical", "richardson"),
    ("complex-step", "numerical", "complex"),
    ("symbolic", "symbolic", None),
    ("forward-ad", "forward", None),
    ("reverse-ad", "reverse", None),
)


def compare(problem: Problem, digits: int = DEFAULT_DIGITS, on_step=None,
            budget: float = 10.0) -> Comparison:
    """Run every method; ``on_step(name)`` is told before each (for progress bars);
    the symbolic row gets ``budget`` seconds."""
    problem = replace(problem, budget=budget)
    if is_shaped(problem):  # vectors and matrices: element by element
        from .shaped_compare import compare_arrays

        return compare_arrays(problem, METHODS, digits, on_step)
    if on_step is not None:
        on_step("reference")
    # the reference stays 10 digits ahead of the methods' own --precision
    ref = reference(problem, digits, extra=max(0, (problem.digits or 0) + 10 - digits))
    rows = []
    for name, mode, method in METHODS:
        if on_step is not None:
            on_step(name)
        rows.append(_row(problem, ref, name, mode, method))
    return Comparison(problem.text, problem.point, ref, tuple(rows), problem.digits,
                      point_warnings(problem))


def point_warnings(problem: Problem) -> tuple:
    """Kinks and ties of the formula at the point, as ``diff`` warns of them."""
    from ..ops.precision import arithmetic
    from ..tape.record import record

    with arithmetic(problem.digits) as m:
        tape = record(problem.graph, problem.point, m)
    return kink_warnings(problem, tape)


def _row(problem: Problem, ref, name: str, mode: str, method: str | None) -> MethodRow:
    variant = replace(problem, method=method) if method else problem
    start = time.perf_counter()
    try:
        result = backend(mode)(variant)
    except AdcliError as error:
        return MethodRow(name, None, None, None, None, None, "", time.perf_counter() - start,
                         error.message)
    seconds = time.perf_counter() - start
    abs_error, rel_error = _errors(result.gradient, ref.gradient)
    return MethodRow(name, dict(result.gradient), abs_error, rel_error,
                     correct_digits(rel_error, problem.digits), result.cost.get("evaluations"),
                     cost_words(result), seconds, note_words(result), tuple(result.warnings))


def _errors(gradient: dict, exact: dict) -> tuple[float, float]:
    """The largest absolute and relative error over the gradient's entries."""
    if not gradient:
        return 0.0, 0.0
    absolute = [abs(gradient[k] - exact[k]) for k in gradient]
    relative = [a / abs(exact[k]) if exact[k] != 0 else a for a, k in zip(absolute, gradient)]
    return float(max(absolute)), float(max(relative))
