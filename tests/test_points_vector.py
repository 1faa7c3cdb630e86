"""``jacobian``, ``jvp``, ``vjp``, ``hessian`` and ``hvp`` over ``--points``/``--grid``.

Every row is checked against the one-point command at the same point (run
separately, through its own code) and, for one formula each, against
derivatives written out by hand.
"""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pytest

F = "x*y, sin(x)+y, exp(x*y)"
G = "x**2*y + sin(x*y)"
# both sides of a conditional, a kink at x = 0, and a power whose partial tests for 0
KINKED = "abs(x)*y**3 + (x*y**2 if x > 0.3 else x**3) + x**2"
GRID = ("--grid", "x=-1:1.5:6", "--grid", "y=-0.5:1:3")


def rows_of(text: str) -> list:
    return list(csv.DictReader(io.StringIO(text)))


def jsonl(result) -> list:
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def one_point(run, command, formula, point, *extra):
    at = [f"--at={k}={v!r}" for k, v in point.items()]
    result = run(command, formula, *at, *extra, "-f", "json")
    return result.exit_code, (json.loads(result.stdout) if result.exit_code == 0
                              else result.stderr)


def close(a, b):
    return np.asarray(a, dtype=float) == pytest.approx(np.asarray(b, dtype=float),
                                                        rel=1e-12, abs=1e-13)


CASES = [
    ("jacobian", F, ()), ("jacobian", F, ("--mode", "forward")),
    ("jacobian", F, ("--mode", "reverse")), ("jacobian", F, ("--mode", "symbolic")),
    ("jvp", F, ("--tangent", "x=0.5,y=-2")), ("vjp", F, ("--cotangent", "1,-2,0.25")),
    ("hessian", G, ()), ("hessian", KINKED, ()), ("hessian", KINKED, ("--wrt", "y,x")),
    ("hvp", G, ("--vector", "x=1,y=-3")), ("hvp", KINKED, ("--vector", "x=2,y=1")),
    # ties of max, a variable order that is not x, y; points where the one-point
    # command refuses (a second derivative of x**(1/3) or of hypot at 0)
    ("hessian", "max(x, y)*x**2 + atan2(y, x + 2)", ()),
    ("hessian", "y**2*cbrt(x) + hypot(x, y)", ()),
    ("hvp", "y**2*cbrt(x) + hypot(x, y)", ("--vector", "x=1,y=1")),
    ("jacobian", "sqrt(x)*y, log(y)", ()),
]


@pytest.mark.parametrize("command, formula, extra", CASES)
def test_every_row_equals_the_one_point_command(run, command, formula, extra):
    result = run(command, formula, *GRID, *extra, "-f", "jsonl")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 18
    failed = 0
    for row in rows:
        code, one = one_point(run, command, formula, row["point"], *extra)
        if code != 0:  # refused at one point: NaN (null) and a reason over points
            failed += 1
            assert code == 1 and row["error"], (row, one)
            assert all(v is None for k, v in row.items() if k not in ("point", "error")
                       and not isinstance(v, (list, dict))), row
            continue
        assert row["error"] is None, (row, one)
        for key in ("value", "gradient", "jacobian", "hessian", command):
            if key in row:
                assert close(row[key] if not isinstance(row[key], dict) else
                             list(row[key].values()),
                             one[key] if not isinstance(one[key], dict) else
                             list(one[key].values())), (key, row, one)
    assert result.exit_code == (1 if failed else 0), result.stderr


def test_jacobian_closed_form_in_csv(run):
    result = run("jacobian", "x*y, sin(x)", "--grid", "x=-2:3:6", "--at", "y=1.5")
    assert result.exit_code == 0, result.stderr
    rows = rows_of(result.stdout)
    assert list(rows[0]) == ["x", "y", "value(f1)", "value(f2)", "d(f1)/d(x)",
                             "d(f1)/d(y)", "d(f2)/d(x)", "d(f2)/d(y)", "error"]
    for row, x in zip(rows, np.linspace(-2, 3, 6)):
        y = 1.5
        assert float(row["x"]) == x and float(row["y"]) == y
        assert close([float(row[k]) for k in list(row)[2:8]],
                     [x * y, math.sin(x), y, x, math.cos(x), 0.0])


def test_hessian_closed_form_nested_in_json(run):
    result = run("hessian", "x**2*y", "--grid", "x=-1:1:3", "--grid", "y=0:2:2",
                 "-f", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 6
    for row in rows:
        x, y = row["point"]["x"], row["point"]["y"]
        assert set(row) == {"point", "value", "gradient", "hessian", "error"}
        assert row["value"] == x * x * y
        assert row["gradient"] == {"x": 2 * x * y, "y": x * x}
        assert row["hessian"] == [[2 * y, 2 * x], [2 * x, 0.0]]


def test_products_closed_forms(run):
    # f = (x*y, sin(x)): J = [[y, x], [cos x, 0]]; H of x**2*y = [[2y, 2x], [2x, 0]]
    grid = ("--grid", "x=0.5:2:4", "--grid", "y=-1:1:3")
    jvp = jsonl(run("jvp", "x*y, sin(x)", *grid, "--tangent", "x=2,y=3", "-f", "jsonl"))
    vjp = jsonl(run("vjp", "x*y, sin(x)", *grid, "--cotangent", "-1,4", "-f", "jsonl"))
    hvp = jsonl(run("hvp", "x**2*y", *grid, "--vector", "x=2,y=3", "-f", "jsonl"))
    for a, b, c in zip(jvp, vjp, hvp):
        x, y = a["point"]["x"], a["point"]["y"]
        assert close(a["jvp"], [2 * y + 3 * x, 2 * math.cos(x)])
        assert close(list(b["vjp"].values()), [-y + 4 * math.cos(x), -x])
        assert close(list(c["hvp"].values()), [2 * (2 * y) + 3 * (2 * x), 2 * (2 * x)])
        assert c["value"] == [x * x * y]


def test_a_failed_row_is_nan_with_its_reason(run):
    result = run("jacobian", "x, sqrt(x)", "--grid", "x=-1:1:3")
    assert result.exit_code == 1
    rows = rows_of(result.stdout)
    assert [r["error"] == "" for r in rows] == [False, False, True]
    assert all(r[k] == "nan" for r in rows[:2] for k in list(r)[1:-1])
    assert "f2: sqrt is undefined" in rows[0]["error"]
    assert "infinite or undefined" in rows[1]["error"]
    assert "2 of 3 points failed" in result.stderr and "row 1" in result.stderr
    for row in rows[:2]:
        assert one_point(run, "jacobian", "x, sqrt(x)", {"x": float(row["x"])})[0] == 1


def test_a_second_derivative_that_fails_says_what_the_one_point_command_says(run):
    result = run("hessian", "x**1.5*y", "--grid", "x=0:1:3", "--at", "y=2", "-f", "jsonl")
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0]["hessian"] == [[None, None], [None, None]] and rows[0]["value"] is None
    code, message = one_point(run, "hessian", "x**1.5*y", {"x": 0.0, "y": 2.0})
    assert code == 1 and rows[0]["error"] in message
    assert close(rows[2]["hessian"], [[0.75 * 2, 1.5], [1.5, 0.0]])  # at x = 1, y = 2


def test_quiet_npy_and_the_point_by_point_note(run, tmp_path):
    result = run("hessian", "x**2*y", "--grid", "x=1:2:2", "--at", "y=3", "-q")
    assert result.exit_code == 0, result.stderr
    assert [line.split() for line in result.stdout.splitlines()] == [
        ["6.0", "2.0", "2.0", "0.0"], ["6.0", "4.0", "4.0", "0.0"]]
    path = tmp_path / "j.npy"
    result = run("jacobian", "x*y, y", "--grid", "x=1:2:2", "--at", "y=3", "-f", "npy",
                 "--output", str(path))
    assert result.exit_code == 0, result.stderr
    array = np.load(path)
    assert array.dtype.names == ("x", "y", "value(f1)", "value(f2)", "d(f1)/d(x)",
                                 "d(f1)/d(y)", "d(f2)/d(x)", "d(f2)/d(y)")
    assert array["d(f1)/d(x)"].tolist() == [3.0, 3.0] and array["d(f1)/d(y)"].tolist() \
        == [1.0, 2.0]
    result = run("hessian", "x**2*y", "--grid", "x=1:2:2", "--at", "y=3", "--mode",
                 "symbolic")
    assert result.exit_code == 0, result.stderr
    assert "point by point" in result.stderr


def test_strict_stops_at_the_first_failed_row(run):
    result = run("vjp", "log(x), x", "--grid", "x=1:-1:3", "--cotangent", "1,1", "--strict")
    assert result.exit_code == 1
    assert len(rows_of(result.stdout)) == 2
    assert "--strict: row 2" in result.stderr


def test_strict_needs_many_points(run):
    result = run("jacobian", "x*y", "--at", "x=1,y=2", "--strict")
    assert result.exit_code == 2 and "--strict applies only to many points" in result.stderr
