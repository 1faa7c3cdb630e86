"""Recording over a chunk of points: every value a NumPy array, one element per point.

:func:`adcli.tape.record.record` is still the one interpreter; over a namespace
whose numbers are arrays (``m.elementwise``) it takes its step from here.  The
step differs from the scalar one where one point's answer cannot decide for
all: nothing raises (an undefined value is NaN in its own rows, found and
explained afterwards by :func:`row_errors`), a kink is a mask of the rows that
sit on it (those rows get the op's subgradient, the others its partials), and
a conditional evaluates both sides and selects per row, so it becomes an entry
whose partials are the selection itself (1 on the taken side, 0 on the other).
"""

from __future__ import annotations

from collections import namedtuple

from ..language.graph import CONST, IF, VAR, apply_boolean
from ..ops import OPS

#: The rows of a chunk that evaluated an op exactly at one of its kinks.
RowKink = namedtuple("RowKink", "entry op rows")


def emitter(graph, tape, m, partials: bool):
    """The step that evaluates one node over the chunk (see the module's docstring)."""
    np = m.np
    graph_nodes, constant = graph.nodes, graph.constant
    kinds, arg0, arg1 = graph.kinds, graph.arg0, graph.arg1
    val, entry_of = tape.node_values, tape.entry_of
    nodes, values, kinks, add = tape.nodes, tape.values, tape.kinks, tape.add_edge
    ops = getattr(m, "op_steps", None)
    if ops is None:  # once per namespace: a chunk of points records in about a millisecond
        ops = m.op_steps = {name: (op, getattr(m, name), op.partials, op.kink)
                            for name, op in OPS.items()}

    def partial(rule, out, xs, mask, sub):
        p = rule if rule.__class__ is int else rule(m, out, *xs)
        return p if mask is None else np.where(mask, sub, p)

    def enter(node, out):
        entry = entry_of[node] = len(nodes)
        nodes.append(node)
        values.append(out)
        return entry

    def emit(node: int) -> None:
        kind = kinds[node]
        spec = ops.get(kind)
        if spec is None:
            args = graph_nodes[node][1]
            if kind == CONST:
                val[node] = graph.number(node, m)
            elif kind == IF:
                test, a, b = (val[k] for k in args)
                out = val[node] = np.where(test, a, b)
                if not constant[node]:
                    entry = enter(node, out)
                    if partials:
                        for side, chosen in ((args[1], test), (args[2], ~test)):
                            if entry_of[side] >= 0:
                                add(entry, entry_of[side], np.where(chosen, 1.0, 0.0))
            else:  # comparison or logic: a value, never an entry
                val[node] = apply_boolean(kind, m, *[val[a] for a in args])
            return
        op, function, rules, kink = spec
        a, b = arg0[node], arg1[node]
        xs = (val[a],) if b < 0 else (val[a], val[b])
        out = val[node] = function(*xs)
        if constant[node]:
            return
        entry = enter(node, out)
        mask = None
        if kink is not None and not (a == b and op.idempotent):
            hit = np.asarray(kink(*xs))
            if hit.any():
                mask = hit
                kinks.append(RowKink(entry, op.name, hit))
        if partials:
            for k, source in enumerate((entry_of[a],) if b < 0 else (entry_of[a], entry_of[b])):
                if source >= 0:
                    add(entry, source, partial(rules[k], out, xs, mask,
                                               op.subgradient[k] if mask is not None else None))

    return emit


def row_errors(tape, failed, np) -> list:
    """For each failed row (an index array), why its value is not a number.

    The cause is propagated through the graph as a code per row (the first
    node that produced a non-number from numbers), following the branch each
    row took, so an undefined untaken side is never blamed.
    """
    graph = tape.graph
    val = tape.node_values
    code = {}
    sub = {}

    def rows(node):
        if node not in sub:
            v = val[node]
            sub[node] = v[failed] if getattr(v, "ndim", 0) else np.full(len(failed), v)
        return sub[node]

    zero = np.zeros(len(failed), dtype=np.int64)
    for node, (kind, args, _data) in enumerate(graph.nodes):
        if val[node] is None:
            continue
        inherited = zero
        for a in args:
            if a in code:
                inherited = np.where(inherited != 0, inherited, code[a])
        if kind == IF:
            test = rows(args[0]).astype(bool)
            chosen = np.where(test, code.get(args[1], zero), code.get(args[2], zero))
            own = np.where(code.get(args[0], zero) != 0, code.get(args[0], zero), chosen)
        elif kind in ("and", "or"):
            first = rows(args[0]).astype(bool)
            later = code.get(args[1], zero)
            decided = first if kind == "and" else ~first
            own = np.where(code.get(args[0], zero) != 0, code.get(args[0], zero),
                           np.where(decided, later, 0))
        elif kind in OPS or kind == VAR:
            here = ~np.isfinite(rows(node))
            own = np.where(inherited != 0, inherited, np.where(here, node + 1, 0))
        else:
            own = inherited
        if own.any():
            code[node] = own
    output = tape.graph.outputs[0] if tape.graph.outputs else tape.graph.output
    final = code.get(output, zero)
    return [_reason(tape, int(c) - 1, failed[k], np) if c else _not_finite_point(tape, failed[k])
            for k, c in enumerate(final)]


def _reason(tape, node: int, row: int, np) -> str:
    from .diagnosis import at_row

    kind, args, _data = tape.graph.nodes[node]
    if kind == VAR:
        return _not_finite_point(tape, row)
    op = OPS[kind]
    xs = [_element(tape.node_values[a], row) for a in args]
    where = at_row(tape, node)
    if all(x - x == 0 for x in xs) and not op.in_domain(*xs):
        return f"{op.title} is undefined {where}: it needs {op.domain[1]}"
    if all(x - x == 0 for x in xs):
        return f"{op.title} overflows the float range {where}"
    return f"{op.title} has no value {where}"


def _not_finite_point(tape, row: int) -> str:
    bad = [f"{name} = {_element(value, row)}" for name, value in tape.point.items()
           if not _element(value, row) - _element(value, row) == 0]
    return f"the point is not finite ({', '.join(bad)})" if bad else \
        "the formula's value is not finite"


def _element(value, row: int) -> float:
    return float(value[row]) if getattr(value, "ndim", 0) else float(value)
