"""``adcli diff --points/--grid``: one row per point, every mode, failed rows, formats.

Numbers are checked against closed forms (d/dx sin(x)**2*exp(-x) + log(1+x**2)
written out by hand) and against ``adcli diff --at`` at the same point.
"""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys

import numpy as np
import pytest

from tests.support import assert_one_error_line

F = "sin(x)**2*exp(-x) + log(1+x**2)"


def f_prime(x: float) -> float:
    s, c, e = math.sin(x), math.cos(x), math.exp(-x)
    return 2 * s * c * e - s * s * e + 2 * x / (1 + x * x)


def rows_of(text: str) -> list:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("mode", ("reverse", "forward", "numerical", "symbolic"))
def test_grid_rows_equal_the_closed_form(run, mode):
    result = run("diff", F, "--grid", "x=-2:3:11", "--mode", mode)
    assert result.exit_code == 0, result.stderr
    rows = rows_of(result.stdout)
    xs = np.linspace(-2, 3, 11)
    assert [float(r["x"]) for r in rows] == xs.tolist()
    tol = 1e-9 if mode == "numerical" else 1e-14
    for row, x in zip(rows, xs):
        assert float(row["d/dx"]) == pytest.approx(f_prime(x), rel=tol, abs=tol)
        assert row["error"] == ""


def test_csv_file_with_fixed_variable_and_ignored_column(run, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id,x\nfirst,0.5\nsecond,2\n")
    result = run("diff", "a*x**2", "--points", str(path), "--at", "a=3")
    assert result.exit_code == 0, result.stderr
    rows = rows_of(result.stdout)
    assert [(float(r["x"]), float(r["a"]), float(r["d/dx"]), float(r["d/da"]))
            for r in rows] == [(0.5, 3.0, 3.0, 0.25), (2.0, 3.0, 12.0, 4.0)]
    assert "not used: id" in result.stderr


def test_a_failed_point_is_a_row_not_the_end(run, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("x\n1\n-1\n4\n")
    result = run("diff", "sqrt(x)", "--points", str(path))
    assert result.exit_code == 1
    rows = rows_of(result.stdout)
    assert len(rows) == 3
    assert float(rows[0]["d/dx"]) == 0.5 and float(rows[2]["d/dx"]) == 0.25
    assert rows[1]["value"] == "nan" and "sqrt is undefined" in rows[1]["error"]
    assert "1 of 3 points failed" in result.stderr and "row 2" in result.stderr


def test_strict_stops_at_the_first_failed_point(run, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("x\n1\n-1\n4\n")
    result = run("diff", "sqrt(x)", "--points", str(path), "--strict")
    assert result.exit_code == 1
    assert len(rows_of(result.stdout)) == 2
    assert "--strict: row 2" in result.stderr


def test_jsonl_from_stdin_and_json_out(run):
    lines = "\n".join(json.dumps({"x": x, "y": y}) for x, y in ((1, 2), (0.5, -1))) + "\n"
    result = run("diff", "x*y + y", "--points", "-", "--points-format", "jsonl", "-f",
                 "json", input=lines)
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert [(r["point"], r["value"], r["gradient"]) for r in out] == [
        ({"x": 1.0, "y": 2.0}, 4.0, {"x": 2.0, "y": 2.0}),
        ({"x": 0.5, "y": -1.0}, -1.5, {"x": -1.0, "y": 1.5})]


def test_rows_equal_one_point_runs(run, tmp_path):
    rng = np.random.default_rng(3)
    xs, ys = rng.uniform(0.1, 3, 5), rng.uniform(-2, 2, 5)
    np.savez(tmp_path / "p.npz", x=xs, y=ys)
    result = run("diff", "x**y * atan2(y, x) if x > 1 else hypot(x, y)", "--points",
                 str(tmp_path / "p.npz"), "-f", "jsonl")
    assert result.exit_code == 0, result.stderr
    for line, x, y in zip(result.stdout.splitlines(), xs, ys):
        row = json.loads(line)
        one = json.loads(run("diff", "x**y * atan2(y, x) if x > 1 else hypot(x, y)",
                             "--at", f"x={float(x)!r}", "--at", f"y={float(y)!r}", "-f", "json").stdout)
        assert row["value"] == pytest.approx(one["value"], rel=1e-15)
        assert row["gradient"] == pytest.approx(one["gradient"], rel=1e-14)


def test_precision_and_programs_run_point_by_point(run, tmp_path):
    program = tmp_path / "model.py"
    program.write_text("def f(x):\n    return x * x if x > 0 else -x\n")
    result = run("diff", "--program", f"{program}:f", "--grid", "x=-1:1:3")
    assert result.exit_code == 0, result.stderr
    assert [float(r["d/dx"]) for r in rows_of(result.stdout)] == [-1.0, -1.0, 2.0]
    assert "traced at each point" in result.stderr
    result = run("diff", "exp(x)", "--grid", "x=0:1:2", "--precision", "40")
    assert result.exit_code == 0, result.stderr
    assert [float(r["d/dx"]) for r in rows_of(result.stdout)] == [1.0, math.e]
    assert "point by point in mpmath" in result.stderr


def test_quiet_prints_only_the_gradient(run):
    result = run("diff", "x*y", "--grid", "x=1:2:2", "--grid", "y=3:4:2", "--quiet")
    assert result.exit_code == 0, result.stderr
    assert [line.split() for line in result.stdout.splitlines()] == [
        ["3.0", "1.0"], ["4.0", "1.0"], ["3.0", "2.0"], ["4.0", "2.0"]]


def test_npy_output(run, tmp_path):
    out = tmp_path / "rows.npy"
    result = run("diff", "x**3", "--grid", "x=0:2:5", "-f", "npy", "--output", str(out))
    assert result.exit_code == 0, result.stderr
    rows = np.load(out)
    assert rows["d/dx"].tolist() == [3 * x * x for x in np.linspace(0, 2, 5)]


@pytest.mark.parametrize("args, fragment", [
    (("--points", "-"), "--points-format"),
    (("--grid", "x=0:1:3", "-f", "npy"), "--output"),
    (("--grid", "x=0:1:3", "-f", "markdown"), "not a format of rows"),
    (("--grid", "x=0:1:3", "--order", "2"), "--order is not available"),
    (("--at", "x=1", "--output", "o.csv"), "--output applies only"),
    (("--at", "x=1", "-f", "jsonl"), "writes rows of many points"),
    (("--grid", "x=0:1:3", "--at", "x=1"), "x"),
    (("--grid", "y=0:1:3"), "y"),
    (("--grid", "x=0:1:3", "--chunk", "0"), "--chunk 0"),
    (("--grid", "x=0:1:3", "--chunk", "100000000"), "--chunk"),
])
def test_usage_errors(run, args, fragment):
    result = run("diff", "x**2", *args)
    assert_one_error_line(result, 2, fragment)


def test_a_million_points_stream_in_flat_memory(tmp_path):
    """Peak memory of 2,000,000 streamed points stays near that of 100,000."""
    def peak(count: int) -> int:
        code = "\n".join([
            "import resource, sys",
            "from adcli.cli import main",
            f"argv = ['diff', {F!r}, '--grid', 'x=0:1:{count}', '--quiet',"
            f" '--output', {str(tmp_path / 'rows.txt')!r}]",
            "try:",
            "    main(argv)",
            "except SystemExit:",
            "    pass",
            "sys.stderr.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))"])
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL)
        return int(done.stderr.strip().splitlines()[-1])
    small, large = peak(100_000), peak(2_000_000)
    assert large < small + 40_000, (small, large)  # KiB: 20x the points, < 40 MB more
