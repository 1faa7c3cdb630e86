"""Taylor mode and nested AD against known series and SymPy at high precision."""

from __future__ import annotations

import math

import mpmath
import pytest
import sympy

from adcli.tape.second_order import nested_derivatives
from adcli.api import differentiate
from adcli.errors import MathError
from adcli.language.parser import parse

x = sympy.Symbol("x", real=True)

#: formula for adcli, the same in SymPy, a point (several ops of each kind)
FORMULAS = [
    ("exp(sin(x))*x**x", sympy.exp(sympy.sin(x)) * x**x, 1.5),
    ("log(1 + x**2)/sqrt(x)", sympy.log(1 + x**2) / sympy.sqrt(x), 0.7),
    ("tan(x) + tanh(x)*cosh(x) - sinh(x)", sympy.tan(x) + sympy.tanh(x) * sympy.cosh(x)
     - sympy.sinh(x), 0.4),
    ("asin(x) + acos(x/2) + atan(3*x)", sympy.asin(x) + sympy.acos(x / 2)
     + sympy.atan(3 * x), 0.3),
    ("asinh(x) + acosh(x + 2) + atanh(x/2)", sympy.asinh(x) + sympy.acosh(x + 2)
     + sympy.atanh(x / 2), 0.6),
    ("erf(x)*erfc(x) + atan2(x, 2) + hypot(x, 1)", sympy.erf(x) * sympy.erfc(x)
     + sympy.atan2(x, 2) + sympy.sqrt(x**2 + 1), 0.5),
    ("x**2.5 + cbrt(x) + 2**x + x**x", x**sympy.Rational(5, 2) + sympy.cbrt(x) + 2**x
     + x**x, 1.3),
    ("1/(1 + exp(-x)) + log(1 + exp(x)) + log(x, 3) + log2(x) + log10(x)",
     1 / (1 + sympy.exp(-x)) + sympy.log(1 + sympy.exp(x)) + sympy.log(x, 3)
     + sympy.log(x, 2) + sympy.log(x, 10), 1.1),
    ("sigmoid(x)*softplus(x) + abs(x) + max(x, 1) + relu(x)",
     sympy.exp(x) / (1 + sympy.exp(x)) * sympy.log(1 + sympy.exp(x)) + x + 1 + x, 0.5),
    ("x**3 if x > 0 else -x", x**3, 2.0),
]


@pytest.mark.parametrize("text, expr, point", FORMULAS, ids=[f[0] for f in FORMULAS])
def test_every_derivative_up_to_order_8_matches_sympy(text, expr, point):
    result = differentiate(text, [f"x={point}"], order=8)
    got = result.details["derivatives"]
    for k in range(9):
        exact = float(sympy.diff(expr, x, k).evalf(30, subs={x: sympy.Float(point, 30)}))
        assert got[k] == pytest.approx(exact, rel=1e-11, abs=1e-11), (k, got[k], exact)


@pytest.mark.parametrize("text, coefficient", [
    ("exp(x)", lambda k: 1 / math.factorial(k)),
    ("sin(x)", lambda k: 0 if k % 2 == 0 else (-1) ** (k // 2) / math.factorial(k)),
    ("1/(1 - x)", lambda k: 1.0),
    ("log(1 + x)", lambda k: 0 if k == 0 else (-1) ** (k + 1) / k),
])
def test_known_series_at_zero(text, coefficient):
    got = differentiate(text, ["x=0"], order=12).details["derivatives"]
    for k, d in enumerate(got):
        assert d / math.factorial(k) == pytest.approx(coefficient(k), abs=1e-15)


def test_order_20_of_the_design_example_is_fast_and_exact():
    got = differentiate("exp(sin(x))*x**x", ["x=1.5"], order=20).details["derivatives"]
    f = lambda t: mpmath.exp(mpmath.sin(t)) * t**t  # noqa: E731
    with mpmath.workdps(40):
        for k in (10, 15, 20):
            exact = float(mpmath.diff(f, mpmath.mpf(1.5), k))
            assert got[k] == pytest.approx(exact, rel=1e-9)


@pytest.mark.parametrize("text, point", [("abs(x)", "0"), ("sqrt(x)", "0"),
                                          ("max(x, 1)", "1")])
def test_no_expansion_at_a_kink_or_branch_point_is_a_clear_error(text, point):
    with pytest.raises(MathError, match="Taylor"):
        differentiate(text, [f"x={point}"], order=3)


def test_order_needs_one_variable():
    from adcli.errors import UsageError

    with pytest.raises(UsageError, match="one variable"):
        differentiate("x*y", ["x=1", "y=2"], order=2)
    assert differentiate("x*y", ["x=1", "y=2"], wrt=["y"], order=2).details[
        "derivatives"] == [2.0, 1.0, 0.0]


def test_nested_ad_agrees_and_grows():
    graph = parse("exp(sin(x))*x**x")
    taylor = differentiate("exp(sin(x))*x**x", ["x=1.5"], order=6).details["derivatives"]
    sizes = []
    for k, entries, value in nested_derivatives(graph, {"x": 1.5}, "x", 6):
        assert value == pytest.approx(taylor[k], rel=1e-11)
        sizes.append(entries)
    assert all(b > 1.5 * a for a, b in zip(sizes, sizes[1:]))


def test_cli_order_json(run_json):
    out = run_json("diff", "exp(x)", "--at", "0", "--order", "5")
    assert out["mode"] == "taylor" and out["derivatives"] == [1.0] * 6
