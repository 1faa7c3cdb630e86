"""Refusals and crashes at smooth points: where a correct number exists, give it.

Every expected value is a closed form computed here with math/mpmath.
"""

from __future__ import annotations

import math

import pytest


def _quiet(run, *args) -> list[float]:
    result = run(*args, "-q")
    assert result.exit_code == 0, result.stderr
    return [float(v) for v in result.stdout.split()]


# --- the complex step is not fooled by rounding into "not analytic" -------------

@pytest.mark.parametrize("x", [-10.0, -8.0, -6.5, -5.0, -4.0, -3.0, -1.0, 0.0, 3.0, 30.0])
@pytest.mark.parametrize("method", ["complex", "auto"])
def test_softplus_complex_step(run, x, method):
    got = _quiet(run, "diff", "softplus(x)", "--at", f"x={x}", "--mode", "numerical",
                 "--method", method)
    assert got == [pytest.approx(1 / (1 + math.exp(-x)), rel=1e-14)]


@pytest.mark.parametrize("formula, at, want", [
    ("sin(x**5)", ["--at", "x=1.6"], [5 * 1.6 ** 4 * math.cos(1.6 ** 5)]),
    ("sin(x*x*x*x*x)", ["--at", "x=1.6"], [5 * 1.6 ** 4 * math.cos(1.6 ** 5)]),
    ("exp(x) - (y + log10(2 + pi))", ["--at", "x=-1", "--at", "y=-0.3"], [math.exp(-1), -1.0]),
    ("log1p(x)", ["--at", "x=-0.9"], [10.0]),
    ("sqrt(x**2 + 1)", ["--at", "x=3"], [3 / math.sqrt(10)]),
])
def test_complex_step_at_smooth_points(run, formula, at, want):
    got = _quiet(run, "diff", formula, *at, "--mode", "numerical", "--method", "complex")
    assert got == pytest.approx(want, rel=1e-13)


@pytest.mark.parametrize("formula, at", [("sqrt(x)", "x=0"), ("sqrt(x - 1)", "x=1"),
                                         ("sqrt(x*x*x)", "x=0")])
def test_complex_step_still_refuses_branch_points(run, formula, at):
    result = run("diff", formula, "--at", at, "--mode", "numerical", "--method", "complex")
    assert result.exit_code == 1
    assert "complex step" in result.stderr


def test_complex_step_branch_point_check_itself(monkeypatch):
    """The analyticity check on the complex tape, without the partials' refusal first."""
    from adcli.backends import FormulaSource, Problem
    from adcli.backends.numerical import complex_step
    from adcli.errors import MathError
    from adcli.language.parser import parse
    from adcli.ops.namespaces import FLOAT
    from adcli.tape.record import record

    graph = parse("sqrt(x - 1) + 2")
    problem = Problem("f", graph, {"x": 1.0}, ("x",), source=FormulaSource(graph))
    real = record(graph, {"x": 1.0}, FLOAT, partials=False)
    with pytest.raises(MathError, match="not analytic"):
        complex_step(problem, FLOAT, "x", 1.0, 1e-20, real)


# --- the symbolic mode at smooth points where SymPy cannot prove an argument real ---

def _x16(x: float) -> tuple[float, float]:
    """x**(1/6) = cbrt(sqrt(x)): its first and second derivatives."""
    return x ** (-5 / 6) / 6, -5 / 36 * x ** (-11 / 6)


@pytest.mark.parametrize("formula, x, want", [
    ("cbrt(sqrt(x))", 0.5, _x16(0.5)[0]),
    ("sign(log(x))*x", 0.56, -1.0),
    ("sign(log(x))*x", 1.7, 1.0),
    ("abs(log(x))", 0.5, -2.0),
    ("cbrt(x)", -8.0, 1 / 12),
])
@pytest.mark.parametrize("mode", ["symbolic", "reverse"])
def test_gradient_where_sympy_cannot_prove_realness(run, formula, x, want, mode):
    got = _quiet(run, "diff", formula, "--at", f"x={x}", "--mode", mode)
    assert got == [pytest.approx(want, rel=1e-13)]


def _abs_tan_second(x: float) -> float:
    t = math.tan(x + math.sqrt(2))  # negative here: |tan| = -tan
    return -2 * t * (1 + t * t)


@pytest.mark.parametrize("formula, x, want", [
    ("abs(tan(x + sqrt(2)))", 1.26, _abs_tan_second(1.26)),
    ("max(detach(3), x)", 4.0, 0.0),
    ("max(detach(3), x**2)", 4.0, 2.0),
    ("cbrt(sqrt(x))", 0.5, _x16(0.5)[1]),
])
@pytest.mark.parametrize("mode", ["symbolic", "forward-over-reverse"])
def test_hessian_at_smooth_points(run, formula, x, want, mode):
    got = _quiet(run, "hessian", formula, "--at", f"x={x}", "--mode", mode)
    assert got == [pytest.approx(want, rel=1e-12, abs=1e-15)]


@pytest.mark.parametrize("formula", ["sign(x)", "abs(x)*sign(x)*0 + sign(x)"])
def test_symbolic_still_refuses_a_delta_at_its_point(run, formula):
    result = run("diff", formula, "--at", "x=0", "--mode", "symbolic")
    assert result.exit_code == 1
    assert "DiracDelta(0" in result.stderr


# --- Taylor mode at large |x| ----------------------------------------------------

def _mp_derivatives(function, x: float, order: int) -> list[float]:
    import mpmath

    with mpmath.workdps(800):  # e^-800 against 1: the derivatives need the digits
        return [float(mpmath.diff(function, mpmath.mpf(x), k)) for k in range(1, order + 1)]


@pytest.mark.parametrize("name, function", [
    ("tanh", lambda t: __import__("mpmath").tanh(t)),
    ("sigmoid", lambda t: 1 / (1 + __import__("mpmath").exp(-t))),
    ("softplus", lambda t: __import__("mpmath").log1p(__import__("mpmath").exp(t))),
])
@pytest.mark.parametrize("x", [-800.0, -720.0, -30.0, -20.0, -1.5, 0.0, 0.7, 20.0, 30.0,
                               720.0, 800.0])
def test_taylor_mode_is_stable_at_large_arguments(run, name, function, x):
    got = _quiet(run, "diff", f"{name}(x)", "--at", f"x={x}", "--order", "4")
    want = _mp_derivatives(function, x, 4)
    assert len(got) == 4
    for g, w in zip(got, want):
        # subnormal results (e^-720) keep few digits; near 0 a zero derivative
        # is rounding-sized
        assert g == pytest.approx(w, rel=1e-10, abs=1e-13 if abs(x) < 5 else 1e-300)
        assert math.copysign(1, g) == math.copysign(1, w) or w == 0


# --- --precision: a bare constant as the taken branch keeps every digit ----------

@pytest.mark.parametrize("constant", ["e", "pi"])
def test_precision_bare_constant_branch(run, constant):
    import json

    import mpmath

    result = run("diff", f"{constant} if x > 0 else x", "--at", "x=1", "--precision", "40",
                 "-f", "json")
    assert result.exit_code == 0, result.stderr
    value = json.loads(result.stdout, parse_float=str)["value"]  # every digit, as text
    with mpmath.workdps(40):
        assert value == mpmath.nstr(+getattr(mpmath, constant), 40)


# --- the same argument twice is no tie -------------------------------------------

@pytest.mark.parametrize("formula, x, want", [
    ("min(x, x, 0.75)", 0.5, [1.0, 0.0]),
    ("max(x, x)", 0.5, [1.0, 0.0]),
    ("max(x, x)*x", 0.5, [1.0, 2.0]),   # x^2
    ("min(x, x, 0.75)", 1.0, [0.0, 0.0]),
])
def test_repeated_argument_order_2(run, formula, x, want):
    assert _quiet(run, "diff", formula, "--at", f"x={x}", "--order", "2") == want


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("formula", ["max(x, x)", "min(x, x, 0.75)"])
def test_repeated_argument_is_no_kink(run_json, run, mode, formula):
    out = run_json("diff", formula, "--at", "x=0.5", "--mode", mode)
    assert out["gradient"] == {"x": 1.0} and out["warnings"] == []
    assert run("diff", formula, "--at", "x=0.5", "--mode", mode, "--strict").exit_code == 0


def test_a_true_tie_is_still_a_kink(run_json):
    out = run_json("diff", "max(x, y)", "--at", "x=0.5", "--at", "y=0.5")
    (warning,) = out["warnings"]
    assert warning["kind"] == "kink"
    assert warning["left"] == {"x": 0.0, "y": 0.0} and warning["right"] == {"x": 1.0, "y": 1.0}


def test_a_formula_sympy_cannot_print_in_latex_still_differentiates(run):
    """SymPy's LaTeX printer fails on Max(zoo, ...) (it sorts the arguments): the
    derivative is still computed, and the LaTeX table falls back to the text."""
    import math

    args = ("diff", "erf(max(sigmoid(y), log2(z)))", "--at", "y=0.8", "--at", "z=0.06",
            "--mode", "symbolic")
    result = run(*args, "-f", "json")
    assert result.exit_code == 0, result.stderr
    s = 1 / (1 + math.exp(-0.8))
    want = 2 / math.sqrt(math.pi) * math.exp(-s * s) * s * (1 - s)
    import json

    assert abs(json.loads(result.stdout)["gradient"]["y"] - want) < 1e-12
    assert run(*args, "-f", "latex").exit_code == 0
