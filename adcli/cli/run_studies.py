"""``adcli compare``, ``steps`` and ``swell``: the method studies' settings and runs.

Each run is one call into :mod:`adcli.studies.entry` and one renderer; a
progress line on stderr (:mod:`.progress`) follows the long ones.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from .settings import FormulaSettings


@dataclass(frozen=True)
class CompareSettings(FormulaSettings):
    digits: int | None = None
    reference_digits: int = 50
    budget: float = 10.0


def run_compare(settings: CompareSettings) -> None:
    from ..render import render, warn
    from ..studies.compare import METHODS
    from ..studies.entry import method_comparison
    from .progress import progress

    with progress(len(METHODS) + 1, "comparing") as step:
        result = method_comparison(settings.formula(), settings.at,
                                   settings.wrt, settings.digits, settings.reference_digits,
                                   settings.budget, on_step=step)
    warn(result.warnings)
    render(result, settings.output(), quiet=settings.quiet)


@dataclass(frozen=True)
class StepsSettings(FormulaSettings):
    plot: str | None = None

    def __post_init__(self):  # before the scan, not after it
        super().__post_init__()
        if self.plot is not None:  # the file and matplotlib, known before any output
            from ..render.vcurve import check

            check(self.plot)


def run_steps(settings: StepsSettings) -> None:
    from ..render import render, warn
    from ..studies.entry import step_scan

    result = step_scan(settings.formula(), settings.at, settings.wrt)
    warn(result.warnings)
    render(result, settings.output(), quiet=settings.quiet)
    if settings.plot is not None:
        from ..render.vcurve import save

        written = save(result, settings.plot)
        sys.stderr.write(f"adcli: V-curve written to {written}\n")


@dataclass(frozen=True)
class SwellSettings(FormulaSettings):
    order: int | None = None
    budget: float = 5.0


def run_swell(settings: SwellSettings) -> None:
    from ..render import render
    from ..studies.swell import expression_swell
    from .progress import progress

    with progress(settings.order or 4, "differentiating") as step:
        result = expression_swell(settings.formula(), settings.at,
                                  settings.wrt, settings.order, settings.budget, on_step=step)
    render(result, settings.output(), quiet=settings.quiet)
