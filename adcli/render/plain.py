"""Plain text, stable for scripts: ``key = value`` lines for a derivative,
tab-separated rows under a header line for the other tables.  (``--quiet``
is :mod:`.quiet`.)"""

from __future__ import annotations

from .arrays import full, is_array
from .numbers import number
from .tabular import view


def _derivative(record, quiet: bool) -> list[str]:
    digits = record.digits
    lines = [f"value = {number(record.value, digits)}"]
    lines += [f"d/d{name} = {full(v) if is_array(v) else number(v, digits)}"
              for name, v in record.gradient.items()]  # an array: nested lists, all of it
    lines += [f"formula d/d{name} = {text}" for name, text in record.formulas.items()]
    lines += [f"d{k} = {number(v)}" for k, v in
              enumerate(record.details.get("derivatives", ())) if k > 1]
    return lines


def _rows(record, quiet: bool) -> list[str]:
    lines = []
    for k, tab in enumerate(view(record, "plain").sections()):
        lines += ([""] if k else []) + ["\t".join(tab.headers)]
        lines += ["\t".join(row) for row in tab.rows]
    return lines


def render(record, stream, quiet: bool = False) -> None:
    lines = (_derivative if type(record).__name__ == "Derivative" else _rows)(record, quiet)
    stream.write("".join(line + "\n" for line in lines))
