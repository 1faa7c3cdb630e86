"""Symbolic and reverse mode where they used to refuse a derivative that exists.

Each expected number is independent of adcli: a closed form, or mpmath's
``diff`` at 50 digits of the function written out in mpmath.
"""

from __future__ import annotations

import mpmath as mp
import pytest

from adcli.api import differentiate
from adcli.errors import MathError
from adcli.studies.entry import hessian_at
from support import assert_one_error_line, close

MODES = ("forward", "reverse", "symbolic", "numerical")


def mp_derivative(f, x):
    with mp.workdps(50):
        return float(mp.diff(f, mp.mpf(x)))


# -- max/min of three arguments -------------------------------------------------

def test_three_argument_max_gradient():
    got = differentiate("max(relu(x), max(y, x), exp(y))", ["x=0.253", "y=0.36"],
                        mode="symbolic")
    # exp(y) is the largest there: d/dx 0, d/dy exp(0.36)
    assert got.gradient["x"] == 0
    assert close(got.gradient["y"], float(mp.exp(mp.mpf("0.36"))), 1e-15)


@pytest.mark.parametrize("text, at, want", [
    ("min(x, y, 0.5*x*y)", ["x=2", "y=3"], {"x": 1.0, "y": 0.0}),
    ("max(sin(x), cos(x), x - 1)", ["x=0.3"], {"x": float(-mp.sin(mp.mpf("0.3")))}),
])
def test_three_argument_extrema(text, at, want):
    got = differentiate(text, at, mode="symbolic")
    for name, value in want.items():
        assert close(got.gradient[name], value, 1e-14, 1e-300), (name, got.gradient)


# -- a detached constant inside atan2 ------------------------------------------

@pytest.mark.parametrize("y", ["0.5", "-0.7", "2.5"])
def test_atan2_of_a_detached_constant(y):
    def f(t):  # cbrt as the real cube root; detach(3) is 3 in value
        return mp.acos(mp.atan2(mp.sign(t) * mp.cbrt(abs(t)), 3))

    got = differentiate("acos(atan2(cbrt(y), detach(3)))", [f"y={y}"], mode="symbolic")
    assert close(got.gradient["y"], mp_derivative(f, y), 1e-13)


def test_detached_variable_is_constant_in_symbolic_mode():
    got = differentiate("atan2(y, detach(y))", ["y=0.5"], mode="symbolic")
    # d/dy atan2(y, c) = c / (y^2 + c^2) with c = 0.5
    assert close(got.gradient["y"], 0.5 / 0.5, 1e-14)


# -- 0 times an infinite partial in reverse mode --------------------------------

@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_constant_zero_under_sqrt(mode):
    got = differentiate("sqrt(atanh(x - x))", ["x=0.395"], mode=mode)
    assert got.gradient["x"] == 0  # the function is 0 everywhere


def test_reverse_still_refuses_a_true_infinite_partial():
    got = differentiate("sqrt(x - x) + sqrt(y)", ["x=0.3", "y=0"], wrt=["x"], mode="reverse")
    assert got.gradient["x"] == 0
    with pytest.raises(MathError, match="sqrt"):
        differentiate("sqrt(x - x) + sqrt(y)", ["x=0.3", "y=0"], mode="reverse")


def test_reverse_cancelling_infinities_cli(run):
    result = run("diff", "sqrt(atanh(x - x))", "--at", "x=0.395", "--mode", "reverse",
                 "--quiet")
    assert result.exit_code == 0, result.stderr
    assert float(result.stdout) == 0


# -- powers at base 0 -----------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_power_at_base_zero_along_the_exponent(mode):
    # x**y = 0 for every y > 0 at x = 0: the partial in y is 0
    got = differentiate("x**y", ["x=0", "y=0.5"], wrt=["y"], mode=mode)
    assert got.gradient["y"] == 0


def test_power_at_base_zero_along_the_base():
    # d/dx x**2.5 = 2.5 x**1.5 = 0 at 0
    got = differentiate("x**y", ["x=0", "y=2.5"], mode="symbolic")
    assert got.gradient == {"x": 0.0, "y": 0.0}


@pytest.mark.parametrize("at", [["x=0", "y=0"], ["x=0", "y=0.5"]])
def test_power_at_base_zero_still_refused_where_undefined(at):
    # at (0, 0) x**y jumps in y (1 at y = 0, 0 above); at (0, 0.5) d/dx is infinite
    wrt = ["y"] if at[1] == "y=0" else ["x"]
    with pytest.raises(MathError):
        differentiate("x**y", at, wrt=wrt, mode="symbolic")


@pytest.mark.parametrize("mode", MODES)
def test_power_at_base_zero_with_an_integer_power(mode):
    # x**2 at 0: both partials 0 (d/dy x**y = 0 for every y > 0 at x = 0)
    got = differentiate("x**y", ["x=0", "y=2"], mode=mode)
    assert got.gradient == {"x": 0.0, "y": 0.0}


@pytest.mark.parametrize("text", ["hypot(x, y)", "atan2(y, x)"])
def test_held_variables_do_not_hide_a_kink_or_a_jump(text):
    # hypot(x, 0) = |x| has slopes -1 and 1 at 0; atan2(0, x) jumps from pi to 0
    with pytest.raises(MathError):
        differentiate(text, ["x=0", "y=0"], wrt=["x"], mode="symbolic")


def test_power_at_base_zero_cli(run):
    result = run("diff", "x**y", "--at", "x=0", "--at", "y=0.5", "--wrt", "y",
                 "--mode", "symbolic", "--quiet")
    assert result.exit_code == 0, result.stderr
    assert float(result.stdout) == 0
    refused = run("diff", "x**y", "--at", "x=0", "--at", "y=0.5", "--mode", "symbolic")
    assert_one_error_line(refused, 1, "with respect to x")


# -- an untaken branch undefined at the point ----------------------------------

@pytest.mark.parametrize("text, x, f", [
    ("where(x > 0, log(x), x)", "-0.5", lambda t: t),
    ("log(x) if x > 0 else x**2", "-0.5", lambda t: t**2),
    ("relu(where((0.5 + 2) < sign(x), sqrt(x), log2(1.5)))", "-0.82",
     lambda t: mp.log(1.5, 2)),
    ("logaddexp(where(sqrt(sigmoid(x)) <= asin(where(10 <= e, 3, x)), "
     "min(log2(x), sigmoid(x), (x / x)), x), x)", "-0.762688",
     lambda t: mp.log(2 * mp.exp(t))),
    ("erf(max(sigmoid(y), log2(y)))", "0.8", lambda t: mp.erf(1 / (1 + mp.exp(-t)))),
])
def test_taken_branch_decides(text, x, f):
    name = "y" if "y" in text else "x"
    got = differentiate(text, [f"{name}={x}"], mode="symbolic")
    assert close(got.gradient[name], mp_derivative(f, x), 1e-13, 1e-15)


@pytest.mark.parametrize("text, x, f", [
    # SymPy cannot build these whole: relu/log10 compare an untaken branch that is
    # not real (atanh(10), log10(0) = zoo); the taken branches still give the derivative
    ("relu(where(0.25 >= x, atanh(10), 0.25))", "0.52", lambda t: mp.mpf(0.25)),
    ("tan(where(x < log10(relu(x)), sign(acosh(x)), x))", "1.29", mp.tan),
])
def test_formula_sympy_cannot_build_whole(text, x, f):
    got = differentiate(text, [f"x={x}"], mode="symbolic")
    assert close(got.gradient["x"], mp_derivative(f, x), 1e-13, 1e-15)
    assert "taken" in got.details["note"]


def test_formula_sympy_cannot_build_whole_cli(run):
    result = run("diff", "relu(where(0.25 >= x, atanh(10), 0.25))", "--at", "x=0.52",
                 "--mode", "symbolic", "--quiet")
    assert result.exit_code == 0, result.stderr
    assert float(result.stdout) == 0


def test_taken_branch_decides_in_the_symbolic_hessian():
    got = hessian_at("where(x > 0, log(x), x**3)", ["x=-0.5"], mode="symbolic")
    assert close(got.matrix[0][0], 6 * -0.5, 1e-14)


# -- swell --order with several variables ---------------------------------------

def test_swell_order_with_several_variables_is_a_usage_error(run):
    result = run("swell", "x*y*z", "--at", "x=1,y=2,z=3", "--order", "4")
    assert_one_error_line(result, 2, "--wrt")


def test_swell_order_for_one_of_several_variables(run):
    import json

    import sympy

    result = run("swell", "x*y*z", "--at", "x=1,y=2,z=3", "--order", "3", "--wrt", "x",
                 "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["rows"]
    x, y, z = sympy.symbols("x y z", real=True)
    want = [sum(1 for _ in sympy.preorder_traversal(sympy.diff(x * y * z, x, k)))
            for k in (1, 2, 3)]
    assert [r["order"] for r in rows] == [1, 2, 3]
    assert [r["symbolic_nodes"] for r in rows] == want  # y*z, then 0, 0


def test_swell_without_order_compares_the_gradient(run):
    import json

    result = run("swell", "x*y*z", "--at", "x=1,y=2,z=3", "--format", "json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["gradient"] is True and [r["order"] for r in out["rows"]] == [1]
    assert result.stderr == ""


# -- SymPy's LaTeX printer has a share of the budget ----------------------------

def test_slow_latex_printing_falls_back_to_the_text(monkeypatch):
    import signal
    import time

    from adcli.backends import symbolic

    def never_done(expr):  # as SymPy's printer simplifying a large product
        while True:
            time.sleep(0.01)

    monkeypatch.setattr(symbolic, "LATEX_SECONDS", 0.05)
    monkeypatch.setattr(symbolic, "sympy_latex", never_done)
    got = differentiate("x*sin(x)", ["x=0.5"], mode="symbolic")
    assert got.formulas["x"].latex is None  # the LaTeX output writes the text
    x = mp.mpf("0.5")
    assert close(got.gradient["x"], float(mp.sin(x) + x * mp.cos(x)), 1e-15)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # the budget's timer is off


def test_a_whole_formula_slow_to_build_gives_its_taken_branches(monkeypatch):
    import time

    from adcli.backends import symbolic

    real = symbolic.taken_expression

    def slow_when_whole(problem, symbols, taken_only=True):
        while not taken_only:  # as SymPy folding nested Piecewise for 30 s
            time.sleep(0.01)
        return real(problem, symbols, taken_only)

    monkeypatch.setattr(symbolic, "WHOLE_SHARE", 0.01)
    monkeypatch.setattr(symbolic, "taken_expression", slow_when_whole)
    got = differentiate("relu(where(x*x <= 0.5, x**3, sin(x)))", ["x=0.5"], mode="symbolic")
    assert close(got.gradient["x"], 3 * 0.5**2, 1e-15)  # x**3 is taken: 0.25 <= 0.5
    assert "taken" in got.details["note"]
