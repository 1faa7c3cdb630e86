"""Work that grows as a product of sizes is bounded before it starts: one line
naming the bound, exit 2, instead of minutes of sweeps or series."""

from __future__ import annotations

import pytest

from support import assert_one_error_line


def test_forward_mode_over_many_inputs_is_refused_before_its_sweeps(run):
    n = 4_000
    formula = "+".join(f"x{i}*x{i}" for i in range(n))
    point = ",".join(f"x{i}={0.5 + i * 1e-4!r}" for i in range(n))
    result = run("diff", formula, "--at", point, "--mode", "forward")
    assert_one_error_line(result, 2, "forward mode needs 4,000 sweeps")
    # reverse mode answers the same request in one sweep: d/dx_i = 2 x_i
    out = run("diff", formula, "--at", point, "--wrt", "x0,x3999", "-q")
    assert out.exit_code == 0
    assert [float(v) for v in out.stdout.split()] == [1.0, 2 * (0.5 + 3999 * 1e-4)]


def test_a_high_order_on_a_long_formula_is_refused_before_the_series(run):
    formula = "sin(" * 5_000 + "x" + ")" * 5_000
    result = run("diff", formula, "--at", "0.5", "--order", "100")
    assert_one_error_line(result, 2, "coefficient products, over the bound")


def test_a_high_order_on_a_short_formula_still_runs(run):
    result = run("diff", "exp(x)", "--at", "0", "--order", "100", "-q")
    assert result.exit_code == 0
    # f', ..., f^(100) of exp at 0, each k! c_k rounded once or twice
    assert [float(v) for v in result.stdout.split()] == pytest.approx([1.0] * 100, rel=1e-13)


def test_vector_commands_over_points_are_bounded_before_the_work(run):
    """The sweep bound holds per chunk of points too (it was the one-point bound only)."""
    n = 5000
    formula = "+".join(f"x{i}*x{i + 1}" for i in range(1, n))
    at = ",".join(f"x{i}=1" for i in range(2, n + 1))
    done = run("hessian", formula, "--grid", "x1=0:1:3", "--at", at)
    assert done.exit_code == 2 and "over the bound of 20,000,000 entries swept" in done.stderr
    done = run("jacobian", formula, "--grid", "x1=0:1:3", "--at", at, "--mode", "forward")
    assert done.exit_code == 2 and "over the bound" in done.stderr
