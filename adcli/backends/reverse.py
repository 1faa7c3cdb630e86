"""Reverse mode: record once, then one adjoint sweep gives the whole gradient."""

from __future__ import annotations

from ..ops.precision import arithmetic
from ..records import Derivative
from ..tape.record import Tape, derivative_error, record
from ..tape.sweeps import adjoints, tangents
from . import Problem
from . import shaped
from ._common import kink_warnings
from .shaped import is_shaped


def gradient(tape: Tape, wrt, m) -> dict:
    """The gradient of the tape's output with respect to ``wrt``, by one sweep.

    An adjoint sweep multiplies an infinite partial before it meets a zero that
    cancels it: in ``sqrt(atanh(x - x))`` the adjoint of ``x - x`` is infinite
    and reaches ``x`` twice, as inf - inf, while the tangent of ``x - x`` is
    exactly 0 and never meets the infinite partial (the function is constant).
    A component that is not finite is therefore swept again forward, for that
    input alone, before it is refused: both modes then give the same numbers.
    """
    inputs = tape.inputs
    if tape.output < 0:
        return {name: 0 * tape.value for name in wrt}
    bar = adjoints(tape, {tape.output: 1.0 if m.raises else m.number(1)})
    result = {name: bar[inputs[name]] for name in wrt}
    for name, value in result.items():
        if m.finite(value):
            continue
        dot = tangents(tape, {inputs[name]: 1.0 if m.raises else m.number(1)})
        if not m.finite(dot[tape.output]):
            raise derivative_error(tape, lambda out, arg: dot[arg] != 0)
        result[name] = dot[tape.output]
    return result


def differentiate(problem: Problem) -> Derivative:
    if is_shaped(problem):  # vectors and matrices: see .shaped
        return shaped.differentiate(problem, "reverse")
    with arithmetic(problem.digits) as m:
        tape = record(problem.graph, problem.point, m)
        result = gradient(tape, problem.wrt, m)
    return Derivative(
        problem.text, "reverse", problem.point, tape.value, result,
        cost={"sweeps": 1 if problem.wrt else 0, "tape_entries": len(tape),
              "edges": tape.edge_count,
              **({} if problem.digits else {"stored_bytes": 8 * len(tape)})},
        warnings=kink_warnings(problem, tape), digits=problem.digits)
