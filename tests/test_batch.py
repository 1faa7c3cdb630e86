"""``adcli batch``: each answer is what ``diff -f json`` prints for that request
(or its error line and exit code), checked against diff itself and against
closed forms; order, ids, --strict, exit codes, stdin, files and a coprocess."""

from __future__ import annotations

import json
import math
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def lines(*requests) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in requests)


def batch(run, *requests, args=()):
    result = run("batch", *args, input=lines(*requests))
    return result, [json.loads(line) for line in result.stdout.splitlines()]


# -- the same answer as diff -f json ----------------------------------------------------

SAME_AS_DIFF = [
    ({"expression": "sin(x**2)+exp(x)", "at": {"x": 2}},
     ["sin(x**2)+exp(x)", "--at", "x=2"]),
    ({"expression": "x*sin(y)", "at": {"x": 3, "y": "pi/6"}, "mode": "forward"},
     ["x*sin(y)", "--at", "x=3", "--at", "y=pi/6", "--mode", "forward"]),
    ({"expression": "x*sin(y)", "at": {"x": 3, "y": "pi/6"}, "wrt": ["y"]},
     ["x*sin(y)", "--at", "x=3,y=pi/6", "--wrt", "y"]),
    ({"expression": "x^3 + ln(x)", "at": 2, "mode": "symbolic"},
     ["x^3 + ln(x)", "--at", "2", "--mode", "symbolic"]),
    ({"expression": "exp(x)", "at": {"x": 1.5}, "mode": "numerical", "method": "central"},
     ["exp(x)", "--at", "x=1.5", "--mode", "numerical", "--method", "central"]),
    ({"expression": "exp(sin(x))*x**x", "at": {"x": 1.5}, "order": 4},
     ["exp(sin(x))*x**x", "--at", "1.5", "--order", "4"]),
    ({"expression": "exp(x)*y", "at": {"x": "1/3", "y": 2}, "precision": 30},
     ["exp(x)*y", "--at", "x=1/3,y=2", "--precision", "30"]),
    ({"expression": "abs(x)", "at": {"x": 0}},  # a kink: the warning is in the answer
     ["abs(x)", "--at", "x=0"]),
]


@pytest.mark.parametrize("request_, argv", SAME_AS_DIFF, ids=[a[0] for _, a in SAME_AS_DIFF])
def test_an_answer_is_what_diff_json_prints(run, request_, argv):
    result, answers = batch(run, request_)
    expected = run("diff", *argv, "-f", "json")
    assert expected.exit_code == 0 and result.exit_code == 0, result.stderr
    assert answers == [json.loads(expected.stdout)]
    assert result.stderr == ""  # warnings stay in the answer


def test_many_requests_answer_in_order_with_their_ids(run):
    requests = [{"expression": "x*y", "at": {"x": k, "y": 2}, "id": f"r{k}"}
                for k in range(50)]
    result, answers = batch(run, *requests)
    assert result.exit_code == 0
    assert [a["id"] for a in answers] == [f"r{k}" for k in range(50)]
    assert [a["gradient"] for a in answers] == [{"x": 2.0, "y": float(k)} for k in range(50)]


# -- closed forms ---------------------------------------------------------------------

@pytest.mark.parametrize("mode, rel", [("reverse", 1e-15), ("forward", 1e-15),
                                       ("symbolic", 1e-14), ("numerical", 1e-9)])
def test_gradients_match_the_closed_form(run, mode, rel):
    """d/dx [sin(x^2) + e^x] = 2x cos(x^2) + e^x at 40 points."""
    xs = [-2 + k / 10 for k in range(40)]
    result, answers = batch(run, *[{"expression": "sin(x**2)+exp(x)", "at": {"x": x},
                                    "mode": mode, "id": x} for x in xs])
    assert result.exit_code == 0
    for x, answer in zip(xs, answers, strict=True):
        assert answer["id"] == x and answer["mode"] == mode
        assert answer["value"] == pytest.approx(math.sin(x * x) + math.exp(x), rel=1e-15)
        assert answer["gradient"]["x"] == pytest.approx(
            2 * x * math.cos(x * x) + math.exp(x), rel=rel, abs=rel)


def test_two_variables_match_the_closed_form(run):
    """g = x sin(y) at (3, pi/6): (sin y, x cos y) = (0.5, 2.598...)."""
    _, [answer] = batch(run, {"expression": "x*sin(y)", "at": {"x": 3, "y": "pi/6"}})
    assert answer["gradient"]["x"] == pytest.approx(0.5, rel=1e-15)
    assert answer["gradient"]["y"] == pytest.approx(3 * math.cos(math.pi / 6), rel=1e-15)


# -- failures: one error line each, and the run goes on -----------------------------------

def _diff_error(run, *argv) -> tuple:
    result = run("diff", *argv)
    first = result.stderr.splitlines()[0]
    return first.split(": ", 2)[2], result.exit_code


@pytest.mark.parametrize("request_, argv", [
    ({"expression": "sin(x", "at": 1}, ["sin(x", "--at", "1"]),                  # parse
    ({"expression": "log(x)", "at": {"x": -1}}, ["log(x)", "--at", "x=-1"]),      # domain
    ({"expression": "x*y", "at": {"x": 1}}, ["x*y", "--at", "x=1"]),              # no y
    ({"expression": "x", "at": {"x": 1}, "order": 2, "mode": "forward"},
     ["x", "--at", "x=1", "--order", "2", "--mode", "forward"]),                  # conflict
    ({"expression": "x", "at": {"z": 1}}, ["x", "--at", "z=1"]),
    ({"expression": "1/x", "at": 0}, ["1/x", "--at", "0"]),
])
def test_an_error_line_is_what_diff_says(run, request_, argv):
    message, code = _diff_error(run, *argv)
    result, [answer] = batch(run, {**request_, "id": 7})
    assert answer["error"] == message and answer["exit"] == code and answer["id"] == 7
    assert result.exit_code == code and result.stderr == ""


def test_a_parse_error_carries_its_column(run):
    _, [answer] = batch(run, {"expression": "2x + 1", "at": 1})
    assert answer["exit"] == 2 and answer["column"] == 1


@pytest.mark.parametrize("line, words", [
    ("not json", "not a JSON request"),
    ('{"expression": "x", "at": 1', "not a JSON request"),
    ("[1, 2]", "a request is a JSON object"),
    ('"x**2"', "a request is a JSON object"),
    ('{"expression": "x", "at": NaN}', "NaN is not a finite number"),
    ('{"expression": "x", "at": 1e999}', "is not a finite double"),
    ('{"expression": "x", "at": 1, "mdoe": "forward"}', "unknown key 'mdoe'"),
    ('{"at": 1}', 'a request needs "expression"'),
    ('{"expression": 3, "at": 1}', '"expression" must be a string'),
    ('{"expression": "x", "at": 1, "order": true}', '"order" must be a whole number'),
    ('{"expression": "x", "at": {"x": [1]}}', "must be a number or a constant expression"),
    ('{"expression": "x", "at": {"x": "1,y=2"}}', "is not one variable and one value"),
    ('{"expression": "x", "at": 1, "wrt": 3}', '"wrt" must be a list'),
    ('{"expression": "x", "at": 1, "mode": "backwards"}', "unknown mode 'backwards'"),
])
def test_a_bad_request_is_a_usage_error_line(run, line, words):
    result, answers = batch(run, line, {"expression": "x**2", "at": 3})
    assert words in answers[0]["error"] and answers[0]["exit"] == 2
    assert answers[1]["gradient"] == {"x": 6.0}  # the run went on
    assert result.exit_code == 2


def test_a_request_never_runs_a_program(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.py").write_text("open('PWNED', 'w')\ndef f(x):\n    return x\n")
    result, answers = batch(run, {"program": "model.py:f", "at": 1, "id": 1},
                            {"expression": "model.py:f", "at": 1, "id": 2})
    assert [a["exit"] for a in answers] == [2, 2] and [a["id"] for a in answers] == [1, 2]
    assert '"program"' in answers[0]["error"] and "--program" in answers[1]["error"]
    assert not (tmp_path / "PWNED").exists()


def test_blank_lines_are_skipped(run):
    result = run("batch", input='\n{"expression": "x", "at": 1}\n   \n\n{"expression": "2*x", '
                                '"at": 1}\n')
    assert [json.loads(s)["gradient"] for s in result.stdout.splitlines()] == [
        {"x": 1.0}, {"x": 2.0}]


# -- exit codes and --strict ------------------------------------------------------------

GOOD, MATH, USAGE = ({"expression": "x", "at": 1}, {"expression": "sqrt(x)", "at": -1},
                     {"expression": "x +", "at": 1})


@pytest.mark.parametrize("requests, code", [
    ([GOOD, GOOD], 0), ([GOOD, MATH, GOOD], 1), ([USAGE, GOOD], 2), ([MATH, USAGE, MATH], 2),
    ([], 0),
])
def test_the_exit_code_is_the_largest_of_the_answers(run, requests, code):
    result, answers = batch(run, *requests)
    assert result.exit_code == code and len(answers) == len(requests)


def test_strict_stops_after_the_first_failure(run):
    result, answers = batch(run, GOOD, MATH, USAGE, GOOD, args=["--strict"])
    assert result.exit_code == 1
    assert [a.get("exit", 0) for a in answers] == [0, 1]


# -- input: a file, stdin, a coprocess -----------------------------------------------------

def test_file_and_stdin_give_the_same_answers(run, tmp_path):
    text = lines(GOOD, MATH, {"expression": "x*y", "at": {"x": 2, "y": 3}, "id": None})
    (tmp_path / "requests.jsonl").write_text(text)
    from_file = run("batch", str(tmp_path / "requests.jsonl"))
    assert from_file.stdout == run("batch", "-", input=text).stdout == run(
        "batch", input=text).stdout
    assert from_file.exit_code == 1 and json.loads(from_file.stdout.splitlines()[2])["id"] is None


def test_a_missing_file_is_a_usage_error(run, tmp_path):
    result = run("batch", str(tmp_path / "none.jsonl"))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("adcli: error: cannot read ")


def _adcli(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "adcli", *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)


def _answer(process) -> dict:
    ready, _, _ = select.select([process.stdout], [], [], 60)
    assert ready, "no answer before the next request: output not flushed per line"
    return json.loads(process.stdout.readline())


@pytest.mark.skipif(sys.platform == "win32", reason="select on pipes")
def test_a_coprocess_gets_each_answer_before_the_next_request():
    process = _adcli("batch")
    try:
        for x in (1.0, 2.0, 3.0):
            process.stdin.write(lines({"expression": "x**3", "at": x}).encode())
            process.stdin.flush()
            assert _answer(process)["gradient"] == {"x": 3 * x * x}
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130 and err == b"adcli: aborted\n"


def test_a_precision_request_leaves_the_next_in_float64(run):
    """Each answer equals its own diff run, whatever the request before it asked."""
    requests = [({"expression": "exp(x)*y", "at": {"x": "1/3", "y": 2}, "precision": 50},
                 ["exp(x)*y", "--at", "x=1/3,y=2", "--precision", "50"]),
                ({"expression": "exp(x)", "at": "1/3", "mode": "numerical"},
                 ["exp(x)", "--at", "1/3", "--mode", "numerical"]),
                ({"expression": "exp(x)", "at": "1/3"}, ["exp(x)", "--at", "1/3"])]
    _, answers = batch(run, *[r for r, _ in requests])
    assert answers == [json.loads(run("diff", *argv, "-f", "json").stdout)
                       for _, argv in requests]
    assert answers[2]["gradient"]["x"] == math.exp(1 / 3)
