"""``adcli batch``: JSON-lines requests in, one JSON line per request out.

Each answer is written and flushed as soon as it is computed, so a script may
keep adcli open as a coprocess, one request, one answer.  No Click here.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from ..errors import UsageError


@dataclass(frozen=True)
class BatchSettings:
    source: str = "-"
    strict: bool = False
    debug: bool = False


def run_batch(settings: BatchSettings) -> int:
    """Answer every request; the exit code is the largest of the answers' (0 if none failed)."""
    from ..batch import answer_line
    from ..render.json_out import dumps

    worst = 0
    out = sys.stdout
    with _open(settings.source) as lines:
        for number, line in enumerate(iter(lines.readline, b""), 1):
            result = answer_line(line, number, debug=settings.debug)
            if result is None:
                continue
            out.write(dumps(result) + "\n")
            out.flush()
            code = result.get("exit", 0) if "error" in result else 0
            worst = max(worst, code)
            if code and settings.strict:
                break
    return worst


class _open:
    """The requests as a binary stream: the file named, or standard input for ``-``."""

    def __init__(self, source: str):
        self.source, self.file = source, None

    def __enter__(self):
        if self.source == "-":
            if sys.stdin is None:
                raise UsageError("standard input is closed: give a FILE of requests")
            return sys.stdin.buffer
        try:
            self.file = open(self.source, "rb")
        except OSError as error:
            raise UsageError(f"cannot read {self.source}: {error.strerror}") from None
        return self.file

    def __exit__(self, *_):
        if self.file is not None:
            self.file.close()
