"""The library entry point the CLI calls: text in, a result record out."""

from __future__ import annotations

from collections.abc import Iterable

from .backends import FormulaSource, Problem, backend
from .errors import ParseError, UsageError
from .language.parser import parse
from .language.points import parse_point, parse_value, parse_wrt
from .ops.precision import arithmetic
from .programs import SPEC, ProgramFile
from .records import Derivative


def problem(expression: str | ProgramFile, at: Iterable[str] = (),
            wrt: Iterable[str] = (), digits: int | None = None, method: str = "auto",
            step: str | None = None, several: bool = False,
            supplied: Iterable[str] = (), traced: bool = True) -> Problem:
    """Parse and check a request once; every backend then reads the same graph.

    ``several`` accepts comma-separated outputs (a vector formula);
    ``supplied`` names variables whose values come per row (many points);
    ``traced=False`` leaves a program's tracing to the backend (checkpointing).  A
    :class:`~adcli.programs.ProgramFile` names a Python program, traced at the
    point; text is always a formula, never a file to run."""
    program = None
    if expression is None:
        raise UsageError("give a formula EXPR, or a program: --program FILE.py:FUNCTION")
    if isinstance(expression, ProgramFile):
        from .programs.trace import load

        program = load(expression.spec)
        variables = list(program.parameters)
    else:
        graph = _parse(expression, several)
        variables = list(graph.variables)
    with arithmetic(digits) as m:
        point = parse_point(at, variables, m, frozenset(supplied))
        step_value = None if step is None else parse_value(step, "", m, option="--step")
    if step_value is not None and not step_value > 0:
        raise UsageError(f"--step {step}: the step must be positive")
    decisions = ()
    if program is not None and (supplied or not traced):  # traced later (at each point)
        graph, decisions = None, ()
    elif program is not None:
        from .programs.trace import traced_graph

        graph, decisions = traced_graph(program, point)
    if program is None:
        source = FormulaSource(graph)
    else:
        from .programs.source import ProgramSource

        source = ProgramSource(program, tuple(decisions))
    return Problem(str(expression), graph, point, parse_wrt(wrt, variables), digits, method,
                   step_value, source=source)


def variables_of(expression: str | ProgramFile) -> list:
    """The inputs of a formula (in order of appearance) or of a program (its parameters)."""
    if isinstance(expression, ProgramFile):
        from .programs.trace import load

        return list(load(expression.spec).parameters)
    return list(_parse(expression, False).variables)


#: Recently parsed formulas: a process answering many requests (``adcli batch``,
#: many points, a script) parses each text once.  Graphs are never changed
#: once parsed (derived graphs are new objects), so one can serve every request.
_PARSED: dict = {}
_PARSED_MAX, _CACHED_TEXT_MAX = 256, 10_000


def _parse(text: str, several: bool):
    """The formula's graph; text shaped like FILE.py:FUNCTION gets a hint, never a run."""
    key = (text, several)
    graph = _PARSED.get(key)
    if graph is not None:
        return graph
    try:
        graph = parse(text, several)
        if len(text) <= _CACHED_TEXT_MAX:
            if len(_PARSED) >= _PARSED_MAX:
                del _PARSED[next(iter(_PARSED))]  # the oldest
            _PARSED[key] = graph
        return graph
    except ParseError as error:
        if SPEC.match(text.strip()):
            raise ParseError(f"{error.message}; a formula never names a file: to "
                             f"differentiate a Python function use --program {text.strip()}",
                             error.text, error.column) from None
        raise


def differentiate(expression: str, at: Iterable[str] = (), wrt: Iterable[str] = (),
                  mode: str = "reverse", digits: int | None = None, method: str = "auto",
                  step: str | None = None, order: int | None = None,
                  checkpoint: str | None = None) -> Derivative:
    """The value and gradient of ``expression`` at the point, by ``mode``;
    ``checkpoint``: a program's ``steps`` loops reversed under that schedule.

    >>> differentiate("x*sin(y)", ["x=3", "y=pi/6"]).gradient["x"]
    0.49999999999999994
    """
    request = problem(expression, at, wrt, digits, method, step,
                      traced=checkpoint is None)
    if checkpoint is not None:
        from .backends.checkpointed import differentiate as checkpointed

        return checkpointed(request, checkpoint)
    if order is not None:  # all derivatives up to ``order`` by Taylor mode
        from dataclasses import replace

        return backend("taylor")(replace(request, order=order))
    return backend(mode)(request)


def gradients(expression: str, columns, at: Iterable[str] = (), wrt: Iterable[str] = (),
              mode: str = "reverse", method: str = "auto") -> dict:
    """Value and gradient at every row of ``columns``: NumPy columns in, NumPy columns out.

    ``columns`` maps variable names to 1-D arrays (a dict, or a pandas
    DataFrame: a Dask partition); ``at`` fixes the variables it lacks.  The
    result has ``value``, ``d/dNAME`` per variable and ``error`` (None, or why
    the row has NaN).  Pure, so an engine can map it over partitions:

    >>> gradients("x*y", {"x": [1.0, 2.0], "y": [3.0, 4.0]})["d/dx"].tolist()
    [3.0, 4.0]
    """
    import numpy as np

    from .backends.columns import differentiate_columns

    graph = _parse(expression, False)
    supplied = [name for name in graph.variables if name in columns]
    request = problem(expression, at, wrt, supplied=supplied)
    given = {name: np.asarray(columns[name], dtype=np.float64) for name in supplied}
    result = differentiate_columns(request.graph, given, request.point, request.wrt, mode,
                                   method)
    return {"value": result.value, **{f"d/d{k}": v for k, v in result.gradient.items()},
            "error": np.array(result.errors, dtype=object)}
