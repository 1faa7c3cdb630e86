"""Formula text never runs a file: a program is asked for by --program only.

A script may pass untrusted formulas to adcli.  Text shaped like
``FILE.py:FUNCTION`` -- on the command line, on standard input, to any
command -- is a formula, and a formula that is not in the language is a parse
error; the file is never imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EVIL = "open({marker!r}, 'w').write('ran')\ndef f(x):\n    return x * x\n"

#: Every command that reads a formula, with what else it needs.
COMMANDS = [
    ("diff", "--at", "x=1"), ("compare", "--at", "x=1"), ("steps", "--at", "x=1"),
    ("swell", "--at", "x=1"), ("tape", "--at", "x=1"), ("graph",), ("graph", "--at", "x=1"),
    ("jacobian", "--at", "x=1"), ("jvp", "--at", "x=1", "--tangent", "x=1"),
    ("vjp", "--at", "x=1", "--cotangent", "1"), ("hessian", "--at", "x=1"),
    ("hvp", "--at", "x=1", "--vector", "x=1"),
]


@pytest.fixture
def evil(tmp_path) -> tuple[Path, Path]:
    marker = tmp_path / "ran"
    path = tmp_path / "evil.py"
    path.write_text(EVIL.format(marker=str(marker)))
    return path, marker


def adcli(*args: str, stdin: str | None = None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "adcli", *args], input=stdin,
                          capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_formula_text_naming_a_file_never_runs_it(evil, command):
    path, marker = evil
    for text in (f"{path}:f", "evil.py:f"):
        done = adcli(command[0], text, *command[1:], cwd=path.parent)
        assert done.returncode == 2, done.stderr
        assert done.stdout == "" and done.stderr.startswith("adcli: error: ")
    assert not marker.exists()


@pytest.mark.parametrize("command", COMMANDS[:5], ids=[c[0] for c in COMMANDS[:5]])
def test_formula_text_from_stdin_never_runs_a_file(evil, command):
    path, marker = evil
    done = adcli(command[0], "-", *command[1:], stdin=f"{path}:f\n")
    assert done.returncode == 2 and "--program" in done.stderr
    assert not marker.exists()


def test_a_standard_library_function_is_not_a_formula():
    done = adcli("diff", f"{os.__file__}:getpid", "--at", "1")
    assert done.returncode == 2 and "never names a file" in done.stderr


def test_the_hint_names_the_option():
    done = adcli("diff", "model.py:f", "--at", "x=1")
    assert "use --program model.py:f" in done.stderr
    assert done.stderr.count("\n") == 3  # the message, the input and the caret


def test_the_option_runs_the_program_as_asked(evil, run_json):
    path, marker = evil
    out = run_json("diff", "--program", f"{path}:f", "--at", "x=3")
    assert out["expression"] == f"{path}:f"
    assert out["value"] == 9.0 and out["gradient"] == {"x": 6.0}
    assert marker.exists()  # its top level ran, as Python runs it


@pytest.mark.parametrize("args, message", [
    (("diff", "x", "--program", "m.py:f", "--at", "x=1"), "not both"),
    (("diff", "--at", "x=1"), "give a formula EXPR, or a program"),
    (("diff", "--program", "m.py", "--at", "x=1"), "--program FILE.py:FUNCTION"),
    (("diff", "--program", "missing.py:f", "--at", "x=1"), "no such program file"),
    (("graph", "--program", "missing.py:f"), "give --at"),
])
def test_program_option_usage_errors(run, args, message):
    result = run(*args)
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr


def test_help_says_a_program_runs_as_python_runs_it(run):
    text = run("diff", "--help").stdout
    assert "--program" in text and "runs as Python runs it" in " ".join(text.split())
