"""Jacobians of vector formulas, and the products that avoid forming them.

For f: R^n -> R^m, forward mode builds the Jacobian a column per tangent sweep
(n sweeps) and reverse mode a row per adjoint sweep (m sweeps), both over the
same tape; ``auto`` picks the fewer sweeps and says so.  A JVP is one tangent
sweep, a VJP one adjoint sweep.  Sweeps are counted as they run.
"""

from __future__ import annotations

from ..backends import Problem
from ..backends.forward import tangents
from ..backends.reverse import adjoints
from ..errors import UsageError, choose
from ..language.points import parse_numbers  # noqa: F401 (studies.entry imports it here)
from ..language.points import vector_over
from ..language.printer import format_node
from ..records.vector import Jacobian, Product
from ..records import counted
from ..tape.record import record
from ..tape.sweeps import check_sweeps
from .matrices import (central_jacobian, check_finite, output_tangents, rows_of,
                       symbolic_jacobian, tangent_columns)

JACOBIAN_MODES = ("auto", "forward", "reverse", "symbolic", "numerical")


#: Outputs of larger graphs are named f1, f2, ...: printing a 100,000-term sum
#: back as text is neither fast nor readable.
LABELLED_NODES = 2_000


def _outputs(problem: Problem) -> tuple:
    graph = problem.graph
    if len(graph) > LABELLED_NODES:
        return tuple(f"f{k + 1}" for k in range(len(graph.outputs)))
    return tuple(format_node(graph, node) for node in graph.outputs)


#: Tape entries one study may sweep in all (sweeps × entries): about a second's work.
def _sweeps(k: int) -> str:
    return f"{k:,} sweep{'s' * (k != 1)}"


def advice(n: int, m: int, edges: int) -> tuple[str, str]:
    """The cheaper AD mode for n inputs and m outputs, and why."""
    mode = "forward" if n <= m else "reverse"
    return mode, (f"forward mode needs {n} tangent sweep{'s' * (n != 1)}, reverse mode "
                  f"{m} adjoint sweep{'s' * (m != 1)}, each over "
                  f"{counted(edges, 'tape edge')}: "
                  f"{mode} is cheaper here")


def _shaped(problem: Problem, given=()):
    """The study for vectors and matrices, if the formula or the ``given``
    vector has them."""
    from ..backends.shaped import is_shaped

    if problem.graph is not None and (is_shaped(problem) or
                                      any(hasattr(v, "shape") for v in given)):
        from . import shaped_jacobian

        return shaped_jacobian
    return None


def jacobian(problem: Problem, mode: str = "auto") -> Jacobian:
    choose(mode, JACOBIAN_MODES, "mode")
    if (shaped := _shaped(problem)) is not None:
        return shaped.jacobian(problem, mode, _outputs(problem))
    tape = record(problem.graph, problem.point)
    inputs, names = tape.inputs, problem.wrt
    n, m = len(names), len(tape.outputs)
    note = ""
    if mode == "auto":
        mode, note = advice(n, m, tape.edge_count)
    performed = 0
    if mode == "forward":
        check_sweeps(n, len(tape), "forward mode", f"reverse mode needs {_sweeps(m)} "
                     f"(--mode reverse), or choose fewer inputs with --wrt")
        matrix, performed = rows_of(tangent_columns(tape, names), range(m)), n
    elif mode == "reverse":
        check_sweeps(m, len(tape), "reverse mode", f"forward mode needs {_sweeps(n)} "
                     f"(--mode forward)")
        matrix = []
        for out in tape.outputs:
            bar = adjoints(tape, {out: 1.0}) if out >= 0 else [0.0] * len(tape)
            matrix.append([bar[inputs[name]] if out >= 0 else 0.0 for name in names])
            performed += 1
    elif mode == "symbolic":
        matrix = _symbolic(problem)
    else:
        matrix, performed = central_jacobian(
            problem, lambda at: record(problem.graph, at, partials=False).output_values, m)
    check_finite(matrix, "Jacobian")
    return Jacobian(_outputs(problem), tuple(names), problem.point, tuple(tape.output_values),
                    tuple(tuple(row) for row in matrix), mode, {"forward": n, "reverse": m},
                    performed, note)


def _symbolic(problem: Problem) -> list:
    from ..backends.symbolic import to_sympy

    graph, outputs = problem.graph, _outputs(problem)
    return symbolic_jacobian(
        problem, lambda symbols: (to_sympy(graph, symbols, node) for node in graph.outputs),
        lambda i, v: f"derivative of {outputs[i]} with respect to {v}")


def jvp(problem: Problem, tangent: dict) -> Product:
    """J·v by one tangent sweep seeded with v."""
    if (shaped := _shaped(problem, tangent.values())) is not None:
        return shaped.jvp(problem, tangent, _outputs(problem))
    tape = record(problem.graph, problem.point)
    inputs = tape.inputs
    vector = vector_over(tangent, list(inputs), "--tangent")
    dot = tangents(tape, {inputs[k]: v for k, v in vector.items()})
    outputs = _outputs(problem)
    result = dict(zip(outputs, output_tangents(tape, dot)))
    check_finite([result.values()], "JVP")
    return Product("jvp", outputs, tuple(inputs), problem.point, tuple(tape.output_values),
                   vector, result)


def vjp(problem: Problem, cotangent: list) -> Product:
    """uᵀ·J by one adjoint sweep seeded with u on the outputs."""
    if (shaped := _shaped(problem, cotangent)) is not None:
        return shaped.vjp(problem, cotangent, _outputs(problem))
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
    check_finite([result.values()], "VJP")
    return Product("vjp", outputs, tuple(tape.inputs), problem.point,
                   tuple(tape.output_values), tuple(cotangent), result)
