"""CSV: the table's header and rows (RFC 4180 quoting), nothing else."""

from __future__ import annotations

import csv

from .tabular import view


def render(record, stream, quiet: bool = False) -> None:
    tab = view(record)
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(tab.headers)
    writer.writerows(tab.rows)
