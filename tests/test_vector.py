"""Jacobians, JVPs and VJPs of vector formulas, checked against SymPy at 30 digits.

Every formula of the table is written twice: in adcli's language, and with SymPy
functions.  SymPy differentiates its own copy and evaluates at the very point
adcli used (the float it parsed, converted exactly), so a wrong rule, a wrong
sweep or a transposed matrix shows up as a number that differs from the
reference -- never as a difference between two of adcli's own modes.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import pytest
import sympy as sp

import adcli.studies.jacobian as jac_module
import adcli.studies.matrices as matrices_module
from adcli.api import problem
from adcli.errors import MathError, UsageError
from adcli.studies.jacobian import jacobian, jvp, vjp
from support import assert_close, assert_matrix_close, assert_one_error_line, count_sweeps
from support import sympy_hypot as _hypot
from support import sympy_sigmoid as _sigmoid

SYM = {name: sp.Symbol(name, real=True) for name in "xyz"}
AD_REL = 1e-12          # forward, reverse, symbolic against SymPy
NUMERICAL_REL = 1e-5    # central differences against SymPy


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    at: tuple
    inputs: tuple       # the variables, in adcli's order (first appearance)
    build: object       # (x, y, z) -> list of SymPy outputs

    @property
    def n(self) -> int:
        return len(self.inputs)

    @property
    def m(self) -> int:
        return len(self.build(SYM["x"], SYM["y"], SYM["z"]))


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
    return sum(1 for e in case.build(SYM["x"], SYM["y"], SYM["z"])
               if not sp.sympify(e).is_number)


def _problem(case: Case, wrt=()):
    return problem(case.text, at=case.at, wrt=wrt, several=True)


@functools.lru_cache(maxsize=None)
def reference(case_id: str):
    """(values, Jacobian m x n over case.inputs) from SymPy at 30 digits."""
    case = BY_ID[case_id]
    point = _problem(case).point
    subs = {SYM[k]: sp.Rational(v) for k, v in point.items()}  # the parsed float, exactly
    exprs = case.build(SYM["x"], SYM["y"], SYM["z"])
    values = [float(sp.sympify(e).xreplace(subs).evalf(30)) for e in exprs]
    matrix = [[float(sp.diff(e, SYM[v]).xreplace(subs).evalf(30)) for v in case.inputs]
              for e in exprs]
    return values, matrix


def _dot_columns(matrix, v):
    return [sum(row[j] * v[j] for j in range(len(v))) for row in matrix]


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
    values, _ = reference(case.id)
    result = jacobian(_problem(case), "reverse")
    assert len(result.values) == case.m
    for i, (got, want) in enumerate(zip(result.values, values)):
        assert_close(got, want, AD_REL, 1.0, f"value {i}")


# --- Jacobian: every mode against SymPy -----------------------------------------------


@pytest.mark.parametrize("mode", ["auto", "forward", "reverse", "symbolic", "numerical"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_jacobian_matches_sympy(case, mode):
    _, want = reference(case.id)
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


@pytest.fixture
def sweeps(monkeypatch):
    """Count the tangent and adjoint sweeps adcli.studies.jacobian really runs."""
    return count_sweeps(monkeypatch, jac_module, matrices_module)


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
    _, full = reference(case.id)
    names = wrt.split(",")
    want = [[row[case.inputs.index(v)] for v in names] for row in full]
    result = jacobian(_problem(case, (wrt,)), mode)
    assert result.inputs == tuple(names)
    rel = NUMERICAL_REL if mode == "numerical" else AD_REL
    assert_matrix_close(result.matrix, want, rel, f"{mode} J wrt {wrt}")


# --- JVP -------------------------------------------------------------------------------

DENSE = (0.3, -1.7, 2.5)


def _tangents(case):
    basis = [tuple(1.0 if j == k else 0.0 for j in range(case.n)) for k in range(case.n)]
    return [("e" + case.inputs[k], basis[k]) for k in range(case.n)] + \
           [("dense", DENSE[:case.n])]


JVP_PARAMS = [pytest.param(c, v, id=f"{c.id}-{name}") for c in CASES
              for name, v in _tangents(c)]


@pytest.mark.parametrize("case, v", JVP_PARAMS)
def test_jvp_is_J_times_v(case, v, sweeps):
    values, J = reference(case.id)
    tangent = dict(zip(case.inputs, v))
    result = jvp(_problem(case), tangent)
    assert result.kind == "jvp"
    assert result.vector == tangent
    assert len(result.outputs) == case.m
    got = [result.result[o] for o in result.outputs]
    want = _dot_columns(J, v)
    scale = max([1.0] + [abs(a) for row in J for a in row])
    for i, (g, w) in enumerate(zip(got, want)):
        assert_close(g, w, AD_REL, scale, f"(J·v)[{i}]")
    for i, (g, w) in enumerate(zip(result.values, values)):
        assert_close(g, w, AD_REL, 1.0, f"value {i}")
    assert sweeps == {"tangent": 1, "adjoint": 0}


def test_jvp_missing_tangent_entries_are_zero():
    case = BY_ID["elementary"]
    _, J = reference(case.id)
    result = jvp(_problem(case), {"y": 2.0})
    assert result.vector == {"x": 0.0, "y": 2.0, "z": 0.0}
    got = [result.result[o] for o in result.outputs]
    for g, row in zip(got, J):
        assert_close(g, 2.0 * row[1], AD_REL)


def test_jvp_unknown_name_is_a_usage_error():
    with pytest.raises(UsageError, match="'w'"):
        jvp(_problem(BY_ID["three-outputs"]), {"x": 1.0, "w": 1.0})


# --- VJP -------------------------------------------------------------------------------


def _cotangents(case):
    rows = [("e" + str(k), tuple(1.0 if i == k else 0.0 for i in range(case.m)))
            for k in range(case.m)]
    return rows + [("dense", (0.5, -2.0, 1.25)[:case.m])]


VJP_PARAMS = [pytest.param(c, u, id=f"{c.id}-{name}") for c in CASES
              for name, u in _cotangents(c)]


@pytest.mark.parametrize("case, u", VJP_PARAMS)
def test_vjp_is_u_transpose_J(case, u, sweeps):
    _, J = reference(case.id)
    result = vjp(_problem(case), list(u))
    assert result.kind == "vjp"
    assert tuple(result.result) == case.inputs
    want = _dot_rows(J, u)
    scale = max([1.0] + [abs(a) for row in J for a in row])
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


def _at(case):
    return [arg for a in case.at for arg in ("--at", a)]


def _json(run, *args):
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.count("\n") == 1
    return json.loads(result.stdout)


@pytest.mark.parametrize("mode", ["auto", "forward", "reverse", "symbolic", "numerical"])
@pytest.mark.parametrize("case_id", ["three-outputs", "three-in-one-out", "constant-output"])
def test_cli_jacobian_json_contract(run, case_id, mode):
    case = BY_ID[case_id]
    values, J = reference(case.id)
    out = _json(run, "jacobian", case.text, *_at(case), "--mode", mode)
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
    out = _json(run, "jacobian", case.text, *_at(case))
    lib = jacobian(_problem(case), "auto")
    assert out["jacobian"] == [list(row) for row in lib.matrix]
    assert out["value"] == list(lib.values)
    assert out["outputs"] == list(lib.outputs)


def test_cli_jacobian_wrt(run):
    case = BY_ID["elementary"]
    _, J = reference(case.id)
    out = _json(run, "jacobian", case.text, *_at(case), "--wrt", "z,x")
    assert out["inputs"] == ["z", "x"]
    assert_matrix_close(out["jacobian"], [[row[2], row[0]] for row in J], AD_REL)
    assert out["sweeps"] == {"forward": 2, "reverse": 3} and out["mode"] == "forward"


@pytest.mark.parametrize("case_id", ["three-outputs", "three-in-two-out", "cond-else"])
def test_cli_jvp_json(run, case_id):
    case = BY_ID[case_id]
    values, J = reference(case.id)
    v = DENSE[:case.n]
    spec = ",".join(f"{k}={a}" for k, a in zip(case.inputs, v))
    out = _json(run, "jvp", case.text, *_at(case), "--tangent", spec)
    assert isinstance(out["jvp"], list) and len(out["jvp"]) == case.m
    assert isinstance(out["value"], list) and len(out["value"]) == case.m
    for g, w in zip(out["jvp"], _dot_columns(J, v)):
        assert_close(g, w, AD_REL)
    for g, w in zip(out["value"], values):
        assert_close(g, w, AD_REL)


@pytest.mark.parametrize("case_id", ["three-outputs", "three-in-two-out", "constant-output"])
def test_cli_vjp_json(run, case_id):
    case = BY_ID[case_id]
    values, J = reference(case.id)
    u = (0.5, -2.0, 1.25)[:case.m]
    out = _json(run, "vjp", case.text, *_at(case), "--cotangent", ",".join(map(str, u)))
    assert isinstance(out["vjp"], dict) and list(out["vjp"]) == list(case.inputs)
    for name, w in zip(case.inputs, _dot_rows(J, u)):
        assert_close(out["vjp"][name], w, AD_REL)
    assert len(out["value"]) == case.m


def test_cli_vjp_reports_the_cotangent_it_used_for_repeated_outputs(run):
    out = _json(run, "vjp", "x*y, x*y", "--at", "x=1", "--at", "y=2", "--cotangent", "1,2")
    assert out["vjp"] == {"x": 6.0, "y": 3.0}          # (1 + 2) * (y, x): right
    assert out["vector"] == [1.0, 2.0]                 # one number per output


@pytest.mark.parametrize("fmt", ["table", "plain", "csv", "markdown", "latex"])
@pytest.mark.parametrize("command, extra", [
    ("jacobian", ()), ("jvp", ("--tangent", "x=1,y=0")), ("vjp", ("--cotangent", "1,0,0"))])
def test_cli_every_format_renders(run, command, extra, fmt):
    result = run(command, "x*y, sin(x)+y, 3", "--at", "x=1", "--at", "y=2", *extra,
                 "-f", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "" and result.stdout.strip()
    assert "0.54030230586" in result.stdout or command == "vjp"


ERRORS = [
    # usage: exit 2, one "adcli: error:" line
    (("vjp", "x*y, sin(x)+y", "--at", "x=1", "--at", "y=2", "--cotangent", "1,0,0"), 2,
     "--cotangent"),
    (("vjp", "x*y, sin(x)+y", "--at", "x=1", "--at", "y=2", "--cotangent", "1"), 2,
     "--cotangent"),
    (("vjp", "x*y, sin(x)+y", "--at", "x=1", "--at", "y=2", "--cotangent", "1,a"), 2,
     "--cotangent"),
    (("jvp", "x*y, sin(x)+y", "--at", "x=1", "--at", "y=2", "--tangent", "w=1"), 2, "'w'"),
    (("jvp", "x*y, sin(x)+y", "--at", "x=1", "--at", "y=2", "--tangent", "x=a"), 2,
     "--tangent"),
    (("jacobian", "x*y, y", "--at", "x=1", "--at", "y=2", "--wrt", "q"), 2, "q"),
    (("jacobian", "x*y, y", "--at", "x=1"), 2, "y"),
    (("jacobian", "x*y, y", "--at", "x=1", "--at", "y=2", "-m", "bogus"), 2, "bogus"),
    # math: exit 1, one "adcli: math error:" line
    (("jacobian", "log(x), x", "--at", "x=-1"), 1, "log"),
    (("jacobian", "sqrt(x), x", "--at", "x=0"), 1, ""),
    (("jvp", "x, 1/x", "--at", "x=0", "--tangent", "x=1"), 1, ""),
    (("vjp", "x, log(x)", "--at", "x=0", "--cotangent", "1,1"), 1, ""),
]


@pytest.mark.parametrize("args, code, fragment", ERRORS,
                         ids=[f"{a[0]}-{i}" for i, (a, _, _) in enumerate(ERRORS)])
def test_cli_errors(run, args, code, fragment):
    assert_one_error_line(run(*args), code, fragment)


@pytest.mark.parametrize("command, option", [("jvp", "--tangent"), ("hvp", "--vector"),
                                             ("tape", "--seed")])
def test_every_vector_option_refuses_a_name_alike(run, command, option):
    result = run(command, "x*y", "--at", "x=1", "--at", "y=2", option, "w=1")
    assert_one_error_line(result, 2, f"{option} names 'w', which is not a variable of the "
                                     f"formula (variables: x, y)")


@pytest.mark.parametrize("option, text, words", [
    ("--tangent", "x=a", "'a' is not a number"), ("--tangent", "x=inf", "inf is not a finite"),
    ("--cotangent", "1,a", "'a' is not a number"), ("--cotangent", "1,nan", "nan is not a finite"),
])
def test_every_vector_option_refuses_a_number_alike(run, option, text, words):
    command = "jvp" if option == "--tangent" else "vjp"
    result = run(command, "x*y, y", "--at", "x=1", "--at", "y=2", option, text)
    assert_one_error_line(result, 2, f"{option} {text}: {words}")


# --- points where a derivative is infinite or undefined, or a value overflows ----------

NO_JACOBIAN = "the Jacobian is infinite or undefined at the point"
DIV_AT_0 = "div is undefined at row v2 = 1/v1 (v1 = 0.0): it needs a nonzero divisor"
EXP_OVERFLOWS = "exp overflows the float range at row v2 = exp(v1) (v1 = 1000.0)"


def _no_symbolic(output, shown):
    return (f"the symbolic derivative of {output} with respect to x is infinite or "
            f"undefined at the point ({shown})")


BAD_POINTS = [
    # formula, point, the line of forward/reverse, of symbolic, of numerical
    pytest.param("sqrt(x), x", "x=0", NO_JACOBIAN + " (nan)", _no_symbolic("sqrt(x)", "zoo"),
                 "sqrt is undefined at row v2 = sqrt(v1)", id="sqrt-at-0"),
    pytest.param("x**0.5, x", "x=0", NO_JACOBIAN + " (nan)", _no_symbolic("x^0.5", "zoo"),
                 "pow is undefined at row v2 = v1^0.5", id="pow-half-at-0"),
    pytest.param("asin(x), x", "x=1", NO_JACOBIAN + " (nan)", _no_symbolic("asin(x)", "zoo"),
                 "asin is undefined at row v2 = asin(v1)", id="asin-at-1"),
    pytest.param("log(x), x", "x=1e-310", NO_JACOBIAN + " (inf)", NO_JACOBIAN + " (inf)",
                 NO_JACOBIAN + " (inf)", id="log-near-0"),
    pytest.param("1/x, x", "x=0", DIV_AT_0, DIV_AT_0, DIV_AT_0, id="reciprocal-at-0"),
    pytest.param("exp(x), x", "x=1000", EXP_OVERFLOWS, EXP_OVERFLOWS, EXP_OVERFLOWS,
                 id="exp-overflows"),
]


@pytest.mark.parametrize("mode", ["auto", "forward", "reverse", "symbolic", "numerical"])
@pytest.mark.parametrize("formula, at, ad, symbolic, numerical", BAD_POINTS)
def test_cli_jacobian_at_a_bad_point_is_a_math_error(run, formula, at, ad, symbolic,
                                                     numerical, mode):
    line = {"symbolic": symbolic, "numerical": numerical}.get(mode, ad)
    assert_one_error_line(run("jacobian", formula, "--at", at, "-m", mode), 1, line)


@pytest.mark.parametrize("formula, at, ad, symbolic, numerical", BAD_POINTS)
def test_cli_jvp_and_vjp_at_a_bad_point_are_math_errors(run, formula, at, ad, symbolic,
                                                       numerical):
    result = run("jvp", formula, "--at", at, "--tangent", "x=1")
    assert_one_error_line(result, 1, ad.replace("Jacobian", "JVP"))
    result = run("vjp", formula, "--at", at, "--cotangent", "1,0")
    assert_one_error_line(result, 1, ad.replace("Jacobian", "VJP"))


KINKS = [
    # formula, point, the AD Jacobian (the op's declared subgradient, the taken branch),
    # SymPy's (its Heaviside(0) is 1/2: another subgradient of max)
    pytest.param("abs(x), x", ("x=0",), [[0.0], [1.0]], [[0.0], [1.0]], id="abs-at-0"),
    pytest.param("relu(x), x", ("x=0",), [[0.0], [1.0]], [[0.0], [1.0]], id="relu-at-0"),
    pytest.param("x**1.5, x", ("x=0",), [[0.0], [1.0]], [[0.0], [1.0]], id="pow-at-0"),
    pytest.param("max(x, y), x", ("x=1", "y=1"), [[1.0, 0.0], [1.0, 0.0]],
                 [[0.5, 0.5], [1.0, 0.0]], id="max-tie"),
    pytest.param("x**2 if x > y else y, x", ("x=1", "y=1"), [[0.0, 1.0], [1.0, 0.0]],
                 [[0.0, 1.0], [1.0, 0.0]], id="conditional-tie"),
    pytest.param("where(x > y, x*y, y**2), x", ("x=1", "y=1"), [[0.0, 2.0], [1.0, 0.0]],
                 [[0.0, 2.0], [1.0, 0.0]], id="where-tie"),
]


@pytest.mark.parametrize("formula, at, ad, symbolic", KINKS)
def test_cli_kinks_and_ties_have_a_jacobian(run, formula, at, ad, symbolic):
    args = [arg for a in at for arg in ("--at", a)]
    for mode, want in [("forward", ad), ("reverse", ad), ("symbolic", symbolic)]:
        assert _json(run, "jacobian", formula, *args, "-m", mode)["jacobian"] == want, mode
    names = [a.split("=")[0] for a in at]
    tangent = ",".join(f"{k}={int(k == 'x')}" for k in names)
    assert _json(run, "jvp", formula, *args, "--tangent", tangent)["jvp"] == \
        [row[0] for row in ad]
    assert list(_json(run, "vjp", formula, *args, "--cotangent", "1,0")["vjp"].values()) == \
        ad[0]


def test_library_errors_are_typed():
    with pytest.raises(UsageError):
        jacobian(_problem(BY_ID["three-outputs"]), "sideways")
    with pytest.raises(MathError):
        jacobian(problem("sqrt(x), x", at=["x=0"], several=True), "forward")


@pytest.mark.parametrize("formula", ["x*y, y", "sin(x), cos(x), x"])
def test_diff_still_rejects_several_outputs(run, formula):
    result = run("diff", formula, "--at", "x=1", "--at", "y=2")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("adcli: error: ")
    assert "jacobian" in result.stderr.splitlines()[0]
