"""Second order by composing the sweeps: forward over reverse.

The reverse sweep is recorded as a graph (:mod:`adcli.tape.second_order`); its
tape is then swept forward: one tangent sweep is a Hessian-vector product,
one per input the whole Hessian.  SymPy and central differences of the AD
gradient give the same matrix for comparison.
"""

from __future__ import annotations

from ..tape.second_order import gradient_graph
from ..backends import Problem
from ..backends.forward import tangents
from ..errors import MathError, UsageError
from ..ops.namespaces import FLOAT
from ..records.vector import Hessian, Product
from ..tape.record import record

HESSIAN_MODES = ("forward-over-reverse", "symbolic", "numerical")


def _second_tape(problem: Problem):
    tape = record(problem.graph, problem.point)
    graph, _gradient = gradient_graph(tape)
    return tape, record(graph, problem.point)


def _check(matrix) -> None:
    for row in matrix:
        for value in row:
            if not value - value == 0:
                raise MathError(f"the second derivative is infinite or undefined at the "
                                f"point ({value})")


def hessian(problem: Problem, mode: str = "forward-over-reverse") -> Hessian:
    if mode not in HESSIAN_MODES:
        raise UsageError(f"unknown mode {mode!r}: choose one of {', '.join(HESSIAN_MODES)}")
    names = problem.wrt
    tape, second = _second_tape(problem)
    gradient = dict(zip(tape.inputs, second.output_values))
    index = [list(tape.inputs).index(n) for n in names]
    if mode == "forward-over-reverse":
        columns = []
        for name in names:
            dot = tangents(second, {second.inputs[name]: 1.0})
            columns.append([dot[e] if e >= 0 else 0.0 for e in second.outputs])
        matrix = [[columns[j][index[i]] for j in range(len(names))] for i in range(len(names))]
        note = (f"{len(names)} tangent sweeps through the recorded reverse sweep "
                f"({len(second)} entries)")
    elif mode == "symbolic":
        matrix, note = _symbolic(problem), "sympy.diff twice, evaluated at the point"
    else:
        matrix, note = _numerical(problem), "central differences of the reverse-mode gradient"
    _check(matrix)
    return Hessian(problem.text, tuple(names), problem.point, tape.value,
                   {n: gradient[n] for n in names},
                   tuple(tuple(row) for row in matrix), mode, note)


def hvp(problem: Problem, vector: dict) -> Product:
    """H·v by one tangent sweep through the recorded reverse sweep."""
    names = list(problem.graph.variables)
    unknown = [k for k in vector if k not in names]
    if unknown:
        raise UsageError(f"--vector names '{unknown[0]}', which is not a variable "
                         f"(variables: {', '.join(names)})")
    v = {k: float(vector.get(k, 0.0)) for k in names}
    tape, second = _second_tape(problem)
    dot = tangents(second, {second.inputs[k]: x for k, x in v.items()})
    result = {k: (dot[e] if e >= 0 else 0.0) for k, e in zip(names, second.outputs)}
    _check([result.values()])
    return Product("hvp", (problem.text,), tuple(names), problem.point, (tape.value,),
                   v, result)


def _symbolic(problem: Problem) -> list:
    import sympy

    from ..backends.symbolic import guarded, to_sympy

    with guarded(problem) as (symbols, subs):
        expr = to_sympy(problem.graph, symbols)
        return [[float(sympy.diff(expr, symbols[a], symbols[b]).xreplace(subs).evalf(30))
                 for b in problem.wrt] for a in problem.wrt]


def _numerical(problem: Problem) -> list:
    from ..backends.numerical import central_columns
    from ..backends.reverse import gradient

    def grad_at(point):
        return list(gradient(record(problem.graph, point), problem.wrt, FLOAT).values())

    columns, _evaluations = central_columns(grad_at, problem.point, problem.wrt)
    n = len(problem.wrt)
    return [[columns[j][i] for j in range(n)] for i in range(n)]
