"""What the vector and second-order commands refuse, and what they answer at kinks.

A request they cannot understand is a usage error (exit 2).  A point where a
derivative is infinite or undefined, or where a value overflows, is a math
error (exit 1) with one line that says so, in every mode -- never an internal
error.  At a kink or a tie there is a number: the op's declared subgradient,
or the branch the point takes.
"""

from __future__ import annotations

import pytest

from support import assert_one_error_line, at_args, json_of

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
    (("hvp", "x*y", "--at", "x=1", "--at", "y=2", "--vector", "w=1"), 2, "'w'"),
    (("hvp", "x*y", "--at", "x=1", "--at", "y=2", "--vector", "x=a"), 2, "--vector"),
    (("hessian", "x*y", "--at", "x=1", "--at", "y=2", "-m", "bogus"), 2, "bogus"),
    (("hessian", "x*y", "--at", "x=1"), 2, "y"),
    (("hessian", "x*y", "--at", "x=1", "--at", "y=2", "--wrt", "q"), 2, "q"),
    # math: exit 1, one "adcli: math error:" line
    (("jacobian", "log(x), x", "--at", "x=-1"), 1, "log"),
    (("jacobian", "sqrt(x), x", "--at", "x=0"), 1, ""),
    (("jvp", "x, 1/x", "--at", "x=0", "--tangent", "x=1"), 1, ""),
    (("vjp", "x, log(x)", "--at", "x=0", "--cotangent", "1,1"), 1, ""),
    (("hessian", "sqrt(x)", "--at", "x=0"), 1, ""),
    (("hessian", "log(x)", "--at", "x=-1"), 1, "log"),
    (("hvp", "1/x", "--at", "x=0", "--vector", "x=1"), 1, ""),
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


def _no_jacobian_entry(output, shown):
    return (f"the symbolic derivative of {output} with respect to x is infinite or "
            f"undefined at the point ({shown})")


JACOBIAN_BAD_POINTS = [
    # formula, point, the line of forward/reverse, of symbolic, of numerical
    pytest.param("sqrt(x), x", "x=0", NO_JACOBIAN + " (nan)",
                 _no_jacobian_entry("sqrt(x)", "zoo"),
                 "sqrt is undefined at row v2 = sqrt(v1)", id="sqrt-at-0"),
    pytest.param("x**0.5, x", "x=0", NO_JACOBIAN + " (nan)",
                 _no_jacobian_entry("x^0.5", "zoo"),
                 "pow is undefined at row v2 = v1^0.5", id="pow-half-at-0"),
    pytest.param("asin(x), x", "x=1", NO_JACOBIAN + " (nan)",
                 _no_jacobian_entry("asin(x)", "zoo"),
                 "asin is undefined at row v2 = asin(v1)", id="asin-at-1"),
    pytest.param("log(x), x", "x=1e-310", NO_JACOBIAN + " (inf)", NO_JACOBIAN + " (inf)",
                 NO_JACOBIAN + " (inf)", id="log-near-0"),
    pytest.param("1/x, x", "x=0", DIV_AT_0, DIV_AT_0, DIV_AT_0, id="reciprocal-at-0"),
    pytest.param("exp(x), x", "x=1000", EXP_OVERFLOWS, EXP_OVERFLOWS, EXP_OVERFLOWS,
                 id="exp-overflows"),
]


@pytest.mark.parametrize("mode", ["auto", "forward", "reverse", "symbolic", "numerical"])
@pytest.mark.parametrize("formula, at, ad, symbolic, numerical", JACOBIAN_BAD_POINTS)
def test_cli_jacobian_at_a_bad_point_is_a_math_error(run, formula, at, ad, symbolic,
                                                     numerical, mode):
    line = {"symbolic": symbolic, "numerical": numerical}.get(mode, ad)
    assert_one_error_line(run("jacobian", formula, "--at", at, "-m", mode), 1, line)


@pytest.mark.parametrize("formula, at, ad, symbolic, numerical", JACOBIAN_BAD_POINTS)
def test_cli_jvp_and_vjp_at_a_bad_point_are_math_errors(run, formula, at, ad, symbolic,
                                                       numerical):
    result = run("jvp", formula, "--at", at, "--tangent", "x=1")
    assert_one_error_line(result, 1, ad.replace("Jacobian", "JVP"))
    result = run("vjp", formula, "--at", at, "--cotangent", "1,0")
    assert_one_error_line(result, 1, ad.replace("Jacobian", "VJP"))


JACOBIAN_KINKS = [
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


@pytest.mark.parametrize("formula, at, ad, symbolic", JACOBIAN_KINKS)
def test_cli_kinks_and_ties_have_a_jacobian(run, formula, at, ad, symbolic):
    args = at_args(at)
    for mode, want in [("forward", ad), ("reverse", ad), ("symbolic", symbolic)]:
        out = json_of(run, "jacobian", formula, *args, "-m", mode)
        assert out["jacobian"] == want, mode
    tangent = ",".join(f"{k}={int(k == 'x')}" for k in (a.split("=")[0] for a in at))
    out = json_of(run, "jvp", formula, *args, "--tangent", tangent)
    assert out["jvp"] == [row[0] for row in ad]
    out = json_of(run, "vjp", formula, *args, "--cotangent", "1,0")
    assert list(out["vjp"].values()) == ad[0]


# --- the same for the Hessian and the HVP ----------------------------------------------


def _sweep_fails(line):
    return ("the second derivative is infinite or undefined at the point "
            f"(the recorded reverse sweep fails: {line}")


def _no_hessian_entry(shown):
    return ("the symbolic second derivative with respect to x and x is infinite or "
            f"undefined at the point ({shown})")


SQRT_AT_0 = _sweep_fails("div is undefined at row v4 = 1.0/v3 (v3 = 0.0)")
POW_AT_0 = _sweep_fails("pow is undefined at row v3 = v1^-0.5 (v1 = 0.0)")
ASIN_AT_1 = _sweep_fails("div is undefined at row v7 = 1.0/v6 (v6 = 0.0)")
LOG_NEAR_0 = _sweep_fails("div overflows the float range at row v3 = 1.0/v1 (v1 = 1e-310)")
NO_HESSIAN = "the second derivative is infinite or undefined at the point"

HESSIAN_BAD_POINTS = [
    # formula, point, the line of forward-over-reverse and hvp, of symbolic, of numerical
    pytest.param("sqrt(x)", "x=0", SQRT_AT_0, SQRT_AT_0, SQRT_AT_0, id="sqrt-at-0"),
    pytest.param("x**0.5", "x=0", POW_AT_0, POW_AT_0, POW_AT_0, id="pow-half-at-0"),
    pytest.param("asin(x)", "x=1", ASIN_AT_1, ASIN_AT_1, ASIN_AT_1, id="asin-at-1"),
    pytest.param("log(x)", "x=1e-310", LOG_NEAR_0, LOG_NEAR_0, LOG_NEAR_0, id="log-near-0"),
    pytest.param("log(x)", "x=1e-300", NO_HESSIAN + " (-inf)", NO_HESSIAN + " (-inf)",
                 NO_HESSIAN + " (-inf)", id="log-hessian-overflows"),
    pytest.param("x**1.5", "x=0", NO_HESSIAN + " (nan)", _no_hessian_entry("zoo"),
                 "pow is undefined at row v2 = v1^1.5", id="pow-three-halves-at-0"),
    pytest.param("abs(x)", "x=0", None, _no_hessian_entry("2.0*DiracDelta(0.0)"), None,
                 id="abs-at-0"),
    pytest.param("max(x, y)", "x=1,y=1", None, _no_hessian_entry("DiracDelta(0)"), None,
                 id="max-tie"),
    pytest.param("1/x", "x=0", DIV_AT_0, DIV_AT_0, DIV_AT_0, id="reciprocal-at-0"),
    pytest.param("exp(x)", "x=1000", EXP_OVERFLOWS, EXP_OVERFLOWS, EXP_OVERFLOWS,
                 id="exp-overflows"),
]


@pytest.mark.parametrize("formula, point, ad, symbolic, numerical", HESSIAN_BAD_POINTS)
def test_cli_second_order_at_a_bad_point_is_a_math_error(run, formula, point, ad, symbolic,
                                                         numerical):
    """None: the mode has a number there (a kink's subgradient; see below)."""
    at = at_args(point.split(","))
    for mode, line in [("forward-over-reverse", ad), ("symbolic", symbolic),
                       ("numerical", numerical)]:
        if line is not None:
            assert_one_error_line(run("hessian", formula, *at, "-m", mode), 1, line)
    if ad is not None:
        assert_one_error_line(run("hvp", formula, *at, "--vector", "x=1"), 1, ad)


HESSIAN_KINKS = [
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


@pytest.mark.parametrize("formula, at, ad, symbolic", HESSIAN_KINKS)
def test_cli_kinks_and_ties_have_a_hessian(run, formula, at, ad, symbolic):
    args = at_args(at)
    assert json_of(run, "hessian", formula, *args)["hessian"] == ad
    if symbolic is not None:
        out = json_of(run, "hessian", formula, *args, "-m", "symbolic")
        assert out["hessian"] == symbolic
    assert json_of(run, "hvp", formula, *args, "--vector", "x=1")["hvp"]["x"] == ad[0][0]
