"""What the settings of every formula command share: the formula and the point."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from ..errors import UsageError


@dataclass(frozen=True)
class FormulaSettings:
    """Frozen option values; each command's settings add their own fields."""

    expression: str | None
    at: tuple = ()
    wrt: tuple = ()
    program: str | None = None

    def formula(self):
        """The formula text (``-`` reads it from standard input), or the program
        named by ``--program``: never both, and text is never taken for a file."""
        if self.program is not None:
            if self.expression is not None:
                raise UsageError("give a formula EXPR or --program FILE.py:FUNCTION, "
                                 "not both")
            from ..programs import ProgramFile

            return ProgramFile(self.program)
        if self.expression == "-":
            return sys.stdin.read().strip()
        return self.expression
