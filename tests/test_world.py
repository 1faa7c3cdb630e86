"""Faults of the world are the user's, not adcli's: a closed or full stdout, a
closed stdin, bytes that are not UTF-8, Ctrl-C.  Each gets one line on stderr
and an exit code -- never a traceback, never "internal error" (exit 3)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

ADCLI = [sys.executable, "-m", "adcli"]
COMMANDS = [["diff", "x**2", "--at", "3"], ["diff", "x**2", "--at", "3", "-f", "json"],
            ["compare", "x**2", "--at", "3"], ["tape", "x**2", "--at", "3"],
            ["graph", "x**2"], ["functions"], ["jacobian", "x*y, x", "--at", "x=1",
                                               "--at", "y=2"]]


def run(args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(ADCLI + args, capture_output=True, **kw)


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a[:2]) for a in COMMANDS])
def test_closed_stdout(args):
    done = subprocess.run(ADCLI + args, stdout=None, stderr=subprocess.PIPE,
                          pass_fds=(), close_fds=True,
                          preexec_fn=lambda: os.close(1))
    assert done.returncode == 2
    assert done.stderr.decode() == "adcli: error: standard output is closed\n"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a[:2]) for a in COMMANDS])
def test_full_stdout(args):
    with open("/dev/full", "w") as full:
        done = subprocess.run(ADCLI + args, stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 1
    assert done.stderr.decode() == ("adcli: error: cannot write the output: "
                                    "No space left on device\n")


def test_closed_stdin():
    done = subprocess.run(ADCLI + ["diff", "-", "--at", "1"], stdin=None,
                          capture_output=True, preexec_fn=lambda: os.close(0))
    assert done.returncode == 2 and done.stdout == b""
    assert b"standard input is closed" in done.stderr


def test_stdin_that_is_not_utf8():
    done = run(["diff", "-", "--at", "1"], input=b"\xff\xfex")
    assert done.returncode == 2
    assert done.stderr.decode() == ("adcli: error: standard input is not UTF-8 text: "
                                    "byte 0xff at offset 0\n")


def test_a_byte_order_mark_on_stdin_is_dropped():
    done = run(["diff", "-", "--at", "3", "-q"], input="\ufeffx**2\n".encode("utf-8"))
    assert done.returncode == 0 and done.stdout == b"6.0\n"


def test_ctrl_c_is_aborted_with_130(tmp_path):
    """A long fast-path diff interrupted: "adcli: aborted", exit 130, no traceback."""
    formula = tmp_path / "f.txt"
    formula.write_text("+".join(f"sin(x*{k}.5)" for k in range(300_000)))
    with open(formula) as stdin:
        proc = subprocess.Popen(ADCLI + ["diff", "-", "--at", "0.3"], stdin=stdin,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                preexec_fn=lambda: signal.signal(signal.SIGINT,
                                                                 signal.SIG_DFL))
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the run ended before the interrupt arrived")
    assert proc.returncode == 130
    assert err.decode() == "adcli: aborted\n"
