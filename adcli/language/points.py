"""The point and the variables of a request, checked against the formula.

A value is any constant expression (``pi/6``, ``sqrt(2)``, ``2^10``), read by
the same safe parser as formulas, whichever option gives it: ``--at``,
``--seed``, ``--tangent``, ``--vector``, ``--cotangent`` and ``--step`` all
read numbers here, and the point-like ones take ``x=3,y=pi/6`` lists split
at the commas outside parentheses (``x=atan2(1,2)`` is one value).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..errors import MathError, ParseError, UsageError
from ..ops.namespaces import FLOAT
from ..ops import CONSTANTS, SURFACE
from .parser import parse
from ..tape.record import record


#: A plain decimal number, read as Python reads it (the parser would give the same double).
_PLAIN = re.compile(r"\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*\Z", re.ASCII)

#: Words that name no finite number, refused as such rather than as variables.
_NOT_FINITE = frozenset({"inf", "infinity", "nan"})


def parse_value(text: str, name: str = "", m=FLOAT, option: str = "--at",
                given: str | None = None) -> float:
    """A finite number (float, or mpmath in namespace ``m``) from a constant expression.

    Every option's numbers are read here.  A value given alone (``--at x=...``,
    ``--step``) is refused as a parse error, with a caret under its column; one
    from a list (``given``: ``--tangent x=1,y=a``) by one line quoting the list.
    """
    label = f"{option} {given}: " if given is not None else (
        f"{option} {name}={text}: " if name else f"{option} {text}: ")

    def refuse(message: str, column: int):
        if given is None:
            return ParseError(label + message, text, column)
        return UsageError(label + message)

    if m is FLOAT and _PLAIN.match(text):  # 50,000 --at x1=0.5 need no parser
        value = float(text)
        if value - value == 0:
            return value
    try:
        graph = parse(text)
    except ParseError as error:
        raise refuse(error.message, error.column) from None
    if graph.variables:
        word = next(iter(graph.variables))
        raise refuse(f"{word} is not a finite number" if word.lower() in _NOT_FINITE else
                     f"'{word}' is not a number: a value is a constant expression, without "
                     f"variables", max(text.find(word), 0))
    try:
        value = record(graph, {}, m, partials=False).value
    except MathError as exc:  # a point that is no number is the request's fault: exit 2
        raise UsageError(f"{label}{exc.message}") from None
    if not m.finite(value):
        raise UsageError(f"{label}the value is not finite")
    return value if m is not FLOAT else float(value)


def check_names(names: Iterable[str], variables: Sequence[str], option: str,
                known: frozenset | None = None) -> None:
    """Refuse the first of ``names`` that is not a variable, listing those there are."""
    known = frozenset(variables) if known is None else known
    for name in names:
        if name not in known:
            raise UsageError(f"{option} names '{name}', which is not a variable of the "
                             f"formula (variables: {', '.join(variables) or 'none'})")


def _check_name(name: str, variables: Sequence[str], known: frozenset) -> None:
    if name in CONSTANTS:
        raise UsageError(f"cannot assign {name}: it is a constant")
    if name in SURFACE:
        raise UsageError(f"cannot assign {name}: it is a function")
    check_names([name], variables, "--at", known)


def split_list(text: str) -> list:
    """``"x=3,y=atan2(1,2)"`` -> ``["x=3", "y=atan2(1,2)"]``: commas outside brackets."""
    parts, depth, start = [], 0, 0
    for k, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:k])
            start = k + 1
    return parts + [text[start:]]


def parse_point(specs: Iterable[str], variables: Sequence[str], m=FLOAT,
                supplied: frozenset = frozenset()) -> dict:
    """``["x=3", "y=pi/6"]``, ``["x=3,y=pi/6"]`` (or ``["2"]`` for a one-variable
    formula) -> values; ``supplied`` names come from elsewhere (a column of points)."""
    point: dict[str, float] = {}
    known = frozenset(variables)
    for spec in (part for given in specs for part in split_list(given)):
        name, sep, text = spec.partition("=")
        name = name.strip()
        if not sep:
            if len(variables) != 1:
                shown = ", ".join(variables) if variables else "none"
                raise UsageError(f"--at {spec}: name the variable, as --at NAME=VALUE "
                                 f"(variables: {shown})")
            name, text = variables[0], spec
        else:
            _check_name(name, variables, known)
        if name in point:
            raise UsageError(f"--at gives {name} twice")
        if name in supplied:
            raise UsageError(f"--at {name}: {name} is a column of the points already; "
                             f"give it one way")
        point[name] = parse_value(text, name, m)
    missing = [v for v in variables if v not in point and v not in supplied]
    if missing:
        raise UsageError(f"no value for {', '.join(missing)}: give --at {missing[0]}=VALUE")
    return {v: point[v] for v in variables if v in point}


def given_names(specs: Iterable[str], variables: Sequence[str]) -> list:
    """The names ``--at`` fixes (``x=3,y=1`` -> x, y; a bare value names the only variable)."""
    names = []
    for spec in (part for given in specs for part in split_list(given)):
        name, sep, _text = spec.partition("=")
        names.append(name.strip() if sep else (variables[0] if len(variables) == 1 else ""))
    return [name for name in names if name]


def parse_wrt(specs: Iterable[str], variables: Sequence[str]) -> tuple:
    """``["x,y"]`` or ``["x", "y"]`` -> ``("x", "y")``; all variables if empty."""
    names: dict[str, None] = {}
    known = frozenset(variables)
    for spec in specs:
        for name in spec.split(","):
            name = name.strip()
            if not name:
                continue
            if name not in known:
                raise UsageError(f"--wrt {name}: not a variable of the formula "
                                 f"(variables: {', '.join(variables) or 'none'})")
            names[name] = None
    return tuple(names) if names else tuple(variables)


def parse_vector(text: str | None, option: str) -> dict | None:
    """``"x=1,y=pi/6"`` -> ``{"x": 1.0, "y": 0.5235...}`` (a bare name means 1)."""
    if not text:
        return None
    vector = {}
    for part in split_list(text):
        key, sep, value = part.partition("=")
        key = key.strip()
        number = parse_value(value, key, option=option, given=text) if sep else 1.0
        if key in vector:
            raise UsageError(f"{option} {text}: {key} is given twice")
        vector[key] = number
    return vector


def parse_numbers(text: str, option: str) -> list:
    """``"1,0,0"`` -> [1.0, 0.0, 0.0]: a vector over the outputs, in order."""
    if not text:
        raise UsageError(f"give {option}: one number per output, e.g. 1,0")
    return [parse_value(part, option=option, given=text) for part in split_list(text)]


def vector_over(vector: dict, variables: Sequence[str], option: str) -> dict:
    """A vector given by name, over every variable in order; those not named are 0.

    The seed of a tangent sweep (``--tangent``, ``--vector``, ``--seed``): every
    name must be a variable, so a typo is refused rather than read as 0.
    """
    check_names(vector, variables, option)
    return {k: float(vector.get(k, 0.0)) for k in variables}
