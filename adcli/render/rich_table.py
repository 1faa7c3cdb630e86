"""Rich tables for people at a terminal (colour off for pipes and NO_COLOR).

At a terminal the table fits its width (notes wrap, numbers fold, never cut);
into a pipe or file it takes the width it needs.
"""

from __future__ import annotations

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from .tabular import view


def _table(tab) -> Table:
    table = Table(title=tab.title, title_justify="left")
    for k, header in enumerate(tab.headers):
        number = header in tab.right
        table.add_column(header, justify="right" if number else "left",
                         style="bold" if k == 0 else None,
                         no_wrap=k == 0, overflow="fold" if number or k == 0 else "ellipsis")
    for row in tab.rows:
        table.add_row(*row)
    return table


def render(record, stream, quiet: bool = False) -> None:
    for tab in view(record).sections():
        table = _table(tab)
        console = Console(file=stream)
        if not console.is_terminal:
            wide = Console(file=stream, width=10_000)
            console = Console(file=stream, width=max(40, len(tab.title), Measurement.get(
                wide, wide.options, table).maximum))
        console.print(table)
        for line in tab.footer:
            console.print(line, style="dim", soft_wrap=True, highlight=False)
    if type(record).__name__ == "StepScan":
        from .vcurve import terminal

        console.print(terminal(record), highlight=False, soft_wrap=True)
