"""A difference step that rounds to nothing is a math error, in every command
that takes differences -- never a division by zero."""

from __future__ import annotations

import pytest

from support import assert_one_error_line


@pytest.mark.parametrize("args", [
    ("diff", "log(x)", "--at", "x=1e-320", "--mode", "numerical"),
    ("diff", "x**2", "--at", "x=1", "--mode", "numerical", "--method", "central",
     "--step", "1e-20"),
    ("diff", "x**2", "--at", "x=1", "--mode", "numerical", "--method", "richardson",
     "--step", "1e-20"),
    ("jacobian", "log(x), x", "--at", "x=1e-320", "--mode", "numerical"),
    ("hessian", "sqrt(x)", "--at", "x=1e-320", "--mode", "numerical"),
])
def test_a_vanishing_step_is_a_math_error(run, args):
    assert_one_error_line(run(*args), 1, "rounds to no step")


def test_a_tiny_point_that_differences_can_still_resolve(run_json):
    out = run_json("diff", "log(x)", "--at", "x=1e-300", "--mode", "numerical",
                   "--method", "central")
    assert out["gradient"]["x"] == pytest.approx(1e300, rel=1e-6)
