"""A program's own faults get one line naming the program, never adcli's exit 3.

A result that is not one real number, ``sys.exit``, a traced number handed to
``math.sin`` or an unknown NumPy ufunc, a run that never ends or traces
without bound: each is the user's code, said as such, in every mode and
every command that takes ``--program``.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

SOURCE = textwrap.dedent("""\
    import math, sys
    import numpy as np
    from math import exp as exp_
    from adcli.functions import sin
    def none(x): return None
    def string(x): return "abc"
    def a_list(x): return [x, x]
    def a_tuple(x): return (x, x)
    def an_array(x): return np.array([x, x])
    def truth(x): return x > 0
    def numpy_truth(x): return np.bool_(True)
    def complex_(x): return complex(0, 0.7)
    def complex_times(x): return 1j * x
    def huge(x): return 10**400
    def math_sin(x): return math.sin(x)
    def from_import(x): return exp_(x) + 1
    def math_fabs(x): return np.cos(x) + math.fabs(x)
    def to_float(x): return float(x)
    def exit3(x): sys.exit(3)
    def exit_plain(x): sys.exit()
    def np_where(x): return np.where(x > 0, x, -x) * sin(x)
    def np_exp2(x): return np.exp2(x)
    def none_above_one(x): return x * x if x <= 1 else None
    def loop(x):
        import os
        mark = os.environ.get("ADCLI_TEST_LOOPING")
        if mark:
            open(mark, "w").close()
        while True:
            pass
    def many(x):
        s = x
        for i in range(10**7):
            s = s + x
        return s
    def fine(x):
        s = x
        for i in range(100000):
            s = s * 1.0000001 + x
        return s
    """)


@pytest.fixture
def program(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(SOURCE)
    return path


def line_of(text: str) -> int:
    return next(n for n, line in enumerate(SOURCE.splitlines(), 1) if text in line)


def refused(result, code: int, message: str) -> None:
    """Nothing on stdout, exactly ``message`` on stderr, exit ``code``."""
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", message + "\n")


def diff(run, program, function, *options):
    result = run("diff", "--program", f"{program}:{function}", "--at", "x=0.7", *options)
    assert result.exit_code != 3, result.stderr
    return result


MODES = [(), ("--mode", "forward"), ("--mode", "numerical"), ("--mode", "symbolic"),
         ("--precision", "30")]

RESULTS = [
    ("none", 2, "error", "None (no return statement?), not a number"),
    ("string", 2, "error", "a string, not a number"),
    ("a_list", 2, "error", "a list of 2 values, not a number"),
    ("a_tuple", 2, "error", "a tuple of 2 values, not a number"),
    ("an_array", 2, "error", "an array of shape (2,), not a number"),
    ("truth", 2, "error", "the truth value True, not a number"),
    ("numpy_truth", 2, "error", "the truth value True, not a number"),
]


@pytest.mark.parametrize("mode", MODES, ids=" ".join)
@pytest.mark.parametrize("function, code, kind, shown", RESULTS)
def test_a_result_that_is_not_a_number(run, program, function, code, kind, shown, mode):
    result = diff(run, program, function, *mode)
    assert result.exit_code == code
    assert result.stdout == ""
    assert result.stderr == (f"adcli: {kind}: {program}:{function}() returned {shown}: "
                             f"a program returns one real number\n")


@pytest.mark.parametrize("mode", MODES, ids=" ".join)
def test_a_complex_result_is_a_math_error(run, program, mode):
    result = diff(run, program, "complex_", *mode)
    refused(result, 1, f"adcli: math error: {program}:complex_() returned the complex "
                       f"number 0.7j: adcli differentiates real functions")


@pytest.mark.parametrize("mode", MODES, ids=" ".join)
def test_an_integer_beyond_floats_is_a_math_error(run, program, mode):
    result = diff(run, program, "huge", *mode)
    bits = (10**400).bit_length()
    refused(result, 1, f"adcli: math error: {program}:huge() returned an integer of "
                       f"{bits:,} bits, beyond the float range (about 1.8e308)")


def test_a_result_checked_at_every_point_the_program_is_called(run, program):
    """Numerical differences call the program again at x + h: a None there is refused too."""
    result = run("diff", "--program", f"{program}:none_above_one", "--at", "x=1",
                 "--mode", "numerical", "--method", "central")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"adcli: error: {program}:none_above_one() returned None")


@pytest.mark.parametrize("function, text, instead", [
    ("math_sin", "math.sin(x)", "math.sin() cannot take one; use adcli.functions.sin"),
    ("from_import", "exp_(x) + 1", "math.exp() cannot take one; use adcli.functions.exp"),
    ("math_fabs", "math.fabs(x)", "math.fabs() cannot take one; use a function of "
                                  "adcli.functions (`adcli functions` lists them)"),
    ("to_float", "float(x)", "float() cannot take one; keep it a number"),
])
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_a_traced_number_in_math_names_the_function_to_use(run, program, function, text,
                                                           instead, mode):
    result = diff(run, program, function, "--mode", mode)
    refused(result, 1, f"adcli: math error: {program}:{line_of(text)}: TypeError: "
                       f"float() of a traced number would drop its derivative: "
                       f"{instead}")


@pytest.mark.parametrize("function, text, message", [
    ("complex_times", "1j * x", "the complex number 1j meets a traced number: adcli "
                                "differentiates real functions"),
    ("np_exp2", "np.exp2", "TypeError: numpy.exp2 has no derivative rule in adcli: use "
                           "adcli.functions (`adcli functions` lists them)"),
])
def test_a_value_adcli_cannot_trace_is_named_at_its_line(run, program, function, text,
                                                         message):
    result = diff(run, program, function)
    refused(result, 1, f"adcli: math error: {program}:{line_of(text)}: {message}")


@pytest.mark.parametrize("x", [0.7, -0.4])
@pytest.mark.parametrize("mode", ["reverse", "forward", "numerical"])
def test_np_where_takes_the_branch_python_decided(run_json, program, x, mode):
    """np.where on traced numbers gives a 0-d array holding the chosen one: |x|·sin x."""
    out = run_json("diff", "--program", f"{program}:np_where", "--at", f"x={x}",
                   "--mode", mode)
    value = abs(x) * math.sin(x)
    slope = math.copysign(1, x) * math.sin(x) + abs(x) * math.cos(x)
    assert out["value"] == pytest.approx(value, rel=1e-15)
    assert out["gradient"]["x"] == pytest.approx(slope, rel=1e-14 if mode != "numerical"
                                                 else 1e-8)


@pytest.mark.parametrize("function, code", [("exit3", 3), ("exit_plain", None)])
@pytest.mark.parametrize("command", ["diff", "compare", "steps", "swell", "tape", "graph"])
def test_sys_exit_in_a_program_is_its_own(run, program, function, code, command):
    result = run(command, "--program", f"{program}:{function}", "--at", "x=0.7")
    refused(result, 2, f"adcli: error: {program}:{line_of(f'def {function}')}: the "
                       f"program called sys.exit({code!r}); a function for adcli "
                       f"returns a number")


def test_sys_exit_while_the_file_loads(run, tmp_path):
    path = tmp_path / "leaves.py"
    path.write_text("import sys\nsys.exit(3)\ndef f(x):\n    return x\n")
    result = run("diff", "--program", f"{path}:f", "--at", "x=1")
    refused(result, 2, f"adcli: error: {path}:2: the program called sys.exit(3); "
                       f"a function for adcli returns a number")


@pytest.mark.parametrize("command", ["diff", "compare", "steps", "swell", "tape", "graph"])
@pytest.mark.parametrize("function", ["none", "a_list", "complex_", "huge", "math_sin"])
def test_no_command_calls_a_program_fault_internal(run, program, command, function):
    result = run(command, "--program", f"{program}:{function}", "--at", "x=0.7")
    assert result.exit_code in (1, 2), result.stderr
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and str(program) in result.stderr


def test_traced_operations_are_bounded(run, program):
    """Ten million traced additions are refused at the bound, quickly, with their own message."""
    from adcli.programs.refusals import MAX_TRACED

    result = diff(run, program, "many")  # the unbounded run took 39 s and 1.3 GB
    refused(result, 2, f"adcli: error: {program}:{line_of('s = s + x')}: the program "
                       f"ran more than {MAX_TRACED:,} traced operations, the bound on "
                       f"one run of a program")
    assert "formula" not in result.stderr


def test_a_long_program_under_the_bound_is_differentiated(run_json, program):
    """s -> s·c + x, 100,000 times: ds/dx = Σ c^k = (c^n+1 - 1)/(c - 1) with s0 = x."""
    out = run_json("diff", "--program", f"{program}:fine", "--at", "x=1")
    c, n = 1.0000001, 100000
    expected = (c ** (n + 1) - 1) / (c - 1)
    assert out["gradient"]["x"] == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("command, options", [
    ("diff", ()), ("diff", ("--mode", "symbolic")), ("diff", ("--mode", "numerical")),
    ("compare", ()), ("tape", ()), ("swell", ())])
def test_ctrl_c_in_a_program_that_never_returns(program, command, options, tmp_path):
    """Ctrl-C once the program is looping (it says so through a file): however
    loaded the machine, the signal never lands before adcli's handler, and the
    child never outlives the test."""
    looping = tmp_path / "looping"
    env = {**os.environ, "PYTHONPATH": str(REPO), "ADCLI_TEST_LOOPING": str(looping)}
    child = subprocess.Popen(
        [sys.executable, "-m", "adcli", command, "--program", f"{program}:loop",
         "--at", "x=1", *options],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(1200):  # up to two minutes to start, however loaded the machine
            if looping.exists() or child.poll() is not None:
                break
            time.sleep(0.1)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert (child.returncode, out, err) == (130, "", "adcli: aborted\n")


# -- the files --plot and --render write -------------------------------------------------
# Both are checked by one function before any work (the runners of steps and graph call
# it from their settings), so a mistyped place never comes after a full table.

def _checks():
    from adcli.render import drawing, vcurve

    return [("--plot", vcurve.check, ".png"), ("--render", drawing.check_render, ".svg")]


@pytest.mark.parametrize("option, check, suffix", _checks(), ids=["plot", "render"])
@pytest.mark.parametrize("place, message", [
    ("", "{option} needs a file name, e.g. {option} picture{first}"),
    ("  ", "{option} needs a file name, e.g. {option} picture{first}"),
    ("missing/deeper/out{suffix}", "{option} {path}: no such directory: {tmp}/missing/deeper"),
    ("folder{suffix}", "{option} {path}: is a directory; name a file in it"),
    ("picture.pdf", "{option} {path}: the file must end in {ends}"),
])
def test_a_place_that_cannot_take_the_file(tmp_path, monkeypatch, option, check, suffix,
                                           place, message):
    from adcli.errors import UsageError

    monkeypatch.chdir(tmp_path)
    (tmp_path / f"folder{suffix}").mkdir()
    path = place.format(suffix=suffix)
    ends = ".png or .svg" if option == "--plot" else ".svg or .png"
    with pytest.raises(UsageError) as caught:
        check(path)
    assert caught.value.message == message.format(option=option, path=path, tmp=tmp_path,
                                                  suffix=suffix, ends=ends, first=ends[:4])


@pytest.mark.parametrize("option, check, suffix", _checks(), ids=["plot", "render"])
def test_an_unwritable_place(option, check, suffix):
    """/proc takes no new files, whoever asks (a permission bit would not stop root)."""
    from adcli.errors import UsageError

    with pytest.raises(UsageError, match=f"^{option} /proc/out{suffix}: cannot write there: "):
        check(f"/proc/out{suffix}")


@pytest.mark.parametrize("option, check, suffix", _checks(), ids=["plot", "render"])
def test_a_writable_place_is_left_as_it_was(tmp_path, option, check, suffix, monkeypatch):
    """The check opens the file to know it can, and leaves no empty file behind; its
    answer is the absolute name the picture goes to (said on stderr after it is drawn)."""
    import shutil
    from importlib import util

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/dot")
    monkeypatch.setattr(util, "find_spec", lambda name: object())
    assert check(f"out{suffix}") == str(tmp_path / f"out{suffix}")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / f"old{suffix}").write_bytes(b"kept")
    assert check(f"old{suffix}") == str(tmp_path / f"old{suffix}")
    assert (tmp_path / f"old{suffix}").read_bytes() == b"kept"


@pytest.mark.parametrize("option, check, suffix", _checks(), ids=["plot", "render"])
def test_a_missing_drawing_tool_is_known_by_the_check(tmp_path, option, check, suffix,
                                                      monkeypatch):
    import shutil
    from importlib import util

    from adcli.errors import UsageError

    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(util, "find_spec", lambda name: None)
    with pytest.raises(UsageError, match="matplotlib" if option == "--plot" else "Graphviz"):
        check(str(tmp_path / f"out{suffix}"))


# -- --plot and --render through the command line: checked before any output ---------

@pytest.mark.parametrize("args, message", [
    (("steps", "sin(x)", "--at", "1", "--plot", ""), "--plot needs a file name"),
    (("steps", "sin(x)", "--at", "1", "--plot", "/nonexistent-dir/v.png"),
     "no such directory"),
    (("graph", "sin(x)", "--at", "1", "--render", ""), "--render needs a file name"),
    (("graph", "sin(x)", "--at", "1", "--render", "/nonexistent-dir/g.svg"),
     "no such directory"),
])
def test_plot_and_render_refused_before_any_output(run, args, message):
    result = run(*args)
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr and result.stderr.count("\n") == 1
