"""Recording a graph at a point: the Wengert list that the sweeps walk.

The tape holds what actually executed, in order: inputs first (``v1..vn`` in
order of first appearance), then one entry per operation, with only the taken
branch of each conditional.  Constants are not entries; they stay inline.

While it records, the tape stores each entry's local partials as *edges*
``(entry, argument, partial)``.  Both sweeps are then single loops over the
edges — forward in order, reverse backwards — and no op's derivative is
written anywhere but in :mod:`adcli.ops`.  A tape of Python floats keeps its
numbers in typed arrays (8 bytes a value or partial, 4 an index) rather than
as objects in lists: reverse mode's price is its stored values, and a list
would pay 32 bytes for each 8-byte float.  Values must exist (an error is
raised at once); an undefined local partial becomes NaN on its edge and is
reported only if a requested derivative depends on it.
"""

from __future__ import annotations

import math
from array import array
from collections import namedtuple
from contextlib import nullcontext

from ..errors import UsageError
from ..language.graph import CONST, IF, VAR, Graph, apply_boolean, gc_paused
from ..ops.namespaces import FLOAT
from ..ops import OPS
from ..language.printer import format_node
from .diagnosis import check_finite, diagnose

_FLOAT_ERRORS = (ValueError, ZeroDivisionError, OverflowError)

#: A local partial with no finite value (``sqrt`` at 0).  It is kept, not
#: raised: it is an error only if a requested derivative flows through it,
#: which the sweeps find out (see :func:`derivative_error`).
_UNDEFINED = math.nan


#: An entry evaluated exactly at a non-smooth point of its op.
Kink = namedtuple("Kink", "entry op args subgradient")

#: A conditional decided while recording, and which way it went.
Branch = namedtuple("Branch", "node taken")


class Tape:
    """The Wengert list of one formula at one point.

    ``nodes[i]`` is the graph node of entry ``i`` and ``values[i]`` its value;
    ``entry_of`` maps graph nodes back (-1: constant or not executed).  The
    edges are three parallel sequences, one item per edge in execution order:
    ``edge_out`` (the entry), ``edge_arg`` (an argument entry it reads) and
    ``partials``.  ``typed``: values and partials are floats, kept in
    ``array("d")``; any other number (mpmath, series, arrays) stays in a list.
    ``node_values`` is the recorder's value of every graph node; a typed tape
    keeps there only what is not an entry (constants, conditions): read a
    node's value with :meth:`value_of`.
    """

    __slots__ = ("graph", "point", "nodes", "values", "entry_of", "node_values", "edge_out",
                 "edge_arg", "partials", "kinks", "branches", "output", "value", "outputs",
                 "output_values")

    def __init__(self, graph: Graph, point: dict, typed: bool = False):
        n = len(graph)
        self.graph, self.point = graph, dict(point)
        self.nodes = array("i")
        self.values = array("d") if typed else []
        self.entry_of = array("i", [-1]) * n
        self.node_values: list = [None] * n
        self.edge_out, self.edge_arg = array("i"), array("i")
        self.partials = array("d") if typed else []
        self.kinks: list[Kink] = []
        self.branches: list[Branch] = []
        self.output = -1          # entry of the output; -1 when the formula is constant
        self.value = None
        self.outputs: list[int] = []        # every output's entry (vector formulas)
        self.output_values: list = []

    @property
    def inputs(self) -> dict[str, int]:
        """Variable name -> entry; inputs are the first entries."""
        return {name: k for k, name in enumerate(self.graph.variables)}

    def __len__(self) -> int:
        return len(self.nodes)

    @property
    def edge_count(self) -> int:
        return len(self.edge_out)

    def edge_triples(self):
        """``(out, arg, partial)`` for every edge, in execution order."""
        return zip(self.edge_out, self.edge_arg, self.partials)

    def edges_backwards(self, start: int = 0, stop: int | None = None):
        """``(partial, arg, out)`` for every edge (or those numbered ``start`` to
        ``stop``), last first: the adjoint sweep's order."""
        if start == 0 and stop is None:
            return zip(reversed(self.partials), reversed(self.edge_arg),
                       reversed(self.edge_out))
        return zip(reversed(self.partials[start:stop]), reversed(self.edge_arg[start:stop]),
                   reversed(self.edge_out[start:stop]))

    def add_edge(self, out: int, arg: int, partial) -> None:
        self.edge_out.append(out)
        self.edge_arg.append(arg)
        self.partials.append(partial)

    @property
    def stored_bytes(self) -> int:
        """The bytes of the values reverse mode keeps: 8 a float, an array its own."""
        values = self.values
        if values.__class__ is array:
            return values.itemsize * len(values)
        return sum(getattr(v, "nbytes", 8) for v in values)

    def value_of(self, node: int):
        """The value of graph node ``node`` at this point (an entry's from the tape)."""
        entry = self.entry_of[node]
        return self.values[entry] if entry >= 0 else self.node_values[node]

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


def record(graph: Graph, point: dict, m=FLOAT, partials: bool = True,
           branches: str = "taken") -> Tape:
    """Evaluate ``graph`` at ``point`` in namespace ``m``, writing the tape.

    This is adcli's one interpreter: the same loop records floats, mpmath
    numbers, Taylor series, the nodes of a new graph (second order) and SymPy
    expressions, each by the namespace it is given.  ``branches="all"``
    evaluates both sides of every conditional through ``m.where`` (SymPy's
    ``Piecewise``); otherwise only the branch taken is evaluated.
    """
    missing = [name for name in graph.variables if name not in point]
    if missing:
        raise UsageError(f"no value for {', '.join(missing)}: give --at {missing[0]}=VALUE")
    if not getattr(m, "elementwise", False) and (graph.shaped or any(
            hasattr(v, "shape") for v in point.values())):
        raise UsageError("vectors and matrices are not taken here yet: diff (reverse, "
                         "forward or numerical mode, no --order or --precision), tape, graph, "
                         "jacobian, jvp and vjp take them")
    typed = m is FLOAT
    tape = Tape(graph, point, typed)
    val, entry_of = tape.node_values, tape.entry_of
    nodes, values = tape.nodes, tape.values
    for name, node in graph.variables.items():
        val[node] = point[name]
        entry_of[node] = len(nodes)
        nodes.append(node)
        values.append(point[name])
    quiet = nullcontext()
    if getattr(m, "elementwise", False):  # a chunk of points: see .elementwise
        from .elementwise import emitter

        emit, branches, quiet = emitter(graph, tape, m, partials), "all", m.quiet()
    else:
        emit = _emitter(graph, tape, m, partials)
    node = -1
    try:
        with gc_paused(), quiet:
            if graph.has_branches and branches == "taken":
                _record_lazy(graph, tape, emit)
            else:
                for node, kind in enumerate(graph.kinds):
                    if kind != VAR:
                        emit(node)
    except _FLOAT_ERRORS as exc:
        raise diagnose(tape, m, getattr(exc, "adcli_node", node), exc) from None
    outputs = graph.outputs or [graph.output]
    tape.outputs = [entry_of[o] for o in outputs]
    tape.output_values = [val[o] for o in outputs]
    tape.output, tape.value = tape.outputs[0], tape.output_values[0]
    if m.raises:
        check_finite(tape, m)
    if typed:  # its numbers live on in tape.values: the recorder's objects can go
        for node in tape.nodes:
            val[node] = None
    return tape


def _checked(op, function, m):
    """The op's function and partials, refusing, as :data:`FLOAT` does, what
    namespaces like mpmath would answer with complex numbers or infinities."""
    finite = m.finite

    def checked_function(*xs):
        if not op.in_domain(*xs):
            raise ValueError(op.name)
        out = function(*xs)
        if not finite(out):
            raise OverflowError(op.name)
        return out

    def checked(rule):
        if rule.__class__ is int:
            return rule

        def checked_rule(m, out, *xs):
            p = rule(m, out, *xs)
            if not finite(p):
                raise ZeroDivisionError(op.name)
            return p
        return checked_rule

    return checked_function, tuple(map(checked, op.partials))


def _emitter(graph: Graph, tape: Tape, m, partials: bool):
    """The step that evaluates one node; a closure, because it is the hot loop.

    Ops have one or two arguments (``max(a, b, c)`` is folded by the parser),
    and both cases are written out to keep the loop free of lists and zips.
    A namespace that raises on its own (floats) is used as it is; one that
    answers NaN or complex numbers (mpmath, NumPy) is checked op by op; one
    without numbers (SymPy) is not checked.
    """
    graph_nodes, constant = graph.nodes, graph.constant
    kinds, arg0, arg1 = graph.kinds, graph.arg0, graph.arg1
    val, entry_of = tape.node_values, tape.entry_of
    nodes, values, kinks = tape.nodes, tape.values, tape.kinks
    add_out, add_arg, add_partial = (tape.edge_out.append, tape.edge_arg.append,
                                     tape.partials.append)
    check = not m.raises and getattr(m, "finite", None) is not None
    ops = {}
    for name, op in OPS.items():
        function = getattr(m, name, None)
        function, rules = _checked(op, function, m) if check else (function, op.partials)
        ops[name] = (op, function, rules, op.kink)

    def emit(node: int) -> None:
        kind = kinds[node]
        spec = ops.get(kind)
        if spec is None:
            args = graph_nodes[node][1]
            if kind == CONST:
                val[node] = graph.number(node, m)
            elif kind == IF:  # every branch evaluated (branches="all")
                val[node] = m.where(*[val[a] for a in args])
            else:  # comparison or logic: a value, never an entry
                val[node] = apply_boolean(kind, m, *[val[a] for a in args])
            return
        op, function, rules, kink = spec
        a, b = arg0[node], arg1[node]
        if b < 0:
            x = val[a]
            out = val[node] = function(x)
            if constant[node]:
                return
            entry = entry_of[node] = len(nodes)
            nodes.append(node)
            values.append(out)
            if kink is not None and kink(x):
                rules = op.subgradient
                kinks.append(Kink(entry, op.name, (x,), rules))
            source = entry_of[a]  # -1 when a conditional chose a constant
            if partials and source >= 0:
                rule = rules[0]
                try:
                    p = rule if rule.__class__ is int else rule(m, out, x)
                except _FLOAT_ERRORS:
                    p = _UNDEFINED
                add_out(entry)
                add_arg(source)
                add_partial(p)
            return
        x, y = val[a], val[b]
        out = val[node] = function(x, y)
        if constant[node]:
            return
        entry = entry_of[node] = len(nodes)
        nodes.append(node)
        values.append(out)
        if kink is not None and kink(x, y) and not (a == b and op.idempotent):
            rules = op.subgradient
            kinks.append(Kink(entry, op.name, (x, y), rules))
        if partials:
            rule_x, rule_y = rules
            source_x, source_y = entry_of[a], entry_of[b]
            if source_x >= 0:
                try:
                    p = rule_x if rule_x.__class__ is int else rule_x(m, out, x, y)
                except _FLOAT_ERRORS:
                    p = _UNDEFINED
                add_out(entry)
                add_arg(source_x)
                add_partial(p)
            if source_y >= 0:
                try:
                    p = rule_y if rule_y.__class__ is int else rule_y(m, out, x, y)
                except _FLOAT_ERRORS:
                    p = _UNDEFINED
                add_out(entry)
                add_arg(source_y)
                add_partial(p)

    return emit


def _record_lazy(graph: Graph, tape: Tape, emit) -> None:
    """Demand-driven, iterative: a condition first, then only the branch it picks.

    ``and``/``or`` short-circuit as in Python, so ``x > 0 and log(x) < 1``
    never evaluates ``log`` of a non-positive number.
    """
    nodes = graph.nodes
    val, entry_of = tape.node_values, tape.entry_of
    done = bytearray(len(graph))
    for node in graph.variables.values():
        done[node] = 1
    chosen: dict[int, int] = {}
    stack = list(reversed(graph.outputs or [graph.output]))
    try:
        while stack:
            node = stack[-1]
            if done[node]:
                stack.pop()
                continue
            kind, args, _data = nodes[node]
            if kind != IF and kind != "and" and kind != "or":
                pending = [a for a in args if not done[a]]
                if pending:
                    stack.extend(reversed(pending))
                    continue
                emit(node)
            else:
                first = args[0]
                if not done[first]:
                    stack.append(first)
                    continue
                pick = chosen.get(node)
                if pick is None:
                    test = bool(val[first])
                    if kind == IF:
                        pick = args[1] if test else args[2]
                        tape.branches.append(Branch(node, test))
                    elif test == (kind == "or"):
                        pick = first  # short-circuit: the first operand decides
                    else:
                        pick = args[1]
                    chosen[node] = pick
                    if not done[pick]:
                        stack.append(pick)
                        continue
                val[node] = val[pick]
                if kind == IF:
                    entry_of[node] = entry_of[pick]
            done[node] = 1
            stack.pop()
    except _FLOAT_ERRORS as exc:
        exc.adcli_node = stack[-1]
        raise
