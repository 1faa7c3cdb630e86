"""The tape as the textbook draws it: each entry, its tangent rule, its adjoint rule.

The rules are not typed anywhere: each is the op table's own partial,
evaluated in the SymPy namespace on symbols named after the tape rows, so
``sin``'s partial prints as ``cos(v2)`` and ``sqrt``'s as ``1/(2·v3)`` -- the
same rule the sweeps computed with.  The adjoint sweep is listed in the order
the sweep finishes each adjoint: when entry i is processed, every argument
whose last use is i is complete (the course's ``v̄4, v̄3, v̄1, v̄2``).
"""

from __future__ import annotations

import re

from ..backends import Problem
from ..backends.forward import tangents
from ..backends.reverse import adjoints
from ..backends.shaped import is_shaped
from ..errors import choose
from ..ops import OPS
from ..language.printer import format_node, sympy_latex
from ..records.formula import Formula, latex_name
from ..records.tape_table import TapeRow, TapeTable
from ..tape.record import Tape, record

DOT, BAR = "\u0307", "\u0304"   # combining dot and bar above: v̇, v̄
NUMBERINGS = ("seed", "griewank")
TAPE_MODES = ("forward", "reverse", "both")


def row_namer(tape: Tape, numbering: str):
    """Entry index -> "v3"; Griewank's numbering puts the n inputs at v1-n..v0."""
    choose(numbering, NUMBERINGS, "numbering")
    shift = 1 if numbering == "seed" else 1 - len(tape.graph.variables)
    return lambda entry: f"v{entry + shift}"


def tape_table(problem: Problem, mode: str = "forward", numbering: str = "seed",
               seed: dict | None = None, digits: int | None = None,
               summary: bool = False) -> TapeTable:
    choose(mode, TAPE_MODES, "tape mode")
    shaped = is_shaped(problem)
    if shaped:  # vectors and matrices: NumPy values, linear maps' rules
        from .tape_shapes import ShapedRules, shaped_sweeps

        seed = _seed(seed, problem, problem.graph.variables)
        tape, dot, bar = shaped_sweeps(problem, mode, seed)
        name = row_namer(tape, numbering)
        rules = ShapedRules(_Rules(tape, name))
    else:
        tape = record(problem.graph, problem.point)
        name = row_namer(tape, numbering)
        seed = _seed(seed, problem, tape.inputs)
        rules = _Rules(tape, name)
        dot = tangents(tape, {tape.inputs[v]: s for v, s in seed.items()}) \
            if mode != "reverse" else None
        bar = None
        if mode != "forward":  # a constant output sends nothing back: every adjoint is 0
            bar = adjoints(tape, {tape.output: 1.0} if tape.output >= 0 else {})
    notes = _notes(tape, name)
    rows = []
    for entry, node in enumerate(tape.nodes):
        kind, args, data = problem.graph.nodes[node]
        arg_names = tuple(name(tape.entry_of[a]) for a in args if tape.entry_of[a] >= 0)
        row_notes = list(notes.pop(entry, ()))
        tangent_rule = adjoint_rule = None
        if dot is not None:
            tangent_rule = rules.tangent(entry, seed.get(data) if kind == "var" else None)
            if kind == "var" and seed.get(data):
                row_notes.insert(0, "seed")
        if bar is not None:
            adjoint_rule = rules.adjoint(entry)
            if entry == tape.output:
                row_notes.insert(0, "seed")
        rows.append(TapeRow(
            name(entry), "input" if kind == "var" else kind, arg_names,
            rules.rules.expression(entry) if shaped else rules.expression(entry),
            tape.values[entry],
            tangent_rule, dot[entry] if dot is not None else None,
            adjoint_rule, bar[entry] if bar is not None else None, tuple(row_notes),
            _shape(tape.values[entry]) if shaped else None))
    outputs = (name(tape.output),) if tape.output >= 0 else ()
    sweep = tuple(name(e) for e in _sweep_order(tape)) if bar is not None else ()
    return TapeTable(problem.text, problem.point, mode, numbering, tuple(rows), sweep, outputs,
                     seed if dot is not None else {},
                     tuple(notes.pop(None, ())) + ((_stored(tape),) if summary else ()),
                     digits, summary, shaped)


def _stored(tape: Tape) -> str:
    """The summary's line on memory: what reverse mode keeps of this tape."""
    count = sum(getattr(v, "size", 1) for v in tape.values)
    nbytes = tape.stored_bytes
    dtypes = ", ".join(sorted({getattr(getattr(v, "dtype", None), "name", "float64")
                               for v in tape.values}))
    return (f"stored values: {count:,} numbers ({dtypes}), {nbytes:,} bytes, over "
            f"{len(tape):,} tape entries and {tape.edge_count:,} edges (see: adcli memory)")


def _shape(value) -> tuple:
    return tuple(getattr(value, "shape", ()))


def _seed(seed: dict | None, problem: Problem, inputs: dict) -> dict:
    if seed is None:
        first = problem.wrt[0] if problem.wrt else None
        return {v: (1.0 if v == first else 0.0) for v in inputs}
    from ..language.points import vector_over

    return vector_over(seed, list(inputs), "--seed")


def _sweep_order(tape: Tape) -> list[int]:
    """Entries in the order the adjoint sweep completes them: an adjoint is
    complete once its first use (the last one the sweep reaches) is processed."""
    first_use = [-1] * len(tape)
    for out, arg, _p in tape.edge_triples():
        if first_use[arg] < 0 or out < first_use[arg]:
            first_use[arg] = out
    finished_by: dict[int, list[int]] = {}
    for entry, first in enumerate(first_use):
        finished_by.setdefault(first, []).append(entry)
    order = [tape.output] if tape.output >= 0 else []
    for entry in range(len(tape) - 1, -1, -1):
        order.extend(e for e in sorted(finished_by.get(entry, ()), reverse=True)
                     if e != tape.output)
    order.extend(e for e in finished_by.get(-1, ()) if e != tape.output)  # never used
    return order


def _notes(tape: Tape, name) -> dict:
    """Kinks and branch decisions, on the row they concern (None: no row)."""
    notes: dict = {}
    for kink in tape.kinks:
        if hasattr(kink, "rows"):  # arrays: count the elements at the kink
            count = int(kink.rows.sum())
            notes.setdefault(kink.entry, []).append(
                f"kink of {kink.op} at {count} element{'s' if count != 1 else ''}: "
                f"one-sided subgradient")
            continue
        args = ", ".join(repr(float(x)) for x in kink.args)
        notes.setdefault(kink.entry, []).append(
            f"kink of {kink.op} at ({args}): subgradient "
            f"{', '.join(str(s) for s in kink.subgradient)}")
    graph = tape.graph
    for branch in tape.branches:
        cond, yes, no = graph.nodes[branch.node][1]
        chosen = yes if branch.taken else no

        def label(node):
            entry = tape.entry_of[node]
            return name(entry) if entry >= 0 else None

        text = (f"branch: {format_node(graph, cond, label)} is "
                f"{'true' if branch.taken else 'false'}, took "
                f"{format_node(graph, chosen, label)}")
        entry = tape.entry_of[chosen]
        notes.setdefault(entry if entry >= 0 else None, []).append(text)
    return notes


class _Rules:
    """Tangent and adjoint rules as text, from the op table's partials in SymPy."""

    def __init__(self, tape: Tape, name):
        from ..ops.namespaces import sympy_math

        self.tape, self.name, self.m = tape, name, sympy_math()
        self.edges: dict[int, list] = {}
        for out, arg, _p in tape.edge_triples():
            self.edges.setdefault(out, []).append(arg)
        self.uses: dict[int, list] = {}
        for out, args in self.edges.items():
            for arg in args:
                self.uses.setdefault(arg, []).append(out)

    def _label(self, node: int):
        entry = self.tape.entry_of[node]
        return self.name(entry) if entry >= 0 else None

    def _latex_label(self, node: int):
        entry = self.tape.entry_of[node]
        return latex_name(self.name(entry)) if entry >= 0 else None

    def expression(self, entry: int) -> Formula:
        graph, node = self.tape.graph, self.tape.nodes[entry]
        return Formula(format_node(graph, node, self._label),
                       format_node(graph, node, self._latex_label, latex=True))

    def _symbol(self, node: int):
        import sympy

        graph, entry = self.tape.graph, self.tape.entry_of[node]
        if entry >= 0:
            return sympy.Symbol(f"V{entry}")
        if graph.nodes[node][0] == "const":
            return graph.number(node, self.m)
        return sympy.Symbol(f"({format_node(graph, node)})")

    def partials(self, entry: int) -> list:
        """∂v_entry/∂(each argument entry) as SymPy expressions over ``V<k>`` names."""
        import sympy

        graph, node = self.tape.graph, self.tape.nodes[entry]
        kind, args, _data = graph.nodes[node]
        op = OPS[kind]
        rules = op.subgradient if any(k.entry == entry for k in self.tape.kinks) \
            else op.partials
        xs = [self._symbol(a) for a in args]
        return [sympy.Integer(rule) if rule.__class__ is int
                else rule(self.m, sympy.Symbol(f"V{entry}"), *xs)
                for rule, a in zip(rules, args) if self.tape.entry_of[a] >= 0]

    def _names(self, kind: str, entry: int) -> tuple[str, str]:
        """(text, LaTeX) of row ``entry``'s value, tangent or adjoint."""
        row = self.name(entry)
        mark = {"V": "", "D": DOT, "B": BAR}[kind]
        latex = {"V": "{}", "D": r"\dot{{{}}}", "B": r"\bar{{{}}}"}[kind].format(row[0])
        return row[0] + mark + row[1:], f"{latex}_{{{row[1:]}}}"

    def _show(self, text: str) -> str:
        """``V<k>``, ``D<k>``, ``B<k>`` -> the row's name, tangent and adjoint."""
        text = text.replace("**", "^").replace("*", "·")
        return re.sub(r"\b([VDB])(\d+)(?!\d)",
                      lambda match: self._names(match.group(1), int(match.group(2)))[0], text)

    def _latex(self, p) -> str:
        """The partial in LaTeX; only its own symbols are named (a rule is short,
        the tape may be long)."""
        names = {s.name: self._names("V", int(s.name[1:]))[1] for s in p.free_symbols
                 if s.name[:1] == "V" and s.name[1:].isdigit()}
        latex = sympy_latex(p, names)
        return latex if latex is not None else self._show(str(p)).replace("·", r" \cdot ")

    def _rule(self, kind: str, entry: int, terms: list, seed: str = "") -> Formula:
        text, latex = self._names(kind, entry)
        body = _sum([t for t, _l in terms]) if terms else seed
        latex_body = _sum([lx for _t, lx in terms]) if terms else seed
        return Formula(f"{text} = {self._show(body)}" + (" (seed)" if seed not in ("", "0") else ""),
                       f"{latex} = {latex_body}")

    def tangent(self, entry: int, seed) -> Formula:
        if entry < len(self.tape.graph.variables):
            return self._rule("D", entry, [], f"{seed:g}")
        terms = [self._times(p, ("D", a), first=False)
                 for p, a in zip(self.partials(entry), self.edges.get(entry, []))]
        return self._rule("D", entry, terms, "0")

    def adjoint(self, entry: int) -> Formula:
        if entry == self.tape.output:
            return self._rule("B", entry, [], "1")
        terms = []
        for out in sorted(set(self.uses.get(entry, []))):
            for p, arg in zip(self.partials(out), self.edges[out]):
                if arg == entry:
                    terms.append(self._times(p, ("B", out), first=True))
        return self._rule("B", entry, terms, "0")

    def _times(self, p, flow: tuple, first: bool) -> tuple[str, str]:
        """``cos(v2)·v̇2`` (tangents: partial first) or ``v̄4·v1`` (adjoints: flow
        first), as text over ``V<k>``/``D<k>``/``B<k>`` names and as LaTeX."""
        import sympy

        name = f"{flow[0]}{flow[1]}"
        latex_flow = self._names(*flow)[1]
        text = sympy.sstr(p)
        if text in ("1", "-1", "0"):
            sign = "-" if text == "-1" else ""
            return (f"{sign}{name}", f"{sign}{latex_flow}") if text != "0" else ("0", "0")
        if text.startswith("-") and not re.search(r"[-+/]", text[1:]):
            t, lx = self._times(-p, flow, first)
            return "-" + t, "-" + lx
        latex = self._latex(p)
        if re.search(r"[-+/]", text.lstrip("-")):
            text, latex = f"({text})", rf"\left({latex}\right)"
        if first:
            return f"{name}*{text}", rf"{latex_flow} \cdot {latex}"
        return f"{text}*{name}", rf"{latex} \cdot {latex_flow}"


def _sum(terms: list[str]) -> str:
    text = " + ".join(terms) if terms else "0"
    return text.replace("+ -", "- ")


__all__ = ["NUMBERINGS", "TAPE_MODES", "tape_table"]
