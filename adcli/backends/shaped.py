"""Forward and reverse mode when values have shapes: vectors and matrices.

The same recorder, tape and sweeps as for numbers: the formula is recorded
with NumPy arrays as values (:mod:`adcli.tape.elementwise`), element-wise ops
keep their own partials, structural ops give linear maps
(:mod:`adcli.ops.structural`), and the sweeps apply those maps (forward) or
their transposes (reverse), summing a broadcast argument's adjoints back to
its shape.  Unlike a chunk of points, the arrays here are one value each: a
value that is not a number anywhere is the formula's error, named with its
element, and the gradient of each variable has that variable's shape.
"""

from __future__ import annotations

from ..errors import MathError, UsageError
from ..records import Derivative, Warning


def is_shaped(problem) -> bool:
    return problem.graph.shaped or any(hasattr(v, "shape") for v in problem.point.values())


def refuse_arrays(problem, what: str) -> None:
    """The one refusal of a study that does not take vectors and matrices yet."""
    if is_shaped(problem):
        raise UsageError(f"{what} does not take vectors and matrices yet: diff, tape, graph, "
                         f"jacobian, jvp and vjp do")


def differentiate(problem, mode: str) -> Derivative:
    import numpy as np

    from ..ops.namespaces import numpy_math
    from ..tape.record import record
    from ..tape.sweeps import adjoints_columns, check_sweeps, tangents_columns, varied

    if problem.digits is not None:
        raise UsageError("--precision computes in mpmath, which has no arrays: leave it out "
                         "for a formula of vectors or matrices")
    tape = record(problem.graph, problem.point, numpy_math())
    check_values(tape, np)
    if np.size(tape.value) != 1 or np.ndim(tape.value) > 0:
        raise UsageError(f"diff differentiates a formula whose value is one number; this "
                         f"one is an array of shape {np.shape(tape.value)}: use jacobian, or "
                         f"reduce it (sum, mean, norm ...)")
    inputs, shapes = tape.inputs, {k: np.shape(v) for k, v in problem.point.items()}
    gradient = {}
    if tape.output < 0:  # a constant formula
        gradient = {name: np.zeros(shapes[name]) for name in problem.wrt}
        sweeps = 0
    elif mode == "reverse":
        active = varied(tape, [inputs[name] for name in problem.wrt])
        bar = adjoints_columns(tape, {tape.output: 1.0}, np, active=active, inputs_only=True)
        for name in problem.wrt:
            g = bar[inputs[name]]
            if g is None:
                g = np.zeros(shapes[name])
            elif np.shape(g) != shapes[name]:  # a scalar adjoint, spread over the input
                g = np.broadcast_to(g, shapes[name]).astype(float)
            gradient[name] = g if np.ndim(g) else float(g)
        sweeps = 1
    else:
        elements = sum(int(np.prod(shapes[name])) for name in problem.wrt)
        check_sweeps(elements, len(tape), "forward mode",
                     "reverse mode needs 1 sweep (--mode reverse)")
        for name in problem.wrt:
            g = np.zeros(shapes[name])
            for index in np.ndindex(*shapes[name]):
                seed = np.zeros(shapes[name])
                seed[index] = 1.0
                dot = tangents_columns(tape, {inputs[name]: seed if seed.ndim else 1.0}, np)
                d = dot[tape.output]
                g[index] = 0.0 if d is None else float(d)
            gradient[name] = g
        sweeps = elements
    for name, g in gradient.items():
        if not np.all(np.isfinite(g)):
            bad = np.argwhere(~np.isfinite(np.atleast_1d(g)))[0]
            raise MathError(f"the derivative with respect to {name} is infinite or "
                            f"undefined at element {_index(bad, g)} in {mode} mode")
    return Derivative(problem.text, mode, dict(problem.point), float(tape.value), gradient,
                      cost={"sweeps": sweeps, "tape_entries": len(tape),
                            "edges": tape.edge_count,
                            "stored_values": sum(getattr(v, "size", 1) for v in tape.values),
                            "stored_bytes": tape.stored_bytes},
                      warnings=array_kinks(tape, np))


def check_values(tape, np) -> None:
    """The first entry with an element that is not a number, named with its element."""
    from ..ops import OPS
    from ..tape.diagnosis import at_row

    # the inputs, the point's values, were checked when read: looked at again only
    # when the formula's value is not a number (a library caller's NaN)
    total = np.sum(tape.value)
    first = len(tape.graph.variables) if total - total == 0 else 0
    for entry, value in enumerate(tape.values[first:], first):
        # one reduction: NaN or inf anywhere makes it so (or an overflow, looked at next)
        total = value.sum() if value.__class__ is np.ndarray else np.sum(value)
        if total - total == 0 or np.all(np.isfinite(value)):
            continue
        node = tape.nodes[entry]
        kind, args, _data = tape.graph.nodes[node]
        bad = np.argwhere(~np.isfinite(np.atleast_1d(value)))[0]
        where = at_row(tape, node)
        if kind not in OPS:
            raise MathError(f"the value of {tape.graph.nodes[node][2] or 'an input'} is not "
                            f"finite at element {_index(bad, value)}")
        op = OPS[kind]
        xs = [tape.node_values[a] for a in args]
        try:
            picked = [float(np.broadcast_to(x, np.shape(value))[tuple(bad)])
                      if np.ndim(value) else float(x) for x in xs]
            defined = all(x - x == 0 for x in picked) and op.in_domain(*picked)
        except (TypeError, ValueError):
            defined = True
        element = f" at element {_index(bad, value)}" if np.ndim(value) else ""
        if not defined and op.domain is not None:
            raise MathError(f"{op.title} is undefined {where}{element}: it needs "
                            f"{op.domain[1]}")
        raise MathError(f"{op.title} has no finite value {where}{element}")


def _index(bad, value) -> str:
    return "[" + ", ".join(str(int(k)) for k in bad) + "]" if getattr(value, "ndim", 0) \
        else "[]"


def array_kinks(tape, np) -> tuple:
    found = []
    for kink in tape.kinks:
        rows = np.argwhere(np.atleast_1d(kink.rows))
        first = "[" + ", ".join(map(str, rows[0])) + "]" if len(rows) else ""
        found.append(Warning("kink", kink.op, tape.row_name(kink.entry),
                             f"{tape.describe(kink.entry)} is at a kink of {kink.op} at "
                             f"{len(rows)} element{'s' if len(rows) != 1 else ''} (first "
                             f"{first}); using the one-sided subgradient"))
    return tuple(found)


def differences(problem) -> Derivative:
    """Central differences element by element (two evaluations per element), each
    with the error model's step eps^(1/3)·max(1, |x|); no complex step or other
    methods on arrays yet."""
    import numpy as np

    from ..ops.namespaces import numpy_math
    from ..tape.record import record

    if problem.method not in ("auto", "central"):
        raise UsageError(f"--method {problem.method} is not available for vectors and "
                         f"matrices: central differences only (--method central)")
    if problem.digits is not None:
        raise UsageError("--precision computes in mpmath, which has no arrays: leave it out "
                         "for a formula of vectors or matrices")
    m = numpy_math()

    def f(point):
        tape = record(problem.graph, point, m, partials=False)
        check_values(tape, np)
        return tape.value

    value = f(problem.point)
    if np.size(value) != 1 or np.ndim(value) > 0:
        raise UsageError(f"diff differentiates a formula whose value is one number; this "
                         f"one is an array of shape {np.shape(value)}: use jacobian")
    gradient, evaluations = {}, 1
    for name in problem.wrt:
        x = np.asarray(problem.point[name], dtype=float)
        g = np.zeros(x.shape)
        for index in np.ndindex(*x.shape):
            h = problem.step or np.finfo(float).eps ** (1 / 3) * max(1.0, abs(x[index]))
            up, down = x.copy(), x.copy()
            up[index] += h
            down[index] -= h
            step = up[index] - down[index]  # what the steps really are, rounded
            g[index] = (f({**problem.point, name: up}) - f({**problem.point, name: down})) \
                / step
            evaluations += 2
        gradient[name] = g if x.ndim else float(g)
    return Derivative(problem.text, "numerical", dict(problem.point), float(value), gradient,
                      cost={"evaluations": evaluations},
                      details={"method": "central", "note": "central differences per "
                               f"element: {evaluations - 1} evaluations"})
