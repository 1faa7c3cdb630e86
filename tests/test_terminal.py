"""What a terminal, a pipe and a script see: no escape codes where none belong,
and ``diff --format plain`` as stable ``key = value`` lines.

Run as users run it: ``python -m adcli`` in a subprocess.  Where the platform
has pseudo-terminals, the NO_COLOR and TERM=dumb cases are also run at a real
(pseudo-)terminal, where Rich would otherwise style its output.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import mpmath
import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Environment variables that change how Rich or Click see the terminal.
_TERMINAL_VARS = ("NO_COLOR", "FORCE_COLOR", "TERM", "COLORTERM", "COLUMNS", "LINES",
                  "TTY_COMPATIBLE", "TTY_INTERACTIVE", "CLICOLOR", "CLICOLOR_FORCE",
                  "JUPYTER_COLUMNS", "JUPYTER_LINES")

TABLES = {
    "diff": ("diff", "sin(x**2)+exp(x)", "--at", "2"),
    "tape": ("tape", "--example", "course"),
    "compare": ("compare", "x*sin(y)", "--at", "x=3", "--at", "y=pi/6"),
    "graph": ("graph", "x*sin(y)", "--at", "x=3", "--at", "y=pi/6", "-f", "table"),
}

ENVIRONMENTS = {
    "NO_COLOR": {"NO_COLOR": "1", "TERM": "xterm-256color"},
    "TERM=dumb": {"TERM": "dumb"},
    "pipe": {"TERM": "xterm-256color"},
}

#: SGR parameters that set a colour (foreground, background, 256/true colour).
_COLOUR = re.compile(rb"\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in _TERMINAL_VARS and not k.endswith("_COMPLETE")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env


def adcli(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "adcli", *args], capture_output=True,
                          env=_env(**env), cwd=ROOT, timeout=60, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("setting", list(ENVIRONMENTS))
@pytest.mark.parametrize("command", list(TABLES))
def test_no_escape_codes_into_a_pipe(command, setting):
    done = adcli(*TABLES[command], **ENVIRONMENTS[setting])
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    assert done.stdout.strip()
    assert b"\x1b[" not in done.stdout
    assert b"\x1b" not in done.stdout and b"\r" not in done.stdout


# -- at a pseudo-terminal ---------------------------------------------------------------


def at_a_terminal(args, **env) -> bytes:
    """stdout of ``python -m adcli ARGS`` when stdout is a pseudo-terminal."""
    pty = pytest.importorskip("pty")
    main, side = pty.openpty()
    try:
        process = subprocess.Popen([sys.executable, "-m", "adcli", *args], stdout=side,
                                   stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                   env=_env(COLUMNS="160", **env), cwd=ROOT)
    finally:
        os.close(side)
    out = b""
    try:
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the child closed its end (EIO on Linux)
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(main)
        stderr = process.communicate(timeout=60)[1]
    assert process.returncode == 0, stderr
    return out


posix_only = pytest.mark.skipif(not sys.platform.startswith(("linux", "darwin")),
                                reason="needs pseudo-terminals")


@posix_only
@pytest.mark.parametrize("command", list(TABLES))
def test_a_dumb_terminal_gets_no_escape_codes(command):
    out = at_a_terminal(TABLES[command], TERM="dumb")
    assert out.strip()
    assert b"\x1b[" not in out


@posix_only
@pytest.mark.parametrize("command", list(TABLES))
def test_no_color_at_a_terminal_means_no_colour(command):
    """NO_COLOR (no-color.org) forbids colour; bold and italic stay allowed."""
    out = at_a_terminal(TABLES[command], TERM="xterm-256color", NO_COLOR="1")
    assert out.strip()
    assert not _COLOUR.search(out), _COLOUR.findall(out)[:5]


# -- diff --format plain: for scripts ---------------------------------------------------


def _float(text: str) -> float:
    assert re.fullmatch(r"-?\d+\.\d+(e[+-]\d+)?|-?\d+e[+-]\d+|-?inf|nan", text), text
    return float(text)


@pytest.mark.parametrize("mode", ["forward", "reverse", "numerical"])
def test_plain_diff_is_key_value_lines(mode):
    done = adcli("diff", "sin(x**2)+exp(x)", "--at", "2", "--mode", mode, "-f", "plain")
    assert done.returncode == 0 and done.stderr == b""
    text = done.stdout.decode("utf-8")
    match = re.fullmatch(r"value = (\S+)\nd/dx = (\S+)\n", text)
    assert match, text
    value, slope = (_float(g) for g in match.groups())
    with mpmath.workdps(40):
        x = mpmath.mpf(2)
        assert value == pytest.approx(float(mpmath.sin(x**2) + mpmath.exp(x)), rel=1e-15)
        tol = 1e-15 if mode != "numerical" else 1e-9
        assert slope == pytest.approx(float(2 * x * mpmath.cos(x**2) + mpmath.exp(x)),
                                      rel=tol)


def test_plain_diff_of_two_variables_in_point_order():
    done = adcli("diff", "x*sin(y)", "--at", "x=3", "--at", "y=pi/6", "-f", "plain")
    text = done.stdout.decode("utf-8")
    assert re.fullmatch(r"value = \S+\nd/dx = \S+\nd/dy = \S+\n", text), text
    assert text == "value = 1.4999999999999998\nd/dx = 0.49999999999999994\n" \
                   "d/dy = 2.598076211353316\n"
    done = adcli("diff", "x*sin(y)", "--at", "x=3", "--at", "y=pi/6", "--wrt", "y",
                 "-f", "plain")
    assert re.fullmatch(r"value = \S+\nd/dy = \S+\n", done.stdout.decode("utf-8"))


def test_plain_diff_keeps_warnings_on_stderr():
    done = adcli("diff", "abs(x)", "--at", "0", "-f", "plain")
    assert done.returncode == 0
    assert done.stdout == b"value = 0.0\nd/dx = 0.0\n"
    assert done.stderr.decode("utf-8").startswith("adcli: warning: ")


def test_plain_diff_is_the_same_from_both_readers(run):
    """The fast reader (subprocess) and Click (CliRunner) print the same bytes."""
    args = ("diff", "x^3 + ln(x)", "--at", "2", "--format", "plain")
    done = adcli(*args)
    result = run(*args)
    assert result.exit_code == 0
    assert done.stdout.decode("utf-8") == result.stdout == \
        "value = 8.693147180559945\nd/dx = 12.5\n"
