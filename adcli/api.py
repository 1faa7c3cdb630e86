"""The library entry point the CLI calls: text in, a result record out."""

from __future__ import annotations

from .backends import MODES, Problem, backend
from .errors import UsageError
from .parser import parse
from .point import parse_point, parse_wrt
from .records import Derivative


def problem(expression: str, at: Iterable[str] = (), wrt: Iterable[str] = ()) -> Problem:
    """Parse and check a request once; every backend then reads the same graph."""
    graph = parse(expression)
    variables = list(graph.variables)
    return Problem(expression, graph, parse_point(at, variables), parse_wrt(wrt, variables))


def differentiate(expression: str, at: Iterable[str] = (), wrt: Iterable[str] = (),
                  mode: str = "reverse") -> Derivative:
    """The value and gradient of ``expression`` at the point, by ``mode``.

    >>> differentiate("x*sin(y)", ["x=3", "y=pi/6"]).gradient["x"]
    0.49999999999999994
    """
    if mode not in MODES:
        raise UsageError(f"unknown mode {mode!r}: choose one of {', '.join(MODES)}")
    return backend(mode)(problem(expression, at, wrt))
