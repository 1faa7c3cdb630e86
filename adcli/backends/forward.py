"""Forward mode: one tangent sweep per input, seeded with that input's unit vector."""

from __future__ import annotations

from ..ops.precision import arithmetic
from ..records import Derivative
from ..tape.record import Tape, derivative_error, record
from . import Problem
from ._common import kink_warnings


def tangents(tape: Tape, seed: dict) -> list:
    """``dot[i] = sum_k p_k * dot[arg_k]`` for every entry, in execution order."""
    dot = [0.0] * len(tape)
    for entry, s in seed.items():
        dot[entry] = s
    for out, arg, p in tape.edge_triples():
        d = dot[arg]
        if d and p:  # 0 times an undefined partial is 0, as in the reverse sweep
            dot[out] += p * d
    return dot


def differentiate(problem: Problem) -> Derivative:
    with arithmetic(problem.digits) as m:
        tape = record(problem.graph, problem.point, m)
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
              "edges": len(tape.edges) // 3},
        warnings=kink_warnings(problem, tape), digits=problem.digits)
