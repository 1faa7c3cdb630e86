"""The point and the variables of a request, checked against the formula.

A value is any constant expression (``pi/6``, ``sqrt(2)``, ``2^10``), read by
the same safe parser as formulas.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from ..errors import MathError, ParseError, UsageError
from ..ops.namespaces import FLOAT
from ..ops import CONSTANTS, SURFACE
from .parser import parse
from ..tape.record import record


def parse_value(text: str, name: str = "", m=FLOAT, option: str = "--at") -> float:
    """A finite number (float, or mpmath in namespace ``m``) from a constant expression."""
    label = f"{option} {name}=" if name else f"{option} "
    try:
        graph = parse(text)
    except ParseError as error:
        raise ParseError(f"{label}{text}: {error.message}", error.text, error.column) from None
    if graph.variables:
        variable = next(iter(graph.variables))
        column = re.search(rf"\b{variable}\b", text).start()
        raise ParseError(f"{label}{text}: a value cannot contain the variable "
                         f"'{variable}'", text, column)
    try:
        value = record(graph, {}, m, partials=False).value
    except MathError as exc:
        raise UsageError(f"{label}{text}: {exc.message}") from None
    if not m.finite(value):
        raise UsageError(f"{label}{text}: the value is not finite")
    return value if m is not FLOAT else float(value)


def check_names(names: Iterable[str], variables: Sequence[str], option: str) -> None:
    """Refuse the first of ``names`` that is not a variable, listing those there are."""
    for name in names:
        if name not in variables:
            raise UsageError(f"{option} names '{name}', which is not a variable of the "
                             f"formula (variables: {', '.join(variables) or 'none'})")


def _check_name(name: str, variables: Sequence[str]) -> None:
    if name in CONSTANTS:
        raise UsageError(f"cannot assign {name}: it is a constant")
    if name in SURFACE:
        raise UsageError(f"cannot assign {name}: it is a function")
    check_names([name], variables, "--at")


def parse_point(specs: Iterable[str], variables: Sequence[str], m=FLOAT) -> dict:
    """``["x=3", "y=pi/6"]`` (or ``["2"]`` for a one-variable formula) -> values."""
    point: dict[str, float] = {}
    for spec in specs:
        name, sep, text = spec.partition("=")
        name = name.strip()
        if not sep:
            if len(variables) != 1:
                shown = ", ".join(variables) if variables else "none"
                raise UsageError(f"--at {spec}: name the variable, as --at NAME=VALUE "
                                 f"(variables: {shown})")
            name, text = variables[0], spec
        else:
            _check_name(name, variables)
        if name in point:
            raise UsageError(f"--at gives {name} twice")
        point[name] = parse_value(text, name, m)
    missing = [v for v in variables if v not in point]
    if missing:
        raise UsageError(f"no value for {', '.join(missing)}: give --at {missing[0]}=VALUE")
    return {v: point[v] for v in variables}


def parse_wrt(specs: Iterable[str], variables: Sequence[str]) -> tuple:
    """``["x,y"]`` or ``["x", "y"]`` -> ``("x", "y")``; all variables if empty."""
    names: list[str] = []
    for spec in specs:
        for name in spec.split(","):
            name = name.strip()
            if not name:
                continue
            if name not in variables:
                raise UsageError(f"--wrt {name}: not a variable of the formula "
                                 f"(variables: {', '.join(variables) or 'none'})")
            if name not in names:
                names.append(name)
    return tuple(names) if names else tuple(variables)


def _number(part: str, text: str, option: str) -> float:
    """One finite number of an option's comma-separated list ``text``."""
    try:
        number = float(part)
    except ValueError:
        raise UsageError(f"{option} {text}: {part!r} is not a number") from None
    if not math.isfinite(number):
        raise UsageError(f"{option} {text}: {part} is not a finite number")
    return number


def parse_vector(text: str | None, option: str) -> dict | None:
    """``"x=1,y=0"`` -> ``{"x": 1.0, "y": 0.0}`` (a bare name means 1)."""
    if not text:
        return None
    vector = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key = key.strip()
        number = _number(value, text, option) if sep else 1.0
        if key in vector:
            raise UsageError(f"{option} {text}: {key} is given twice")
        vector[key] = number
    return vector


def parse_numbers(text: str, option: str) -> list:
    """``"1,0,0"`` -> [1.0, 0.0, 0.0]: a vector over the outputs, in order."""
    if not text:
        raise UsageError(f"give {option}: one number per output, e.g. 1,0")
    return [_number(part, text, option) for part in text.split(",")]


def vector_over(vector: dict, variables: Sequence[str], option: str) -> dict:
    """A vector given by name, over every variable in order; those not named are 0.

    The seed of a tangent sweep (``--tangent``, ``--vector``, ``--seed``): every
    name must be a variable, so a typo is refused rather than read as 0.
    """
    check_names(vector, variables, option)
    return {k: float(vector.get(k, 0.0)) for k in variables}
