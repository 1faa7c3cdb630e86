"""Records of ``adcli steps`` and ``adcli swell``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StepRow:
    """Absolute errors of three difference quotients at one step h (None: no value)."""

    h: float
    forward: float | None
    central: float | None
    complex: float | None


@dataclass(frozen=True)
class StepScan:
    expression: str
    point: dict
    variable: str
    exact: float
    rows: tuple
    best: dict          # method -> h of the smallest error
    predicted: dict     # method -> the error model's rule-of-thumb step
    crossover: dict     # method -> h where truncation equals round-off
    complex_note: str   # why the complex step is unavailable, if it is
    warnings: tuple = ()  # kinks and ties at the point: the quotients straddle them


@dataclass(frozen=True)
class SwellRow:
    """The k-th derivative's symbolic size next to the AD work for it."""

    order: int
    symbolic_nodes: int | None
    count_ops: int | None
    cse_nodes: int | None
    tape_entries: int
    ad_work: int | None  # one variable: tape entries of the k-th derivative by nested AD
    symbolic_seconds: float | None
    status: str         # "ok" or "over budget"
    taylor_seconds: float | None = None  # all derivatives up to k by Taylor mode


@dataclass(frozen=True)
class Swell:
    expression: str
    variables: tuple
    gradient: bool      # one row for the full gradient of several variables
    rows: tuple
    budget: float
