"""The documented kink conventions, pinned with values written here.

README and ``adcli.ops.nonsmooth`` promise: abs'(0) = 0, relu'(0) = 0,
sign'(0) = 0, and a tie in max/min goes wholly to the first argument.  The
expected numbers below are typed in, never read from the op table, so that
changing a declared subgradient (relu'(0) = 1, a tie sent to the second
argument) fails here even though it would still be a valid subgradient.
"""

from __future__ import annotations

import pytest

from adcli.api import differentiate
from adcli.studies.entry import jacobian_at
from support import at_args

AD_MODES = ("forward", "reverse")

#: formula, point, the gradient the conventions give there, the op warned about.
CONVENTIONS = [
    ("abs(x)", ["x=0"], {"x": 0.0}, "abs"),
    ("relu(x)", ["x=0"], {"x": 0.0}, "relu"),
    ("sign(x)", ["x=0"], {"x": 0.0}, "sign"),
    ("max(x, y)", ["x=1.5", "y=1.5"], {"x": 1.0, "y": 0.0}, "max"),
    ("max(y, x)", ["x=1.5", "y=1.5"], {"x": 0.0, "y": 1.0}, "max"),
    ("min(x, y)", ["x=-2", "y=-2"], {"x": 1.0, "y": 0.0}, "min"),
    ("min(y, x)", ["x=-2", "y=-2"], {"x": 0.0, "y": 1.0}, "min"),
    # a chain rule through the kink: the convention's 0 (or 1) times the inner slope
    ("3*abs(2*x - 1)", ["x=0.5"], {"x": 0.0}, "abs"),
    ("relu(x*y)", ["x=0", "y=4"], {"x": 0.0, "y": 0.0}, "relu"),
    ("max(2*x, y*y)", ["x=2", "y=2"], {"x": 2.0, "y": 0.0}, "max"),
    # max(a, b, c) folds left: max(max(a, b), c); a three-way tie goes to a
    ("max(x, y, z)", ["x=1", "y=1", "z=1"], {"x": 1.0, "y": 0.0, "z": 0.0}, "max"),
    ("min(z, y, x)", ["x=0", "y=0", "z=0"], {"x": 0.0, "y": 0.0, "z": 1.0}, "min"),
]


def ids(cases):
    return [f"{text}@{','.join(point)}" for text, point, *_ in cases]


@pytest.mark.parametrize("mode", AD_MODES)
@pytest.mark.parametrize("text, point, gradient, op", CONVENTIONS, ids=ids(CONVENTIONS))
def test_kink_conventions(text, point, gradient, op, mode):
    result = differentiate(text, point, mode=mode)
    assert result.gradient == gradient
    assert ("kink", op) in [(w.kind, w.op) for w in result.warnings], result.warnings


@pytest.mark.parametrize("text, point, gradient, op", CONVENTIONS[:7], ids=ids(CONVENTIONS[:7]))
def test_kink_conventions_through_the_cli(text, point, gradient, op, run_json):
    for mode in AD_MODES:
        got = run_json("diff", text, *at_args(point), "--mode", mode)
        assert got["gradient"] == gradient
        assert any(op in str(w) for w in got["warnings"]), got["warnings"]


def test_a_jacobian_row_at_a_tie_follows_the_first_argument():
    got = jacobian_at("max(x, y), min(y, x), abs(x - y)", ["x=1", "y=1"], mode="reverse")
    by_name = [dict(zip(got.inputs, row)) for row in got.matrix]
    assert by_name == [{"x": 1.0, "y": 0.0}, {"x": 0.0, "y": 1.0}, {"x": 0.0, "y": 0.0}]


@pytest.mark.parametrize("text, point, order", [
    ("relu(x)", "x=1", [1.0, 1.0, 0.0]),     # off the kink: the ordinary derivative
    ("relu(x)", "x=-1", [0.0, 0.0, 0.0]),
    ("abs(x)", "x=-2", [2.0, -1.0, 0.0]),
    ("sign(x)", "x=-0.5", [-1.0, 0.0, 0.0]),
    ("max(x, 1)", "x=3", [3.0, 1.0, 0.0]),
    ("min(x, 1)", "x=3", [1.0, 0.0, 0.0]),
])
def test_piecewise_functions_off_their_kinks(text, point, order):
    got = differentiate(text, [point], order=2).details["derivatives"]
    assert got == order
