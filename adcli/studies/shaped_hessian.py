"""Hessians and Hessian-vector products of formulas of vectors and matrices.

Forward over reverse on dual arrays (:mod:`adcli.tape.dual`): the formula is
recorded with each value carrying a tangent along a direction, and the one
adjoint sweep gives the gradient and, as its tangent, H·direction.  One such
pass is ``hvp``; one per element of the variables is the Hessian, whose block
for variables x and y has shape x.shape + y.shape.  ``--mode numerical``
takes central differences of the reverse-mode gradient instead, for
comparison.
"""

from __future__ import annotations

from ..errors import MathError, UsageError
from ..records import counted
from ..records.vector import Hessian, Product

MODES = ("forward-over-reverse", "numerical")


def _sweep(problem, direction: dict):
    """The gradient and H·direction (dicts by variable), by one dual pass."""
    import numpy as np

    from ..tape.dual import Dual, dual_math, value
    from ..tape.record import record
    from ..tape.sweeps import adjoints_columns

    m = dual_math()
    point = {name: Dual(np.asarray(x, dtype=float) if np.ndim(x) else float(x),
                        direction.get(name, 0.0))
             for name, x in problem.point.items()}
    tape = record(problem.graph, point, m)
    _check(tape, np, value)
    if np.size(value(tape.value)) != 1:
        raise UsageError(f"a Hessian needs a formula whose value is one number; this one "
                         f"has shape {np.shape(value(tape.value))}")
    bar = adjoints_columns(tape, {tape.output: 1.0}, m.np) if tape.output >= 0 else {}
    gradient, product = {}, {}
    for name in problem.wrt:
        shape = np.shape(problem.point[name])
        b = bar[tape.inputs[name]] if tape.output >= 0 else None
        b = Dual(np.zeros(shape)) if b is None else b if b.__class__ is Dual else Dual(b)
        gradient[name] = _shaped(np, b.v, shape)
        product[name] = _shaped(np, b.t, shape)
        if not np.all(np.isfinite(product[name])):
            raise MathError(f"the second derivative with respect to {name} is infinite or "
                            f"undefined at the point")
    return float(value(tape.value)), gradient, product, len(tape)


def _shaped(np, x, shape):
    x = np.broadcast_to(np.asarray(x, dtype=float), shape)
    return float(x) if not shape else np.array(x)


def _check(tape, np, value) -> None:
    """The values' check of :mod:`adcli.backends.shaped`, on the duals' values."""
    from ..backends.shaped import check_values

    values = tape.values
    try:
        tape.values = [value(v) for v in values]
        check_values(tape, np)
    finally:
        tape.values = values


def hessian(problem, mode: str = "forward-over-reverse") -> Hessian:
    import numpy as np

    from ..errors import choose
    from ..tape.sweeps import check_sweeps

    if mode == "symbolic":
        raise UsageError("--mode symbolic: not yet for vectors and matrices; "
                         "forward-over-reverse or numerical")
    choose(mode, MODES, "mode (for vectors and matrices)")
    if problem.digits is not None:
        raise UsageError("--precision computes in mpmath, which has no arrays")
    names = problem.wrt
    shapes = {name: np.shape(problem.point[name]) for name in names}
    elements = sum(int(np.prod(shapes[n])) for n in names)
    value, gradient, _none, entries = _sweep(problem, {})
    check_sweeps(elements, entries, "the Hessian (forward over reverse)",
                 "choose fewer variables with --wrt, or hvp for one product")
    blocks = {(a, b): np.zeros(shapes[a] + shapes[b]) for a in names for b in names}
    for b in names:
        for index in np.ndindex(*shapes[b]):
            direction = {b: _unit(np, shapes[b], index)}
            if mode == "numerical":
                column = _central(problem, direction)
            else:
                column = _sweep(problem, direction)[2]
            for a in names:
                blocks[a, b][(Ellipsis,) + index] = column[a]
    matrix = tuple(tuple(_cell(np, blocks[a, b]) for b in names) for a in names)
    note = (f"{counted(elements, 'dual pass', 'dual passes')} (forward over reverse on dual "
            f"arrays), {counted(entries, 'tape entry', 'tape entries')} each"
            if mode != "numerical" else
            "central differences of the reverse-mode gradient, per element")
    return Hessian(problem.text, tuple(names), problem.point, value, gradient, matrix, mode,
                   note)


def hvp(problem, vector: dict) -> Product:
    """H·v by one dual pass; ``vector`` gives each variable's direction (its shape)."""
    import numpy as np

    names = list(problem.graph.variables)
    direction = {}
    for name, v in vector.items():
        if name not in problem.point:
            raise UsageError(f"--vector {name}: not a variable of the formula "
                             f"(variables: {', '.join(names)})")
        shape = np.shape(problem.point[name])
        if np.shape(v) not in (shape, ()):
            raise UsageError(f"--vector for {name} is of shape {np.shape(v)}, but {name} "
                             f"is of shape {shape}")
        direction[name] = np.broadcast_to(np.asarray(v, dtype=float), shape).copy() \
            if shape else float(v)
    from dataclasses import replace

    value, _gradient, product, _entries = _sweep(replace(problem, wrt=tuple(names)),
                                                 direction)
    return Product("hvp", (problem.text,), tuple(names), problem.point, (value,),
                   direction, product, "one dual pass: forward over reverse on dual arrays")


def _unit(np, shape, index):
    if not shape:
        return 1.0
    u = np.zeros(shape)
    u[index] = 1.0
    return u


def _central(problem, direction: dict) -> dict:
    """(∇f(x + h u) - ∇f(x - h u)) / 2h along one unit direction."""
    import numpy as np

    from dataclasses import replace

    from ..backends.shaped import differentiate

    (name, u), = direction.items()
    x = problem.point[name]
    h = np.finfo(float).eps ** (1 / 3) * max(1.0, float(np.max(np.abs(x))))
    up = differentiate(replace(problem, point={**problem.point, name: x + h * u}), "reverse")
    down = differentiate(replace(problem, point={**problem.point, name: x - h * u}), "reverse")
    return {a: (np.asarray(up.gradient[a]) - np.asarray(down.gradient[a])) / (2 * h)
            for a in problem.wrt}


def _cell(np, block):
    return float(block) if np.ndim(block) == 0 else block
