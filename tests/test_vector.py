"""Jacobians, JVPs and VJPs of vector formulas, checked against SymPy at 30 digits.

Every formula of the table is written twice: in adcli's language, and with SymPy
functions.  SymPy differentiates its own copy and evaluates at the very point
adcli used (the float it parsed, converted exactly), so a wrong rule, a wrong
sweep or a transposed matrix shows up as a number that differs from the
reference -- never as a difference between two of adcli's own modes.
"""

from __future__ import annotations

import re

import pytest
import sympy as sp

import adcli.studies.jacobian as jac_module
import adcli.studies.matrices as matrices_module
from adcli.api import problem
from adcli.errors import MathError, UsageError
from adcli.studies.jacobian import jacobian, jvp, vjp
from support import (AD_REL, DENSE, NUMERICAL_REL, TEXT_FORMATS, Case, assert_close,
                     assert_matrix_close, json_of, probe_params, probes, reference,
                     scale_of, stdout_of, sweeps_fixture, times)
from support import sympy_hypot as _hypot
from support import sympy_sigmoid as _sigmoid

CASES = [
    # fan-out: one input feeds several edges into the same node
    Case("square", "x*x", ("x=1.7",), ("x",), lambda x, y, z: [x * x]),
    Case("trig-fanout", "sin(x)*cos(x)+x", ("x=0.6",), ("x",),
         lambda x, y, z: [sp.sin(x) * sp.cos(x) + x]),
    Case("xy-fanout", "x*y + x", ("x=1.5", "y=-0.4"), ("x", "y"),
         lambda x, y, z: [x * y + x]),
    # several outputs
    Case("three-outputs", "x*y, sin(x)+y, exp(x*y)", ("x=1", "y=2"), ("x", "y"),
         lambda x, y, z: [x * y, sp.sin(x) + y, sp.exp(x * y)]),
    Case("one-in-three-out", "sin(x), cos(x)*x, x**3", ("x=0.9",), ("x",),
         lambda x, y, z: [sp.sin(x), sp.cos(x) * x, x**3]),
    Case("three-in-one-out", "tanh(x*y) + sigmoid(z) + x*sin(z)",
         ("x=0.4", "y=-1.1", "z=0.9"), ("x", "y", "z"),
         lambda x, y, z: [sp.tanh(x * y) + _sigmoid(z) + x * sp.sin(z)]),
    Case("three-in-two-out", "atan2(y, x)*z, hypot(x, y) - z/x",
         ("x=-1.2", "y=0.7", "z=1.9"), ("y", "x", "z"),
         lambda x, y, z: [sp.atan2(y, x) * z, _hypot(x, y) - z / x]),
    # conditionals, both branches, away from the boundary
    Case("cond-then", "x**2 if x > 0 else y**3, x*y", ("x=1.3", "y=0.8"), ("x", "y"),
         lambda x, y, z: [sp.Piecewise((x**2, x > 0), (y**3, True)), x * y]),
    Case("cond-else", "x**2 if x > 0 else y**3, x*y", ("x=-0.7", "y=1.6"), ("x", "y"),
         lambda x, y, z: [sp.Piecewise((x**2, x > 0), (y**3, True)), x * y]),
    Case("cond2-then", "exp(y)*x if x < y else log(x)*y, x - y", ("x=0.5", "y=1.5"),
         ("y", "x"),
         lambda x, y, z: [sp.Piecewise((sp.exp(y) * x, x < y), (sp.log(x) * y, True)),
                          x - y]),
    Case("cond2-else", "exp(y)*x if x < y else log(x)*y, x - y", ("x=2.5", "y=1.2"),
         ("y", "x"),
         lambda x, y, z: [sp.Piecewise((sp.exp(y) * x, x < y), (sp.log(x) * y, True)),
                          x - y]),
    # a constant output among the outputs
    Case("constant-output", "x*y*z, 3, hypot(x, z)", ("x=0.5", "y=-1.25", "z=2"),
         ("x", "y", "z"),
         lambda x, y, z: [x * y * z, sp.Integer(3), _hypot(x, z)]),
    # elementary functions
    Case("elementary", "exp(x)*log(y), sqrt(x*y+z), atan2(y, x)",
         ("x=0.8", "y=2.5", "z=0.3"), ("x", "y", "z"),
         lambda x, y, z: [sp.exp(x) * sp.log(y), sp.sqrt(x * y + z), sp.atan2(y, x)]),
    Case("variable-exponent", "x**y, y**x, pow(x, y*x)", ("x=1.4", "y=2.3"), ("x", "y"),
         lambda x, y, z: [x**y, y**x, x**(y * x)]),
]
IDS = [c.id for c in CASES]
BY_ID = {c.id: c for c in CASES}


def _nonconstant(case: Case) -> int:
    return sum(1 for e in case.outputs() if not sp.sympify(e).is_number)


def _problem(case: Case, wrt=()):
    return case.problem(wrt, several=True)


def _dot_rows(matrix, u):
    n = len(matrix[0]) if matrix else 0
    return [sum(u[i] * matrix[i][j] for i in range(len(u))) for j in range(n)]


# --- the table itself -----------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_parse_gives_the_expected_inputs_and_outputs(case):
    p = _problem(case)
    assert tuple(p.wrt) == case.inputs
    assert len(p.graph.outputs) == case.m


def test_the_table_covers_the_shapes_asked_for():
    shapes = {(c.m, c.n) for c in CASES}
    assert {m for m, _ in shapes} >= {1, 2, 3} and {n for _, n in shapes} >= {1, 2, 3}
    assert any(m > n for m, n in shapes) and any(m < n for m, n in shapes)
    assert any(m == n for m, n in shapes)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_values_match_sympy(case):
    values, _ = reference(case)
    result = jacobian(_problem(case), "reverse")
    assert len(result.values) == case.m
    for i, (got, want) in enumerate(zip(result.values, values)):
        assert_close(got, want, AD_REL, 1.0, f"value {i}")


# --- Jacobian: every mode against SymPy -----------------------------------------------


@pytest.mark.parametrize("mode", ["auto", "forward", "reverse", "symbolic", "numerical"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_jacobian_matches_sympy(case, mode):
    _, want = reference(case)
    result = jacobian(_problem(case), mode)
    assert result.inputs == case.inputs
    assert len(result.outputs) == case.m
    rel = NUMERICAL_REL if mode == "numerical" else AD_REL
    assert_matrix_close(result.matrix, want, rel, f"{mode} J")
    assert result.sweeps == {"forward": case.n, "reverse": case.m}


def test_constant_output_has_a_zero_row_in_every_mode():
    case = BY_ID["constant-output"]
    for mode in ("forward", "reverse", "symbolic", "numerical"):
        result = jacobian(_problem(case), mode)
        assert result.matrix[1] == (0.0, 0.0, 0.0), mode
        assert result.values[1] == 3.0


# --- sweep counts ----------------------------------------------------------------------


#: the tangent and adjoint sweeps the study really runs
sweeps = sweeps_fixture(jac_module, matrices_module)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_forward_mode_runs_one_tangent_sweep_per_input(case, sweeps):
    result = jacobian(_problem(case), "forward")
    assert result.mode == "forward"
    assert result.performed == case.n
    assert sweeps == {"tangent": case.n, "adjoint": 0}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_reverse_mode_runs_one_adjoint_sweep_per_output(case, sweeps):
    result = jacobian(_problem(case), "reverse")
    assert result.mode == "reverse"
    assert result.performed == case.m
    # a constant output has no tape entry to seed: its row is zero without a sweep
    assert sweeps == {"tangent": 0, "adjoint": _nonconstant(case)}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_numerical_counts_two_evaluations_per_input(case, sweeps):
    result = jacobian(_problem(case), "numerical")
    assert result.mode == "numerical" and result.performed == 2 * case.n
    assert sweeps == {"tangent": 0, "adjoint": 0}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_symbolic_runs_no_sweeps(case, sweeps):
    result = jacobian(_problem(case), "symbolic")
    assert result.mode == "symbolic" and result.performed == 0
    assert sweeps == {"tangent": 0, "adjoint": 0}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_auto_picks_forward_iff_n_le_m_and_says_why(case, sweeps):
    n, m = case.n, case.m
    result = jacobian(_problem(case), "auto")
    expected = "forward" if n <= m else "reverse"
    assert result.mode == expected
    assert result.performed == (n if expected == "forward" else m)
    if expected == "forward":
        assert sweeps == {"tangent": n, "adjoint": 0}
    else:
        assert sweeps == {"tangent": 0, "adjoint": _nonconstant(case)}
    note = result.note
    assert f"{n} tangent sweep" in note and f"{m} adjoint sweep" in note, note
    assert f"{expected} is cheaper" in note, note


@pytest.mark.parametrize("wrt, n", [("x", 1), ("z,x", 2), ("y,z,x", 3)])
def test_auto_counts_only_the_wrt_inputs(wrt, n):
    case = BY_ID["three-in-two-out"]
    result = jacobian(_problem(case, (wrt,)), "auto")
    assert result.sweeps == {"forward": n, "reverse": 2}
    assert result.mode == ("forward" if n <= 2 else "reverse")


# --- --wrt: columns selected and ordered ----------------------------------------------


@pytest.mark.parametrize("mode", ["forward", "reverse", "symbolic", "numerical"])
@pytest.mark.parametrize("wrt", ["z,x", "y", "x,z,y"])
def test_wrt_selects_and_orders_the_columns(mode, wrt):
    case = BY_ID["elementary"]
    _, full = reference(case)
    names = wrt.split(",")
    want = [[row[case.inputs.index(v)] for v in names] for row in full]
    result = jacobian(_problem(case, (wrt,)), mode)
    assert result.inputs == tuple(names)
    rel = NUMERICAL_REL if mode == "numerical" else AD_REL
    assert_matrix_close(result.matrix, want, rel, f"{mode} J wrt {wrt}")


# --- JVP -------------------------------------------------------------------------------


JVP_PARAMS = probe_params(CASES)


@pytest.mark.parametrize("case, v", JVP_PARAMS)
def test_jvp_is_J_times_v(case, v, sweeps):
    values, J = reference(case)
    tangent = dict(zip(case.inputs, v))
    result = jvp(_problem(case), tangent)
    assert result.kind == "jvp"
    assert result.vector == tangent
    assert len(result.outputs) == case.m
    got = [result.result[o] for o in result.outputs]
    want = times(J, v)
    scale = scale_of(J)
    for i, (g, w) in enumerate(zip(got, want)):
        assert_close(g, w, AD_REL, scale, f"(J·v)[{i}]")
    for i, (g, w) in enumerate(zip(result.values, values)):
        assert_close(g, w, AD_REL, 1.0, f"value {i}")
    assert sweeps == {"tangent": 1, "adjoint": 0}


def test_jvp_missing_tangent_entries_are_zero():
    case = BY_ID["elementary"]
    _, J = reference(case)
    result = jvp(_problem(case), {"y": 2.0})
    assert result.vector == {"x": 0.0, "y": 2.0, "z": 0.0}
    got = [result.result[o] for o in result.outputs]
    for g, row in zip(got, J):
        assert_close(g, 2.0 * row[1], AD_REL)


def test_jvp_unknown_name_is_a_usage_error():
    with pytest.raises(UsageError, match="'w'"):
        jvp(_problem(BY_ID["three-outputs"]), {"x": 1.0, "w": 1.0})


# --- VJP -------------------------------------------------------------------------------


COTANGENT = (0.5, -2.0, 1.25)
VJP_PARAMS = probe_params(CASES, lambda case: probes(range(case.m), COTANGENT))


@pytest.mark.parametrize("case, u", VJP_PARAMS)
def test_vjp_is_u_transpose_J(case, u, sweeps):
    _, J = reference(case)
    result = vjp(_problem(case), list(u))
    assert result.kind == "vjp"
    assert tuple(result.result) == case.inputs
    want = _dot_rows(J, u)
    scale = scale_of(J)
    for name, w in zip(case.inputs, want):
        assert_close(result.result[name], w, AD_REL, scale, f"(uᵀJ)[{name}]")
    assert sweeps == {"tangent": 0, "adjoint": 1}


@pytest.mark.parametrize("length", [0, 2, 4])
def test_vjp_wrong_cotangent_length_is_a_usage_error(length):
    with pytest.raises(UsageError, match="3 outputs"):
        vjp(_problem(BY_ID["three-outputs"]), [1.0] * length)


def test_vjp_on_the_constant_output_alone_is_zero():
    result = vjp(_problem(BY_ID["constant-output"]), [0.0, 1.0, 0.0])
    assert result.result == {"x": 0.0, "y": 0.0, "z": 0.0}


def test_jvp_and_vjp_agree_on_the_bilinear_form():
    """uᵀ(J v) == (uᵀJ) v, both from adcli, to rounding."""
    case = BY_ID["three-outputs"]
    u, v = [0.5, -2.0, 1.25], {"x": 0.3, "y": -1.7}
    jv = jvp(_problem(case), v)
    left = sum(a * jv.result[o] for a, o in zip(u, jv.outputs))
    uj = vjp(_problem(case), u)
    right = sum(uj.result[k] * v[k] for k in v)
    assert_close(left, right, 1e-13)


# --- the command line -----------------------------------------------------------------


@pytest.mark.parametrize("mode", ["auto", "forward", "reverse", "symbolic", "numerical"])
@pytest.mark.parametrize("case_id", ["three-outputs", "three-in-one-out", "constant-output"])
def test_cli_jacobian_json_contract(run, case_id, mode):
    case = BY_ID[case_id]
    values, J = reference(case)
    out = json_of(run, "jacobian", case.text, *case.at_args(), "--mode", mode)
    assert set(out) >= {"outputs", "inputs", "jacobian", "mode", "sweeps", "value",
                        "performed", "note"}
    assert out["inputs"] == list(case.inputs) and len(out["outputs"]) == case.m
    assert out["sweeps"] == {"forward": case.n, "reverse": case.m}
    rel = NUMERICAL_REL if mode == "numerical" else AD_REL
    assert_matrix_close(out["jacobian"], J, rel, "json jacobian")
    for g, w in zip(out["value"], values):
        assert_close(g, w, AD_REL)
    used = mode if mode != "auto" else ("forward" if case.n <= case.m else "reverse")
    assert out["mode"] == used
    assert out["performed"] == {"forward": case.n, "reverse": case.m,
                                "numerical": 2 * case.n, "symbolic": 0}[used]
    if mode == "auto":
        assert f"{used} is cheaper" in out["note"]


def test_cli_jacobian_json_numbers_are_the_library_numbers(run):
    case = BY_ID["elementary"]
    out = json_of(run, "jacobian", case.text, *case.at_args())
    lib = jacobian(_problem(case), "auto")
    assert out["jacobian"] == [list(row) for row in lib.matrix]
    assert out["value"] == list(lib.values)
    assert out["outputs"] == list(lib.outputs)


def test_cli_jacobian_wrt(run):
    case = BY_ID["elementary"]
    _, J = reference(case)
    out = json_of(run, "jacobian", case.text, *case.at_args(), "--wrt", "z,x")
    assert out["inputs"] == ["z", "x"]
    assert_matrix_close(out["jacobian"], [[row[2], row[0]] for row in J], AD_REL)
    assert out["sweeps"] == {"forward": 2, "reverse": 3} and out["mode"] == "forward"


@pytest.mark.parametrize("case_id", ["three-outputs", "three-in-two-out", "cond-else"])
def test_cli_jvp_json(run, case_id):
    case = BY_ID[case_id]
    values, J = reference(case)
    v = DENSE[:case.n]
    spec = ",".join(f"{k}={a}" for k, a in zip(case.inputs, v))
    out = json_of(run, "jvp", case.text, *case.at_args(), "--tangent", spec)
    assert isinstance(out["jvp"], list) and len(out["jvp"]) == case.m
    assert isinstance(out["value"], list) and len(out["value"]) == case.m
    for g, w in zip(out["jvp"], times(J, v)):
        assert_close(g, w, AD_REL)
    for g, w in zip(out["value"], values):
        assert_close(g, w, AD_REL)


@pytest.mark.parametrize("case_id", ["three-outputs", "three-in-two-out", "constant-output"])
def test_cli_vjp_json(run, case_id):
    case = BY_ID[case_id]
    values, J = reference(case)
    u = COTANGENT[:case.m]
    out = json_of(run, "vjp", case.text, *case.at_args(), "--cotangent",
                  ",".join(map(str, u)))
    assert isinstance(out["vjp"], dict) and list(out["vjp"]) == list(case.inputs)
    for name, w in zip(case.inputs, _dot_rows(J, u)):
        assert_close(out["vjp"][name], w, AD_REL)
    assert len(out["value"]) == case.m


def test_cli_vjp_reports_the_cotangent_it_used_for_repeated_outputs(run):
    out = json_of(run, "vjp", "x*y, x*y", "--at", "x=1", "--at", "y=2",
                  "--cotangent", "1,2")
    assert out["vjp"] == {"x": 6.0, "y": 3.0}          # (1 + 2) * (y, x): right
    assert out["vector"] == [1.0, 2.0]                 # one number per output


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@pytest.mark.parametrize("command, extra", [
    ("jacobian", ()), ("jvp", ("--tangent", "x=1,y=0")), ("vjp", ("--cotangent", "1,0,0"))])
def test_cli_every_format_renders(run, command, extra, fmt):
    out = stdout_of(run, command, "x*y, sin(x)+y, 3", "--at", "x=1", "--at", "y=2",
                    *extra, "-f", fmt)
    assert "0.54030230586" in out or command == "vjp"


def test_library_errors_are_typed():
    with pytest.raises(UsageError, match=re.escape(
            "unknown mode 'sideways': choose one of auto, forward, reverse, symbolic, "
            "numerical")):
        jacobian(_problem(BY_ID["three-outputs"]), "sideways")
    with pytest.raises(MathError):
        jacobian(problem("sqrt(x), x", at=["x=0"], several=True), "forward")


@pytest.mark.parametrize("formula", ["x*y, y", "sin(x), cos(x), x"])
def test_diff_still_rejects_several_outputs(run, formula):
    result = run("diff", formula, "--at", "x=1", "--at", "y=2")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("adcli: error: ")
    assert "jacobian" in result.stderr.splitlines()[0]
