"""Every command's errors as one line on stderr and an exit code.

No Click here: the Click app and the fast reader of ``diff`` both call
:func:`guarded`, so an error reads the same whichever read the line.
"""

from __future__ import annotations

import errno
import sys

from ..errors import AdcliError, NotAvailable, ParseError

EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
#: Where stdout cannot take the output: full, closed, or a failing device.
_UNWRITABLE = frozenset({errno.ENOSPC, errno.EBADF, errno.EIO, errno.EFBIG, errno.EDQUOT})


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
    except KeyboardInterrupt:
        sys.stderr.write("adcli: aborted\n")
        return EXIT_INTERRUPTED
    except OSError as error:
        if error.errno not in _UNWRITABLE:
            return _internal(error, debug)
        sys.stderr.write(f"adcli: error: cannot write the output: {error.strerror}\n")
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
        return _internal(error, debug)


def _internal(error: Exception, debug) -> int:
    if debug():
        raise error
    sys.stderr.write(f"adcli: internal error: {type(error).__name__}: {error} "
                     f"(rerun with --debug for the traceback, and please report it)\n")
    return EXIT_INTERNAL
