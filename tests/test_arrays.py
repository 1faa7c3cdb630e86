"""Vectors and matrices on the tape: structural ops' linear rules, broadcasting, the
matmul VJP, and reverse/forward gradients of array formulas.

References are independent of adcli's rules: explicit index sums, central
differences written here in NumPy, and the transpose identity
<v, J u> = <J^T v, u> between each op's two declared maps.
"""

from __future__ import annotations

import numpy as np
import pytest

from adcli.backends import FormulaSource, Problem, backend
from adcli.errors import MathError, UsageError
from adcli.language.parser import parse
from adcli.ops import OPS, SHAPED
from adcli.ops.linear import Linear
from adcli.ops.namespaces import numpy_math

RNG = np.random.default_rng(5)
A23, B32 = RNG.normal(size=(2, 3)), RNG.normal(size=(3, 2))
V3, W3 = RNG.normal(size=3), RNG.normal(size=3)
S33 = RNG.normal(size=(3, 3))

#: op name -> arguments to test it at (arrays, and constants for axes/indices).
ARGUMENTS = {
    "matmul": [(A23, B32), (V3, B32), (A23, V3), (V3, W3)],
    "dot": [(V3, W3), (A23, B32)],
    "outer": [(V3, RNG.normal(size=2))],
    "transpose": [(A23,), (V3,)],
    "trace": [(S33,)],
    "flatten": [(A23,)],
    "reshape": [(A23, 3.0), (V3, 1.0)],
    "index": [(A23, 1.0), (V3, -1.0), (S33, 0.0)],
    "norm": [(A23,), (V3,)],
    "softmax": [(V3,), (A23,)],
    "logsumexp": [(V3,), (A23,)],
    "sum": [(A23,), (V3,)],
    "sum_axis": [(A23, 0.0), (A23, 1.0), (V3, 0.0)],
    "mean": [(A23,)],
    "mean_axis": [(A23, 1.0), (S33, 0.0)],
    "amax": [(A23,)],
    "amin": [(S33,)],
}


def _cases():
    return [pytest.param(name, k, id=f"{name}-{k}") for name in sorted(SHAPED)
            for k in range(len(ARGUMENTS[name]))]


def test_every_structural_op_has_cases():
    assert set(ARGUMENTS) == set(SHAPED)


def _value(op, args):
    return getattr(numpy_math(), op.name)(*args)


def _linear_maps(op, args):
    m = numpy_math()
    out = _value(op, args)
    maps = []
    for k, rule in enumerate(op.partials):
        if rule.__class__ is int:
            continue
        linear = rule(m, out, *args)
        assert isinstance(linear, Linear)
        maps.append((k, linear))
    return out, maps


@pytest.mark.parametrize("name, case", _cases())
def test_adjoint_is_the_transpose_of_the_tangent(name, case):
    """<v, J u> == <J^T v, u> for random u and v."""
    op, args = OPS[name], ARGUMENTS[name][case]
    out, maps = _linear_maps(op, args)
    for k, linear in maps:
        u = RNG.normal(size=np.shape(args[k]))
        v = RNG.normal(size=np.shape(out))
        left = np.sum(v * linear.tangent(u))
        right = np.sum(linear.adjoint(v) * u)
        assert left == pytest.approx(right, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name, case", _cases())
def test_tangent_rule_against_central_differences(name, case):
    op, args = OPS[name], ARGUMENTS[name][case]
    _out, maps = _linear_maps(op, args)
    for k, linear in maps:
        u = RNG.normal(size=np.shape(args[k]))
        h = 1e-6
        plus = list(args)
        minus = list(args)
        plus[k], minus[k] = args[k] + h * u, args[k] - h * u
        numeric = (np.asarray(_value(op, plus)) - np.asarray(_value(op, minus))) / (2 * h)
        np.testing.assert_allclose(linear.tangent(u), numeric, rtol=1e-6, atol=1e-7)


def _problem(text, **point):
    graph = parse(text)
    point = {k: v for k, v in point.items() if k in graph.variables}
    return Problem(text, graph, point, tuple(graph.variables), source=FormulaSource(graph))


def _gradient(text, mode="reverse", **point):
    return backend(mode)(_problem(text, **point))


def _differences(text, name, **point):
    """Central differences of the whole formula, element by element, in NumPy."""
    base = dict(point)
    x = np.asarray(base[name], dtype=float)
    g = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        h = 1e-6 * max(1.0, abs(x[index]))
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        f_up = _gradient(text, **{**base, name: up}).value
        f_down = _gradient(text, **{**base, name: down}).value
        g[index] = (f_up - f_down) / (2 * h)
    return g


def test_matmul_vjp_by_index_sums():
    """C = AB with upstream C̄: Ā_ik = sum_j C̄_ij B_kj and B̄_kj = sum_i A_ik C̄_ij."""
    a = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = np.array([[1.0, 0.0], [2.0, 1.0], [0.0, 3.0]])
    cbar = np.array([[1.0, 2.0], [3.0, 4.0]])
    result = _gradient("sum(Cbar * (A @ B))", A=a, B=b, Cbar=cbar)
    abar = [[sum(cbar[i][j] * b[k][j] for j in range(2)) for k in range(3)] for i in range(2)]
    bbar = [[sum(a[i][k] * cbar[i][j] for i in range(2)) for j in range(2)] for k in range(3)]
    assert result.gradient["A"].tolist() == abar == [[1.0, 4.0, 6.0], [3.0, 10.0, 12.0]]
    assert result.gradient["B"].tolist() == bbar == [[13.0, 18.0], [17.0, 24.0], [21.0, 30.0]]


def test_least_squares_gradient_is_the_closed_form():
    a, b, x = RNG.normal(size=(5, 3)), RNG.normal(size=5), RNG.normal(size=3)
    result = _gradient("sum((A @ x - b)**2)", A=a, b=b, x=x)
    np.testing.assert_allclose(result.gradient["x"], 2 * a.T @ (a @ x - b), rtol=1e-13)


def test_quadratic_form_gradient_is_a_plus_a_transpose_times_x():
    a, x = RNG.normal(size=(4, 4)), RNG.normal(size=4)
    for mode in ("reverse", "forward"):
        result = _gradient("x @ A @ x", mode, A=a, x=x)
        np.testing.assert_allclose(result.gradient["x"], (a + a.T) @ x, rtol=1e-13)


def test_softmax_cross_entropy_gradient_is_softmax_minus_one_hot():
    z, y = RNG.normal(size=5), np.eye(5)[2]
    result = _gradient("-sum(y * log(softmax(z)))", z=z, y=y)
    s = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    np.testing.assert_allclose(result.gradient["z"], s - y, atol=1e-14)


@pytest.mark.parametrize("text", [
    "sum(x * A)",                 # a scalar with a matrix
    "sum(r + c)",                 # a row with a column: a 3 x 2 result
    "sum(sin(A) * r)",            # a matrix with a row
    "mean(relu(A - 0.1) ** 2) + norm(c)",
])
def test_broadcasting_gradients_against_differences(text):
    point = dict(x=0.7, A=RNG.normal(size=(3, 2)), r=RNG.normal(size=(1, 2)),
                 c=RNG.normal(size=(3, 1)))
    graph = parse(text)
    point = {k: v for k, v in point.items() if k in graph.variables}
    for mode in ("reverse", "forward"):
        result = _gradient(text, mode, **point)
        for name, value in point.items():
            assert np.shape(result.gradient[name]) == np.shape(value)
            want = _differences(text, name, **point) if np.ndim(value) else \
                (_gradient(text, **{**point, name: value + 1e-6}).value
                 - _gradient(text, **{**point, name: value - 1e-6}).value) / 2e-6
            np.testing.assert_allclose(result.gradient[name], want, rtol=1e-6, atol=1e-7)


def test_a_two_layer_network_reverse_equals_forward_and_differences():
    x, w1, b1 = RNG.normal(size=(4, 3)), RNG.normal(size=(3, 5)), RNG.normal(size=5)
    w2, b2, y = RNG.normal(size=(5, 2)), RNG.normal(size=2), RNG.normal(size=(4, 2))
    text = "mean((tanh(X @ W1 + b1) @ W2 + b2 - Y)**2)"
    point = dict(X=x, W1=w1, b1=b1, W2=w2, b2=b2, Y=y)
    reverse, forward = _gradient(text, **point), _gradient(text, "forward", **point)
    for name in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(reverse.gradient[name], forward.gradient[name],
                                   rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(reverse.gradient[name], _differences(text, name, **point),
                                   rtol=1e-6, atol=1e-8)


def test_shape_mismatch_is_a_usage_error_with_both_shapes():
    with pytest.raises(UsageError, match=r"shape \(2, 3\) and shape \(2, 3\)"):
        _gradient("sum(A @ B)", A=A23, B=A23)


def test_an_undefined_element_is_named():
    a = np.array([[1.0, 2.0], [-3.0, 4.0]])
    with pytest.raises(MathError, match=r"log is undefined .* at element \[1, 0\]"):
        _gradient("sum(log(A))", A=a)


def test_a_formula_with_an_array_value_needs_jacobian():
    with pytest.raises(UsageError, match="use jacobian"):
        _gradient("A @ B", A=A23, B=B32)


def test_numerical_mode_differences_each_element():
    a, x = RNG.normal(size=(3, 3)), RNG.normal(size=3)
    result = backend("numerical")(_problem("x @ A @ x", A=a, x=x))
    np.testing.assert_allclose(result.gradient["x"], (a + a.T) @ x, rtol=1e-8)
    np.testing.assert_allclose(result.gradient["A"], np.outer(x, x), rtol=1e-8, atol=1e-9)
    assert result.cost["evaluations"] == 1 + 2 * (9 + 3)


def test_symbolic_mode_differentiates_each_entry():
    a, x = RNG.normal(size=(3, 3)), RNG.normal(size=3)
    result = backend("symbolic")(_problem("x @ A @ x + norm(x)", A=a, x=x))
    np.testing.assert_allclose(result.gradient["x"], (a + a.T) @ x + x / np.linalg.norm(x),
                               rtol=1e-13)
    np.testing.assert_allclose(result.gradient["A"], np.outer(x, x), rtol=1e-13)
    assert "A_0_1" in result.formulas["x"] and "x_0*x_1" in result.formulas["A"]


def test_symbolic_mode_refuses_large_arrays_and_conditionals():
    with pytest.raises(UsageError, match="too large for symbolic mode: 81 array entries"):
        backend("symbolic")(_problem("sum(A)", A=np.ones((9, 9))))
    with pytest.raises(UsageError, match="no conditionals"):
        backend("symbolic")(_problem("sum(A) if 1 > 0 else 0", A=A23))


def test_arrays_are_refused_clearly_where_not_supported():
    with pytest.raises(UsageError, match="vectors and matrices are not taken here yet"):
        backend("taylor")(_problem("sum(A)", A=A23))


def test_many_points_refuse_array_operations():
    from adcli.backends.columns import differentiate_columns

    with pytest.raises(UsageError, match="many points take formulas of numbers"):
        differentiate_columns(parse("sum(x * A)"), {"x": np.ones(3)}, {"A": A23})


@pytest.mark.parametrize("args", [
    ("steps", "sum(A)", "--at", "A=[1,2]"),
    ("swell", "sum(A)", "--at", "A=[1,2]"), ("diff", "sum(A)", "--at", "A=[1,2]", "--order", "2"),
    ("hessian", "sum(A*A)", "--at", "A=[1,2]", "--mode", "symbolic")])
def test_commands_without_arrays_refuse_them_in_one_line(run, args):
    from tests.support import assert_one_error_line

    assert_one_error_line(run(*args), 2, "vectors and matrices")


def test_compare_of_arrays_reports_each_method_by_its_worst_element(run):
    import json

    done = run("compare", "x @ A @ x + norm(x)", "--at", "x=[1,2],A=[[2,1],[0,3]]",
               "-f", "json")
    assert done.exit_code == 0, done.stderr
    out = json.loads(done.stdout)
    a, x = np.array([[2.0, 1.0], [0.0, 3.0]]), np.array([1.0, 2.0])
    np.testing.assert_allclose(out["reference"]["gradient"]["x"],
                               (a + a.T) @ x + x / np.linalg.norm(x), rtol=1e-15)
    rows = {row["method"]: row for row in out["rows"]}
    assert rows["reverse-ad"]["abs_error"] <= 4e-15
    assert 1e-13 < rows["central-difference"]["rel_error"] < 1e-7
    assert rows["complex-step"]["gradient"] is None
    assert "numbers only" in rows["complex-step"]["note"]
    big = run("compare", "sum(A)", "--at", "A=@" + str(_saved_ones()))
    assert big.exit_code == 2 and "at most 64 array entries" in big.stderr


def _saved_ones():
    import tempfile

    path = tempfile.NamedTemporaryFile(suffix=".npy", delete=False).name
    np.save(path, np.ones((9, 9)))
    return path
