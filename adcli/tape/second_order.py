"""The reverse sweep recorded as a graph, so that it can be differentiated again.

Replaying the tape and its adjoint sweep over a namespace whose "numbers" are
graph nodes turns the op table's own partials into graph nodes: the result
is a graph whose outputs are the gradient.  A tangent sweep through that graph
is forward-over-reverse: one sweep gives a Hessian-vector product, n sweeps
the Hessian -- with no second-derivative rule written anywhere.

The replay follows the branches the tape took, so the graph is the gradient
near the recorded point, which is where second derivatives are asked for.
"""

from __future__ import annotations

from types import SimpleNamespace

from ..language.graph import CONST, IF, VAR, Graph
from ..ops.namespaces import FUNCTIONS
from .record import Tape


class _Node:
    """A graph node that arithmetic and comparisons extend with new nodes."""

    __slots__ = ("g", "id")

    def __init__(self, g: Graph, node: int):
        self.g, self.id = g, node

    def _op(self, kind, *others):
        return _Node(self.g, self.g.add(kind, tuple(_id(self.g, o) for o in others)))

    def __add__(self, o): return self._op("add", self, o)
    def __radd__(self, o): return self._op("add", o, self)
    def __sub__(self, o): return self._op("sub", self, o)
    def __rsub__(self, o): return self._op("sub", o, self)
    def __mul__(self, o): return self._op("mul", self, o)
    def __rmul__(self, o): return self._op("mul", o, self)
    def __truediv__(self, o): return self._op("div", self, o)
    def __rtruediv__(self, o): return self._op("div", o, self)
    def __pow__(self, o): return self._op("pow", self, o)
    def __neg__(self): return self._op("neg", self)
    def __lt__(self, o): return self._op("lt", self, o)
    def __le__(self, o): return self._op("le", self, o)
    def __gt__(self, o): return self._op("gt", self, o)
    def __ge__(self, o): return self._op("ge", self, o)
    def __eq__(self, o): return self._op("eq", self, o)  # noqa: D105 (a node, not a bool)
    __hash__ = None


def _id(g: Graph, value) -> int:
    if isinstance(value, _Node):
        return value.id
    return g.add(CONST, (), repr(float(value)) if isinstance(value, float) else str(value))


def _namespace(g: Graph) -> SimpleNamespace:
    """The math namespace over graph nodes: each function adds the op it names."""
    def op(kind):
        return lambda *args: _Node(g, g.add(kind, tuple(_id(g, a) for a in args)))

    def where(cond, a, b):
        if isinstance(cond, bool):
            return a if cond else b
        return _Node(g, g.add(IF, (_id(g, cond), _id(g, a), _id(g, b))))

    functions = {name: op(name) for name in FUNCTIONS
                 if name not in ("where", "iszero", "both", "either", "negate", "maximum",
                                 "minimum")}
    return SimpleNamespace(
        name="graph", raises=True, **functions,
        pi=_Node(g, g.add(CONST, (), "pi")), e=_Node(g, g.add(CONST, (), "e")),
        where=where, iszero=lambda v: where(v == 0, 1, 0),
        maximum=op("max"), minimum=op("min"))


def gradient_graph(tape: Tape) -> tuple[Graph, list[int]]:
    """A graph of the tape's forward and reverse sweeps; returns it and the gradient
    node of each input (in the order of ``tape.inputs``)."""
    from ..ops import OPS

    old, g = tape.graph, Graph()
    m = _namespace(g)
    node_of: list = [None] * len(tape)
    for name, entry in tape.inputs.items():
        node_of[entry] = _Node(g, g.add(VAR, (), name))

    def ref(a):
        entry = tape.entry_of[a]
        if entry >= 0:
            return node_of[entry]
        return _Node(g, _id(g, float(tape.node_values[a])))

    kinks = {k.entry: k.subgradient for k in tape.kinks}
    partials: dict = {}
    for entry in range(len(tape.inputs), len(tape)):
        kind, args, _data = old.nodes[tape.nodes[entry]]
        op = OPS[kind]
        xs = [ref(a) for a in args]
        out = node_of[entry] = _Node(g, g.add(kind, tuple(x.id for x in xs)))
        rules = kinks.get(entry, op.partials)
        partials[entry] = [(tape.entry_of[a], rule if rule.__class__ is int
                            else rule(m, out, *xs))
                           for rule, a in zip(rules, args) if tape.entry_of[a] >= 0]
    bar: list = [None] * len(tape)
    if tape.output >= 0:
        bar[tape.output] = 1
    for entry in range(len(tape) - 1, len(tape.inputs) - 1, -1):
        flow = bar[entry]
        if flow is None:
            continue
        for arg, p in partials[entry]:
            if isinstance(p, int) and p == 0:
                continue
            term = flow * p if not (isinstance(p, int) and p == 1) else flow
            bar[arg] = term if bar[arg] is None else bar[arg] + term
    gradient = [_id(g, bar[entry] if bar[entry] is not None else 0)
                for entry in tape.inputs.values()]
    g.outputs = gradient
    g.output = gradient[0] if gradient else _id(g, 0)
    return g, gradient


def nested_derivatives(graph: Graph, point: dict, name: str, order: int):
    """f', f'', ... by differentiating the recorded derivative again, ``order`` times.

    Yields ``(k, tape entries of the k-th derivative, its value)``: the work of
    nested AD, which multiplies with every level (Taylor mode's does not).
    """
    from .record import record

    tape = record(graph, point)
    for k in range(1, order + 1):
        graph, gradient = gradient_graph(tape)
        graph.output = gradient[list(tape.inputs).index(name)]
        graph.outputs = [graph.output]
        tape = record(graph, point)
        yield k, len(tape), tape.value
