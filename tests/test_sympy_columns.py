"""Symbolic mode over many points: SymPy's derivative computed over NumPy columns.

Every reference is independent of adcli: each op's function written again in
mpmath and differentiated by mpmath at 30 digits, or a closed form.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from adcli.backends.sympy_columns import derivatives, evaluate
from adcli.errors import MathError
from adcli.language.parser import parse
from adcli.ops import SCALAR_OPS as OPS  # the ops on numbers (arrays: test_arrays)

N = 50
REL = 1e-9


def _cbrt(x):
    return mp.sign(x) * mp.cbrt(abs(x))


def _sign(x):
    return mp.mpf(mp.sign(x))


#: op -> (formula, mpmath function of (x, y), x range, y range or None).
#: Ranges keep every point inside the op's domain and off its kinks.
CASES = {
    "add": ("x + y", lambda x, y: x + y, (-3, 3), (-3, 3)),
    "sub": ("x - y", lambda x, y: x - y, (-3, 3), (-3, 3)),
    "mul": ("x*y", lambda x, y: x * y, (-3, 3), (-3, 3)),
    "div": ("x/y", lambda x, y: x / y, (-3, 3), (0.5, 3)),
    "pow": ("x**y", lambda x, y: mp.power(x, y), (0.2, 3), (-2, 2.5)),
    "neg": ("-x", lambda x, y: -x, (-3, 3), None),
    "sin": ("sin(x)", lambda x, y: mp.sin(x), (-4, 4), None),
    "cos": ("cos(x)", lambda x, y: mp.cos(x), (-4, 4), None),
    "tan": ("tan(x)", lambda x, y: mp.tan(x), (-1.4, 1.4), None),
    "asin": ("asin(x)", lambda x, y: mp.asin(x), (-0.95, 0.95), None),
    "acos": ("acos(x)", lambda x, y: mp.acos(x), (-0.95, 0.95), None),
    "atan": ("atan(x)", lambda x, y: mp.atan(x), (-4, 4), None),
    "sinh": ("sinh(x)", lambda x, y: mp.sinh(x), (-3, 3), None),
    "cosh": ("cosh(x)", lambda x, y: mp.cosh(x), (-3, 3), None),
    "tanh": ("tanh(x)", lambda x, y: mp.tanh(x), (-3, 3), None),
    "asinh": ("asinh(x)", lambda x, y: mp.asinh(x), (-3, 3), None),
    "acosh": ("acosh(x)", lambda x, y: mp.acosh(x), (1.05, 4), None),
    "atanh": ("atanh(x)", lambda x, y: mp.atanh(x), (-0.95, 0.95), None),
    "exp": ("exp(x)", lambda x, y: mp.exp(x), (-3, 3), None),
    "expm1": ("expm1(x)", lambda x, y: mp.expm1(x), (0.1, 3), None),
    "log": ("log(x)", lambda x, y: mp.log(x), (0.1, 5), None),
    "log1p": ("log1p(x)", lambda x, y: mp.log1p(x), (0.1, 3), None),
    "log2": ("log2(x)", lambda x, y: mp.log(x, 2), (0.1, 5), None),
    "log10": ("log10(x)", lambda x, y: mp.log10(x), (0.1, 5), None),
    "logb": ("log(x, y)", lambda x, y: mp.log(x) / mp.log(y), (0.1, 5), (1.5, 4)),
    "sqrt": ("sqrt(x)", lambda x, y: mp.sqrt(x), (0.1, 5), None),
    "cbrt": ("cbrt(x)", lambda x, y: _cbrt(x), (-3, 3), None),
    "erf": ("erf(x)", lambda x, y: mp.erf(x), (-2, 2), None),
    "erfc": ("erfc(x)", lambda x, y: mp.erfc(x), (-2, 2), None),
    "sigmoid": ("sigmoid(x)", lambda x, y: 1 / (1 + mp.exp(-x)), (-4, 4), None),
    "softplus": ("softplus(x)", lambda x, y: mp.log(1 + mp.exp(x)), (-4, 4), None),
    "logaddexp": ("logaddexp(x, y)", lambda x, y: mp.log(mp.exp(x) + mp.exp(y)),
                  (-3, 3), (-3, 3)),
    "atan2": ("atan2(y, x)", lambda x, y: mp.atan2(y, x), (0.2, 3), (-3, 3)),
    "hypot": ("hypot(x, y)", lambda x, y: mp.hypot(x, y), (0.2, 3), (-3, 3)),
    "stop_gradient": ("stop_gradient(x)*x", None, (-3, 3), None),
    "abs": ("abs(x)", lambda x, y: abs(x), (-3, 3), None),
    "sign": ("sign(x)*x**2", lambda x, y: _sign(x) * x * x, (-3, 3), None),
    "relu": ("relu(x)", lambda x, y: max(x, 0), (-3, 3), None),
    "max": ("max(x, y)", lambda x, y: max(x, y), (-3, 3), (-3, 3)),
    "min": ("min(x, y)", lambda x, y: min(x, y), (-3, 3), (-3, 3)),
}


def test_every_op_has_a_case():
    assert set(CASES) == set(OPS), "a new op needs a case here"


def _points(case: str, rng):
    _text, _f, xs, ys = CASES[case]
    x = rng.uniform(*xs, N)
    columns = {"x": x}
    if ys is not None:
        y = rng.uniform(*ys, N)
        # no ties of max/min, no point on a kink (0 is never drawn exactly)
        columns["y"] = np.where(np.abs(x - y) < 1e-3, y + 0.01, y)
    return columns


def _reference(case, x, y):
    """The value and the partials at one point, by mpmath at 30 digits."""
    _text, f, _xs, ys = CASES[case]
    with mp.workdps(30):
        x, y = mp.mpf(float(x)), mp.mpf(float(y))
        if f is None:  # stop_gradient(x)*x: the value x^2, the derivative x
            return x * x, {"x": x}
        g = (lambda a, b: f(a, b))
        partials = {"x": mp.diff(g, (x, y), (1, 0))}
        if ys is not None:
            partials["y"] = mp.diff(g, (x, y), (0, 1))
        return g(x, y), partials


def _assert_close(got, want, what):
    want = float(want)
    assert abs(got - want) <= REL * abs(want) + 1e-13, f"{what}: got {got!r}, want {want!r}"


@pytest.mark.parametrize("case", sorted(CASES))
def test_op_over_points_equals_mpmath(case):
    text = CASES[case][0]
    graph = parse(text)
    columns = _points(case, np.random.default_rng(sorted(CASES).index(case)))
    wrt = tuple(sorted(columns))
    value, gradient, texts = derivatives(graph, columns, wrt)
    assert value.dtype == np.float64 and value.shape == (N,)
    assert set(gradient) == set(texts) == set(wrt)
    y = columns.get("y", np.zeros(N))
    for i in range(N):
        want, partials = _reference(case, columns["x"][i], y[i])
        _assert_close(value[i], want, f"{text} at row {i}")
        for name in wrt:
            _assert_close(gradient[name][i], partials[name], f"d({text})/d{name} at row {i}")


def test_a_fixed_variable_is_a_number_broadcast_to_every_row():
    x = np.linspace(0.5, 2, 7)
    value, gradient, _ = derivatives(parse("x*y + sin(y)"), {"x": x, "y": 0.25}, ("x", "y"))
    np.testing.assert_allclose(value, x * 0.25 + math.sin(0.25), rtol=1e-15)
    np.testing.assert_allclose(gradient["x"], np.full(7, 0.25), rtol=0)
    np.testing.assert_allclose(gradient["y"], x + math.cos(0.25), rtol=1e-15)


def test_a_conditional_picks_its_branch_per_row():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    value, gradient, texts = derivatives(parse("x**2 if x > 0 else -x"), {"x": x}, ("x",))
    assert value.tolist() == [2.0, 0.5, 0.0, 0.25, 9.0]
    assert gradient["x"].tolist() == [-1.0, -1.0, -1.0, 1.0, 6.0]
    assert "Piecewise" in texts["x"]


def test_the_untaken_side_cannot_spoil_a_row():
    x = np.array([-4.0, -1.0, 1.0, 4.0])
    value, gradient, _ = derivatives(parse("log(x) if x > 0 else sqrt(-x)"), {"x": x}, ("x",))
    np.testing.assert_allclose(value, [2.0, 1.0, 0.0, math.log(4)], rtol=1e-15)
    np.testing.assert_allclose(gradient["x"], [-0.25, -0.5, 1.0, 0.25], rtol=1e-15)


def test_undefined_rows_are_nan_and_the_others_are_kept():
    x = np.array([-1.0, 0.0, 0.5, 2.0])
    value, gradient, _ = derivatives(parse("log(x)"), {"x": x}, ("x",))
    assert np.isnan(value[:2]).all() and np.isnan(gradient["x"][:2]).all()
    np.testing.assert_allclose(value[2:], [math.log(0.5), math.log(2)], rtol=1e-15)
    np.testing.assert_allclose(gradient["x"][2:], [2.0, 0.5], rtol=1e-15)
    # a division by zero inside is no value either, though exp(-inf) would be 0
    value, gradient, _ = derivatives(parse("exp(-1/x**2)"), {"x": np.array([0.0, 1.0])},
                                     ("x",))
    assert np.isnan(value[0]) and value[1] == pytest.approx(math.exp(-1), rel=1e-15)
    # a fractional power of a negative number is not real
    value, _, _ = derivatives(parse("x**0.5 + x**(1/3)"), {"x": np.array([-8.0, 8.0])}, ("x",))
    assert np.isnan(value[0]) and value[1] == pytest.approx(8**0.5 + 2, rel=1e-15)


def test_cube_root_is_real_for_negative_numbers():
    x = np.array([-8.0, -0.125, 27.0])
    value, gradient, _ = derivatives(parse("cbrt(x)"), {"x": x}, ("x",))
    np.testing.assert_allclose(value, [-2.0, -0.5, 3.0], rtol=1e-15)
    np.testing.assert_allclose(gradient["x"], [1 / 12, 4 / 3, 1 / 27], rtol=1e-14)


def test_kinks_take_sympys_values():
    """abs'(0) = sign(0) = 0; a tie of max/min is Heaviside(0) = 1/2 each way;
    relu'(0) = 0; sign'(0) is a Dirac delta: no value."""
    x = np.array([-1.0, 0.0, 1.0, 2.0])
    _, g, _ = derivatives(parse("abs(x)"), {"x": x}, ("x",))
    assert g["x"].tolist() == [-1.0, 0.0, 1.0, 1.0]
    _, g, _ = derivatives(parse("max(x, 1)"), {"x": x}, ("x",))
    assert g["x"].tolist() == [0.0, 0.0, 0.5, 1.0]
    value, g, _ = derivatives(parse("min(x, 1, -x)"), {"x": x}, ("x",))
    assert value.tolist() == [-1.0, 0.0, -1.0, -2.0]
    # at 0, x and -x tie: half of +1 and half of -1
    assert g["x"].tolist() == [1.0, 0.0, -1.0, -1.0]
    _, g, _ = derivatives(parse("relu(x)"), {"x": x}, ("x",))
    assert g["x"].tolist() == [0.0, 0.0, 1.0, 1.0]
    _, g, _ = derivatives(parse("sign(x)"), {"x": x}, ("x",))
    assert g["x"][[0, 2, 3]].tolist() == [0.0, 0.0, 0.0] and np.isnan(g["x"][1])


def test_special_functions_and_constants():
    t = sp.Symbol("t", real=True)
    x = np.array([-1.0, 0.0, 2.0])
    expr = sp.pi * t + sp.E + sp.Heaviside(t) + sp.Heaviside(t, 1) + sp.EulerGamma
    want = [-math.pi + math.e + 0.5772156649015329, math.e + 1.5 + 0.5772156649015329,
            2 * math.pi + math.e + 2 + 0.5772156649015329]
    np.testing.assert_allclose(evaluate(expr, {"t": x}, 3, np), want, rtol=1e-15)
    delta = evaluate(sp.DiracDelta(t) + sp.DiracDelta(t, 1), {"t": x}, 3, np)
    assert delta[0] == 0 and np.isnan(delta[1]) and delta[2] == 0
    logic = sp.Piecewise((1, sp.And(t > -0.5, sp.Not(sp.Eq(t, 2)))),
                         (2, sp.Or(t < -0.5, sp.Ne(t, t))), (3, True))
    assert evaluate(logic, {"t": x}, 3, np).tolist() == [2.0, 1.0, 3.0]
    assert evaluate(sp.Integer(3), {}, 4, np).tolist() == [3.0] * 4


def _nested(depth: int):
    """sin(sin(...sin(t))) without SymPy's evaluation, which recurses."""
    t = sp.Symbol("t", real=True)
    expr = t
    for _ in range(depth):
        expr = sp.sin(expr, evaluate=False)
    return expr


def test_a_20000_deep_expression_is_walked_without_recursion():
    x = np.array([0.0, 0.5, 1.0, 3.0])
    got = evaluate(_nested(20_000), {"t": x}, 4, np)
    for i, start in enumerate(x):
        want = float(start)
        for _ in range(20_000):
            want = math.sin(want)
        assert got[i] == pytest.approx(want, rel=1e-12)


def test_the_deepest_formula_sympy_builds_from_text():
    """From the text, SymPy recurses: at Python's default recursion limit its
    construction fails past about 330 nested calls and ``sympy.diff`` past about
    140; 100 is differentiated (deeper is refused, see the symbolic mode)."""
    depth = 100
    graph = parse("sin(" * depth + "x" + ")" * depth)
    x = np.array([0.3, 1.2])
    value, gradient, _ = derivatives(graph, {"x": x}, ("x",))
    for i, start in enumerate(x):
        with mp.workdps(30):
            v, slope = mp.mpf(float(start)), mp.mpf(1)
            for _ in range(depth):
                slope *= mp.cos(v)
                v = mp.sin(v)
            _assert_close(value[i], v, "value")
            _assert_close(gradient["x"][i], slope, "derivative")


@pytest.mark.parametrize("expr, name", [
    (sp.Derivative(sp.Function("f")(sp.Symbol("t")), sp.Symbol("t")), "Derivative"),
    (sp.Subs(sp.Function("f")(sp.Symbol("t")), sp.Symbol("t"), 1), "Subs"),
    (sp.zoo * sp.Symbol("t"), "zoo"),
    (sp.nan, "nan"),
    (sp.I * sp.Symbol("t"), "I"),
    (sp.Function("mystery")(sp.Symbol("t")), "mystery"),
])
def test_what_numpy_cannot_compute_is_refused_by_name(expr, name):
    with pytest.raises(MathError, match="symbolic mode cannot evaluate") as caught:
        evaluate(expr, {"t": np.array([1.0, 2.0])}, 2, np)
    assert name in str(caught.value)


def test_a_derivative_sympy_leaves_unevaluated_is_refused():
    t = sp.Symbol("t", real=True)
    expr = sp.sin(t) + sp.Derivative(sp.Function("f")(t), t)
    with pytest.raises(MathError, match="Derivative"):
        evaluate(expr, {"t": np.array([1.0])}, 1, np)
