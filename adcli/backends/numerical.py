"""Numerical differentiation: finite differences, Richardson, complex step.

Every method re-evaluates the formula at nearby points (re-recording the
graph, values only).  Steps come from the error model unless given: with unit
round-off eps and scale s = max(1, |x|),

* one-sided differences, error O(h) + O(eps/h): h = eps^(1/2) s;
* central differences, O(h^2) + O(eps/h): h = eps^(1/3) s;
* the five-point stencil, O(h^4) + O(eps/h): h = eps^(1/5) s;
* Richardson extrapolation of central differences at h, h/2, h/4, ...:
  each level removes the next even power of h, and the difference of the
  last two diagonal entries estimates the error;
* the complex step Im f(x + ih)/h, exact to O(h^2) with no cancellation at
  all, so h can be tiny -- available when every op on the path is holomorphic
  and the formula has no conditional.
"""

from __future__ import annotations

from types import SimpleNamespace

from ..errors import MathError, UsageError
from ..ops.namespaces import FLOAT
from ..ops import OPS
from ..ops.precision import arithmetic, epsilon
from ..records import Derivative, Warning
from ..tape.record import record
from . import METHODS, Problem
from ._common import kink_warnings


#: Richardson: the first step as a fraction of max(1, |x|), and the levels in
#: float64 (two evaluations each; ``--precision D`` uses about D/3).
RICHARDSON_START = 2.0 ** -4
RICHARDSON_LEVELS = 5
#: The complex step never goes below the smallest normal double (a subnormal
#: step would lose the digits of Im f(x + ih)).
_SMALLEST = 2.2250738585072014e-308

#: How many times a step that leaves the domain is cut tenfold before giving up.
SHRINKS = 8


class Function:
    """The formula as a function of one variable at a time; counts its evaluations."""

    def __init__(self, problem: Problem, m, tape):
        self.problem, self.m, self.tape, self.value = problem, m, tape, tape.value
        self.evaluations = 0  # the method's own; f at the point is counted where used
        self.largest = abs(tape.value)  # the largest |f| seen: the scale of round-off

    def __call__(self, name: str, x):
        point = dict(self.problem.point)
        point[name] = x
        self.evaluations += 1
        try:
            value = self.problem.source.value(point, self.m)
        except MathError as exc:
            raise MathError(f"the numerical step in {name} reaches {name} = {x}, "
                            f"outside the domain: {exc.message}") from None
        self.largest = max(self.largest, abs(value))
        return value


def complex_step_refusal(problem: Problem) -> str | None:
    """Why the complex step cannot run on this formula, or None if it can."""
    if problem.graph.has_branches:
        return "complex step unavailable: the formula has a conditional"
    for kind, _args, _data in problem.graph.nodes:
        op = OPS.get(kind)
        if op is not None and not op.holomorphic:
            return f"complex step unavailable: {kind} is not holomorphic"
    return None


def _scale(x) -> float:
    return max(1, abs(x))


def _exact(x, h):
    """The step rounded so that x + h lies exactly h away from x; a step that
    rounds to 0 (x subnormal, or a tiny --step) is refused, not divided by."""
    step = (x + h) - x
    if not step:
        raise MathError(f"a difference step of {h:.3g} from {x!r} rounds to no step at "
                        f"all: differences cannot resolve the function there; use "
                        f"--mode reverse")
    return step


def one_sided(f, name, x, h, sign):
    h = _exact(x, sign * h)
    f.evaluations += 1  # f(x), known already
    return (f(name, x + h) - f.value) / h, None


def central(f, name, x, h):
    h = _exact(x, h)
    return (f(name, x + h) - f(name, x - h)) / (2 * h), None


def five_point(f, name, x, h):
    h = _exact(x, h)
    return (-f(name, x + 2 * h) + 8 * f(name, x + h) - 8 * f(name, x - h)
            + f(name, x - 2 * h)) / (12 * h), None


def richardson(f, name, x, h, levels: int = RICHARDSON_LEVELS):
    """Central differences at h, h/2, ... extrapolated (Neville's table).

    Returns the diagonal entry whose change from the previous one is smallest,
    and that change as the error estimate.
    """
    rows, best, estimate = [], None, None
    for level in range(levels):
        step = _exact(x, h / 2 ** level)
        row = [(f(name, x + step) - f(name, x - step)) / (2 * step)]
        for j in range(1, level + 1):
            row.append(row[j - 1] + (row[j - 1] - rows[-1][j - 1]) / (4 ** j - 1))
        if rows:
            change = abs(row[-1] - rows[-1][-1])
            if estimate is None or change <= estimate:
                best, estimate = row[-1], change
        rows.append(row)
    return best, estimate


def complex_step(problem: Problem, m, name, x, h, real):
    """Im f(x + ih) / h, in complex arithmetic of the same precision.

    Where an op is analytic, Re op(z + ih) = op(z) - op''(z) h^2/2, far below
    the imaginary part op'(z) h (and h itself) unless h is huge.  At a branch
    point (sqrt at 0) both parts are of order sqrt(h) and the quotient would be
    a huge, meaningless number: the first entry of the tape (``real``, recorded at the point) where
    that happens is named and the step refused.
    """
    cm = _complex_namespace(m)
    point = {k: cm.number(v) for k, v in problem.point.items()}
    point[name] = cm.number(x) + 1j * h
    tape = record(problem.graph, point, cm, partials=False)
    # complex and real functions round differently, and each entry inherits the
    # rounding of those before it: the allowance scales with the largest value
    # so far (x**5 at 1.6 is 10.5 with its last digit changed; sin of it, 0.87,
    # differs by that much), far below a branch point's sqrt(h)
    tolerance, scale = 64 * epsilon(m), 0
    for entry, (z, r) in enumerate(zip(tape.values, real.values)):
        scale = max(scale, abs(r))
        if abs(z.real - r) > 1e-3 * abs(z.imag) + tolerance * scale + h:
            op = problem.graph.nodes[tape.nodes[entry]][0]
            raise MathError(f"the derivative of {op} is infinite or undefined at row "
                            f"{real.describe(entry)} ({name} = {x}): the complex step "
                            f"finds it not analytic there")
    return tape.value.imag / h, None


def _complex_namespace(m):
    if m.name == "mpmath":
        import mpmath

        return SimpleNamespace(**{**vars(m), "name": "mpmath complex", "raises": True,
                                  "number": mpmath.mpc, "finite": mpmath.isfinite})
    from ..ops.namespaces import complex_math

    return complex_math()


def central_columns(evaluate, point: dict, names) -> tuple[list, int]:
    """Central differences of a vector-valued ``evaluate(point) -> list`` along each
    name: one column per name, and the evaluations made.  The step follows the
    error model, rescaled near 0 and shrunk near a domain edge as for ``diff``."""
    columns, evaluations = [], 0
    for name in names:
        x = point[name]
        h = _steps(FLOAT, x, "central", None)
        if x and h >= abs(x) / 2:
            h = _steps(FLOAT, x, "central", None, abs(x))
        for attempt in range(SHRINKS + 1):
            step = _exact(x, h)
            try:
                plus = evaluate({**point, name: x + step})
                minus = evaluate({**point, name: x - step})
                break
            except MathError:
                if attempt == SHRINKS:
                    raise
                h /= 10
        evaluations += 2
        columns.append([(a - b) / (2 * step) for a, b in zip(plus, minus)])
    return columns, evaluations


def _steps(m, x, method: str, given, scale=None):
    eps, s = epsilon(m), _scale(x) if scale is None else scale
    if given is not None:
        return given
    return {"forward": eps ** 0.5 * s, "backward": eps ** 0.5 * s,
            "central": eps ** (1 / 3) * s, "five-point": eps ** 0.2 * s,
            "richardson": RICHARDSON_START * s,
            # no cancellation, so h only has to be tiny against x itself
            "complex": max(eps * 1e-4 * (min(1, abs(x)) if x else 1), _SMALLEST)}[method]


def derivative(problem: Problem, m, method: str, name: str, f: Function):
    """``(derivative, step, error estimate)`` of one partial by ``method``.

    Near the edge of the domain (log at 1e-6) the error model's step may leave
    it; unless the user gave the step, it is then scaled by |x| instead of
    max(1, |x|), and shrunk tenfold until every point is inside.
    """
    x = problem.point[name]
    h = _steps(m, x, method, problem.step)
    reach = {"five-point": 2 * h, "richardson": h}.get(method, h)
    if problem.step is None and x and reach >= abs(x) / 2:
        # near 0 (1/x at 1e-5, log at 1e-300, a branch at 0) the error model's
        # scale max(1, |x|) is too coarse: the stencil would cross 0
        h = _steps(m, x, method, None, abs(x))
    if method == "complex":
        f.evaluations += 1
        return (*complex_step(problem, m, name, x, h, f.tape)[:1], h, None)
    for attempt in range(SHRINKS + 1):
        try:
            d, estimate = _difference(problem, f, method, name, x, h)
            if problem.step is None:
                _converges(f, method, name, x, h, d, estimate, lambda step: _difference(
                    problem, f, method, name, x, step)[0])
            return d, h, estimate
        except MathError as error:
            if problem.step is not None or attempt == SHRINKS or \
                    (x == 0 and not isinstance(error, NotConverging)):
                raise
            h = h / 10 if x == 0 else min(h / 10, _steps(m, x, method, None, abs(x)))


class NotConverging(MathError):
    """Difference quotients that change with the step: shrink it, or give up."""


#: The order p of each difference's truncation error O(h^p).
_ORDER = {"forward": 1, "backward": 1, "central": 2, "five-point": 4}


def _converges(f: Function, method: str, name: str, x, h, d, estimate, at) -> None:
    """Refuse a difference quotient that does not converge as the step shrinks.

    At a point where the derivative is infinite (cbrt at 0) the quotient grows
    as h shrinks; where the stencil crosses a jump (atan2's branch cut, a
    conditional) it is of order jump/h; where f varies on a scale far below
    the step (sin at 1e300) it is noise.  The quotient ``at(h/3)`` is compared
    with the one at h: a smooth function moves it by its truncation error only
    -- below 0.1 % of it, or, where f' = 0, by the factor 3^-p of an O(h^p)
    error.  (The check's
    evaluations are not the method's cost and are not counted.)
    """
    counted = f.evaluations
    d2 = at(h / 3)  # not h/4: Richardson's own levels are h/2^k
    f.evaluations, change = counted, abs(d - d2)
    noise = 1e3 * epsilon(f.m) * f.largest / (h / 3)  # round-off in the differences
    if change <= 1e-3 * max(abs(d), abs(d2)) + noise:
        return
    shrink = 3.0 ** -_ORDER.get(method, 2)
    if d and abs(d2 / d - shrink) < 0.25 * shrink:
        return  # f' = 0 (or nearly): the O(h^p) error itself shrinks as it should
    raise NotConverging(f"the difference quotients in {name} do not converge at {name} = "
                        f"{x} ({d!r} at h = {float(h):.3g}, {d2!r} at h/3): the "
                        f"derivative is infinite or undefined there, or f changes faster "
                        f"than any step resolves")


def _difference(problem: Problem, f: Function, method: str, name: str, x, h):
    if method in ("forward", "backward"):
        return one_sided(f, name, x, h, 1 if method == "forward" else -1)
    if method == "central":
        return central(f, name, x, h)
    if method == "five-point":
        return five_point(f, name, x, h)
    # more digits need more Richardson levels: each removes another power of h^2
    levels = RICHARDSON_LEVELS if problem.digits is None else \
        max(RICHARDSON_LEVELS, problem.digits // 3)
    return richardson(f, name, x, h, levels)


def _undefined_partial(problem: Problem, m) -> str | None:
    """The complex step is valid only where f is real-analytic: where every local
    partial on the tape exists.  The first one that does not is named."""
    tape = record(problem.graph, problem.point, m)
    for out, _arg, p in tape.edge_triples():
        if not m.finite(p):
            op = OPS[problem.graph.nodes[tape.nodes[out]][0]].title
            return (f"complex step unavailable: the derivative of {op} is infinite or "
                    f"undefined at row {tape.describe(out)}")
    return None


def resolve(problem: Problem) -> tuple[str, str | None]:
    """The method to run (``auto`` picks) and why the complex step is refused, if it is."""
    method = problem.method
    if method not in METHODS:
        raise UsageError(f"unknown numerical method {method!r}: choose one of "
                         f"{', '.join(METHODS)}")
    refusal = complex_step_refusal(problem)
    if refusal is None and method in ("auto", "complex"):
        with arithmetic(problem.digits) as m:
            refusal = _undefined_partial(problem, m)
    if method == "auto":  # Richardson's wide steps could cross a kink or a branch
        method = "central" if refusal else "complex"
    elif method == "complex" and refusal:
        raise MathError(refusal)
    return method, refusal


def differentiate(problem: Problem) -> Derivative:
    from .shaped import differences, is_shaped

    if is_shaped(problem):  # vectors and matrices: central differences per element
        return differences(problem)
    method, refusal = resolve(problem)
    with arithmetic(problem.digits) as m:
        tape = record(problem.graph, problem.point, m, partials=False)
        f = Function(problem, m, tape)
        gradient, steps, estimates = {}, {}, {}
        for name in problem.wrt:
            gradient[name], steps[name], estimates[name] = derivative(
                problem, m, method, name, f)
    details = {"method": method, "step": steps}
    if any(e is not None for e in estimates.values()):
        details["error_estimate"] = estimates
    if refusal and problem.method == "auto":
        details["note"] = refusal
    warnings = kink_warnings(problem, tape, "finite differences average the slopes on both sides")
    if method != "complex":  # x + ih keeps x's branches
        warnings += problem.source.crossings(problem.point, steps)
    detached = sorted({kind for kind, _a, _d in problem.graph.nodes
                       if kind in OPS and OPS[kind].detach})
    for kind in detached:
        warnings += (Warning(kind, kind, "", f"numerical differences see through {kind}: "
                             f"it only stops AD's derivative"),)
    return Derivative(
        problem.text, "numerical", problem.point, tape.value, gradient,
        cost={"evaluations": f.evaluations}, details=details, warnings=warnings,
        digits=problem.digits)
