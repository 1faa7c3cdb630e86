"""``adcli functions``: the formula language, listed from the op table itself."""

from __future__ import annotations

import click

from .options import debug_option, format_option


@click.command()
@format_option(("table", "plain", "json"))
@debug_option
def functions(fmt):
    """List the functions, operators and constants formulas may use."""
    from ..language import language
    from ..render import render

    render(language(), fmt)
