"""``adcli steps``: the V-curve of finite-difference error against h.

Expected values come from SymPy/mpmath computed here: the exact derivative,
the exact-arithmetic truncation error of each difference quotient at each
step, and the textbook round-off term eps |f| / h.
"""

from __future__ import annotations

import json
import math
import sys

import mpmath
import pytest
import sympy

EPS = sys.float_info.epsilon
DPS = 60
X = sympy.Symbol("x", real=True)

CASES = [
    ("sin(x)", "1", sympy.sin(X)),
    ("sin(x**2)+exp(x)", "2", sympy.sin(X ** 2) + sympy.exp(X)),
]
IDS = [f"{text}@{at}" for text, at, _ in CASES]
H = [10.0 ** -k for k in range(1, 17)]


def mp_derivative(expr, at: str, order: int) -> mpmath.mpf:
    value = sympy.N(sympy.diff(expr, X, order).subs(X, sympy.Rational(float(at))), DPS)
    with mpmath.workdps(DPS):
        return mpmath.mpf(str(value))


def sweep(run, text: str, at: str, *extra: str) -> dict:
    result = run("steps", text, "--at", at, *extra, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def sweeps():
    from click.testing import CliRunner

    from adcli.cli import cli

    runner = CliRunner()
    out = {}
    for text, at, _ in CASES:
        result = runner.invoke(cli, ["steps", text, "--at", at, "--format", "json"],
                               catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        out[text] = json.loads(result.stdout)
    return out


def test_json_contract(sweeps):
    for text, at, expr in CASES:
        out = sweeps[text]
        assert {"rows", "best", "predicted"} <= set(out)
        assert set(out["best"]) == {"forward", "central", "complex"}
        assert set(out["predicted"]) == {"forward", "central"}
        assert [row["h"] for row in out["rows"]] == pytest.approx(H, rel=1e-15)
        for row in out["rows"]:
            assert set(row) >= {"h", "forward", "central", "complex"}
            for method in ("forward", "central", "complex"):
                assert row[method] is None or row[method] >= 0
        # the best h is the h of the smallest error in its column
        for method in ("forward", "central", "complex"):
            measured = [(row[method], row["h"]) for row in out["rows"]
                        if row[method] is not None]
            assert out["best"][method] == min(measured)[1]
        # the rule-of-thumb steps of the error model
        scale = max(1.0, abs(float(at)))
        assert out["predicted"]["forward"] == pytest.approx(EPS ** 0.5 * scale, rel=1e-12)
        assert out["predicted"]["central"] == pytest.approx(EPS ** (1 / 3) * scale,
                                                            rel=1e-12)
        assert out["exact"] == pytest.approx(float(mp_derivative(expr, at, 1)), rel=1e-15)


@pytest.mark.parametrize("text, at, expr", CASES, ids=IDS)
def test_best_steps_land_in_the_predicted_decades(sweeps, text, at, expr):
    out = sweeps[text]
    # forward: h* ~ 2 sqrt(eps |f| / |f''|) ~ 1e-8
    assert 1e-9 <= out["best"]["forward"] <= 1e-7
    # central: h* ~ (3 eps |f| / |f'''|)^(1/3) ~ 1e-5 .. 1e-6
    assert 1e-7 <= out["best"]["central"] <= 1e-4
    # and the smallest errors are those of the error model at its optimum, or better
    f = abs(float(mp_derivative(expr, at, 0)))
    f2, f3 = abs(float(mp_derivative(expr, at, 2))), abs(float(mp_derivative(expr, at, 3)))
    h_f, h_c = 2 * math.sqrt(EPS * f / f2), (3 * EPS * f / f3) ** (1 / 3)
    best_forward = min(r["forward"] for r in out["rows"] if r["forward"] is not None)
    best_central = min(r["central"] for r in out["rows"] if r["central"] is not None)
    assert best_forward <= 10 * (f2 * h_f / 2 + 2 * EPS * f / h_f)
    assert best_central <= 10 * (f3 * h_c ** 2 / 6 + EPS * f / h_c)
    assert best_forward < 1e-7 and best_central < 1e-9
    # central beats forward at its best
    assert best_central < best_forward


@pytest.mark.parametrize("text, at, expr", CASES, ids=IDS)
def test_complex_step_error_is_flat_below_1e_8(sweeps, text, at, expr):
    out = sweeps[text]
    for row in out["rows"]:
        if row["h"] <= 1e-8 * (1 + 1e-12):
            assert row["complex"] is not None and row["complex"] < 1e-14, row


@pytest.mark.parametrize("text, at, expr", CASES, ids=IDS)
def test_forward_error_at_large_h_is_the_truncation_term(sweeps, text, at, expr):
    row = sweeps[text]["rows"][0]
    assert row["h"] == pytest.approx(0.1)
    f2 = abs(float(mp_derivative(expr, at, 2)))
    assert row["forward"] == pytest.approx(f2 * 0.1 / 2, rel=0.3)


@pytest.mark.parametrize("text, at, expr", CASES, ids=IDS)
def test_whole_curve_within_truncation_plus_round_off(sweeps, text, at, expr):
    """Every point of the V: |error| <= exact truncation (mpmath) + k eps |f| / h."""
    x = float(at)
    fn = sympy.lambdify(X, expr, "mpmath")
    exact = mp_derivative(expr, at, 1)
    f = abs(float(mp_derivative(expr, at, 0)))
    for row in sweeps[text]["rows"]:
        h = (x + row["h"]) - x  # the step a float point really takes
        if h == 0:
            assert row["forward"] is None and row["central"] is None
            continue
        with mpmath.workdps(DPS):
            xm, hm = mpmath.mpf(x), mpmath.mpf(h)
            forward_t = float(abs((fn(xm + hm) - fn(xm)) / hm - exact))
            central_t = float(abs((fn(xm + hm) - fn(xm - hm)) / (2 * hm) - exact))
        assert row["forward"] <= 1.01 * forward_t + 10 * 2 * EPS * f / h, row
        assert row["central"] <= 1.01 * central_t + 10 * EPS * f / h, row


def test_complex_column_empty_for_non_holomorphic(run):
    out = sweep(run, "abs(x)*exp(x)", "0.5")
    assert all(row["complex"] is None for row in out["rows"])
    assert out["best"]["complex"] is None
    assert "abs" in out["complex_note"]
    assert all(row["forward"] is not None for row in out["rows"][:12])


def test_wrt_picks_the_variable(run):
    out = sweep(run, "x*exp(y)", "x=1", "--at", "y=2", "--wrt", "y")
    assert out["exact"] == pytest.approx(math.exp(2), rel=1e-15)
    assert 1e-7 <= out["best"]["central"] <= 1e-4


def test_several_variables_without_wrt_exit_2(run):
    result = run("steps", "x*exp(y)", "--at", "x=1", "--at", "y=2")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("adcli: error:") and "--wrt" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_plot_png_writes_the_file_or_names_matplotlib(run, tmp_path):
    target = tmp_path / "out.png"
    result = run("steps", "sin(x)", "--at", "1", "--plot", str(target))
    try:
        import matplotlib  # noqa: F401
        have_matplotlib = True
    except ImportError:
        have_matplotlib = False
    if have_matplotlib:
        assert result.exit_code == 0, result.stderr
        assert target.exists() and target.stat().st_size > 0
    else:
        assert result.exit_code == 2
        assert "matplotlib" in result.stderr
        assert result.stderr.startswith("adcli: error:")
        assert not target.exists()


def test_plot_with_a_wrong_suffix_exits_2(run, tmp_path):
    target = tmp_path / "x.txt"
    result = run("steps", "sin(x)", "--at", "1", "--plot", str(target))
    assert result.exit_code == 2
    assert result.stderr.startswith("adcli: error:") and ".png" in result.stderr
    assert not target.exists()


def test_precision_does_not_apply(run):
    result = run("steps", "sin(x)", "--at", "1", "--precision", "30")
    assert result.exit_code == 2


@pytest.mark.parametrize("fmt", ["table", "plain", "csv", "markdown"])
def test_every_format_runs(run, fmt):
    result = run("steps", "sin(x)", "--at", "1", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert "1e-08" in result.stdout or "1e-8" in result.stdout


@pytest.mark.parametrize("text, at, expr", CASES, ids=IDS)
def test_crossover_is_where_the_model_terms_meet(sweeps, text, at, expr):
    """2 eps|f|/h = |f''| h/2 one-sided; eps|f|/h = |f'''| h^2/6 central."""
    f = abs(float(mp_derivative(expr, at, 0)))
    f2, f3 = abs(float(mp_derivative(expr, at, 2))), abs(float(mp_derivative(expr, at, 3)))
    crossover = sweeps[text]["crossover"]
    assert crossover["forward"] == pytest.approx(2 * math.sqrt(EPS * f / f2), rel=1e-6)
    assert crossover["central"] == pytest.approx((6 * EPS * f / f3) ** (1 / 3), rel=1e-6)
