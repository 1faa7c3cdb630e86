"""Hessians and Hessian-vector products of array formulas: forward over reverse on
dual arrays, against SymPy (the same formula written over element symbols here),
closed forms and central differences of the gradient."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp

from adcli.api import problem
from adcli.backends import FormulaSource, Problem
from adcli.errors import UsageError
from adcli.language.parser import parse
from adcli.studies import shaped_hessian

RNG = np.random.default_rng(9)


def _problem(text, wrt=None, **point):
    graph = parse(text)
    point = {k: v for k, v in point.items() if k in graph.variables}
    return Problem(text, graph, point, tuple(wrt or graph.variables),
                   source=FormulaSource(graph))


def _symbols(name, shape):
    return np.array([sp.Symbol(f"{name}_{'_'.join(map(str, i))}", real=True)
                     for i in np.ndindex(*shape)], dtype=object).reshape(shape)


def _sympy_hessian(expr, a_syms, b_syms, values: dict):
    """The block d2 expr / d a d b, evaluated at ``values`` (symbol -> float)."""
    block = np.zeros(a_syms.shape + b_syms.shape)
    for i in np.ndindex(*a_syms.shape):
        first = sp.diff(expr, a_syms[i])
        for j in np.ndindex(*b_syms.shape):
            block[i + j] = float(sp.diff(first, b_syms[j]).subs(values))
    return block


def test_quadratic_form_hessian_is_a_plus_a_transpose():
    a, x = RNG.normal(size=(3, 3)), RNG.normal(size=3)
    h = shaped_hessian.hessian(_problem("x @ A @ x", ["x"], A=a, x=x))
    np.testing.assert_allclose(h.matrix[0][0], a + a.T, rtol=1e-14)
    np.testing.assert_allclose(h.gradient["x"], (a + a.T) @ x, rtol=1e-14)


def test_least_squares_hessian_is_two_a_transpose_a():
    a, b, x = RNG.normal(size=(4, 3)), RNG.normal(size=4), RNG.normal(size=3)
    h = shaped_hessian.hessian(_problem("sum((A @ x - b)**2)", ["x"], A=a, b=b, x=x))
    np.testing.assert_allclose(h.matrix[0][0], 2 * a.T @ a, rtol=1e-13)


@pytest.mark.parametrize("text", [
    "mean((tanh(X @ W + c) - Y)**2)",
    "logsumexp(X @ W) + norm(W) * sum(c * c)",
    "sum(softmax(W[0]) * c) + trace(W.T @ W) * amax(X)",
])
def test_hessian_blocks_against_sympy(text):
    """Every block (W,W), (W,c), (c,W), (c,c) against SymPy's second derivatives."""
    x, w, c, y = (RNG.normal(size=(2, 2)), RNG.normal(size=(2, 2)), RNG.normal(size=2),
                  RNG.normal(size=(2, 2)))
    h = shaped_hessian.hessian(_problem(text, ["W", "c"], X=x, W=w, c=c, Y=y))
    syms = {"W": _symbols("W", (2, 2)), "c": _symbols("c", (2,))}
    values = {s: float(v) for name, arr in (("W", w), ("c", c))
              for s, v in zip(syms[name].ravel(), arr.ravel())}
    X, Y = sp.Matrix(x), sp.Matrix(y)
    W, C = sp.Matrix(syms["W"]), syms["c"]
    if text.startswith("mean"):
        z = X * W
        expr = sum((sp.tanh(z[i, j] + C[j]) - Y[i, j]) ** 2 for i in range(2)
                   for j in range(2)) / 4
    elif text.startswith("logsumexp"):
        z = X * W
        expr = sp.log(sum(sp.exp(z[i, j]) for i in range(2) for j in range(2))) + \
            sp.sqrt(sum(W[i, j] ** 2 for i in range(2) for j in range(2))) * \
            sum(C[j] ** 2 for j in range(2))
    else:
        row = [W[0, j] for j in range(2)]
        soft = [sp.exp(v) / sum(sp.exp(u) for u in row) for v in row]
        expr = sum(soft[j] * C[j] for j in range(2)) + (W.T * W).trace() * float(x.max())
    for p, a in enumerate(("W", "c")):
        for q, b in enumerate(("W", "c")):
            want = _sympy_hessian(expr, syms[a], syms[b], values)
            np.testing.assert_allclose(h.matrix[p][q], want, rtol=1e-10, atol=1e-12)


def test_hvp_against_central_differences_of_the_gradient():
    w1, w2, x = RNG.normal(size=(3, 4)), RNG.normal(size=(4, 2)), RNG.normal(size=(5, 3))
    text = "mean(relu(X @ W1) @ W2)"
    point = dict(W1=w1, W2=w2, X=x)
    u = {"W1": RNG.normal(size=w1.shape), "W2": RNG.normal(size=w2.shape)}
    product = shaped_hessian.hvp(_problem(text, **point), u)
    numerical = shaped_hessian.hessian(_problem(text, ["W1", "W2"], **point), "numerical")
    dual = shaped_hessian.hessian(_problem(text, ["W1", "W2"], **point))
    for p, a in enumerate(("W1", "W2")):
        np.testing.assert_allclose(dual.matrix[p][p], numerical.matrix[p][p], atol=1e-6)
        want = sum(np.tensordot(dual.matrix[p][q], u[b], axes=u[b].ndim)
                   for q, b in enumerate(("W1", "W2")))
        np.testing.assert_allclose(product.result[a], want, rtol=1e-12, atol=1e-14)


def test_cli_hessian_and_hvp_of_arrays(run):
    out = json.loads(run("hessian", "x @ A @ x", "--at", "x=[1,2],A=[[2,1],[0,3]]", "--wrt",
                         "x", "-f", "json").stdout)
    assert out["hessian"] == [[[[4.0, 1.0], [1.0, 6.0]]]]
    done = run("hvp", "x @ A @ x", "--at", "x=[1,2],A=[[2,1],[0,3]]", "--vector", "x=[0,1]",
               "-f", "json")
    assert json.loads(done.stdout)["hvp"]["x"] == [1.0, 6.0]


def test_symbolic_hessian_of_arrays_is_refused():
    with pytest.raises(UsageError, match="not yet for vectors and matrices"):
        shaped_hessian.hessian(problem("sum(A*A)", ["A=[1,2]"]), "symbolic")
