"""Rich tables for people at a terminal (colour off for pipes and NO_COLOR).

At a terminal (or with ``COLUMNS`` set) the table fits that width: a number is
never folded or cut -- its column keeps the width of its longest number --
text columns wrap, and when the numbers alone do not fit, the columns are
dealt into several tables, each repeating the first column.  Into a pipe or
file the table takes the width it needs.  The title wraps at the table's width.

A table is for reading: one of more than MAX_ROWS rows shows its first and last
rows, one of more than MAX_COLUMNS columns its first and last columns, and a
caption says how many were left out and which formats print them all (Rich's
layout of a 2,000 x 2,000 Hessian would never finish).
"""

from __future__ import annotations

import os

from rich.cells import cell_len
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from .tabular import Tabular, view

#: A terminal table shows at most MAX_ROWS rows, half from each end, with a row of "⋮"
#: between them ...
MAX_ROWS = 200
#: ... and of more than MAX_COLUMNS columns the first HEAD_COLUMNS, a column of "…",
#: and the last MAX_COLUMNS - HEAD_COLUMNS.
MAX_COLUMNS = 24
HEAD_COLUMNS = 16

#: A text column may be squeezed to this many characters before columns are dealt out.
TEXT_MIN = 12


def _table(tab) -> Table:
    """Titles, headers and cells are text, never Rich markup: a formula's ``A[0]``
    or a derivative's ``[x_0**2, x_0*x_1]`` would otherwise read as style tags."""
    table = Table(title=Text(tab.title), title_justify="left")
    for k, header in enumerate(tab.headers):
        table.add_column(Text(header), justify="right" if header in tab.right else "left",
                         style="bold" if k == 0 else None, no_wrap=_whole(tab, k),
                         overflow="fold", min_width=_least(tab, k))
    for row in tab.rows:
        table.add_row(*(Text(cell) if isinstance(cell, str) else cell for cell in row))
    return table


def _whole(tab, k: int) -> bool:
    """Numbers, and the first column that names each row, are never wrapped."""
    return k == 0 or tab.headers[k] in tab.right


def _least(tab, k: int) -> int:
    """The least width of column ``k``'s text: a whole number or name, else the
    longest word (up to TEXT_MIN), so that a word is split only when it must."""
    cells = [row[k] for row in tab.rows] + [tab.headers[k]]
    if _whole(tab, k):  # a matrix cell is several lines: its widest line
        return max(cell_len(line) for cell in cells for line in cell.split("\n"))
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


def _gap(count: int, most: int, head: int):
    """The indices ``(start, stop)`` left out when ``count`` items keep ``head`` from the
    start and the rest of ``most`` from the end; None when all ``count`` fit."""
    return None if count <= most else (head, count - (most - head))


def bounded(tab) -> Tabular:
    """``tab`` cut to MAX_ROWS rows and MAX_COLUMNS columns of its data, with a caption
    that counts what was left out; a table within both bounds keeps all of itself.
    Either way the rows become lists: the layout reads each cell several times."""
    row_gap = _gap(len(tab.rows), MAX_ROWS, MAX_ROWS // 2)
    column_gap = _gap(len(tab.headers), MAX_COLUMNS, HEAD_COLUMNS)
    if row_gap is None and column_gap is None:
        return Tabular(tab.title, tab.headers, [list(row) for row in tab.rows], tab.footer,
                       tab.right)

    def cut(cells, filler):
        if column_gap is None:
            return list(cells)
        return list(cells[:column_gap[0]]) + [filler] + list(cells[column_gap[1]:])

    width = len(tab.headers)
    if row_gap is None:
        body = [cut(row, "…") for row in tab.rows]
    else:
        body = [cut(row, "…") for row in tab.rows[:row_gap[0]]] + \
            [cut(["⋮"] * width, "⋮")] + [cut(row, "…") for row in tab.rows[row_gap[1]:]]
    left = []
    if row_gap is not None:
        left.append(f"{row_gap[1] - row_gap[0]:,} of {len(tab.rows):,} rows "
                    f"(rows {row_gap[0] + 1:,} to {row_gap[1]:,})")
    if column_gap is not None:
        left.append(f"{column_gap[1] - column_gap[0]:,} of {width:,} columns "
                    f"({tab.headers[column_gap[0]]} to {tab.headers[column_gap[1] - 1]})")
    caption = (f"not shown here: {' and '.join(left)}; "
               "-f csv, -f json or -f plain print them all")
    return Tabular(tab.title, cut(tab.headers, "…"), body, [caption] + list(tab.footer),
                   tab.right)


def print_tables(record, console: Console, fit: bool) -> None:
    """Every table of ``record`` on ``console``; ``fit``: within the console's width."""
    for section in map(bounded, view(record).sections()):
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
