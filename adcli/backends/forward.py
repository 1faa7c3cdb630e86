"""Forward mode: one tangent sweep per input, seeded with that input's unit vector."""

from __future__ import annotations

from ..ops.precision import arithmetic
from ..records import Derivative
from ..tape.diagnosis import derivative_error
from ..tape.record import record
from ..tape.sweeps import check_sweeps, tangents
from . import Problem
from . import shaped
from ._common import kink_warnings
from .shaped import is_shaped


def differentiate(problem: Problem) -> Derivative:
    if is_shaped(problem):  # vectors and matrices: see .shaped
        return shaped.differentiate(problem, "forward")
    with arithmetic(problem.digits) as m:
        tape = record(problem.graph, problem.point, m)
        check_sweeps(len(problem.wrt), len(tape), "forward mode",
                     "reverse mode needs 1 sweep (--mode reverse), or choose fewer "
                     "inputs with --wrt")
        inputs = tape.inputs
        gradient = {}
        for name in problem.wrt:
            dot = tangents(tape, {inputs[name]: 1})
            gradient[name] = dot[tape.output] if tape.output >= 0 else 0 * tape.value
            if not m.finite(gradient[name]):
                raise derivative_error(tape, lambda out, arg: dot[arg] != 0)
    return Derivative(
        problem.text, "forward", problem.point, tape.value, gradient,
        cost={"sweeps": len(problem.wrt), "tape_entries": len(tape),
              "edges": tape.edge_count,
              **({} if problem.digits else {"stored_bytes": tape.stored_bytes})},
        warnings=kink_warnings(problem, tape), digits=problem.digits)
