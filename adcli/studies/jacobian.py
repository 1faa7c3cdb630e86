"""Jacobians of vector formulas, and the products that avoid forming them.

For f: R^n -> R^m, forward mode builds the Jacobian a column per tangent sweep
(n sweeps) and reverse mode a row per adjoint sweep (m sweeps), both over the
same tape; ``auto`` picks the fewer sweeps and says so.  A JVP is one tangent
sweep, a VJP one adjoint sweep.  Sweeps are counted as they run.
"""

from __future__ import annotations

import math

from ..backends import Problem
from ..backends.forward import tangents
from ..backends.reverse import adjoints
from ..errors import MathError, UsageError
from ..language.printer import format_node
from ..records.vector import Jacobian, Product
from ..tape.record import Tape, record

JACOBIAN_MODES = ("auto", "forward", "reverse", "symbolic", "numerical")


#: Outputs of larger graphs are named f1, f2, ...: printing a 100,000-term sum
#: back as text is neither fast nor readable.
LABELLED_NODES = 2_000


def _outputs(problem: Problem) -> tuple:
    graph = problem.graph
    if len(graph) > LABELLED_NODES:
        return tuple(f"f{k + 1}" for k in range(len(graph.outputs)))
    return tuple(format_node(graph, node) for node in graph.outputs)


def _column(tape: Tape, dot: list) -> list:
    return [dot[e] if e >= 0 else 0.0 for e in tape.outputs]


def _finite(matrix, what: str) -> None:
    for row in matrix:
        for value in row:
            if not value - value == 0:
                raise MathError(f"the {what} is infinite or undefined at the point ({value})")


def advice(n: int, m: int, edges: int) -> tuple[str, str]:
    """The cheaper AD mode for n inputs and m outputs, and why."""
    mode = "forward" if n <= m else "reverse"
    return mode, (f"forward mode needs {n} tangent sweep{'s' * (n != 1)}, reverse mode "
                  f"{m} adjoint sweep{'s' * (m != 1)}, each over {edges} tape edges: "
                  f"{mode} is cheaper here")


def jacobian(problem: Problem, mode: str = "auto") -> Jacobian:
    if mode not in JACOBIAN_MODES:
        raise UsageError(f"unknown mode {mode!r}: choose one of {', '.join(JACOBIAN_MODES)}")
    tape = record(problem.graph, problem.point)
    inputs, names = tape.inputs, problem.wrt
    n, m = len(names), len(tape.outputs)
    note = ""
    if mode == "auto":
        mode, note = advice(n, m, len(tape.edges) // 3)
    performed = 0
    if mode == "forward":
        columns = []
        for name in names:
            columns.append(_column(tape, tangents(tape, {inputs[name]: 1.0})))
            performed += 1
        matrix = [[columns[j][i] for j in range(n)] for i in range(m)]
    elif mode == "reverse":
        matrix = []
        for out in tape.outputs:
            bar = adjoints(tape, {out: 1.0}) if out >= 0 else [0.0] * len(tape)
            matrix.append([bar[inputs[name]] if out >= 0 else 0.0 for name in names])
            performed += 1
    elif mode == "symbolic":
        matrix = _symbolic(problem)
    else:
        matrix, performed = _numerical(problem)
    _finite(matrix, "Jacobian")
    return Jacobian(_outputs(problem), tuple(names), problem.point, tuple(tape.output_values),
                    tuple(tuple(row) for row in matrix), mode, {"forward": n, "reverse": m},
                    performed, note)


def _symbolic(problem: Problem) -> list:
    import sympy

    from ..backends.symbolic import guarded, to_sympy

    rows = []
    with guarded(problem) as (symbols, subs):
        for node in problem.graph.outputs:
            expr = to_sympy(problem.graph, symbols, node)
            rows.append([float(sympy.diff(expr, symbols[v]).xreplace(subs).evalf(30))
                         for v in problem.wrt])
    return rows


def _numerical(problem: Problem) -> tuple[list, int]:
    from ..backends.numerical import central_columns

    columns, evaluations = central_columns(
        lambda at: record(problem.graph, at, partials=False).output_values,
        problem.point, problem.wrt)
    m = len(problem.graph.outputs)
    return [[column[i] for column in columns] for i in range(m)], evaluations


def jvp(problem: Problem, tangent: dict) -> Product:
    """J·v by one tangent sweep seeded with v."""
    tape = record(problem.graph, problem.point)
    inputs = tape.inputs
    vector = _vector(tangent, list(inputs), "--tangent")
    dot = tangents(tape, {inputs[k]: v for k, v in vector.items()})
    outputs = _outputs(problem)
    result = dict(zip(outputs, _column(tape, dot)))
    _finite([result.values()], "JVP")
    return Product("jvp", outputs, tuple(inputs), problem.point, tuple(tape.output_values),
                   vector, result)


def vjp(problem: Problem, cotangent: list) -> Product:
    """uᵀ·J by one adjoint sweep seeded with u on the outputs."""
    tape = record(problem.graph, problem.point)
    outputs = _outputs(problem)
    if len(cotangent) != len(outputs):
        raise UsageError(f"--cotangent has {len(cotangent)} numbers for {len(outputs)} "
                         f"outputs")
    seed: dict = {}
    for entry, u in zip(tape.outputs, cotangent):
        if entry >= 0:
            seed[entry] = seed.get(entry, 0.0) + u
    bar = adjoints(tape, seed)
    result = {name: bar[entry] for name, entry in tape.inputs.items()}
    _finite([result.values()], "VJP")
    return Product("vjp", outputs, tuple(tape.inputs), problem.point,
                   tuple(tape.output_values), tuple(cotangent), result)


def _vector(spec: dict, names: list, option: str) -> dict:
    unknown = [k for k in spec if k not in names]
    if unknown:
        raise UsageError(f"{option} names '{unknown[0]}', which is not a variable "
                         f"(variables: {', '.join(names) or 'none'})")
    return {k: float(spec.get(k, 0.0)) for k in names}


def parse_numbers(text: str, option: str) -> list:
    """``"1,0,0"`` -> [1.0, 0.0, 0.0]."""
    if not text:
        raise UsageError(f"give {option}: one number per output, e.g. 1,0")
    try:
        numbers = [float(part) for part in text.split(",")]
    except ValueError:
        raise UsageError(f"{option} {text}: give numbers separated by commas") from None
    if not all(map(math.isfinite, numbers)):
        raise UsageError(f"{option} {text}: the numbers must be finite")
    return numbers
