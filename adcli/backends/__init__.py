"""Interchangeable differentiation backends.

Each is ``differentiate(problem) -> Derivative``; none prints or exits.  They
are looked up by mode name and imported lazily, so a reverse-mode run never
pays for SymPy.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from ..graph import Graph

MODES = ("forward", "reverse", "symbolic", "numerical")


@dataclass(frozen=True)
class Problem:
    """What to differentiate: the formula, the point, and which variables."""

    text: str
    graph: Graph
    point: dict
    wrt: tuple


def backend(mode: str):
    """The ``differentiate`` function of backend ``mode``."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    return import_module(f"{__name__}.{mode}").differentiate
