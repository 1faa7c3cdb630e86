"""Checkpointed reverse mode through ``adcli.functions.steps`` with NumPy states and params.

References are independent of the code under test: a hand-written NumPy
backward pass of the recurrent step (states kept, transposes applied by hand),
the unrolled program differentiated by ``adcli diff --program`` (one ordinary
tape, no snapshots), Griewank's minimum and the periodic count by their
formulas.  Every schedule must equal ``all`` bit for bit.
"""

from __future__ import annotations

import importlib.util
import json
import math
import textwrap

import numpy as np
import pytest

from tests.support import griewank_minimum, periodic_steps

from adcli.studies.checkpoint import checkpoint_trade
from adcli.tape.checkpoint import reverse

PROGRAM = textwrap.dedent('''\
    import numpy as np
    from adcli.functions import steps


    def rnn(v, W, b):
        return np.tanh(W @ v + b)


    def f(x0, W, b):
        return np.sum(steps(rnn, x0, N, W, b))


    def leak(s, x):
        return s * 0.99 + 0.01 * np.sin(x)


    def g(s0, x):
        return np.sum(steps(leak, s0, N, x))


    def mix(v, W):
        return np.sum(np.tanh(W * v)) * 0.3 + 0.1


    def h(v0, W):
        return steps(mix, v0, N, W)
''')

RNG = np.random.default_rng(7)
X0 = RNG.uniform(-0.5, 0.5, 4)
W = RNG.uniform(-0.6, 0.6, (4, 4))
B = RNG.uniform(-0.2, 0.2, 4)
S0 = np.array([1.0, -2.0, 0.5])
XS = np.array([0.3, -0.7, 1.1])
WM = RNG.uniform(-1.0, 1.0, (2, 3))

CASES = {"rnn": (X0, (W, B)), "leak": (S0, (XS,)), "mix": (0.4, (WM,))}

SCHEDULES = ["every:1", "every:2", "every:3", "every:sqrt",
             "revolve:1", "revolve:2", "revolve:3", "revolve:4"]


def _module(tmp_path, n: int):
    path = tmp_path / f"arrays_{n}.py"
    path.write_text(PROGRAM.replace("N", str(n)))
    spec = importlib.util.spec_from_file_location(f"arrays_{n}_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return path, vars(module)


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b) and \
        np.array_equal(np.signbit(a), np.signbit(b))


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("n", [1, 2, 5, 9, 16])
def test_every_schedule_is_store_all_bit_for_bit(tmp_path, name, n):
    _path, namespace = _module(tmp_path, 1)
    state, params = CASES[name]
    want = reverse(namespace[name], state, params, n, "all")
    assert np.shape(want.value) == np.shape(state)
    for k, x in enumerate((state, *params)):
        assert np.shape(want.gradient[k]) == np.shape(x)
        assert np.asarray(want.gradient[k]).dtype == np.float64
    for schedule in SCHEDULES:
        got = reverse(namespace[name], state, params, n, schedule)
        assert _same(got.value, want.value), (n, schedule)
        assert len(got.gradient) == len(want.gradient)
        for a, b in zip(got.gradient, want.gradient):
            assert _same(a, b), (n, schedule)


def _rnn_reference(n: int):
    """The final state and d sum(final) / d (x0, W, b) by hand: states kept,
    tanh' = 1 - tanh^2, the matrix product's transposes written out."""
    states = [X0]
    for _ in range(n):
        states.append(np.tanh(W @ states[-1] + B))
    bar, gw, gb = np.ones(4), np.zeros((4, 4)), np.zeros(4)
    for t in range(n, 0, -1):
        pre = bar * (1.0 - states[t] ** 2)
        gw += np.outer(pre, states[t - 1])
        gb += pre
        bar = W.T @ pre
    return states[-1], (bar, gw, gb)


@pytest.mark.parametrize("n", [1, 3, 12, 40])
def test_gradient_is_the_hand_backward_pass(tmp_path, n):
    _path, namespace = _module(tmp_path, 1)
    value, gradient = _rnn_reference(n)
    for schedule in ["all", "every:sqrt", "revolve:3"]:
        got = reverse(namespace["rnn"], X0, (W, B), n, schedule)
        np.testing.assert_allclose(got.value, value, rtol=1e-13, atol=1e-15)
        for a, b in zip(got.gradient, gradient):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def _at(name: str, x) -> str:
    return f"{name}={json.dumps(np.asarray(x).tolist())}" if np.ndim(x) else f"{name}={x!r}"


@pytest.mark.parametrize("function, names, values", [
    ("f", ("x0", "W", "b"), (X0, W, B)),
    ("g", ("s0", "x"), (S0, XS)),
    ("h", ("v0", "W"), (0.4, WM)),
])
@pytest.mark.parametrize("n", [1, 4, 11])
def test_trade_agrees_with_the_unrolled_program(tmp_path, run, function, names, values, n):
    path, _namespace = _module(tmp_path, n)
    ats = [arg for name, x in zip(names, values) for arg in ("--at", _at(name, x))]
    result = run("diff", "--program", f"{path}:{function}", *ats, "--mode", "reverse",
                 "--format", "json")
    assert result.exit_code == 0, result.stderr
    unrolled = json.loads(result.output)["gradient"]
    trade = checkpoint_trade(f"{path}:{function}", dict(zip(names, values)),
                             ["every:2", "every:sqrt", "revolve:1", "revolve:3"],
                             measure_bytes=False)
    assert all(row.identical for row in trade.rows)
    for row in trade.rows:
        for name, g in zip(names, row.gradient):
            np.testing.assert_allclose(g, unrolled[name], rtol=1e-12, atol=1e-14)


def test_counts_are_the_scalar_formulas_and_values_are_elements(tmp_path):
    _path, namespace = _module(tmp_path, 1)
    for n in range(1, 30):
        everything = reverse(namespace["rnn"], X0, (W, B), n, "all").counts
        per_step = everything.peak_stored // n
        assert everything.peak_stored == n * per_step
        # one tape holds at least its four arrays: x0, W (16 elements), b and the state
        assert per_step >= 4 + 16 + 4 + 4
        for s in range(1, 5):
            got = reverse(namespace["rnn"], X0, (W, B), n, f"revolve:{s}").counts
            assert got.forward_steps == griewank_minimum(n, s), (n, s)
            assert got.taped_steps == n and got.peak_snapshots <= s
        one = reverse(namespace["rnn"], X0, (W, B), n, "revolve:1").counts
        assert one.peak_stored == per_step + 4  # one tape and one snapshot of 4 elements
        for k in (1, 2, 3, math.isqrt(n - 1) + 1 if n > 1 else 1):
            got = reverse(namespace["rnn"], X0, (W, B), n, f"every:{k}").counts
            assert got.forward_steps == periodic_steps(n, k), (n, k)


def test_the_trade_table_through_the_command_line(tmp_path, run):
    path, _namespace = _module(tmp_path, 20)
    result = run("memory", "--program", f"{path}:f", "--at", _at("x0", X0),
                 "--at", _at("W", W), "--at", _at("b", B),
                 "--checkpoint", "all,revolve:3", "-f", "json")
    assert result.exit_code == 0, result.stderr
    trade = json.loads(result.output)
    assert [row["schedule"] for row in trade["rows"]] == ["all", "revolve:3"]
    assert all(row["identical"] for row in trade["rows"])
    assert trade["rows"][1]["forward_steps"] == trade["rows"][1]["minimum"] == griewank_minimum(20, 3)
    assert trade["rows"][1]["peak_stored"] < trade["rows"][0]["peak_stored"]
    assert any("elements" in note for note in trade["notes"])
    value, gradient = _rnn_reference(20)
    np.testing.assert_allclose(trade["value"], value, rtol=1e-13)
    for got, want in zip(trade["rows"][1]["gradient"], gradient):
        np.testing.assert_allclose(np.array(got), want, rtol=1e-12, atol=1e-14)


def test_a_step_that_changes_the_state_shape_is_refused(tmp_path):
    from adcli.errors import UsageError

    _path, namespace = _module(tmp_path, 1)
    with pytest.raises(UsageError, match="keeps its shape"):  # a number becomes a vector
        reverse(namespace["leak"], 0.5, (XS,), 3, "all")
