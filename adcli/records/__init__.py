"""Result records: what backends return and renderers read.

Plain frozen dataclasses, so that computing and showing never mix: a
renderer cannot differentiate, a backend cannot print.  The records of the
method comparer live in :mod:`.comparison` and :mod:`.sweep`, so that a plain
``adcli diff`` does not pay for defining them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def counted(n, noun: str, nouns: str | None = None) -> str:
    """``1 tape entry``, ``2 tape entries``: a count with its noun in the right number
    (records carry notes in words; every note counts the same way)."""
    return f"{n} {noun if n == 1 else nouns or noun + 's'}"


@dataclass(frozen=True)
class Warning:
    """Something a user must know about a number that is still returned."""

    kind: str       # "kink", "branch", "stop_gradient"
    op: str
    row: str        # tape row, e.g. "v3"
    message: str
    left: dict | None = None    # one-sided derivatives of the output, by variable
    right: dict | None = None


@dataclass(frozen=True)
class Derivative:
    """The value and gradient of one formula at one point, by one method."""

    expression: str
    mode: str
    point: dict
    value: float
    gradient: dict                       # variable -> partial derivative
    cost: dict = field(default_factory=dict)       # sweeps, tape entries, evaluations ...
    formulas: dict = field(default_factory=dict)   # symbolic: variable -> derivative text
    details: dict = field(default_factory=dict)    # method-specific facts (step, size)
    warnings: tuple = ()
    digits: int | None = None                      # None: float64; else mpmath digits
