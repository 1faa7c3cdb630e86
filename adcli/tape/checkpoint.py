"""Reverse mode through a loop of steps, keeping only snapshots (checkpointing).

A program that writes its loop as ``adcli.functions.steps(step, state, n, *params)``
says where its steps are.  Reverse mode normally keeps every step's tape; here
the step is traced once into a small graph, the forward pass keeps only the
states a *schedule* asks for, and the reverse pass, for step ``i = n-1 .. 0``,
gets the state at step ``i`` back (from the nearest snapshot, recomputing
forward steps), records that one step's tape and sweeps its adjoint.  Memory
falls from ``n`` tapes to a few snapshots and one live tape; the price is
recomputation, which the schedule decides:

* ``all``: the reference, every step's tape kept (what plain reverse mode stores);
* ``every:K`` (``every:sqrt`` is K = ceil(sqrt(n))): a snapshot every K steps; a
  segment's states are recomputed once, kept, and its steps reversed;
* ``revolve:S``: Griewank's binomial schedule with S snapshots (Griewank &
  Walther, "Algorithm 799: Revolve", ACM TOMS 26, 2000), whose forward step
  count is the proven minimum ``r*n - C(S+r, S+1)``, r the least with
  ``n <= C(S+r, S)``.

Every schedule records the same step tapes from the same states and sweeps them
in the same order, so their gradients agree bit for bit with ``all``.
"""

from __future__ import annotations

import math
import time
import tracemalloc
from dataclasses import dataclass

from ..errors import MathError, UsageError
from ..language.graph import CONST, VAR
from ..ops.namespaces import FLOAT
from .record import record
from .sweeps import adjoints

#: Over this many steps a schedule is refused before any work (about a minute).
MAX_STEPS = 2_000_000


@dataclass(frozen=True)
class Schedule:
    """A parsed ``--checkpoint`` choice; ``amount`` is K, S, or None for ``all``."""

    kind: str          # "all", "every" or "revolve"
    amount: int | None
    text: str


def parse_schedule(text: str, n: int) -> Schedule:
    """``all``, ``every:K``, ``every:sqrt`` or ``revolve:S`` for a loop of ``n`` steps."""
    kind, _, amount = text.strip().partition(":")
    if kind == "all" and not amount:
        return Schedule("all", None, "all")
    if kind == "every" and amount == "sqrt":
        return Schedule("every", math.isqrt(n - 1) + 1 if n > 1 else 1, text.strip())
    if kind in ("every", "revolve") and amount.isdigit() and int(amount) >= 1:
        return Schedule(kind, int(amount), text.strip())
    raise UsageError(f"--checkpoint {text}: give all, every:K, every:sqrt or revolve:S "
                     f"(K, S whole numbers from 1)")


def repetitions(n: int, snapshots: int) -> int:
    """The least r with ``n <= C(snapshots + r, snapshots)``: how often, at most,
    Revolve advances through any one step."""
    r, reach = 0, 1
    while reach < n:
        r += 1
        reach = reach * (snapshots + r) // r
    return r


def revolve_minimum(n: int, snapshots: int) -> int:
    """Griewank's bound: the fewest forward steps that reverse ``n`` steps with
    ``snapshots`` snapshots (the one at the start included; taping not counted)."""
    if n <= 1:
        return 0
    r = repetitions(n, snapshots)
    return r * n - math.comb(snapshots + r, snapshots + 1)


def periodic_count(n: int, k: int) -> int:
    """Forward steps of ``every:K``: the first pass to the last snapshot, then each
    segment of length L recomputed once (L - 1 steps)."""
    segments = -(-n // k)
    return k * (segments - 1) + n - segments


def _split(n: int, snapshots: int) -> int:
    """How many steps Revolve advances before its next snapshot, out of ``n``.

    With r = :func:`repetitions`, a split is optimal when the m steps before it
    can be reversed with one repetition fewer (m <= C(s+r-1, s)) and the n - m
    after it with one snapshot fewer (n - m <= C(s+r-1, s-1)), each at least at
    the edge of its own repetition count; then m + t(n-m, s-1) + t(m, s) is
    r*n - C(s+r, s+1), because C(s+r, s+1) = C(s+r-1, s) + C(s+r-1, s+1).  We
    take the largest such m."""
    r, s = repetitions(n, snapshots), snapshots
    return min(math.comb(s + r - 1, s), n - math.comb(s + r - 2, s - 1))


@dataclass
class Counts:
    forward_steps: int = 0      # step evaluations that only advance a state
    taped_steps: int = 0        # step evaluations that record a tape (one per step)
    snapshots: int = 0          # states held now
    peak_snapshots: int = 0
    stored: int = 0             # snapshot values + tape entries and partials held now
    peak_stored: int = 0

    def hold(self, values: int, snapshot: bool = False) -> None:
        self.stored += values
        self.peak_stored = max(self.peak_stored, self.stored)
        if snapshot:
            self.snapshots += 1
            self.peak_snapshots = max(self.peak_snapshots, self.snapshots)

    def drop(self, values: int, snapshot: bool = False) -> None:
        self.stored -= values
        self.snapshots -= snapshot


@dataclass(frozen=True)
class Reversal:
    """The outcome of one schedule: the final state, its gradient, and the costs."""

    schedule: str
    value: float
    gradient: tuple     # d final / d (initial state, *params)
    counts: Counts
    seconds: float
    peak_bytes: int | None


class StepLoop:
    """``state = step(state, *params)`` n times, with the step as an adcli graph.

    The step is traced once; if its control flow depended on the state (the
    tracer remembered a comparison), it is traced again at every state instead.
    """

    def __init__(self, step, state: float, params: tuple, n: int):
        if not isinstance(n, int) or n < 0:
            raise UsageError(f"steps: n must be a whole number >= 0, got {n!r}")
        if n > MAX_STEPS:
            raise UsageError(f"steps: {n:,} steps is over the bound of {MAX_STEPS:,}")
        self.step, self.state, self.params, self.n = step, float(state), \
            tuple(float(p) for p in params), n
        self.path = _source(step)
        self.names = ["state"] + [f"p{k + 1}" for k in range(len(params))]
        graph, decisions = self._trace(self.state)
        self.fixed = graph if not decisions else None
        self._program = self._compile(graph) if self.fixed is not None else None

    def _trace(self, state: float):
        from ..programs.trace import Traced, Tracer

        tracer = Tracer(self.path)
        args = [tracer.variable(name, v) for name, v in zip(self.names, (state,) + self.params)]
        out = self.step(*args)
        if not isinstance(out, Traced):
            out = tracer.variable("state", state) if out is args[0] else out
        graph = tracer.graph
        graph.output = tracer.node(out)
        graph.outputs = [graph.output]
        return graph, tracer.decisions

    def _compile(self, graph):
        """The step as a list of (node, function, a, b) over floats: the functions
        :func:`record` uses, so an advanced state equals a recorded one bit for bit."""
        values = [0.0] * len(graph)
        code = []
        for node, kind in enumerate(graph.kinds):
            if kind == CONST:
                values[node] = graph.number(node, FLOAT)
            elif kind != VAR:
                code.append((node, getattr(FLOAT, kind), graph.arg0[node], graph.arg1[node]))
        inputs = [graph.variables.get(name, -1) for name in self.names]
        return values, code, inputs, graph.output

    def graph_at(self, state: float):
        return self.fixed if self.fixed is not None else self._trace(state)[0]

    def advance(self, state: float) -> float:
        if self._program is None:
            graph = self._trace(state)[0]
            return record(graph, self.point(state), partials=False).value
        values, code, inputs, output = self._program
        for node, value in zip(inputs, (state,) + self.params):
            if node >= 0:
                values[node] = value
        try:
            for node, function, a, b in code:
                values[node] = function(values[a]) if b < 0 else function(values[a], values[b])
        except (ValueError, ZeroDivisionError, OverflowError):
            raise MathError(f"a step from the state {state!r} has no real value") from None
        return values[output]

    def point(self, state: float) -> dict:
        return dict(zip(self.names, (state,) + self.params))


def _source(step) -> str:
    """The step's file, so that a failing step is reported at its own line."""
    import inspect
    import os

    try:
        return os.path.abspath(inspect.getsourcefile(step))
    except TypeError:
        return "<step>"


def _size(tape) -> int:
    return len(tape.values) + tape.edge_count


class _Run:
    """One schedule's reverse pass: snapshots, the adjoints carried back, the counts."""

    def __init__(self, loop: StepLoop):
        self.loop, self.counts = loop, Counts()
        self.snapshots: dict[int, float] = {}
        self.bar_state, self.bar_params = 1.0, [0.0] * len(loop.params)
        self.value = None

    def store(self, index: int, state: float) -> None:
        self.snapshots[index] = state
        self.counts.hold(1, snapshot=True)

    def free(self, index: int) -> None:
        del self.snapshots[index]
        self.counts.drop(1, snapshot=True)

    def advance(self, index: int, state: float, to: int) -> float:
        for _ in range(index, to):
            state = self.loop.advance(state)
        self.counts.forward_steps += to - index
        return state

    def tape(self, state: float):
        loop = self.loop
        self.counts.taped_steps += 1
        return record(loop.graph_at(state), loop.point(state))

    def reverse(self, index: int, tape) -> None:
        """Sweep step ``index``'s tape: its adjoints of the params add up, and its
        state's adjoint goes back to step ``index - 1``."""
        if index == self.loop.n - 1:
            self.value = tape.value
        if tape.output < 0:
            self.bar_state = 0.0
            return
        bar = adjoints(tape, {tape.output: self.bar_state})
        inputs = tape.inputs
        for k, name in enumerate(self.loop.names[1:]):
            entry = inputs.get(name)
            if entry is not None:
                self.bar_params[k] += bar[entry]
        entry = inputs.get("state")
        self.bar_state = bar[entry] if entry is not None else 0.0

    def step_back(self, index: int, state: float) -> None:
        tape = self.tape(state)
        self.counts.hold(_size(tape))
        self.reverse(index, tape)
        self.counts.drop(_size(tape))


def _store_all(run: _Run) -> None:
    loop, tapes = run.loop, []
    state = loop.state
    for _ in range(loop.n):
        tape = run.tape(state)
        run.counts.hold(_size(tape))
        tapes.append(tape)
        state = tape.value
    for index in range(loop.n - 1, -1, -1):
        tape = tapes.pop()
        run.reverse(index, tape)
        run.counts.drop(_size(tape))


def _periodic(run: _Run, k: int) -> None:
    n, state = run.loop.n, run.loop.state
    starts = list(range(0, n, k))
    run.store(0, state)
    for previous, start in zip(starts, starts[1:]):
        state = run.advance(previous, state, start)
        run.store(start, state)
    for start in reversed(starts):
        end = min(start + k, n)
        segment = [run.snapshots[start]]
        for index in range(start + 1, end):  # the segment's states, recomputed once
            segment.append(run.advance(index - 1, segment[-1], index))
            run.counts.hold(1, snapshot=True)
        for index in range(end - 1, start - 1, -1):
            run.step_back(index, segment.pop())
            if index > start:
                run.counts.drop(1, snapshot=True)
        run.free(start)


def _revolve(run: _Run, snapshots: int) -> None:
    """Griewank's binomial reversal, with an explicit stack of pending work."""
    run.store(0, run.loop.state)
    work = [("reverse", 0, run.loop.n, snapshots)]
    while work:
        task, start, length, free = work.pop()
        if task == "free":
            run.free(start)
            continue
        origin = run.snapshots[start]
        if length == 1:
            run.step_back(start, origin)
        elif free == 1:  # only the start's snapshot: recompute each state from it
            for offset in range(length - 1, -1, -1):
                run.step_back(start + offset, run.advance(start, origin, start + offset))
        else:
            split = start + _split(length, free)
            run.store(split, run.advance(start, origin, split))
            work.append(("reverse", start, split - start, free))
            work.append(("free", split, 0, 0))
            work.append(("reverse", split, start + length - split, free - 1))
    if run.snapshots:
        run.free(0)


def reverse(step, state: float, params: tuple, n: int, schedule: str,
            measure_bytes: bool = False, loop: StepLoop | None = None) -> Reversal:
    """The final state of ``n`` steps and its gradient with respect to the initial
    state and each param, by reverse mode under ``schedule``, with its costs.

    ``measure_bytes``: also the tracemalloc peak of the reversal (slower)."""
    loop = loop or StepLoop(step, state, params, n)
    plan = parse_schedule(schedule, n)
    run = _Run(loop)
    if measure_bytes:
        tracemalloc.start()
    began = time.perf_counter()
    try:
        if n == 0:
            run.value, run.bar_state = loop.state, 1.0
        elif plan.kind == "all":
            _store_all(run)
        elif plan.kind == "every":
            _periodic(run, plan.amount)
        else:
            _revolve(run, plan.amount)
        seconds = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1] if measure_bytes else None
    finally:
        if measure_bytes:
            tracemalloc.stop()
    return Reversal(plan.text, run.value, (run.bar_state, *run.bar_params), run.counts,
                    seconds, peak)
