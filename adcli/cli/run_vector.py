"""``adcli jacobian``, ``jvp``, ``vjp``, ``hessian`` and ``hvp``: vector formulas and
second order.  Each command has its own run, one call into :mod:`adcli.studies.entry`."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageError
from .settings import ManyPointsSettings


@dataclass(frozen=True)
class VectorSettings(ManyPointsSettings):
    """The options these commands share; ``mode`` or ``vector`` as the command has."""
    mode: str | None = None
    vector: str | None = None


def _run(study, settings: VectorSettings, extra) -> None:
    from ..render import render
    from .run_points import wants_points

    if wants_points(settings):
        return _run_points(study.__name__.removesuffix("_at"), settings, extra)
    if settings.strict:
        raise UsageError("--strict applies only to many points: give --points FILE or --grid")
    render(study(settings.formula(), settings.at, settings.wrt, extra),
           settings.output(), quiet=settings.quiet)


def _run_points(kind: str, settings: VectorSettings, extra) -> None:
    """One row per point of --points/--grid (see :mod:`adcli.over_points`)."""
    from ..backends.columns_vector import names_of
    from ..language.points import given_names
    from ..over_points import vector_layout, vector_points, vector_reason, vector_variables
    from .run_points import stream_points

    expression = settings.formula()
    variables = vector_variables(kind, expression)
    fixed = given_names(settings.at, variables)
    request, layout = vector_layout(kind, expression, settings.at, settings.wrt,
                                    [v for v in variables if v not in fixed])
    _one_point_only(request)

    def differentiate(chunks, supplied):
        return vector_points(kind, expression, chunks, settings.at, settings.wrt, extra,
                             supplied)

    stream_points(settings, variables, differentiate,
                  vector_reason(expression, settings.mode), names_of(layout))


def _one_point_only(request) -> None:
    """Formulas of vectors and matrices are differentiated at one point at a time."""
    from ..backends.shaped import is_shaped

    if request.graph is not None and is_shaped(request):
        raise UsageError("many points take formulas of numbers: array operations (@, sum, "
                         "...) and array values are for one point at a time")


def run_jacobian(settings: VectorSettings) -> None:
    from ..studies.entry import jacobian_at

    _run(jacobian_at, settings, settings.mode or "auto")


def run_jvp(settings: VectorSettings) -> None:
    from ..studies.entry import jvp_at

    _run(jvp_at, settings, settings.vector)


def run_vjp(settings: VectorSettings) -> None:
    from ..studies.entry import vjp_at

    _run(vjp_at, settings, settings.vector)


def run_hessian(settings: VectorSettings) -> None:
    from ..studies.entry import hessian_at

    _run(hessian_at, settings, settings.mode or "forward-over-reverse")


def run_hvp(settings: VectorSettings) -> None:
    from ..studies.entry import hvp_at

    _run(hvp_at, settings, settings.vector)
