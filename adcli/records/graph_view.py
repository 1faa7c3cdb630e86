"""Record of ``adcli graph``: the computational graph as boxes and arrows.

Without a point it is the formula (one box per non-constant node, shared
subexpressions once); at a point it is what executed there, each box a tape
row with its value and adjoint, each arrow the local partial and the adjoint
it carries back.  Every number is already computed, so a drawing only writes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GraphNode:
    """One box: ``label`` is what a picture shows, ``definition`` what a table does."""

    name: str                  # "v3" at a point, "n2" for the formula
    label: str                 # "sin", "·^2", "a - b"; at a point the tape row
    definition: str            # "v3 = sin(v2)"
    value: object = None       # at a point only
    adjoint: object = None     # at a point only (None: the output is a constant)
    is_input: bool = False
    is_output: bool = False
    shape: tuple | None = None  # a vector's or matrix's shape at a point ((): a number)


@dataclass(frozen=True)
class GraphEdge:
    """An argument flowing into its result; ``source`` and ``target`` index the nodes."""

    source: int
    target: int
    slot: str | None = None    # "a", "b" where the argument order matters
    partial: object = None     # ∂target/∂source at the point (None: not known)
    flow: object = None        # adjoint · partial: what the reverse sweep sends along


@dataclass(frozen=True)
class GraphView:
    expression: str
    point: dict                # empty: the formula, not an evaluation
    nodes: tuple               # in topological order (arguments first)
    edges: tuple
    unused: tuple = ()         # tape rows not on the way to the output
    digits: int | None = None  # significant digits to display (None: all)
