"""``adcli tape`` and ``adcli graph``: the trace at a point, as a table or a picture."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from .settings import FormulaSettings


@dataclass(frozen=True)
class TapeSettings(FormulaSettings):
    mode: str | None = None
    seed: str | None = None
    numbering: str | None = None
    digits: int | None = None
    example: str | None = None
    summary: bool = False


def run_tape(settings: TapeSettings) -> None:
    from ..render import render
    from ..studies.entry import tape_trace

    render(tape_trace(settings.formula(), settings.at, settings.wrt, settings.mode,
                      settings.seed, settings.numbering, settings.digits, settings.example,
                      settings.summary), settings.output(), quiet=settings.quiet)


@dataclass(frozen=True)
class GraphSettings(FormulaSettings):
    digits: int | None = None
    render_to: str | None = None

    def __post_init__(self):
        super().__post_init__()
        if self.quiet and not self.at:
            from ..errors import UsageError

            raise UsageError("--quiet prints the values and adjoints at a point: give --at")
        if self.render_to is not None:  # the file and Graphviz, known before any output
            from ..render.drawing import check_render

            check_render(self.render_to)


def run_graph(settings: GraphSettings) -> None:
    from ..render import render
    from ..studies.graph_view import graph_view

    view = graph_view(settings.formula(), settings.at, settings.digits)
    render(view, settings.output("text"), quiet=settings.quiet)
    if settings.render_to is not None:
        from ..render.drawing import save

        written = save(view, settings.render_to)
        sys.stderr.write(f"adcli: graph drawn to {written}\n")
