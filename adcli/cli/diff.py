"""``adcli diff``: the value and the derivative of a formula at a point."""

from __future__ import annotations

from dataclasses import dataclass

import click

from ..backends import MODES
from .options import debug_option, format_option, quiet_option, read_expression


@dataclass(frozen=True)
class DiffSettings:
    expression: str
    at: tuple
    wrt: tuple
    mode: str
    fmt: str
    quiet: bool


EXAMPLES = """\b
Examples:
  adcli diff "sin(x**2)+exp(x)" --at 2
  adcli diff "x*sin(y)" --at x=3 --at y=pi/6 --mode forward
  adcli diff "x*sin(y)" --at x=3 --at y=pi/6 --wrt y --format json
  adcli diff "x^3 + ln(x)" --at 2 --mode symbolic
  echo "x**2 if x > 0 else 0" | adcli diff - --at 0.001 --quiet
"""


@click.command(epilog=EXAMPLES)
@click.argument("expression", metavar="EXPR")
@click.option("--at", "at", multiple=True, metavar="NAME=VALUE",
              help="The point: one per variable; VALUE may be a constant expression "
                   "(pi/6). A bare VALUE is allowed for a one-variable formula.")
@click.option("--wrt", multiple=True, metavar="NAMES",
              help="Differentiate only with respect to these variables (x,y). "
                   "Default: all.")
@click.option("-m", "--mode", type=click.Choice(MODES), default="reverse",
              show_default=True, help="How to differentiate.")
@format_option()
@quiet_option
@debug_option
def diff(expression, at, wrt, mode, fmt, quiet):
    """Differentiate EXPR at a point (EXPR '-' reads standard input).

    The formula language has + - * / ** (or ^), functions such as sin, exp,
    log, sqrt, max (see: adcli functions), the constants pi and e, and
    conditionals such as "x**2 if x > 0 else 0".
    """
    from ..api import differentiate
    from ..render import render, warn

    settings = DiffSettings(read_expression(expression), at, wrt, mode, fmt, quiet)
    result = differentiate(settings.expression, settings.at, settings.wrt, settings.mode)
    warn(result.warnings)
    render(result, settings.fmt, quiet=settings.quiet)
