"""``adcli diff --program F --checkpoint SCHEDULE``: the program's gradient, its
``steps`` loops reversed from snapshots.

References are independent of the code under test: mpmath's derivative of the
program run in 40-digit arithmetic, a hand-written NumPy backward pass, and
Griewank's minimum by its formula.  Schedules must agree with ``all`` bit for
bit; the unrolled tape (plain ``diff --program``) adds the same terms in
another order, so it agrees to rounding.
"""

from __future__ import annotations

import json
import math
import textwrap

import mpmath
import numpy as np
import pytest

from tests.support import assert_one_error_line, griewank_minimum

from adcli.api import differentiate as _differentiate
from adcli.programs import ProgramFile


def differentiate(spec, at, wrt=(), checkpoint=None):
    """The library call ``adcli diff --program SPEC`` makes."""
    return _differentiate(ProgramFile(spec), at, wrt, checkpoint=checkpoint)


PROGRAM = textwrap.dedent('''\
    import numpy as np
    from adcli.functions import steps, sin, exp, log, relu


    def step(v, x):
        return sin(v) * 1.0001 + 0.5 * x


    def chain(x):
        return steps(step, x, N, x)


    def around(x, y):
        a = exp(x) * y
        v = steps(step, a, N, y)
        w = steps(step, v * x, 7, x + y)
        return w * w + a


    def constant_loop(x):
        return steps(step, 0.5, 4, 0.25) * x


    def no_loop(x):
        return x * x


    def cancels(v, x):
        return (v - v) ** 0.5 + x


    def cancelling(x):
        return steps(cancels, x, 3, x)


    def cancelled_after(x):
        v = steps(step, x, 3, x)
        return (v - v) ** 0.5 + x


    def same(s, a):
        return s * 1.0 + 0.0 * a


    def across(x):
        u = steps(same, x, 3, x)
        return (u - x) ** 0.5  # 0 for every x: an infinite partial the loop cancels


    def root_step(s, a):
        return (s * a) ** 0.5


    def across_steps(x):
        return steps(root_step, x * 0.0, 3, x)  # 0 at every step


    def blows_up(v, x):
        return (v - 0.3) ** 0.5 + x


    def infinite(x):
        return steps(blows_up, x, 2, x)


    def closes_over(x):
        return steps(lambda v: sin(v) * x, x, 3)


    def before(x):
        return steps(step, (x - x) ** 0.5 + x, 3, x)


    def inner(v, x):
        return steps(step, v, 3, x)


    def nested(x):
        return steps(inner, x, 4, x)


    def listed(v, pair):
        return sin(v) * pair[0] + pair[1]


    def list_param(x):
        return steps(listed, x, 3, [x, 0.5])


    def logs(v, x):
        return log(v - x)


    def undefined(x):
        return steps(logs, x + 1.0, 3, x)  # log(1), then log(0 - x)


    def grows(v, a):
        return v * a


    def overflows(x):
        return steps(grows, x, 2000, x)


    def relu_rnn(v, W, b):
        return relu(W @ v + b)


    def array_kink(x0, W, b):
        return np.sum(steps(relu_rnn, x0 * 0.0, 2, W * 0.0, b * 0.0)) + np.sum(x0)


    def branchy(s, a):
        return np.where(s > 0.5, s * a, s + a)


    def masked(x, a):
        return np.sum(steps(branchy, x, 4, a))


    def counted(x):
        t = [0.0]

        def step(s, a):
            t[0] += 0.1
            return s + 0.1 * sin(t[0]) * a * s
        return steps(step, x, 5, x)


    def decides(s, a):
        if s > 0.5:
            return s - 0.1
        return s + 0.1


    def tied(x):
        return steps(decides, x, 4, x)


    def returns_none(x):
        return steps(lambda s, a: [].clear(), x, 3, x)  # returns nothing


    def unneeded(x):
        steps(step, x, 7, x)
        return x * x


    def many(x):
        s = x
        for _ in range(300):
            s = steps(step, s, 2, x)
        return s


    def kinked(v, x):
        return relu(v) + x


    def kinks(x):
        return steps(kinked, x, 3, x)


    def rnn(v, W, b):
        return np.tanh(W @ v + b)


    def loss(x0, W, b):
        h = steps(rnn, x0 * 2.0, N, W, b)
        return np.sum(h * h) + np.sum(W)
''')

SCHEDULES = ["all", "every:1", "every:3", "every:sqrt", "revolve:1", "revolve:2",
             "revolve:5"]


@pytest.fixture
def program(tmp_path):
    def write(n: int) -> str:
        path = tmp_path / f"loops_{n}.py"
        path.write_text(PROGRAM.replace("N", str(n)))
        return str(path)
    return write


def _mp_step(v, x):
    return mpmath.sin(v) * mpmath.mpf("1.0001") + mpmath.mpf("0.5") * x


def _mp_around(x, y, n):
    a = mpmath.exp(x) * y
    v = a
    for _ in range(n):
        v = _mp_step(v, y)
    w = v * x
    for _ in range(7):
        w = _mp_step(w, x + y)
    return w * w + a


def _mp_chain(x, n):
    v = x
    for _ in range(n):
        v = _mp_step(v, x)
    return v


@pytest.mark.parametrize("n", [1, 2, 10, 60])
def test_chain_gradient_against_mpmath(program, n):
    path = program(n)
    with mpmath.workdps(40):
        want = float(mpmath.diff(lambda x: _mp_chain(x, n), mpmath.mpf("0.7")))
    grads = {}
    for schedule in SCHEDULES:
        result = differentiate(f"{path}:chain", ["x=0.7"], checkpoint=schedule)
        grads[schedule] = result.gradient["x"]
        assert math.isclose(result.gradient["x"], want, rel_tol=1e-12), schedule
    # every schedule sweeps the same step tapes in the same order: the same bits
    assert len({float.hex(g) for g in grads.values()}) == 1
    unrolled = differentiate(f"{path}:chain", ["x=0.7"]).gradient["x"]
    assert math.isclose(unrolled, grads["all"], rel_tol=1e-13)


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_code_around_two_loops_against_mpmath(program, schedule):
    path = program(12)
    result = differentiate(f"{path}:around", ["x=0.7", "y=0.2"], checkpoint=schedule)
    with mpmath.workdps(40):
        x, y = mpmath.mpf("0.7"), mpmath.mpf("0.2")
        value = _mp_around(x, y, 12)
        dx = mpmath.diff(lambda t: _mp_around(t, y, 12), x)
        dy = mpmath.diff(lambda t: _mp_around(x, t, 12), y)
    assert math.isclose(result.value, float(value), rel_tol=1e-14)
    assert math.isclose(result.gradient["x"], float(dx), rel_tol=1e-12)
    assert math.isclose(result.gradient["y"], float(dy), rel_tol=1e-12)
    cost = result.cost["checkpoint"]
    assert cost["loops"] == 2 and cost["steps"] == 12 + 7
    if schedule.startswith("revolve:"):  # each loop's reversal at Revolve's minimum
        s = int(schedule.split(":")[1])
        assert cost["forward_steps"] == griewank_minimum(12, s) + griewank_minimum(7, s)
        # the first loop holds its snapshots while the second is reversed
        assert cost["snapshots"] <= 2 * s


@pytest.mark.parametrize("n, snapshots", [(10, 2), (60, 3), (100, 5)])
def test_revolve_counts_in_the_cost(program, n, snapshots):
    cost = differentiate(f"{program(n)}:chain", ["x=0.7"],
                         checkpoint=f"revolve:{snapshots}").cost["checkpoint"]
    # the loop's first pass is Revolve's own, which also runs the program on:
    # the forward steps are Revolve's minimum, no more
    assert cost["forward_steps"] == griewank_minimum(n, snapshots)
    assert cost["snapshots"] <= snapshots and cost["taped_steps"] == n
    store_all = differentiate(f"{program(n)}:chain", ["x=0.7"],
                              checkpoint="all").cost["checkpoint"]
    assert store_all["peak_stored"] == 11 * n  # 11 values and partials a step
    assert cost["peak_stored"] < store_all["peak_stored"]


def _numpy_loss_gradient(x0, W, b, n):
    """Hand-written backward pass of loss = sum(h_n²) + sum(W), h_0 = 2·x0,
    h_{k+1} = tanh(W h_k + b)."""
    hs = [2.0 * x0]
    for _ in range(n):
        hs.append(np.tanh(W @ hs[-1] + b))
    bar_h = 2.0 * hs[-1]
    bar_W, bar_b = np.ones_like(W), np.zeros_like(b)
    for k in range(n, 0, -1):
        bar_z = bar_h * (1.0 - hs[k] ** 2)
        bar_W += np.outer(bar_z, hs[k - 1])
        bar_b += bar_z
        bar_h = W.T @ bar_z
    return float(np.sum(hs[-1] ** 2) + np.sum(W)), 2.0 * bar_h, bar_W, bar_b


def test_array_loop_against_a_hand_written_backward_pass(program, tmp_path):
    rng = np.random.default_rng(3)
    x0, W, b = rng.uniform(-1, 1, 3), rng.uniform(-0.8, 0.8, (3, 3)), rng.uniform(-0.3, 0.3, 3)
    for name, value in (("x0", x0), ("W", W), ("b", b)):
        np.save(tmp_path / f"{name}.npy", value)
    at = [f"{name}=@{tmp_path / name}.npy" for name in ("x0", "W", "b")]
    value, *want = _numpy_loss_gradient(x0, W, b, 9)
    path = program(9)
    grads = {}
    for schedule in ("all", "every:3", "revolve:2"):
        result = differentiate(f"{path}:loss", at, checkpoint=schedule)
        assert math.isclose(result.value, value, rel_tol=1e-13)
        for name, w in zip(("x0", "W", "b"), want):
            np.testing.assert_allclose(result.gradient[name], w, rtol=1e-12, atol=1e-14)
        grads[schedule] = [result.gradient[k].tobytes() for k in ("x0", "W", "b")]
    assert grads["every:3"] == grads["all"] == grads["revolve:2"]


def test_the_command_line(run, program):
    path = program(50)
    result = run("diff", "--program", f"{path}:chain", "--at", "x=0.7",
                 "--checkpoint", "revolve:4", "-f", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    cost = out["cost"]["checkpoint"]
    assert cost["schedule"] == "revolve:4" and cost["steps"] == 50
    assert cost["forward_steps"] == griewank_minimum(50, 4)
    table = run("diff", "--program", f"{path}:chain", "--at", "x=0.7",
                "--checkpoint", "revolve:4")
    assert "1 steps loop of 50 steps reversed by revolve:4" in table.stdout


@pytest.mark.parametrize("args, fragment", [
    (["--mode", "forward"], "--checkpoint is a schedule of reverse mode"),
    (["--precision", "30"], "leave out --precision"),
    (["--checkpoint", "revolve:0"], "give all, every:K"),
])
def test_refusals(run, program, args, fragment):
    args = (["--checkpoint", "all"] if "--checkpoint" not in args else []) + args
    result = run("diff", "--program", f"{program(5)}:chain", "--at", "x=0.7", *args)
    assert_one_error_line(result, 2, fragment)


@pytest.mark.parametrize("function", ["no_loop", "constant_loop"])
def test_a_program_without_a_loop_on_its_inputs_is_refused(run, program, function):
    result = run("diff", "--program", f"{program(5)}:{function}", "--at", "x=0.7",
                 "--checkpoint", "all")
    assert_one_error_line(result, 2, "--checkpoint has no loop to reverse")


def test_a_formula_is_refused(run):
    result = run("diff", "x*x", "--at", "x=0.7", "--checkpoint", "all")
    assert_one_error_line(result, 2, "give --program FILE.py:F")


def test_a_kink_inside_a_loop_is_warned(run, program):
    # relu at 0 in every step: the subgradient 0 is taken, as the unrolled tape
    # takes it; the one-sided derivatives of f(x) = 3x + relu(...) chain: 1 and 4
    args = ("diff", "--program", f"{program(5)}:kinks", "--at", "x=0", "--checkpoint",
            "revolve:2")
    result = run(*args, "-f", "json")
    out = json.loads(result.stdout)
    assert out["gradient"]["x"] == 1.0
    [warning] = out["warnings"]
    assert warning["message"].startswith("in steps(kinked, …), step 1 (and 2 more): ")
    assert "kink of relu" in warning["message"]
    assert warning["left"] == {"x": 1.0} and warning["right"] == {"x": 4.0}
    assert_one_error_line(run(*args, "--strict"), 1, "--strict: in steps(kinked")


@pytest.mark.parametrize("function, want", [("cancelling", 1.0), ("cancelled_after", 1.0),
                                            ("across", 0.0), ("across_steps", 0.0)])
def test_an_infinity_that_cancels_gives_the_unrolled_answer(program, function, want):
    # (v - v)**0.5 is 0 for every v: its infinite partial meets a zero tangent, and
    # reverse mode sweeps such a component again forward, in a loop as outside one
    path = program(4)
    for schedule in ("all", "revolve:2"):
        assert differentiate(f"{path}:{function}", ["x=0.3"],
                             checkpoint=schedule).gradient["x"] == want
    assert differentiate(f"{path}:{function}", ["x=0.3"]).gradient["x"] == want


def test_a_true_infinity_inside_a_loop_names_the_step(run, program):
    # x = 0.3: each step takes (0.3 - 0.3)**0.5, whose derivative is infinite
    result = run("diff", "--program", f"{program(4)}:infinite", "--at", "x=0.3",
                 "--checkpoint", "revolve:2")
    assert_one_error_line(result, 1, "in steps(blows_up, …), step 1: the derivative of pow "
                          "is infinite or undefined")


def test_the_trade_table_refuses_a_true_infinity_too(run, program):
    result = run("memory", "--program", f"{program(4)}:infinite", "--at", "x=0.3",
                 "--checkpoint", "all,revolve:1")
    assert_one_error_line(result, 1, "step 2: the derivative of pow is infinite or undefined")


def test_a_step_reading_a_traced_input_from_its_closure_is_refused(run, program):
    # a step traced on its own cannot see the program's x: it must be a param
    result = run("diff", "--program", f"{program(3)}:closes_over", "--at", "x=0.7",
                 "--checkpoint", "all")
    assert_one_error_line(result, 2, "reads a traced input that is not its state or a param")


@pytest.mark.parametrize("function", ["before", "nested"])
def test_the_unrolled_answer_around_and_inside(program, function):
    # an infinity cancelling before the loop; a loop inside the step (part of the step)
    path = program(3)
    want = differentiate(f"{path}:{function}", ["x=0.7"]).gradient["x"]
    with mpmath.workdps(40):
        if function == "before":
            reference = mpmath.diff(lambda t: _mp_chain_from(t, t, 3), mpmath.mpf("0.7"))
        else:
            reference = mpmath.diff(lambda t: _mp_chain_from(t, t, 12), mpmath.mpf("0.7"))
    assert math.isclose(want, float(reference), rel_tol=1e-12)
    for schedule in ("all", "revolve:2"):
        got = differentiate(f"{path}:{function}", ["x=0.7"], checkpoint=schedule)
        assert math.isclose(got.gradient["x"], want, rel_tol=1e-13)


def _mp_chain_from(v, x, n):
    for _ in range(n):
        v = _mp_step(v, x)
    return v


@pytest.mark.parametrize("function, code, fragment", [
    ("list_param", 2, "state and params are numbers or NumPy arrays, not list"),
    ("undefined", 1, "in steps(logs, …), step 2: log is undefined"),
    ("overflows", 1, "in steps(grows, …), step 1750: the state overflows"),
])
def test_what_a_loop_cannot_do_is_said_at_its_step(run, program, function, code, fragment):
    at = "x=1.5" if function == "overflows" else "x=0.7"
    result = run("diff", "--program", f"{program(3)}:{function}", "--at", at,
                 "--checkpoint", "revolve:2")
    assert_one_error_line(result, code, fragment)


def test_a_kink_in_an_array_step(run, program, tmp_path):
    rng = np.random.default_rng(5)
    for name, value in (("x0", rng.uniform(-1, 1, 3)), ("W", rng.uniform(-1, 1, (3, 3))),
                        ("b", rng.uniform(-1, 1, 3))):
        np.save(tmp_path / f"{name}.npy", value)
    at = [a for name in ("x0", "W", "b") for a in ("--at", f"{name}=@{tmp_path / name}.npy")]
    args = ("diff", "--program", f"{program(3)}:array_kink", *at, "-f", "json")
    plain = json.loads(run(*args).stdout)
    out = json.loads(run(*args, "--checkpoint", "revolve:1").stdout)
    # relu(0) takes the subgradient 0 in every step: only sum(x0) reaches x0
    assert out["gradient"] == plain["gradient"]
    assert out["gradient"]["x0"] == [1.0, 1.0, 1.0]
    [warning] = out["warnings"]
    assert warning["message"].startswith("in steps(relu_rnn, …), step 1 (and 1 more): ")
    assert "kink of relu at 3 elements" in warning["message"]


def test_an_array_step_whose_masks_follow_the_state(program):
    # np.where(s > 0.5, ...) picks other elements at other steps: the step is traced
    # again at every state, as the unrolled program is; by hand: x = [0.1, 0.7],
    # a = 0.4: element 0 adds a (then multiplies once above 0.5), element 1 multiplies
    path = program(4)
    at = ["x=[0.1, 0.7]", "a=0.4"]
    plain = differentiate(f"{path}:masked", at)
    assert math.isclose(plain.value, 1.432, rel_tol=1e-14)
    for schedule in ("all", "every:2", "revolve:1"):
        got = differentiate(f"{path}:masked", at, checkpoint=schedule)
        assert math.isclose(got.value, 1.432, rel_tol=1e-14)
        np.testing.assert_allclose(got.gradient["x"], [0.4, 0.16], rtol=1e-13)
        assert math.isclose(got.gradient["a"], 5.06, rel_tol=1e-13)


@pytest.mark.parametrize("command", ["diff", "memory"])
@pytest.mark.parametrize("function, fragment", [
    ("counted", "gives another computation when called again with the same state"),
    ("returns_none", "the step returned None (no return statement?), not the next state"),
])
def test_steps_checkpointing_cannot_replay_are_refused(run, program, command, function,
                                                      fragment):
    result = run(command, "--program", f"{program(3)}:{function}", "--at", "x=0.7",
                 "--checkpoint", "all")
    assert_one_error_line(result, 2, fragment)


def test_a_tie_inside_a_step_is_warned_and_strict_refuses_it(run, program):
    # x = 0.6: 0.6 - 0.1 = 0.5, then `s > 0.5` is decided by a tie
    args = ("diff", "--program", f"{program(3)}:tied", "--at", "x=0.6", "--checkpoint",
            "revolve:2")
    out = json.loads(run(*args, "-f", "json").stdout)
    [warning] = out["warnings"]
    assert warning["kind"] == "branch"
    assert warning["message"].startswith("in steps(decides, …): line ")
    assert "`if s > 0.5:` holds with equality at a step" in warning["message"]
    assert_one_error_line(run(*args, "--strict"), 1, "--strict: in steps(decides, …)")


def test_a_loop_the_output_does_not_need(run, program):
    result = run("diff", "--program", f"{program(7)}:unneeded", "--at", "x=0.7",
                 "--checkpoint", "revolve:3", "-f", "json")
    out = json.loads(result.stdout)
    assert out["gradient"]["x"] == pytest.approx(1.4, rel=1e-15)
    assert out["cost"]["checkpoint"]["not_reversed"] == 1
    table = run("diff", "--program", f"{program(7)}:unneeded", "--at", "x=0.7",
                "--checkpoint", "revolve:3").stdout
    assert "(1 of them run but not reversed: the output does not depend on it)" in \
        " ".join(table.split())


@pytest.mark.parametrize("schedule", ["revolve:" + "9" * 5000, "revolve:\u0663", "every:-1"])
def test_schedules_out_of_reach_are_usage_errors(run, program, schedule):
    result = run("diff", "--program", f"{program(3)}:chain", "--at", "x=0.7",
                 "--checkpoint", schedule)
    assert_one_error_line(result, 2, "give all, every:K, every:sqrt or revolve:S")
    assert len(result.stderr) < 200


def test_the_trade_table_of_a_program_that_raises_is_a_math_error(run, tmp_path):
    path = tmp_path / "raises.py"
    path.write_text("from adcli.functions import steps, sin\n\n\n"
                    "def f(x):\n    steps(lambda v, a: sin(v) * a, x, 3, x)\n"
                    "    raise ValueError('boom')\n")
    result = run("memory", "--program", f"{path}:f", "--at", "x=0.7", "--checkpoint", "all")
    assert_one_error_line(result, 1, "ValueError: boom")


def test_many_loops_in_one_sweep(program):
    # 300 loops, each finished when the program's one adjoint sweep crosses it
    path = program(3)
    plain = differentiate(f"{path}:many", ["x=0.7"])
    got = differentiate(f"{path}:many", ["x=0.7"], checkpoint="revolve:1")
    assert math.isclose(got.gradient["x"], plain.gradient["x"], rel_tol=1e-12)
    assert got.cost["sweeps"] == 1 and got.cost["checkpoint"]["loops"] == 300
    with mpmath.workdps(40):
        want = mpmath.diff(lambda t: _mp_chain_from(t, t, 600), mpmath.mpf("0.7"))
    assert math.isclose(got.gradient["x"], float(want), rel_tol=1e-12)
