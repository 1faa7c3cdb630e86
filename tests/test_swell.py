"""``adcli swell``: symbolic derivative sizes against the AD tape.

The sizes are checked against SymPy run in this file on expressions built
here (never from adcli's graph): tree nodes of ``preorder_traversal``,
``count_ops`` and the nodes left after ``cse`` (replacement right-hand sides
plus reduced expressions).
"""

from __future__ import annotations

import json

import pytest
import sympy

ROW_KEYS = {"order", "symbolic_nodes", "count_ops", "cse_nodes", "tape_entries",
            "symbolic_seconds", "status"}


def nodes(expr) -> int:
    return sum(1 for _ in sympy.preorder_traversal(expr))


def sympy_sizes(exprs: list) -> tuple[int, int, int]:
    replacements, reduced = sympy.cse(exprs)
    after = sum(nodes(rhs) for _, rhs in replacements) + sum(nodes(e) for e in reduced)
    return sum(nodes(e) for e in exprs), int(sum(sympy.count_ops(e) for e in exprs)), after


def swell_json(run, *args: str) -> dict:
    result = run("swell", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def product_args(n: int) -> list[str]:
    text = "*".join(f"x{i}" for i in range(1, n + 1))
    at = []
    for i in range(1, n + 1):
        at += ["--at", f"x{i}=1.{i}"]
    return [text, *at]


@pytest.fixture(scope="module")
def exp_sin_swell():
    from click.testing import CliRunner

    from adcli.cli import cli

    result = CliRunner().invoke(cli, ["swell", "exp(sin(x))*x**x", "--at", "1.5",
                                      "--order", "4", "--format", "json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_json_contract(exp_sin_swell):
    out = exp_sin_swell
    assert out["expression"] == "exp(sin(x))*x**x"
    assert [row["order"] for row in out["rows"]] == [1, 2, 3, 4]
    for row in out["rows"]:
        assert ROW_KEYS <= set(row)
        assert row["status"] == "ok"
        assert row["symbolic_seconds"] >= 0


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_sizes_equal_sympy_own_counts(exp_sin_swell, k):
    x = sympy.Symbol("x", real=True)
    f = sympy.exp(sympy.sin(x)) * x ** x
    expected = sympy_sizes([sympy.diff(f, x, k)])
    row = exp_sin_swell["rows"][k - 1]
    assert (row["symbolic_nodes"], row["count_ops"], row["cse_nodes"]) == expected


def test_tape_is_constant_and_nested_ad_multiplies(exp_sin_swell):
    rows = exp_sin_swell["rows"]
    # x, sin, exp, x**x, *: five entries whatever k
    assert all(row["tape_entries"] == 5 for row in rows)
    # nested AD (the derivative recorded and differentiated again) grows with each level
    for before, after in zip(rows, rows[1:]):
        assert after["ad_work"] > 1.5 * before["ad_work"]
    # while the symbolic derivative keeps growing
    sizes = [row["symbolic_nodes"] for row in rows]
    assert sizes == sorted(sizes) and sizes[-1] > 4 * sizes[0]


@pytest.mark.parametrize("n", [8, 16])
def test_product_gradient_is_quadratic_symbolically_linear_on_the_tape(run, n):
    out = swell_json(run, *product_args(n), "--order", "1")
    assert out["gradient"] is True
    assert len(out["variables"]) == n
    (row,) = out["rows"]
    symbols = sympy.symbols(" ".join(f"x{i}" for i in range(1, n + 1)), real=True)
    product = sympy.Mul(*symbols)
    expected = sympy_sizes([sympy.diff(product, s) for s in symbols])
    assert expected[0] == n * n  # n partials, each a Mul of n - 1 symbols
    assert (row["symbolic_nodes"], row["count_ops"], row["cse_nodes"]) == expected
    assert row["tape_entries"] == 2 * n - 1  # n inputs, n - 1 multiplications
    assert row["status"] == "ok"


def test_several_variables_give_one_gradient_row(run):
    out = swell_json(run, *product_args(3))
    assert out["gradient"] is True and len(out["rows"]) == 1
    assert out["rows"][0]["order"] == 1 and out["rows"][0]["symbolic_nodes"] == 9
    assert run("swell", *product_args(3), "--order", "4").exit_code == 2


@pytest.mark.parametrize("args", [["--order", "0"], ["--budget", "0"],
                                  ["--budget", "-1"]])
def test_bad_order_or_budget_exit_2(run, args):
    result = run("swell", "sin(x)", "--at", "1", *args)
    assert result.exit_code == 2


def test_budget_stops_a_runaway_derivative(run):
    formula = "exp(sin(x))*x**x*tan(cos(x)**x)/log(2+x**sin(x))"
    out = swell_json(run, formula, "--at", "1.5", "--order", "10", "--budget", "0.3")
    rows = out["rows"]
    assert [row["order"] for row in rows] == list(range(1, 11))
    statuses = [row["status"] for row in rows]
    assert set(statuses) <= {"ok", "over budget"}
    assert "over budget" in statuses
    first = statuses.index("over budget")
    assert all(s == "over budget" for s in statuses[first:])  # the budget is for the run
    for row in rows:
        if row["status"] == "over budget":
            assert row["symbolic_nodes"] is None and row["count_ops"] is None
            assert row["cse_nodes"] is None and row["symbolic_seconds"] is None
        assert row["tape_entries"] == rows[0]["tape_entries"]
    spent = sum(row["symbolic_seconds"] for row in rows if row["status"] == "ok")
    assert spent <= 0.3 + 1.0
    assert out["budget"] == pytest.approx(0.3)


@pytest.mark.parametrize("fmt", ["table", "plain", "csv", "markdown"])
def test_every_format_runs(run, fmt):
    result = run("swell", "exp(sin(x))*x**x", "--at", "1.5", "--order", "2",
                 "--format", fmt)
    assert result.exit_code == 0, result.stderr
    x = sympy.Symbol("x", real=True)
    second = sympy.diff(sympy.exp(sympy.sin(x)) * x ** x, x, 2)
    for size in sympy_sizes([second]):  # SymPy's own sizes of the second derivative
        assert str(size) in result.stdout
