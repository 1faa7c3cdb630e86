"""Result records: what backends return and renderers read.

Plain frozen dataclasses, so that computing and showing never mix: a
renderer cannot differentiate, a backend cannot print.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Warning:
    """Something a user must know about a number that is still returned."""

    kind: str       # "kink", ...
    op: str
    row: str        # tape row, e.g. "v3"
    message: str


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


@dataclass(frozen=True)
class Comparison:
    expression: str
    point: dict
    reference: Reference
    rows: tuple
    digits: int | None = None      # the working precision of the methods (None: float64)


@dataclass(frozen=True)
class StepRow:
    """Absolute errors of three difference quotients at one step h (None: no value)."""

    h: float
    forward: float | None
    central: float | None
    complex: float | None


@dataclass(frozen=True)
class StepSweep:
    expression: str
    point: dict
    variable: str
    exact: float
    rows: tuple
    best: dict          # method -> h of the smallest error
    predicted: dict     # method -> the error model's rule-of-thumb step
    crossover: dict     # method -> h where truncation equals round-off
    complex_note: str   # why the complex step is unavailable, if it is


@dataclass(frozen=True)
class SwellRow:
    """The k-th derivative's symbolic size next to the AD work for it."""

    order: int
    symbolic_nodes: int | None
    count_ops: int | None
    cse_nodes: int | None
    tape_entries: int
    ad_work: int
    symbolic_seconds: float | None
    status: str         # "ok" or "over budget"


@dataclass(frozen=True)
class Swell:
    expression: str
    variables: tuple
    gradient: bool      # one row for the full gradient of several variables
    rows: tuple
    budget: float
