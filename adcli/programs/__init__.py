"""Python programs of the user's own, traced into an ordinary adcli graph.

A program is only ever asked for by name, as a :class:`ProgramFile` (the
``--program FILE.py:FUNCTION`` option): no formula text, from the command
line or from standard input, is ever taken for a file to run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: What ``--program`` takes: ``FILE.py:FUNCTION``.
SPEC = re.compile(r"^(?P<path>.+\.py):(?P<name>[A-Za-z_]\w*)$")


@dataclass(frozen=True)
class ProgramFile:
    """``FILE.py:FUNCTION``, given where a formula would be: the user's own code,
    imported and run as Python runs it."""

    spec: str

    def __str__(self) -> str:
        return self.spec
