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

The state and params may be NumPy arrays: the step is then traced with arrays
(:mod:`adcli.programs.arrays`), recorded and advanced in NumPy, and swept as
:mod:`adcli.backends.shaped` sweeps, and stored values are counted in elements.
The final state's adjoint is given (``diff --checkpoint``: what the code after
the loop sends back) or ones (the table: the gradient of the sum of its
elements).  :class:`Pending` holds a loop between its first pass and that
adjoint.
"""

from __future__ import annotations

import math
import time
import tracemalloc
from dataclasses import dataclass

from ..errors import MathError
from ..ops.namespaces import FLOAT
from .schedules import (Schedule, _split, parse_schedule, periodic_count,  # noqa: F401
                        repetitions, revolve_minimum)
from .step_loop import StepLoop
from .sweeps import adjoints, adjoints_columns, finite_adjoint

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
    value: object       # the final state: a float or an array
    gradient: tuple     # d final / d (initial state, *params), each of its input's shape
    counts: Counts
    seconds: float
    peak_bytes: int | None


class _Run:
    """One schedule's reverse pass: snapshots, the adjoints carried back, the counts."""

    def __init__(self, loop: StepLoop, on_tape=None):
        self.loop, self.counts, self.on_tape = loop, Counts(), on_tape
        self.snapshots: dict = {}
        self.elements = getattr(loop.state, "size", 1)  # values one state holds
        np = loop.np
        self.bar_state = None  # the final state's adjoint, given at the pause
        self.bar_params = [np.zeros(p.shape) if getattr(p, "shape", ()) else 0.0
                           for p in loop.params]
        self.value = None

    def store(self, index: int, state) -> None:
        self.snapshots[index] = state
        self.counts.hold(self.elements, snapshot=True)

    def free(self, index: int) -> None:
        del self.snapshots[index]
        self.counts.drop(self.elements, snapshot=True)

    def advance(self, index: int, state, to: int):
        loop, np = self.loop, self.loop.np
        for step in range(index, to):
            try:
                state = loop.advance(state)
            except MathError as error:
                raise MathError(f"step {step + 1}: {error.message}") from None
            if not (math.isfinite(state) if np is None else np.all(np.isfinite(state))):
                raise MathError(f"step {step + 1}: the state overflows the float range "
                                f"({state!r})")
        self.counts.forward_steps += to - index
        return state

    def tape(self, index: int, state):
        self.counts.taped_steps += 1
        try:
            tape = self.loop.tape_at(state)
        except MathError as error:
            raise MathError(f"step {index + 1}: {error.message}") from None
        if self.on_tape is not None:
            self.on_tape(index, tape)
        return tape

    def reverse(self, index: int, tape) -> None:
        """Sweep step ``index``'s tape: its adjoints of the params add up, and its
        state's adjoint goes back to step ``index - 1``."""
        if index == self.loop.n - 1:
            self.value = tape.value
        np = self.loop.np
        if np is not None:
            return self._reverse_arrays(tape, np)
        if tape.output < 0:
            self.bar_state = 0.0
            return
        bar = adjoints(tape, {tape.output: self.bar_state})
        inputs, seed = tape.inputs, {tape.output: self.bar_state}
        try:
            for k, name in enumerate(self.loop.names[1:]):
                entry = inputs.get(name)
                if entry is not None:
                    self.bar_params[k] += finite_adjoint(tape, bar, entry, FLOAT, seed)
            entry = inputs.get("state")
            self.bar_state = finite_adjoint(tape, bar, entry, FLOAT, seed) \
                if entry is not None else 0.0
        except MathError as error:
            raise MathError(f"step {index + 1}: {error.message}") from None

    def _reverse_arrays(self, tape, np) -> None:
        """As :meth:`reverse`, with the shaped sweep: an input's adjoint that is
        None is zero, a smaller one (a scalar) is spread over the input's shape."""
        loop = self.loop
        bar = [None] * len(tape) if tape.output < 0 else \
            adjoints_columns(tape, {tape.output: self.bar_state}, np)
        inputs = tape.inputs

        def adjoint(name, value):
            entry = inputs.get(name)
            g = bar[entry] if entry is not None else None
            shape = getattr(value, "shape", ())
            if g is None:
                return np.zeros(shape) if shape else 0.0
            if not shape:
                return float(g)
            return g if np.shape(g) == shape else np.broadcast_to(g, shape).astype(float)

        for k, (name, value) in enumerate(zip(loop.names[1:], loop.params)):
            self.bar_params[k] = self.bar_params[k] + adjoint(name, value)
        self.bar_state = adjoint("state", loop.state)

    def step_back(self, index: int, state):
        """Tape step ``index`` from ``state`` and sweep it; the first time (step
        n - 1), pause first: the final state is known and its adjoint is not yet."""
        tape = self.tape(index, state)
        size = self.loop.size(tape)
        self.counts.hold(size)
        if self.bar_state is None:
            self.value = tape.value
            yield
        self.reverse(index, tape)
        self.counts.drop(size)


# Each schedule is a generator that pauses once, when the final state is first
# known (see :class:`Pending`); ``yield from run.step_back(...)`` passes the pause on.

def _store_all(run: _Run, _amount=None):
    loop, tapes = run.loop, []
    state = loop.state
    for index in range(loop.n):
        tape = run.tape(index, state)
        run.counts.hold(loop.size(tape))
        tapes.append(tape)
        state = tape.value
    run.value = state
    yield
    for index in range(loop.n - 1, -1, -1):
        tape = tapes.pop()
        run.reverse(index, tape)
        run.counts.drop(run.loop.size(tape))


def _periodic(run: _Run, k: int):
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
            run.counts.hold(run.elements, snapshot=True)
        for index in range(end - 1, start - 1, -1):
            yield from run.step_back(index, segment.pop())
            if index > start:
                run.counts.drop(run.elements, snapshot=True)
        run.free(start)


def _revolve(run: _Run, snapshots: int):
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
            yield from run.step_back(start, origin)
        elif free == 1:  # only the start's snapshot: recompute each state from it
            for offset in range(length - 1, -1, -1):
                yield from run.step_back(start + offset,
                                         run.advance(start, origin, start + offset))
        else:
            split = start + _split(length, free)
            run.store(split, run.advance(start, origin, split))
            work.append(("reverse", start, split - start, free))
            work.append(("free", split, 0, 0))
            work.append(("reverse", split, start + length - split, free - 1))
    if run.snapshots:
        run.free(0)


_SCHEDULES = {"all": _store_all, "every": _periodic, "revolve": _revolve}


class Pending:
    """A loop run forward under a schedule up to the moment its final state is
    known: what the schedule keeps (snapshots, or every tape for ``all``) is held
    until :meth:`finish` is given the final state's adjoint and reverses the
    rest.  The first pass is the schedule's own, so a program's run of the loop
    costs no forward step beyond the schedule's (Revolve's minimum, for one)."""

    def __init__(self, loop: StepLoop, schedule: str, on_tape=None):
        self.plan = parse_schedule(schedule, loop.n)
        self.run = _Run(loop, on_tape)
        began = time.perf_counter()
        self._steps = _SCHEDULES[self.plan.kind](self.run, self.plan.amount)
        if loop.n == 0 or next(self._steps, "done") == "done":
            self.run.value, self._steps = loop.state, None
        self.seconds = time.perf_counter() - began
        self.held = (self.run.counts.stored, self.run.counts.snapshots)

    @property
    def value(self):
        return self.run.value

    def close(self) -> Counts:
        """Let the loop go unreversed (nothing after it needs its adjoint)."""
        if self._steps is not None:
            self._steps.close()
        self.run.snapshots.clear()
        return self.run.counts

    def finish(self, seed) -> Reversal:
        run, began = self.run, time.perf_counter()
        run.bar_state = seed
        if self._steps is not None:
            for _ in self._steps:
                pass
        self.seconds += time.perf_counter() - began
        return Reversal(self.plan.text, run.value, (run.bar_state, *run.bar_params),
                        run.counts, self.seconds, None)


def reverse(step, state, params: tuple, n: int, schedule: str,
            measure_bytes: bool = False, loop: StepLoop | None = None,
            seed=None, on_tape=None) -> Reversal:
    """The final state of ``n`` steps and its gradient with respect to the initial
    state and each param, by reverse mode under ``schedule``, with its costs.

    ``seed``: the final state's adjoint (by default ones: the gradient of the sum
    of its elements); ``on_tape(index, tape)`` sees each step's tape as it is
    recorded; ``measure_bytes``: also the tracemalloc peak (slower)."""
    loop = loop or StepLoop(step, state, params, n)
    if seed is None:
        seed = loop.np.ones(loop.shape) if loop.shape else 1.0
    if measure_bytes:
        tracemalloc.start()
    try:
        result = Pending(loop, schedule, on_tape).finish(seed)
        peak = tracemalloc.get_traced_memory()[1] if measure_bytes else None
    finally:
        if measure_bytes:
            tracemalloc.stop()
    return Reversal(result.schedule, result.value, result.gradient, result.counts,
                    result.seconds, peak)
