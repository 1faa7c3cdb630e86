"""What ``diff`` does once its options are read, whichever reader read them,
and how every command's errors are reported.

No Click here: the Click app and the fast reader call the same functions, and
:func:`guarded` maps adcli's errors to one stderr line and an exit code for both.
The other commands are in :mod:`.tools`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from ..errors import AdcliError, MathError, NotAvailable, ParseError

EXIT_INTERNAL = 3


@dataclass(frozen=True)
class DiffSettings:
    expression: str
    at: tuple = ()
    wrt: tuple = ()
    mode: str = "reverse"
    method: str = "auto"
    step: str | None = None
    digits: int | None = None
    order: int | None = None
    strict: bool = False
    fmt: str = "table"
    quiet: bool = False
    debug: bool = False


def read_expression(expression: str) -> str:
    """``-`` reads the formula from standard input."""
    return sys.stdin.read().strip() if expression == "-" else expression


def run_diff(settings: DiffSettings) -> None:
    from ..api import differentiate
    from ..render import render, warn

    result = differentiate(read_expression(settings.expression), settings.at,
                           settings.wrt, settings.mode, settings.digits, settings.method,
                           settings.step, settings.order)
    if settings.strict and result.warnings:
        raise MathError(f"--strict: {result.warnings[0].message}")
    warn(result.warnings)
    render(result, settings.fmt, quiet=settings.quiet)


def _caret(error: ParseError) -> str:
    """The offending line of the input with a caret under the column."""
    text = error.text
    start = text.rfind("\n", 0, error.column) + 1
    end = text.find("\n", error.column)
    line = text[start:end if end >= 0 else len(text)]
    column = error.column - start
    if len(line) > 72:  # a window around the column of a long input
        left = max(0, column - 36)
        line = ("..." if left else "") + line[left:left + 72]
        column += (3 if left else 0) - left
    line = "".join(ch if ch.isprintable() else " " for ch in line)  # no \r tricks
    return f"  {line}\n  {' ' * column}^"


def report(error: AdcliError) -> None:
    math = error.exit_code == 1 and not isinstance(error, NotAvailable)
    kind = "math error" if math else "error"
    lines = [f"adcli: {kind}: {error.message}"]
    if isinstance(error, ParseError):
        lines.append(_caret(error))
    sys.stderr.write("\n".join(lines) + "\n")


def guarded(action, debug, passthrough: tuple = ()) -> int:
    """Run ``action()``; return the exit code, reporting errors on the way.

    ``debug()`` says whether to re-raise instead (for ``--debug``);
    ``passthrough`` exceptions (Click's own) are left to their owner.
    """
    try:
        action()
        sys.stdout.flush()
        return 0
    except passthrough:
        raise
    except BrokenPipeError:  # ``adcli ... | head`` stopped reading: not an error to report
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except AdcliError as error:
        if debug():
            raise
        report(error)
        return error.exit_code
    except MemoryError:
        sys.stderr.write("adcli: error: out of memory\n")
        return 1
    except Exception as error:  # a bug in adcli: say so, briefly
        if debug():
            raise
        sys.stderr.write(f"adcli: internal error: {type(error).__name__}: {error} "
                         f"(rerun with --debug for the traceback, and please report it)\n")
        return EXIT_INTERNAL
