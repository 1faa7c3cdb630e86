"""The library entry point the CLI calls: text in, a result record out."""

from __future__ import annotations

from collections.abc import Iterable

from .backends import FormulaSource, Problem, backend
from .errors import UsageError
from .language.graph import VAR
from .language.parser import parse
from .language.points import parse_point, parse_value, parse_wrt
from .ops.precision import arithmetic
from .records import Derivative


def problem(expression: str, at: Iterable[str] = (), wrt: Iterable[str] = (),
            digits: int | None = None, method: str = "auto",
            step: str | None = None, several: bool = False) -> Problem:
    """Parse and check a request once; every backend then reads the same graph.

    ``several`` accepts comma-separated outputs (a vector formula).  ``FILE.py:F``
    names a Python program, traced at the point (see :mod:`adcli.program`)."""
    program = None
    if ".py:" in expression and _names_a_program(expression):
        from .programs.trace import load

        program = load(expression)
        variables = list(program.parameters)
    else:
        graph = parse(expression, several)
        variables = list(graph.variables)
    with arithmetic(digits) as m:
        point = parse_point(at, variables, m)
        step_value = None if step is None else parse_value(step, "", m, option="--step")
    if step_value is not None and not step_value > 0:
        raise UsageError(f"--step {step}: the step must be positive")
    decisions = ()
    if program is not None:
        from .programs.trace import trace

        graph, decisions = trace(program, point)
        for name in variables:  # an input the run never used is still an input
            graph.add(VAR, (), name)
        graph.variables = {name: graph.variables[name] for name in variables}
    if program is None:
        source = FormulaSource(graph)
    else:
        from .programs.source import ProgramSource

        source = ProgramSource(program, tuple(decisions))
    return Problem(expression, graph, point, parse_wrt(wrt, variables), digits, method,
                   step_value, source=source)


def _names_a_program(expression: str) -> bool:
    from .programs.trace import is_program  # only now: tracing needs inspect and importlib

    return is_program(expression)


def differentiate(expression: str, at: Iterable[str] = (), wrt: Iterable[str] = (),
                  mode: str = "reverse", digits: int | None = None, method: str = "auto",
                  step: str | None = None, order: int | None = None) -> Derivative:
    """The value and gradient of ``expression`` at the point, by ``mode``.

    >>> differentiate("x*sin(y)", ["x=3", "y=pi/6"]).gradient["x"]
    0.49999999999999994
    """
    request = problem(expression, at, wrt, digits, method, step)
    if order is not None:  # all derivatives up to ``order`` by Taylor mode
        from dataclasses import replace

        return backend("taylor")(replace(request, order=order))
    return backend(mode)(request)
