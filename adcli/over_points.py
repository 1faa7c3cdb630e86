"""Derivatives over a stream of points, chunk by chunk: what ``--points`` and
``--grid`` run, and what a script can iterate over.

A formula is parsed once and each chunk is one vectorised recording and one
sweep (:mod:`adcli.backends.columns`).  What cannot be vectorised runs point
by point through the ordinary backends, and says so: a program (its control
flow may depend on the point, so it is traced at each one) and ``--precision``
(mpmath has no arrays).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .errors import MathError, UsageError
from .programs import ProgramFile


def pointwise_reason(expression, digits: int | None) -> str | None:
    """Why the points run one at a time, or None when they run vectorised."""
    if isinstance(expression, ProgramFile):
        return "a program is traced at each point (its branches may depend on the point)"
    if digits is not None:
        return f"--precision {digits} runs point by point in mpmath (no arrays there)"
    return None


def differentiate_points(expression, chunks: Iterable[dict], at: Iterable[str] = (),
                         wrt: Iterable[str] = (), mode: str = "reverse",
                         digits: int | None = None, method: str = "auto",
                         supplied: Iterable[str] = ()) -> Iterator[tuple]:
    """``(chunk, Columns)`` for every chunk (name -> array) of points."""
    from .api import problem
    from .backends.columns import differentiate_columns

    request = problem(expression, at, wrt, digits, method, supplied=tuple(supplied))
    if pointwise_reason(expression, digits) is not None:
        for chunk in chunks:
            yield chunk, _one_by_one(expression, list(at), request.wrt, chunk, mode, digits,
                                     method)
        return
    for chunk in chunks:
        yield chunk, differentiate_columns(request.graph, chunk, request.point, request.wrt,
                                           mode, method)


def row_point(fixed: list, chunk: dict, row: int) -> list:
    """One row of a chunk as ``--at`` texts after the fixed ones; a row that is not a
    finite point is that row's math error."""
    values = {k: float(v[row]) for k, v in chunk.items()}
    bad = [f"{k} = {v}" for k, v in values.items() if not v - v == 0]
    if bad:
        raise MathError(f"the point is not finite ({', '.join(bad)})")
    return fixed + [f"{k}={v!r}" for k, v in values.items()]


def _one_by_one(expression, fixed: list, wrt: tuple, chunk: dict, mode: str, digits,
                method):
    """The ordinary backend at each row; a math error is that row's, not the run's."""
    from dataclasses import replace

    import numpy as np

    from .api import problem
    from .backends import backend
    from .records.columns import Columns

    names = list(chunk)
    n = len(chunk[names[0]]) if names else 1
    value, gradient = np.full(n, np.nan), {k: np.full(n, np.nan) for k in wrt}
    errors, warnings = [None] * n, [None] * n
    run = backend(mode)
    for row in range(n):
        try:
            single = problem(expression, row_point(fixed, chunk, row), wrt, digits, method)
            result = run(replace(single, wrt=wrt))
        except MathError as error:
            errors[row] = error.message
            continue
        value[row] = float(result.value)
        for k in wrt:
            gradient[k][row] = float(result.gradient[k])
        if result.warnings:
            warnings[row] = "; ".join(w.message for w in result.warnings)
    return Columns(value, gradient, errors, warnings, {"mode": mode, "pointwise": True})


#: The modes of jacobian and hessian that run vectorised over points.
VECTORISED = ("auto", "forward", "reverse", "forward-over-reverse")


def vector_reason(expression, mode: str | None = None) -> str | None:
    """Why a vector or second-order command runs one point at a time, or None."""
    if isinstance(expression, ProgramFile):
        return "a program is traced at each point (its branches may depend on the point)"
    if mode is not None and mode not in VECTORISED:
        return f"--mode {mode} runs point by point (AD modes are vectorised over points)"
    return None


def vector_variables(kind: str, expression) -> list:
    """The inputs of a (vector) formula or of a program, in order."""
    from .api import variables_of
    from .language.parser import parse

    if isinstance(expression, ProgramFile):
        return variables_of(expression)
    return list(parse(expression, kind in ("jacobian", "jvp", "vjp")).variables)


def vector_layout(kind: str, expression, at: Iterable[str] = (), wrt: Iterable[str] = (),
                  supplied: Iterable[str] = ()) -> tuple:
    """The parsed request and the nesting of its columns (see .backends.columns_vector)."""
    from .api import problem
    from .backends.columns_vector import labels, layout_of

    several = kind in ("jacobian", "jvp", "vjp")
    request = problem(expression, at, wrt, several=several, supplied=tuple(supplied))
    variables = tuple(vector_variables(kind, expression))
    count = len(request.graph.outputs or [0]) if request.graph is not None else 1
    inputs = request.wrt if kind in ("jacobian", "hessian") else variables
    return request, layout_of(kind, labels(count) if several else (), tuple(inputs))


def vector_points(kind: str, expression, chunks: Iterable[dict], at: Iterable[str] = (),
                  wrt: Iterable[str] = (), option: str | None = None,
                  supplied: Iterable[str] = ()) -> Iterator[tuple]:
    """``(chunk, VectorColumns)`` for ``adcli KIND`` (jacobian, jvp, vjp, hessian,
    hvp) at every chunk; ``option`` is the command's mode or vector, as text."""
    from .language.points import parse_numbers, parse_vector

    request, layout = vector_layout(kind, expression, at, wrt, supplied)
    if kind in ("jvp", "hvp"):
        flag = "--tangent" if kind == "jvp" else "--vector"
        if not parse_vector(option, flag):
            raise UsageError(f"give the vector, e.g. {flag} x=1,y=0")
    elif kind == "vjp":
        parse_numbers(option or "", "--cotangent")
    if vector_reason(expression, option if kind in ("jacobian", "hessian") else None):
        for chunk in chunks:
            yield chunk, _vector_one_by_one(kind, expression, list(at), request.wrt, option,
                                            chunk, layout)
        return
    compute = _vector_chunk(kind, request, option)
    for chunk in chunks:
        yield chunk, compute(chunk)


def _vector_chunk(kind: str, request, option):
    """The vectorised chunk function of ``kind`` (see .backends.columns_vector)."""
    from .backends import columns_second as second
    from .backends import columns_vector as first
    from .language.points import parse_numbers, parse_vector

    graph, fixed, wrt = request.graph, request.point, request.wrt
    if kind == "jacobian":
        return lambda chunk: first.jacobian_columns(graph, chunk, fixed, wrt, option or "auto")
    if kind == "jvp":
        tangent = parse_vector(option, "--tangent")
        return lambda chunk: first.jvp_columns(graph, chunk, fixed, tangent)
    if kind == "vjp":
        cotangent = parse_numbers(option, "--cotangent")
        return lambda chunk: first.vjp_columns(graph, chunk, fixed, cotangent)
    if kind == "hessian":
        return lambda chunk: second.hessian_columns(graph, chunk, fixed, wrt, request.text)
    vector = parse_vector(option, "--vector")
    return lambda chunk: second.hvp_columns(graph, chunk, fixed, vector, request.text)


def _vector_one_by_one(kind: str, expression, fixed: list, wrt: tuple, option, chunk: dict,
                       layout: dict):
    """The one-point command at each row; a math error is that row's, not the run's."""
    import numpy as np

    from .backends.columns_vector import names_of, pairs, result, row_of
    from .studies import entry

    study = getattr(entry, f"{kind}_at")
    names = list(chunk)
    n = len(chunk[names[0]]) if names else 1
    columns = {name: np.full(n, np.nan) for name in names_of(layout)}
    errors = [None] * n
    for row in range(n):
        try:
            one = study(expression, row_point(fixed, chunk, row), wrt,
                        *(() if option is None else (option,)))
        except MathError as error:
            errors[row] = error.message
            continue
        _kind, shape, numbers = row_of(one)
        for name, number in pairs(shape, numbers):
            columns[name][row] = float(number)
    return result(kind, layout, _nested(layout, columns), errors,
                  [None] * n, {"pointwise": True})


def _nested(layout, columns: dict):
    """The columns arranged as ``layout`` (what :func:`.result` takes)."""
    if isinstance(layout, str):
        return columns[layout]
    if isinstance(layout, dict):
        return {k: _nested(v, columns) for k, v in layout.items()}
    return [_nested(v, columns) for v in layout]
