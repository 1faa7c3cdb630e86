"""``adcli diff``: its settings, and the one library call they make.

No Click here: :mod:`.app` and the fast reader (:mod:`.fast`) both build
:class:`DiffSettings` and call :func:`run_diff`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import MathError
from .settings import ManyPointsSettings


@dataclass(frozen=True)
class DiffSettings(ManyPointsSettings):
    mode: str | None = None
    method: str | None = None
    step: str | None = None
    digits: int | None = None
    order: int | None = None
    example: str | None = None
    checkpoint: str | None = None


def run_diff(settings: DiffSettings) -> None:
    from .run_points import run_points, wants_points

    if wants_points(settings):
        return run_points(settings, settings.mode or "reverse", settings.digits,
                          settings.method or "auto")
    from ..render import render, warn

    if settings.example is not None:
        result = _example(settings)
    else:
        from ..api import differentiate

        result = differentiate(settings.formula(), settings.at,
                               settings.wrt, settings.mode or "reverse", settings.digits,
                               settings.method or "auto",
                               settings.step, settings.order, settings.checkpoint)
    if settings.strict and result.warnings:
        raise MathError(f"--strict: {result.warnings[0].message}")
    warn(result.warnings)
    render(result, settings.output(), quiet=settings.quiet)


def _example(settings: DiffSettings):
    """A built-in example brings its formula and point: what would replace them is refused."""
    from ..errors import UsageError
    from ..studies.examples import differentiated

    for name, flag in (("expression", "EXPR"), ("program", "--program"), ("at", "--at"),
                       ("digits", "--precision"), ("order", "--order"),
                       ("checkpoint", "--checkpoint")):
        if getattr(settings, name) not in (None, ()):
            raise UsageError(f"--example brings its own formula and point: leave out {flag} "
                             f"(or differentiate the formula itself; see: adcli examples)")
    return differentiated(settings.example, settings.wrt, settings.mode or "reverse")
