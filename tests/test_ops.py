"""Tests generated from the op table: every op, every rule, every namespace.

Nothing here names an op: a new entry in ``adcli.ops`` is covered as soon as
it exists, and fails here if it lacks a rule.  Sample points come from one
grid, sorted by each op's own domain and kinks; values are checked across
libraries (floats through math, mpmath at 50 digits, SymPy), each declared
partial against mpmath's numerical derivative of the op's value at 80 digits
and against SymPy's derivative of its SymPy form, Taylor coefficients against
mpmath's Taylor series, and every mode of ``adcli diff`` against the same.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import mpmath as mp
import numpy as np
import pytest
import sympy

from adcli.api import differentiate
from adcli.cli.app import complete_formula
from adcli.errors import MathError
from adcli.language.catalog import language
from adcli.ops import SCALAR_OPS as OPS, SURFACE  # the ops on numbers (arrays: test_arrays)
from adcli.ops.namespaces import FLOAT, complex_math, mpmath_math, numpy_math, sympy_math
from support import close

DPS = 50
#: References are computed with 30 guard digits, so that a textbook formula
#: like log(1 + exp(x)) keeps 50 correct digits despite its cancellation.
REF_DPS = DPS + 30

VARIABLES = ("x", "y")
#: One grid for every op; each op keeps the points inside its domain and off its kinks.
UNARY = [(-2.5,), (-0.7,), (-0.3,), (0.0,), (0.2,), (0.6,), (1.0,), (1.5,), (3.0,)]
BINARY = [(1.5, -0.25), (0.3, 2.0), (-1.5, 0.4), (2.5, 1.5), (0.8, 0.8), (0.0, 0.0),
          (-3.0, 2.0), (1.0, 0.0), (2.0, 1.0), (-0.5, -0.6)]


def grid(op):
    return UNARY if op.arity == 1 else BINARY


@lru_cache(maxsize=None)
def smooth(op, point) -> bool:
    """Inside the domain, off a kink, with a finite value and finite partials,
    declared and numerical (the op is differentiable in a whole neighbourhood)."""
    if not op.in_domain(*point) or (op.kink is not None and op.kink(*point)):
        return False
    try:
        out = apply(op, FLOAT, *point)
        parts = [partial(op, FLOAT, k, out, *point) for k in range(op.arity)]
        numeric = [numeric_partial(op, point, k) for k in range(op.arity)]
    except (ValueError, ZeroDivisionError, OverflowError):
        return False
    return all(map(math.isfinite, [out] + parts)) and \
        all(not isinstance(d, mp.mpc) and mp.isfinite(d) for d in numeric)


def inside(op):
    return [p for p in grid(op) if smooth(op, p)]


def outside(op):
    return [p for p in grid(op) if not op.in_domain(*p)]


def kinks(op):
    return [p for p in grid(op) if op.kink is not None and op.in_domain(*p) and op.kink(*p)]


def cases(points_of):
    return [pytest.param(name, point, id=f"{name}{point}")
            for name, op in OPS.items() for point in points_of(op)]


def apply(op, m, *args):
    """The op's function in namespace ``m``: what the interpreter runs (SymPy's
    sums wait to be built as one n-ary Add, which ``expression`` does)."""
    value = getattr(m, op.name)(*args)
    return m.expression(value) if hasattr(m, "expression") else value


def partial(op, m, k, out, *args):
    rule = op.partials[k]
    return rule if isinstance(rule, int) else rule(m, out, *args)


def value_function(op):
    """The op's value as a function of mpmath numbers (mpmath namespace)."""
    m = mpmath_math()
    return lambda *args: apply(op, m, *args)


def numeric_partial(op, point, k, seen: bool = False):
    """d/d(arg k) of the op's value at ``point``: mpmath.diff at 80 digits."""
    if op.detach and not seen:  # its partial is 0 by decree, not the slope of its value
        return mp.mpf(0)
    f = value_function(op)
    with mp.workdps(REF_DPS):
        args = [mp.mpf(a) for a in point]
        if len(args) == 1:
            return mp.diff(f, args[0])
        return mp.diff(f, tuple(args), tuple(int(i == k) for i in range(len(args))))


def formula(op) -> str:
    """The formula a user types for ``op`` applied to the variables x (, y)."""
    names = VARIABLES[:op.arity]
    if op.symbol:
        return f"{op.symbol[0]}{names[0]}" if op.arity == 1 \
            else f"{names[0]} {op.symbol[0]} {names[1]}"
    name = next(n for n in op.names if SURFACE[n].get(op.arity) == op.name)
    return f"{name}({', '.join(names)})"


def at(point) -> list[str]:
    return [f"{v}={value!r}" for v, value in zip(VARIABLES, point)]


# -- every op declares every rule ----------------------------------------------------

@pytest.mark.parametrize("name", list(OPS))
def test_every_op_declares_every_rule(name):
    op = OPS[name]
    assert op.doc and len(op.partials) == op.arity
    slots = [f"{{{k}}}" for k in range(op.arity)]
    for template in (op.pretty, op.latex):
        assert all(slot in template for slot in slots), (name, template)
        filled = template.format(*VARIABLES[:op.arity])
        assert filled.count("{") == filled.count("}"), (name, filled)
    assert op.symbol or any(SURFACE[n].get(op.arity) == name for n in op.names), \
        f"{name} cannot be written by a user"
    assert op.kink is None or len(op.subgradient) == op.arity
    for m in (FLOAT, mpmath_math(), sympy_math(), numpy_math()):
        assert callable(getattr(m, name, None)), f"{name} has no function in {m.name}"
    if op.holomorphic:
        assert callable(getattr(complex_math(), name, None)), f"{name} lacks a complex form"
    assert len(inside(op)) >= 2, f"the test grid has too few smooth points for {name}"
    if op.domain is not None:
        assert outside(op), f"the test grid never leaves the domain of {name}"


def test_every_name_is_listed_completed_and_parsed():
    listed = " ".join(row.syntax for row in language().entries)
    for name in SURFACE:
        assert f"{name}(" in listed
        assert f"{name}(" in complete_formula(None, None, name[:2])
    for op in OPS.values():
        for symbol in op.symbol:
            assert symbol in listed


# -- values and partials in each namespace -------------------------------------------

@pytest.mark.parametrize("name, point", cases(inside))
def test_value_float_mpmath_and_sympy_agree(name, point):
    op = OPS[name]
    got = apply(op, FLOAT, *point)
    with mp.workdps(REF_DPS):
        by_mpmath = apply(op, mpmath_math(), *map(mp.mpf, point))
        symbols = sympy.symbols("a0:%d" % op.arity, real=True)
        expr = apply(op, sympy_math(), *symbols)
        by_sympy = mp.mpf(str(sympy.N(expr.subs(dict(zip(symbols, map(sympy.Rational, point)))),
                                      REF_DPS)))
        assert close(by_mpmath, by_sympy, mp.mpf(10) ** -45, mp.mpf(10) ** -60), \
            (name, point, by_mpmath, by_sympy)
    assert close(got, by_sympy, 1e-14), (name, point, got, by_sympy)


@pytest.mark.parametrize("name, point", cases(inside))
def test_partials_float_match_mpmath_diff(name, point):
    op = OPS[name]
    out = apply(op, FLOAT, *point)
    for k in range(op.arity):
        got = partial(op, FLOAT, k, out, *point)
        expected = numeric_partial(op, point, k)
        assert close(got, expected, 1e-12, 1e-15), (name, point, k, got, expected)


@pytest.mark.parametrize("name, point", cases(inside))
def test_partials_mpmath_namespace_at_50_digits(name, point):
    op, m = OPS[name], mpmath_math()
    with mp.workdps(DPS):
        args = [mp.mpf(a) for a in point]
        out = apply(op, m, *args)
        for k in range(op.arity):
            got = partial(op, m, k, out, *args)
            expected = numeric_partial(op, point, k)
            assert close(got, expected, mp.mpf(10) ** -40, mp.mpf(10) ** -45), \
                (name, point, k, got, expected)


@pytest.mark.parametrize("name, point", cases(inside))
def test_partials_sympy_namespace_match_sympy_diff(name, point):
    op, S = OPS[name], sympy_math()
    symbols = sympy.symbols("a0:%d" % op.arity, real=True)
    expr = apply(op, S, *symbols)
    at_point = {s: sympy.Rational(v) for s, v in zip(symbols, point)}

    def number(e):
        v = sympy.N(sympy.Integer(e) if isinstance(e, int) else e.subs(at_point), 30)
        assert v.is_real and v.is_finite, (name, point, e, v)
        return mp.mpf(str(v))

    with mp.workdps(REF_DPS):
        for k, s in enumerate(symbols):
            by_sympy = number(sympy.diff(expr, s))
            by_rule = number(partial(op, S, k, expr, *symbols))
            assert close(by_rule, by_sympy, 1e-25, 1e-28), (name, point, k, by_rule, by_sympy)


@pytest.mark.parametrize("name", list(OPS))
def test_numpy_namespace_matches_float_elementwise(name):
    op, N = OPS[name], numpy_math()
    points = inside(op)
    columns = [np.array(c, dtype=float) for c in zip(*points)]
    out = np.asarray(apply(op, N, *columns), dtype=float)
    assert out.shape == (len(points),)
    for i, point in enumerate(points):
        assert close(out[i], apply(op, FLOAT, *point), 1e-13), (name, point)
    for k in range(op.arity):
        got = np.broadcast_to(np.asarray(partial(op, N, k, out, *columns), float), out.shape)
        for i, point in enumerate(points):
            expected = partial(op, FLOAT, k, apply(op, FLOAT, *point), *point)
            assert close(got[i], expected, 1e-12, 1e-15), (name, point, k, got[i], expected)


@pytest.mark.parametrize("name, point", [c for c in cases(inside) if OPS[c.values[0]].holomorphic])
def test_complex_step_of_each_holomorphic_op(name, point):
    """Im f(x + ih)/h is the partial, and the real part stays f(x): the complex form
    is analytic and accurate, as the complex-step method needs."""
    op, C = OPS[name], complex_math()
    out = apply(op, FLOAT, *point)
    h = 1e-20
    for k in range(op.arity):
        z = [complex(a) for a in point]
        z[k] += 1j * h
        w = apply(op, C, *z)
        assert close(w.real, out, 1e-14, h), (name, point, w)
        assert close(w.imag / h, partial(op, FLOAT, k, out, *point), 1e-12, 1e-15), (name, k)


# -- through the user's door: every mode and Taylor mode ----------------------------

@pytest.mark.parametrize("mode", ["forward", "reverse", "symbolic", "numerical"])
@pytest.mark.parametrize("name, point", cases(lambda op: inside(op)[:3]))
def test_every_mode_differentiates_every_op(name, point, mode):
    op = OPS[name]
    result = differentiate(formula(op), at(point), mode=mode)
    rel = 1e-6 if mode == "numerical" and not op.holomorphic else 1e-11
    for k, v in enumerate(VARIABLES[:op.arity]):
        # differences of values see through an op whose partial is 0 by decree
        expected = numeric_partial(op, point, k, seen=mode == "numerical")
        assert close(result.gradient[v], expected, rel, rel), (name, point, mode, v)


def _taylor_cases():
    return cases(lambda op: inside(op)[:2])


@pytest.mark.parametrize("name, point", _taylor_cases())
def test_taylor_mode_of_every_op_matches_mpmath(name, point):
    op = OPS[name]
    order = 5
    got = differentiate(formula(op), at(point), wrt=["x"], order=order).details["derivatives"]
    f = value_function(op)
    with mp.workdps(REF_DPS):
        rest = [mp.mpf(a) for a in point[1:]]
        want = mp.taylor(lambda t: f(t, *rest), mp.mpf(point[0]), order)
        for k, c in enumerate(want):
            expected = 0 if op.detach and k else c * mp.factorial(k)
            assert close(got[k], expected, 1e-9, 1e-9), (name, point, k, got[k], expected)


@pytest.mark.parametrize("name, point", cases(lambda op: inside(op)[:1]))
def test_tape_rules_print_from_the_op_table(name, point, run):
    op = OPS[name]
    result = run("tape", *sum((["--at", a] for a in at(point)), []),
                 "--mode", "both", "--format", "latex", "--", formula(op))
    assert result.exit_code == 0, result.stderr
    args = [f"v_{{{k + 1}}}" for k in range(op.arity)]
    assert op.latex.format(*args) in result.stdout, result.stdout


# -- domains ---------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["forward", "reverse", "symbolic", "numerical"])
@pytest.mark.parametrize("name, point", cases(outside))
def test_outside_domain_is_a_math_error_naming_the_op(name, point, mode):
    op = OPS[name]
    with pytest.raises(MathError) as info:
        differentiate(formula(op), at(point), mode=mode)
    assert re.search(rf"\b{op.title}\b", info.value.message), info.value.message


# -- kinks -----------------------------------------------------------------------------

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
@pytest.mark.parametrize("name, point", cases(kinks))
def test_kink_gives_declared_subgradient_and_warning(name, point, mode):
    op = OPS[name]
    result = differentiate(formula(op), at(point), mode=mode)
    variables = VARIABLES[:op.arity]
    assert result.gradient == {v: float(s) for v, s in zip(variables, op.subgradient)}
    assert ("kink", name) in [(w.kind, w.op) for w in result.warnings], result.warnings


@pytest.mark.parametrize("name, point", cases(kinks))
def test_kink_in_symbolic_mode_is_the_subgradient_or_a_math_error(name, point):
    """SymPy's derivative at a kink: a valid subgradient (between the one-sided
    derivatives; SymPy splits a max/min tie 1/2, 1/2) with a kink warning, or
    else a clean MathError."""
    op = OPS[name]
    try:
        result = differentiate(formula(op), at(point), mode="symbolic")
    except MathError:
        return
    f = value_function(op)
    for k, v in enumerate(VARIABLES[:op.arity]):
        assert between(result.gradient[v], derivative_limits(f, point, k)), (name, k)
    assert ("kink", name) in [(w.kind, w.op) for w in result.warnings]


@pytest.mark.parametrize("name, point", cases(kinks))
def test_declared_subgradient_is_a_valid_one(name, point):
    op = OPS[name]
    f = value_function(op)
    for k, s in enumerate(op.subgradient):
        assert between(s, derivative_limits(f, point, k)), (name, point, k, s)
        slopes = one_sided_slopes(f, point, k)
        if slopes is not None:  # continuous there: also within the one-sided slopes
            assert between(s, slopes), (name, point, k, s, slopes)


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
def test_overflow_is_a_math_error(text, point, name, mode):
    with pytest.raises(MathError) as info:
        differentiate(text, point, mode=mode)
    assert re.search(rf"\b{OPS[name].title}\b", info.value.message), info.value.message
