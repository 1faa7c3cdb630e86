"""Hessians and Hessian-vector products, checked against SymPy at 30 digits.

Forward-over-reverse sweeps the recorded reverse sweep forward; every entry it
gives is compared with SymPy's second derivative of an independently written
copy of the formula, evaluated at the float adcli parsed (converted exactly).
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace

import pytest
import sympy as sp

import adcli.studies.hessian as hess_module
import adcli.studies.matrices as matrices_module
from adcli.api import problem
from adcli.errors import MathError, UsageError
from adcli.studies.hessian import hessian, hvp
from support import (AD_REL, DENSE, NUMERICAL_REL, SYM, TEXT_FORMATS, Case, assert_close,
                     assert_matrix_close, json_of, probe_params, scale_of, stdout_of,
                     sweeps_fixture, times)
from support import reference as jacobian_reference
from support import sympy_hypot as _hypot
from support import sympy_sigmoid as _sigmoid

MODES = ["forward-over-reverse", "symbolic", "numerical"]

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
    return case.problem(wrt)


@functools.lru_cache(maxsize=None)
def reference(case: Case):
    """(value, gradient list, Hessian n x n) over case.inputs, from SymPy at 30 digits:
    the Hessian is the Jacobian of SymPy's gradient."""
    (value,), (gradient,) = jacobian_reference(case)
    f, inputs = case.build, case.inputs
    gradient_case = replace(case, build=lambda x, y, z: [sp.diff(f(x, y, z), SYM[v])
                                                          for v in inputs])
    return value, gradient, jacobian_reference(gradient_case)[1]


def assert_symmetric(matrix, rel=AD_REL):
    scale = scale_of(matrix)
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
    value, gradient, want = reference(case)
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


#: the tangent and adjoint sweeps the study really runs
sweeps = sweeps_fixture(hess_module, matrices_module)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_forward_over_reverse_runs_one_tangent_sweep_per_input(case, sweeps):
    result = hessian(_problem(case))
    assert sweeps["tangent"] == case.n
    assert f"{case.n} tangent sweep{'s' * (case.n != 1)} through" in result.note


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("wrt", ["z,x", "y", "x,z,y"])
def test_wrt_selects_and_orders_rows_and_columns(mode, wrt):
    case = BY_ID["exp-log-sqrt"]
    _, gradient, full = reference(case)
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


HVP_PARAMS = probe_params(CASES)


@pytest.mark.parametrize("case, v", HVP_PARAMS)
def test_hvp_is_H_times_v(case, v, sweeps):
    value, _, H = reference(case)
    vector = dict(zip(case.inputs, v))
    result = hvp(_problem(case), vector)
    assert result.kind == "hvp" and result.vector == vector
    assert list(result.result) == list(case.inputs)
    for name, want in zip(case.inputs, times(H, v)):
        assert_close(result.result[name], want, AD_REL, scale_of(H), f"(H·v)[{name}]")
    assert_close(result.values[0], value, AD_REL)
    assert sweeps["tangent"] == 1


def test_hvp_missing_entries_are_zero():
    case = BY_ID["exp-log-sqrt"]
    _, _, H = reference(case)
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
    _, _, want = reference(case)
    assert_matrix_close(hessian(_problem(case), "symbolic").matrix, want, AD_REL)
    assert_matrix_close(hessian(_problem(case), "numerical").matrix, want, NUMERICAL_REL)




@pytest.mark.parametrize("case", POW_AT_ZERO, ids=[c.id for c in POW_AT_ZERO])
def test_pow_at_a_zero_exponent_forward_over_reverse(case):
    _, _, want = reference(case)
    result = hessian(_problem(case)).matrix
    assert_matrix_close(result, want, AD_REL, "forward-over-reverse H")


def test_pow_at_a_zero_exponent_hessian_is_symmetric():
    assert_symmetric(hessian(_problem(POW_AT_ZERO[0])).matrix)


def test_pow_at_a_zero_exponent_hvp():
    case = POW_AT_ZERO[0]
    _, _, H = reference(case)
    result = hvp(_problem(case), {"y": 1.0}).result
    assert_close(result["x"], H[0][1], AD_REL, what="(H·e_y)[x]")   # 2.0 = 1/x
    assert_close(result["y"], H[1][1], AD_REL, what="(H·e_y)[y]")


# --- the command line -----------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case_id", ["textbook", "exp-log-sqrt", "cond-else"])
def test_cli_hessian_json_contract(run, case_id, mode):
    case = BY_ID[case_id]
    value, gradient, H = reference(case)
    out = json_of(run, "hessian", case.text, *case.at_args(), "--mode", mode)
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
    out = json_of(run, "hessian", case.text, *case.at_args())
    assert out["hessian"] == [list(row) for row in hessian(_problem(case)).matrix]


@pytest.mark.parametrize("case_id", ["textbook", "exp-log-sqrt", "cond2-else"])
def test_cli_hvp_json(run, case_id):
    case = BY_ID[case_id]
    _, _, H = reference(case)
    v = DENSE[:case.n]
    spec = ",".join(f"{k}={a}" for k, a in zip(case.inputs, v))
    out = json_of(run, "hvp", case.text, *case.at_args(), "--vector", spec)
    assert isinstance(out["hvp"], dict) and list(out["hvp"]) == list(case.inputs)
    for name, want in zip(case.inputs, times(H, v)):
        assert_close(out["hvp"][name], want, AD_REL, 10.0)


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@pytest.mark.parametrize("command, extra", [("hessian", ()),
                                            ("hvp", ("--vector", "x=1,y=0"))])
def test_cli_every_format_renders(run, command, extra, fmt):
    out = stdout_of(run, command, "x**2*y + sin(x*y)", "--at", "x=1", "--at", "y=2",
                    *extra, "-f", fmt)
    assert "0.3628102926" in out   # H[x][x] = 2y - y^2 sin(xy)


@pytest.mark.parametrize("command, extra", [("hessian", ()), ("hvp", ("--vector", "x=1"))])
def test_cli_second_order_takes_one_formula(run, command, extra):
    result = run(command, "x*y, x", "--at", "x=1", "--at", "y=2", *extra)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("adcli: error: ")


def test_library_errors_are_typed():
    with pytest.raises(UsageError, match=re.escape(
            "unknown mode 'reverse-over-forward': choose one of forward-over-reverse, "
            "symbolic, numerical")):
        hessian(_problem(BY_ID["textbook"]), "reverse-over-forward")
    with pytest.raises(MathError):
        hessian(problem("sqrt(x)", at=["x=0"]))
