"""``adcli memory``: the course's network figures, a traced network against the model,
the tape's stored values against counts made by hand, and what is measured."""

from __future__ import annotations

import json
import sys

import pytest

from adcli.api import problem
from adcli.studies.memory import measured_network, memory_report, network_memory


# -- the course's model: its two cases, exactly ----------------------------------------

@pytest.mark.parametrize("L, h, B, dtype, values, nbytes, shown", [
    (100, 1024, 32, "float32", 3_276_800, 13_107_200, "13.1 MB"),
    (100, 1024, 32, "float64", 3_276_800, 26_214_400, "26.2 MB"),
    (100, 4096, 512, "float32", 209_715_200, 838_860_800, "839 MB"),
])
def test_the_course_figures(run_json, L, h, B, dtype, values, nbytes, shown):
    model = network_memory(L, h, B, dtype)
    assert model.activations == values and model.activations * model.itemsize == nbytes
    assert model.weights == L * h * h and model.biases == L * h
    assert f"{values:,} values" in model.lines[0]
    assert f"{nbytes:,} bytes = {shown}" in model.lines[1]
    out = run_json("memory", "--network", f"layers={L},width={h},batch={B}", "--dtype", dtype)
    assert out["activations"] == values and out["activations"] * out["itemsize"] == nbytes


def test_the_first_case_says_which_dtype_gives_26_mb():
    """The course's "≈ 26 MB at float32" is the float64 figure: the line shows both."""
    line = network_memory(100, 1024, 32, "float32").lines[1]
    assert "13,107,200 bytes = 13.1 MB" in line and "float64: 26,214,400 bytes = 26.2 MB" in line


@pytest.mark.parametrize("L, K, snapshots", [(100, 10, 10), (100, 7, 15), (8, 3, 3), (5, 5, 1)])
def test_checkpointing_every_k_keeps_snapshots_and_one_segment(L, K, snapshots):
    model = network_memory(L, 64, 16, "float32", every=K, measure=False)
    assert model.checkpointed == (snapshots + K) * 16 * 64


def test_the_default_interval_is_the_ceiling_of_the_root():
    assert network_memory(100, 8, 2, measure=False).every == 10
    assert network_memory(101, 8, 2, measure=False).every == 11


# -- the model against a traced network ------------------------------------------------

def test_a_traced_network_keeps_what_the_model_says():
    """L = 8, h = 64, B = 16, tanh layers, float32 arrays.  Measured: the bytes of
    the tape's tanh entries (the activations) -- within 10 % of L·B·h·4.  The
    whole tape is counted by hand too: the inputs X, W1..W8, b1..b8 and per layer
    X·W, X·W + b and tanh (B·h each), and the final sum."""
    L, h, B = 8, 64, 16
    check = measured_network(L, h, B, "float32")
    model = L * B * h * 4
    assert check["activation_entries"] == L and check["activation_dtypes"] == ["float32"]
    assert abs(check["activation_bytes"] - model) <= 0.10 * model
    assert check["tape_bytes"] == 4 * (B * h + L * h * h + L * h + 3 * L * B * h + 1)
    assert network_memory(L, h, B).measured == check


# -- a scalar tape: counts by hand -----------------------------------------------------

def _nested_sin(n: int) -> str:
    return "sin(" * n + "x" + ")" * n


def _terms(n: int) -> str:
    return " + ".join(f"sin(x*{k + 2})" for k in range(n))


@pytest.mark.parametrize("text, entries, edges", [
    (_nested_sin(50), 51, 50),              # the input, then 50 sin
    (_terms(20), 1 + 20 * 2 + 19, 20 * 2 + 19 * 2),  # per term mul and sin; 19 adds
    ("x*y + x", 4, 4),
])
def test_stored_values_are_the_tape_entries(text, entries, edges):
    at = ["x=0.3", "y=2"] if "y" in text else ["x=0.3"]
    report = memory_report(problem(text, at))
    assert report.tape_entries == entries and report.edges == edges
    assert report.stored_values == entries and report.stored_bytes == 8 * entries
    assert [(g.dtype, g.shape, g.count) for g in report.groups] == [("float64", (), entries)]
    # typed storage: 8 bytes a value and a partial, 4 an entry number
    assert report.tape_analytic == 8 * entries + 8 * edges + 4 * entries + 8 * edges
    # a float as Python keeps it: its object and a list slot, at least
    assert report.bytes_per_entry >= sys.getsizeof(0.5) + 8
    assert report.reverse_measured >= report.stored_bytes


def _per_entry(n: int) -> float:
    return memory_report(problem(_terms(n), ["x=0.3"])).bytes_per_entry


def test_bytes_per_entry_are_reported():
    per = _per_entry(20_000)
    assert 32 <= per < 1000


def test_bytes_per_entry_meet_the_target():
    assert _per_entry(20_000) <= 100


def test_the_forward_sweep_keeps_one_tangent_per_entry_less_than_the_tape():
    small = memory_report(problem(_terms(2_000), ["x=0.3"]))
    large = memory_report(problem(_terms(4_000), ["x=0.3"]))
    assert large.tape_entries == 2 * small.tape_entries  # 3n: n mul, n sin, n-1 add, x
    added = large.tape_entries - small.tape_entries
    tape_growth = large.tape_measured - small.tape_measured
    forward_growth = large.forward_measured - small.forward_measured
    # a list slot and, where the tangent is not zero, a float object (24 bytes)
    assert 8 * added <= forward_growth <= (8 + sys.getsizeof(0.5)) * added + 4096
    assert forward_growth < tape_growth
    # what forward mode needs alive is far less: x, the running sum and one term
    assert large.live_values == small.live_values <= 5


# -- arrays ----------------------------------------------------------------------------

def test_array_values_by_dtype_and_shape(run_json):
    out = run_json("memory", "sum(tanh(A@x))", "--at", "A=[[1,2],[3,4]]", "--at", "x=[1,2]")
    # A (2×2); x, A@x, tanh (2 each); the sum (a number)
    groups = {(g["dtype"], tuple(g["shape"])): g["count"] for g in out["groups"]}
    assert groups == {("float64", (2, 2)): 4, ("float64", (2,)): 6, ("float64", ()): 1}
    assert out["stored_values"] == 11 and out["stored_bytes"] == 88 and out["shaped"]


# -- the CLI: fields and formats -------------------------------------------------------

def test_json_fields(run_json):
    out = run_json("memory", "x*y + x", "--at", "x=0.3,y=2")
    assert out["tape_entries"] == 4 and out["edges"] == 4
    assert out["stored_values"] == 4 and out["stored_bytes"] == 32
    # every partial is a stored float, the sum's constant 1 too: 4 edges
    assert out["tape_analytic"] == 32 + 8 * 4 + 4 * 4 + 8 * 4
    assert out["reverse_analytic"] == 2 * 32 + 8 * 4
    assert out["live_values"] == 3 and out["forward_analytic"] == 24  # x, y, x*y
    for key in ("tape_measured", "reverse_measured", "forward_measured", "bytes_per_entry"):
        assert out[key] > 0
    assert out["bytes_per_entry"] == pytest.approx(out["tape_measured"] / 4)


@pytest.mark.parametrize("fmt", ["table", "plain", "csv", "markdown", "latex"])
def test_every_format(run, fmt):
    for args in (("x*sin(y)", "--at", "x=1,y=2"), ("--network", "layers=8,width=64,batch=16")):
        result = run("memory", *args, "--format", fmt)
        assert result.exit_code == 0 and result.stdout, result.stderr


def test_quiet_is_one_line_of_the_main_numbers(run):
    lines = run("memory", "x*y + x", "--at", "x=0.3,y=2", "-q").stdout.splitlines()
    assert len(lines) == 1 and lines[0].split()[:3] == ["4", "4", "32"]
    lines = run("memory", "--network", "layers=100,width=1024,batch=32", "-q").stdout.splitlines()
    assert lines == ["3276800 13107200 104857600 655360"]


@pytest.mark.parametrize("args", [
    ("--network", "layers=2,width=3"), ("--network", "layers=0,width=3,batch=1"),
    ("x", "--network", "layers=2,width=3,batch=1"), ("x", "--at", "1", "--every", "2"),
    ("--network", "layers=4,width=3,batch=1", "--every", "5"),
])
def test_usage_errors(run, args):
    result = run("memory", *args)
    assert result.exit_code == 2 and result.stderr.startswith("adcli: error: ")


# -- diff and tape --summary report the stored bytes -----------------------------------

@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_diff_json_has_stored_bytes(run_json, mode):
    out = run_json("diff", _nested_sin(5), "--at", "0.3", "--mode", mode)
    assert out["cost"]["stored_bytes"] == 8 * 6 and out["cost"]["tape_entries"] == 6
    out = run_json("diff", "sum(A@x)", "--at", "A=[[1,2],[3,4]]", "--at", "x=[1,2]",
                   "--mode", mode)
    assert out["cost"]["stored_bytes"] == 8 * (4 + 2 + 2 + 1)


def test_tape_summary_has_a_line_on_stored_values(run):
    result = run("tape", _nested_sin(3), "--at", "0.3", "--summary", "-f", "json")
    notes = json.loads(result.stdout)["notes"]
    assert "stored values: 4 numbers (float64), 32 bytes, over 4 tape entries and 3 edges" \
        in notes[-1]
    assert "stored values: 4 numbers" in run("tape", _nested_sin(3), "--at", "0.3",
                                             "--summary").stdout


# -- memory --checkpoint: the trade table's command line -------------------------------

STEP_PROGRAM = """\
from adcli.functions import sin, steps


def step(v, x):
    return sin(v) * 1.0001 + 0.5 * x


def f(x):
    return steps(step, 0.3, 1000, x)
"""


def _revolve_minimum(n: int, s: int) -> int:
    """Griewank & Walther: r the least with n <= C(s + r, s); r·n - C(s + r, s + 1)."""
    from math import comb

    r = 0
    while comb(s + r, s) < n:
        r += 1
    return r * n - comb(s + r, s + 1)


def test_checkpoint_schedules_from_the_command_line(run, run_json, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "chain.py").write_text(STEP_PROGRAM)
    args = ("memory", "--program", "chain.py:f", "--at", "x=0.7", "--checkpoint",
            "all,every:32,revolve:5")
    lines = [line.split() for line in run(*args, "-q").stdout.splitlines()]
    assert len(lines) == 3 and all(fields[-1] == "1" for fields in lines)
    assert int(lines[2][2]) == _revolve_minimum(1000, 5)
    out = run_json(*args)
    assert [row["schedule"] for row in out["rows"]] == ["all", "every:32", "revolve:5"]
    assert run("memory", "x", "--at", "1", "--checkpoint", "all").exit_code == 2


@pytest.mark.parametrize("text", [_nested_sin(40), _terms(30), "x*y + x", "sin(x)*cos(x) + x**2"])
def test_live_values_by_brute_force(text):
    # entry e is alive at step t if it was evaluated by then and something at or
    # after t still reads it (an output is read at the end)
    from adcli.studies.memory import live_peak
    from adcli.tape.record import record

    p = problem(text, ["x=0.3", "y=2"] if "y" in text else ["x=0.3"])
    tape = record(p.graph, p.point)
    readers = {e: [out for out, arg, _ in tape.edge_triples() if arg == e]
               for e in range(len(tape))}
    n = len(tape)
    alive = [sum(1 for e in range(t + 1)
                 if e == t or e == tape.output or any(r >= t for r in readers[e]))
             for t in range(n)]
    assert live_peak(tape) == (max(alive), 8 * max(alive))
    if text.startswith("sin(sin("):
        assert max(alive) == 2  # a chain: the value and the one computed from it
