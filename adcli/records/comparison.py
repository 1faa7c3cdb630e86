"""Records of ``adcli compare``: the reference and one row per method."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    """The exact value and gradient, to ``digits`` significant digits (mpmath)."""

    value: object
    gradient: dict
    digits: int
    how: str


@dataclass(frozen=True)
class MethodRow:
    """One method's gradient and how far it is from the reference."""

    method: str
    gradient: dict | None          # None: the method could not run (see note)
    abs_error: float | None
    rel_error: float | None
    digits: float | None           # correct significant digits
    evaluations: int | None        # function evaluations (numerical methods)
    cost: str                      # the method's own measure of work, in words
    seconds: float
    note: str
    warnings: tuple = ()           # the method's own (kinks, ties, steps across a branch)


@dataclass(frozen=True)
class Comparison:
    expression: str
    point: dict
    reference: Reference
    rows: tuple
    digits: int | None = None      # the working precision of the methods (None: float64)
    warnings: tuple = ()           # about the point itself: kinks and ties on its tape
