"""The one rule for options that cannot all be obeyed: refuse the request.

An option that the others would override or make meaningless is a usage
error (exit 2) naming both, never dropped in silence.  Options left out are
None in the settings (their help shows what that means), so "given" is
knowable here, whichever reader built them: Click, the fast reader of
``adcli diff``, or ``adcli batch`` reading a request's keys (so it lives
beside the library, not in cli/).
"""

from __future__ import annotations

from .errors import UsageError


def _given(settings, name: str) -> bool:
    """Whether the option was given: set, true, or a list that is not empty."""
    return getattr(settings, name, None) not in (None, False, ())


def _numerical_only(settings):
    for name in ("method", "step"):
        if _given(settings, name) and getattr(settings, "mode", None) != "numerical":
            shown = "--order" if _given(settings, "order") else "--mode " + (
                settings.mode or "reverse")
            yield f"--{name} applies only with --mode numerical, not with {shown}"


def _pairs(settings):
    if _given(settings, "quiet") and _given(settings, "fmt"):
        yield (f"--quiet prints bare numbers and --format {settings.fmt} a format: "
               f"give one of them")
    if _given(settings, "order") and _given(settings, "mode"):
        yield (f"--order runs Taylor mode: it cannot be combined with --mode "
               f"{settings.mode}")
    if _given(settings, "checkpoint"):
        for name, flag in (("order", "--order"), ("digits", "--precision"),
                           ("points", "--points"), ("grid", "--grid")):
            if _given(settings, name):
                yield f"--checkpoint reverses float64 steps at one point: leave out {flag}"
        if getattr(settings, "mode", None) not in (None, "reverse"):
            yield (f"--checkpoint is a schedule of reverse mode, not of --mode "
                   f"{settings.mode}")
    if _given(settings, "seed") and getattr(settings, "mode", None) == "reverse":
        yield "--seed sets the tangents, which --mode reverse does not show: give " \
              "--mode forward or both"


def _points(settings):
    many = _given(settings, "points") or _given(settings, "grid")
    if many:
        for name, why in (("order", "Taylor mode runs at one point"),
                          ("step", "each point takes its own step")):
            if _given(settings, name):
                yield f"--{name} is not available with --points/--grid: {why}"
        return
    for name, flag in (("output_path", "--output"), ("chunk", "--chunk"),
                       ("points_format", "--points-format")):
        if _given(settings, name):
            yield f"{flag} applies only to many points: give --points FILE or --grid"
    if getattr(settings, "fmt", None) in ("jsonl", "npy"):
        yield f"--format {settings.fmt} writes rows of many points: give --points or --grid"


def refuse_conflicts(settings) -> None:
    """Raise a usage error for the first pair of options that cannot both be obeyed."""
    for message in _pairs(settings):
        raise UsageError(message)
    for message in _numerical_only(settings):
        raise UsageError(message)
    for message in _points(settings):
        raise UsageError(message)
