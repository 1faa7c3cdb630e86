"""Rich tables for people at a terminal (colour off for pipes and NO_COLOR).

At a terminal (or with ``COLUMNS`` set) the table fits that width: a number is
never folded or cut -- its column keeps the width of its longest number --
text columns wrap, and when the numbers alone do not fit, the columns are
dealt into several tables, each repeating the first column.  Into a pipe or
file the table takes the width it needs.  The title wraps at the table's width.
"""

from __future__ import annotations

import os

from rich.cells import cell_len
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from .tabular import Tabular, view

#: A text column may be squeezed to this many characters before columns are dealt out.
TEXT_MIN = 12


def _table(tab) -> Table:
    table = Table(title=tab.title, title_justify="left")
    for k, header in enumerate(tab.headers):
        table.add_column(header, justify="right" if header in tab.right else "left",
                         style="bold" if k == 0 else None, no_wrap=_whole(tab, k),
                         overflow="fold", min_width=_least(tab, k))
    for row in tab.rows:
        table.add_row(*row)
    return table


def _whole(tab, k: int) -> bool:
    """Numbers, and the first column that names each row, are never wrapped."""
    return k == 0 or tab.headers[k] in tab.right


def _least(tab, k: int) -> int:
    """The least width of column ``k``'s text: a whole number or name, else the
    longest word (up to TEXT_MIN), so that a word is split only when it must."""
    cells = [row[k] for row in tab.rows] + [tab.headers[k]]
    if _whole(tab, k):
        return max(cell_len(cell) for cell in cells)
    return min(TEXT_MIN, max(cell_len(word) for cell in cells for word in cell.split() or [""]))


def _needs(tab, k: int) -> int:
    """The least width column ``k`` takes with its padding and a border."""
    return max(_least(tab, k), 1) + 3


def dealt(tab, width: int) -> list:
    """``tab`` as tables of at most ``width`` columns' worth each, the first column in all."""
    needs = [_needs(tab, k) for k in range(len(tab.headers))]
    groups, current = [], [0]
    for k in range(1, len(needs)):
        if len(current) > 1 and sum(needs[j] for j in current) + needs[k] + 1 > width:
            groups.append(current)
            current = [0]
        current.append(k)
    groups.append(current)
    if len(groups) == 1:
        return [tab]
    return [Tabular(tab.title if n == 0 else "", [tab.headers[k] for k in group],
                    [[row[k] for k in group] for row in tab.rows],
                    tab.footer if n == len(groups) - 1 else [], tab.right)
            for n, group in enumerate(groups)]


def print_tables(record, console: Console, fit: bool) -> None:
    """Every table of ``record`` on ``console``; ``fit``: within the console's width."""
    for section in view(record).sections():
        for tab in (dealt(section, console.width) if fit else [section]):
            table = _table(tab)
            out = console
            if not fit:
                wide = Console(file=console.file, width=10_000)
                out = Console(file=console.file, width=max(40, Measurement.get(
                    wide, wide.options, table).maximum))
            out.print(table)
            for line in tab.footer:
                out.print(line, style="dim", soft_wrap=not fit, highlight=False)
    if type(record).__name__ == "StepScan":
        from .vcurve import terminal

        console.print(terminal(record), highlight=False, soft_wrap=True)


def render(record, stream, quiet: bool = False) -> None:
    console = Console(file=stream)
    print_tables(record, console, console.is_terminal or bool(os.environ.get("COLUMNS")))
