"""Derivatives over a chunk of points: NumPy columns in, NumPy columns out.

The formula is recorded once with arrays as values (see
:mod:`adcli.tape.elementwise`) and swept once: the same tape, rules and
sweeps as at one point, one element per point.  A row whose value or
derivative is not a number does not stop the others: it carries NaN and the
reason.  :func:`differentiate_columns` is pure (no I/O, no globals), so the
CLI runs it chunk by chunk and an engine such as Dask can map it over
partitions.
"""

from __future__ import annotations

from ..errors import UsageError
from ..records.columns import Columns
from ..ops import OPS
from . import METHODS

#: Numerical methods over points, and the step rule of each (see .numerical).
_STENCILS = {"central": ((1, 1.0), (-1, -1.0)), "forward": ((1, 1.0), (0, -1.0)),
             "backward": ((0, 1.0), (-1, -1.0)),
             "five-point": ((2, -1.0), (1, 8.0), (-1, -8.0), (-2, 1.0))}
_DIVISOR = {"central": 2.0, "forward": 1.0, "backward": 1.0, "five-point": 12.0}


def differentiate_columns(graph, columns: dict, fixed: dict | None = None, wrt=None,
                          mode: str = "reverse", method: str = "auto") -> Columns:
    """Value and gradient at every row of ``columns`` (name -> 1-D array);
    ``fixed`` gives the variables that are the same at every row."""
    import numpy as np

    from ..ops.namespaces import numpy_math

    if graph.shaped or any(np.ndim(v) for v in (fixed or {}).values()):
        raise UsageError("many points take formulas of numbers: array operations (@, sum, "
                         "...) and array values are for one point at a time")
    point, n = _point(graph, columns, fixed or {}, np)
    wrt = tuple(graph.variables) if wrt is None else tuple(wrt)
    if mode in ("reverse", "forward"):
        return _ad(graph, point, n, wrt, mode, np, numpy_math())
    if mode == "numerical":
        return _numerical(graph, point, n, wrt, method, np, numpy_math())
    if mode == "symbolic":
        from .sympy_columns import derivatives

        value, gradient, _texts = derivatives(graph, point, wrt)
        return _finish(graph, point, n, np, value, gradient, None, mode)
    raise UsageError(f"unknown mode {mode!r}: choose one of forward, reverse, symbolic, "
                     f"numerical")


def _point(graph, columns: dict, fixed: dict, np) -> tuple[dict, int]:
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise UsageError(f"the point columns have different lengths: {sorted(lengths)}")
    n = lengths.pop() if lengths else 1
    point = {}
    for name in graph.variables:
        if name in columns:
            point[name] = np.asarray(columns[name], dtype=np.float64)
        elif name in fixed:
            point[name] = np.full(n, float(fixed[name]))
        else:
            raise UsageError(f"no value for {name}: give a column {name} or --at {name}=VALUE")
    return point, n


def _ad(graph, point: dict, n: int, wrt: tuple, mode: str, np, m) -> Columns:
    from ..tape.elementwise import row_errors
    from ..tape.record import record
    from ..tape.sweeps import adjoints_columns, tangents_columns

    tape = record(graph, point, m)
    inputs = tape.inputs

    flows = {}

    def sweep(safe: bool) -> dict:
        if tape.output < 0:
            return {name: np.zeros(n) for name in wrt}
        if mode == "reverse":
            bar = adjoints_columns(tape, {tape.output: 1.0}, np, safe)
            if safe:
                flows["adjoint"] = bar
            return {name: _full(bar[inputs[name]], n, np) for name in wrt}
        return {name: _full(tangents_columns(tape, {inputs[name]: 1.0}, np, safe)[tape.output],
                            n, np) for name in wrt}

    def moved(out: int, _arg: int):
        """The rows where the output's derivative reaches entry ``out`` (its adjoint)."""
        if "adjoint" not in flows:
            flows["adjoint"] = adjoints_columns(tape, {tape.output: 1.0}, np, True)
        bar = flows["adjoint"][out]
        return np.zeros(n, dtype=bool) if bar is None else _full(bar, n, np) != 0

    with np.errstate(all="ignore"):
        value = _full(tape.value, n, np)
        gradient = sweep(False)
        if not _all_finite(gradient.values(), np):  # rows of an untaken side: 0 * NaN
            gradient = sweep(True)
        return _finish(graph, point, n, np, value, gradient, tape, mode,
                       lambda failed: row_errors(tape, failed, np), moved)


def _numerical(graph, point: dict, n: int, wrt: tuple, method: str, np, m) -> Columns:
    """Difference quotients per row, each row with its own step (the error model of
    :mod:`.numerical`); ``auto`` is the complex step where every op allows it,
    with central differences on the rows where a partial is undefined."""
    from ..tape.record import record
    from .numerical import _steps

    holomorphic = not graph.has_branches and all(
        OPS[kind].holomorphic for kind in graph.kinds if kind in OPS)
    if method == "auto":
        method = "complex" if holomorphic else "central"
    if method == "complex" and not holomorphic:
        raise UsageError("--method complex needs a formula of holomorphic ops without "
                         "conditionals; give --method central")
    if method not in _STENCILS and method != "complex":
        choices = ", ".join(k for k in METHODS if k in _STENCILS or k in ("auto", "complex"))
        raise UsageError(f"--method {method} is not available over points: choose one of "
                         f"{choices}")

    def f(at: dict):
        size = len(next(iter(at.values()))) if at else n
        return _full(record(graph, at, m, partials=False).value, size, np)

    def stencil(name, kind, at, value):
        x = at[name]
        h = _steps(m, 1.0, kind, None, np.maximum(1.0, np.abs(x)))
        h = (x + h) - x  # exactly representable steps
        total = 0.0
        for k, weight in _STENCILS[kind]:
            total = total + weight * (value if k == 0 else f({**at, name: x + k * h}))
        return total / (_DIVISOR[kind] * h), sum(k != 0 for k, _w in _STENCILS[kind])

    gradient, evaluations = {}, 1
    with np.errstate(all="ignore"):
        tape = record(graph, point, m, partials=method == "complex")
        value = _full(tape.value, n, np)
        for name in wrt:
            if method != "complex":
                gradient[name], count = stencil(name, method, point, value)
                evaluations += count
                continue
            x = point[name]
            h = np.maximum(2.2e-20 * np.minimum(1.0, np.abs(x)), 1e-300)
            h = np.where(x == 0, 2.2e-20, h)
            shifted = record(graph, {**point, name: x + 1j * h}, m, partials=False).value
            gradient[name] = _full(np.imag(shifted), n, np) / h
            evaluations += 1
        if method == "complex":  # rows where a partial is undefined: x + ih is no help
            rows = _undefined_rows(tape, n, np)
            if rows.any():
                at = {k: v[rows] for k, v in point.items()}
                for name in wrt:
                    gradient[name][rows] = stencil(name, "central", at, value[rows])[0]
    return _finish(graph, point, n, np, value, gradient, None, "numerical",
                   cost={"method": method, "evaluations": evaluations})


def _undefined_rows(tape, n: int, np):
    rows = np.zeros(n, dtype=bool)
    for _out, _arg, p in tape.edge_triples():
        if p.__class__ is not int:
            rows |= ~np.isfinite(np.broadcast_to(p, (n,)))
    return rows


def _finish(graph, point, n, np, value, gradient, tape, mode, explain=None,
            moved=None, cost=None) -> Columns:
    """Rows that failed get NaN and a reason; rows at a kink get a warning."""
    errors = [None] * n
    failed = np.flatnonzero(~np.isfinite(value))
    if len(failed):
        reasons = (explain or _recorded_reasons(graph, point, np))(failed)
        for row, reason in zip(failed.tolist(), reasons):
            errors[row] = reason
        value[failed] = np.nan
        for column in gradient.values():
            column[failed] = np.nan
    bad = np.zeros(n, dtype=bool)
    for column in gradient.values():
        bad |= ~np.isfinite(column)
    bad &= np.isfinite(value)
    if bad.any():
        for row, reason in _derivative_reasons(tape, bad, gradient, mode, np, moved):
            errors[row] = reason
    return Columns(value, gradient, errors, _kinks(tape, n, np), {"mode": mode, **(cost or {})})


def _recorded_reasons(graph, point: dict, np):
    """Why rows failed, found on a recording of the formula at those rows alone."""
    from ..ops.namespaces import numpy_math
    from ..tape.elementwise import row_errors
    from ..tape.record import record

    def explain(failed):
        at = {k: np.asarray(v)[failed] for k, v in point.items()}
        tape = record(graph, at, numpy_math(), partials=False)
        return row_errors(tape, np.arange(len(failed)), np)
    return explain


def _derivative_reasons(tape, bad, gradient: dict, mode: str, np, moved) -> list:
    """The first edge, in tape order, with an infinite or undefined partial on the row."""
    rows = np.flatnonzero(bad)
    named = {}
    if tape is not None:
        from ..ops import OPS
        from ..tape.diagnosis import at_row

        left = np.ones(len(rows), dtype=bool)
        for out, _arg, p in tape.edge_triples():
            if p.__class__ is int or not left.any():
                continue
            hit = ~np.isfinite(np.broadcast_to(p, bad.shape)[rows]) & left
            if hit.any():
                hit &= moved(out, _arg)[rows]
            if hit.any():
                node = tape.nodes[out]
                text = (f"the derivative of {OPS[tape.graph.nodes[node][0]].title} is "
                        f"infinite or undefined {at_row(tape, node)}")
                for row in rows[hit].tolist():
                    named[row] = text
                left &= ~hit
    names = [k for k, v in gradient.items()]
    return [(row, named.get(row) or "the derivative with respect to "
             + ", ".join(k for k in names if not np.isfinite(gradient[k][row]))
             + f" is infinite or undefined in {mode} mode") for row in rows.tolist()]


def _kinks(tape, n: int, np) -> list:
    """Per row, the kinks it sits on and the comparisons it ties (None: none)."""
    warnings = [None] * n
    if tape is None:
        return warnings
    found = [(kink.rows, f"{tape.describe(kink.entry)} is at a kink of {kink.op}")
             for kink in tape.kinks]
    graph = tape.graph
    if graph.has_branches:
        from ..language.graph import COMPARISONS
        from ..language.printer import format_node

        kinds = frozenset(COMPARISONS.values())
        for node, (kind, args, _data) in enumerate(graph.nodes):
            if kind in kinds:
                a, b = (tape.node_values[x] for x in args)
                tie = np.broadcast_to(np.asarray(a) == np.asarray(b), (n,))
                if tie.any():
                    found.append((tie, f"{format_node(graph, node)} holds with equality: "
                                       f"the branch taken decides the derivative"))
    for rows, text in found:
        for row in np.flatnonzero(rows).tolist():
            warnings[row] = text if warnings[row] is None else f"{warnings[row]}; {text}"
    return warnings


def _full(v, n: int, np):
    """An array of one value per row (constants and zero derivatives broadcast)."""
    if v is None:
        return np.zeros(n)
    v = np.asarray(v, dtype=np.float64)
    return v if v.shape == (n,) else np.broadcast_to(v, (n,)).copy()


def _all_finite(arrays, np) -> bool:
    return all(bool(np.isfinite(a).all()) for a in arrays)

