"""Hessians and Hessian-vector products, checked against SymPy at 30 digits.

Forward-over-reverse sweeps the recorded reverse sweep forward; every entry it
gives is compared with SymPy's second derivative of an independently written
copy of the formula, evaluated at the float adcli parsed (converted exactly).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import pytest
import sympy as sp

import adcli.studies.hessian as hess_module
import adcli.studies.matrices as matrices_module
from adcli.api import problem
from adcli.errors import MathError, UsageError
from adcli.studies.hessian import hessian, hvp
from support import assert_close, assert_matrix_close, assert_one_error_line, count_sweeps
from support import sympy_hypot as _hypot
from support import sympy_sigmoid as _sigmoid

SYM = {name: sp.Symbol(name, real=True) for name in "xyz"}
AD_REL = 1e-12
NUMERICAL_REL = 1e-5
MODES = ["forward-over-reverse", "symbolic", "numerical"]


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    at: tuple
    inputs: tuple       # adcli's order: first appearance
    build: object       # (x, y, z) -> one SymPy expression

    @property
    def n(self) -> int:
        return len(self.inputs)


CASES = [
    Case("square", "x*x", ("x=1.7",), ("x",), lambda x, y, z: x * x),
    Case("trig-fanout", "sin(x)*cos(x)+x", ("x=0.6",), ("x",),
         lambda x, y, z: sp.sin(x) * sp.cos(x) + x),
    Case("xy-fanout", "x*y + x", ("x=1.5", "y=-0.4"), ("x", "y"),
         lambda x, y, z: x * y + x),
    Case("cond-then", "x**2 if x > 0 else y**3", ("x=1.3", "y=0.8"), ("x", "y"),
         lambda x, y, z: sp.Piecewise((x**2, x > 0), (y**3, True))),
    Case("cond-else", "x**2 if x > 0 else y**3", ("x=-0.7", "y=1.6"), ("x", "y"),
         lambda x, y, z: sp.Piecewise((x**2, x > 0), (y**3, True))),
    Case("cond2-then", "exp(y)*x if x < y else log(x)*y", ("x=0.5", "y=1.5"), ("y", "x"),
         lambda x, y, z: sp.Piecewise((sp.exp(y) * x, x < y), (sp.log(x) * y, True))),
    Case("cond2-else", "exp(y)*x if x < y else log(x)*y", ("x=2.5", "y=1.2"), ("y", "x"),
         lambda x, y, z: sp.Piecewise((sp.exp(y) * x, x < y), (sp.log(x) * y, True))),
    Case("textbook", "x**2*y + sin(x*y)", ("x=1", "y=2"), ("x", "y"),
         lambda x, y, z: x**2 * y + sp.sin(x * y)),
    Case("exp-log-sqrt", "exp(x)*log(y) + sqrt(x*y+z)", ("x=0.8", "y=2.5", "z=0.3"),
         ("x", "y", "z"), lambda x, y, z: sp.exp(x) * sp.log(y) + sp.sqrt(x * y + z)),
    Case("atan2-hypot", "atan2(y, x) + hypot(x, y)", ("x=-1.2", "y=0.7"), ("y", "x"),
         lambda x, y, z: sp.atan2(y, x) + _hypot(x, y)),
    Case("tanh-sigmoid", "tanh(x*y) + sigmoid(z*x)", ("x=0.4", "y=-1.1", "z=0.9"),
         ("x", "y", "z"), lambda x, y, z: sp.tanh(x * y) + _sigmoid(z * x)),
    Case("tanh-at-zero", "tanh(x*y) + x", ("x=0", "y=1.3"), ("x", "y"),
         lambda x, y, z: sp.tanh(x * y) + x),
    Case("sigmoid-negative", "sigmoid(x*y)", ("x=-2", "y=1.5"), ("x", "y"),
         lambda x, y, z: _sigmoid(x * y)),
    Case("variable-exponent", "x**y + pow(y, x)", ("x=1.4", "y=2.3"), ("x", "y"),
         lambda x, y, z: x**y + y**x),
    Case("three-inputs", "x*y*z + x/z", ("x=0.5", "y=-1.25", "z=2"), ("x", "y", "z"),
         lambda x, y, z: x * y * z + x / z),
    Case("composed", "log(1 + exp(sin(x)*y)) / (1 + z**2)", ("x=0.3", "y=1.7", "z=-0.6"),
         ("x", "y", "z"), lambda x, y, z: sp.log(1 + sp.exp(sp.sin(x) * y)) / (1 + z**2)),
    Case("linear", "x + 3*y", ("x=1", "y=2"), ("x", "y"), lambda x, y, z: x + 3 * y),
]
IDS = [c.id for c in CASES]
BY_ID = {c.id: c for c in CASES}

# x**y with the exponent exactly 0: see test_pow_at_a_zero_exponent below
POW_AT_ZERO = [
    Case("pow-y0", "x**y", ("x=0.5", "y=0"), ("x", "y"), lambda x, y, z: x**y),
    Case("pow-call-y0", "pow(x, y)", ("x=2", "y=0"), ("x", "y"), lambda x, y, z: x**y),
    Case("pow-shifted", "x**(y-1)", ("x=0.5", "y=1"), ("x", "y"),
         lambda x, y, z: x**(y - 1)),
]
for _c in POW_AT_ZERO:
    BY_ID[_c.id] = _c


def _problem(case: Case, wrt=()):
    return problem(case.text, at=case.at, wrt=wrt)


@functools.lru_cache(maxsize=None)
def reference(case_id: str):
    """(value, gradient list, Hessian n x n) over case.inputs, from SymPy at 30 digits."""
    case = BY_ID[case_id]
    point = _problem(case).point
    subs = {SYM[k]: sp.Rational(v) for k, v in point.items()}

    def at(e):
        return float(sp.sympify(e).xreplace(subs).evalf(30))

    f = case.build(SYM["x"], SYM["y"], SYM["z"])
    v = [SYM[k] for k in case.inputs]
    return (at(f), [at(sp.diff(f, a)) for a in v],
            [[at(sp.diff(f, a, b)) for b in v] for a in v])


def assert_symmetric(matrix, rel=AD_REL):
    scale = max([1.0] + [abs(v) for row in matrix for v in row])
    for i in range(len(matrix)):
        for j in range(i):
            a, b = matrix[i][j], matrix[j][i]
            assert abs(a - b) <= rel * max(abs(a), abs(b), 1e-3 * scale), \
                f"H[{i}][{j}] = {a!r} but H[{j}][{i}] = {b!r}"


# --- Hessian ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_parse_gives_the_expected_inputs(case):
    assert tuple(_problem(case).wrt) == case.inputs


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_hessian_matches_sympy(case, mode):
    value, gradient, want = reference(case.id)
    result = hessian(_problem(case), mode)
    assert result.mode == mode and result.inputs == case.inputs
    rel = NUMERICAL_REL if mode == "numerical" else AD_REL
    assert_matrix_close(result.matrix, want, rel, f"{mode} H")
    assert_close(result.value, value, AD_REL, 1.0, "value")
    assert list(result.gradient) == list(case.inputs)
    scale = max([1.0] + [abs(g) for g in gradient])
    for name, g in zip(case.inputs, gradient):
        assert_close(result.gradient[name], g, AD_REL, scale, f"gradient[{name}]")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_forward_over_reverse_hessian_is_symmetric(case):
    assert_symmetric(hessian(_problem(case)).matrix)


def test_linear_formula_has_a_zero_hessian():
    result = hessian(_problem(BY_ID["linear"]))
    assert result.matrix == ((0.0, 0.0), (0.0, 0.0))


def test_variable_only_in_the_untaken_branch_has_zero_rows():
    result = hessian(_problem(BY_ID["cond-else"]))
    assert result.matrix[0] == (0.0, 0.0) and result.gradient["x"] == 0.0


@pytest.fixture
def sweeps(monkeypatch):
    """Count the tangent sweeps adcli.studies.hessian runs."""
    return count_sweeps(monkeypatch, hess_module, matrices_module)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_forward_over_reverse_runs_one_tangent_sweep_per_input(case, sweeps):
    result = hessian(_problem(case))
    assert sweeps["tangent"] == case.n
    assert f"{case.n} tangent sweeps" in result.note


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("wrt", ["z,x", "y", "x,z,y"])
def test_wrt_selects_and_orders_rows_and_columns(mode, wrt):
    case = BY_ID["exp-log-sqrt"]
    _, gradient, full = reference(case.id)
    names = wrt.split(",")
    index = [case.inputs.index(v) for v in names]
    want = [[full[i][j] for j in index] for i in index]
    result = hessian(_problem(case, (wrt,)), mode)
    assert result.inputs == tuple(names) and list(result.gradient) == names
    rel = NUMERICAL_REL if mode == "numerical" else AD_REL
    assert_matrix_close(result.matrix, want, rel, f"{mode} H wrt {wrt}")
    for name, i in zip(names, index):
        assert_close(result.gradient[name], gradient[i], AD_REL)


# --- HVP -------------------------------------------------------------------------------

DENSE = (0.3, -1.7, 2.5)


def _vectors(case):
    basis = [("e" + case.inputs[k], tuple(1.0 if j == k else 0.0 for j in range(case.n)))
             for k in range(case.n)]
    return basis + [("dense", DENSE[:case.n])]


HVP_PARAMS = [pytest.param(c, v, id=f"{c.id}-{name}") for c in CASES
              for name, v in _vectors(c)]


@pytest.mark.parametrize("case, v", HVP_PARAMS)
def test_hvp_is_H_times_v(case, v, sweeps):
    value, _, H = reference(case.id)
    vector = dict(zip(case.inputs, v))
    result = hvp(_problem(case), vector)
    assert result.kind == "hvp" and result.vector == vector
    assert list(result.result) == list(case.inputs)
    scale = max([1.0] + [abs(a) for row in H for a in row])
    for i, name in enumerate(case.inputs):
        want = sum(H[i][j] * v[j] for j in range(case.n))
        assert_close(result.result[name], want, AD_REL, scale, f"(H·v)[{name}]")
    assert_close(result.values[0], value, AD_REL)
    assert sweeps["tangent"] == 1


def test_hvp_missing_entries_are_zero():
    case = BY_ID["exp-log-sqrt"]
    _, _, H = reference(case.id)
    result = hvp(_problem(case), {"z": -2.0})
    assert result.vector == {"x": 0.0, "y": 0.0, "z": -2.0}
    for i, name in enumerate(case.inputs):
        assert_close(result.result[name], -2.0 * H[i][2], AD_REL)


def test_hvp_unknown_name_is_a_usage_error():
    with pytest.raises(UsageError, match="'w'"):
        hvp(_problem(BY_ID["textbook"]), {"w": 1.0})


def test_hvp_columns_rebuild_the_hessian():
    case = BY_ID["composed"]
    H = hessian(_problem(case)).matrix
    for j, name in enumerate(case.inputs):
        column = hvp(_problem(case), {name: 1.0}).result
        assert [column[k] for k in case.inputs] == [H[i][j] for i in range(case.n)]


# --- a genuine bug: the second derivative of x**y where the exponent is exactly 0 --------


@pytest.mark.parametrize("case", POW_AT_ZERO, ids=[c.id for c in POW_AT_ZERO])
def test_pow_at_a_zero_exponent_symbolic_and_numerical_are_right(case):
    _, _, want = reference(case.id)
    assert_matrix_close(hessian(_problem(case), "symbolic").matrix, want, AD_REL)
    assert_matrix_close(hessian(_problem(case), "numerical").matrix, want, NUMERICAL_REL)




@pytest.mark.parametrize("case", POW_AT_ZERO, ids=[c.id for c in POW_AT_ZERO])
def test_pow_at_a_zero_exponent_forward_over_reverse(case):
    _, _, want = reference(case.id)
    result = hessian(_problem(case)).matrix
    assert_matrix_close(result, want, AD_REL, "forward-over-reverse H")


def test_pow_at_a_zero_exponent_hessian_is_symmetric():
    assert_symmetric(hessian(_problem(POW_AT_ZERO[0])).matrix)


def test_pow_at_a_zero_exponent_hvp():
    case = POW_AT_ZERO[0]
    _, _, H = reference(case.id)
    result = hvp(_problem(case), {"y": 1.0}).result
    assert_close(result["x"], H[0][1], AD_REL, what="(H·e_y)[x]")   # 2.0 = 1/x
    assert_close(result["y"], H[1][1], AD_REL, what="(H·e_y)[y]")


# --- the command line -----------------------------------------------------------------


def _at(case):
    return [arg for a in case.at for arg in ("--at", a)]


def _json(run, *args):
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "" and result.stdout.count("\n") == 1
    return json.loads(result.stdout)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case_id", ["textbook", "exp-log-sqrt", "cond-else"])
def test_cli_hessian_json_contract(run, case_id, mode):
    case = BY_ID[case_id]
    value, gradient, H = reference(case.id)
    out = _json(run, "hessian", case.text, *_at(case), "--mode", mode)
    assert set(out) >= {"expression", "inputs", "point", "value", "gradient", "hessian",
                        "mode", "note"}
    assert out["inputs"] == list(case.inputs) and out["mode"] == mode
    rel = NUMERICAL_REL if mode == "numerical" else AD_REL
    assert_matrix_close(out["hessian"], H, rel, "json hessian")
    assert_close(out["value"], value, AD_REL)
    assert list(out["gradient"]) == list(case.inputs)
    for name, g in zip(case.inputs, gradient):
        assert_close(out["gradient"][name], g, AD_REL, 10.0)


def test_cli_hessian_json_numbers_are_the_library_numbers(run):
    case = BY_ID["composed"]
    out = _json(run, "hessian", case.text, *_at(case))
    assert out["hessian"] == [list(row) for row in hessian(_problem(case)).matrix]


@pytest.mark.parametrize("case_id", ["textbook", "exp-log-sqrt", "cond2-else"])
def test_cli_hvp_json(run, case_id):
    case = BY_ID[case_id]
    _, _, H = reference(case.id)
    v = DENSE[:case.n]
    spec = ",".join(f"{k}={a}" for k, a in zip(case.inputs, v))
    out = _json(run, "hvp", case.text, *_at(case), "--vector", spec)
    assert isinstance(out["hvp"], dict) and list(out["hvp"]) == list(case.inputs)
    for i, name in enumerate(case.inputs):
        want = sum(H[i][j] * v[j] for j in range(case.n))
        assert_close(out["hvp"][name], want, AD_REL, 10.0)


@pytest.mark.parametrize("fmt", ["table", "plain", "csv", "markdown", "latex"])
@pytest.mark.parametrize("command, extra", [("hessian", ()),
                                            ("hvp", ("--vector", "x=1,y=0"))])
def test_cli_every_format_renders(run, command, extra, fmt):
    result = run(command, "x**2*y + sin(x*y)", "--at", "x=1", "--at", "y=2", *extra,
                 "-f", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "" and result.stdout.strip()
    assert "0.3628102926" in result.stdout   # H[x][x] = 2y - y^2 sin(xy)


ERRORS = [
    (("hvp", "x*y", "--at", "x=1", "--at", "y=2", "--vector", "w=1"), 2, "'w'"),
    (("hvp", "x*y", "--at", "x=1", "--at", "y=2", "--vector", "x=a"), 2, "--vector"),
    (("hessian", "x*y", "--at", "x=1", "--at", "y=2", "-m", "bogus"), 2, "bogus"),
    (("hessian", "x*y", "--at", "x=1"), 2, "y"),
    (("hessian", "x*y", "--at", "x=1", "--at", "y=2", "--wrt", "q"), 2, "q"),
    (("hessian", "sqrt(x)", "--at", "x=0"), 1, ""),
    (("hessian", "log(x)", "--at", "x=-1"), 1, "log"),
    (("hvp", "1/x", "--at", "x=0", "--vector", "x=1"), 1, ""),
]


@pytest.mark.parametrize("args, code, fragment", ERRORS,
                         ids=[f"{a[0]}-{i}" for i, (a, _, _) in enumerate(ERRORS)])
def test_cli_errors(run, args, code, fragment):
    assert_one_error_line(run(*args), code, fragment)


# --- points where a derivative is infinite or undefined, or a value overflows ----------


def _sweep_fails(line):
    return ("the second derivative is infinite or undefined at the point "
            f"(the recorded reverse sweep fails: {line}")


def _no_symbolic(shown):
    return ("the symbolic second derivative with respect to x and x is infinite or "
            f"undefined at the point ({shown})")


DIV_AT_0 = "div is undefined at row v2 = 1/v1 (v1 = 0.0): it needs a nonzero divisor"
EXP_OVERFLOWS = "exp overflows the float range at row v2 = exp(v1) (v1 = 1000.0)"
SQRT_AT_0 = _sweep_fails("div is undefined at row v4 = 1.0/v3 (v3 = 0.0)")
POW_AT_0 = _sweep_fails("pow is undefined at row v3 = v1^-0.5 (v1 = 0.0)")
ASIN_AT_1 = _sweep_fails("div is undefined at row v7 = 1.0/v6 (v6 = 0.0)")
LOG_NEAR_0 = _sweep_fails("div overflows the float range at row v3 = 1.0/v1 (v1 = 1e-310)")
NO_HESSIAN = "the second derivative is infinite or undefined at the point"

BAD_POINTS = [
    # formula, point, the line of forward-over-reverse and hvp, of symbolic, of numerical
    pytest.param("sqrt(x)", "x=0", SQRT_AT_0, SQRT_AT_0, SQRT_AT_0, id="sqrt-at-0"),
    pytest.param("x**0.5", "x=0", POW_AT_0, POW_AT_0, POW_AT_0, id="pow-half-at-0"),
    pytest.param("asin(x)", "x=1", ASIN_AT_1, ASIN_AT_1, ASIN_AT_1, id="asin-at-1"),
    pytest.param("log(x)", "x=1e-310", LOG_NEAR_0, LOG_NEAR_0, LOG_NEAR_0, id="log-near-0"),
    pytest.param("log(x)", "x=1e-300", NO_HESSIAN + " (-inf)", NO_HESSIAN + " (-inf)",
                 NO_HESSIAN + " (-inf)", id="log-hessian-overflows"),
    pytest.param("x**1.5", "x=0", NO_HESSIAN + " (nan)", _no_symbolic("zoo"),
                 "pow is undefined at row v2 = v1^1.5", id="pow-three-halves-at-0"),
    pytest.param("abs(x)", "x=0", None, _no_symbolic("2.0*DiracDelta(0.0)"), None,
                 id="abs-at-0"),
    pytest.param("max(x, y)", "x=1,y=1", None, _no_symbolic("DiracDelta(0)"), None,
                 id="max-tie"),
    pytest.param("1/x", "x=0", DIV_AT_0, DIV_AT_0, DIV_AT_0, id="reciprocal-at-0"),
    pytest.param("exp(x)", "x=1000", EXP_OVERFLOWS, EXP_OVERFLOWS, EXP_OVERFLOWS,
                 id="exp-overflows"),
]


@pytest.mark.parametrize("formula, point, ad, symbolic, numerical", BAD_POINTS)
def test_cli_second_order_at_a_bad_point_is_a_math_error(run, formula, point, ad, symbolic,
                                                         numerical):
    """None: the mode has a number there (a kink's subgradient; see below)."""
    at = [arg for a in point.split(",") for arg in ("--at", a)]
    for mode, line in [("forward-over-reverse", ad), ("symbolic", symbolic),
                       ("numerical", numerical)]:
        if line is not None:
            assert_one_error_line(run("hessian", formula, *at, "-m", mode), 1, line)
    if ad is not None:
        assert_one_error_line(run("hvp", formula, *at, "--vector", "x=1"), 1, ad)


KINKS = [
    # formula, point, the forward-over-reverse Hessian (the ops' declared subgradients,
    # the taken branch), SymPy's where it has one
    pytest.param("abs(x)", ("x=0",), [[0.0]], None, id="abs-at-0"),
    pytest.param("relu(x)*y", ("x=0", "y=2"), [[0.0, 0.0], [0.0, 0.0]],
                 [[0.0, 0.0], [0.0, 0.0]], id="relu-at-0"),
    pytest.param("max(x, y)*x", ("x=1", "y=1"), [[2.0, 0.0], [0.0, 0.0]], None,
                 id="max-tie"),
    pytest.param("x**2*y if x > y else y**3", ("x=1", "y=1"), [[0.0, 0.0], [0.0, 6.0]],
                 [[0.0, 0.0], [0.0, 6.0]], id="conditional-tie"),
    pytest.param("x**3 if x > 0 else x**2", ("x=0",), [[2.0]], [[2.0]],
                 id="conditional-at-0"),
]


@pytest.mark.parametrize("formula, at, ad, symbolic", KINKS)
def test_cli_kinks_and_ties_have_a_hessian(run, formula, at, ad, symbolic):
    args = [arg for a in at for arg in ("--at", a)]
    assert _json(run, "hessian", formula, *args)["hessian"] == ad
    if symbolic is not None:
        assert _json(run, "hessian", formula, *args, "-m", "symbolic")["hessian"] == symbolic
    assert _json(run, "hvp", formula, *args, "--vector", "x=1")["hvp"]["x"] == ad[0][0]


@pytest.mark.parametrize("command, extra", [("hessian", ()), ("hvp", ("--vector", "x=1"))])
def test_cli_second_order_takes_one_formula(run, command, extra):
    result = run(command, "x*y, x", "--at", "x=1", "--at", "y=2", *extra)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("adcli: error: ")


def test_library_errors_are_typed():
    with pytest.raises(UsageError):
        hessian(_problem(BY_ID["textbook"]), "reverse-over-forward")
    with pytest.raises(MathError):
        hessian(problem("sqrt(x)", at=["x=0"]))
