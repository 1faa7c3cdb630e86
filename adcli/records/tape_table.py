"""Records of ``adcli tape``: the Wengert list with its tangents and adjoints."""

from __future__ import annotations

from dataclasses import dataclass

from .formula import Formula, latex_name


@dataclass(frozen=True)
class TapeRow:
    """One tape entry as the textbook draws it."""

    name: str                  # "v3" (or "v-1" in Griewank numbering)
    op: str                    # op name, or "input"
    args: tuple                # names of the entries it reads
    expr: str                  # "sin(v2)": constants inline
    value: object
    tangent_rule: str | None = None   # "v̇3 = cos(v2)·v̇2"
    tangent: object = None
    adjoint_rule: str | None = None   # "v̄2 = v̄3·cos(v2)"
    adjoint: object = None
    notes: tuple = ()          # "seed", kinks, branch decisions
    shape: tuple | None = None  # the value's shape on a tape of arrays ((): a number)

    def definition(self) -> Formula:
        """``v3 = sin(v2)``, in text and LaTeX."""
        latex = getattr(self.expr, "latex", str(self.expr))
        return Formula(f"{self.name} = {self.expr}", f"{latex_name(self.name)} = {latex}")


@dataclass(frozen=True)
class TapeTable:
    expression: str
    point: dict
    mode: str                  # "forward", "reverse" or "both"
    numbering: str             # "seed" (v1..vn inputs) or "griewank" (v1-n..v0)
    rows: tuple                # in execution order, inputs first
    sweep: tuple               # names in the order the adjoint sweep finishes them
    outputs: tuple
    seed: dict                 # forward: the tangent seed of each input
    notes: tuple = ()          # what belongs to no row (a constant branch taken)
    digits: int | None = None  # significant digits to display (None: all)
    summary: bool = False      # show a long tape's head and tail, and counts between
    shaped: bool = False       # values are vectors and matrices: rows carry shapes
