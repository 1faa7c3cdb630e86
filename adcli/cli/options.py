"""Options shared by several commands, each defined once."""

from __future__ import annotations

import sys

import click

from ..render import FORMATS


def _set_debug(ctx: click.Context, _param, value: bool) -> bool:
    if value:
        ctx.meta["adcli.debug"] = True
    return value


def format_option(formats=FORMATS):
    return click.option("-f", "--format", "fmt", type=click.Choice(formats),
                        default="table", show_default=True, help="Output format.")


quiet_option = click.option(
    "-q", "--quiet", is_flag=True,
    help="Print only the derivative(s): bare numbers, one per line, for $(...).")

debug_option = click.option(
    "--debug", is_flag=True, expose_value=False, is_eager=True, callback=_set_debug,
    help="Show the Python traceback of an error.")


def read_expression(expression: str) -> str:
    """``-`` reads the formula from standard input."""
    if expression == "-":
        return sys.stdin.read()
    return expression
