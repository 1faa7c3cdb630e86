"""The worked examples of the design, in every mode, against independent values.

References are the textbook numbers (to the digits printed there) and mpmath
at 50 digits for full precision.
"""

from __future__ import annotations

import mpmath
import pytest

from adcli.api import differentiate
from adcli.language.parser import parse
from adcli.tape.record import record
from support import close

MODES = ("forward", "reverse", "symbolic", "numerical")
#: Tolerance of each mode, relative to max(1, |want|).
TOL = {mode: dict(rel=t, abs_=t) for mode, t in
       {"forward": 1e-14, "reverse": 1e-14, "symbolic": 1e-14, "numerical": 1e-8}.items()}

mpmath.mp.dps = 50


def mp_grad(f, *point):
    """Gradient of an mpmath function by high-precision differentiation, as doubles."""
    point = [mpmath.mpf(p) for p in point]
    grads = []
    for k in range(len(point)):
        order = [1 if j == k else 0 for j in range(len(point))]
        grads.append(float(mpmath.diff(f, point, order)))
    return grads


def test_course_trace_is_the_textbook_wengert_list():
    tape = record(parse("sin(x**2)+exp(x)"), {"x": 2.0})
    assert [tape.describe(i) for i in range(len(tape))] == [
        "v1 = x", "v2 = v1^2", "v3 = sin(v2)", "v4 = exp(v1)", "v5 = v3 + v4"]


@pytest.mark.parametrize("mode", MODES)
def test_sin_x2_plus_exp(mode):
    r = differentiate("sin(x**2)+exp(x)", ["2"], mode=mode)
    x = mpmath.mpf(2)
    assert close(r.value, float(mpmath.sin(x**2) + mpmath.exp(x)), **TOL["forward"])
    slope = float(2 * x * mpmath.cos(x**2) + mpmath.exp(x))
    assert close(r.gradient["x"], slope, **TOL[mode])


@pytest.mark.parametrize("mode", MODES)
def test_cube_plus_log_at_2(mode):
    r = differentiate("x^3 + ln(x)", ["2"], mode=mode)
    assert round(r.value, 4) == 8.6931
    assert close(r.gradient["x"], 12.5, **TOL[mode])


def tangent_rows(formula: str, x: float) -> list:
    """(value, tangent) of every tape entry, to the 4 decimals the course prints."""
    from adcli.backends.forward import tangents

    tape = record(parse(formula), {"x": x})
    dot = tangents(tape, {0: 1.0})
    return [(round(v, 4), round(d, 4)) for v, d in zip(tape.values, dot)]


def test_cube_plus_log_tangents_match_the_course_table():
    assert tangent_rows("x^3 + ln(x)", 2.0) == [(2, 1), (8, 12), (0.6931, 0.5), (8.6931, 12.5)]


@pytest.mark.parametrize("mode", MODES)
def test_x_sin_y(mode):
    r = differentiate("x*sin(y)", ["x=3", "y=pi/6"], mode=mode)
    assert round(r.value, 4) == 1.5
    gx, gy = mp_grad(lambda x, y: x * mpmath.sin(y), 3, mpmath.pi / 6)
    assert close(r.gradient["x"], gx, **TOL[mode]) and round(r.gradient["x"], 4) == 0.5
    assert close(r.gradient["y"], gy, **TOL[mode]) and round(r.gradient["y"], 3) == 2.598


def test_x_sin_y_adjoints_match_the_course_table():
    from adcli.backends.reverse import adjoints

    tape = record(parse("x*sin(y)"), {"x": 3.0, "y": float(mpmath.pi / 6)})
    assert [round(v, 4) for v in tape.values] == [3, 0.5236, 0.5, 1.5]
    bar = adjoints(tape, {tape.output: 1.0})
    assert [round(b, 3) for b in bar] == [0.5, 2.598, 3, 1]


@pytest.mark.parametrize("mode", ("forward", "reverse", "symbolic"))
@pytest.mark.parametrize("x, slope", [("0", 0.0), ("0.001", 0.002)])
def test_branch_example(mode, x, slope):
    r = differentiate("x**2 if x > 0 else 0", [x], mode=mode)
    assert r.gradient["x"] == pytest.approx(slope, abs=1e-15)


def test_branch_tape_records_only_the_taken_branch():
    graph = parse("x**2 if x > 0 else 0")
    at_zero = record(graph, {"x": 0.0})
    assert len(at_zero) == 1 and at_zero.output == -1   # only the input; output constant 0
    inside = record(graph, {"x": 0.001})
    assert [inside.describe(i) for i in range(len(inside))] == ["v1 = x", "v2 = v1^2"]
    assert [b.taken for b in inside.branches] == [True]


@pytest.mark.parametrize("mode", MODES)
def test_sqrt_x2_plus_1_at_3(mode):
    r = differentiate("sqrt(x**2 + 1)", ["3"], mode=mode)
    assert round(r.value, 4) == 3.1623
    assert close(r.gradient["x"], float(3 / mpmath.sqrt(10)), **TOL[mode])
    assert round(r.gradient["x"], 4) == 0.9487


def test_sqrt_x2_plus_1_tangents_match_the_course_table():
    assert tangent_rows("sqrt(x**2 + 1)", 3.0) == [(3, 1), (9, 6), (10, 6), (3.1623, 0.9487)]


@pytest.mark.parametrize("mode", MODES)
def test_baydin_tables_2_and_3(mode):
    r = differentiate("ln(x1) + x1*x2 - sin(x2)", ["x1=2", "x2=5"], mode=mode)
    assert round(r.value, 3) == 11.652
    g1, g2 = mp_grad(lambda a, b: mpmath.log(a) + a * b - mpmath.sin(b), 2, 5)
    assert close(r.gradient["x1"], g1, **TOL[mode]) and round(r.gradient["x1"], 3) == 5.5
    assert close(r.gradient["x2"], g2, **TOL[mode]) and round(r.gradient["x2"], 3) == 1.716


def test_baydin_forward_trace_values():
    tape = record(parse("ln(x1) + x1*x2 - sin(x2)"), {"x1": 2.0, "x2": 5.0})
    assert [round(v, 3) for v in tape.values] == [2, 5, 0.693, 10, 10.693, -0.959, 11.652]


@pytest.mark.parametrize("mode", ("forward", "reverse"))
def test_a_unary_op_on_a_branch_that_chose_a_constant(mode):
    """sin(x if x > 0 else 1) at -1: sin reads a constant; its edge must not exist."""
    r = differentiate("x*sin(x if x > 0 else 1)", ["-1"], mode=mode)
    assert r.gradient["x"] == pytest.approx(float(mpmath.sin(1)), rel=1e-15)
    from adcli.backends.reverse import adjoints

    tape = record(parse("x*sin(x if x > 0 else 1)"), {"x": -1.0})
    assert adjoints(tape, {tape.output: 1.0})[tape.output] == 1.0
