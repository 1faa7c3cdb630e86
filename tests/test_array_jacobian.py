"""Jacobians, JVPs and VJPs of formulas of vectors and matrices.

The Jacobian of output f with respect to input A has shape f.shape + A.shape.
References are independent of adcli: closed forms written with explicit index
sums (A @ x, softmax), and central differences of the same formula written
here in NumPy.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from adcli.backends import FormulaSource, Problem
from adcli.errors import MathError, UsageError
from adcli.language.parser import parse
from adcli.render import render
from adcli.studies import entry, jacobian as study
from adcli.studies import shaped_jacobian

RNG = np.random.default_rng(12)
A23, X3 = RNG.normal(size=(2, 3)), RNG.normal(size=3)


def _problem(text, wrt=None, **point):
    graph = parse(text, several=True)
    point = {k: v for k, v in point.items() if k in graph.variables}
    return Problem(text, graph, point, tuple(wrt or graph.variables),
                   source=FormulaSource(graph))


def _jacobian(text, mode="auto", wrt=None, **point):
    return study.jacobian(_problem(text, wrt, **point), mode)


def _block(record, output, name):
    return np.asarray(record.matrix[record.outputs.index(output)][record.inputs.index(name)])


def _central(function, point, name, h=1e-6):
    """∂function/∂point[name] by central differences, element by element, in NumPy:
    shape function(point).shape + point[name].shape."""
    x = np.asarray(point[name], dtype=float)
    out_shape = np.shape(function(**point))
    jac = np.zeros(out_shape + x.shape)
    for index in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        jac[(Ellipsis,) + index] = (np.asarray(function(**{**point, name: up}))
                                    - np.asarray(function(**{**point, name: down}))) / (2 * h)
    return jac


@pytest.mark.parametrize("mode", ["forward", "reverse", "auto"])
def test_matrix_vector_product_jacobian_by_index_sums(mode):
    """∂(Ax)_i/∂x_k = A_ik and ∂(Ax)_i/∂A_jk = δ_ij x_k."""
    result = _jacobian("A @ x", mode, A=A23, x=X3)
    by_x = [[A23[i][k] for k in range(3)] for i in range(2)]
    by_a = [[[[(1.0 if i == j else 0.0) * X3[k] for k in range(3)] for j in range(2)]
             for i in range(2)]]
    assert _block(result, "A @ x", "x").shape == (2, 3)
    assert _block(result, "A @ x", "A").shape == (2, 2, 3)
    assert _block(result, "A @ x", "x").tolist() == by_x
    assert _block(result, "A @ x", "A").tolist() == by_a[0]
    assert np.asarray(result.values[0]).tolist() == [sum(A23[i][k] * X3[k] for k in range(3))
                                                     for i in range(2)]


def test_softmax_jacobian_is_diag_s_minus_s_s_transpose():
    z = np.array([0.3, -1.2, 2.0, 0.5])
    e = [np.exp(v - max(z)) for v in z]
    s = [v / sum(e) for v in e]
    want = [[(s[i] if i == j else 0.0) - s[i] * s[j] for j in range(4)] for i in range(4)]
    for mode in ("forward", "reverse"):
        got = _block(_jacobian("softmax(z)", mode, z=z), "softmax(z)", "z")
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-16)


def _layer(W, x, b):
    return np.tanh(W @ x + b) * np.sum(x ** 2)


LAYER = "tanh(W @ x + b) * sum(x**2)"


def _layer_point():
    return dict(W=RNG.normal(size=(4, 3)), x=RNG.normal(size=3), b=RNG.normal(size=4))


def test_jacobian_against_central_differences():
    point = _layer_point()
    result = _jacobian(LAYER, **point)
    for name in point:
        np.testing.assert_allclose(_block(result, result.outputs[0], name), _central(_layer, point, name),
                                   rtol=1e-7, atol=1e-9)


def test_jvp_is_j_times_u():
    point = _layer_point()
    u = {"W": RNG.normal(size=(4, 3)), "x": RNG.normal(size=3)}  # b's tangent is 0
    want = sum(np.tensordot(_central(_layer, point, name), u[name], axes=np.ndim(u[name]))
               for name in u)
    product = study.jvp(_problem(LAYER, **point), u)
    (output,) = product.outputs
    assert product.result[output].shape == (4,)
    np.testing.assert_allclose(product.result[output], want, rtol=1e-7, atol=1e-9)
    assert np.asarray(product.vector["b"]).tolist() == [0.0] * 4


def test_vjp_is_v_transpose_times_j():
    point = _layer_point()
    v = RNG.normal(size=4)
    product = study.vjp(_problem(LAYER, **point), [v])
    for name in point:
        want = np.tensordot(v, _central(_layer, point, name), axes=1)
        assert np.shape(product.result[name]) == np.shape(point[name])
        np.testing.assert_allclose(product.result[name], want, rtol=1e-7, atol=1e-9)


def test_vjp_of_a_matrix_output_takes_a_matrix_cotangent():
    """C = AB with C̄: Ā = C̄Bᵀ and B̄ = AᵀC̄, by index sums."""
    a, b = A23, RNG.normal(size=(3, 2))
    cbar = RNG.normal(size=(2, 2))
    product = study.vjp(_problem("A @ B", A=a, B=b), [cbar])
    abar = [[sum(cbar[i][j] * b[k][j] for j in range(2)) for k in range(3)] for i in range(2)]
    bbar = [[sum(a[i][k] * cbar[i][j] for i in range(2)) for j in range(2)] for k in range(3)]
    np.testing.assert_allclose(product.result["A"], abar, rtol=1e-14)
    np.testing.assert_allclose(product.result["B"], bbar, rtol=1e-14)


def test_forward_and_reverse_agree_on_several_outputs_of_their_own_shapes():
    point = _layer_point()
    text = f"{LAYER}, sum(W**2), outer(x, b), x[1]"
    forward, reverse = _jacobian(text, "forward", **point), _jacobian(text, "reverse", **point)
    shapes = {"W": (4, 3), "x": (3,), "b": (4,)}
    assert forward.outputs == reverse.outputs
    for output, out_shape in zip(forward.outputs, [(4,), (), (3, 4), ()]):
        for name, in_shape in shapes.items():
            f, r = _block(forward, output, name), _block(reverse, output, name)
            assert f.shape == r.shape == out_shape + in_shape
            np.testing.assert_allclose(f, r, rtol=1e-12, atol=1e-14)
    assert forward.performed == 3 + 4 + 12 and reverse.performed == 4 + 1 + 12 + 1
    assert forward.sweeps == reverse.sweeps == {"forward": 19, "reverse": 18}


def test_auto_picks_the_mode_with_fewer_element_sweeps():
    tall = _jacobian("outer(x, x)", x=X3)   # 3 inputs, 9 outputs
    wide = _jacobian("sum(A)", A=A23)       # 6 inputs, 1 output
    assert (tall.mode, tall.performed) == ("forward", 3)
    assert (wide.mode, wide.performed) == ("reverse", 1)
    assert "one per input element" in wide.note


def test_outputs_that_are_a_variable_or_a_constant():
    """∂A/∂A is the identity of shape (2, 3, 2, 3); a constant's blocks are zero."""
    for mode in ("forward", "reverse"):
        result = _jacobian("A, 2, x[0] * A", mode, A=A23, x=X3)
        identity = [[[[1.0 if (i, j) == (k, l) else 0.0 for l in range(3)] for k in range(2)]
                     for j in range(3)] for i in range(2)]
        assert _block(result, "A", "A").tolist() == identity
        assert _block(result, "2", "A").tolist() == [[0.0] * 3] * 2
        assert _block(result, "2", "x").tolist() == [0.0] * 3
        by_x = [[[A23[i][j] if k == 0 else 0.0 for k in range(3)] for j in range(3)]
                for i in range(2)]
        np.testing.assert_array_equal(_block(result, result.outputs[2], "x"), by_x)


def test_a_kink_is_said_in_the_note():
    result = _jacobian("relu(x)", "reverse", x=np.array([1.0, 0.0]))
    assert _block(result, "relu(x)", "x").tolist() == [[1.0, 0.0], [0.0, 0.0]]
    assert "kink of relu at 1 element (first [1])" in result.note


def test_wrt_limits_the_columns():
    result = _jacobian("A @ x", wrt=("x",), A=A23, x=X3)
    assert result.inputs == ("x",) and result.sweeps["forward"] == 3


def test_the_sweep_bound_refuses_before_any_sweep(monkeypatch):
    from adcli.tape import sweeps

    def no_sweep(*_args, **_kwargs):
        raise AssertionError("a sweep ran")

    monkeypatch.setattr(sweeps, "MAX_SWEPT", 20)
    monkeypatch.setattr(sweeps, "tangents_columns", no_sweep)
    monkeypatch.setattr(sweeps, "adjoints_columns", no_sweep)
    a = RNG.normal(size=(5, 5))
    with pytest.raises(UsageError, match=r"forward mode .* needs 25 sweeps .* reverse mode"):
        _jacobian("exp(A) * 2", "forward", A=a)
    with pytest.raises(UsageError, match=r"reverse mode .* needs 25 sweeps"):
        _jacobian("exp(A) * 2", "reverse", A=a)


def test_a_jacobian_too_large_to_hold_is_refused_before_the_work(monkeypatch):
    monkeypatch.setattr(shaped_jacobian, "MAX_ELEMENTS", 100)
    with pytest.raises(UsageError, match=r"the Jacobian has 121 elements.*jvp and vjp"):
        _jacobian("2 * x", "forward", x=np.ones(11))


def test_an_undefined_derivative_names_its_element():
    with pytest.raises(MathError, match=r"Jacobian of sqrt\(x\) with respect to x is "
                                        r"infinite or undefined at element \[1, 1\]"):
        _jacobian("sqrt(x)", "reverse", x=np.array([1.0, 0.0, 4.0]))


def test_wrong_shapes_of_vectors_are_usage_errors_showing_both():
    with pytest.raises(UsageError, match=r"--cotangent for A @ x is of shape \(3\), but "
                                         r"A @ x is of shape \(2\)"):
        study.vjp(_problem("A @ x", A=A23, x=X3), [np.ones(3)])
    with pytest.raises(UsageError, match=r"--cotangent has 1 values for 2 outputs"):
        study.vjp(_problem("A @ x, sum(x)", A=A23, x=X3), [np.ones(2)])
    with pytest.raises(UsageError, match=r"--tangent A is a scalar, but A is of shape "
                                         r"\(2, 3\)"):
        study.jvp(_problem("A @ x", A=A23, x=X3), {"A": 1.0})
    with pytest.raises(UsageError, match="--tangent names 'y'"):
        study.jvp(_problem("A @ x", A=A23, x=X3), {"y": 1.0})


def test_symbolic_mode_is_refused_for_arrays():
    with pytest.raises(UsageError, match="not yet for vectors and matrices"):
        _jacobian("A @ x", "symbolic", A=A23, x=X3)


def test_numerical_mode_differences_each_input_element():
    point = _layer_point()
    text = f"{LAYER}, sum(W**2)"
    numerical, forward = _jacobian(text, "numerical", **point), _jacobian(text, "forward",
                                                                         **point)
    assert numerical.performed == 2 * (12 + 3 + 4)
    for k, output in enumerate(numerical.outputs):
        for name in point:
            np.testing.assert_allclose(_block(numerical, output, name),
                                       _block(forward, output, name), rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(_block(numerical, numerical.outputs[1], "W"), 2 * point["W"],
                               rtol=1e-8)


@pytest.mark.parametrize("run", [
    lambda: entry.hessian_at("sum(x * x)", ["x=2"], mode="symbolic"),
])
def test_symbolic_second_order_of_array_formulas_is_refused(run):
    with pytest.raises(UsageError, match="not yet for vectors and matrices"):
        run()


def test_json_keeps_the_shapes_as_nested_lists():
    result = _jacobian("A @ x, sum(x)", A=A23, x=X3)
    stream = io.StringIO()
    render(result, "json", stream=stream)
    data = json.loads(stream.getvalue())
    assert data["inputs"] == ["A", "x"] and data["outputs"] == ["A @ x", "sum(x)"]
    assert [np.shape(cell) for row in data["jacobian"] for cell in row] == \
        [(2, 2, 3), (2, 3), (2, 3), (3,)]
    assert np.shape(data["value"][0]) == (2,) and isinstance(data["value"][1], float)
    np.testing.assert_allclose(data["jacobian"][0][1], A23, rtol=1e-15)
    np.testing.assert_allclose(data["jacobian"][1][1], [1.0, 1.0, 1.0])


# The command line: arrays at the point, in --tangent and in --cotangent.

A_TEXT, X_TEXT = "A=[[1,2,3],[4,5,-6]]", "x=[0.5,-1,2]"
A_CLI, X_CLI = [[1.0, 2.0, 3.0], [4.0, 5.0, -6.0]], [0.5, -1.0, 2.0]


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_cli_jacobian_json(run, mode):
    from support import json_of

    data = json_of(run, "jacobian", "A @ x, sum(x)", "--at", A_TEXT, "--at", X_TEXT,
                   "--mode", mode)
    by_a = [[[(1.0 if i == j else 0.0) * X_CLI[k] for k in range(3)] for j in range(2)]
            for i in range(2)]
    assert data["jacobian"] == [[by_a, A_CLI], [[[0.0] * 3] * 2, [1.0] * 3]]
    assert data["value"] == [[sum(A_CLI[i][k] * X_CLI[k] for k in range(3)) for i in range(2)],
                             sum(X_CLI)]
    assert data["performed"] == {"forward": 9, "reverse": 3}[mode]


def test_cli_jacobian_table_shows_the_blocks(run):
    from support import stdout_of

    out = stdout_of(run, "jacobian", "A @ x", "--at", A_TEXT, "--at", X_TEXT, "--wrt", "x")
    assert "[[1.0, 2.0, 3.0], [4.0, 5.0, -6.0]]" in out


def test_cli_jvp_and_vjp_with_arrays(run, tmp_path):
    from support import json_of

    u_a, u_x = [[1.0, 0.0, 0.0], [0.0, 0.0, 2.0]], [1.0, 1.0, -1.0]
    data = json_of(run, "jvp", "A @ x", "--at", A_TEXT, "--at", X_TEXT, "--tangent",
                   "A=[[1,0,0],[0,0,2]],x=[1,1,-1]")
    want = [sum(u_a[i][k] * X_CLI[k] + A_CLI[i][k] * u_x[k] for k in range(3))
            for i in range(2)]
    assert data["jvp"] == [want]
    v = [2.0, -1.0]
    np.save(tmp_path / "v.npy", np.array(v))
    for given in ("[2,-1], 3", f"@{tmp_path / 'v.npy'}, 3"):
        data = json_of(run, "vjp", "A @ x, sum(x)", "--at", A_TEXT, "--at", X_TEXT,
                       "--cotangent", given)
        assert data["vjp"]["A"] == [[v[i] * X_CLI[k] for k in range(3)] for i in range(2)]
        assert data["vjp"]["x"] == [sum(v[i] * A_CLI[i][k] for i in range(2)) + 3.0
                                    for k in range(3)]


@pytest.mark.parametrize("args, fragment", [
    (["vjp", "A @ x", "--cotangent", "[1,2,3]"],
     "--cotangent for A @ x is of shape (3), but A @ x is of shape (2)"),
    (["jvp", "A @ x", "--tangent", "x=[1,2]"], "--tangent x is of shape (2), but x is of "
                                               "shape (3)"),
    (["hessian", "sum(x * A @ x)", "--mode", "symbolic"], "not yet for vectors and matrices"),
    (["hvp", "sum(x * A @ x)", "--vector", "x=[1,0]"], "--vector for x is of shape (2,)"),
    (["jacobian", "A @ x", "--mode", "symbolic"], "not yet for vectors and matrices"),
])
def test_cli_refusals_are_one_line_usage_errors(run, args, fragment):
    from support import assert_one_error_line

    assert_one_error_line(run(*args, "--at", A_TEXT, "--at", X_TEXT), 2, fragment)


@pytest.mark.parametrize("command, extra", [("jacobian", []), ("hessian", []),
                                            ("jvp", ["--tangent", "x=1"]),
                                            ("vjp", ["--cotangent", "1"])])
def test_cli_many_points_of_array_formulas_are_refused(run, tmp_path, command, extra):
    from support import assert_one_error_line

    points = tmp_path / "points.csv"
    points.write_text("x\n1\n2\n")
    assert_one_error_line(run(command, "sum(A) * x", "--at", "A=[[1,2],[3,4]]", "--points",
                              str(points), *extra), 2, "for one point at a time")
