"""The ``adcli`` command: a thin Click layer over :mod:`adcli.api`.

Options become a frozen settings object, the library computes a record, one
renderer prints it.  Every :class:`~adcli.errors.AdcliError` is reported here,
once, as one line on stderr with its exit code (2 usage/parse, 1 math).
"""

from __future__ import annotations

import sys

import click

from .. import __version__
from ..errors import AdcliError, ParseError
from .diff import diff
from .functions import functions

EXIT_INTERNAL = 3


def _caret(error: ParseError) -> str:
    """The offending line of the input with a caret under the column."""
    text = error.text
    start = text.rfind("\n", 0, error.column) + 1
    end = text.find("\n", error.column)
    line = text[start:end if end >= 0 else len(text)]
    column = error.column - start
    if len(line) > 72:  # a window around the column of a long input
        left = max(0, column - 36)
        line, column = ("..." if left else "") + line[left:left + 72], column - left + (3 if left else 0)
    return f"  {line.expandtabs(1)}\n  {' ' * column}^"


def report(error: AdcliError) -> None:
    kind = "math error" if error.exit_code == 1 else "error"
    click.echo(f"adcli: {kind}: {error.message}", err=True)
    if isinstance(error, ParseError):
        click.echo(_caret(error), err=True)


class _Group(click.Group):
    """Turns adcli's errors into messages and exit codes, not tracebacks."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except AdcliError as error:
            if ctx.meta.get("adcli.debug"):
                raise
            report(error)
            ctx.exit(error.exit_code)
        except (click.exceptions.ClickException, click.exceptions.Exit,
                click.exceptions.Abort):
            raise
        except MemoryError:
            click.echo("adcli: error: out of memory", err=True)
            ctx.exit(1)
        except Exception as error:  # a bug in adcli: say so, briefly
            if ctx.meta.get("adcli.debug"):
                raise
            click.echo(f"adcli: internal error: {type(error).__name__}: {error} "
                       f"(rerun with --debug for the traceback, and please report it)",
                       err=True)
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="adcli")
def cli() -> None:
    """Derivatives you can trust, and how they were made.

    adcli parses a formula with its own safe parser (nothing you type is ever
    executed), records it as a Wengert list, and differentiates it by forward
    or reverse automatic differentiation, symbolically (SymPy) or numerically.

    \b
      adcli diff "sin(x**2)+exp(x)" --at 2
      adcli diff "x*sin(y)" --at x=3 --at y=pi/6 --format json
      adcli functions

    Exit codes: 0 success, 1 math error (outside the domain, overflow, no
    derivative), 2 usage or parse error.
    """


cli.add_command(diff)
cli.add_command(functions)


def main(args=None, prog_name: str = "adcli") -> None:
    """Console-script entry point."""
    cli.main(args=args, prog_name=prog_name)


__all__ = ["cli", "main", "report"]
