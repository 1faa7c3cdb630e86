"""Numerical methods against their error models, and ``adcli compare`` against SymPy.

Every expected number here is computed independently of adcli: the exact
derivatives (f', f'', f''', f^(5)) come from SymPy expressions built in this
file and evaluated at 60 digits at the exact binary value of the float point;
the bounds are the textbook truncation + round-off models, with a safety
factor.  adcli's own reference is itself checked against SymPy.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys

import mpmath
import pytest
import sympy

from adcli.api import differentiate, problem
from adcli.backends.numerical import complex_step_refusal
from adcli.errors import MathError
from adcli.studies.reference import reference
from support import close

EPS = sys.float_info.epsilon
SAFETY = 10
DPS = 60

X = sympy.Symbol("x", real=True)
Y = sympy.Symbol("y", real=True)

#: (adcli text, point, SymPy expression built here, never from adcli)
SMOOTH = [
    ("sin(x**2)+exp(x)", "2", sympy.sin(X ** 2) + sympy.exp(X)),
    ("sin(x)", "1", sympy.sin(X)),
    ("exp(x)/sqrt(x)", "0.5", sympy.exp(X) / sympy.sqrt(X)),   # f'(0.5) = 0 exactly
    ("x**3*log(x)", "3", X ** 3 * sympy.log(X)),
    ("atan(10*x)", "0.3", sympy.atan(10 * X)),
]
SMOOTH_IDS = [f"{text}@{at}" for text, at, _ in SMOOTH]

COMPARE_ROWS = ["forward-difference", "backward-difference", "central-difference",
                "five-point", "richardson", "complex-step", "symbolic", "forward-ad",
                "reverse-ad"]
NUMERICAL_EVALUATIONS = {"forward-difference": 2, "backward-difference": 2,
                         "central-difference": 2, "five-point": 4, "richardson": 10,
                         "complex-step": 1}


def exact_point(at: str):
    """The exact rational value of the float64 point adcli works at."""
    return sympy.Rational(float(at))


def sympy_value(expr, subs: dict, order: int = 0, var=X) -> mpmath.mpf:
    """The ``order``-th derivative of ``expr`` in ``var`` at ``subs``, at DPS digits."""
    d = sympy.diff(expr, var, order) if order else expr
    value = sympy.N(d.subs(subs), DPS)
    with mpmath.workdps(DPS):
        return mpmath.mpf(str(value))


def derivatives(expr, at: str, orders) -> dict:
    x = exact_point(at)
    return {n: sympy_value(expr, {X: x}, n) for n in orders}


def err(got, exact) -> float:
    with mpmath.workdps(DPS):
        return float(abs(mpmath.mpf(got) - exact))


def actual_step(x: float, h: float) -> float:
    """The step x + h - x that a float point really takes."""
    return (x + h) - x


# -- 1. every numerical method within its error model ---------------------------


def model_bound(method: str, d: dict, h: float, x: float) -> float:
    """Truncation + round-off of each difference formula (textbook error models)."""
    f = abs(float(d[0]))
    if method in ("forward", "backward"):
        return abs(float(d[2])) * h / 2 + 2 * EPS * f / h
    if method == "central":
        return abs(float(d[3])) * h ** 2 / 6 + EPS * f / h
    if method == "five-point":  # (-f2 + 8f1 - 8f-1 + f-2)/12h: h^4 f^(5)/30, 18/12 eps f/h
        return abs(float(d[5])) * h ** 4 / 30 + 1.5 * EPS * f / h
    if method == "complex":    # no subtraction: h^2 f'''/6 and a few ulps of f', f
        return abs(float(d[3])) * h ** 2 / 6 + 2 * EPS * (abs(float(d[1])) + f)
    raise AssertionError(method)


@pytest.mark.parametrize("text, at, expr", SMOOTH, ids=SMOOTH_IDS)
@pytest.mark.parametrize("method", ["forward", "backward", "central", "five-point",
                                    "complex"])
def test_numerical_error_within_its_model(text, at, expr, method):
    d = derivatives(expr, at, (0, 1, 2, 3, 5))
    result = differentiate(text, [at], mode="numerical", method=method)
    x = float(at)
    h = float(result.details["step"]["x"])
    if method != "complex":  # the complex step is imaginary: x itself is not moved
        h = abs(actual_step(x, h))
    assert h > 0
    error = err(result.gradient["x"], d[1])
    bound = SAFETY * model_bound(method, d, h, x)
    assert error <= bound, f"{method} on {text} at {at}: error {error:.3g} > bound {bound:.3g}"


@pytest.mark.parametrize("method, power", [("forward", 1 / 2), ("backward", 1 / 2),
                                           ("central", 1 / 3), ("five-point", 1 / 5)])
@pytest.mark.parametrize("at", ["0.5", "3", "-40"])
def test_default_steps_follow_the_error_model(method, power, at):
    result = differentiate("sin(x)", [at], mode="numerical", method=method)
    expected = EPS ** power * max(1.0, abs(float(at)))
    assert float(result.details["step"]["x"]) == pytest.approx(expected, rel=1e-12)


def richardson_bound(expr, at: str) -> float:
    """Textbook bound of the full Richardson table (5 levels of central differences
    from h0 = 2^-4 max(1,|x|), halving): the exact-arithmetic truncation error of the
    last diagonal entry (computed in mpmath) plus its round-off, eps |f| / h_min
    amplified by prod (4^j + 1) / (4^j - 1) < 2."""
    x = float(at)
    h0 = 2.0 ** -4 * max(1.0, abs(x))
    f = sympy.lambdify(X, expr, "mpmath")
    with mpmath.workdps(DPS):
        xm = mpmath.mpf(x)
        exact = sympy_value(expr, {X: exact_point(at)}, 1)
        table = []
        for level in range(5):
            h = mpmath.mpf(actual_step(x, h0 / 2 ** level))
            row = [(f(xm + h) - f(xm - h)) / (2 * h)]
            for j in range(1, level + 1):
                row.append(row[j - 1] + (row[j - 1] - table[-1][j - 1]) / (4 ** j - 1))
            table.append(row)
        truncation = float(abs(table[-1][-1] - exact))
        value = float(abs(f(xm)))
    amplification = math.prod((4 ** j + 1) / (4 ** j - 1) for j in range(1, 5))
    h_min = h0 / 2 ** 4
    return truncation + amplification * 2 * EPS * value / h_min


@pytest.mark.parametrize("text, at, expr", SMOOTH, ids=SMOOTH_IDS)
def test_richardson_within_its_model_and_beats_central(text, at, expr):
    exact = sympy_value(expr, {X: exact_point(at)}, 1)
    rich = differentiate(text, [at], mode="numerical", method="richardson")
    central = differentiate(text, [at], mode="numerical", method="central")
    rich_error, central_error = err(rich.gradient["x"], exact), err(central.gradient["x"], exact)
    assert rich_error <= SAFETY * richardson_bound(expr, at)
    assert rich.cost["evaluations"] <= 10
    assert rich_error < central_error, (rich_error, central_error)


def test_richardson_headline_accuracy():
    exact = sympy_value(SMOOTH[0][2], {X: 2}, 1)
    result = differentiate("sin(x**2)+exp(x)", ["2"], mode="numerical", method="richardson")
    assert err(result.gradient["x"], exact) <= 1e-13
    assert result.cost["evaluations"] <= 10
    assert result.details["error_estimate"]["x"] is not None


def test_complex_step_headline_accuracy():
    exact = sympy_value(SMOOTH[0][2], {X: 2}, 1)
    result = differentiate("sin(x**2)+exp(x)", ["2"], mode="numerical", method="complex")
    assert err(result.gradient["x"], exact) <= 1e-15
    assert result.cost["evaluations"] == 1


@pytest.mark.parametrize("method, evaluations", [("forward", 2), ("backward", 2),
                                                 ("central", 2), ("five-point", 4),
                                                 ("richardson", 10), ("complex", 1)])
def test_evaluation_counts(method, evaluations):
    result = differentiate("sin(x)", ["1"], mode="numerical", method=method)
    assert result.cost["evaluations"] == evaluations


def test_auto_picks_complex_step_on_holomorphic_formulas():
    exact = sympy_value(SMOOTH[0][2], {X: 2}, 1)
    result = differentiate("sin(x**2)+exp(x)", ["2"], mode="numerical", method="auto")
    assert result.details["method"] == "complex"
    assert "note" not in result.details
    assert err(result.gradient["x"], exact) <= 1e-15


# -- 2. complex step refused where it cannot run --------------------------------

NOT_HOLOMORPHIC = [
    ("abs(x)*exp(x)", "abs", sympy.Abs(X) * sympy.exp(X)),
    ("min(x, 1)*sin(x)", "min", sympy.Min(X, 1) * sympy.sin(X)),
    ("max(x, 1)*sin(x)", "max", sympy.Max(X, 1) * sympy.sin(X)),
    ("x**2 if x > 0 else -x", "conditional", X ** 2),   # at 0.5 the x**2 branch
]


@pytest.mark.parametrize("text, reason, expr", NOT_HOLOMORPHIC)
def test_complex_method_refused_with_the_reason(run, text, reason, expr):
    result = run("diff", text, "--at", "0.5", "--mode", "numerical", "--method", "complex")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("adcli: math error:")
    assert "complex step" in lines[0] and reason in lines[0]
    assert complex_step_refusal(problem(text, ["0.5"])) is not None


@pytest.mark.parametrize("text, reason, expr", NOT_HOLOMORPHIC)
def test_auto_falls_back_to_central_and_says_so(run_json, text, reason, expr):
    out = run_json("diff", text, "--at", "0.5", "--mode", "numerical")
    assert out["details"]["method"] == "central"
    assert reason in out["details"]["note"] and "complex step" in out["details"]["note"]
    exact = sympy_value(expr, {X: sympy.Rational(1, 2)}, 1)
    h = out["details"]["step"]["x"]
    d = derivatives(expr, "0.5", (0, 3))
    assert err(out["gradient"]["x"], exact) <= SAFETY * (abs(float(d[3])) * h ** 2 / 6
                                                         + EPS * abs(float(d[0])) / h)


def test_complex_step_on_sqrt_at_zero_is_refused_not_huge(run):
    result = run("diff", "sqrt(x)", "--at", "0", "--mode", "numerical", "--method",
                 "complex", "--format", "json")
    assert result.exit_code == 1
    assert result.stdout == ""  # no number at all, let alone Im(sqrt(ih))/h ~ 1/sqrt(h)
    assert "sqrt" in result.stderr and "complex step" in result.stderr
    with pytest.raises(MathError, match="sqrt"):
        differentiate("sqrt(x)", ["0"], mode="numerical", method="complex")


def test_complex_step_on_sqrt_inside_a_formula_at_zero(run):
    result = run("diff", "x + sqrt(x)", "--at", "0", "--mode", "numerical", "--method",
                 "complex")
    assert result.exit_code == 1 and result.stdout == ""
    assert "sqrt" in result.stderr


# -- 3. the reference agrees with SymPy at 50 digits ----------------------------

REFERENCE_CASES = SMOOTH + [
    ("x*sin(y)+exp(x*y)", ("x=0.7", "y=1.3"), X * sympy.sin(Y) + sympy.exp(X * Y)),
    ("atan2(y, x)*hypot(x, y)", ("x=0.7", "y=-1.3"),
     sympy.atan2(Y, X) * sympy.sqrt(X ** 2 + Y ** 2)),
    ("abs(x)*exp(x)", "0.5", sympy.Abs(X) * sympy.exp(X)),
]


def _point(at) -> tuple[list, dict]:
    if isinstance(at, str):
        return [at], {X: exact_point(at)}
    subs = {}
    for item in at:
        name, value = item.split("=")
        subs[{"x": X, "y": Y}[name]] = exact_point(value)
    return list(at), subs


@pytest.mark.parametrize("text, at, expr", REFERENCE_CASES,
                         ids=[c[0] for c in REFERENCE_CASES])
def test_reference_agrees_with_sympy_at_50_digits(text, at, expr):
    args, subs = _point(at)
    ref = reference(problem(text, args), 50)
    assert ref.digits == 50
    with mpmath.workdps(DPS):
        value = sympy_value(expr, subs)
        assert abs(ref.value - value) <= mpmath.mpf(10) ** -48 * max(1, abs(value))
        for symbol in subs:
            exact = sympy_value(expr, subs, 1, symbol)
            got = ref.gradient[symbol.name]
            assert abs(got - exact) <= mpmath.mpf(10) ** -48 * max(1, abs(exact)), \
                (symbol, got, exact)


# -- 4. --precision D: round-off vanishes, AD has D digits ----------------------

def test_precision_40_removes_round_off_from_central_difference():
    exact = sympy_value(SMOOTH[0][2], {X: 2}, 1)
    in_float = differentiate("sin(x**2)+exp(x)", ["2"], mode="numerical", method="central")
    at_40 = differentiate("sin(x**2)+exp(x)", ["2"], mode="numerical", method="central",
                          digits=40)
    e64, e40 = err(in_float.gradient["x"], exact), err(at_40.gradient["x"], exact)
    assert e64 > 1e-12           # float64: round-off eps/h with h ~ eps^(1/3)
    assert e40 < 1e-20           # 40 digits: eps^(2/3) ~ 1e-27 scale
    assert e40 < 1e-10 * e64


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("digits", [25, 40])
def test_ad_agrees_with_reference_to_d_digits(mode, digits):
    expr, text = SMOOTH[0][2], SMOOTH[0][0]
    exact = sympy_value(expr, {X: 2}, 1)
    value = sympy_value(expr, {X: 2})
    result = differentiate(text, ["2"], mode=mode, digits=digits)
    with mpmath.workdps(DPS):
        rel = abs(result.gradient["x"] - exact) / abs(exact)
        assert rel <= mpmath.mpf(10) ** -(digits - 2)
        assert abs(result.value - value) / abs(value) <= mpmath.mpf(10) ** -(digits - 2)


def test_compare_precision_40_json(run):
    result = run("compare", "sin(x**2)+exp(x)", "--at", "2", "--precision", "40",
                 "--format", "json")
    assert result.exit_code == 0, result.stderr
    with mpmath.workdps(DPS):
        out = json.loads(result.stdout, parse_float=mpmath.mpf)
        exact = sympy_value(SMOOTH[0][2], {X: 2}, 1)
        rows = {row["method"]: row for row in out["rows"]}
        assert out["digits"] == 40
        for name in ("forward-ad", "reverse-ad"):
            got = rows[name]["gradient"]["x"]
            assert abs(got - exact) / exact <= mpmath.mpf(10) ** -38
            assert rows[name]["digits"] >= 38
        central = abs(rows["central-difference"]["gradient"]["x"] - exact)
        assert central < 1e-20


# -- 5. compare: the JSON contract and every format ------------------------------

def _check_rows(out: dict, exact: dict):
    assert [row["method"] for row in out["rows"]] == COMPARE_ROWS
    keys = {"method", "gradient", "abs_error", "rel_error", "digits", "evaluations",
            "seconds", "note"}
    for row in out["rows"]:
        assert keys <= set(row), row
        assert isinstance(row["note"], str)
        assert row["seconds"] >= 0
        if row["gradient"] is None:
            assert row["note"], row
            continue
        assert set(row["gradient"]) == set(exact)
        with mpmath.workdps(DPS):
            absolute = [float(abs(mpmath.mpf(row["gradient"][k]) - exact[k])) for k in exact]
            relative = [a / float(abs(exact[k])) if exact[k] != 0 else a
                        for a, k in zip(absolute, exact)]
        assert close(float(row["abs_error"]), max(absolute), 1e-6), (row, absolute)
        assert close(float(row["rel_error"]), max(relative), 1e-6), (row, relative)
        top = 17.0
        expected_digits = top if max(relative) == 0 else max(
            0.0, min(top, -math.log10(max(relative))))
        assert abs(row["digits"] - expected_digits) <= 0.11, (row, expected_digits)
        if row["method"] in NUMERICAL_EVALUATIONS:
            assert row["evaluations"] == NUMERICAL_EVALUATIONS[row["method"]] * len(exact)
        else:
            assert row["evaluations"] is None


@pytest.mark.parametrize("text, at, expr", SMOOTH, ids=SMOOTH_IDS)
def test_compare_json_contract_and_errors(run_json, text, at, expr):
    out = run_json("compare", text, "--at", at)
    assert out["expression"] == text and out["point"] == {"x": float(at)}
    exact = {"x": sympy_value(expr, {X: exact_point(at)}, 1)}
    ref = out["reference"]
    assert ref["digits"] == 50
    assert ref["gradient"]["x"] == pytest.approx(float(exact["x"]), rel=1e-15, abs=1e-300)
    assert ref["value"] == pytest.approx(float(sympy_value(expr, {X: exact_point(at)})),
                                         rel=1e-15)
    _check_rows(out, exact)
    rows = {row["method"]: row for row in out["rows"]}
    for name in ("forward-ad", "reverse-ad"):
        assert rows[name]["digits"] >= 15, rows[name]
    assert rows["complex-step"]["gradient"] is not None


def test_compare_two_variables(run_json):
    out = run_json("compare", "x*sin(y)+exp(x*y)", "--at", "x=0.7", "--at", "y=1.3")
    subs = {X: exact_point("0.7"), Y: exact_point("1.3")}
    expr = X * sympy.sin(Y) + sympy.exp(X * Y)
    exact = {"x": sympy_value(expr, subs, 1, X), "y": sympy_value(expr, subs, 1, Y)}
    assert set(out["reference"]["gradient"]) == {"x", "y"}
    _check_rows(out, exact)
    for row in out["rows"]:
        assert row["gradient"] is not None and set(row["gradient"]) == {"x", "y"}


@pytest.mark.parametrize("text, reason, expr", NOT_HOLOMORPHIC)
def test_compare_complex_row_is_null_with_the_reason(run_json, text, reason, expr):
    out = run_json("compare", text, "--at", "0.5")
    exact = {"x": sympy_value(expr, {X: sympy.Rational(1, 2)}, 1)}
    _check_rows(out, exact)
    rows = {row["method"]: row for row in out["rows"]}
    row = rows["complex-step"]
    assert row["gradient"] is None and row["abs_error"] is None and row["rel_error"] is None
    assert reason in row["note"] and "complex step" in row["note"]
    for name in ("forward-ad", "reverse-ad"):
        assert rows[name]["digits"] >= 15


@pytest.mark.parametrize("fmt", ["table", "plain", "csv", "markdown"])
def test_compare_every_format_names_every_method(run, fmt):
    result = run("compare", "x*sin(y)", "--at", "x=3", "--at", "y=pi/6", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    for name in COMPARE_ROWS:
        assert name in result.stdout, (fmt, name)
    if fmt == "csv":
        table = list(csv.reader(io.StringIO(result.stdout)))
        assert [row[0] for row in table[1:]] == COMPARE_ROWS
        assert len({len(row) for row in table}) == 1
    if fmt == "plain":
        lines = result.stdout.splitlines()
        assert [line.split("\t")[0] for line in lines[1:]] == COMPARE_ROWS


def test_compare_parse_error_exits_2(run):
    result = run("compare", "sin(x", "--at", "1")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("adcli: error:")


# -- complex-step corner cases ---------------------------------------------------

def _reference_derivative(expr, at: str) -> mpmath.mpf:
    return sympy_value(expr, {X: exact_point(at)}, 1)


@pytest.mark.parametrize("method", ["complex", "auto"])
@pytest.mark.parametrize("text, at", [("(-2)**x", ["3"]), ("x**y", ["x=-2", "y=3"])])
def test_complex_step_negative_base_power_is_refused(text, at, method):
    with pytest.raises(MathError):
        differentiate(text, at, mode="reverse")  # d/dx of (-2)**x has no real value
    with pytest.raises(MathError):
        differentiate(text, at, mode="numerical", method=method)


@pytest.mark.parametrize("at", ["3", "5", "-5"])
@pytest.mark.parametrize("method", ["complex", "auto"])
def test_complex_step_erf_is_accurate(at, method):
    exact = _reference_derivative(sympy.erf(X), at)
    result = differentiate("erf(x)", [at], mode="numerical", method=method)
    # complex-step model: h^2 |f'''| / 6 (h ~ 1e-20) + a few ulps of f'
    assert err(result.gradient["x"], exact) <= 1e-12 * float(abs(exact))


def test_complex_step_sqrt_of_square_at_zero_is_refused():
    with pytest.raises(MathError, match="sqrt"):
        differentiate("sqrt(x**2)", ["0"], mode="numerical", method="complex")


def test_complex_step_softplus_far_left():
    exact = _reference_derivative(sympy.log(1 + sympy.exp(X)), "-40")
    result = differentiate("softplus(x)", ["-40"], mode="numerical", method="complex")
    assert err(result.gradient["x"], exact) <= 1e-12 * float(exact)


@pytest.mark.parametrize("text, at, expected", [("softplus(x)", "800", 1.0),
                                                ("sigmoid(x)", "-800", 0.0)])
def test_auto_survives_large_arguments(text, at, expected):
    result = differentiate(text, [at], mode="numerical", method="auto")
    assert result.gradient["x"] == pytest.approx(expected, abs=1e-12)


def test_complex_step_log_at_tiny_x():
    result = differentiate("log(x)", ["1e-300"], mode="numerical", method="complex")
    assert result.gradient["x"] == pytest.approx(1e300, rel=1e-12)
