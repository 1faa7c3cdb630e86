"""A traced program as the function the backends differentiate.

Backends ask every problem the same questions -- its value at a point, its
SymPy expression, the ties its run decided, the steps that change its
branches -- and a formula and a program answer each in their own way; no
backend asks which one it has.
"""

from __future__ import annotations

from ..errors import NotAvailable
from ..records import Warning
from .trace import Program, ProgramError, call, trace


class ProgramSource:
    """The user's program: called as itself, with numbers or with SymPy symbols."""

    def __init__(self, program: Program, decisions: tuple):
        self.program, self.decisions = program, decisions

    def value(self, point: dict, m=None):
        """The program run untraced on plain numbers (floats, mpmath)."""
        return call(self.program, point)

    def expression(self, symbols: dict):
        """The program called with SymPy symbols; value-dependent control flow is refused."""
        if self.decisions:  # the traced run compared an input's value: SymPy cannot
            d = self.decisions[0]
            raise NotAvailable(f"symbolic differentiation cannot follow value-dependent "
                               f"control flow: line {d.line} `{d.source}`")
        try:
            return call(self.program, symbols) * 1
        except ProgramError as error:  # SymPy cannot decide `if x > 0` on a symbol
            if "Relational" not in error.message:
                raise
            raise NotAvailable(f"symbolic differentiation cannot follow value-dependent "
                               f"control flow: line {error.line} `{error.source}`") from None

    def ties(self) -> list[str]:
        """The comparisons the run decided by a tie, as ``line N `source```."""
        return [f"line {d.line} `{d.source}`" for d in self.decisions if d.tie]

    def crossings(self, point: dict, steps: dict) -> tuple:
        """Warnings where a step of a difference quotient takes another branch."""
        warnings = []
        taken = [(d.line, d.taken) for d in self.decisions]
        for name, h in steps.items():
            for x in (point[name] + h, point[name] - h):
                _graph, decisions = trace(self.program, {**point, name: x})
                moved = [(d.line, d.source) for d, t in zip(decisions, taken)
                         if (d.line, d.taken) != t]
                if moved or len(decisions) != len(taken):
                    line, source = moved[0] if moved else (0, "")
                    warnings.append(Warning(
                        "branch", "if", "", f"the step to {name} = {x!r} takes another "
                        f"branch than the point itself (line {line}: `{source}`): the "
                        f"difference quotient mixes two pieces of the program"))
                    break
        return tuple(warnings)
