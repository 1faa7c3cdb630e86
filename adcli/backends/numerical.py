"""Numerical differentiation: central differences with the error-model step.

The step ``h = eps^(1/3) * max(1, |x|)`` balances truncation (O(h^2)) and
round-off (O(eps/h)); it is rounded so that ``x + h`` and ``x - h`` are exact
distances from ``x``.  The wider toolbox (stencils, Richardson, complex step)
belongs to ``adcli compare``.
"""

from __future__ import annotations

import sys

from ..errors import MathError
from ..records import Derivative
from ..tape import record
from . import Problem
from ._common import kink_warnings

EPS = sys.float_info.epsilon


def central_step(x: float) -> float:
    h = EPS ** (1 / 3) * max(1.0, abs(x))
    return (x + h) - x


def _value_at(problem: Problem, name: str, x: float) -> float:
    point = dict(problem.point)
    point[name] = x
    try:
        return record(problem.graph, point, partials=False).value
    except MathError as exc:
        raise MathError(f"central difference in {name} steps to {name} = {x!r}, "
                        f"outside the domain: {exc.message}") from None


def differentiate(problem: Problem) -> Derivative:
    tape = record(problem.graph, problem.point, partials=False)
    gradient, steps = {}, {}
    for name in problem.wrt:
        x = problem.point[name]
        h = central_step(x)
        right = _value_at(problem, name, x + h)
        left = _value_at(problem, name, x - h)
        gradient[name] = (right - left) / (2 * h)
        steps[name] = h
    return Derivative(
        problem.text, "numerical", problem.point, tape.value, gradient,
        cost={"evaluations": 1 + 2 * len(problem.wrt)},
        details={"method": "central", "step": steps},
        warnings=kink_warnings(tape, "the central difference averages the slopes "
                                     "on both sides"))
