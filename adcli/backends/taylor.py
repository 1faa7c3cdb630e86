"""Taylor mode as a backend: f, f', ..., f^(K) of a one-variable request at once."""

from __future__ import annotations

from ..errors import UsageError
from ..records import Derivative
from ..tape.record import record
from ..tape.series import coefficients, derivatives
from . import Problem
from ._common import kink_warnings


def differentiate(problem: Problem) -> Derivative:
    if len(problem.wrt) != 1:
        raise UsageError("--order K differentiates along one variable: choose it with "
                         f"--wrt (variables: {', '.join(problem.wrt) or 'none'})")
    if problem.digits is not None:
        raise UsageError("--order runs in float64; --precision does not apply")
    name = problem.wrt[0]
    tape = record(problem.graph, problem.point, partials=False)
    ds = derivatives(coefficients(problem.graph, problem.point, name, problem.order))
    gradient = {name: ds[1]} if len(ds) > 1 else {}
    return Derivative(
        problem.text, "taylor", problem.point, tape.value, gradient,
        cost={"order": problem.order, "tape_entries": len(tape)},
        details={"derivatives": ds}, warnings=kink_warnings(problem, tape))
