"""Checkpointed reverse mode through ``adcli.functions.steps``.

References are independent of the code under test: the chain's derivative by
its hand recurrence in plain floats, Griewank's minimum by a brute-force
minimisation over every split, the periodic count by walking the segments,
and the unrolled program differentiated by ``adcli diff --program``.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import math
import textwrap

import pytest

from tests.support import griewank_minimum, periodic_steps

from adcli.studies.checkpoint import checkpoint_trade
from adcli.tape.checkpoint import reverse, revolve_minimum

CHAIN = textwrap.dedent('''\
    from adcli.functions import sin, steps


    def step(v, x):
        return sin(v) * 1.0001 + 0.5 * x


    def f(x):
        return steps(step, 0.3, N, x)


    def kinked(v, x):
        if v > 0.9:
            return v * 0.5 + x
        return sin(v) * 1.0001 + 0.5 * x


    def g(x):
        return steps(kinked, 0.3, N, x)


    def two(v, a, b):
        return v * a + sin(b * v)


    def h(x):
        return steps(two, x, N, 0.9, x)
''')


def _module(tmp_path, n: int):
    path = tmp_path / "chain.py"
    path.write_text(CHAIN.replace("N", str(n)))
    spec = importlib.util.spec_from_file_location(f"chain_{n}_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return path, vars(module)


def _chain_reference(n: int, x: float, v: float = 0.3) -> tuple:
    """d v_n / d v_0 and d v_n / d x by the forward recurrence, in plain floats."""
    dv0, dx = 1.0, 0.0
    for _ in range(n):
        c = math.cos(v) * 1.0001
        dv0, dx = c * dv0, c * dx + 0.5
        v = math.sin(v) * 1.0001 + 0.5 * x
    return dv0, dx, v


SCHEDULES = ["every:1", "every:2", "every:3", "every:7", "every:sqrt",
             "revolve:1", "revolve:2", "revolve:3", "revolve:5", "revolve:10"]


@pytest.mark.parametrize("name", ["step", "kinked", "two"])
def test_every_schedule_is_store_all_bit_for_bit(tmp_path, name):
    _path, namespace = _module(tmp_path, 1)
    step = namespace[name]
    params = (0.7,) if name != "two" else (0.9, 0.4)
    for n in range(1, 51):
        want = reverse(step, 0.3, params, n, "all")
        for schedule in SCHEDULES:
            got = reverse(step, 0.3, params, n, schedule)
            assert got.gradient == want.gradient and got.value == want.value, (n, schedule)
            assert [math.copysign(1, g) for g in got.gradient] == \
                [math.copysign(1, g) for g in want.gradient]


@pytest.mark.parametrize("n", [1, 2, 17, 50, 300])
def test_gradient_is_the_hand_recurrence(tmp_path, n):
    _path, namespace = _module(tmp_path, 1)
    dv0, dx, v = _chain_reference(n, 0.7)
    for schedule in ["all", "every:sqrt", "revolve:3"]:
        got = reverse(namespace["step"], 0.3, (0.7,), n, schedule)
        assert math.isclose(got.value, v, rel_tol=1e-13)
        assert math.isclose(got.gradient[1], dx, rel_tol=1e-12)
        assert math.isclose(got.gradient[0], dv0, rel_tol=1e-12, abs_tol=1e-300)


def test_trade_agrees_with_the_unrolled_program(tmp_path, run):
    path, _namespace = _module(tmp_path, 60)
    result = run("diff", "--program", f"{path}:f", "--at", "x=0.7", "--format", "json")
    unrolled = json.loads(result.output)["gradient"]["x"]
    trade = checkpoint_trade(f"{path}:f", {"x": 0.7}, ["every:sqrt", "revolve:4"],
                             measure_bytes=False)
    assert [row.schedule.split()[0] for row in trade.rows] == ["all", "every:sqrt", "revolve:4"]
    assert all(row.identical for row in trade.rows)
    for row in trade.rows:
        assert math.isclose(row.gradient[1], unrolled, rel_tol=1e-12)
        assert math.isclose(row.gradient[1], _chain_reference(60, 0.7)[1], rel_tol=1e-12)
    assert trade.rows[2].forward_steps == trade.rows[2].minimum


def test_a_step_that_branches_on_the_state_is_traced_at_every_step(tmp_path):
    path, _namespace = _module(tmp_path, 40)
    trade = checkpoint_trade(f"{path}:g", {"x": 0.7}, ["revolve:3"], measure_bytes=False)
    assert trade.notes and "every step" in trade.notes[0]
    v, dx = 0.3, 0.0  # the hand recurrence, taking the branch each state takes
    for _ in range(40):
        if v > 0.9:
            v, dx = v * 0.5 + 0.7, 0.5 * dx + 1.0
        else:
            v, dx = math.sin(v) * 1.0001 + 0.5 * 0.7, math.cos(v) * 1.0001 * dx + 0.5
    assert all(row.identical for row in trade.rows)
    assert math.isclose(trade.value, v, rel_tol=1e-13)
    assert math.isclose(trade.rows[1].gradient[1], dx, rel_tol=1e-12)


def test_a_program_without_steps_is_refused(tmp_path):
    path = tmp_path / "plain.py"
    path.write_text("def f(x):\n    return x * x\n")
    from adcli.errors import UsageError

    with pytest.raises(UsageError, match="steps"):
        checkpoint_trade(f"{path}:f", {"x": 1.0}, ["all"])


@functools.lru_cache(maxsize=None)
def _fewest(n: int, s: int) -> int:
    """The fewest forward steps reversing n steps with s snapshots: every first
    split tried (s = 1: recompute each state from the start)."""
    if n == 1:
        return 0
    if s == 1:
        return n * (n - 1) // 2
    return min(m + _fewest(n - m, s - 1) + _fewest(m, s) for m in range(1, n))


def test_griewank_formula_is_the_brute_force_minimum():
    for s in range(1, 7):
        for n in range(1, 70):
            assert revolve_minimum(n, s) == _fewest(n, s), (n, s)


def test_counts_equal_the_formulas_over_a_grid(tmp_path):
    _path, namespace = _module(tmp_path, 1)
    step = namespace["step"]
    for n in range(1, 201):
        for s in range(1, 11):
            got = reverse(step, 0.3, (0.7,), n, f"revolve:{s}").counts
            assert got.forward_steps == griewank_minimum(n, s), (n, s)
            assert got.taped_steps == n and got.peak_snapshots <= s
        for k in (1, 2, 5, math.isqrt(n - 1) + 1 if n > 1 else 1, 13):
            got = reverse(step, 0.3, (0.7,), n, f"every:{k}").counts
            assert got.forward_steps == periodic_steps(n, k), (n, k)


def test_memory_rises_with_snapshots_and_recomputation_falls(tmp_path):
    _path, namespace = _module(tmp_path, 1)
    step = namespace["step"]
    n = 200
    runs = [reverse(step, 0.3, (0.7,), n, f"revolve:{s}").counts for s in range(1, 11)]
    stored = [c.peak_stored for c in runs]
    steps = [c.forward_steps for c in runs]
    assert stored == sorted(stored) and len(set(stored)) == len(stored)
    assert steps == sorted(steps, reverse=True)
    everything = reverse(step, 0.3, (0.7,), n, "all").counts
    assert everything.peak_stored == n * (stored[0] - 1)  # n step tapes against one
    assert stored[-1] < everything.peak_stored / 100
