"""Every record as one table of text: the view that table, CSV, Markdown and plain
output all draw, so that the formats cannot disagree about the data.

Each view is ``Tabular(title, headers, rows, footer, right)``: ``right`` names
the columns of numbers (right-aligned where alignment exists).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .numbers import number


@dataclass
class Tabular:
    title: str
    headers: list
    rows: list
    footer: list = field(default_factory=list)
    right: set = field(default_factory=set)


_HOW = {
    "forward": "forward mode: {sweeps} tangent sweep(s) over {tape_entries} tape entries",
    "reverse": "reverse mode: {sweeps} adjoint sweep over {tape_entries} tape entries",
    "symbolic": "symbolic (SymPy): derivative expressions of {expression_nodes} nodes",
    "numerical": "numerical: {method}, {evaluations} function evaluations",
}


def _at(point: dict, digits) -> str:
    at = ", ".join(f"{k} = {number(v, digits)}" for k, v in point.items())
    return f"  at  {at}" if at else ""


def _precision(digits) -> str:
    return "float64" if digits is None else f"mpmath, {digits} significant digits"


def derivative(record) -> Tabular:
    digits = record.digits
    headers = ["quantity", "value"] + (["formula"] if record.formulas else [])
    rows = [["f", number(record.value, digits)] + ([""] if record.formulas else [])]
    for name, v in record.gradient.items():
        extra = [record.formulas[name]] if record.formulas else []
        rows.append([f"∂f/∂{name}", number(v, digits)] + extra)
    footer = [_HOW[record.mode].format(**record.cost, **record.details)]
    if digits is not None:
        footer.append(f"computed in {_precision(digits)}")
    return Tabular(record.expression.strip() + _at(record.point, digits), headers, rows,
                   footer, {"value"})


def _error(x) -> str:
    return "" if x is None else f"{x:.2e}"


def comparison(record) -> Tabular:
    digits = record.digits
    names = list(record.reference.gradient)
    partials = [f"∂f/∂{name}" for name in names]
    headers = ["method"] + partials + ["abs error", "rel error", "digits", "cost", "seconds",
                                       "note"]
    rows = []
    for row in record.rows:
        values = [number(row.gradient[n], digits) if row.gradient else "-" for n in names]
        shown_digits = "" if row.digits is None else f"{row.digits:g}"
        rows.append([row.method] + values + [
            _error(row.abs_error), _error(row.rel_error), shown_digits, row.cost,
            f"{row.seconds:.4f}", row.note])
    ref = record.reference
    exact = ", ".join(f"∂f/∂{n} = {number(v, min(ref.digits, 30))}"
                      for n, v in ref.gradient.items())
    footer = [f"reference: {ref.how}: {exact}",
              f"methods computed in {_precision(digits)}"]
    return Tabular(f"{record.expression.strip()}{_at(record.point, digits)}", headers, rows,
                   footer, set(partials) | {"abs error", "rel error", "digits", "seconds"})


def language(record) -> Tabular:
    rows = [[e.syntax, e.kind, e.description,
             (e.domain + (" (non-smooth)" if e.nonsmooth else "")).strip()]
            for e in record.entries]
    return Tabular("The formula language", ["syntax", "kind", "description", "defined for"],
                   rows)


VIEWS = {"Derivative": derivative, "Comparison": comparison, "Language": language}


def view(record) -> Tabular:
    return VIEWS[type(record).__name__](record)
