"""Reverse mode: record once, then one adjoint sweep gives the whole gradient."""

from __future__ import annotations

from ..records import Derivative
import math

from ..tape import Tape, derivative_error, record
from . import Problem
from ._common import kink_warnings


def adjoints(tape: Tape, seed: dict) -> list:
    """``bar[arg_k] += bar[i] * p_k``, entries taken backwards; sums fan-out."""
    bar = [0.0] * len(tape)
    for entry, s in seed.items():
        bar[entry] = s
    backwards = reversed(tape.edges)
    for p, arg, out in zip(backwards, backwards, backwards):
        b = bar[out]
        if b:  # nothing flows: an undefined partial elsewhere stays harmless
            bar[arg] += b * p
    return bar


def differentiate(problem: Problem) -> Derivative:
    tape = record(problem.graph, problem.point)
    inputs = tape.inputs
    if tape.output >= 0:
        bar = adjoints(tape, {tape.output: 1.0})
        gradient = {name: bar[inputs[name]] for name in problem.wrt}
        if not all(map(math.isfinite, gradient.values())):
            raise derivative_error(tape, lambda out, arg: bar[out] != 0)
    else:
        gradient = {name: 0.0 for name in problem.wrt}
    return Derivative(
        problem.text, "reverse", problem.point, tape.value, gradient,
        cost={"sweeps": 1 if problem.wrt else 0, "tape_entries": len(tape),
              "edges": len(tape.edges) // 3},
        warnings=kink_warnings(tape))
