"""Diagnostics: stop_gradient, kink and tie warnings with one-sided derivatives,
``--strict``, and ``tape --summary``.

Every expected derivative is computed here: by hand for stop_gradient, and for
the one-sided derivatives by difference quotients in mpmath at 50 digits with
h = 1e-25 (truncation error ~1e-25, far below the 1e-12 tolerance), on formulas
written out again in mpmath, not read back from adcli.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import mpmath
import pytest
from support import close, tape_rows

REPO = Path(__file__).resolve().parent.parent
TOLERANCE = 1e-12


def diff(run, *args):
    """(exit code, parsed JSON or None, stdout, stderr) of ``adcli diff ... -f json``."""
    result = run("diff", *args, "--format", "json")
    out = json.loads(result.stdout) if result.exit_code == 0 else None
    return result.exit_code, out, result.stdout, result.stderr


def at(point: dict) -> list:
    return [a for name, v in point.items() for a in ("--at", f"{name}={v!r}")]




def one_sided(f, point: dict) -> tuple[dict, dict]:
    """Left and right difference quotients of ``f(**point)`` along each variable,
    in mpmath at 50 digits with h = 1e-25."""
    left, right = {}, {}
    with mpmath.workdps(50):
        h = mpmath.mpf(10) ** -25
        p = {k: mpmath.mpf(v) for k, v in point.items()}  # floats convert exactly
        fx = f(**p)
        for name in p:
            minus, plus = dict(p), dict(p)
            minus[name] -= h
            plus[name] += h
            left[name] = float((fx - f(**minus)) / h)
            right[name] = float((f(**plus) - fx) / h)
    return left, right


def assert_sides(warning: dict, left: dict, right: dict) -> None:
    assert set(warning["left"]) == set(left) and set(warning["right"]) == set(right)
    for name in left:
        for got, want in ((warning["left"][name], left[name]),
                          (warning["right"][name], right[name])):
            assert abs(got - want) <= TOLERANCE * max(1.0, abs(want)), (name, got, want)


def warning_lines(stderr: str) -> list:
    return [line for line in stderr.splitlines() if line.startswith("adcli: warning: ")]


# -- stop_gradient / detach in formulas ----------------------------------------------------

#: (formula, point, derivative without the stopped part, full derivative), all by hand.
STOPPED = [
    ("stop_gradient(x**2)*x + sin(x)", {"x": 0.7},
     lambda x: {"x": x**2 + math.cos(x)},
     lambda x: {"x": 3 * x**2 + math.cos(x)}),
    ("detach(exp(x)) * x**2", {"x": 1.3},
     lambda x: {"x": math.exp(x) * 2 * x},
     lambda x: {"x": math.exp(x) * (x**2 + 2 * x)}),
    ("x*y + stop_gradient(x*y**2)", {"x": 2.0, "y": 3.0},
     lambda x, y: {"x": y, "y": x},
     lambda x, y: {"x": y + y**2, "y": x + 2 * x * y}),
    ("sin(detach(x) * y) + x", {"x": 0.4, "y": -1.1},
     lambda x, y: {"x": 1.0, "y": math.cos(x * y) * x},
     lambda x, y: {"x": math.cos(x * y) * y + 1, "y": math.cos(x * y) * x}),
]


@pytest.mark.parametrize("mode", ["forward", "reverse", "symbolic"])
@pytest.mark.parametrize("formula, point, stopped, _full", STOPPED)
def test_stop_gradient_stops_the_derivative(run, formula, point, stopped, _full, mode):
    code, out, _stdout, stderr = diff(run, formula, *at(point), "--mode", mode)
    assert code == 0, stderr
    want = stopped(**point)
    assert set(out["gradient"]) == set(want)
    for name, d in want.items():
        assert close(out["gradient"][name], d), (name, out["gradient"][name], d)
    assert out["warnings"] == []
    assert stderr == ""


@pytest.mark.parametrize("formula, point, _stopped, full", STOPPED)
def test_numerical_sees_through_stop_gradient(run, formula, point, _stopped, full):
    code, out, _stdout, stderr = diff(run, formula, *at(point), "--mode", "numerical")
    assert code == 0, stderr
    for name, d in full(**point).items():
        assert close(out["gradient"][name], d, 1e-8), (name, out["gradient"][name], d)
    assert [(w["kind"], w["op"]) for w in out["warnings"]] == \
        [("stop_gradient", "stop_gradient")]
    assert "stop_gradient" in out["warnings"][0]["message"]
    assert warning_lines(stderr) == [f"adcli: warning: {out['warnings'][0]['message']}"]


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_tape_marks_the_stop_gradient_row(run, mode):
    rows = tape_rows(run, "stop_gradient(x**2)*x + sin(x)", "--at", "x=0.7", "--mode", mode)
    assert [r["op"] for r in rows] == ["input", "pow", "stop_gradient", "mul", "sin", "add"]
    row = rows[2]
    assert row["expr"] == "stop_gradient(v2)"
    assert close(row["value"], 0.49)
    if mode == "forward":
        assert row["tangent"] == 0.0  # nothing flows forward through it
    else:
        # the adjoint reaches the stopped row (v4 = v3*v1: v̄3 = v1) but stops there
        assert close(row["adjoint"], 0.7)
        assert rows[1]["adjoint"] == 0.0


def test_detach_alias_in_tape(run):
    rows = tape_rows(run, "detach(x) * x", "--at", "x=3")
    assert [r["op"] for r in rows] == ["input", "stop_gradient", "mul"]
    assert rows[-1]["tangent"] == 3.0


# -- kinks: abs, relu, sign, max and min ties, hypot at the origin ----------------------------

#: (formula, point, op at its kink, the same formula in mpmath)
KINKS = [
    ("abs(x)*exp(x)", {"x": 0.0}, "abs", lambda x: abs(x) * mpmath.exp(x)),
    ("relu(x) + x**2", {"x": 0.0}, "relu", lambda x: max(x, 0) + x**2),
    ("sign(x)*x + x", {"x": 0.0}, "sign", lambda x: mpmath.sign(x) * x + x),
    ("abs(x - 1.5) * y + y**2", {"x": 1.5, "y": 0.25}, "abs",
     lambda x, y: abs(x - mpmath.mpf(1.5)) * y + y**2),
    ("max(x, y)**2 + x*y", {"x": 0.5, "y": 0.5}, "max",
     lambda x, y: max(x, y) ** 2 + x * y),
    ("min(x, 2*y) * exp(y)", {"x": 1.0, "y": 0.5}, "min",
     lambda x, y: min(x, 2 * y) * mpmath.exp(y)),
    ("hypot(x, y) + x*y", {"x": 0.0, "y": 0.0}, "hypot",
     lambda x, y: mpmath.hypot(x, y) + x * y),
]


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("formula, point, op, f", KINKS, ids=[k[0] for k in KINKS])
def test_kink_warning_with_one_sided_derivatives(run, formula, point, op, f, mode):
    code, out, _stdout, stderr = diff(run, formula, *at(point), "--mode", mode)
    assert code == 0, stderr
    assert len(out["warnings"]) == 1
    warning = out["warnings"][0]
    assert warning["kind"] == "kink" and warning["op"] == op
    assert f"kink of {op}" in warning["message"]
    left, right = one_sided(f, point)
    assert_sides(warning, left, right)
    # the row named is the op's own row of the tape
    rows = {r["name"]: r for r in tape_rows(run, formula, *at(point))}
    assert re.fullmatch(r"v\d+", warning["row"])
    assert rows[warning["row"]]["op"] == op
    # AD returns a subgradient: between the one-sided derivatives along each variable
    for name, d in out["gradient"].items():
        assert min(left[name], right[name]) - TOLERANCE <= d <= \
            max(left[name], right[name]) + TOLERANCE, (name, d, left[name], right[name])
    # one stderr line per warning, with the sides
    lines = warning_lines(stderr)
    assert len(lines) == 1
    assert lines[0].startswith(f"adcli: warning: {warning['message']}; one-sided derivatives:")
    assert stderr.splitlines() == lines


def test_kink_sides_are_not_all_alike():
    """Guard on the mpmath side: the cases really have different one-sided slopes."""
    for _formula, point, _op, f in KINKS:
        left, right = one_sided(f, point)
        assert any(abs(left[k] - right[k]) > 0.1 for k in left), _formula


def test_several_kinks_give_one_warning_each(run):
    code, out, _stdout, stderr = diff(run, "abs(x) + relu(y) + max(x, y)",
                                      "--at", "x=0", "--at", "y=0")
    assert code == 0, stderr
    assert sorted(w["op"] for w in out["warnings"]) == ["abs", "max", "relu"]
    left, right = one_sided(lambda x, y: abs(x) + max(y, 0) + max(x, y), {"x": 0.0, "y": 0.0})
    for warning in out["warnings"]:  # sides are of the whole formula: the same on each
        assert_sides(warning, left, right)
    assert len(warning_lines(stderr)) == 3


# -- ties in conditionals: formulas and programs --------------------------------------------

TIES = [
    ("x**2 if x > 0 else -x", {"x": 0.0}, "x > 0", lambda x: x**2 if x > 0 else -x, -1.0),
    ("x*y if x >= y else x + y", {"x": 2.0, "y": 2.0}, "x >= y",
     lambda x, y: x * y if x >= y else x + y, None),
]


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("formula, point, condition, f, d", TIES, ids=[t[0] for t in TIES])
def test_tie_warning_in_a_formula(run, formula, point, condition, f, d, mode):
    code, out, _stdout, stderr = diff(run, formula, *at(point), "--mode", mode)
    assert code == 0, stderr
    assert len(out["warnings"]) == 1
    warning = out["warnings"][0]
    assert warning["kind"] == "branch" and warning["op"] == "if"
    assert warning["message"].startswith(f"{condition} holds with equality at the point")
    left, right = one_sided(f, point)
    assert_sides(warning, left, right)
    if d is not None:
        assert out["gradient"]["x"] == d  # the branch taken (else: -x)
    else:  # x >= y holds: the x*y branch, gradient (y, x)
        assert out["gradient"] == {"x": 2.0, "y": 2.0}
    assert len(warning_lines(stderr)) == 1


PROGRAM = textwrap.dedent('''\
    from adcli.functions import sin


    def g(x):
        if x > 0:
            return sin(x)
        return -2 * x


    def loop(x):
        for _ in range(50):
            x = sin(x) + 0.5 * x
        return x
''')


@pytest.fixture
def program(tmp_path) -> Path:
    path = tmp_path / "model.py"
    path.write_text(PROGRAM)
    return path


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_tie_warning_in_a_program(run, program, mode):
    code, out, _stdout, stderr = diff(run, "--program", f"{program}:g", "--at", "x=0", "--mode", mode)
    assert code == 0, stderr
    assert out["gradient"] == {"x": -2.0}  # x > 0 is false at 0: return -2*x
    assert len(out["warnings"]) == 1
    warning = out["warnings"][0]
    assert warning["kind"] == "branch"
    assert warning["message"].startswith("line 5 `if x > 0:` holds with equality")
    left, right = one_sided(lambda x: mpmath.sin(x) if x > 0 else -2 * x, {"x": 0.0})
    assert abs(left["x"] + 2) < TOLERANCE and abs(right["x"] - 1) < TOLERANCE
    assert_sides(warning, left, right)
    assert len(warning_lines(stderr)) == 1


# -- no warnings away from kinks and ties -----------------------------------------------------

AWAY = [
    ("abs(x)*exp(x)", {"x": -0.3}),
    ("relu(x) + x**2", {"x": 0.2}),
    ("sign(x)*x + x", {"x": -1e-300}),
    ("max(x, y)**2 + x*y", {"x": 0.5, "y": 0.5000000000000001}),
    ("min(x, 2*y) * exp(y)", {"x": 1.0, "y": 0.75}),
    ("hypot(x, y) + x*y", {"x": 0.0, "y": 1e-300}),
    ("x**2 if x > 0 else -x", {"x": 5e-324}),
    ("x*y if x >= y else x + y", {"x": 2.0, "y": 2.5}),
    ("sin(x)*exp(y)", {"x": 0.0, "y": 0.0}),
]


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("formula, point", AWAY, ids=[a[0] for a in AWAY])
def test_no_warnings_away_from_kinks(run, formula, point, mode):
    code, out, _stdout, stderr = diff(run, formula, *at(point), "--mode", mode)
    assert code == 0, stderr
    assert out["warnings"] == []
    assert stderr == ""


def test_no_warnings_in_a_program_away_from_the_tie(run, program):
    code, out, _stdout, stderr = diff(run, "--program", f"{program}:g", "--at", "x=0.5")
    assert code == 0 and out["warnings"] == [] and stderr == ""
    assert close(out["gradient"]["x"], math.cos(0.5))


# -- --strict ---------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ("abs(x)", "--at", "x=0"),
    ("max(x, y)", "--at", "x=1", "--at", "y=1"),
    ("x**2 if x > 0 else -x", "--at", "x=0"),
    ("stop_gradient(x)*x", "--at", "x=1", "--mode", "numerical"),
])
@pytest.mark.parametrize("fmt", ["json", "plain", "table"])
def test_strict_turns_a_warning_into_exit_1(run, args, fmt):
    result = run("diff", *args, "--strict", "--format", fmt)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("adcli: math error: --strict: ")


def test_strict_on_a_program_tie(run, program):
    result = run("diff", "--program", f"{program}:g", "--at", "x=0", "--strict")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == ("adcli: math error: --strict: line 5 `if x > 0:` holds with "
                             "equality at the point: the branch taken decides the "
                             "derivative\n")


def test_strict_without_warnings_is_quiet(run):
    code, out, _stdout, stderr = diff(run, "abs(x)", "--at", "x=0.5", "--strict")
    assert code == 0 and stderr == "" and out["gradient"] == {"x": 1.0}


def test_strict_in_a_subprocess():
    """The real entry point (``python -m adcli`` reads diff lines without Click)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-m", "adcli", "diff", "relu(x)", "--at", "0",
                             "--strict", "-f", "json"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("adcli: math error: --strict: v2 = relu(v1) is at a "
                                    "kink of relu")
    assert result.stderr.count("\n") == 1


# -- tape --summary ---------------------------------------------------------------------------

# The loop's tape, by hand: v1 = x, then per iteration k = 0..49 three rows
# sin, mul (0.5*x), add: v(2+3k), v(3+3k), v(4+3k); 151 rows.  --summary keeps
# v1..v8 and v144..v151 and counts the 135 rows v9..v143 between: v9 is a mul
# (9 = 3 + 3*2), so the hidden ops run mul, add, sin, ... 45 times each.
HIDDEN = "... 135 more entries: 45 mul, 45 add, 45 sin"


def plain_tape(run, *args) -> list:
    result = run("tape", *args, "--summary", "--format", "plain")
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


def first_cells(lines: list) -> list:
    return [line.split("\t")[0] for line in lines]


def test_summary_condenses_a_long_program_tape(run, program):
    lines = plain_tape(run, "--program", f"{program}:loop", "--at", "x=0.7")
    cells = first_cells(lines)
    more = [c for c in cells if "more entries" in c]
    assert more == [HIDDEN]
    match = re.fullmatch(r"\.\.\. (\d+) more entries: (.*)", more[0])
    counts = {op: int(n) for n, op in (part.split(" ") for part in match[2].split(", "))}
    names = [c for c in cells if re.fullmatch(r"v\d+", c)]
    assert names == [f"v{k}" for k in range(1, 9)] + [f"v{k}" for k in range(144, 152)]
    # what is shown plus what is counted is the whole tape
    assert int(match[1]) == sum(counts.values()) == 151 - len(names)


def test_summary_condenses_the_reverse_sweep_too(run, program):
    lines = plain_tape(run, "--program", f"{program}:loop", "--at", "x=0.7", "--mode", "reverse")
    more = [c for c in first_cells(lines) if "more entries" in c]
    assert len(more) == 2
    assert more[0] == HIDDEN
    # the sweep runs backwards: v̄151..v̄144 shown, then v̄143..v̄9 hidden: sin first
    assert more[1] == "... 135 more entries: 45 sin, 45 add, 45 mul"


def test_summary_json_keeps_every_row(run, program):
    result = run("tape", "--program", f"{program}:loop", "--at", "x=0.7", "--summary", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["rows"]
    assert len(rows) == 151
    assert [r["name"] for r in rows] == [f"v{k}" for k in range(1, 152)]


def test_summary_leaves_a_short_tape_alone(run):
    lines = plain_tape(run, "sin(x)*x + exp(x)", "--at", "x=1")
    assert not any("more entries" in line for line in lines)
    assert [c for c in first_cells(lines) if re.fullmatch(r"v\d+", c)] == \
        ["v1", "v2", "v3", "v4", "v5"]
