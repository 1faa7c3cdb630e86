"""What the commands besides ``diff`` do once their options are read.

Kept apart from :mod:`.commands` so that a plain ``adcli diff`` (read without
Click) does not pay for defining them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from ..errors import UsageError
from .commands import read_expression


@dataclass(frozen=True)
class CompareSettings:
    expression: str
    at: tuple = ()
    wrt: tuple = ()
    digits: int | None = None
    reference_digits: int = 50
    budget: float = 10.0
    fmt: str = "table"


def run_compare(settings: CompareSettings) -> None:
    from ..api import problem
    from ..studies.compare import METHODS, compare
    from ..render import render
    from .progress import progress

    if not 1 <= settings.reference_digits <= 10_000:
        raise UsageError(f"--reference-digits {settings.reference_digits}: give 1 to 10,000")
    if not settings.budget > 0:
        raise UsageError("--budget must be positive")
    request = problem(read_expression(settings.expression), settings.at, settings.wrt,
                      settings.digits)
    with progress(len(METHODS) + 1, "comparing") as step:
        result = compare(request, settings.reference_digits, on_step=step,
                         budget=settings.budget)
    render(result, settings.fmt)


@dataclass(frozen=True)
class StepsSettings:
    expression: str
    at: tuple = ()
    wrt: tuple = ()
    plot: str | None = None
    fmt: str = "table"


def run_steps(settings: StepsSettings) -> None:
    from ..api import problem
    from ..render import render
    from ..studies.steps import sweep

    if settings.plot and not settings.plot.lower().endswith((".png", ".svg")):
        raise UsageError(f"--plot {settings.plot}: the file must end in .png or .svg")
    result = sweep(problem(read_expression(settings.expression), settings.at, settings.wrt))
    render(result, settings.fmt)
    if settings.plot:
        from ..render.vcurve import save

        save(result, settings.plot)


@dataclass(frozen=True)
class SwellSettings:
    expression: str
    at: tuple = ()
    wrt: tuple = ()
    order: int = 4
    budget: float = 5.0
    fmt: str = "table"


def run_swell(settings: SwellSettings) -> None:
    from ..api import problem
    from ..render import render
    from ..studies.swell import swell
    from .progress import progress

    request = problem(read_expression(settings.expression), settings.at, settings.wrt)
    with progress(settings.order, "differentiating") as step:
        result = swell(request, settings.order, settings.budget, on_step=step)
    render(result, settings.fmt)


@dataclass(frozen=True)
class TapeSettings:
    expression: str | None
    at: tuple = ()
    wrt: tuple = ()
    mode: str | None = None
    seed: str | None = None
    numbering: str | None = None
    digits: int | None = None
    example: str | None = None
    summary: bool = False
    fmt: str = "table"


def run_tape(settings: TapeSettings) -> None:
    from ..api import problem
    from ..render import render
    from ..language.points import parse_vector
    from ..studies.tape_table import trace

    expression, at = settings.expression, settings.at
    mode, numbering = settings.mode, settings.numbering
    if settings.example is not None:
        from ..studies.examples import example

        chosen = example(settings.example)
        if expression is not None:
            raise UsageError("give either EXPR or --example, not both")
        expression, at = chosen.expression, at or chosen.at
        mode, numbering = mode or chosen.mode, numbering or chosen.numbering
    if expression is None:
        raise UsageError("give a formula EXPR, or --example NAME (see: adcli examples)")
    if settings.digits is not None and not 1 <= settings.digits <= 17:
        raise UsageError(f"--digits {settings.digits}: give 1 to 17")
    request = problem(read_expression(expression), at, settings.wrt)
    render(trace(request, mode or "forward", numbering or "seed",
                 parse_vector(settings.seed, "--seed"), settings.digits, settings.summary),
           settings.fmt)


@dataclass(frozen=True)
class GraphSettings:
    expression: str
    at: tuple = ()
    drawing: str = "text"
    digits: int | None = None
    render_to: str | None = None


def run_graph(settings: GraphSettings) -> None:
    from ..render import drawing
    from ..language.parser import parse

    expression = read_expression(settings.expression)
    graph = tape = bar = None
    if not settings.at:
        if ".py:" in expression:
            raise UsageError("a program is traced at a point: give --at")
        graph = parse(expression)
    else:  # at a point: values, partials and the adjoints flowing
        from ..api import problem
        from ..backends.reverse import adjoints
        from ..tape.record import record

        request = problem(expression, settings.at)
        graph = request.graph
        tape = record(graph, request.point)
        bar = adjoints(tape, {tape.output: 1.0}) if tape.output >= 0 else None
    draw = {"text": drawing.text, "dot": drawing.dot, "mermaid": drawing.mermaid}
    sys.stdout.write(draw[settings.drawing](graph, tape, bar, settings.digits) + "\n")
    if settings.render_to:
        drawing.render(drawing.dot(graph, tape, bar, settings.digits), settings.render_to)


@dataclass(frozen=True)
class VectorSettings:
    """Settings of jacobian, jvp, vjp, hessian and hvp (each reads what it needs)."""

    command: str
    expression: str
    at: tuple = ()
    wrt: tuple = ()
    mode: str | None = None
    vector: str | None = None
    fmt: str = "table"


def run_vector(settings: VectorSettings) -> None:
    from ..api import problem
    from ..language.points import parse_vector
    from ..render import render

    command = settings.command
    request = problem(read_expression(settings.expression), settings.at, settings.wrt,
                      several=command in ("jacobian", "jvp", "vjp"))
    if command == "jacobian":
        from ..studies.jacobian import jacobian

        result = jacobian(request, settings.mode or "auto")
    elif command == "jvp":
        from ..studies.jacobian import jvp

        result = jvp(request, _required(parse_vector(settings.vector, "--tangent"),
                                        "--tangent x=1,y=0"))
    elif command == "vjp":
        from ..studies.jacobian import parse_numbers, vjp

        result = vjp(request, parse_numbers(settings.vector or "", "--cotangent"))
    elif command == "hessian":
        from ..studies.hessian import hessian

        result = hessian(request, settings.mode or "forward-over-reverse")
    else:
        from ..studies.hessian import hvp

        result = hvp(request, _required(parse_vector(settings.vector, "--vector"),
                                        "--vector x=1,y=0"))
    render(result, settings.fmt)


def _required(vector: dict | None, example: str) -> dict:
    if not vector:
        raise UsageError(f"give the vector, e.g. {example}")
    return vector


def run_examples(fmt: str) -> None:
    from ..studies.examples import EXAMPLES, ExampleList
    from ..render import render

    render(ExampleList(EXAMPLES), fmt)


def run_functions(fmt: str) -> None:
    from ..language.catalog import language
    from ..render import render

    render(language(), fmt)
