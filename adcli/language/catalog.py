"""The formula language as data, generated from the op table (never retyped)."""

from __future__ import annotations

from dataclasses import dataclass

from ..ops import OPS, SURFACE, VARIADIC


@dataclass(frozen=True)
class Primitive:
    """One entry of the formula language, as ``adcli functions`` lists it."""

    syntax: str
    kind: str          # "function", "operator", "constant", ...
    description: str
    domain: str = ""
    nonsmooth: bool = False


@dataclass(frozen=True)
class Language:
    entries: tuple

_ARG_NAMES = {"atan2": "y, x", "hypot": "x, y", "pow": "x, y", "logb": "x, b"}

_OPERATORS = (
    ("x + y", "add"), ("x - y", "sub"), ("x * y", "mul"), ("x / y", "div"),
    ("x ** y, x ^ y", "pow"), ("-x", "neg"),
)

_SYNTAX = (
    Primitive("A if C else B", "conditional",
              "A where the condition C holds, else B; only the taken branch is recorded"),
    Primitive("where(C, A, B)", "conditional", "the same as A if C else B"),
    Primitive("< <= > >= == !=", "comparison",
              "comparisons for conditions; chains such as 0 < x < 1 work"),
    Primitive("and, or, not", "logic", "combine comparisons (short-circuit, as in Python)"),
)


def _call(name: str, arity_op: dict) -> list[Primitive]:
    rows = []
    for arity, op_name in sorted(arity_op.items()):
        op = OPS[op_name]
        if name in VARIADIC:
            args = "a, b, ..."
        else:
            args = _ARG_NAMES.get(op_name, "x" if arity == 1 else "x, y")
        description = op.doc if name not in ("ln", "pow") else {
            "ln": "natural logarithm (same as log)", "pow": "power, same as x**y"}[name]
        rows.append(Primitive(f"{name}({args})", "function", description,
                              op.domain[1] if op.domain else "", op.kink is not None))
    return rows


def language() -> Language:
    rows = [Primitive(syntax, "operator", OPS[name].doc,
                      OPS[name].domain[1] if OPS[name].domain else "")
            for syntax, name in _OPERATORS]
    for name, arity_op in SURFACE.items():
        rows.extend(_call(name, arity_op))
    rows.append(Primitive("pi", "constant", "3.14159..."))
    rows.append(Primitive("e", "constant", "2.71828..., Euler's number"))
    rows.extend(_SYNTAX)
    return Language(tuple(rows))
