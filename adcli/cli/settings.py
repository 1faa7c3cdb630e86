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
    fmt: str | None = None      # every command prints in a format ...
    quiet: bool = False         # ... or as bare numbers

    def __post_init__(self):
        from ..conflicts import refuse_conflicts

        refuse_conflicts(self)

    def output(self, default: str = "table") -> str:
        """The format asked for (``--format``; None if not given)."""
        return self.fmt or default

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
            return read_stdin()
        return self.expression


@dataclass(frozen=True)
class ManyPointsSettings(FormulaSettings):
    """What commands that also run over many points (``--points``, ``--grid``) share."""

    strict: bool = False
    debug: bool = False
    points: str | None = None
    points_format: str | None = None
    grid: tuple = ()
    output_path: str | None = None
    chunk: int | None = None


def read_stdin() -> str:
    """The formula from standard input: UTF-8 text (a byte-order mark is dropped)."""
    if sys.stdin is None:
        raise UsageError("standard input is closed: give the formula as EXPR")
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8-sig").strip()
    except UnicodeDecodeError as error:
        raise UsageError(f"standard input is not UTF-8 text: byte 0x{data[error.start]:02x} "
                         f"at offset {error.start}") from None
