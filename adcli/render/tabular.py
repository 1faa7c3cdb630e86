"""Every record as one table of text: the view that table, CSV, Markdown and plain
output all draw, so that the formats cannot disagree about the data.

Each view is ``Tabular(title, headers, rows, footer, right)``: ``right`` names
the columns of numbers (right-aligned where alignment exists).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .arrays import bmatrix, block, full, indexed, is_array, shape_text, small
from .numbers import SHOWN_ELEMENTS, number
from ..records import counted
from ..records.checkpoint import loops_phrase
from ..records.formula import Formula


class Lazy(Sequence):
    """Rows (or a row's cells) made only when read: a terminal table that shows a
    corner of a 2,000 x 2,000 matrix formats that corner, not four million numbers."""

    def __init__(self, count: int, make, every=None):
        self._count, self._make, self._every = count, make, every

    def __iter__(self):
        """All items, by ``every()`` when given (one list beats a call per item)."""
        if self._every is not None:
            return iter(self._every())
        return (self._make(j) for j in range(self._count))

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self._make(j) for j in range(*k.indices(self._count))]
        if not -self._count <= k < self._count:
            raise IndexError(k)
        return self._make(k % self._count)


@dataclass
class Tabular:
    title: str
    headers: list
    rows: list
    footer: list = field(default_factory=list)
    right: set = field(default_factory=set)
    more: list = field(default_factory=list)   # further tables that follow this one

    def sections(self) -> list:
        return [self] + self.more


_HOW = {
    "forward": lambda f: f"forward mode: {counted(f['sweeps'], 'tangent sweep')} over "
                         f"{counted(f['tape_entries'], 'tape entry', 'tape entries')}",
    "reverse": lambda f: f"reverse mode: {counted(f['sweeps'], 'adjoint sweep')} over "
                         f"{counted(f['tape_entries'], 'tape entry', 'tape entries')}"
                         + (loops_phrase(f["checkpoint"]) if "checkpoint" in f else ""),
    "symbolic": lambda f: "symbolic (SymPy): derivative expressions of "
                          f"{counted(f['expression_nodes'], 'node')}",
    "numerical": lambda f: f"numerical: {f['method']}, "
                           f"{counted(f['evaluations'], 'function evaluation')}",
    "taylor": lambda f: f"Taylor mode: series of order {f['order']} through "
                        f"{counted(f['tape_entries'], 'tape entry', 'tape entries')}",
}


#: Titles show a formula up to this many characters (JSON keeps the whole text).
TITLE_CHARS = 60


def shown(expression: str) -> str:
    """``expression`` for a title: a long one keeps its head and tail and says how long."""
    text = " ".join(expression.split())
    if len(text) <= TITLE_CHARS:
        return text
    return f"{text[:40]} … {text[-12:]} ({len(text):,} characters)"


#: Titles show the values of this many variables, then how many more there are.
TITLE_VARIABLES = 6


def _at(point: dict, digits) -> str:
    """The point in a title; a vector or matrix by its shape (``A: 2×3``)."""
    items = list(point.items())
    at = ", ".join(f"{k}: {shape_text(v.shape)}" if is_array(v) else f"{k} = {number(v, digits)}"
                   for k, v in items[:TITLE_VARIABLES])
    if len(items) > TITLE_VARIABLES:
        at += f", … ({len(items):,} variables)"
    return f"  at  {at}" if at else ""


def _precision(digits) -> str:
    return "float64" if digits is None else f"mpmath, {digits} significant digits"


#: What a footer says of an array too large to write out.
SUMMARISED = f"arrays of more than {SHOWN_ELEMENTS} elements are summarised by shape and norm"


def cell(x, fmt: str, digits=None) -> str:
    """A value in a table of format ``fmt``: an array as that format shows one
    (:mod:`.arrays`); ``digits`` rounds for the eye (``--digits``)."""
    if not is_array(x):
        return number(x, shown=digits)
    if fmt == "table":
        return block(x, digits)
    if fmt in ("csv", "plain"):
        return full(x)
    latex = bmatrix(x, digits) if fmt == "latex" else None
    return number(x, shown=digits) if latex is None else Formula(number(x, shown=digits), latex)


def derivative(record, fmt: str = "table") -> Tabular:
    digits = record.digits
    headers = ["quantity", "value"] + (["formula"] if record.formulas else [])
    rows = [["f", number(record.value, digits)] + ([""] if record.formulas else [])]
    if "derivatives" in record.details:  # Taylor mode: every order
        name = next(iter(record.gradient), "x")
        rows += [[f"d^{k}f/d{name}^{k}" if k > 1 else f"∂f/∂{name}", number(v)]
                 for k, v in enumerate(record.details["derivatives"]) if k > 0]
    summarised = []
    for name, v in (() if "derivatives" in record.details else record.gradient.items()):
        extra = [record.formulas[name]] if record.formulas else []
        if is_array(v) and fmt == "csv":  # one row per element, C order
            rows += [[f"∂f/∂{k}", x] + extra for k, x in indexed(name, v)]
            continue
        if is_array(v) and not small(v):
            summarised.append(name)
        rows.append([f"∂f/∂{name}", cell(v, fmt) if is_array(v) else number(v, digits)] + extra)
    footer = [_HOW[record.mode]({**record.cost, **record.details})]
    if summarised:
        footer.append(f"{', '.join('∂f/∂' + n for n in summarised)}: {SUMMARISED}; "
                      "-f json, -f csv, -f plain or --quiet give every element")
    if digits is not None:
        footer.append(f"computed in {_precision(digits)}")
    return Tabular(shown(record.expression) + _at(record.point, digits), headers, rows,
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
    return Tabular(f"{shown(record.expression)}{_at(record.point, digits)}", headers, rows,
                   footer, set(partials) | {"abs error", "rel error", "digits", "seconds"})


def language(record) -> Tabular:
    rows = [[e.syntax, e.kind, e.description,
             (e.domain + (" (non-smooth)" if e.nonsmooth else "")).strip()]
            for e in record.entries]
    return Tabular("The formula language", ["syntax", "kind", "description", "defined for"],
                   rows)


VIEWS = {"Derivative": derivative, "Comparison": comparison, "Language": language}


def view(record, fmt: str = "table") -> Tabular:
    """The table of ``record`` as format ``fmt`` draws it (arrays differ by format)."""
    make = VIEWS[type(record).__name__]
    return make(record, fmt) if make in (derivative, tape_table, graph_view) else make(record)


def _marks(record) -> dict:
    """Row index -> the steps of note that fall in that row's decade."""
    import math

    marks: dict[int, list] = {}
    for kind, steps in (("best", record.best), ("model", record.predicted),
                        ("crossover", record.crossover)):
        for method, h in steps.items():
            if h:
                row = min(range(len(record.rows)),
                          key=lambda k: abs(math.log10(record.rows[k].h) - math.log10(h)))
                marks.setdefault(row, []).append(f"{kind} {method}")
    return marks


def step_scan(record) -> Tabular:
    marks = _marks(record)
    rows = [[f"{row.h:.0e}", _error(row.forward), _error(row.central), _error(row.complex),
             ", ".join(marks.get(k, []))] for k, row in enumerate(record.rows)]

    def steps(d):
        return ", ".join(f"{m} {h:.2e}" for m, h in d.items() if h) or "none"

    footer = [f"exact ∂f/∂{record.variable} = {record.exact!r} (mpmath reference)",
              f"best h: {steps(record.best)}",
              f"error-model steps: {steps(record.predicted)}",
              f"truncation = round-off at: {steps(record.crossover)}"]
    if record.complex_note:
        footer.append(record.complex_note)
    return Tabular(f"error of difference quotients for {shown(record.expression)}"
                   f"{_at(record.point, None)}",
                   ["h", "forward error", "central error", "complex error", "marks"], rows,
                   footer, {"h", "forward error", "central error", "complex error"})


def swell(record) -> Tabular:
    def cell(x, fmt="{}"):
        return "" if x is None else fmt.format(x)

    first = "derivative" if not record.gradient else "object"
    rows = [[f"order {row.order}" if not record.gradient else
             f"gradient ({len(record.variables)} variables)",
             cell(row.symbolic_nodes), cell(row.count_ops), cell(row.cse_nodes),
             cell(row.symbolic_seconds, "{:.3f}"), row.status, str(row.tape_entries),
             cell(row.ad_work), cell(row.taylor_seconds, "{:.4f}")] for row in record.rows]
    how = ("AD work: one recording and one reverse sweep over the tape" if record.gradient
           else "nested AD: tape entries of the k-th derivative by differentiating the "
                "recorded derivative k times; Taylor mode: every order up to k in one "
                "pass, O(k^2) per entry")
    return Tabular(f"expression swell of {shown(record.expression)}",
                   [first, "symbolic nodes", "count_ops", "after cse", "symbolic s", "status",
                    "tape entries", "nested AD" if not record.gradient else "AD work",
                    "Taylor s"], rows,
                   [how, f"SymPy time budget: {record.budget:g} s"],
                   {"symbolic nodes", "count_ops", "after cse", "symbolic s", "tape entries",
                    "nested AD", "AD work", "Taylor s"})


#: ``tape --summary`` keeps this many rows at each end of a long table.
SUMMARY_KEEP = 8


def _condense(rows: list, ops: list, width: int) -> list:
    """The first and last rows, and between them one row counting the ops left out."""
    if len(rows) <= 3 * SUMMARY_KEEP:
        return rows
    hidden = ops[SUMMARY_KEEP:-SUMMARY_KEEP]
    counts = {op: hidden.count(op) for op in dict.fromkeys(hidden)}
    text = f"... {counted(len(hidden), 'more entry', 'more entries')}: " + ", ".join(f"{n} {op}" for op, n in
                                                          counts.items())
    return rows[:SUMMARY_KEEP] + [[text] + [""] * (width - 1)] + rows[-SUMMARY_KEEP:]


def tape_table(record, fmt: str = "table") -> Tabular:
    digits = record.digits
    tangents = record.mode in ("forward", "both")
    shaped = ["shape"] if record.shaped else []
    headers = ["v", "definition"] + shaped + ["value"] + (
        ["tangent rule", "tangent"] if tangents else [])

    def cells(k):
        row = record.rows[k]
        return [row.name, row.definition()] + (
            [shape_text(row.shape)] if shaped else []) + [cell(row.value, fmt, digits)] + (
            [row.tangent_rule, cell(row.tangent, fmt, digits)] if tangents else []) + [
            "; ".join(row.notes)]

    rows = Lazy(len(record.rows), cells)
    seed = ", ".join(f"{v} = {s:g}" for v, s in record.seed.items())
    footer = ([f"tangent seed: {seed}"] if tangents else []) + list(record.notes)
    if record.shaped and any(is_array(row.value) and not small(row.value)
                             for row in record.rows):
        footer.append(f"{SUMMARISED}; -f json gives every element")
    at = _at(record.point, None)
    title = {"forward": "forward trace (primal and tangent)", "reverse": "forward trace",
             "both": "forward trace (primal and tangent)"}[record.mode]
    if record.summary:
        rows = _condense(rows, [row.op for row in record.rows], len(headers) + 1)
    table = Tabular(f"{title} of {shown(record.expression)}{at}", headers + ["notes"], rows,
                    footer, {"value", "tangent"})
    if record.mode != "forward":
        by_name = {row.name: row for row in record.rows}
        sweep = Lazy(len(record.sweep), lambda k: [
            by_name[record.sweep[k]].adjoint_rule,
            cell(by_name[record.sweep[k]].adjoint, fmt, digits)])
        if record.summary:
            sweep = _condense(sweep, [by_name[n].op for n in record.sweep], 2)
        table.more.append(Tabular("reverse sweep (adjoints, in the order the sweep "
                                  "completes them)", ["adjoint rule", "adjoint"], sweep,
                                  [], {"adjoint"}))
    return table


def example_list(record) -> Tabular:
    rows = [[e.name, e.expression, ", ".join(e.at), e.mode, e.numbering, e.source]
            for e in record.examples]
    return Tabular("built-in examples (run one: adcli tape --example NAME)",
                   ["name", "formula", "point", "mode", "numbering", "source"], rows)


def _matrix_row(lead: list, numbers) -> Lazy:
    """The ``lead`` cells, then one row of a matrix, each number formatted when read."""
    return Lazy(len(lead) + len(numbers),
                lambda j: lead[j] if j < len(lead) else number(numbers[j - len(lead)]),
                lambda: lead + [number(x) for x in numbers])


def jacobian(record) -> Tabular:
    partials = [f"∂/∂{name}" for name in record.inputs]
    rows = Lazy(len(record.outputs), lambda k: _matrix_row(
        [record.outputs[k], number(record.values[k])], record.matrix[k]))
    sweeps = record.sweeps
    footer = [f"{record.mode} mode ("
              f"{counted(record.performed, 'evaluation' if record.mode == 'numerical' else 'sweep')}"
              f" run); AD needs {counted(sweeps['forward'], 'forward sweep')} or "
              f"{counted(sweeps['reverse'], 'reverse sweep')}"]
    footer += [record.note] if record.note else []
    return Tabular(f"Jacobian{_at(record.point, None)}", ["output", "value"] + partials, rows,
                   footer, {"value"} | set(partials))


def product(record) -> Tabular:
    if record.kind == "jvp":
        rows = [[out, number(v), number(record.result[out])]
                for out, v in zip(record.outputs, record.values)]
        headers, how = ["output", "value", "J·v"], "one tangent sweep"
    else:
        rows = [[name, number(record.result[name])] for name in record.inputs]
        headers, how = ["input", "uᵀ·J" if record.kind == "vjp" else "H·v"], (
            "one adjoint sweep" if record.kind == "vjp"
            else "one tangent sweep through the recorded reverse sweep")
    pairs = record.vector.items() if isinstance(record.vector, dict) else \
        zip(record.outputs, record.vector)
    vector = ", ".join(f"{k} = {number(v, shown=6)}" for k, v in pairs)
    return Tabular(f"{record.kind.upper()}{_at(record.point, None)}", headers, rows,
                   [f"vector: {vector}", record.how or how], set(headers[1:]))


def hessian(record) -> Tabular:
    partials = [f"∂/∂{name}" for name in record.inputs]
    names = list(record.inputs)
    rows = Lazy(len(names), lambda k: _matrix_row(
        [f"∂f/∂{names[k]}", number(record.gradient[names[k]])], record.matrix[k]))
    return Tabular(f"Hessian of {shown(record.expression)}{_at(record.point, None)}",
                   ["row", "gradient"] + partials, rows,
                   [f"f = {number(record.value)}", f"{record.mode}: {record.note}"],
                   {"gradient"} | set(partials))


def graph_view(record, fmt: str = "table") -> Tabular:
    """Two tables of the graph: its nodes, then its edges (argument -> result)."""
    digits = record.digits
    evaluated = any(node.value is not None for node in record.nodes)
    shaped = ["shape"] if any(node.shape is not None for node in record.nodes) else []
    names = [node.name for node in record.nodes]
    rows = [[node.name, node.definition] + (
        [shape_text(node.shape or ())] if shaped else []) + (
        [cell(node.value, fmt, digits), cell(node.adjoint, fmt, digits)]
        if evaluated else []) for node in record.nodes]
    edges = [[names[e.source], names[e.target]] + ([cell(e.partial, fmt, digits),
                                                    cell(e.flow, fmt, digits)]
                                                   if evaluated else [])
             for e in record.edges]
    footer = [f"also on the tape, not used by the output: {', '.join(record.unused)}"] \
        if record.unused else []
    if shaped and evaluated:
        footer.append("a structural op's partial (@, sum, transpose ...) is a linear map, "
                      "not an array of numbers: its arrows show the adjoint flow only")
    table = Tabular(f"graph of {shown(record.expression)}{_at(record.point, None)}",
                    ["node", "definition"] + shaped + (["value", "adjoint"] if evaluated
                                                       else []),
                    rows, footer, {"value", "adjoint"})
    how = ("partial: ∂to/∂from at the point; adjoint flow: v̄·∂, what the reverse sweep "
           "sends back along the edge" if evaluated else
           "each argument flowing into the node that reads it")
    table.more.append(Tabular("edges", ["from", "to"] + (["partial", "adjoint flow"]
                                                          if evaluated else []),
                              edges, [how], {"partial", "adjoint flow"}))
    return table


def _memory(record) -> Tabular:  # its own module: this one is near its size bound
    from . import memory_view

    return memory_view.VIEWS[type(record).__name__](record)


VIEWS.update({"StepScan": step_scan, "GraphView": graph_view, "Swell": swell, "TapeTable": tape_table,
              "ExampleList": example_list, "Jacobian": jacobian, "Product": product,
              "Hessian": hessian, "MemoryReport": _memory, "NetworkMemory": _memory})
from .checkpoint_view import checkpoint_trade  # noqa: E402 (it needs Tabular, above)
VIEWS["CheckpointTrade"] = checkpoint_trade
