"""No silently wrong number: every mode agrees at the hard points, or refuses.

Each case is checked against an independent reference: the closed form (or
its absence) of the one-sided limits, not another adcli mode.
"""

from __future__ import annotations

import math

import pytest

from support import assert_one_error_line

MODES = ("forward", "reverse", "numerical", "symbolic")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("formula, at", [
    ("x**x", ["--at", "x=0"]),              # x^x (ln x + 1) -> -inf as x -> 0+
    ("0**x", ["--at", "x=0"]),              # 0^x jumps from 1 to 0 at x = 0
    ("x**y", ["--at", "x=0", "--at", "y=0"]),  # d/dy: 0^y jumps at y = 0
    ("cbrt(x)", ["--at", "x=0"]),           # x^(-2/3)/3 -> inf
], ids=["x**x", "0**x", "x**y", "cbrt"])
def test_no_derivative_means_exit_1_in_every_mode(run, mode, formula, at):
    result = run("diff", formula, *at, "--mode", mode)
    assert_one_error_line(result, 1)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("y", ["0.5", "1e-3", "2"])
def test_zero_base_power_is_flat_in_every_mode(run, mode, y):
    # pow(0, y) is identically 0 for y > 0: the derivative is 0
    result = run("diff", "pow(0.0, y)", "--at", f"y={y}", "--mode", mode, "-q")
    assert result.exit_code == 0, result.stderr
    assert float(result.stdout) == 0.0


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_d_dx_of_x_to_the_zero_at_the_origin_is_zero(run, mode):
    # x**0 = 1 for every x: d/dx at (0, 0) exists and is 0; only d/dy does not
    result = run("diff", "x**y", "--at", "x=0", "--at", "y=0", "--wrt", "x", "--mode", mode,
                 "-q")
    assert result.exit_code == 0, result.stderr
    assert float(result.stdout) == 0.0


@pytest.mark.parametrize("mode", MODES)
def test_power_rules_unchanged_away_from_zero(run_json, mode):
    out = run_json("diff", "x**y", "--at", "x=2", "--at", "y=3", "--mode", mode)
    assert out["gradient"]["x"] == pytest.approx(12.0, rel=1e-9)
    assert out["gradient"]["y"] == pytest.approx(8 * math.log(2), rel=1e-9)


def test_cbrt_numerical_at_zero_names_the_failure(run):
    result = run("diff", "cbrt(x)", "--at", "x=0", "--mode", "numerical")
    assert_one_error_line(result, 1, "the difference quotients in x do not converge at x = 0.0")


@pytest.mark.parametrize("method", ["central", "forward", "five-point", "richardson"])
@pytest.mark.parametrize("y", ["1e-7", "1e-5", "-3e-6"])
def test_atan2_near_its_branch_cut_shrinks_the_step(run, method, y):
    # d/dy atan2(y, x) = x / (x^2 + y^2): -1 to within 1e-9 at x = -1, |y| <= 1e-5
    result = run("diff", "atan2(y, x)", "--at", "x=-1", "--at", f"y={y}", "--wrt", "y",
                 "--mode", "numerical", "--method", method, "-q")
    assert result.exit_code == 0, result.stderr
    want = -1 / (1 + float(y) ** 2)
    assert float(result.stdout) == pytest.approx(want, rel=1e-4)


@pytest.mark.parametrize("method", ["central", "five-point", "richardson"])
def test_a_function_faster_than_the_step_is_refused_not_guessed(run, method):
    # at x = 1e300 the error model's step is ~1e295: sin is noise at that scale
    result = run("diff", "sin(x)", "--at", "x=1e300", "--mode", "numerical", "--method",
                 method)
    assert_one_error_line(result, 1, "x = 1e+300")


@pytest.mark.parametrize("method", ["central", "five-point", "richardson"])
def test_a_fast_oscillation_gets_a_smaller_step(run, method):
    # d/dx sin(1e6 x) = 1e6 cos(1e6) at x = 1
    result = run("diff", "sin(1e6*x)", "--at", "x=1", "--mode", "numerical", "--method",
                 method, "-q")
    assert result.exit_code == 0, result.stderr
    assert float(result.stdout) == pytest.approx(1e6 * math.cos(1e6), rel=1e-3)


@pytest.mark.parametrize("method, want", [("forward", 2 ** -26), ("central", 0.0),
                                          ("five-point", 0.0), ("richardson", 0.0)])
def test_a_zero_derivative_is_not_taken_for_divergence(run, method, want):
    result = run("diff", "x**2", "--at", "x=0", "--mode", "numerical", "--method", method,
                 "-q")
    assert result.exit_code == 0, result.stderr
    assert float(result.stdout) == pytest.approx(want, abs=1e-15)


def test_sign_at_zero_is_a_jump_in_numerical_mode(run):
    result = run("diff", "sign(x)", "--at", "x=0", "--mode", "numerical")
    assert_one_error_line(result, 1, "do not converge")


# --- compare's reference is checked by quotients that read no op rule ---------

@pytest.mark.parametrize("formula", ["sqrt(x**2)", "sqrt(x*x)", "sqrt(x**4)**0.5"])
def test_compare_refuses_where_ad_rules_hide_a_kink(run, formula):
    # |x| written so that no op sits on a kink: AD multiplies sqrt's infinite
    # partial by 0 and says 0; the function has slopes -1 and 1 at 0
    result = run("compare", formula, "--at", "x=0")
    assert_one_error_line(result, 1, "the derivative with respect to x does not exist at "
                                     "the point: AD's rules give 0, but the one-sided "
                                     "difference quotients give left -1, right 1")


@pytest.mark.parametrize("formula, at", [("x**x", "x=0"), ("0**x", "x=0"), ("cbrt(x)", "x=0")])
def test_compare_has_no_reference_where_no_derivative_exists(run, formula, at):
    assert_one_error_line(run("compare", formula, "--at", at), 1)


def test_compare_still_grades_one_sided_points(run_json):
    # x**1.5 at 0: left of 0 is outside the domain, the right slope is 0
    out = run_json("compare", "x**1.5", "--at", "x=0")
    assert out["reference"]["gradient"]["x"] == 0
    assert "checked by one-sided differences" in out["reference"]["how"]
    rows = {row["method"]: row for row in out["rows"]}
    assert rows["reverse-ad"]["gradient"]["x"] == 0.0


@pytest.mark.parametrize("formula, at, want", [
    ("sin(x**2)+exp(x)", ["--at", "x=2"], {"x": 4 * math.cos(4) + math.exp(2)}),
    ("log(x)", ["--at", "x=1e-30"], {"x": 1 / 1e-30}),
    ("x*sin(y)", ["--at", "x=3", "--at", "y=0.5"], {"x": math.sin(0.5), "y": 3 * math.cos(0.5)}),
])
def test_compare_reference_at_smooth_points_is_unchanged(run_json, formula, at, want):
    out = run_json("compare", formula, *at)
    for name, value in want.items():
        assert out["reference"]["gradient"][name] == pytest.approx(value, rel=1e-14)


# --- one-sided derivatives: a jump has none, not 3e+20 ---------------------------

def test_sign_at_zero_has_no_one_sided_derivatives(run_json):
    out = run_json("diff", "sign(x)", "--at", "x=0")
    (warning,) = out["warnings"]
    assert warning["left"] == {"x": None} and warning["right"] == {"x": None}


@pytest.mark.parametrize("formula, at, left, right", [
    ("abs(x)", ["--at", "x=0"], {"x": -1}, {"x": 1}),
    ("hypot(x, y)", ["--at", "x=0", "--at", "y=0"], {"x": -1, "y": -1}, {"x": 1, "y": 1}),
    ("max(x, 0) + x**2", ["--at", "x=0"], {"x": 0}, {"x": 1}),
    ("relu(x - 1)*3", ["--at", "x=1"], {"x": 0}, {"x": 3}),
])
def test_one_sided_derivatives_at_kinks(run_json, formula, at, left, right):
    (warning,) = run_json("diff", formula, *at)["warnings"]
    assert warning["left"] == pytest.approx(left, abs=1e-12)
    assert warning["right"] == pytest.approx(right, abs=1e-12)


# --- compare and steps report kinks too ------------------------------------------

def test_compare_reports_a_kink_in_json(run_json):
    out = run_json("compare", "abs(x)", "--at", "x=0")
    rows = {row["method"]: row for row in out["rows"]}
    for method in ("forward-difference", "central-difference", "forward-ad", "reverse-ad"):
        (warning,) = rows[method]["warnings"]
        assert warning["kind"] == "kink" and warning["op"] == "abs"
        assert warning["left"] == {"x": -1.0} and warning["right"] == {"x": 1.0}
        assert rows[method]["note"].startswith("warning: kink at the point")


def test_compare_smooth_rows_carry_no_warnings(run_json):
    out = run_json("compare", "sin(x)", "--at", "x=1")
    assert all(row["warnings"] == [] for row in out["rows"])


def test_steps_reports_a_kink_in_json(run_json):
    out = run_json("steps", "abs(x)", "--at", "x=0")
    (warning,) = out["warnings"]
    assert warning["kind"] == "kink" and warning["left"] == {"x": -1.0}
    assert run_json("steps", "sin(x)", "--at", "x=1")["warnings"] == []


def test_steps_reports_a_tie_in_json(run_json):
    out = run_json("steps", "x**2 if x > 0 else 0", "--at", "x=0")
    (warning,) = out["warnings"]
    assert warning["kind"] == "branch"


# --- --precision: mpmath's unbounded exponents get the float path's treatment ---

@pytest.mark.parametrize("formula, constant", [("x*9**9**9**9", "9^9^9"),
                                               ("x**(10**10**10)", "10^10^10"),
                                               ("x*(1 + 1e-40)**(10**60)", None)])
@pytest.mark.parametrize("mode", ["reverse", "forward", "numerical"])
def test_precision_overflow_is_a_math_error_before_the_work(run, formula, constant, mode):
    result = run("diff", formula, "--at", "x=1", "--precision", "50", "--mode", mode)
    assert_one_error_line(result, 1, "pow overflows the mpmath range")
    if constant:
        assert f"in the constant {constant}" in result.stderr


def test_precision_keeps_numbers_beyond_the_float_range(run):
    # 2**99999 is inside the mpmath range: d/dx x**(2**99999) at 1 is 2**99999
    result = run("diff", "x**(2**99999)", "--at", "x=1", "--precision", "30", "-q")
    assert result.exit_code == 0, result.stderr
    import mpmath

    with mpmath.workdps(30):
        assert mpmath.mpf(result.stdout.strip()) == pytest.approx(mpmath.mpf(2) ** 99999,
                                                                  rel=1e-25)


def test_compare_reference_at_a_huge_point_is_cos_of_it(run_json):
    import mpmath

    out = run_json("compare", "sin(x)", "--at", "x=1e300")
    with mpmath.workdps(400):
        want = float(mpmath.cos(mpmath.mpf(1e300)))
    assert out["reference"]["gradient"]["x"] == pytest.approx(want, rel=1e-14)
