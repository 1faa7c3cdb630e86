"""Hessians and Hessian-vector products over a chunk of points: forward over reverse.

At one point the reverse sweep is recorded as a graph (traced numbers, see
:mod:`adcli.tape.second_order`) and swept forward.  That graph is the same
at every point except where the tracer decided something on the values (a
branch, a kink, a partial's own zero test): so it is traced at one row, the
decisions it made are kept, and it is recorded once over the whole chunk
with arrays as values.  The rows where every decision comes out the same get
their numbers from that recording's tangent sweeps; the others are traced
again at their first row (one trace per distinct pattern of decisions, at
most :data:`PATTERNS`), and what is left runs point by point through the
one-point study.  The value, gradient, failed rows and kink warnings are
``adcli diff``'s over points (:func:`.columns.differentiate_columns`).
"""

from __future__ import annotations

import operator

from ..errors import MathError
from .columns import _all_finite, _full, _point, differentiate_columns
from .columns_vector import layout_of, result

#: Decision patterns traced per chunk before the rows left run point by point.
PATTERNS = 8


def hessian_columns(graph, columns: dict, fixed: dict | None = None, wrt=None,
                    text: str = "") -> object:
    """Value, gradient and Hessian (over ``wrt``) at every row."""
    return _second("hessian", graph, columns, fixed, wrt, None, text)


def hvp_columns(graph, columns: dict, fixed: dict | None = None,
                vector: dict | None = None, text: str = "") -> object:
    """H·v at every row, ``vector`` by name over every variable (others 0)."""
    from ..language.points import vector_over

    return _second("hvp", graph, columns, fixed, None,
                   vector_over(vector or {}, list(graph.variables), "--vector"), text)


def _second(kind, graph, columns, fixed, wrt, vector, text):
    import numpy as np

    names = tuple(graph.variables)
    wrt = names if wrt is None else tuple(wrt)
    point, n = _point(graph, columns, fixed or {}, np)
    first = differentiate_columns(graph, point, None, names if kind == "hvp" else wrt,
                                  "reverse")
    errors = list(first.errors)
    if kind == "hessian":
        from ..tape.sweeps import check_sweeps

        check_sweeps(len(wrt), 3 * len(graph), "the Hessian of each point (forward over "
                     "reverse; the recorded reverse sweep is about 3 times the formula)",
                     "choose fewer variables with --wrt, or hvp for one product")
        seeds = {b: {b: 1.0} for b in wrt}
        picks = [names.index(a) for a in wrt]
    else:
        seeds = {"v": {k: v for k, v in vector.items() if v}}
        picks = list(range(len(names)))
    # entries[s][i]: output i of the tangent sweep seeded with seeds[s]
    entries = {s: [np.full(n, np.nan) for _ in picks] for s in seeds}
    left = np.flatnonzero([e is None for e in errors])
    alone, traced = [], 0
    with np.errstate(all="ignore"):
        while len(left) and traced < PATTERNS:
            rest, bad = _pattern(graph, point, left, names, seeds, picks, entries, np)
            traced += 1
            if rest is None:  # the first row cannot be traced: one point by itself
                alone.append(int(left[0]))
                left = left[1:]
                continue
            alone += bad
            left = rest
    alone += left.tolist()
    cost = {"mode": "forward-over-reverse", "traced": traced, "pointwise": len(alone)}
    for row in alone:
        numbers, why = _at_one_point(kind, graph, point, row, wrt, vector, text)
        if why is not None:
            errors[row] = why
            continue
        for s, column in enumerate(seeds):
            for i in range(len(picks)):
                entries[column][i][row] = numbers[s][i]
    if kind == "hessian":
        matrix = [[entries[b][i] for b in wrt] for i in range(len(picks))]
        numbers = {"value": first.value, "gradient": first.gradient, "hessian": matrix}
    else:
        numbers = {"value": [first.value], "hvp": dict(zip(names, entries["v"]))}
    return result(kind, layout_of(kind, (), wrt if kind == "hessian" else names), numbers,
                  errors, first.warnings, cost)


def _pattern(graph, point, left, names, seeds, picks, entries, np):
    """Trace at the first row of ``left``, record over all of ``left``; fill the rows
    that decide as it did; return the rows that decide otherwise, and those
    whose second derivative is not a number (the one-point study says why)."""
    from ..ops.namespaces import numpy_math
    from ..tape.record import record
    from ..tape.sweeps import tangents_columns

    at = {k: float(point[k][left[0]]) for k in names}
    try:
        second, decided = gradient_graph(graph, at)
    except MathError:
        return None, left
    sub = {k: point[k][left] for k in names}
    tape = record(second, sub, numpy_math())
    size = len(left)
    same = np.ones(size, dtype=bool)
    values = tape.node_values
    for kind, a, b, taken in decided:
        same &= np.broadcast_to(getattr(operator, kind)(values[a], values[b]) == taken,
                                (size,))
    same[0] = True
    outs = [tape.outputs[i] for i in picks]
    for s, seed in seeds.items():
        start = {tape.inputs[k]: v for k, v in seed.items()}

        def sweep(safe):
            dot = tangents_columns(tape, start, np, safe)
            return [_full(dot[e] if e >= 0 else None, size, np)[same] for e in outs]
        column = sweep(False)
        if not _all_finite(column, np):
            column = sweep(True)
        for i, c in enumerate(column):
            entries[s][i][left[same]] = c
    bad = np.zeros(size, dtype=bool)
    for v in tape.values:  # at one point a value that is not a number refuses the point
        bad |= ~np.isfinite(v)
    for s in seeds:
        for column in entries[s]:
            bad |= ~np.isfinite(column[left])
    return left[~same], left[same & bad].tolist()


def gradient_graph(graph, at: dict):
    """:func:`adcli.tape.second_order.gradient_graph` at ``at``, and the decisions
    the trace made: ``(comparison, node, node, taken)`` in the new graph."""
    from ..programs.trace import Tracer, namespace
    from ..tape.record import record
    from ..tape.sweeps import adjoints

    class Deciding(Tracer):
        def compare(self, kind, a, b):
            taken = super().compare(kind, a, b)
            self.decided.append((kind, self.node(a), self.node(b), bool(taken)))
            return taken

    tracer = Deciding()
    tracer.decided = []
    inputs = {name: tracer.variable(name, at[name]) for name in graph.variables}
    replay = record(graph, inputs, namespace(tracer))
    bar = adjoints(replay, {replay.output: 1} if replay.output >= 0 else {})
    gradient = [tracer.node(bar[entry]) for entry in replay.inputs.values()]
    second = tracer.graph
    second.outputs = gradient
    second.output = gradient[0] if gradient else tracer.node(0)
    return second, tracer.decided


def _at_one_point(kind, graph, point, row, wrt, vector, text):
    """The one-point study at row ``row``: ``(numbers per seed, None)`` or
    ``(None, why it failed)``."""
    from ..backends import Problem
    from ..studies.hessian import hessian, hvp

    at = {k: float(v[row]) for k, v in point.items()}
    try:
        if kind == "hessian":
            matrix = hessian(Problem(text, graph, at, tuple(wrt))).matrix
            return [[matrix[i][j] for i in range(len(wrt))] for j in range(len(wrt))], None
        product = hvp(Problem(text, graph, at, tuple(graph.variables)), vector)
        return [[product.result[k] for k in graph.variables]], None
    except MathError as error:
        return None, error.message
