"""Jacobians, JVPs and VJPs over a chunk of points: NumPy columns in, columns out.

A vector formula is recorded once with arrays as values (every output's
entry is on the one tape) and swept as at one point: the Jacobian by a
tangent sweep per input or an adjoint sweep per output, whichever are fewer;
a JVP by one tangent sweep seeded with the tangent; a VJP by one adjoint
sweep seeded with the cotangent.  Rows fail and warn as in ``adcli diff``
over points (:mod:`.columns`); a failed row is NaN in every column.

Column names are the CSV header's (``value(f1)``, ``d(f1)/d(x)``, ``jvp(f1)``,
``vjp(x)``, ``d2/d(x)d(y)``, ``hvp(x)``); ``layout`` nests them as the
one-point JSON does, and :func:`row_of` names a one-point record's numbers
the same way, so a row computed point by point looks like a vectorised one.
"""

from __future__ import annotations

from ..errors import UsageError
from ..records.vector_columns import VectorColumns
from .columns import _all_finite, _finish, _full, _point

#: What --quiet keeps of each command's layout.
DERIVATIVES = {"jacobian": ("jacobian",), "jvp": ("jvp",), "vjp": ("vjp",),
               "hessian": ("hessian",), "hvp": ("hvp",)}


def labels(count: int) -> tuple:
    """Outputs are named by position: a formula's text makes an unreadable header."""
    return tuple(f"f{k + 1}" for k in range(count))


def layout_of(kind: str, outputs: tuple, inputs: tuple) -> dict:
    """The nesting of ``kind``'s columns for ``outputs`` and ``inputs`` (names)."""
    values = [f"value({o})" for o in outputs]
    if kind == "jacobian":
        return {"value": values, "jacobian": [[f"d({o})/d({x})" for x in inputs]
                                              for o in outputs]}
    if kind == "jvp":
        return {"value": values, "jvp": [f"jvp({o})" for o in outputs]}
    if kind == "vjp":
        return {"value": values, "vjp": {x: f"vjp({x})" for x in inputs}}
    if kind == "hessian":
        return {"value": "value", "gradient": {x: f"d/d{x}" for x in inputs},
                "hessian": [[f"d2/d({a})d({b})" for b in inputs] for a in inputs]}
    if kind == "hvp":
        return {"value": ["value"], "hvp": {x: f"hvp({x})" for x in inputs}}
    raise UsageError(f"unknown command {kind!r} over points")


def pairs(layout, numbers) -> list:
    """``(column name, number)`` for a layout and numbers of the same nesting, in
    the layout's order (the CSV header's)."""
    out, stack = [], [(layout, numbers)]
    while stack:
        spec, value = stack.pop()
        if isinstance(spec, str):
            out.append((spec, value))
        elif isinstance(spec, dict):
            stack.extend(reversed([(spec[k], value[k]) for k in spec]))
        else:
            stack.extend(reversed(list(zip(spec, value))))
    return out


def names_of(layout) -> tuple:
    return tuple(name for name, _ in pairs(layout, layout))


def result(kind: str, layout: dict, numbers: dict, errors: list, warnings: list,
           cost: dict | None = None) -> VectorColumns:
    """The record of one chunk; every column NaN in the rows that failed."""
    import numpy as np

    columns = dict(pairs(layout, numbers))
    failed = [row for row, e in enumerate(errors) if e is not None]
    if failed:
        for name, column in columns.items():
            column = columns[name] = np.array(column, dtype=np.float64)
            column[failed] = np.nan
    keep = tuple(name for key in DERIVATIVES[kind] for name in names_of(layout[key]))
    return VectorColumns(kind, columns, layout, keep, errors, warnings, cost or {})


def row_of(record) -> tuple[str, dict, dict]:
    """A one-point record (Jacobian, Product, Hessian) as ``(kind, layout, numbers)``."""
    kind = getattr(record, "kind", None) or type(record).__name__.lower()
    if kind == "hessian":
        names = tuple(record.inputs)
        numbers = {"value": record.value, "gradient": dict(record.gradient),
                   "hessian": [list(r) for r in record.matrix]}
        return kind, layout_of(kind, (), names), numbers
    outputs = labels(len(record.outputs))
    layout = layout_of(kind, outputs, tuple(record.inputs))
    if kind == "jacobian":
        return kind, layout, {"value": list(record.values),
                              "jacobian": [list(r) for r in record.matrix]}
    entries = [record.result[o] for o in record.outputs] if kind == "jvp" \
        else dict(record.result)
    return kind, layout, {"value": list(record.values), kind: entries}


def jacobian_columns(graph, columns: dict, fixed: dict | None = None, wrt=None,
                     mode: str = "auto") -> VectorColumns:
    """The Jacobian of every output at every row (``mode``: auto, forward, reverse)."""
    import numpy as np

    from ..ops.namespaces import numpy_math
    from ..studies.jacobian import advice
    from ..tape.record import record
    from ..tape.sweeps import check_sweeps

    point, n = _point(graph, columns, fixed or {}, np)
    wrt = tuple(graph.variables) if wrt is None else tuple(wrt)
    tape = record(graph, point, numpy_math())
    outputs = labels(len(tape.outputs))
    if mode == "auto":
        mode = advice(len(wrt), len(outputs), 0)[0]
    if mode not in ("forward", "reverse"):
        raise UsageError(f"--mode {mode} over a chunk: choose auto, forward or reverse")
    check_sweeps(len(wrt) if mode == "forward" else len(outputs), len(tape),
                 f"the Jacobian ({mode} mode) of each point",
                 "choose fewer variables with --wrt, or the other --mode")
    with np.errstate(all="ignore"):
        values = [_full(v, n, np) for v in tape.output_values]
        matrix = _matrix(tape, wrt, mode, n, np, False)
        if not _all_finite((e for row in matrix for e in row), np):
            matrix = _matrix(tape, wrt, mode, n, np, True)
        errors, warnings = failures(graph, point, n, np, tape, values,
                                    [dict(zip(wrt, row)) for row in matrix], mode)
    sweeps = len(wrt) if mode == "forward" else len(outputs)
    return result("jacobian", layout_of("jacobian", outputs, wrt),
                  {"value": values, "jacobian": matrix}, errors, warnings,
                  {"mode": mode, "sweeps": sweeps})


def _matrix(tape, wrt: tuple, mode: str, n: int, np, safe: bool) -> list:
    """Rows: outputs; columns: ``wrt``; each entry an array over the chunk."""
    from ..tape.sweeps import adjoints_columns, tangents_columns

    inputs, outs = tape.inputs, tape.outputs
    if mode == "forward":
        columns = []
        for name in wrt:
            dot = tangents_columns(tape, {inputs[name]: 1.0}, np, safe)
            columns.append([_full(dot[e] if e >= 0 else None, n, np) for e in outs])
        return [[column[i] for column in columns] for i in range(len(outs))]
    matrix = []
    for e in outs:
        bar = adjoints_columns(tape, {e: 1.0}, np, safe) if e >= 0 else None
        matrix.append([_full(bar[inputs[name]] if bar else None, n, np) for name in wrt])
    return matrix


def jvp_columns(graph, columns: dict, fixed: dict | None = None,
                tangent: dict | None = None) -> VectorColumns:
    """J·v at every row, by one tangent sweep seeded with ``tangent`` (name -> number)."""
    import numpy as np

    from ..language.points import vector_over
    from ..ops.namespaces import numpy_math
    from ..tape.record import record
    from ..tape.sweeps import tangents_columns

    point, n = _point(graph, columns, fixed or {}, np)
    tape = record(graph, point, numpy_math())
    inputs = tape.inputs
    vector = vector_over(tangent or {}, list(inputs), "--tangent")
    seed = {inputs[k]: v for k, v in vector.items() if v}
    outputs = labels(len(tape.outputs))
    with np.errstate(all="ignore"):
        values = [_full(v, n, np) for v in tape.output_values]

        def sweep(safe):
            dot = tangents_columns(tape, seed, np, safe)
            return [_full(dot[e] if e >= 0 else None, n, np) for e in tape.outputs]
        products = sweep(False)
        if not _all_finite(products, np):
            products = sweep(True)
        errors, warnings = failures(graph, point, n, np, tape, values,
                                    [{"v": p} for p in products], "forward")
    return result("jvp", layout_of("jvp", outputs, tuple(inputs)),
                  {"value": values, "jvp": products}, errors, warnings,
                  {"mode": "forward", "sweeps": 1})


def vjp_columns(graph, columns: dict, fixed: dict | None = None,
                cotangent: list | None = None) -> VectorColumns:
    """uᵀ·J at every row, by one adjoint sweep seeded with ``cotangent`` on the outputs."""
    import numpy as np

    from ..ops.namespaces import numpy_math
    from ..tape.record import record
    from ..tape.sweeps import adjoints_columns

    point, n = _point(graph, columns, fixed or {}, np)
    tape = record(graph, point, numpy_math())
    cotangent = list(cotangent or ())
    outputs = labels(len(tape.outputs))
    if len(cotangent) != len(outputs):
        raise UsageError(f"--cotangent has {len(cotangent)} numbers for {len(outputs)} "
                         f"outputs")
    seed: dict = {}
    for entry, u in zip(tape.outputs, cotangent):
        if entry >= 0 and u:
            seed[entry] = seed.get(entry, 0.0) + u
    inputs = tape.inputs
    with np.errstate(all="ignore"):
        values = [_full(v, n, np) for v in tape.output_values]

        def sweep(safe):
            bar = adjoints_columns(tape, seed, np, safe)
            return {x: _full(bar[e], n, np) for x, e in inputs.items()}
        product = sweep(False)
        if not _all_finite(product.values(), np):
            product = sweep(True)
        errors, warnings = failures(graph, point, n, np, tape, values,
                                    [{} for _ in values], "reverse")
        ok = np.where([e is None for e in errors], 0.0, np.nan)
        extra, _ = failures(graph, point, n, np, tape, [ok], [product], "reverse",
                            seed=seed)
        errors = [a or b for a, b in zip(errors, extra)]
    return result("vjp", layout_of("vjp", outputs, tuple(inputs)),
                  {"value": values, "vjp": product}, errors, warnings,
                  {"mode": "reverse", "sweeps": 1})


def failures(graph, point: dict, n: int, np, tape, values: list, derivatives: list,
             mode: str, seed: dict | None = None) -> tuple[list, list]:
    """Per row, why it failed and what it warns: :func:`.columns._finish` for each
    output in turn (its value, then its derivatives), on a view of the tape whose
    one output is that output.  With several outputs a reason names its output."""
    from ..tape.elementwise import row_errors
    from ..tape.sweeps import adjoints_columns

    errors, warnings = [None] * n, None
    several = len(values) > 1
    for k, (value, derivative) in enumerate(zip(values, derivatives)):
        view = _view(tape, k)
        flows = {}

        def moved(out, _arg, view=view, flows=flows):
            if "bar" not in flows:
                start = seed if seed is not None else (
                    {view.output: 1.0} if view.output >= 0 else {})
                flows["bar"] = adjoints_columns(tape, start, np, True)
            bar = flows["bar"][out]
            return np.zeros(n, dtype=bool) if bar is None else _full(bar, n, np) != 0

        done = _finish(graph, point, n, np, value, derivative, view, mode,
                       lambda failed, view=view: row_errors(view, failed, np), moved)
        warnings = done.warnings if warnings is None else warnings
        for row, why in enumerate(done.errors):
            if why is not None and errors[row] is None:
                errors[row] = f"f{k + 1}: {why}" if several else why
    return errors, warnings or [None] * n


def _view(tape, k: int):
    """The tape seen as the formula of its ``k``-th output alone (for row_errors)."""
    import copy

    graph = copy.copy(tape.graph)
    node = (tape.graph.outputs or [tape.graph.output])[k]
    graph.outputs, graph.output = [node], node
    view = copy.copy(tape)
    view.graph = graph
    view.outputs, view.output_values = [tape.outputs[k]], [tape.output_values[k]]
    view.output, view.value = tape.outputs[k], tape.output_values[k]
    return view
