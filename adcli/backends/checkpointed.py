"""Reverse mode of a program whose ``steps`` loops are checkpointed:
``adcli diff --program F --checkpoint SCHEDULE``.

The program is traced as usual, except that each ``adcli.functions.steps``
call is cut out of its graph: the schedule's first pass runs the loop on plain
numbers, keeping what the schedule keeps (:class:`adcli.tape.checkpoint.Pending`),
and its final state enters the graph as a fresh input, a *boundary*.  The
program's tape is then the code around the loops, and one adjoint sweep of it
runs from the output back; where it crosses a loop, the boundary's adjoint is
complete, the loop finishes its reversal seeded with it, and the adjoints it
gives the loop's initial state and params join the sweep.  By linearity that
is the program's gradient: the unrolled tape's, up to the order in which
rounding adds the same terms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ..errors import MathError, UsageError
from ..ops.namespaces import FLOAT
from ..records import Derivative, Warning
from ..tape.checkpoint import Pending
from ..tape.step_loop import StepLoop
from ..tape.diagnosis import derivative_error
from ..tape.record import record
from ..tape.sweeps import adjoints, adjoints_columns, finite_adjoint, tangents
from . import Problem
from ._common import kink_lines, kink_warnings, warnings_with_evidence
from .shaped import array_kinks


@dataclass
class _Cut:
    """One ``steps`` call taken out of the graph, run forward and held."""

    name: str           # the boundary: the loop's final state as a graph input
    label: str          # ``steps(rnn, …)``, for messages
    pending: Pending    # the loop after its first pass, holding what the schedule keeps
    nodes: tuple        # graph nodes of the initial state and each param (-1: a constant)


def _traced_nodes(values, tracer) -> tuple:
    from ..programs.trace import Traced

    return tuple(v.node if isinstance(v, Traced) and v.tracer is tracer else -1
                 for v in values)


def _plain(value):
    from ..programs.trace import Traced

    return value.value if isinstance(value, Traced) else value


def _cut_loops(program, point: dict, schedule: str, kinks: "_StepKinks", cuts: list):
    """The program's graph and decisions, its loops cut out (``cuts`` filled in order)
    and run forward under ``schedule``; a loop that reads no traced input stays a
    plain loop of the program."""
    from ..functions import cutting, steps
    from ..programs.trace import Traced, traced_graph

    def cut(step, state, n, params):
        tracer = next((v.tracer for v in (state, *params) if isinstance(v, Traced)), None)
        with cutting(None):  # a loop inside the step is part of the step
            if tracer is None:
                return steps(step, state, n, *params)
            plain = [_plain(v) for v in (state, *params)]
            loop = StepLoop(step, plain[0], tuple(plain[1:]), n)
            label = f"steps({getattr(step, '__name__', 'step')}, …)"
            try:
                pending = Pending(loop, schedule, kinks.seer(label, loop.np))
            except MathError as error:
                raise MathError(f"in {label}, {error.message}") from None
        name = f"steps#{len(cuts) + 1}"
        cuts.append(_Cut(name, label, pending, _traced_nodes((state, *params), tracer)))
        return tracer.variable(name, pending.value)

    with cutting(cut):
        return traced_graph(program, point)


def differentiate(problem: Problem, schedule: str) -> Derivative:
    from ..programs.source import ProgramSource

    if not isinstance(problem.source, ProgramSource):
        raise UsageError("--checkpoint reverses a program's adcli.functions.steps loops: "
                         "give --program FILE.py:F")
    cuts: list[_Cut] = []
    kinks = _StepKinks()
    graph, decisions = _cut_loops(problem.source.program, problem.point, schedule, kinks,
                                  cuts)
    problem = replace(problem, graph=graph,
                      source=ProgramSource(problem.source.program, tuple(decisions)))
    if not cuts:
        raise UsageError(f"{problem.text} makes no adcli.functions.steps(step, state, n, "
                         f"...) call on its inputs: --checkpoint has no loop to reverse")
    point = {**problem.point, **{cut.name: cut.pending.value for cut in cuts}}
    np = next((c.pending.run.loop.np for c in cuts if c.pending.run.loop.np is not None),
              None)
    if np is None and any(getattr(v, "shape", ()) != () for v in point.values()):
        import numpy as np
    tape = _record(graph, point, np)
    extra = {}
    try:
        bar, counts, unneeded = _reverse_pass(tape, cuts, np)
        inputs = tape.inputs
        gradient = {name: _gradient(bar[inputs[name]], problem.point[name], np)
                    for name in problem.wrt}
        if not all(_finite(g, np) for g in gradient.values()):
            raise _NotFinite(derivative_error(tape, lambda out, arg: bar[out]).message
                             if np is None else "the derivative is infinite or undefined")
    except _NotFinite as error:
        if np is not None:
            raise MathError(error.message + _ACROSS) from None
        # as reverse mode does: an infinity that cancels is followed forward, here
        # through the loops too, one input at a time
        gradient, extra["tangent_sweeps"] = _forward_gradient(tape, cuts, problem.wrt)
        counts, unneeded = [cut.pending.run.counts for cut in reversed(cuts)], 0
    steps = sum(cut.pending.run.loop.n for cut in cuts)
    peak_stored, peak_snapshots = _peaks(cuts, counts[::-1])
    cost = {"sweeps": 1, "tape_entries": len(tape), "edges": tape.edge_count,
            **({} if np is None else
               {"stored_values": sum(getattr(v, "size", 1) for v in tape.values)}),
            "stored_bytes": tape.stored_bytes,
            **extra,
            "checkpoint": {"schedule": cuts[0].pending.plan.text, "loops": len(cuts),
                           "not_reversed": unneeded, "steps": steps,
                           "snapshots": peak_snapshots, "peak_stored": peak_stored,
                           "forward_steps": sum(c.forward_steps for c in counts),
                           "taped_steps": sum(c.taped_steps for c in counts)}}
    return Derivative(problem.text, "reverse", problem.point, _value(tape.value, np),
                      gradient, cost=cost,
                      warnings=kinks.warnings(problem, tape, np, cuts))


#: Arrays have no forward re-sweep through the loops: an infinite partial that a
#: later step (or the other side of a loop) cancels is not followed.
_ACROSS = (" (if a later step or the code across a loop cancels it, leave out "
           "--checkpoint: reverse mode then follows it forward)")


class _StepKinks:
    """Kinks met on the loops' step tapes, one line per row of the step, with the
    steps it was met at counted (the tapes themselves are not kept)."""

    def __init__(self):
        self.found = {}

    def seer(self, loop: str, np):
        """What a loop's reversal calls with each step's tape (``on_tape``)."""
        return lambda index, tape: self.see(loop, np, index, tape)

    def see(self, loop: str, np, index: int, tape) -> None:
        for kind, op, row, message in _lines(tape, np):
            key = (loop, kind, op, row)
            if key not in self.found:
                self.found[key] = [message, 0, index]
            self.found[key][1] += 1
            self.found[key][2] = min(self.found[key][2], index)

    def lines(self) -> list:
        return [(kind, op, row, f"in {loop}, step {first + 1}"
                 f"{f' (and {count - 1} more)' if count > 1 else ''}: {message}")
                for (loop, kind, op, row), (message, count, first) in self.found.items()]

    def warnings(self, problem, tape, np, cuts) -> tuple:
        """The program's tape's warnings, then the loops' kinks and ties: with the
        one-sided derivatives for numbers, as ``diff`` gives them (arrays get none)."""
        lines = self.lines() + [
            ("branch", "if", "", f"in {cut.label}: {tie} holds with equality at a step: "
                                 f"the branch taken decides the derivative")
            for cut in cuts for tie in cut.pending.run.loop.ties]
        if np is None:
            return kink_warnings(problem, tape) + warnings_with_evidence(problem, lines)
        return array_kinks(tape, np) + tuple(Warning(*line) for line in lines)


def _lines(tape, np) -> list:
    """``(kind, op, row, message)`` of each kink on a tape of numbers or of arrays."""
    if np is None:
        return kink_lines(tape)
    return [(w.kind, w.op, w.row, w.message) for w in array_kinks(tape, np)]


def _reverse_pass(tape, cuts: list, np) -> tuple:
    """One adjoint sweep of the program's tape, from the output back.  Where it
    crosses a loop's place (the first entry made after the loop, i.e. reading its
    final state), that state's adjoint is complete: the loop is finished with it,
    and what it gives the loop's initial state and params joins the sweep, which
    goes on through the code before the loop.  A traced run's tape is branch-free,
    so its entries follow its graph's nodes.  For numbers, an adjoint that is not
    finite is swept again forward (:func:`adcli.tape.sweeps.finite_adjoint`) with
    the seeds given so far.  Returns the adjoints, each loop's counts (last loop
    first) and how many loops were not needed."""
    if np is None:
        def sweep(seed, bar, start, stop):
            return adjoints(tape, seed, bar, start, stop)
    else:
        def sweep(seed, bar, start, stop):
            return adjoints_columns(tape, seed, np, bar=bar, start=start, stop=stop)
    seeds = {} if tape.output < 0 else {
        tape.output: 1.0 if np is None else np.ones_like(tape.value)}
    given, inputs = dict(seeds), tape.inputs
    bar, stop, counts, unneeded = None, None, [], 0
    for cut in reversed(cuts):  # the last loop first: the earlier ones are held meanwhile
        start = _place(tape, cut.name)
        bar, seeds, stop = sweep(seeds, bar, start, stop), {}, start
        entry = inputs[cut.name]
        if np is None:
            bar[entry] = _finite_adjoint(tape, bar, entry, given)
        seed = bar[entry]
        if seed is None or (np is None and seed == 0):
            counts.append(cut.pending.close())
            unneeded += 1
            continue
        try:
            done = cut.pending.finish(_as_state(seed, cut.pending.run.loop, np))
        except MathError as error:
            raise _NotFinite(f"in {cut.label}, {error.message}") from None
        counts.append(done.counts)
        for node, g in zip(cut.nodes, done.gradient):
            source = tape.entry_of[node] if node >= 0 else -1
            if source >= 0:
                seeds[source] = g if source not in seeds else seeds[source] + g
                given[source] = g if source not in given else given[source] + g
    bar = sweep(seeds, bar, 0, stop)
    if np is None:
        loops = {inputs[cut.name] for cut in cuts}
        for entry in inputs.values():
            if entry not in loops:
                bar[entry] = _finite_adjoint(tape, bar, entry, given)
    return bar, counts, unneeded


def _place(tape, name: str) -> int:
    """The number of the first edge of an entry made after the loop ``name``."""
    from bisect import bisect_left, bisect_right

    first = bisect_right(tape.nodes, tape.graph.variables[name], len(tape.graph.variables))
    return bisect_left(tape.edge_out, first)


def _finite_adjoint(tape, bar: list, entry: int, given: dict):
    """:func:`adcli.tape.sweeps.finite_adjoint`; what it refuses may still cancel
    across a loop (see :func:`_forward_gradient`)."""
    try:
        return finite_adjoint(tape, bar, entry, FLOAT, given)
    except MathError as error:
        raise _NotFinite(error.message) from None


class _NotFinite(MathError):
    """An adjoint that is not finite: forward mode through the loops decides."""


def _forward_gradient(tape, cuts: list, wrt) -> tuple:
    """The gradient by tangent sweeps: for each input, the program's tape is swept
    forward loop by loop, each loop's final-state tangent carried through its
    steps (one step's tape at a time, from the first state).  A zero tangent meets
    an infinite partial as 0 there, as in plain reverse mode's forward re-sweep.
    Returns the gradient and the number of tangent sweeps of the program's tape."""
    inputs, entry_of, gradient, sweeps = tape.inputs, tape.entry_of, {}, 0
    for name in wrt:
        seeds = {inputs[name]: 1.0}
        for cut in cuts:  # in the program's order: a loop's inputs come before it
            dot, sweeps = tangents(tape, seeds), sweeps + 1
            given = [dot[entry_of[node]] if node >= 0 and entry_of[node] >= 0 else 0.0
                     for node in cut.nodes]
            seeds[inputs[cut.name]] = _loop_tangent(cut, given)
        dot, sweeps = tangents(tape, seeds), sweeps + 1
        value = dot[tape.output] if tape.output >= 0 else 0.0
        if not math.isfinite(value):
            raise derivative_error(tape, lambda out, arg: dot[arg] != 0)
        gradient[name] = value
    return gradient, sweeps


def _loop_tangent(cut: _Cut, given: list) -> float:
    """The final state's tangent of a loop of numbers, from its inputs' ``given``."""
    loop = cut.pending.run.loop
    state, carried, params = loop.state, given[0], given[1:]
    for index in range(loop.n):
        step = loop.tape_at(state)
        entries = step.inputs
        seed = {entries[name]: d for name, d in zip(loop.names, (carried, *params))
                if name in entries and d}
        dot = tangents(step, seed)
        carried = dot[step.output] if step.output >= 0 else 0.0
        if not math.isfinite(carried):
            error = derivative_error(step, lambda out, arg: dot[arg] != 0)
            raise MathError(f"in {cut.label}, step {index + 1}: {error.message}")
        state = step.value
    return carried


def _finite(g, np) -> bool:
    return math.isfinite(g) if np is None or not getattr(g, "shape", ()) else \
        bool(np.all(np.isfinite(g)))


def _record(graph, point, np):
    if np is None:
        return record(graph, point)
    from ..ops.namespaces import numpy_math

    return record(graph, point, numpy_math())


def _as_state(seed, loop: StepLoop, np):
    """A boundary's adjoint in the state's own shape (a sweep may leave a scalar)."""
    if not loop.shape:
        return float(seed)
    return np.broadcast_to(seed, loop.shape).astype(float)


def _gradient(g, value, np):
    shape = getattr(value, "shape", ())
    if g is None:
        return np.zeros(shape) if shape else 0.0
    if shape and np.shape(g) != shape:
        return np.broadcast_to(g, shape).astype(float)
    return float(g) if not shape else g


def _value(value, np):
    return float(value) if np is not None and not getattr(value, "shape", ()) else value
def _peaks(cuts: list, counts: list) -> tuple:
    """Stored values and snapshots at most: loop k is reversed while the loops before
    it still hold what their first pass kept (``Pending.held``)."""
    stored = snapshots = held_stored = held_snapshots = 0
    for cut, c in zip(cuts, counts):
        stored = max(stored, held_stored + c.peak_stored)
        snapshots = max(snapshots, held_snapshots + c.peak_snapshots)
        held_stored += cut.pending.held[0]
        held_snapshots += cut.pending.held[1]
    return max(stored, held_stored), max(snapshots, held_snapshots)
