"""Table-driven tests of every primitive in ``adcli.ops.OPS``.

Every op is checked against an *independent* reference written here with
mpmath at 50 digits: its value, each of its partial rules in all four math
namespaces, its domain, and its kinks.  The tests are generated from ``OPS``,
so a new op fails here until it is given sample points and a reference.
"""

from __future__ import annotations

import re
import time

import mpmath
import numpy as np
import pytest
import sympy

from adcli.api import differentiate
from adcli.errors import MathError
from adcli.ops.namespaces import FLOAT, mpmath_math, numpy_math, sympy_math
from adcli.ops import OPS, SURFACE
from support import close

mp = mpmath
DPS = 50
#: References are computed with 30 guard digits, so that a textbook formula
#: like log(1 + exp(x)) keeps 50 correct digits despite its cancellation.
REF_DPS = DPS + 30

# -- independent references (mpmath, written from the textbook definitions) --

REFERENCE = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / y,
    "neg": lambda x: -x,
    "pow": lambda x, y: mp.exp(y * mp.log(x)),
    "sin": mp.sin, "cos": mp.cos, "tan": mp.tan,
    "asin": mp.asin, "acos": mp.acos, "atan": mp.atan,
    "sinh": mp.sinh, "cosh": mp.cosh, "tanh": mp.tanh,
    "asinh": mp.asinh, "acosh": mp.acosh, "atanh": mp.atanh,
    "exp": mp.exp,
    "log": mp.log,
    "log2": lambda x: mp.log(x) / mp.log(2),
    "log10": lambda x: mp.log(x) / mp.log(10),
    "logb": lambda x, b: mp.log(x) / mp.log(b),
    "sqrt": mp.sqrt,
    "cbrt": lambda x: mp.sign(x) * mp.fabs(x) ** (mp.mpf(1) / 3),
    "erf": mp.erf, "erfc": mp.erfc,
    "sigmoid": lambda x: 1 / (1 + mp.exp(-x)),
    "softplus": lambda x: mp.log(1 + mp.exp(x)),
    "atan2": lambda y, x: mp.atan2(y, x),
    "hypot": lambda x, y: mp.sqrt(x * x + y * y),
    "abs": mp.fabs,
    "sign": mp.sign,
    "relu": lambda x: max(x, mp.mpf(0)),
    "max": lambda x, y: max(x, y),
    "min": lambda x, y: min(x, y),
    "stop_gradient": lambda x: x,
}

#: Ops whose declared partial is 0 by definition, not the slope of their value.
NO_DERIVATIVE = {"stop_gradient"}

#: Points inside each op's domain and away from its kinks.
SAMPLES = {
    "add": [(1.5, -0.25), (0.1, 0.2), (-3.0, 7.5)],
    "sub": [(1.5, -0.25), (0.1, 0.2), (-3.0, 7.5)],
    "mul": [(1.5, -0.25), (0.1, 0.2), (-3.0, 7.5)],
    "div": [(1.5, -0.25), (0.1, 0.3), (-3.0, 7.5)],
    "neg": [(1.5,), (-0.3,)],
    "pow": [(2.0, 3.0), (0.5, -1.5), (3.7, 0.3), (1.2, 10.0)],
    "sin": [(-2.0,), (0.3,), (1.1,)],
    "cos": [(-2.0,), (0.3,), (1.1,)],
    "tan": [(-1.2,), (0.3,), (1.4,)],
    "asin": [(-0.9,), (0.3,), (0.7,)],
    "acos": [(-0.9,), (0.3,), (0.7,)],
    "atan": [(-4.0,), (0.3,), (1.7,)],
    "sinh": [(-2.0,), (0.3,), (5.0,)],
    "cosh": [(-2.0,), (0.3,), (5.0,)],
    "tanh": [(-2.0,), (0.5,), (3.0,)],
    "asinh": [(-4.0,), (0.3,), (12.0,)],
    "acosh": [(1.5,), (3.0,), (10.0,)],
    "atanh": [(-0.5,), (0.2,), (0.9,)],
    "exp": [(-3.0,), (0.3,), (10.0,)],
    "log": [(0.1,), (1.5,), (30.0,)],
    "log2": [(0.1,), (1.5,), (30.0,)],
    "log10": [(0.1,), (1.5,), (30.0,)],
    "logb": [(2.0, 3.0), (0.5, 0.2), (10.0, 1.5)],
    "sqrt": [(0.25,), (2.0,), (100.0,)],
    "cbrt": [(-8.5,), (-0.3,), (2.0,), (27.1,)],
    "erf": [(-1.5,), (0.3,), (2.0,)],
    "erfc": [(-1.5,), (0.3,), (2.0,)],
    "sigmoid": [(-30.0,), (-1.0,), (0.5,), (20.0,)],
    "softplus": [(-30.0,), (-1.0,), (0.5,), (20.0,)],
    "atan2": [(1.0, 2.0), (-0.5, -1.5), (2.0, -0.3), (-1.0, 0.5)],
    "hypot": [(3.0, 4.0), (-1.0, 0.2), (0.5, -2.0)],
    "abs": [(-2.5,), (0.7,)],
    "sign": [(-3.0,), (0.4,)],
    "relu": [(-1.5,), (2.5,)],
    "max": [(1.0, 2.0), (3.0, -1.0), (-0.5, -0.6)],
    "min": [(1.0, 2.0), (3.0, -1.0), (-0.5, -0.6)],
    "stop_gradient": [(1.5,), (-2.0,)],
}

#: Points outside each op's domain (every op with a domain must have some).
OUTSIDE = {
    "div": [(1.0, 0.0)],
    "pow": [(-1.0, 0.5), (0.0, -1.0)],
    "asin": [(1.5,), (-2.0,)],
    "acos": [(2.0,)],
    "acosh": [(0.5,)],
    "atanh": [(1.0,), (-1.0,)],
    "log": [(-1.0,), (0.0,)],
    "log2": [(0.0,)],
    "log10": [(-3.0,)],
    "logb": [(2.0, 1.0), (-2.0, 3.0), (2.0, -3.0)],
    "sqrt": [(-4.0,)],
}

#: Kinks of the non-smooth ops (every op with a kink must have some).
KINKS = {
    "abs": [(0.0,)],
    "relu": [(0.0,)],
    "sign": [(0.0,)],
    "max": [(1.5, 1.5), (-0.5, -0.5)],
    "min": [(1.5, 1.5), (-0.5, -0.5)],
    "hypot": [(0.0, 0.0)],
}

VARIABLES = ("x", "y")
OPERATOR_SYNTAX = {"add": "x + y", "sub": "x - y", "mul": "x * y", "div": "x / y",
                   "neg": "-x", "pow": "x ** y"}


# -- helpers -----------------------------------------------------------------

def formula(op) -> str:
    """The formula a user types for ``op`` applied to the variables x (, y)."""
    if op.name in OPERATOR_SYNTAX:
        return OPERATOR_SYNTAX[op.name]
    names = sorted(n for n, arities in SURFACE.items() if arities.get(op.arity) == op.name)
    assert names, f"{op.name} cannot be written by a user"
    name = op.name if op.name in names else names[0]
    return f"{name}({', '.join(VARIABLES[:op.arity])})"


def at(point) -> list[str]:
    return [f"{v}={value!r}" for v, value in zip(VARIABLES, point)]


def reference(name):
    if name not in REFERENCE:
        pytest.fail(f"no mpmath reference for op {name!r}: add one to REFERENCE")
    return REFERENCE[name]


def reference_partial(name, point, k):
    """d/d(arg k) of the reference at ``point``, by mpmath.diff at 50 digits."""
    if name in NO_DERIVATIVE:
        return mp.mpf(0)
    f = reference(name)
    with mp.workdps(REF_DPS):
        args = [mp.mpf(a) for a in point]
        if len(args) == 1:
            return mp.diff(f, args[0])
        order = tuple(int(i == k) for i in range(len(args)))
        return mp.diff(f, tuple(args), order)


def partial(op, m, k, out, *args):
    rule = op.partials[k]
    return rule if isinstance(rule, int) else rule(m, out, *args)


def cases(table):
    """``(op, point)`` params for every op; an op missing from ``table`` fails."""
    params = []
    for name in OPS:
        points = table.get(name)
        if not points:
            params.append(pytest.param(name, None, id=f"{name}-missing"))
            continue
        for point in points:
            params.append(pytest.param(name, point, id=f"{name}{point}"))
    return params


def require(point, name, table_name):
    if point is None:
        pytest.fail(f"op {name!r} has no points in {table_name}: add some")


# -- values and partials in each namespace ------------------------------------

@pytest.mark.parametrize("name, point", cases(SAMPLES))
def test_value_float_matches_mpmath(name, point):
    require(point, name, "SAMPLES")
    op = OPS[name]
    assert op.in_domain(*point)
    assert op.kink is None or not op.kink(*point)
    got = op.evaluate(FLOAT, *point)
    with mp.workdps(REF_DPS):
        expected = reference(name)(*map(mp.mpf, point))
    assert close(got, expected, 1e-14), (name, point, got, expected)


@pytest.mark.parametrize("name, point", cases(SAMPLES))
def test_partials_float_match_mpmath_diff(name, point):
    require(point, name, "SAMPLES")
    op = OPS[name]
    out = op.evaluate(FLOAT, *point)
    for k in range(op.arity):
        got = partial(op, FLOAT, k, out, *point)
        expected = reference_partial(name, point, k)
        assert close(got, expected, 1e-12, 1e-15), (name, point, k, got, expected)


def _mpmath_cases():
    return cases(SAMPLES)


@pytest.mark.parametrize("name, point", _mpmath_cases())
def test_partials_mpmath_namespace_at_50_digits(name, point):
    require(point, name, "SAMPLES")
    op, m = OPS[name], mpmath_math()
    with mp.workdps(DPS):
        args = [mp.mpf(a) for a in point]
        out = op.evaluate(m, *args)
        with mp.workdps(REF_DPS):
            expected = reference(name)(*args)
        assert close(out, expected, mp.mpf(10) ** -45), (name, point, out)
        for k in range(op.arity):
            got = partial(op, m, k, out, *args)
            expected = reference_partial(name, point, k)
            assert close(got, expected, mp.mpf(10) ** -40, mp.mpf(10) ** -45), \
                (name, point, k, got, expected)


@pytest.mark.parametrize("name, point", cases(SAMPLES))
def test_partials_sympy_namespace_match_sympy_diff(name, point):
    require(point, name, "SAMPLES")
    op, S = OPS[name], sympy_math()
    symbols = sympy.symbols("a0:%d" % op.arity, real=True)
    expr = op.evaluate(S, *symbols)
    at_point = {s: sympy.Rational(v) for s, v in zip(symbols, point)}

    def number(e):
        v = sympy.N(sympy.sympify(e).subs(at_point), 30)
        assert v.is_real and v.is_finite, (name, point, e, v)
        return mp.mpf(str(v))

    with mp.workdps(REF_DPS):
        assert close(number(expr), reference(name)(*map(mp.mpf, point)), 1e-25)
        for k, s in enumerate(symbols):
            by_sympy = number(sympy.diff(expr, s))
            by_rule = number(partial(op, S, k, expr, *symbols))
            assert close(by_rule, by_sympy, 1e-25, 1e-28), (name, point, k, by_rule, by_sympy)
            expected = reference_partial(name, point, k)
            assert close(by_rule, expected, 1e-25, 1e-28), (name, point, k, by_rule, expected)


@pytest.mark.parametrize("name", list(OPS))
def test_numpy_namespace_matches_float_elementwise(name):
    points = SAMPLES.get(name)
    require(points, name, "SAMPLES")
    op, N = OPS[name], numpy_math()
    columns = [np.array(c, dtype=float) for c in zip(*points)]
    out = np.asarray(op.evaluate(N, *columns), dtype=float)
    assert out.shape == (len(points),)
    for i, point in enumerate(points):
        assert close(out[i], op.evaluate(FLOAT, *point), 1e-13), (name, point)
    for k in range(op.arity):
        got = np.broadcast_to(np.asarray(partial(op, N, k, out, *columns), float), out.shape)
        for i, point in enumerate(points):
            expected = partial(op, FLOAT, k, op.evaluate(FLOAT, *point), *point)
            assert close(got[i], expected, 1e-12, 1e-15), (name, point, k, got[i], expected)


# -- domains ------------------------------------------------------------------

def _domain_cases():
    params = []
    for name, op in OPS.items():
        points = OUTSIDE.get(name)
        if op.domain is None:
            if points:
                params.append(pytest.param(name, points[0], id=f"{name}-has-no-domain"))
            continue
        if not points:
            params.append(pytest.param(name, None, id=f"{name}-missing"))
        for point in points or ():
            params.append(pytest.param(name, point, id=f"{name}{point}"))
    return params


@pytest.mark.parametrize("mode", ["forward", "reverse", "symbolic", "numerical"])
@pytest.mark.parametrize("name, point", _domain_cases())
def test_outside_domain_is_a_math_error_naming_the_op(name, point, mode):
    require(point, name, "OUTSIDE")
    op = OPS[name]
    assert op.domain is not None, f"{name} has no domain but is listed in OUTSIDE"
    assert not op.in_domain(*point)
    # The reference agrees that there is no finite real value there.
    with mp.workdps(DPS):
        try:
            value = reference(name)(*map(mp.mpf, point))
        except (ZeroDivisionError, ValueError):
            value = None
        assert value is None or isinstance(value, mp.mpc) or not mp.isfinite(value)
    with pytest.raises(MathError) as info:
        differentiate(formula(op), at(point), mode=mode)
    assert re.search(rf"\b{OPS[name].title}\b", info.value.message), info.value.message


@pytest.mark.parametrize("name, point", cases(SAMPLES))
def test_sample_points_are_inside_the_domain(name, point):
    require(point, name, "SAMPLES")
    assert OPS[name].in_domain(*point)


# -- kinks --------------------------------------------------------------------

def _kink_cases():
    return [p for p in cases(KINKS)
            if OPS[p.values[0]].kink is not None or p.values[1] is not None]


def derivative_limits(f, point, k):
    """The derivative in argument k just left and just right of ``point``."""
    with mp.workdps(DPS):
        args = [mp.mpf(a) for a in point]
        order = tuple(int(i == k) for i in range(len(args)))
        limits = []
        for side in (-1, 1):
            shifted = list(args)
            shifted[k] += side * mp.mpf(10) ** -20
            limits.append(mp.diff(f, shifted[0]) if len(args) == 1
                          else mp.diff(f, tuple(shifted), order))
        return limits


def one_sided_slopes(f, point, k):
    """Left and right difference quotients at step 1e-30 (50 digits), or None
    if ``f`` jumps at ``point`` (then no one-sided derivative exists)."""
    with mp.workdps(DPS):
        args = [mp.mpf(a) for a in point]
        h = mp.mpf(10) ** -30
        f0 = f(*args)
        slopes = []
        for side in (-1, 1):
            shifted = list(args)
            shifted[k] += side * h
            step = f(*shifted) - f0
            if abs(step) > mp.mpf(10) ** -20:
                return None
            slopes.append(step / (side * h))
        return slopes


def between(value, bounds, tol=1e-15) -> bool:
    lo, hi = min(bounds), max(bounds)
    return lo - tol <= value <= hi + tol


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("name, point", _kink_cases())
def test_kink_gives_declared_subgradient_and_warning(name, point, mode):
    require(point, name, "KINKS")
    op = OPS[name]
    assert op.kink is not None and op.kink(*point)
    result = differentiate(formula(op), at(point), mode=mode)
    variables = VARIABLES[:op.arity]
    assert result.gradient == {v: float(s) for v, s in zip(variables, op.subgradient)}
    kinds = [(w.kind, w.op) for w in result.warnings]
    assert ("kink", name) in kinds, result.warnings


def _symbolic_kink_cases():
    return _kink_cases()


@pytest.mark.parametrize("name, point", _symbolic_kink_cases())
def test_kink_in_symbolic_mode_is_the_subgradient_or_a_math_error(name, point):
    """SymPy's derivative at a kink: a valid subgradient (between the one-sided
    derivatives; SymPy splits a max/min tie 1/2, 1/2) with a kink warning, or
    else a clean MathError."""
    require(point, name, "KINKS")
    op = OPS[name]
    try:
        result = differentiate(formula(op), at(point), mode="symbolic")
    except MathError:
        return
    f = reference(name)
    for k, v in enumerate(VARIABLES[:op.arity]):
        assert between(result.gradient[v], derivative_limits(f, point, k)), (name, k)
    assert ("kink", name) in [(w.kind, w.op) for w in result.warnings]


@pytest.mark.parametrize("name, point", _kink_cases())
def test_declared_subgradient_is_a_valid_one(name, point):
    require(point, name, "KINKS")
    op = OPS[name]
    f = reference(name)
    for k, s in enumerate(op.subgradient):
        limits = derivative_limits(f, point, k)
        assert between(s, limits), (name, point, k, s, limits)
        slopes = one_sided_slopes(f, point, k)
        if slopes is not None:  # continuous there: also within the one-sided slopes
            assert between(s, slopes), (name, point, k, s, slopes)
    if name != "sign":  # the only op with a jump
        assert all(one_sided_slopes(f, point, k) is not None for k in range(op.arity))


# -- undefined derivatives and overflow ---------------------------------------

UNDEFINED_DERIVATIVE = [
    ("sqrt(x)", ["x=0"], "sqrt"),
    ("asin(x)", ["x=1"], "asin"),
    ("asin(x)", ["x=-1"], "asin"),
    ("acos(x)", ["x=1"], "acos"),
    ("acosh(x)", ["x=1"], "acosh"),
    ("cbrt(x)", ["x=0"], "cbrt"),
    ("x**0.5", ["x=0"], "pow"),
    ("x**y", ["x=-2", "y=3"], "pow"),  # d/dy needs log(x), undefined for x < 0
]


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("text, point, name", UNDEFINED_DERIVATIVE)
def test_undefined_derivative_is_a_math_error(text, point, name, mode):
    with pytest.raises(MathError) as info:
        differentiate(text, point, mode=mode)
    assert re.search(rf"\b{OPS[name].title}\b", info.value.message), info.value.message


def _symbolic_undefined_cases():
    return [pytest.param(text, point, name, id=f"{text}@{','.join(point)}")
            for text, point, name in UNDEFINED_DERIVATIVE]


@pytest.mark.parametrize("text, point, name", _symbolic_undefined_cases())
def test_undefined_derivative_is_a_math_error_in_symbolic_mode(text, point, name):
    with pytest.raises(MathError):
        differentiate(text, point, mode="symbolic")


OVERFLOW = [
    ("exp(1000)", [], "exp"),
    ("10**10**10", [], "pow"),
    ("9**9**9**9", [], "pow"),
    ("exp(x)", ["x=1000"], "exp"),
    ("sinh(x)", ["x=800"], "sinh"),
    ("x**y", ["x=10", "y=400"], "pow"),
    ("x * 1e308", ["x=10"], "mul"),
]


@pytest.mark.parametrize("mode", ["forward", "reverse", "symbolic", "numerical"])
@pytest.mark.parametrize("text, point, name", OVERFLOW)
def test_overflow_is_a_quick_math_error(text, point, name, mode):
    start = time.perf_counter()
    with pytest.raises(MathError) as info:
        differentiate(text, point, mode=mode)
    assert time.perf_counter() - start < 5.0
    assert re.search(rf"\b{OPS[name].title}\b", info.value.message), info.value.message
