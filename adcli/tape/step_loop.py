"""A loop of ``state = step(state, *params)``, with the step as an adcli graph:
what checkpointing advances, tapes and sweeps step by step (see
:mod:`adcli.tape.checkpoint`).  The step is traced once, or at every state
when its control flow depends on the state; states and params may be numbers
or NumPy arrays.
"""

from __future__ import annotations

from ..errors import MathError, UsageError
from ..language.graph import CONST, VAR
from ..ops.namespaces import FLOAT
from .record import record

#: Over this many steps a schedule is refused before any work (about a minute).
MAX_STEPS = 2_000_000


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
        self.ties: dict = {}  # ``line N `source``` of comparisons a step decided by a tie
        graph, decided = self._trace(self.state)
        if not _same_graph(graph, self._trace(self.state)[0]):
            raise UsageError(f"{self.path}: the step of adcli.functions.steps gives another "
                             f"computation when called again with the same state: it keeps "
                             f"state of its own (a counter in a closure?); checkpointing "
                             f"recomputes steps, so a step must depend on its state and "
                             f"params alone (pass a time as part of the state)")
        self.fixed = graph if not decided else None
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
            if not _number_or_array(out):
                shown = "None (no return statement?)" if out is None else \
                    f"a {type(out).__name__}"
                raise UsageError(f"{self.path}: the step returned {shown}, not the next "
                                 f"state (a number or a NumPy array)")
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
        for d in tracer.decisions:
            if d.tie:
                self.ties[f"line {d.line} `{d.source}`"] = True
        # a comparison decided on the values makes the graph hold for this state only
        return graph, bool(tracer.decisions) or getattr(tracer, "masked", False)

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


def _number_or_array(x) -> bool:
    import numbers

    return (isinstance(x, numbers.Real) and not isinstance(x, bool)) or \
        type(x).__module__ == "numpy"


def _same_graph(a, b) -> bool:
    """The same nodes, and the same constant arrays (a program's graph holds them)."""
    if len(a) != len(b) or any(a.nodes[i] != b.nodes[i] for i in range(len(a))):
        return False
    arrays_a, arrays_b = getattr(a, "arrays", {}), getattr(b, "arrays", {})
    if arrays_a.keys() != arrays_b.keys():
        return False
    import numpy as np  # only a program of arrays has constant arrays

    return all(np.array_equal(arrays_a[k], arrays_b[k]) for k in arrays_a) if arrays_a else True
