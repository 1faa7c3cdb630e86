"""What the settings of every formula command share: the formula and the point."""

from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class FormulaSettings:
    """Frozen option values; each command's settings add their own fields."""

    expression: str | None
    at: tuple = ()
    wrt: tuple = ()

    def formula(self) -> str | None:
        """The formula text: ``-`` reads it from standard input."""
        if self.expression == "-":
            return sys.stdin.read().strip()
        return self.expression
