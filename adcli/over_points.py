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

from .errors import MathError
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
        at = fixed + [f"{k}={float(chunk[k][row])!r}" for k in names]
        try:
            if any(not np.isfinite(chunk[k][row]) for k in names):
                raise MathError("the point is not finite (" + ", ".join(
                    f"{k} = {float(chunk[k][row])}" for k in names
                    if not np.isfinite(chunk[k][row])) + ")")
            single = problem(expression, at, wrt, digits, method)
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
