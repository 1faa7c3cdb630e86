"""Second order by composing the sweeps: forward over reverse.

The reverse sweep is recorded as a graph (:mod:`adcli.tape.second_order`); its
tape is then swept forward: one tangent sweep is a Hessian-vector product,
one per input the whole Hessian.  SymPy and central differences of the AD
gradient give the same matrix for comparison.
"""

from __future__ import annotations

from ..backends import Problem
from ..backends.forward import tangents
from ..errors import MathError, choose
from ..language.points import vector_over
from ..ops.namespaces import FLOAT
from ..records.vector import Hessian, Product
from ..records import counted
from ..tape.record import record
from ..tape.second_order import gradient_graph
from ..tape.sweeps import check_sweeps
from .matrices import (central_jacobian, check_finite, output_tangents, rows_of,
                       symbolic_jacobian, tangent_columns)

HESSIAN_MODES = ("forward-over-reverse", "symbolic", "numerical")


def _second_tape(problem: Problem):
    """The formula's tape and the tape of its recorded reverse sweep.

    A failure in the second means no second derivative at the point (sqrt at
    0); its rows are not the user's, so the message says that first.
    """
    tape = record(problem.graph, problem.point)
    graph, _gradient = gradient_graph(tape)
    try:
        return tape, record(graph, problem.point)
    except MathError as error:
        raise MathError(f"the second derivative is infinite or undefined at the point "
                        f"(the recorded reverse sweep fails: {error.message})") from None


def hessian(problem: Problem, mode: str = "forward-over-reverse") -> Hessian:
    choose(mode, HESSIAN_MODES, "mode")
    names = problem.wrt
    tape, second = _second_tape(problem)
    gradient = dict(zip(tape.inputs, second.output_values))
    index = [list(tape.inputs).index(n) for n in names]
    if mode == "forward-over-reverse":
        check_sweeps(len(names), len(second), "the Hessian (forward over reverse)",
                     "choose fewer variables with --wrt, or hvp for one product")
        matrix = rows_of(tangent_columns(second, names), index)
        note = (f"{counted(len(names), 'tangent sweep')} through the recorded reverse "
                f"sweep ({counted(len(second), 'entry', 'entries')})")
    elif mode == "symbolic":
        matrix, note = _symbolic(problem), "sympy.diff twice, evaluated at the point"
    else:
        matrix, note = _numerical(problem), "central differences of the reverse-mode gradient"
    check_finite(matrix, "second derivative")
    return Hessian(problem.text, tuple(names), problem.point, tape.value,
                   {n: gradient[n] for n in names},
                   tuple(tuple(row) for row in matrix), mode, note)


def hvp(problem: Problem, vector: dict) -> Product:
    """H·v by one tangent sweep through the recorded reverse sweep."""
    names = list(problem.graph.variables)
    v = vector_over(vector, names, "--vector")
    tape, second = _second_tape(problem)
    dot = tangents(second, {second.inputs[k]: x for k, x in v.items()})
    result = dict(zip(names, output_tangents(second, dot)))
    check_finite([result.values()], "second derivative")
    return Product("hvp", (problem.text,), tuple(names), problem.point, (tape.value,),
                   v, result)


def _symbolic(problem: Problem) -> list:
    """The Jacobian of SymPy's gradient."""
    import sympy

    from ..backends.symbolic import to_sympy

    def gradient(symbols):
        expr = to_sympy(problem.graph, symbols)
        return [sympy.diff(expr, symbols[a]) for a in problem.wrt]

    wrt = problem.wrt
    return symbolic_jacobian(
        problem, gradient,
        lambda i, v: f"second derivative with respect to {wrt[i]} and {v}")


def _numerical(problem: Problem) -> list:
    """Central differences of the reverse-mode gradient."""
    from ..backends.reverse import gradient

    def grad_at(point):
        return list(gradient(record(problem.graph, point), problem.wrt, FLOAT).values())

    return central_jacobian(problem, grad_at, len(problem.wrt))[0]
