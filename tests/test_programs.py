"""``adcli diff --program FILE.py:FUNCTION``: Python programs traced as they execute.

Every program here is written into pytest's tmp_path at test time (never into
the repository) and every expected number is computed here, independently of
adcli: closed forms, or the unrolled loop iterated in plain Python floats.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from support import close, tape_rows

REPO = Path(__file__).resolve().parent.parent

MODEL = textwrap.dedent('''\
    import math

    import numpy as np

    from adcli.functions import cos, detach, exp, sin, sqrt, stop_gradient


    def f(x):
        if x > 0:
            return x**2
        return 0


    def branchy(x):
        if x > 0:
            return sin(x)
        else:
            return exp(x)


    def loop(x):
        for _ in range(50):
            x = sin(x) + 0.5 * x
        return x


    def p(x, n=5):
        return 1 if n == 0 else x * p(x, n - 1)


    COEFFS = (1.0, -2.0, 3.0, 0.5)


    def horner(x, i=0):
        if i == len(COEFFS) - 1:
            return COEFFS[i]
        return COEFFS[i] + x * horner(x, i + 1)


    def halve(x):
        while x > 1:
            x = x / 2
        return x * x


    def clip(x):
        return max(x, 0.5) * x


    def pick(x):
        if x == 1:
            return 3 * x
        return x * x


    def zero_division(x):
        n = 0
        return x * (1 / n)


    def traced_division(x):
        y = x + 1
        return y / 0


    def log_negative(x):
        y = 2 * x
        return y + math.log(-3.0)


    def ufuncs(x):
        return np.sin(x) * np.exp(x) + np.sqrt(x)


    def to_float(x):
        return float(x) * 2


    def math_sin(x):
        return math.sin(x)


    def two(x, y):
        return x * sin(y) + y**2


    def stopped(x):
        return x * stop_gradient(x**2) + sin(x)


    def detached(x, y):
        return detach(x * y) * y + x * y
''')


@pytest.fixture
def model(tmp_path) -> Path:
    path = tmp_path / "model.py"
    path.write_text(MODEL)
    return path


def target(path: Path, function: str) -> tuple:
    """The options that name a program: a formula can never do it."""
    return ("--program", f"{path}:{function}")


def line_of(text: str, within: str | None = None, source: str = MODEL) -> int:
    """The 1-based line of ``source`` whose stripped text is ``text`` (the first one
    after ``def within(`` if a function is named)."""
    started = within is None
    for number, line in enumerate(source.splitlines(), 1):
        started = started or line.startswith(f"def {within}(")
        if started and line.strip() == text:
            return number
    raise AssertionError(f"{text!r} not in the program")


def diff_json(run, *args) -> dict:
    result = run("diff", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)




def error_line(result) -> str:
    """The single stderr line of a failed run."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# -- branches: only the branch taken is recorded ----------------------------------------


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_branch_program_derivatives(run, model, mode):
    at_zero = diff_json(run, *target(model, "f"), "--at", "x=0", "--mode", mode)
    assert at_zero["value"] == 0.0
    assert at_zero["gradient"] == {"x": 0.0}
    near = diff_json(run, *target(model, "f"), "--at", "x=0.001", "--mode", mode)
    assert close(near["value"], 0.001**2)
    assert close(near["gradient"]["x"], 0.002)
    assert near["warnings"] == []


def test_branch_program_tape_has_only_the_taken_branch(run, model):
    rows = tape_rows(run, *target(model, "f"), "--at", "x=0.001")
    assert [r["op"] for r in rows] == ["input", "pow"]
    assert close(rows[-1]["value"], 1e-6) and close(rows[-1]["tangent"], 0.002)
    # x <= 0: "return 0" -- the square is never computed, so never recorded
    assert [r["op"] for r in tape_rows(run, *target(model, "f"), "--at", "x=-0.5")] == ["input"]
    # two different branches: the tape holds sin or exp, never both
    assert [r["op"] for r in tape_rows(run, *target(model, "branchy"), "--at", "x=0.5")] == \
        ["input", "sin"]
    assert [r["op"] for r in tape_rows(run, *target(model, "branchy"), "--at", "x=-0.5")] == \
        ["input", "exp"]


@pytest.mark.parametrize("x", [0.5, -0.5])
def test_branchy_program_gradient(run, model, x):
    out = diff_json(run, *target(model, "branchy"), "--at", f"x={x}")
    want = math.cos(x) if x > 0 else math.exp(x)
    assert close(out["gradient"]["x"], want)


# -- loops: every iteration is recorded -------------------------------------------------


def unrolled_loop(x: float, n: int = 50) -> tuple[float, float]:
    """x_{k+1} = sin(x_k) + x_k/2 and its derivative d x_n / d x_0, in floats."""
    value, d = x, 1.0
    for _ in range(n):
        value, d = math.sin(value) + 0.5 * value, (math.cos(value) + 0.5) * d
    return value, d


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("x", [0.7, -2.5])
def test_loop_matches_the_unrolled_map(run, model, mode, x):
    value, d = unrolled_loop(x)
    out = diff_json(run, *target(model, "loop"), "--at", f"x={x}", "--mode", mode)
    assert close(out["value"], value, 1e-14)
    # a product of 50 factors cos(v)+0.5 (each with some cancellation): ~1e-14 rounding
    assert close(out["gradient"]["x"], d, 1e-12)
    assert out["cost"]["tape_entries"] == 1 + 50 * 3


def test_loop_tape_has_every_iteration(run, model):
    rows = tape_rows(run, *target(model, "loop"), "--at", "x=0.7")
    # by hand: the input, then per iteration sin(x), 0.5*x, their sum: 1 + 50*3 rows
    # (the constant 0.5 is inline, not a row)
    assert len(rows) == 151
    assert [r["op"] for r in rows] == ["input"] + ["sin", "mul", "add"] * 50
    assert Counter(r["op"] for r in rows) == {"input": 1, "sin": 50, "mul": 50, "add": 50}
    value, d = unrolled_loop(0.7)
    assert close(rows[-1]["value"], value, 1e-14)
    assert close(rows[-1]["tangent"], d, 1e-12)


# -- recursion: every call is recorded ---------------------------------------------------


@pytest.mark.parametrize("mode", ["forward", "reverse", "symbolic"])
@pytest.mark.parametrize("x", [0.7, -1.3, 2.0])
def test_recursive_power(run, model, mode, x):
    out = diff_json(run, *target(model, "p"), "--at", f"x={x}", "--mode", mode)
    assert list(out["gradient"]) == ["x"]  # n has a default: not a variable
    assert close(out["value"], x**5)
    assert close(out["gradient"]["x"], 5 * x**4)


def test_recursive_power_tape(run, model):
    # p(x, 0) = 1 is a constant; each of the 5 calls above it records one x * (...)
    assert [r["op"] for r in tape_rows(run, *target(model, "p"), "--at", "x=0.7")] == \
        ["input"] + ["mul"] * 5


def horner_closed_form(x: float) -> tuple[float, float]:
    # 1 - 2x + 3x^2 + 0.5x^3
    return 1 - 2 * x + 3 * x**2 + 0.5 * x**3, -2 + 6 * x + 1.5 * x**2


@pytest.mark.parametrize("mode", ["forward", "reverse", "symbolic"])
@pytest.mark.parametrize("x", [0.5, -1.75, 3.0])
def test_recursive_horner(run, model, mode, x):
    value, d = horner_closed_form(x)
    out = diff_json(run, *target(model, "horner"), "--at", f"x={x}", "--mode", mode)
    assert close(out["value"], value, 1e-14)
    assert close(out["gradient"]["x"], d, 1e-14)
    assert out["warnings"] == []


def test_horner_tape(run, model):
    # innermost x*0.5, then + 3, x*, + (-2), x*, + 1: three mul and three add
    ops = [r["op"] for r in tape_rows(run, *target(model, "horner"), "--at", "x=0.5")]
    assert ops == ["input", "mul", "add", "mul", "add", "mul", "add"]


# -- symbolic mode and value-dependent control flow -------------------------------------


@pytest.mark.parametrize("function, source", [
    ("f", "if x > 0:"),
    ("branchy", "if x > 0:"),
    ("halve", "while x > 1:"),
    ("clip", "return max(x, 0.5) * x"),
])
def test_symbolic_refuses_value_dependent_control_flow(run, model, function, source):
    result = run("diff", *target(model, function), "--at", "x=0.7", "--mode", "symbolic")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert error_line(result) == (
        f"adcli: error: symbolic differentiation cannot follow value-dependent control "
        f"flow: line {line_of(source, function)} `{source}`")


def test_symbolic_refuses_equality_comparison(run, model):
    result = run("diff", *target(model, "pick"), "--at", "x=1", "--mode", "symbolic")
    assert result.exit_code == 1, result.stdout
    assert f"line {line_of('if x == 1:')} `if x == 1:`" in result.stderr


def test_pick_program_ad_takes_the_equality_branch(run, model):
    out = diff_json(run, *target(model, "pick"), "--at", "x=1")
    assert out["value"] == 3.0 and out["gradient"] == {"x": 3.0}
    assert [w["kind"] for w in out["warnings"]] == ["branch"]


# -- numerical mode calls the program with floats ---------------------------------------


def test_numerical_warns_when_a_step_crosses_a_branch(run, model):
    result = run("diff", *target(model, "f"), "--at", "x=1e-7", "--mode", "numerical",
                 "--method", "central", "--step", "1e-6", "--format", "json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["details"]["method"] == "central"
    h = out["details"]["step"]["x"]
    assert h > 1e-7  # the step reaches x < 0: f(x - h) comes from "return 0"
    crossing = [w for w in out["warnings"] if "takes another branch" in w["message"]]
    assert len(crossing) == 1
    assert crossing[0]["kind"] == "branch"
    assert f"(line {line_of('if x > 0:')}: `if x > 0:`)" in crossing[0]["message"]
    # what the mixed quotient is: ((x+h)^2 - 0) / 2h, computed from the reported step
    assert close(out["gradient"]["x"], (1e-7 + h) ** 2 / (2 * h), 1e-6)
    assert any(line.startswith("adcli: warning: the step to x = ")
               for line in result.stderr.splitlines())


def test_numerical_without_crossing_has_no_warning(run, model):
    out = diff_json(run, *target(model, "f"), "--at", "x=0.5", "--mode", "numerical",
                    "--method", "central")
    assert out["warnings"] == []
    assert close(out["gradient"]["x"], 1.0, 1e-8)


def test_numerical_loop(run, model):
    out = diff_json(run, *target(model, "loop"), "--at", "x=0.7", "--mode", "numerical",
                    "--method", "central")
    _value, d = unrolled_loop(0.7)
    assert abs(out["gradient"]["x"] - d) < 1e-9  # d is ~5e-35: central differences see ~0


# -- compare -----------------------------------------------------------------------------

COMPARE_ROWS = ["forward-difference", "backward-difference", "central-difference",
                "five-point", "richardson", "complex-step", "symbolic", "forward-ad",
                "reverse-ad"]


def compare_json(run, *args) -> dict:
    result = run("compare", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_compare_program_with_control_flow(run, model):
    out = compare_json(run, *target(model, "f"), "--at", "x=0.5")
    rows = {r["method"]: r for r in out["rows"]}
    assert [r["method"] for r in out["rows"]] == COMPARE_ROWS
    assert out["reference"]["gradient"]["x"] == pytest.approx(1.0, abs=1e-15)
    symbolic = rows.pop("symbolic")
    assert symbolic["gradient"] is None
    assert symbolic["note"] == ("symbolic differentiation cannot follow value-dependent "
                                f"control flow: line {line_of('if x > 0:')} `if x > 0:`")
    for name, row in rows.items():
        assert row["gradient"]["x"] == pytest.approx(1.0, rel=1e-7), name
    assert rows["forward-ad"]["gradient"]["x"] == 1.0
    assert rows["reverse-ad"]["gradient"]["x"] == 1.0


def test_compare_program_without_control_flow(run, model):
    out = compare_json(run, *target(model, "horner"), "--at", "x=0.5")
    assert [r["method"] for r in out["rows"]] == COMPARE_ROWS
    _value, d = horner_closed_form(0.5)
    for row in out["rows"]:
        assert row["gradient"]["x"] == pytest.approx(d, rel=1e-7), row["method"]
    symbolic = next(r for r in out["rows"] if r["method"] == "symbolic")
    assert symbolic["gradient"]["x"] == pytest.approx(d, rel=1e-15)


def test_graph_accepts_a_program(run, model):
    result = run("graph", *target(model, "branchy"), "--at", "x=0.5")
    assert result.exit_code == 0, result.stderr
    assert "sin" in result.stdout and "exp" not in result.stdout


# -- programs that fail ------------------------------------------------------------------


@pytest.mark.parametrize("function, line, exc", [
    ("zero_division", "return x * (1 / n)", "ZeroDivisionError: division by zero"),
    ("log_negative", "return y + math.log(-3.0)", "ValueError: "),
    ("to_float", "return float(x) * 2", "TypeError: float() of a traced number would drop "
                                        "its derivative"),
    ("math_sin", "return math.sin(x)", "TypeError: float() of a traced number would drop "
                                       "its derivative"),
])
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_program_that_raises(run, model, function, line, exc, mode):
    result = run("diff", *target(model, function), "--at", "x=0.7", "--mode", mode)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert error_line(result).startswith(
        f"adcli: math error: {model}:{line_of(line)}: {exc}")


def test_traced_division_by_zero_names_the_line(run, model):
    result = run("diff", *target(model, "traced_division"), "--at", "x=0.7")
    assert result.exit_code == 1
    assert result.stdout == ""
    text = error_line(result)
    assert text.startswith(f"adcli: math error: {model}:{line_of('return y / 0')}: ")
    assert "(in `return y / 0`)" in text


def test_program_that_raises_in_a_subprocess(model, tmp_path):
    """The real entry point (``python -m adcli``, its fast reader): one stderr line."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "adcli", "diff", "--program", "model.py:zero_division", "--at", "x=0.7"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (f"adcli: math error: {model}:{line_of('return x * (1 / n)')}: "
                             f"ZeroDivisionError: division by zero\n")


def test_missing_function_is_a_usage_error(run, model):
    result = run("diff", *target(model, "nowhere"), "--at", "x=1")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert error_line(result) == f"adcli: error: {model} has no function 'nowhere'"


def test_syntax_error_is_a_usage_error(run, tmp_path):
    bad = tmp_path / "broken.py"
    bad.write_text("def f(x):\n    return x +\n")
    result = run("diff", *target(bad, "f"), "--at", "x=1")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert error_line(result).startswith(f"adcli: error: {bad}:2: syntax error")


# -- NumPy ufuncs, several variables, stop_gradient ----------------------------------------


@pytest.mark.parametrize("mode", ["forward", "reverse", "numerical"])
def test_numpy_ufuncs_on_traced_numbers(run, model, mode):
    x = 0.7
    out = diff_json(run, *target(model, "ufuncs"), "--at", f"x={x}", "--mode", mode)
    value = math.sin(x) * math.exp(x) + math.sqrt(x)
    d = (math.cos(x) + math.sin(x)) * math.exp(x) + 0.5 / math.sqrt(x)
    assert close(out["value"], value, 1e-15)
    assert close(out["gradient"]["x"], d, 1e-14 if mode != "numerical" else 1e-9)


def test_numpy_ufuncs_are_recorded(run, model):
    ops = [r["op"] for r in tape_rows(run, *target(model, "ufuncs"), "--at", "x=0.7")]
    assert Counter(ops) == {"input": 1, "sin": 1, "exp": 1, "mul": 1, "sqrt": 1, "add": 1}


@pytest.mark.parametrize("mode", ["forward", "reverse", "symbolic"])
def test_two_variables_with_wrt(run, model, mode):
    x, y = 0.7, 1.3
    both = diff_json(run, *target(model, "two"), "--at", f"x={x}", "--at", f"y={y}",
                     "--mode", mode)
    assert close(both["value"], x * math.sin(y) + y**2, 1e-15)
    assert close(both["gradient"]["x"], math.sin(y))
    assert close(both["gradient"]["y"], x * math.cos(y) + 2 * y)
    only_y = diff_json(run, *target(model, "two"), "--at", f"x={x}", "--at", f"y={y}",
                       "--wrt", "y", "--mode", mode)
    assert list(only_y["gradient"]) == ["y"]
    assert only_y["gradient"]["y"] == both["gradient"]["y"]


@pytest.mark.parametrize("mode", ["forward", "reverse", "symbolic"])
def test_stop_gradient_in_a_program(run, model, mode):
    x = 0.7
    out = diff_json(run, *target(model, "stopped"), "--at", f"x={x}", "--mode", mode)
    # x * sg(x^2) + sin(x): only x and sin(x) carry derivatives -> x^2 + cos(x)
    assert close(out["value"], x**3 + math.sin(x))
    assert close(out["gradient"]["x"], x**2 + math.cos(x))
    assert out["warnings"] == []


@pytest.mark.parametrize("mode", ["forward", "reverse", "symbolic"])
def test_detach_in_a_program_with_two_variables(run, model, mode):
    x, y = 1.5, -0.25
    out = diff_json(run, *target(model, "detached"), "--at", f"x={x}", "--at", f"y={y}",
                    "--mode", mode)
    # detach(x*y)*y + x*y: d/dx = y, d/dy = x*y + x
    assert close(out["gradient"]["x"], y)
    assert close(out["gradient"]["y"], x * y + x)


def test_stop_gradient_in_a_program_numerical(run, model):
    x = 0.7
    result = run("diff", *target(model, "stopped"), "--at", f"x={x}", "--mode", "numerical",
                 "--format", "json")
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    # differences see the whole function x^3 + sin(x)
    assert close(out["gradient"]["x"], 3 * x**2 + math.cos(x), 1e-8)
    assert [(w["kind"], w["op"]) for w in out["warnings"]] == \
        [("stop_gradient", "stop_gradient")]
    assert result.stderr.startswith("adcli: warning: numerical differences see through "
                                    "stop_gradient")


def test_stop_gradient_row_in_a_program_tape(run, model):
    rows = tape_rows(run, *target(model, "stopped"), "--at", "x=0.7")
    stopped = [r for r in rows if r["op"] == "stop_gradient"]
    assert len(stopped) == 1
    assert stopped[0]["expr"].startswith("stop_gradient(")
    assert close(stopped[0]["value"], 0.49)
    assert stopped[0]["tangent"] == 0.0
