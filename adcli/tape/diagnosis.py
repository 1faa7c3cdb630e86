"""What went wrong where on a tape: math errors that name the row, the op and
its arguments' values (``log is undefined at row v3 = log(v2) (v2 = -1.0)``)."""

from __future__ import annotations

import math

from ..errors import MathError
from ..language.printer import format_node
from ..ops import OPS


def at_row(tape, node: int) -> str:
    """``at row v3 = log(v2)``, or the constant expression itself."""
    graph = tape.graph
    if graph.constant[node]:
        return f"in the constant {format_node(graph, node)}"
    entry = len(tape.nodes) if tape.entry_of[node] < 0 else tape.entry_of[node]
    expr = format_node(graph, node, tape._name)
    return f"at row {tape.row_name(entry)} = {expr}"


def _arguments(tape, node: int) -> str:
    """`` (v1 = -1.0)``: the non-constant arguments of a node and their values."""
    graph = tape.graph
    args = dict.fromkeys(a for a in graph.nodes[node][1] if not graph.constant[a])
    shown = [f"{tape._name(a)} = {_number(tape.value_of(a))}" for a in args]
    return f" ({', '.join(shown)})" if shown else ""


def _number(x) -> str:
    return repr(float(x)) if isinstance(x, (int, float)) else str(x)


def diagnose(tape, m, node: int, exc: Exception) -> MathError:
    graph = tape.graph
    kind, args, _data = graph.nodes[node]
    op = OPS[kind]
    xs = [tape.value_of(a) for a in args]
    where, given = at_row(tape, node), _arguments(tape, node)
    if not op.in_domain(*xs):
        return MathError(f"{op.title} is undefined {where}{given}: it needs {op.domain[1]}")
    if isinstance(exc, OverflowError):
        return MathError(f"{op.title} overflows the {m.name} range {where}{given}")
    return MathError(f"{op.title} has no real value {where}{given}")


def check_finite(tape, m) -> None:
    """Silent float overflow (``1e308*10``) must not become a silent wrong answer.

    The culprit is the first node, in graph order, whose value is not finite:
    a tape entry, or a constant part shown inline.
    """
    isfinite = m.finite
    if all(map(isfinite, tape.output_values)) and all(map(isfinite, tape.values)):
        return
    graph = tape.graph
    for node, value in enumerate(tape.node_values):
        kind = graph.nodes[node][0]
        if kind in OPS and value is not None and not isfinite(value):
            raise MathError(f"{OPS[kind].title} overflows the float range "
                            f"{at_row(tape, node)}{_arguments(tape, node)}")
    raise MathError(f"the formula's value {tape.value!r} is not finite")


def derivative_error(tape, flows) -> MathError:
    """The error for a requested derivative that is not finite.

    ``flows(out, arg)`` tells whether derivative information moved along an
    edge in the sweep that failed; the first such edge with an undefined or
    infinite partial is the culprit.
    """
    isfinite = math.isfinite
    for out, arg, p in tape.edge_triples():
        if not isfinite(p) and flows(out, arg):
            node = tape.nodes[out]
            op = OPS[tape.graph.nodes[node][0]]
            return MathError(f"the derivative of {op.title} is infinite or undefined "
                             f"{at_row(tape, node)}{_arguments(tape, node)}")
    return MathError("the derivative overflows the float range")
