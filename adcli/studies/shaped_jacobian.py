"""Jacobians, JVPs and VJPs of formulas whose values are vectors and matrices.

The scalar study (:mod:`adcli.studies.jacobian`) sweeps once per input or per
output; here a sweep is seeded with one *element*: reverse mode seeds a unit
array of an output's shape and reads a whole row block of the Jacobian,
forward mode seeds a unit array of an input's shape and reads a column block.
So the Jacobian of output ``f`` with respect to input ``A`` is one array of
shape ``f.shape + A.shape`` (as ``jax.jacobian`` gives it): the record keeps
the scalar study's layout (a row per output, a column per input) with such an
array in each cell.  A JVP is one tangent sweep seeded with an array per
variable, a VJP one adjoint sweep seeded with an array per output.  Central
differences (``--mode numerical``) take each input element as a variable of
its own, for comparison.
"""

from __future__ import annotations

from ..errors import MathError, UsageError, choose
from ..records.vector import Jacobian, Product

#: What a shaped formula can be asked for; symbolic is not offered yet.
SHAPED_MODES = ("auto", "forward", "reverse", "numerical")

#: NumPy's warnings, off during the sweeps: a zero times an infinite partial is
#: taken as zero (safe sweeps), and what is left infinite is checked and named.
QUIET = dict(divide="ignore", over="ignore", invalid="ignore", under="ignore")

#: The most Jacobian elements one study builds (80 MB of float64).
MAX_ELEMENTS = 10_000_000


def _shape_text(shape: tuple) -> str:
    return "a scalar" if not shape else "of shape (" + ", ".join(map(str, shape)) + ")"


def _recorded(problem, np):
    """The tape with NumPy values, every value checked finite (named by element)."""
    from ..backends.shaped import check_values
    from ..ops.namespaces import numpy_math
    from ..tape.record import record

    if problem.digits is not None:
        raise UsageError("--precision computes in mpmath, which has no arrays: leave it out "
                         "for a formula of vectors or matrices")
    tape = record(problem.graph, problem.point, numpy_math())
    check_values(tape, np)
    return tape


def _unit(np, shape: tuple, index: tuple):
    """The seed that picks one element: a unit array (1.0 for a scalar)."""
    if not shape:
        return 1.0
    seed = np.zeros(shape)
    seed[index] = 1.0
    return seed


def _filled(np, value, shape: tuple):
    """A sweep's result at an entry as an array of ``shape`` (None is zero)."""
    if value is None:
        return np.zeros(shape)
    return np.broadcast_to(value, shape)


def _cell(np, block):
    """A scalar's derivative as a float, an array's as an array."""
    return float(block) if np.ndim(block) == 0 else block


def _check_block(np, block, what: str) -> None:
    """Refuse a derivative holding inf or nan, naming its first such element."""
    if not np.all(np.isfinite(block)):
        bad = np.argwhere(~np.isfinite(np.atleast_1d(block)))[0]
        where = "at element [" + ", ".join(str(int(k)) for k in bad) + "]" \
            if np.ndim(block) else "at the point"
        raise MathError(f"{what} is infinite or undefined {where}")


def _advice(n: int, m: int, edges: int) -> tuple[str, str]:
    """The cheaper AD mode, counting sweeps by elements, and why."""
    from ..records import counted

    mode = "forward" if n <= m else "reverse"
    return mode, (f"forward mode needs {counted(n, 'tangent sweep')} (one per input "
                  f"element), reverse mode {counted(m, 'adjoint sweep')} (one per output "
                  f"element), each over {counted(edges, 'tape edge')}: {mode} is cheaper here")


def _blocks(np, out_shapes: list, in_shapes: dict) -> list:
    """Zero Jacobian blocks, one per output and input, refused beyond MAX_ELEMENTS."""
    elements = sum(int(np.prod(o)) * int(np.prod(i)) for o in out_shapes
                   for i in in_shapes.values())
    if elements > MAX_ELEMENTS:
        raise UsageError(f"the Jacobian has {elements:,} elements, over the bound of "
                         f"{MAX_ELEMENTS:,}; jvp and vjp give its products with a vector "
                         f"without forming it, or choose fewer inputs with --wrt")
    return [{name: np.zeros(shape + in_shape) for name, in_shape in in_shapes.items()}
            for shape in out_shapes]


def jacobian(problem, mode: str, outputs: tuple) -> Jacobian:
    """For each output and each input in ``problem.wrt``, ∂output/∂input as an
    array of shape output.shape + input.shape; ``outputs`` names the outputs."""
    import numpy as np

    from ..records import counted
    from ..tape.sweeps import adjoints_columns, check_sweeps, tangents_columns

    choose(mode, SHAPED_MODES + ("symbolic", "numerical"), "mode")
    if mode not in SHAPED_MODES:
        raise UsageError(f"--mode {mode}: not yet for vectors and matrices; use forward, "
                         f"reverse, numerical or auto")
    tape = _recorded(problem, np)
    inputs, names = tape.inputs, problem.wrt
    out_shapes = [np.shape(v) for v in tape.output_values]
    in_shapes = {name: np.shape(problem.point[name]) for name in names}
    n = sum(int(np.prod(s)) for s in in_shapes.values())
    m = sum(int(np.prod(s)) for s in out_shapes)
    note = ""
    if mode == "auto":
        mode, note = _advice(n, m, tape.edge_count)
    if mode == "forward":
        check_sweeps(n, len(tape), "forward mode (one tangent sweep per input element)",
                     f"reverse mode needs {m:,} (--mode reverse), or choose fewer inputs "
                     f"with --wrt")
        blocks = _blocks(np, out_shapes, in_shapes)
        for name in names:
            for index in np.ndindex(*in_shapes[name]):
                with np.errstate(**QUIET):
                    dot = tangents_columns(tape, {inputs[name]: _unit(np, in_shapes[name],
                                                                      index)}, np, safe=True)
                for k, entry in enumerate(tape.outputs):
                    if entry >= 0:
                        blocks[k][name][(Ellipsis,) + index] = _filled(np, dot[entry],
                                                                       out_shapes[k])
        performed = n
    elif mode == "numerical":
        check_sweeps(2 * n, len(tape), "central differences (two evaluations per input "
                     "element)", f"reverse mode needs {m:,} sweeps (--mode reverse)")
        blocks = _blocks(np, out_shapes, in_shapes)
        performed = _central(problem, blocks, in_shapes, out_shapes, np)
        note = note or (f"central differences: {counted(performed, 'evaluation')} of the "
                        f"formula, two per input element")
    else:
        check_sweeps(m, len(tape), "reverse mode (one adjoint sweep per output element)",
                     f"forward mode needs {n:,} (--mode forward)")
        blocks = _blocks(np, out_shapes, in_shapes)
        for k, entry in enumerate(tape.outputs):
            if entry < 0:  # a constant output: its rows are zero
                continue
            for index in np.ndindex(*out_shapes[k]):
                with np.errstate(**QUIET):
                    bar = adjoints_columns(tape, {entry: _unit(np, out_shapes[k], index)},
                                           np, safe=True)
                for name in names:
                    blocks[k][name][index] = _filled(np, bar[inputs[name]], in_shapes[name])
        performed = m
    matrix = []
    for k, row in enumerate(blocks):
        for name in names:
            _check_block(np, row[name], f"the Jacobian of {outputs[k]} with respect to {name}")
        matrix.append(tuple(_cell(np, row[name]) for name in names))
    values = tuple(_cell(np, np.asarray(v, dtype=float)) for v in tape.output_values)
    return Jacobian(outputs, tuple(names), problem.point, values, tuple(matrix), mode,
                    {"forward": n, "reverse": m}, performed, _with_kinks(note, tape, np))


def _with_kinks(note: str, tape, np) -> str:
    """The note, and each kink the point sits on (the record has no warnings)."""
    from ..backends.shaped import array_kinks

    return "; ".join([note] * bool(note) + [w.message for w in array_kinks(tape, np)])


def _central(problem, blocks: list, in_shapes: dict, out_shapes: list, np) -> int:
    """Fill ``blocks`` by central differences, each input element a variable of
    its own, with the step and domain care of the scalar study; the evaluations."""
    from ..backends.numerical import central_columns
    from ..backends.shaped import check_values
    from ..ops.namespaces import numpy_math
    from ..tape.record import record

    m = numpy_math()
    elements = {f"{name}{list(index)}": (name, index) for name in in_shapes
                for index in np.ndindex(*in_shapes[name])}
    flat = {key: float(np.asarray(problem.point[name])[index])
            for key, (name, index) in elements.items()}

    def evaluate(at: dict) -> list:
        point = {k: np.array(v, dtype=float) if np.ndim(v) else v
                 for k, v in problem.point.items()}
        for key, (name, index) in elements.items():
            if index:
                point[name][index] = at[key]
            else:
                point[name] = at[key]
        with np.errstate(**QUIET):
            tape = record(problem.graph, point, m, partials=False)
        check_values(tape, np)
        return [x for v in tape.output_values for x in np.ravel(v)]

    columns, evaluations = central_columns(evaluate, flat, list(elements))
    for column, (name, index) in zip(columns, elements.values()):
        start = 0
        for k, shape in enumerate(out_shapes):
            size = int(np.prod(shape))
            blocks[k][name][(Ellipsis,) + index] = np.reshape(column[start:start + size],
                                                              shape)
            start += size
    return evaluations


def _as_shaped(np, value, shape: tuple, label: str, what: str):
    """A given vector's part as an array of ``shape`` (that of ``what``); a
    different shape is refused."""
    given = np.shape(value)
    if given != shape:
        raise UsageError(f"{label} is {_shape_text(given)}, but {what} is "
                         f"{_shape_text(shape)}")
    return np.asarray(value, dtype=float) if shape else float(value)


def jvp(problem, tangent: dict, outputs: tuple) -> Product:
    """J·u by one tangent sweep seeded with ``tangent`` (an array per variable,
    of that variable's shape; variables not named have tangent 0)."""
    import numpy as np

    from ..language.points import check_names
    from ..tape.sweeps import tangents_columns

    tape = _recorded(problem, np)
    inputs = tape.inputs
    check_names(tangent, list(inputs), "--tangent")
    vector = {name: _as_shaped(np, tangent[name], np.shape(problem.point[name]),
                               f"--tangent {name}", name) if name in tangent
              else _cell(np, np.zeros(np.shape(problem.point[name]))) for name in inputs}
    with np.errstate(**QUIET):
        dot = tangents_columns(tape, {inputs[k]: v for k, v in vector.items()
                                      if np.any(v != 0)}, np, safe=True)
    result = {}
    for k, entry in enumerate(tape.outputs):
        shape = np.shape(tape.output_values[k])
        block = _filled(np, dot[entry] if entry >= 0 else None, shape)
        _check_block(np, block, f"the JVP of {outputs[k]}")
        result[outputs[k]] = _cell(np, np.array(block, dtype=float))
    values = tuple(_cell(np, np.asarray(v, dtype=float)) for v in tape.output_values)
    return Product("jvp", outputs, tuple(inputs), problem.point, values, vector, result)


def vjp(problem, cotangent: list, outputs: tuple) -> Product:
    """vᵀ·J by one adjoint sweep seeded with ``cotangent``: one array per output,
    of that output's shape."""
    import numpy as np

    from ..tape.sweeps import adjoints_columns

    tape = _recorded(problem, np)
    if len(cotangent) != len(outputs):
        raise UsageError(f"--cotangent has {len(cotangent)} values for {len(outputs)} "
                         f"output{'s' * (len(outputs) != 1)}")
    given = tuple(_as_shaped(np, u, np.shape(tape.output_values[k]),
                             f"--cotangent for {outputs[k]}", outputs[k])
                  for k, u in enumerate(cotangent))
    seed: dict = {}
    for entry, u in zip(tape.outputs, given):
        if entry >= 0:
            seed[entry] = u if entry not in seed else seed[entry] + u
    with np.errstate(**QUIET):
        bar = adjoints_columns(tape, seed, np, safe=True)
    result = {}
    for name, entry in tape.inputs.items():
        block = _filled(np, bar[entry], np.shape(problem.point[name]))
        _check_block(np, block, f"the VJP with respect to {name}")
        result[name] = _cell(np, np.array(block, dtype=float))
    values = tuple(_cell(np, np.asarray(v, dtype=float)) for v in tape.output_values)
    return Product("vjp", outputs, tuple(tape.inputs), problem.point, values, given, result)
