"""CSV: the table's header and rows (RFC 4180 quoting), nothing else."""

from __future__ import annotations

import csv

from .tabular import view


def render(record, stream, quiet: bool = False) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    for k, tab in enumerate(view(record, "csv").sections()):
        if k:
            stream.write("\n")  # the next table of the record follows a blank line
        writer.writerow(tab.headers)
        writer.writerows(tab.rows)
