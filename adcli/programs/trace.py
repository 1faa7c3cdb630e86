"""Differentiate Python programs by tracing what they execute.

``adcli diff model.py:f --at x=0.001`` imports the user's own file (it runs as
Python runs it: this is the one place adcli executes code, and only code the
user named) and calls ``f`` with traced numbers.  Each arithmetic operation
or :mod:`adcli.functions` call on a traced number adds a node to a graph, in
execution order: every loop iteration, every recursive call, only the branch
taken.  Comparisons are decided on the values, as Python decides them, and
remembered with their line.  The resulting graph is an ordinary adcli graph:
every backend, ``tape``, ``graph`` and ``compare`` read it unchanged.
"""

from __future__ import annotations

import importlib.util
import inspect
import linecache
import math
import numbers
import os
import sys
import traceback
from dataclasses import dataclass

from ..errors import AdcliError, MathError, UsageError
from ..language.graph import CONST, VAR, Graph
from ..ops import OPS
from ..ops.family import COMPARISON_METHODS, Number
from ..ops.namespaces import FLOAT, build
from . import SPEC
from .refusals import MAX_TRACED, callee_refusal, exited, result_refusal, too_long


@dataclass(frozen=True)
class Program:
    path: str
    name: str
    function: object
    parameters: tuple


@dataclass(frozen=True)
class Decision:
    """A comparison a traced run decided: where, what, and whether it was a tie."""

    line: int
    source: str
    taken: bool
    tie: bool


def load(text: str) -> Program:
    """Import FILE.py (the user's own code) and find FUNCTION in it."""
    match = SPEC.match(text.strip())
    if match is None:
        raise UsageError(f"--program {text}: name a function in a file, as "
                         f"--program FILE.py:FUNCTION")
    if not os.path.isfile(match["path"]):
        raise UsageError(f"no such program file: {match['path']}")
    path, name = os.path.abspath(match["path"]), match["name"]
    spec = importlib.util.spec_from_file_location(f"adcli_program_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SystemExit as error:
        raise exited(error, path) from None
    except SyntaxError as error:
        raise UsageError(f"{error.filename}:{error.lineno}: syntax error: {error.msg}") \
            from None
    except Exception as error:  # the user's module failed while loading
        raise UsageError(ProgramError(error, path).message) from None
    function = getattr(module, name, None)
    if not callable(function):
        raise UsageError(f"{path} has no function {name!r}")
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    parameters = tuple(name for name, p in inspect.signature(function).parameters.items()
                       if p.kind in positional and p.default is p.empty)
    return Program(path, name, function, parameters)


class ProgramError(MathError):
    """The user's program raised: one line naming its file and line."""

    def __init__(self, error: BaseException, path: str):
        self.line, self.source = 0, ""
        for frame in traceback.extract_tb(error.__traceback__):
            if os.path.abspath(frame.filename) == path:
                self.line, self.source = frame.lineno, (frame.line or "").strip()
        super().__init__(f"{path}:{self.line}: {type(error).__name__}: {error}")
        self.kind = type(error).__name__


def _user_frame(path: str):
    """The innermost frame running the user's file, or None."""
    frame = sys._getframe(2)
    while frame is not None and os.path.abspath(frame.f_code.co_filename) != path:
        frame = frame.f_back
    return frame


def _user_line(path: str) -> tuple[int, str]:
    frame = _user_frame(path)
    if frame is None:
        return 0, ""
    return frame.f_lineno, linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()


#: NumPy ufunc name -> op, from the op table.
UFUNCS = {ufunc: op for op in OPS.values() for ufunc in op.ufuncs()}

_FLOAT_ERRORS = (ValueError, ZeroDivisionError, OverflowError)


class Tracer:
    """Builds the graph of one run, with each node's value, and remembers the
    run's decisions.

    A program's tracer (``path`` given) reports a value that fails as a math
    error at the user's line; a tracer of adcli's own sweeps (no path) keeps
    NaN, so that the graph it builds says where when it is evaluated again.
    """

    def __init__(self, path: str | None = None):
        self.path, self.graph = path, Graph()
        self.values: dict[int, float] = {}
        self.decisions: list[Decision] = []

    def variable(self, name: str, value: float) -> "Traced":
        node = self.graph.add(VAR, (), name)
        self.values[node] = value
        return Traced(self, node)

    def node(self, x) -> int:
        if isinstance(x, Traced):
            if x.tracer is not self:
                raise self.foreign()
            return x.node
        if type(x).__module__ == "numpy" and getattr(x, "shape", None) == ():
            x = x.item()  # np.where's 0-d array holding the number it chose
            if isinstance(x, Traced):
                return x.node
        if isinstance(x, complex) and self.path is not None:
            line, _source = _user_line(self.path)
            raise MathError(f"{self.path}:{line}: the complex number {x!r} meets a traced "
                            f"number: adcli differentiates real functions")
        value = float(x)
        node = self.graph.add(CONST, (), repr(value))
        self.values[node] = value
        return node

    def apply(self, op, *args) -> "Traced":
        if op.identity is not None and self.path is None:  # a sweep's 0 + x is x
            for k, a in enumerate(args):
                if not isinstance(a, Traced) and a == op.identity:
                    other = args[1 - k]
                    if isinstance(other, Traced):
                        return other
        ids = tuple([a.node if type(a) is Traced and a.tracer is self else self.node(a)
                     for a in args])
        node = self.graph.add(op.name, ids)
        values = self.values
        if node not in values:
            if node >= MAX_TRACED and self.path is not None:
                raise too_long(self.path, _user_line(self.path)[0]) from None
            xs = [values[i] for i in ids]
            try:
                values[node] = getattr(FLOAT, op.name)(*xs)
            except _FLOAT_ERRORS:
                if self.path is None:
                    self.values[node] = math.nan
                    return Traced(self, node)
                line, source = _user_line(self.path)
                shown = ", ".join(repr(x) for x in xs)
                needs = f": it needs {op.domain[1]}" if not op.in_domain(*xs) else ""
                raise MathError(f"{self.path}:{line}: {op.title}({shown}) has no real "
                                f"value{needs} (in `{source}`)") from None
        return Traced(self, node)

    def foreign(self) -> UsageError:
        """A traced number of another run met here: a checkpointed step that reads
        the program's input from its closure, not as a param."""
        line = f"{self.path}:{_user_line(self.path)[0]}: " if self.path else ""
        return UsageError(f"{line}the step of adcli.functions.steps reads a traced "
                          f"input that is not its state or a param (a closure over it?): "
                          f"pass it as a param, steps(step, state, n, x)")

    def compare(self, kind: str, a, b) -> bool:
        x, y = (self.values[self.node(v)] for v in (a, b))
        taken = getattr(FLOAT, kind)(x, y)
        if self.path is not None:
            line, source = _user_line(self.path)
            self.decisions.append(Decision(line, source, taken, x == y))
        return taken

    def truth(self, traced: "Traced") -> bool:
        """``if x:`` in a program compares x with 0; in adcli's own sweeps a
        traced number is never taken for a known zero."""
        return self.compare("ne", traced, 0) if self.path is not None else True


class Traced(Number):
    """A number whose operations are recorded; what a program's function receives."""

    __slots__ = ("tracer", "node")
    __array_priority__ = 100

    def __init__(self, tracer: Tracer, node: int):
        self.tracer, self.node = tracer, node

    def _apply(self, op, *args):
        return self.tracer.apply(op, *args)

    def _compare(self, kind, a, b):
        return self.tracer.compare(kind, a, b)

    @property
    def value(self) -> float:
        return self.tracer.values[self.node]

    def __repr__(self) -> str:
        return f"Traced({self.value!r})"

    def __bool__(self):
        return self.tracer.truth(self)

    def __float__(self):
        frame = _user_frame(self.tracer.path) if self.tracer.path else None
        raise TypeError("float() of a traced number would drop its derivative: "
                        + callee_refusal(frame))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        op = UFUNCS.get(ufunc.__name__)
        if method != "__call__" or kwargs or (op is not None and op.arity != len(inputs)):
            return NotImplemented
        if op is None:
            raise TypeError(f"numpy.{ufunc.__name__} has no derivative rule in adcli: "
                            f"use adcli.functions (`adcli functions` lists them)")
        return self.tracer.apply(op, *inputs)


def namespace(tracer: Tracer):
    """The math namespace over traced numbers: every op through the tracer, and
    comparisons decided (and, in a program, remembered) on the values."""
    def decide(kind):
        return lambda a, b: tracer.compare(kind, a, b)

    def iszero(v):
        return 1.0 if decide("eq")(v, 0) else 0.0

    helpers = {kind: decide(kind) for kind in COMPARISON_METHODS}
    helpers.update(both=FLOAT.both, either=FLOAT.either, negate=FLOAT.negate,
                   where=FLOAT.where, iszero=iszero)
    return build("traced", helpers, apply=lambda op: lambda *args: tracer.apply(op, *args),
                 raises=True, number=float, finite=lambda v: math.isfinite(_value(v)),
                 pi=FLOAT.pi, e=FLOAT.e)


def _value(x):
    return x.value if isinstance(x, Traced) else x


def trace(program: Program, point: dict) -> tuple[Graph, list]:
    """Run the program at ``point`` with traced numbers: its graph and decisions."""
    if any(getattr(point[name], "shape", ()) != () for name in program.parameters):
        from .arrays import ArrayTracer  # arrays at the point: NumPy is imported already

        tracer = ArrayTracer(program.path)
        args = [tracer.variable(name, point[name]) for name in program.parameters]
    else:
        tracer = Tracer(program.path)
        args = [tracer.variable(name, float(point[name])) for name in program.parameters]
    try:
        result = program.function(*args)
    except AdcliError:
        raise
    except SystemExit as error:
        raise exited(error, program.path) from None
    except Exception as error:  # the user's code raised: say where, in one line
        raise ProgramError(error, program.path) from None
    result = _returned(program, result, real=True)
    graph = tracer.graph
    graph.output = tracer.node(result)
    graph.outputs = [graph.output]
    return graph, tracer.decisions


def traced_graph(program: Program, point: dict) -> tuple[Graph, list]:
    """:func:`trace`, with every parameter an input, used or not, and first (a
    loop cut out of the run adds its own inputs after them)."""
    graph, decisions = trace(program, point)
    for name in program.parameters:
        graph.add(VAR, (), name)
    graph.variables = {**{name: graph.variables[name] for name in program.parameters},
                       **graph.variables}
    return graph, decisions


def call(program: Program, point: dict):
    """The program with plain numbers (floats, mpmath or SymPy), untraced."""
    try:
        result = program.function(*(point[name] for name in program.parameters))
    except AdcliError:
        raise
    except SystemExit as error:
        raise exited(error, program.path) from None
    except Exception as error:
        raise ProgramError(error, program.path) from None
    return _returned(program, result, real=False)


def _returned(program: Program, result, real: bool):
    """The program's result as one number; anything else refused in one line.

    A 0-d NumPy array (what ``np.where`` gives) is its element.  ``real``: the
    run was on real floats, so a complex or out-of-range result is the
    program's own, not a complex step's."""
    if type(result).__module__ == "numpy" and getattr(result, "shape", None) == ():
        result = result.item()
    if isinstance(result, Traced) or (isinstance(result, numbers.Number) and not real
                                      and not isinstance(result, bool)):
        return result
    if type(result).__module__.startswith("sympy") and not real:
        return result
    if real and isinstance(result, numbers.Real) and not isinstance(result, bool):
        if not isinstance(result, int) or abs(result).bit_length() <= 1024:
            return result
    raise result_refusal(f"{program.path}:{program.name}()", result)
