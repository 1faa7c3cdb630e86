"""Rich tables for people at a terminal (colour off for pipes and NO_COLOR)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .numbers import number

_HOW = {
    "forward": "forward mode: {sweeps} tangent sweep(s) over {tape_entries} tape entries",
    "reverse": "reverse mode: {sweeps} adjoint sweep over {tape_entries} tape entries",
    "symbolic": "symbolic (SymPy): derivative expressions of {expression_nodes} nodes",
    "numerical": "numerical: {method}, {evaluations} function evaluations",
}


def _point(record) -> str:
    return ", ".join(f"{k} = {number(v, record.digits)}" for k, v in record.point.items())


def _derivative(record) -> Table:
    at = _point(record)
    table = Table(title=f"{record.expression.strip()}" + (f"  at  {at}" if at else ""),
                  title_justify="left")
    table.add_column("quantity", style="bold")
    table.add_column("value", justify="right")
    symbolic = bool(record.formulas)
    if symbolic:
        table.add_column("formula")
    table.add_row("f", number(record.value, record.digits), *([""] if symbolic else []))
    for name, v in record.gradient.items():
        extra = [record.formulas[name]] if symbolic else []
        table.add_row(f"∂f/∂{name}", number(v, record.digits), *extra)
    return table


def _language(record) -> Table:
    table = Table(title="The formula language", title_justify="left")
    for column in ("syntax", "kind", "description", "defined for"):
        table.add_column(column)
    for e in record.entries:
        note = e.domain + (" (non-smooth)" if e.nonsmooth else "")
        table.add_row(e.syntax, e.kind, e.description, note.strip())
    return table


_TABLES = {"Derivative": _derivative, "Language": _language}


def _footer(record) -> str:
    if type(record).__name__ == "Derivative":
        return _HOW[record.mode].format(**record.cost, **record.details)
    return ""


def render(record, stream, quiet: bool = False) -> None:
    console = Console(file=stream)
    console.print(_TABLES[type(record).__name__](record))
    footer = _footer(record)
    if footer:
        console.print(footer, style="dim", soft_wrap=True)
