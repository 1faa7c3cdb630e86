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
:mod:`adcli.backends.shaped` sweeps; the gradient is that of the sum of the
final state's elements (the final state itself when it is a number), and
stored values are counted in elements.
"""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import dataclass

from ..errors import MathError, UsageError
from ..language.graph import CONST, VAR
from ..ops.namespaces import FLOAT
from .record import record
from .schedules import (Schedule, _split, parse_schedule, periodic_count,  # noqa: F401
                        repetitions, revolve_minimum)
from .sweeps import adjoints, adjoints_columns, finite_adjoint

#: Over this many steps a schedule is refused before any work (about a minute).
MAX_STEPS = 2_000_000


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


def _shaped(value) -> bool:
    return isinstance(value, (list, tuple)) or getattr(value, "shape", ()) != ()


class StepLoop:
    """``state = step(state, *params)`` n times, with the step as an adcli graph.

    The step is traced once; if its control flow depended on the state (the
    tracer remembered a comparison), it is traced again at every state instead.
    ``np`` is NumPy when the state or a param is an array, else None.
    """

    def __init__(self, step, state, params: tuple, n: int):
        if not isinstance(n, int) or n < 0:
            raise UsageError(f"steps: n must be a whole number >= 0, got {n!r}")
        if n > MAX_STEPS:
            raise UsageError(f"steps: {n:,} steps is over the bound of {MAX_STEPS:,}")
        self.np = None
        if _shaped(state) or any(_shaped(p) for p in params):
            import numpy

            self.np = numpy
        self.step, self.n = step, n
        self.state, self.params = self._value(state), tuple(self._value(p) for p in params)
        self.shape = getattr(self.state, "shape", ())
        self.path = _source(step)
        self.names = ["state"] + [f"p{k + 1}" for k in range(len(params))]
        graph, decisions = self._trace(self.state)
        self.fixed = graph if not decisions else None
        self._program = self._compile(graph) if self.fixed is not None and not self.np \
            else None

    def _value(self, x):
        """An input as the tracer takes it: an array of floats, or a float."""
        try:
            if self.np is not None and _shaped(x):
                return self.np.array(x, dtype=float)
            return float(x)
        except (TypeError, ValueError):
            raise UsageError(f"steps: a checkpointed loop's state and params are numbers "
                             f"or NumPy arrays, not {type(x).__name__}: pass each traced "
                             f"number as a param of its own (constants may stay in the "
                             f"step's closure)") from None

    def _trace(self, state):
        from ..programs.trace import Traced, Tracer

        if self.np is not None:
            from ..programs.arrays import ArrayTracer

            tracer = ArrayTracer(self.path)
        else:
            tracer = Tracer(self.path)
        args = [tracer.variable(name, v) for name, v in zip(self.names, (state,) + self.params)]
        out = self.step(*args)
        if not isinstance(out, Traced):
            out = tracer.variable("state", state) if out is args[0] else out
        graph = tracer.graph
        graph.output = tracer.node(out)
        graph.outputs = [graph.output]
        if self.np is not None:
            shape = self.np.shape(tracer.values[graph.output])
            if shape != self.np.shape(state):
                raise UsageError(f"steps: the step returns a state of shape {shape} from "
                                 f"one of shape {self.np.shape(state)}: a state keeps its "
                                 f"shape from step to step")
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

    def graph_at(self, state):
        return self.fixed if self.fixed is not None else self._trace(state)[0]

    def tape_at(self, state, partials: bool = True):
        """One step's tape from ``state``: in NumPy for arrays, a non-finite
        element refused as ``diff`` refuses it."""
        graph = self.graph_at(state)
        if self.np is None:
            return record(graph, self.point(state), partials=partials)
        from ..backends.shaped import check_values
        from ..ops.namespaces import numpy_math

        tape = record(graph, self.point(state), numpy_math(), partials=partials)
        total = self.np.sum(tape.value)
        if not total - total == 0:
            check_values(tape, self.np)
        if not self.shape:
            tape.value = float(tape.value)  # a number stays a float from step to step
        return tape

    def size(self, tape) -> int:
        """Values and partials a tape holds, arrays counted in elements (a linear
        map's partial reads its operands and holds none)."""
        if self.np is None:
            return len(tape.values) + tape.edge_count
        from ..ops.linear import Linear

        partials = sum(0 if p.__class__ is Linear else getattr(p, "size", 1)
                       for p in tape.partials)
        return sum(getattr(v, "size", 1) for v in tape.values) + partials

    def advance(self, state):
        if self._program is None:
            return self.tape_at(state, partials=False).value
        values, code, inputs, output = self._program
        for node, value in zip(inputs, (state,) + self.params):
            if node >= 0:
                values[node] = value
        try:
            for node, function, a, b in code:
                values[node] = function(values[a]) if b < 0 else function(values[a], values[b])
        except (ValueError, ZeroDivisionError, OverflowError):
            self.tape_at(state, partials=False)  # raises the error that names the row
            raise MathError(f"a step from the state {state!r} has no real value") from None
        return values[output]

    def point(self, state) -> dict:
        return dict(zip(self.names, (state,) + self.params))


def _source(step) -> str:
    """The step's file, so that a failing step is reported at its own line."""
    import inspect
    import os

    try:
        return os.path.abspath(inspect.getsourcefile(step))
    except TypeError:
        return "<step>"


class _Run:
    """One schedule's reverse pass: snapshots, the adjoints carried back, the counts."""

    def __init__(self, loop: StepLoop, seed=None, on_tape=None):
        self.loop, self.counts, self.on_tape = loop, Counts(), on_tape
        self.snapshots: dict = {}
        self.elements = getattr(loop.state, "size", 1)  # values one state holds
        np = loop.np
        if seed is not None:
            self.bar_state = seed
        else:
            self.bar_state = np.ones(loop.shape) if loop.shape else 1.0
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
        for _ in range(index, to):
            state = self.loop.advance(state)
        self.counts.forward_steps += to - index
        return state

    def tape(self, index: int, state):
        self.counts.taped_steps += 1
        tape = self.loop.tape_at(state)
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

    def step_back(self, index: int, state) -> None:
        tape = self.tape(index, state)
        size = self.loop.size(tape)
        self.counts.hold(size)
        self.reverse(index, tape)
        self.counts.drop(size)


def _store_all(run: _Run) -> None:
    loop, tapes = run.loop, []
    state = loop.state
    for index in range(loop.n):
        tape = run.tape(index, state)
        run.counts.hold(loop.size(tape))
        tapes.append(tape)
        state = tape.value
    for index in range(loop.n - 1, -1, -1):
        tape = tapes.pop()
        run.reverse(index, tape)
        run.counts.drop(run.loop.size(tape))


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
            run.counts.hold(run.elements, snapshot=True)
        for index in range(end - 1, start - 1, -1):
            run.step_back(index, segment.pop())
            if index > start:
                run.counts.drop(run.elements, snapshot=True)
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


def reverse(step, state, params: tuple, n: int, schedule: str,
            measure_bytes: bool = False, loop: StepLoop | None = None,
            seed=None, on_tape=None) -> Reversal:
    """The final state of ``n`` steps and its gradient with respect to the initial
    state and each param, by reverse mode under ``schedule``, with its costs.

    ``seed``: the final state's adjoint (by default ones: the gradient of the sum
    of its elements); ``on_tape(index, tape)`` sees each step's tape as it is
    recorded; ``measure_bytes``: also the tracemalloc peak (slower)."""
    loop = loop or StepLoop(step, state, params, n)
    plan = parse_schedule(schedule, n)
    run = _Run(loop, seed, on_tape)
    if measure_bytes:
        tracemalloc.start()
    began = time.perf_counter()
    try:
        if n == 0:
            run.value = loop.state
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
