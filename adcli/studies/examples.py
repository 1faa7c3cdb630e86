"""The textbook traces, built in: ``adcli examples`` lists them and
``adcli tape --example NAME`` runs one, so a class can start from the table
it has in its notes.  Each names its source; tests check every printed number
against it.  The vector and matrix exercises (:mod:`.array_examples`) are
listed with them; ``adcli diff --example NAME`` gives any example's gradient.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..errors import UsageError
from .array_examples import ARRAY_EXAMPLES, example_problem
from .array_examples import BY_NAME as ARRAYS


@dataclass(frozen=True)
class Example:
    name: str
    expression: str
    at: tuple
    mode: str
    numbering: str
    source: str


@dataclass(frozen=True)
class ExampleList:
    examples: tuple


EXAMPLES = (
    Example("course", "sin(x**2)+exp(x)", ("x=2",), "both", "seed",
            "the course's f(x) = sin(x^2) + e^x: forward trace and tangents"),
    Example("cube-log", "x^3 + ln(x)", ("x=2",), "forward", "seed",
            "the course's x^3 + ln x at 2: (2, 1), (8, 12), (0.6931, 0.5), (8.6931, 12.5)"),
    Example("x-sin-y", "x*sin(y)", ("x=3", "y=pi/6"), "reverse", "seed",
            "the course's x*sin(y) at (3, pi/6): adjoints 1, 3, 0.5, 2.598"),
    Example("sqrt", "sqrt(x**2 + 1)", ("x=3",), "forward", "seed",
            "the course's sqrt(x^2 + 1) at 3: (3, 1), (9, 6), (10, 6), (3.1623, 0.9487)"),
    Example("branch-0", "x**2 if x > 0 else 0", ("x=0",), "both", "seed",
            "the course's branch example at 0: the else branch, derivative 0"),
    Example("branch-0.001", "x**2 if x > 0 else 0", ("x=0.001",), "both", "seed",
            "the course's branch example at 0.001: derivative 0.002"),
    Example("baydin", "ln(x1) + x1*x2 - sin(x2)", ("x1=2", "x2=5"), "both", "griewank",
            "Baydin et al. (JMLR 2018), Tables 2-3: y = 11.652, dy/dx1 = 5.5, "
            "dy/dx2 = 1.716 (rows in Python's evaluation order: sin x2 after the sum)"),
    Example("exp2", "1 + x + x**2/2", ("x=0.5",), "forward", "seed",
            "CppAD's exp_2: values 0.5, 1.5, 0.25, 0.125, 1.625; tangents 1, 1, 1, 0.5, 1.5"),
)

#: The vector and matrix exercises, listed after the traces.
ARRAY_LISTED = tuple(Example(a.name, a.expression, a.at_options(), "reverse", "seed",
                             f"{a.closed_form} (run: adcli diff --example {a.name})")
                     for a in ARRAY_EXAMPLES)

BY_NAME = {example.name: example for example in EXAMPLES + ARRAY_LISTED}


def example(name: str) -> Example:
    if name not in BY_NAME:
        raise UsageError(f"unknown example {name!r}: choose one of {', '.join(BY_NAME)} "
                         f"(see: adcli examples)")
    return BY_NAME[name]


def differentiated(name: str, wrt=(), mode: str = "reverse"):
    """An example's value and gradient at its own point: ``adcli diff --example NAME``.

    A vector or matrix example's point is its arrays as written in
    :mod:`.array_examples`, so it does not depend on how ``--at`` reads arrays."""
    from ..backends import backend

    chosen = example(name)
    if name in ARRAYS:
        request = example_problem(ARRAYS[name], wrt)
    else:
        from ..api import problem

        request = problem(chosen.expression, chosen.at, wrt)
    return backend(mode)(request)


def listing() -> ExampleList:
    """Every built-in example, in the order ``adcli examples`` lists them, each
    formula with its LaTeX printed from the op table."""
    from ..language.parser import parse
    from ..language.printer import format_node
    from ..records.formula import Formula

    def formula(text: str) -> Formula:
        graph = parse(text)
        return Formula(text, format_node(graph, graph.output, latex=True))

    return ExampleList(tuple(replace(e, expression=formula(e.expression))
                             for e in EXAMPLES + ARRAY_LISTED))
