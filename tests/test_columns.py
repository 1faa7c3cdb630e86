"""Derivatives over chunks of points (adcli.backends.columns, adcli.api.gradients).

Every number is checked against an independent reference: mpmath's numerical
derivative at 30 digits of the formula written out again in mpmath, or a
closed form; failed rows against the reason the one-point run gives.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from adcli.api import differentiate, gradients
from adcli.backends.columns import differentiate_columns
from adcli.errors import MathError, UsageError
from adcli.language.parser import parse
from adcli.ops import SCALAR_OPS as OPS  # the ops on numbers (arrays: test_arrays)

#: Formula, its mpmath twin, and where it is smooth (variables -> interval).
CASES = [
    ("sin(x)**2*exp(-x) + log(1+x**2)",
     lambda x: mpmath.sin(x) ** 2 * mpmath.exp(-x) + mpmath.log(1 + x ** 2), {"x": (-3, 3)}),
    ("x*y*z + sin(x*y) + exp(z)/y",
     lambda x, y, z: x * y * z + mpmath.sin(x * y) + mpmath.exp(z) / y,
     {"x": (-2, 2), "y": (0.5, 2), "z": (-1, 1)}),
    ("x**2 if x > 0 else -x**3",
     lambda x: x ** 2 if x > 0 else -x ** 3, {"x": (-2, 2)}),
    ("sqrt(x) if x > 0 else log(1 - x)",
     lambda x: mpmath.sqrt(x) if x > 0 else mpmath.log(1 - x), {"x": (-2, 2)}),
    ("max(x, y) + abs(x - 0.3) * tanh(y)",
     lambda x, y: max(x, y) + abs(x - mpmath.mpf("0.3")) * mpmath.tanh(y),
     {"x": (-1, 1), "y": (-1, 1)}),
    ("atan2(y, x) * hypot(x, y) + x**y",
     lambda x, y: mpmath.atan2(y, x) * mpmath.hypot(x, y) + x ** y,
     {"x": (0.2, 2), "y": (-1, 1)}),
]

MODES = ("reverse", "forward", "numerical")


def _reference(f, names, row):
    with mpmath.workdps(30):
        point = [mpmath.mpf(float(v)) for v in row]
        value = f(*point)
        grad = []
        for k in range(len(names)):
            def along(t, k=k):
                return f(*[t if j == k else p for j, p in enumerate(point)])
            grad.append(float(mpmath.diff(along, point[k])))
        return float(value), grad


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("text, twin, box", CASES, ids=[c[0] for c in CASES])
def test_chunk_matches_mpmath(text, twin, box, mode):
    rng = np.random.default_rng(7)
    names = list(box)
    columns = {k: rng.uniform(*box[k], size=40) for k in names}
    result = differentiate_columns(parse(text), columns, mode=mode)
    tol = 1e-6 if mode == "numerical" else 1e-12
    for i in range(40):
        value, grad = _reference(twin, names, [columns[k][i] for k in names])
        assert result.errors[i] is None
        assert result.value[i] == pytest.approx(value, rel=1e-13, abs=1e-13)
        for k, g in zip(names, grad):
            assert result.gradient[k][i] == pytest.approx(g, rel=tol, abs=tol), (k, i)


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_over_points_equals_one_point(name):
    """Each op over a chunk gives what ``adcli diff`` gives at each of its points."""
    op = OPS[name]
    samples = [0.3, 0.7, 1.4, 2.5] if op.arity == 1 else [(0.4, 1.3), (1.7, 0.6), (2.2, 2.0)]
    word = next(iter(op.names), name)
    text = f"{word}(x)" if op.arity == 1 else f"{word}(x, y)"
    if op.symbol and op.arity == 2:
        text = f"x {op.symbol[0]} y"
    elif op.symbol and op.arity == 1:
        text = f"{op.symbol[0]}x"
    names = ["x"] if op.arity == 1 else ["x", "y"]
    points = [s if op.arity == 2 else (s,) for s in samples]
    points = [p for p in points if op.in_domain(*p) and not (op.kink and op.kink(*p))]
    columns = {k: np.array([p[j] for p in points]) for j, k in enumerate(names)}
    result = differentiate_columns(parse(text), columns)
    for i, p in enumerate(points):
        one = differentiate(text, [f"{k}={v!r}" for k, v in zip(names, p)])
        assert result.value[i] == pytest.approx(one.value, rel=1e-14, abs=1e-300)
        for k in names:
            assert result.gradient[k][i] == pytest.approx(one.gradient[k], rel=1e-13,
                                                          abs=1e-300)


def test_failed_rows_carry_nan_and_the_reason():
    result = differentiate_columns(parse("log(x) + y"),
                                   {"x": np.array([1.0, -4.0, 0.0, np.nan]),
                                    "y": np.array([1.0, 2.0, 3.0, 4.0])})
    assert result.value[0] == 1.0 and result.gradient["x"][0] == 1.0
    assert all(math.isnan(result.value[i]) for i in (1, 2, 3))
    assert all(math.isnan(result.gradient["y"][i]) for i in (1, 2, 3))
    assert result.errors[0] is None
    assert "log is undefined" in result.errors[1] and "x > 0" in result.errors[1]
    assert "log is undefined" in result.errors[2]
    assert result.errors[3] == "the point is not finite (x = nan)"
    assert result.failed == 3


def test_untaken_branch_is_never_blamed():
    """log(x) is undefined on the rows that take the other side: those rows are fine."""
    columns = {"x": np.array([2.0, -3.0, -0.5])}
    for mode in MODES:
        result = differentiate_columns(parse("log(x) if x > 0 else sqrt(-x)"), columns,
                                       mode=mode)
        assert result.errors == [None, None, None]
        assert result.value.tolist() == pytest.approx([math.log(2), math.sqrt(3),
                                                       math.sqrt(0.5)])
        expected = [0.5, -0.5 / math.sqrt(3), -0.5 / math.sqrt(0.5)]
        tol = 1e-6 if mode == "numerical" else 1e-15
        assert result.gradient["x"].tolist() == pytest.approx(expected, rel=tol)


@pytest.mark.parametrize("mode", ("reverse", "forward"))
def test_undefined_derivative_names_the_op_that_was_taken(mode):
    result = differentiate_columns(parse("log(x) if x > 0 else sqrt(-x)"),
                                   {"x": np.array([1.0, 0.0])}, mode=mode)
    assert result.errors[0] is None
    assert result.value[1] == 0.0  # the value exists; its derivative does not
    assert "derivative of sqrt is infinite or undefined" in result.errors[1]


def test_kinks_and_ties_are_warned_per_row():
    result = differentiate_columns(parse("abs(x) + (x if x > 1 else 1)"),
                                   {"x": np.array([0.0, 0.5, 1.0])})
    assert "kink of abs" in result.warnings[0]
    assert result.warnings[1] is None
    assert "holds with equality" in result.warnings[2]
    assert result.gradient["x"].tolist() == [0.0, 1.0, 1.0]  # abs'(0) = 0, documented


def test_gradients_is_pure_columns_in_columns_out():
    out = gradients("x*sin(y)", {"x": [1.0, 2.0], "y": [0.0, math.pi / 2]})
    assert out["value"].tolist() == pytest.approx([0.0, 2.0])
    assert out["d/dx"].tolist() == pytest.approx([0.0, 1.0])
    assert out["d/dy"].tolist() == pytest.approx([1.0, 2 * math.cos(math.pi / 2)], abs=1e-15)
    fixed = gradients("x*a", {"x": [1.0, 2.0]}, at=["a=3"])
    assert fixed["d/dx"].tolist() == [3.0, 3.0] and fixed["d/da"].tolist() == [1.0, 2.0]


def test_gradients_refuses_a_variable_given_twice_or_missing():
    with pytest.raises(UsageError, match="column of the points"):
        gradients("x*a", {"x": [1.0]}, at=["x=3"])
    with pytest.raises(UsageError, match="no value for a"):
        gradients("x*a", {"x": [1.0]})


def test_unknown_method_over_points_is_a_usage_error():
    with pytest.raises(UsageError, match="not available over points"):
        differentiate_columns(parse("x"), {"x": np.array([1.0])}, mode="numerical",
                              method="richardson")


def test_constant_formula_over_points():
    result = differentiate_columns(parse("2 + 3"), {}, {}, (), "reverse")
    assert result.value.tolist() == [5.0]
    result = differentiate_columns(parse("x*0 + 4"), {"x": np.array([1.0, 2.0])})
    assert result.value.tolist() == [4.0, 4.0]
    assert result.gradient["x"].tolist() == [0.0, 0.0]


def test_math_error_type_is_unused_by_rows():
    """A failed row is data, not an exception: nothing raises for a whole bad chunk."""
    result = differentiate_columns(parse("log(x)"), {"x": -np.ones(5)})
    assert result.failed == 5
    assert not isinstance(result.errors[0], MathError)
