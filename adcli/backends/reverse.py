"""Reverse mode: record once, then one adjoint sweep gives the whole gradient."""

from __future__ import annotations

from ..ops.precision import arithmetic
from ..records import Derivative
from ..tape.record import Tape, derivative_error, record
from ..tape.sweeps import adjoints
from . import Problem
from ._common import kink_warnings


def gradient(tape: Tape, wrt, m) -> dict:
    """The gradient of the tape's output with respect to ``wrt``, by one sweep."""
    inputs = tape.inputs
    if tape.output < 0:
        return {name: 0 * tape.value for name in wrt}
    bar = adjoints(tape, {tape.output: 1.0 if m.raises else m.number(1)})
    result = {name: bar[inputs[name]] for name in wrt}
    if not all(map(m.finite, result.values())):
        raise derivative_error(tape, lambda out, arg: bar[out] != 0)
    return result


def differentiate(problem: Problem) -> Derivative:
    with arithmetic(problem.digits) as m:
        tape = record(problem.graph, problem.point, m)
        result = gradient(tape, problem.wrt, m)
    return Derivative(
        problem.text, "reverse", problem.point, tape.value, result,
        cost={"sweeps": 1 if problem.wrt else 0, "tape_entries": len(tape),
              "edges": tape.edge_count},
        warnings=kink_warnings(problem, tape), digits=problem.digits)
