"""The tape of a formula of vectors and matrices, as the textbook draws it.

The same recorder and sweeps as :mod:`adcli.backends.shaped`; what differs
from a tape of numbers is the rules' text.  An element-wise op keeps its
partial's form (``v̄2 += v̄3·cos(v2)``), summed back to the argument's shape
where NumPy broadcast it; a structural op's partial is a linear map, and its
adjoint line is the map's own template (:class:`~adcli.ops.linear.Linear`):
``v̄1 += v̄3 · v2ᵀ`` and ``v̄2 += v1ᵀ · v̄3`` for ``v3 = v1 @ v2``.
"""

from __future__ import annotations

import re

from ..language.printer import format_node
from ..ops.linear import Linear


def shape_text(shape) -> str:
    """``2×3``; a scalar has no shape to show."""
    return "×".join(map(str, shape))


def shaped_sweeps(problem, mode: str, seed: dict):
    """The tape in NumPy, its tangents (``seed``: a number per input, spread over
    the input's elements) and adjoints; a missing tangent or adjoint is zeros."""
    import numpy as np

    from ..ops.namespaces import numpy_math
    from ..tape.record import record
    from ..tape.sweeps import adjoints_columns, tangents_columns

    tape = record(problem.graph, problem.point, numpy_math())
    shapes = [np.shape(v) for v in tape.values]

    def filled(values):
        return [np.zeros(shape) if v is None else
                (np.broadcast_to(v, shape).astype(float) if np.shape(v) != shape else v)
                for v, shape in zip(values, shapes)]

    dot = bar = None
    if mode != "reverse":
        inputs = tape.inputs
        start = {inputs[v]: (np.full(shapes[inputs[v]], float(s)) if shapes[inputs[v]]
                             else float(s)) for v, s in seed.items() if s}
        dot = filled(tangents_columns(tape, start, np))
    if mode != "forward":
        bar = filled(adjoints_columns(tape, {tape.output: 1.0} if tape.output >= 0 else {},
                                      np))
    return tape, dot, bar


_LATEX_SIGNS = {"ᵀ": "^{T}", "·": r" \cdot ", "⊙": r" \odot ", "⟨": r"\langle ",
                "⟩": r"\rangle ", "‖": r"\|", "Σ": r"\sum "}


def rule_latex(text: str) -> str:
    """A linear map's template, already named, in LaTeX: words as upright text."""
    out = re.sub(r"(?<![\\{_])\b([A-Za-z]{2,})\b",
                 lambda m: rf"\operatorname{{{m.group(1)}}}" if m.group(1) == "softmax"
                 else rf"\text{{ {m.group(1)} }}", text)
    for sign, latex in _LATEX_SIGNS.items():
        out = out.replace(sign, latex)
    return out


class ShapedRules:
    """Adjoint lines ``v̄k += ...`` (one per use) and tangent lines for a shaped tape,
    over the scalar rules' namer (:class:`~adcli.studies.tape_table._Rules`)."""

    def __init__(self, rules):
        import numpy as np

        self.rules, self.tape = rules, rules.tape
        self.shapes = [np.shape(v) for v in self.tape.values]
        self.maps: dict[int, list] = {}
        for out, arg, p in self.tape.edge_triples():
            self.maps.setdefault(out, []).append((arg, p))

    def _arguments(self, entry: int) -> list:
        """Each argument of the op as a placeholder: ``V<k>`` for an entry, the
        constant's text otherwise (an axis, an index)."""
        graph, tape = self.tape.graph, self.tape
        args = graph.nodes[tape.nodes[entry]][1]
        return [f"V{tape.entry_of[a]}" if tape.entry_of[a] >= 0 else format_node(graph, a)
                for a in args]

    def _linear(self, out: int, linear: Linear) -> str:
        if not linear.rule:
            return f"J{out}ᵀ(B{out})"
        return linear.rule.format(*self._arguments(out), out=f"B{out}")

    def adjoint(self, entry: int):
        from ..records.formula import Formula

        tape, rules = self.tape, self.rules
        text, latex = rules._names("B", entry)
        if entry == tape.output:
            return Formula(f"{text} = 1 (seed)", f"{latex} = 1")
        lines, latex_lines = [], []
        for out, index, p in self._uses(entry):
            if p.__class__ is Linear:
                term = self._linear(out, p)
                term_latex = rule_latex(self._show_latex(term))
                term = rules._show(term)
            else:
                t, term_latex = rules._times(rules.partials(out)[index], ("B", out),
                                             first=True)
                term = rules._show(t)
                if self.shapes[entry] != self.shapes[out]:
                    to = shape_text(self.shapes[entry])
                    term = f"({term}) summed to {to}" if to else f"sum({term})"
                    term_latex = (rf"\left({term_latex}\right) \text{{ summed to {to}}}"
                                  if to else rf"\sum \left({term_latex}\right)")
            lines.append(f"{text} += {term}")
            latex_lines.append(rf"{latex} \mathrel{{+}}= {term_latex}")
        if not lines:
            return Formula(f"{text} = 0", f"{latex} = 0")
        return Formula("; ".join(lines), r"; \quad ".join(latex_lines))

    def tangent(self, entry: int, seed):
        from ..records.formula import Formula

        maps = self.maps.get(entry, [])
        if not any(p.__class__ is Linear for _a, p in maps):
            return self.rules.tangent(entry, seed)
        rules = self.rules
        text, latex = rules._names("D", entry)
        terms, latex_terms = [], []
        for index, (arg, p) in enumerate(maps):
            if p.__class__ is Linear:
                terms.append(f"∂V{entry}/∂V{arg}·D{arg}")
                latex_terms.append(rf"\frac{{\partial {rules._names('V', entry)[1]}}}"
                                   rf"{{\partial {rules._names('V', arg)[1]}}}"
                                   rf" \cdot {rules._names('D', arg)[1]}")
            else:
                t, lx = rules._times(rules.partials(entry)[index], ("D", arg), first=False)
                terms.append(t)
                latex_terms.append(lx)
        return Formula(f"{text} = {rules._show(' + '.join(terms))}",
                       f"{latex} = {' + '.join(latex_terms)}")

    def _uses(self, entry: int):
        """``(out, k, partial)`` for every edge from ``entry``: ``x*x`` reads it twice."""
        for out in sorted(set(self.rules.uses.get(entry, []))):
            for k, (arg, p) in enumerate(self.maps[out]):
                if arg == entry:
                    yield out, k, p

    def _show_latex(self, text: str) -> str:
        return re.sub(r"\b([VDB])(\d+)(?!\d)",
                      lambda m: self.rules._names(m.group(1), int(m.group(2)))[1], text)
