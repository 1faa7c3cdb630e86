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
