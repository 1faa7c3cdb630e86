"""The computational graph of a formula, laid out once for every drawing and table.

A course draws ``f(x) = sin(x**2) + exp(x)`` as boxes and arrows before it
writes a tape; :func:`graph_view` makes that picture from the same graph and
tape the sweeps use, so what is drawn is what is computed:

* without a point, the *formula*: one box per non-constant node, which is
  where hash-consing shows (``sin(x)*sin(x)`` has one ``sin`` with two arrows
  into ``*``); constant parts are written into the box that uses them
  (``·^2``), as the tape shows them inline, not drawn as boxes of their own;
* at a point, the *evaluation*: only what executed (the taken branch of a
  conditional), each box a tape row ``v3 = sin(v2)`` with its value and
  adjoint, each arrow the local partial and ``v̄·∂`` -- what the reverse sweep
  sends along it.

Every walk is a loop over node or entry indices (arguments always have
smaller indices), so a formula nested ten thousand deep lays out without
recursion.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..backends.shaped import is_shaped
from ..errors import UsageError
from ..language.graph import CONST, FORMS, IF, VAR, Graph
from ..language.printer import format_node
from ..records.formula import Formula, latex_name
from ..ops import ATOM, OPS
from ..ops.linear import Linear
from ..programs import ProgramFile
from ..records.graph_view import GraphEdge, GraphNode, GraphView

#: Where the formula has a non-constant argument, when the box shows a template.
HOLE = "\u00b7"                 # ·
#: Structural kinds whose arguments may be swapped (ops say so themselves:
#: ``Op.commutative``): their arrows need no names.
SYMMETRIC = frozenset({"eq", "ne", "and", "or"})


def graph_view(expression: str, at: Iterable[str] = (), digits: int | None = None
               ) -> GraphView:
    """The graph of ``expression``; with a point ``at``, its evaluation there."""
    if digits is not None and not 1 <= digits <= 17:
        raise UsageError(f"--digits {digits}: give 1 to 17")
    if not at:
        if isinstance(expression, ProgramFile):
            raise UsageError("a program is traced at a point: give --at")
        if expression is None:
            raise UsageError("give a formula EXPR, or a program: --program FILE.py:FUNCTION")
        from ..language.parser import parse

        nodes, edges = formula_layout(parse(expression))
        return GraphView(expression, {}, nodes, edges, (), digits)
    from ..api import problem
    from ..backends.reverse import adjoints
    from ..tape.record import record

    request = problem(expression, at)
    if is_shaped(request):
        return shaped_graph(request, digits)
    tape = record(request.graph, request.point)
    bar = adjoints(tape, {tape.output: 1.0}) if tape.output >= 0 else None
    nodes, edges, unused = tape_layout(request.graph, tape, bar)
    return GraphView(request.text, dict(request.point), nodes, edges, unused, digits)


def shaped_graph(request, digits: int | None = None) -> GraphView:
    """The evaluation of a formula of vectors and matrices: each box labelled with
    its value's shape; an arrow carries what the adjoint sweep sends back along
    it (a structural op's partial is a linear map, not a number: not shown)."""
    import numpy as np

    from ..ops.linear import unbroadcast
    from ..ops.namespaces import numpy_math
    from ..tape.record import record
    from ..tape.sweeps import adjoints_columns

    tape = record(request.graph, request.point, numpy_math())
    bar = None
    if tape.output >= 0:
        bar = [np.zeros(np.shape(v)) if b is None else
               np.broadcast_to(b, np.shape(v)).astype(float) if np.shape(b) != np.shape(v)
               else b for b, v in zip(adjoints_columns(tape, {tape.output: 1.0}, np),
                                      tape.values)]

    def carry(entry, source, p):
        if p.__class__ is Linear:
            return p.adjoint(bar[entry])
        return unbroadcast(np, bar[entry] * p, np.shape(tape.values[source]))

    nodes, edges, unused = tape_layout(request.graph, tape, bar, carry)
    return GraphView(request.text, dict(request.point), nodes, edges, unused, digits)


def _short(kind: str) -> str:
    """What a box shows when every argument is drawn: ``sin``, ``+``, ``<``."""
    op = OPS.get(kind)
    if kind == IF or kind == "not":
        return kind
    if op is not None and op.arity == 1 and op.prec != ATOM:
        return op.name                      # "neg": a bare "-" would read as "sub"
    if op is not None and op.prec == ATOM:
        return op.title                     # logb is "log" to a user
    template = op.pretty if op is not None else FORMS[kind][0]
    return template.format("", "").strip()


def _template(graph: Graph, node: int, constants: dict) -> tuple[str, list]:
    """A box's label and the names of its arrows, by argument slot.

    Constant arguments are written in (``·^2``, ``2*·``); with several drawn
    arguments of an order-sensitive op the holes get letters (``a - b``), and
    the arrows the same letters, so the picture says which is which.
    """
    kind, args, _data = graph.nodes[node]
    constant = graph.constant
    drawn = [k for k, a in enumerate(args) if not constant[a]]
    op = OPS.get(kind)
    if len(drawn) == len(args) and (len(args) == 1 or kind in SYMMETRIC
                                    or (op is not None and op.commutative)):
        return _short(kind), [None] * len(args)
    template, prec = (op.pretty, op.prec) if op is not None else FORMS[kind]
    letters = iter("abc" if len(drawn) > 1 else HOLE * 3)
    parts, slots = [], []
    for a in args:
        if constant[a]:
            text = constants.get(a)
            if text is None:
                text = constants[a] = format_node(graph, a)
            if prec != ATOM and graph.nodes[a][0] != CONST:
                text = f"({text})"
            parts.append(text)
            slots.append(None)
        else:
            parts.append(next(letters))
            slots.append(parts[-1] if len(drawn) > 1 else None)
    return template.format(*parts), slots


def _kept(out: int, sources) -> dict:
    """Index -> position of everything the output reads, in topological order."""
    keep = bytearray(out + 1)
    keep[out] = 1
    for j in range(out, -1, -1):
        if keep[j]:
            for a in sources(j):
                keep[a] = 1
    index = {}
    for j in range(out + 1):
        if keep[j]:
            index[j] = len(index)
    return index


def _definition(graph: Graph, node: int, name: str, label) -> Formula:
    """``v3 = sin(v2)`` in text and in LaTeX, arguments named by ``label``."""
    def latex_label(j):
        text = label(j)
        return None if text is None else latex_name(text)

    return Formula(f"{name} = {format_node(graph, node, label)}",
                   f"{latex_name(name)} = {format_node(graph, node, latex_label, latex=True)}")


def formula_layout(graph: Graph) -> tuple[tuple, tuple]:
    """Boxes and arrows of the formula, constants written into their consumers."""
    nodes, constant, out = graph.nodes, graph.constant, graph.output
    if constant[out]:
        text = format_node(graph, out)
        return (GraphNode("n0", text, f"n0 = {text}", is_output=True),), ()
    index = _kept(out, lambda j: [a for a in nodes[j][1] if not constant[a]])
    names = {j: f"n{i}" for j, i in index.items()}
    constants: dict[int, str] = {}
    boxes, arrows = [], []
    for j, i in index.items():
        kind, args, data = nodes[j]
        formula = _definition(graph, j, names[j], names.get)
        if kind == VAR:
            boxes.append(GraphNode(names[j], str(data), formula, is_input=True,
                                   is_output=j == out))
            continue
        label, slots = _template(graph, j, constants)
        boxes.append(GraphNode(names[j], label, formula, is_output=j == out))
        for a, slot in zip(args, slots):
            if not constant[a]:
                arrows.append(GraphEdge(index[a], i, slot))
    return tuple(boxes), tuple(arrows)


def tape_layout(graph: Graph, tape, adjoint=None, carry=None) -> tuple[tuple, tuple, tuple]:
    """Boxes and arrows of what executed, and the tape rows the output does not read.

    ``carry(entry, source, partial)``: what the sweep sends from ``entry`` back to
    ``source`` when values have shapes (then each box is labelled with its shape)."""
    entries, entry_of, out = tape.nodes, tape.entry_of, tape.output
    if out < 0:  # a constant formula, or a conditional that chose a constant
        box = GraphNode("output", "output (constant here)", "output (constant here)",
                        tape.value, is_output=True)
        return (box,), (), tuple(tape.row_name(e) for e in range(len(tape)))
    # Arguments of each entry, from the graph (an `if` argument is the entry of
    # its taken branch); the partials, from the tape's edges, in the same order.
    sources = [[e for e in (entry_of[a] for a in graph.nodes[node][1]) if e >= 0]
               for node in entries]
    partials: list[list] = [[] for _ in entries]
    for target, source, p in tape.edge_triples():
        if source >= 0:  # a unary op of a branch that chose a constant: see report
            partials[target].append((source, p))
    index = _kept(out, sources.__getitem__)
    bar = adjoint
    boxes, arrows = [], []
    for e, i in index.items():
        row = tape.describe(e)
        definition = _definition(graph, entries[e], tape.row_name(e), tape._name)
        shape = tuple(getattr(tape.values[e], "shape", ())) if carry is not None else None
        if shape:
            row += f" : {'×'.join(map(str, shape))}"
        boxes.append(GraphNode(tape.row_name(e), row, definition, tape.values[e],
                               None if bar is None else bar[e],
                               is_input=graph.nodes[entries[e]][0] == VAR,
                               is_output=e == out, shape=shape))
        known = [p for _s, p in partials[e]] \
            if [s for s, _p in partials[e]] == sources[e] else [None] * len(sources[e])
        for s, p in zip(sources[e], known):
            flow = None
            if carry is not None:
                flow = None if bar is None or p is None else carry(e, s, p)
                p = None if p.__class__ is Linear else p  # a map, not a number
            elif bar is not None and p is not None:
                # as the sweep does it: zero times an undefined partial is zero
                flow = bar[e] * p if bar[e] and p else 0.0
            arrows.append(GraphEdge(index[s], i, None, p, flow))
    unused = tuple(tape.row_name(e) for e in range(len(tape)) if e > out or e not in index)
    return tuple(boxes), tuple(arrows), unused
