"""One exception hierarchy, so the CLI can map every failure to an exit code.

Errors are values with a place: a parse error knows its column, a math error
knows the tape row.  They are rendered once, by the CLI.
"""

from __future__ import annotations

from collections.abc import Sequence


class AdcliError(Exception):
    """Base of every error adcli reports to a user."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UsageError(AdcliError):
    """The request cannot be understood (exit 2, as Click does)."""

    exit_code = 2


class ParseError(UsageError):
    """The formula text is not in the language; ``column`` is 0-based."""

    def __init__(self, message: str, text: str, column: int):
        super().__init__(message)
        self.text = text
        self.column = column


class MathError(AdcliError):
    """The formula is well formed but has no (finite) value or derivative here."""

    exit_code = 1


class NotAvailable(AdcliError):
    """A backend cannot handle this input (e.g. SymPy and very deep nesting)."""

    exit_code = 1


def choose(value: str, choices: Sequence[str], what: str) -> str:
    """``value`` if it is one of ``choices``, else the one usage error every
    option with a fixed set of values gives: "unknown WHAT 'v': choose one of ..."."""
    if value not in choices:
        raise UsageError(f"unknown {what} {value!r}: choose one of {', '.join(choices)}")
    return value
