"""The point and the variables of a request, checked against the formula.

A value is any constant expression (``pi/6``, ``sqrt(2)``, ``2^10``), read by
the same safe parser as formulas, whichever option gives it: ``--at``,
``--seed``, ``--tangent``, ``--vector``, ``--cotangent`` and ``--step`` all
read numbers here, and the point-like ones take ``x=3,y=pi/6`` lists split
at the commas outside parentheses (``x=atan2(1,2)`` is one value).

A variable may also be an array (:func:`parse_array`): nested lists of such
values (``A=[[1,2],[3,4]]``) or a file (``A=@a.npy``, ``A=@a.csv``).  Only
those read NumPy: a scalar point never imports it.
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


#: The most dimensions an array value may have.
MAX_DIMENSIONS = 3


def parse_array(text: str, name: str, option: str = "--at"):
    """A float64 NumPy array from nested lists of constant expressions
    (``[[1,2],[3,pi]]``, rectangular, up to three dimensions) or from a file
    (``@a.npy`` read without pickles, ``@a.csv`` of numbers separated by commas)."""
    import numpy as np

    text = text.strip()
    label = f"{option} {name}={text}"
    if text.startswith("@"):
        array = _read_array_file(np, text[1:].strip(), label)
    else:
        array = np.array(_nested(text, name, option, label), dtype=np.float64)
    if array.size == 0:
        raise UsageError(f"{label}: an array needs at least one element")
    if array.ndim > MAX_DIMENSIONS:
        raise UsageError(f"{label}: {array.ndim} dimensions; arrays have at most "
                         f"{MAX_DIMENSIONS}")
    if not np.isfinite(array).all():
        where = tuple(int(k) for k in np.argwhere(~np.isfinite(array))[0])
        raise UsageError(f"{label}: the element {name}{list(where)} is not finite")
    return array if array.ndim else float(array)  # a file of one number: a scalar


def _read_array_file(np, path: str, label: str):
    import os

    suffix = os.path.splitext(path)[1].lower()
    if suffix not in (".npy", ".csv"):
        raise UsageError(f"{label}: an array file is .npy or .csv, not {path!r}")
    try:
        if suffix == ".npy":
            array = np.load(os.path.expanduser(path), allow_pickle=False)
        else:
            array = np.loadtxt(os.path.expanduser(path), delimiter=",", dtype=np.float64)
    except (OSError, ValueError, EOFError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"{label}: cannot read {path}: {detail.splitlines()[0]}") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "iuf":
        kind = getattr(array, "dtype", type(array).__name__)
        raise UsageError(f"{label}: {path} holds {kind}, not numbers")
    return array.astype(np.float64)


def _nested(text: str, name: str, option: str, label: str) -> list:
    """``[[1,2],[3,4]]`` as nested lists of floats, checked rectangular, in one
    pass over the characters (no recursion: the nesting is the user's)."""
    stack: list[list] = []    # the lists still open
    paths: list[str] = []     # each open list's place, as the user writes it: A[1]
    done, last, start, parens = None, "", 0, 0
    for k, ch in enumerate(text):
        if parens:  # commas inside a call belong to it: atan2(1,2)
            parens += (ch == "(") - (ch == ")")
            continue
        if ch == "(":
            parens = 1
            continue
        if ch not in "[],":
            continue
        piece = text[start:k].strip()
        if done is not None or (ch != "[" and not stack):
            raise UsageError(f"{label}: unexpected {ch!r} after the closing ']'" if done
                             is not None else f"{label}: unmatched {ch!r}")
        if ch == "[":
            if piece or last == "]":
                raise UsageError(f"{label}: a ',' is missing before the '[' at "
                                 f"character {k + 1}")
            if len(stack) == MAX_DIMENSIONS:
                raise UsageError(f"{label}: arrays have at most {MAX_DIMENSIONS} dimensions")
            paths.append(f"{paths[-1]}[{len(stack[-1])}]" if stack else name)
            stack.append([])
        else:
            if piece:
                if last == "]":
                    raise UsageError(f"{label}: a ',' is missing after {paths[-1]}"
                                     f"[{len(stack[-1]) - 1}]")
                stack[-1].append(parse_value(piece, option=option,
                                             given=f"{paths[-1]}[{len(stack[-1])}]={piece}"))
            elif last != "]" and not (ch == "]" and last == "[" ):
                raise UsageError(f"{label}: an empty element in {paths[-1]}")
            if ch == "]":
                closed, place = stack.pop(), paths.pop()
                _check_rows(closed, place, label)
                if stack:
                    stack[-1].append(closed)
                else:
                    done = closed
        last, start = ch, k + 1
    if done is None or text[start:].strip():
        raise UsageError(f"{label}: unclosed '['" if done is None else
                         f"{label}: text after the closing ']'")
    return done


def _check_rows(items: list, place: str, label: str) -> None:
    """Every element of one list is a number, or every one a list of one shape."""
    if not items:
        raise UsageError(f"{label}: {place} is empty")
    first = items[0]
    for k, item in enumerate(items[1:], 1):
        if isinstance(item, list) != isinstance(first, list):
            raise UsageError(f"{label}: ragged: {place}[{k}] is "
                             f"{'a list' if isinstance(item, list) else 'a number'} where "
                             f"{place}[0] is {'a list' if isinstance(first, list) else 'a number'}")
        if isinstance(item, list) and _shape(item) != _shape(first):
            raise UsageError(f"{label}: ragged: row {place}[{k}] has {_size(item)} where "
                             f"{place}[0] has {_size(first)}")


def _size(items: list) -> str:
    shape = _shape(items)
    if len(shape) == 1:
        return f"{shape[0]} element" + ("" if shape[0] == 1 else "s")
    return "shape (" + ", ".join(map(str, shape)) + ")"


def _shape(items: list) -> tuple:
    shape = []
    while isinstance(items, list):
        shape.append(len(items))
        items = items[0]
    return tuple(shape)


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
        point[name] = (parse_array(text, name) if text.lstrip()[:1] in ("[", "@")
                       else parse_value(text, name, m))
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
