"""Formulas as text again, from the graph, without recursion: plain or LaTeX.

Tape rows name their arguments (``v2``) and show constant parts inline
(``pi/6``); error messages and the symbolic backend's labels use the same
printer, so every place speaks the same notation.  Each op prints from its
own templates (``Op.pretty``, ``Op.latex``), and SymPy expressions print to
LaTeX through the same templates (:func:`sympy_latex`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from .graph import CONST, FORMS, VAR, Graph
from ..ops import ATOM, CONSTANTS, OPS

#: Ops written after their first argument (``A[0]``, ``A.T``): that argument is
#: bracketed unless it is itself an atom (a name, a call, another postfix).
POSTFIX = frozenset({"index", "transpose"})
#: Text forms that must read back through the parser where the op's own
#: template does not (``Aᵀ`` is not ASCII): printed formulas parse to the same graph.
TEXT_FORMS = {"transpose": "{0}.T"}
# An op called by another name (sum_axis is sum(A, k)) prints as it is written.
TEXT_FORMS.update({name: op.pretty.replace(name + "(", next(iter(op.names)) + "(", 1)
                   for name, op in OPS.items() if op.prec == ATOM and op.names
                   and name not in op.names and op.pretty.startswith(name + "(")})


#: The structural kinds (not ops) in LaTeX.
LATEX_FORMS = {"lt": "{0} < {1}", "le": r"{0} \le {1}", "gt": "{0} > {1}", "ge": r"{0} \ge {1}",
               "eq": "{0} = {1}", "ne": r"{0} \ne {1}", "and": r"{0} \land {1}",
               "or": r"{0} \lor {1}", "not": r"\lnot {0}",
               "if": r"{1} \text{{ if }} {0} \text{{ else }} {2}"}


def _form(kind: str, latex: bool) -> tuple[str, int, bool]:
    op = OPS.get(kind)
    if op is not None:
        return (op.latex if latex else TEXT_FORMS.get(kind, op.pretty)), op.prec, op.right_assoc
    template, prec = FORMS[kind]
    return (LATEX_FORMS[kind] if latex else template), prec, False


def _wrap(piece: tuple[str, int], prec: int, k: int, right_assoc: bool, latex: bool) -> str:
    text, inner = piece
    if prec == ATOM:
        return text
    if inner < prec or (inner == prec and (k == 0) == right_assoc):
        return rf"\left({text}\right)" if latex else f"({text})"
    return text


def format_node(graph: Graph, node: int,
                name: Callable[[int], str | None] | None = None, latex: bool = False) -> str:
    """``node`` as text (or LaTeX); ``name(j)`` may name a node (e.g. ``"v2"``,
    ``"v_{2}"``) to stop there."""
    memo: dict[int, tuple[str, int]] = {}
    nodes = graph.nodes
    stack = [node]
    while stack:
        j = stack[-1]
        if j in memo:
            stack.pop()
            continue
        label = name(j) if name is not None and j != node else None
        if label is not None:
            memo[j] = (label, ATOM)
        elif nodes[j][0] in (CONST, VAR):
            memo[j] = (_leaf(str(nodes[j][2]), latex), ATOM)
        else:
            kind, args, _data = nodes[j]
            missing = [a for a in args if a not in memo]
            if missing:
                stack.extend(reversed(missing))
                continue
            template, prec, right = _form(kind, latex)
            parts = [_wrap(memo[a], prec, k, right, latex) for k, a in enumerate(args)]
            if kind in POSTFIX:
                parts[0] = _postfix_target(memo[args[0]], nodes[args[0]], latex)
            memo[j] = (template.format(*parts), prec)
        stack.pop()
    return memo[node][0]


def _postfix_target(piece: tuple[str, int], node: tuple, latex: bool) -> str:
    """What ``[i]`` or ``.T`` follows: bracketed unless an atom; a number too
    (``2.T`` would read as ``2.`` then ``T``).  In LaTeX a postfix on anything
    subscripted already is grouped (``{A_{1}}_{2}``, ``{v_{2}}_{0}`` for a tape
    row: TeX refuses a double subscript)."""
    text, inner = piece
    if latex and (node[0] in POSTFIX or "_" in text):
        return f"{{{text}}}"
    if inner == ATOM and not (node[0] == CONST and node[2] not in CONSTANTS):
        return text
    return rf"\left({text}\right)" if latex else f"({text})"


def _leaf(text: str, latex: bool) -> str:
    """A number, constant or variable; LaTeX writes pi as \\pi and x1 as x_{1}."""
    if not latex:
        return text
    if text == "pi":
        return r"\pi"
    head = text.rstrip("0123456789")
    if head and head != text and head[-1:].isalpha():
        return f"{head}_{{{text[len(head):]}}}"
    return text.replace("_", r"\_")


def sympy_latex(expr, names: dict | None = None) -> str | None:
    """A SymPy expression in LaTeX, each function of the op table through its
    own template; ``names`` maps symbol names to their LaTeX (``V2`` -> ``v_{2}``).
    None where SymPy's printer itself fails (it sorts ``Max(zoo, ...)`` and
    cannot): the LaTeX renderer then writes the formula's text."""
    names = names or {}
    symbols = {s: names[s.name] for s in expr.free_symbols if s.name in names}
    try:
        return _latex_printer()({"symbol_names": symbols, "mul_symbol": "dot"}).doprint(expr)
    except (ValueError, TypeError, RecursionError):
        return None


@lru_cache(maxsize=None)
def _latex_printer():
    """SymPy's LaTeX printer with every op-table function printed by its template
    (SymPy's own ``_print_log``, ``_print_Abs`` ... are replaced, not consulted)."""
    from sympy.printing.latex import LatexPrinter

    ops = _sympy_ops()

    def print_function(self, e, exp=None):
        op = ops.get(type(e).__name__)
        if op is None or len(e.args) != op.arity:
            return LatexPrinter._print_Function(self, e, exp)
        text = op.latex.format(*(self._print(a) for a in e.args))
        return rf"\left({text}\right)^{{{exp}}}" if exp is not None else text

    methods = {f"_print_{name}": print_function for name in ops}
    methods["_print_Function"] = print_function
    return type("OpTablePrinter", (LatexPrinter,), methods)


def _sympy_ops() -> dict:
    """SymPy function class name -> the op whose SymPy form it is."""
    from ..ops.namespaces import sympy_math

    return {function.__name__: OPS[name] for name, function in sympy_math().library.items()
            if isinstance(function, type)}
