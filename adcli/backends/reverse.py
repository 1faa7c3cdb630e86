"""Reverse mode: record once, then one adjoint sweep gives the whole gradient."""

from __future__ import annotations

from ..ops.precision import arithmetic
from ..records import Derivative
from ..tape.record import Tape, record
from ..tape.sweeps import adjoints, finite_adjoint
from . import Problem
from . import shaped
from ._common import kink_warnings
from .shaped import is_shaped


def gradient(tape: Tape, wrt, m) -> dict:
    """The gradient of the tape's output with respect to ``wrt``, by one sweep; a
    component that is not finite is swept again forward, for that input alone,
    before it is refused (see :func:`adcli.tape.sweeps.finite_adjoint`)."""
    inputs = tape.inputs
    if tape.output < 0:
        return {name: 0 * tape.value for name in wrt}
    bar = adjoints(tape, {tape.output: 1.0 if m.raises else m.number(1)})
    return {name: finite_adjoint(tape, bar, inputs[name], m) for name in wrt}


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
              **({} if problem.digits else {"stored_bytes": tape.stored_bytes})},
        warnings=kink_warnings(problem, tape), digits=problem.digits)
