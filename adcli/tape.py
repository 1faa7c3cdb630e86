"""Recording a graph at a point: the Wengert list that the sweeps walk.

The tape holds what actually executed, in order: inputs first (``v1..vn`` in
order of first appearance), then one entry per operation, with only the taken
branch of each conditional.  Constants are not entries; they stay inline.

While it records, the tape stores each entry's local partials as *edges*
``(entry, argument, partial)``.  Both sweeps are then single loops over the
edges — forward in order, reverse backwards — and no op's derivative is
written anywhere but in :mod:`adcli.ops`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .errors import MathError, UsageError
from .graph import CONST, IF, VAR, Graph, apply_boolean
from .namespaces import FLOAT
from .ops import OPS
from .pretty import format_node

_FLOAT_ERRORS = (ValueError, ZeroDivisionError, OverflowError)


@dataclass(frozen=True)
class Kink:
    """An entry evaluated exactly at a non-smooth point of its op."""

    entry: int
    op: str
    args: tuple
    subgradient: tuple


@dataclass(frozen=True)
class Branch:
    """A conditional decided while recording: which way, and whether on the boundary."""

    node: int
    taken: bool


@dataclass
class Tape:
    graph: Graph
    point: dict
    nodes: list = field(default_factory=list)       # graph node of each entry
    values: list = field(default_factory=list)      # value of each entry
    entry_of: list = field(default_factory=list)    # entry of each graph node, or -1
    node_values: list = field(default_factory=list)  # value of every evaluated node
    edge_out: list = field(default_factory=list)
    edge_arg: list = field(default_factory=list)
    edge_partial: list = field(default_factory=list)
    kinks: list = field(default_factory=list)
    branches: list = field(default_factory=list)
    output: int = -1                                 # entry of the output, -1 if constant
    value: object = None
    has_partials: bool = False

    @property
    def inputs(self) -> dict[str, int]:
        """Variable name -> entry; inputs are the first entries."""
        return {name: k for k, name in enumerate(self.graph.variables)}

    def __len__(self) -> int:
        return len(self.nodes)

    def row_name(self, entry: int) -> str:
        return f"v{entry + 1}"

    def describe(self, entry: int) -> str:
        """``v3 = sin(v2)``: the entry as the textbook writes it."""
        node = self.nodes[entry]
        expr = format_node(self.graph, node, self._name)
        return f"{self.row_name(entry)} = {expr}"

    def _name(self, node: int):
        entry = self.entry_of[node]
        return self.row_name(entry) if entry >= 0 else None


def record(graph: Graph, point: dict, m=FLOAT, partials: bool = True) -> Tape:
    """Evaluate ``graph`` at ``point`` in namespace ``m``, writing the tape."""
    missing = [name for name in graph.variables if name not in point]
    if missing:
        raise UsageError(f"no value for {', '.join(missing)}: give --at {missing[0]}=VALUE")
    n = len(graph)
    tape = Tape(graph, dict(point), entry_of=[-1] * n, node_values=[None] * n,
                has_partials=partials)
    val, entry_of = tape.node_values, tape.entry_of
    nodes, values = tape.nodes, tape.values
    for name, node in graph.variables.items():
        val[node] = point[name]
        entry_of[node] = len(nodes)
        nodes.append(node)
        values.append(point[name])
    emit = _emitter(graph, tape, m, partials)
    node = -1
    try:
        if graph.has_branches:
            _record_lazy(graph, tape, m, emit)
        else:
            kinds = graph.kinds
            for node in range(n):
                if kinds[node] != VAR:
                    emit(node)
    except _FLOAT_ERRORS as exc:
        raise _diagnose(tape, m, getattr(exc, "adcli_node", node), exc) from None
    out = graph.output
    tape.output = entry_of[out]
    tape.value = val[out]
    if m.raises:
        _check_finite(tape)
    return tape


def _emitter(graph: Graph, tape: Tape, m, partials: bool):
    """The step that evaluates one node; a closure, because it is the hot loop."""
    kinds, args, constant = graph.kinds, graph.args, graph.constant
    val, entry_of = tape.node_values, tape.entry_of
    nodes, values, kinks = tape.nodes, tape.values, tape.kinks
    out_edges, arg_edges, partial_edges = tape.edge_out, tape.edge_arg, tape.edge_partial
    checked = not m.raises

    def emit(node: int) -> None:
        kind = kinds[node]
        if kind == CONST:
            val[node] = graph.number(node, m)
            return
        op = OPS.get(kind)
        if op is None:  # comparison or logic: a value, never an entry
            val[node] = apply_boolean(kind, m, *[val[a] for a in args[node]])
            return
        xs = [val[a] for a in args[node]]
        if checked and not op.in_domain(*xs):
            raise ValueError(op.name)
        out = op.eval(m, *xs)
        if checked and not m.finite(out):
            raise OverflowError(op.name)
        val[node] = out
        if constant[node]:
            return
        entry = len(nodes)
        entry_of[node] = entry
        nodes.append(node)
        values.append(out)
        rules = op.partials
        if op.kink is not None and op.kink(*xs):
            rules = op.subgradient
            kinks.append(Kink(entry, op.name, tuple(xs), rules))
        if not partials:
            return
        for k, a in enumerate(args[node]):
            source = entry_of[a]
            if source >= 0:
                rule = rules[k]
                p = rule if rule.__class__ is int else rule(m, out, *xs)
                if checked and not m.finite(p):
                    raise ZeroDivisionError(op.name)
                out_edges.append(entry)
                arg_edges.append(source)
                partial_edges.append(p)

    return emit


def _record_lazy(graph: Graph, tape: Tape, m, emit) -> None:
    """Demand-driven, iterative: a condition first, then only the branch it picks.

    ``and``/``or`` short-circuit as in Python, so ``x > 0 and log(x) < 1``
    never evaluates ``log`` of a non-positive number.
    """
    kinds, args = graph.kinds, graph.args
    val, entry_of = tape.node_values, tape.entry_of
    done = bytearray(len(graph))
    for node in graph.variables.values():
        done[node] = 1
    chosen: dict[int, int] = {}
    stack = [graph.output]
    try:
        _walk(stack, done, chosen, kinds, args, val, entry_of, tape, emit)
    except _FLOAT_ERRORS as exc:
        exc.adcli_node = stack[-1]
        raise


def _walk(stack, done, chosen, kinds, args, val, entry_of, tape, emit) -> None:
    while stack:
        node = stack[-1]
        if done[node]:
            stack.pop()
            continue
        kind = kinds[node]
        lazy = kind == IF or kind == "and" or kind == "or"
        if not lazy:
            pending = [a for a in args[node] if not done[a]]
            if pending:
                stack.extend(reversed(pending))
                continue
            emit(node)
        else:
            first = args[node][0]
            if not done[first]:
                stack.append(first)
                continue
            pick = chosen.get(node)
            if pick is None:
                test = bool(val[first])
                if kind == IF:
                    pick = args[node][1] if test else args[node][2]
                    tape.branches.append(Branch(node, test))
                elif test == (kind == "or"):
                    pick = first  # short-circuit: the first operand decides
                else:
                    pick = args[node][1]
                chosen[node] = pick
                if not done[pick]:
                    stack.append(pick)
                    continue
            val[node] = val[pick]
            if kind == IF:
                entry_of[node] = entry_of[pick]
        done[node] = 1
        stack.pop()


def _where(tape: Tape, node: int) -> str:
    """``at row v3 = log(v2)``, or the constant expression itself."""
    graph = tape.graph
    if graph.constant[node]:
        return f"in the constant {format_node(graph, node)}"
    entry = len(tape.nodes) if tape.entry_of[node] < 0 else tape.entry_of[node]
    expr = format_node(graph, node, tape._name)
    return f"at row {tape.row_name(entry)} = {expr}"


def _arguments(tape: Tape, node: int) -> str:
    graph = tape.graph
    shown = []
    for a in graph.args[node]:
        if graph.constant[a]:
            continue
        shown.append(f"{tape._name(a)} = {_number(tape.node_values[a])}")
    return ", ".join(shown)


def _number(x) -> str:
    return repr(float(x)) if isinstance(x, (int, float)) else str(x)


def _diagnose(tape: Tape, m, node: int, exc: Exception) -> MathError:
    graph = tape.graph
    op = OPS[graph.kinds[node]]
    xs = [tape.node_values[a] for a in graph.args[node]]
    where = _where(tape, node)
    given = _arguments(tape, node)
    given = f" ({given})" if given else ""
    if tape.node_values[node] is not None:
        return MathError(f"the derivative of {op.name} is infinite or undefined {where}{given}")
    if not op.in_domain(*xs):
        return MathError(f"{op.name} is undefined {where}{given}: it needs {op.domain[1]}")
    if isinstance(exc, OverflowError):
        return MathError(f"{op.name} overflows the {m.name} range {where}{given}")
    return MathError(f"{op.name} has no real value {where}{given}")


def _check_finite(tape: Tape) -> None:
    """Silent float overflow (``1e308*10``) must not become a silent wrong answer."""
    isfinite = math.isfinite
    if isfinite(tape.value) and all(map(isfinite, tape.values)) \
            and all(map(isfinite, tape.edge_partial)):
        return
    for entry, v in enumerate(tape.values):
        if not isfinite(v):
            raise _diagnose_nonfinite(tape, tape.nodes[entry], "value")
    for entry, p in zip(tape.edge_out, tape.edge_partial):
        if not isfinite(p):
            raise _diagnose_nonfinite(tape, tape.nodes[entry], "derivative")
    raise MathError(f"the formula's value {tape.value!r} is not finite")


def _diagnose_nonfinite(tape: Tape, node: int, what: str) -> MathError:
    op = OPS[tape.graph.kinds[node]]
    given = _arguments(tape, node)
    given = f" ({given})" if given else ""
    return MathError(f"the {what} of {op.name} overflows the float range "
                     f"{_where(tape, node)}{given}")
