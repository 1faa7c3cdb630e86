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
import os
import re
import sys
import traceback
from dataclasses import dataclass

from ..errors import AdcliError, MathError, UsageError
from ..language.graph import CONST, VAR, Graph
from ..ops.namespaces import FLOAT
from ..ops import OPS

#: ``FILE.py:FUNCTION`` names a program instead of a formula.
PROGRAM = re.compile(r"^(?P<path>.+\.py):(?P<name>[A-Za-z_]\w*)$")

_UFUNCS = {"add": "add", "subtract": "sub", "multiply": "mul", "true_divide": "div",
           "divide": "div", "power": "pow", "negative": "neg", "absolute": "abs",
           "arcsin": "asin", "arccos": "acos", "arctan": "atan", "arcsinh": "asinh",
           "arccosh": "acosh", "arctanh": "atanh", "arctan2": "atan2", "maximum": "max",
           "minimum": "min", "fabs": "abs"}


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


def is_program(text: str) -> bool:
    """Whether ``text`` names FILE.py:FUNCTION (a missing file is an error, not a formula)."""
    match = PROGRAM.match(text.strip())
    if match and not os.path.isfile(match["path"]):
        raise UsageError(f"no such program file: {match['path']}")
    return bool(match)


def load(text: str) -> Program:
    """Import FILE.py (the user's own code) and find FUNCTION in it."""
    match = PROGRAM.match(text.strip())
    path, name = os.path.abspath(match["path"]), match["name"]
    spec = importlib.util.spec_from_file_location(f"adcli_program_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
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


def _user_line(path: str) -> tuple[int, str]:
    frame = sys._getframe(2)
    while frame is not None and os.path.abspath(frame.f_code.co_filename) != path:
        frame = frame.f_back
    if frame is None:
        return 0, ""
    return frame.f_lineno, linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()


class Tracer:
    """Builds the graph of one run, and remembers the run's decisions."""

    def __init__(self, path: str):
        self.path, self.graph = path, Graph()
        self.values: dict[int, float] = {}
        self.decisions: list[Decision] = []

    def variable(self, name: str, value: float) -> "Traced":
        node = self.graph.add(VAR, (), name)
        self.values[node] = value
        return Traced(self, node)

    def node(self, x) -> int:
        if isinstance(x, Traced):
            return x.node
        value = float(x)
        node = self.graph.add(CONST, (), repr(value))
        self.values[node] = value
        return node

    def apply(self, kind: str, *args) -> "Traced":
        ids = tuple(self.node(a) for a in args)
        node = self.graph.add(kind, ids)
        if node not in self.values:
            xs = [self.values[i] for i in ids]
            try:
                self.values[node] = OPS[kind].evaluate(FLOAT, *xs)
            except (ValueError, ZeroDivisionError, OverflowError):
                line, source = _user_line(self.path)
                op = OPS[kind]
                shown = ", ".join(repr(x) for x in xs)
                needs = f": it needs {op.domain[1]}" if not op.in_domain(*xs) else ""
                raise MathError(f"{self.path}:{line}: {op.title}({shown}) has no real "
                                f"value{needs} (in `{source}`)") from None
        return Traced(self, node)

    def compare(self, symbol: str, a, b) -> bool:
        x, y = (self.values[self.node(v)] for v in (a, b))
        taken = {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y, "==": x == y,
                 "!=": x != y}[symbol]
        line, source = _user_line(self.path)
        self.decisions.append(Decision(line, source, taken, x == y))
        return taken


class Traced:
    """A number whose operations are recorded; what a program's function receives."""

    __slots__ = ("tracer", "node")
    __array_priority__ = 100

    def __init__(self, tracer: Tracer, node: int):
        self.tracer, self.node = tracer, node

    @property
    def value(self) -> float:
        return self.tracer.values[self.node]

    def __repr__(self) -> str:
        return f"Traced({self.value!r})"

    def __add__(self, o): return self.tracer.apply("add", self, o)
    def __radd__(self, o): return self.tracer.apply("add", o, self)
    def __sub__(self, o): return self.tracer.apply("sub", self, o)
    def __rsub__(self, o): return self.tracer.apply("sub", o, self)
    def __mul__(self, o): return self.tracer.apply("mul", self, o)
    def __rmul__(self, o): return self.tracer.apply("mul", o, self)
    def __truediv__(self, o): return self.tracer.apply("div", self, o)
    def __rtruediv__(self, o): return self.tracer.apply("div", o, self)
    def __pow__(self, o): return self.tracer.apply("pow", self, o)
    def __rpow__(self, o): return self.tracer.apply("pow", o, self)
    def __neg__(self): return self.tracer.apply("neg", self)
    def __pos__(self): return self
    def __abs__(self): return self.tracer.apply("abs", self)
    def __lt__(self, o): return self.tracer.compare("<", self, o)
    def __le__(self, o): return self.tracer.compare("<=", self, o)
    def __gt__(self, o): return self.tracer.compare(">", self, o)
    def __ge__(self, o): return self.tracer.compare(">=", self, o)
    def __eq__(self, o): return self.tracer.compare("==", self, o)
    def __ne__(self, o): return self.tracer.compare("!=", self, o)
    __hash__ = None

    def __bool__(self):
        return self.tracer.compare("!=", self, 0)

    def __float__(self):
        raise TypeError("float() of a traced number would drop its derivative; "
                        "keep it a number (use adcli.functions for sin, exp, ...)")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        kind = _UFUNCS.get(ufunc.__name__, ufunc.__name__)
        if method != "__call__" or kwargs or kind not in OPS:
            return NotImplemented
        return self.tracer.apply(kind, *inputs)


def trace(program: Program, point: dict) -> tuple[Graph, list]:
    """Run the program at ``point`` with traced numbers: its graph and decisions."""
    tracer = Tracer(program.path)
    args = [tracer.variable(name, float(point[name])) for name in program.parameters]
    try:
        result = program.function(*args)
    except AdcliError:
        raise
    except Exception as error:  # the user's code raised: say where, in one line
        raise ProgramError(error, program.path) from None
    graph = tracer.graph
    graph.output = tracer.node(result)
    graph.outputs = [graph.output]
    return graph, tracer.decisions


def call(program: Program, point: dict):
    """The program with plain numbers (floats, mpmath or SymPy), untraced."""
    try:
        return program.function(*(point[name] for name in program.parameters))
    except AdcliError:
        raise
    except Exception as error:
        raise ProgramError(error, program.path) from None
