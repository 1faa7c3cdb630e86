"""The formula language as data, generated from the op table (never retyped)."""

from __future__ import annotations

from dataclasses import dataclass

from ..ops import OPS, SURFACE


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

_SYNTAX = (
    Primitive("A if C else B", "conditional",
              "A where the condition C holds, else B; only the taken branch is recorded"),
    Primitive("where(C, A, B)", "conditional", "the same as A if C else B"),
    Primitive("< <= > >= == !=", "comparison",
              "comparisons for conditions; chains such as 0 < x < 1 work"),
    Primitive("and, or, not", "logic", "combine comparisons (short-circuit, as in Python)"),
)


def _operator(op) -> Primitive:
    params = op.params.split(", ")
    syntax = ", ".join(f"{symbol}{params[0]}" if op.arity == 1
                       else f"{params[0]} {symbol} {params[1]}" for symbol in op.symbol)
    return Primitive(syntax, "operator", op.doc, op.domain[1] if op.domain else "")


def _call(name: str, arity_op: dict) -> list[Primitive]:
    rows = []
    for arity, op_name in sorted(arity_op.items()):
        op = OPS[op_name]
        rows.append(Primitive(f"{name}({op.params})", "function", op.names[name] or op.doc,
                              op.domain[1] if op.domain else "", op.kink is not None))
    return rows


def language() -> Language:
    rows = [_operator(op) for op in OPS.values() if op.symbol]
    for name, arity_op in SURFACE.items():
        rows.extend(_call(name, arity_op))
    rows.append(Primitive("pi", "constant", "3.14159..."))
    rows.append(Primitive("e", "constant", "2.71828..., Euler's number"))
    rows.extend(_SYNTAX)
    return Language(tuple(rows))
