"""Many formulas in one process: one JSON request in, one JSON-ready dict out.

A request is what ``adcli diff`` would be given, as data:
``{"expression": "x*sin(y)", "at": {"x": 3, "y": "pi/6"}, "mode": "forward"}``.
Its answer is the dict ``diff -f json`` prints (built by the same function),
or ``{"error": message, "exit": code}`` with the message and exit code
``diff`` would give; ``id`` is echoed either way.  Nothing here prints, and
a request never names a program to run: formula text only.
"""

from __future__ import annotations

import json

from .errors import AdcliError, UsageError, choose

#: The keys a request may have; any other is refused (a typo must not be dropped).
FIELDS = ("expression", "at", "wrt", "mode", "method", "step", "order", "precision", "id")


def answer_line(line: str | bytes, number: int | None = None, *, debug: bool = False):
    """The answer to one line of JSON-lines input; None for a blank line.

    A line that is not one JSON object is a usage error (exit 2) like any other.
    """
    where = f"line {number}: " if number is not None else ""
    try:
        if isinstance(line, bytes):
            line = line.decode("utf-8")
        line = line.lstrip("\ufeff")
        if not line.strip():
            return None
        request = json.loads(line, parse_constant=_no_constant, parse_float=_finite)
    except UnicodeDecodeError as error:
        return _failure(UsageError(f"{where}not UTF-8 text: byte 0x{error.object[error.start]:02x}"
                                   f" at offset {error.start}"))
    except ValueError as error:
        return _failure(UsageError(f"{where}not a JSON request: "
                                   f"{getattr(error, 'msg', error)}" + _column(error)))
    if not isinstance(request, dict):
        return _failure(UsageError(f"{where}a request is a JSON object such as "
                                   f'{{"expression": "x**2", "at": {{"x": 3}}}}, '
                                   f"not {type(request).__name__}"))
    return answer(request, debug=debug)


def answer(request: dict, *, debug: bool = False) -> dict:
    """The ``diff -f json`` dict for ``request``, or its error dict; never raises
    for a bad request (``debug`` re-raises, for the traceback)."""
    try:
        out = _json_dict(derivative(request))
    except AdcliError as error:
        if debug:
            raise
        out = _failure(error)
    except MemoryError:
        out = {"error": "out of memory", "exit": 1}
    except Exception as error:  # a bug in adcli: this answer fails, the run goes on
        if debug:
            raise
        out = {"error": f"internal error: {type(error).__name__}: {error} (please report "
                        f"it)", "exit": 3}
    return {"id": request["id"], **out} if "id" in request else out


def derivative(request: dict):
    """The :class:`~adcli.records.Derivative` ``diff`` computes for ``request``."""
    from .api import differentiate
    from .backends import METHODS, MODES
    from .conflicts import refuse_conflicts

    unknown = [key for key in request if key not in FIELDS]
    if "program" in request:
        raise UsageError('a request cannot name a program ("program"): formula text only; '
                         "to differentiate a Python function use adcli diff --program")
    if unknown:
        raise UsageError(f"unknown key {unknown[0]!r} in the request (keys: "
                         f"{', '.join(FIELDS)})")
    if "expression" not in request:
        raise UsageError('a request needs "expression", the formula text')
    expression = _typed(request, "expression", str)
    mode = _typed(request, "mode", str)
    method = _typed(request, "method", str)
    order = _typed(request, "order", int)
    digits = _typed(request, "precision", int)
    step = _typed(request, "step", (str, int, float))
    if mode is not None:
        choose(mode, MODES, "mode")
    if method is not None:
        choose(method, METHODS, "method")
    refuse_conflicts(_Options(mode, method, step, order))
    return differentiate(expression, _point(request.get("at")), _wrt(request),
                           mode or "reverse", digits, method or "auto",
                           None if step is None else _number_text(step), order)


class _Options:
    """The options of a request, as the conflict rule reads them."""

    def __init__(self, mode, method, step, order):
        self.mode, self.method, self.step, self.order = mode, method, step, order


def _json_dict(record) -> dict:
    from .render.json_out import _derivative

    return _derivative(record)


def _failure(error: AdcliError) -> dict:
    out = {"error": error.message, "exit": error.exit_code}
    column = getattr(error, "column", None)
    if column is not None:
        out["column"] = column
    return out


def _typed(request: dict, key: str, kind):
    value = request.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, kind):
        want = {str: "a string", int: "a whole number"}.get(kind, "a number or a string")
        raise UsageError(f'"{key}" must be {want}, not {json.dumps(value)[:40]}')
    return value


def _number_text(value) -> str:
    return value if isinstance(value, str) else repr(value)


def _point(at) -> list:
    """``{"x": 1.5, "y": "pi/6"}`` -> ``["x=1.5", "y=pi/6"]``, read as ``--at`` reads
    them; a lone number or string is ``--at VALUE`` (a one-variable formula)."""
    from .language.points import split_list

    if at is None:
        return []
    if not isinstance(at, dict):
        at = {"": at}
    specs = []
    for name, value in at.items():
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise UsageError(f'"at": the value of {name or "the variable"} must be a number '
                             f"or a constant expression, not {json.dumps(value)[:40]}")
        text = _number_text(value)
        if "=" in name or "," in name or len(split_list(text)) > 1:
            raise UsageError(f'"at": {json.dumps({name: value})[:60]} is not one variable '
                             f"and one value")
        specs.append(f"{name}={text}" if name else text)
    return specs


def _wrt(request: dict) -> tuple:
    wrt = request.get("wrt")
    if wrt is None:
        return ()
    if isinstance(wrt, str):
        return (wrt,)
    if isinstance(wrt, list) and all(isinstance(name, str) for name in wrt):
        return tuple(wrt)
    raise UsageError('"wrt" must be a list of variable names, such as ["x", "y"]')


def _no_constant(word: str):
    raise ValueError(f"{word} is not a finite number")


def _finite(text: str) -> float:
    value = float(text)
    if value - value != 0:
        raise ValueError(f"{text} is not a finite double")
    return value


def _column(error: ValueError) -> str:
    column = getattr(error, "colno", None)
    return f" (column {column})" if column is not None else ""


__all__ = ["FIELDS", "answer", "answer_line", "derivative"]
