"""The computational graph as a picture: Graphviz DOT, Mermaid, or plain text.

A course draws ``f(x) = sin(x**2) + exp(x)`` as boxes and arrows before it
writes a tape; these drawings are that picture, made from the same graph and
tape the sweeps use, so what is drawn is what is computed:

* without a tape, the *formula*: one box per non-constant node, which is
  where hash-consing shows (``sin(x)*sin(x)`` has one ``sin`` with two arrows
  into ``*``); constant parts are written into the box that uses them
  (``·^2``), as the tape shows them inline, not drawn as boxes of their own;
* with a tape, the *evaluation at a point*: only what executed (the taken
  branch of a conditional), each box a tape row ``v3 = sin(v2)`` with its
  value, each arrow the local partial; with adjoints also ``v̄`` on every box
  and ``v̄·∂`` -- what the reverse sweep sends along every arrow.

One layout (:func:`_picture`) is computed once and written three ways.  Every
walk is a loop over node or entry indices (arguments always have smaller
indices), so a formula nested ten thousand deep draws without recursion.
Only :func:`render` runs a program, Graphviz's ``dot``; nothing here imports
SymPy, NumPy or mpmath.
"""

from __future__ import annotations

from ..errors import UsageError
from ..language.graph import CONST, FORMS, IF, VAR, Graph
from ..ops import ATOM, OPS
from ..language.printer import format_node

BAR = "\u0304"                  # combining bar above: v̄
#: Where the formula has a non-constant argument, when the box shows a template.
HOLE = "\u00b7"                 # ·
#: Two-argument kinds whose arguments may be swapped: their arrows need no names.
SYMMETRIC = frozenset({"add", "mul", "max", "min", "hypot", "eq", "ne", "and", "or"})


class _Box:
    """One drawn node: ``label`` in a picture, ``formula`` in the text drawing."""

    __slots__ = ("name", "label", "formula", "value", "bar", "is_input", "is_output")

    def __init__(self, name, label, formula, value=None, bar=None,
                 is_input=False, is_output=False):
        self.name, self.label, self.formula = name, label, formula
        self.value, self.bar = value, bar
        self.is_input, self.is_output = is_input, is_output


class _Arrow:
    """An argument flowing into its result: ``slot`` names it where order matters."""

    __slots__ = ("source", "target", "slot", "partial", "flow")

    def __init__(self, source, target, slot=None, partial=None, flow=None):
        self.source, self.target, self.slot = source, target, slot
        self.partial, self.flow = partial, flow


def _number(x, digits: int | None) -> str:
    """``repr`` of the float (it reads back exactly), or ``digits`` significant
    digits; an mpmath number formats itself through its own context, so this
    module never imports mpmath."""
    context = getattr(x, "context", None)
    if digits is None:
        return repr(float(x)) if isinstance(x, (int, float)) else str(x)
    if context is not None and hasattr(context, "nstr"):
        return context.nstr(x, digits)
    return format(float(x), f".{digits}g")


# -- the layout ---------------------------------------------------------------

def _short(kind: str) -> str:
    """What a box shows when every argument is drawn: ``sin``, ``+``, ``<``."""
    op = OPS.get(kind)
    if kind == IF or kind == "not":
        return kind
    if op is not None and op.arity == 1 and op.prec != ATOM:
        return op.name                      # "neg": a bare "-" would read as "sub"
    if op is not None and op.prec == ATOM:
        return op.title                     # logb is "log" to a user
    template = op.pretty if op is not None else FORMS[kind][0]
    return template.format("", "").strip()


def _template(graph: Graph, node: int, constants: dict) -> tuple[str, list]:
    """A box's label and the names of its arrows, by argument slot.

    Constant arguments are written in (``·^2``, ``2*·``); with several drawn
    arguments of an order-sensitive op the holes get letters (``a - b``), and
    the arrows the same letters, so the picture says which is which.
    """
    kind, args, _data = graph.nodes[node]
    constant = graph.constant
    drawn = [k for k, a in enumerate(args) if not constant[a]]
    if len(drawn) == len(args) and (len(args) == 1 or kind in SYMMETRIC):
        return _short(kind), [None] * len(args)
    op = OPS.get(kind)
    template, prec = (op.pretty, op.prec) if op is not None else FORMS[kind]
    letters = iter("abc" if len(drawn) > 1 else HOLE * 3)
    parts, slots = [], []
    for a in args:
        if constant[a]:
            text = constants.get(a)
            if text is None:
                text = constants[a] = format_node(graph, a)
            if prec != ATOM and graph.nodes[a][0] != CONST:
                text = f"({text})"
            parts.append(text)
            slots.append(None)
        else:
            parts.append(next(letters))
            slots.append(parts[-1] if len(drawn) > 1 else None)
    return template.format(*parts), slots


def _picture(graph: Graph, tape=None, adjoint=None, digits=None):
    """Boxes in topological order, arrows, and (text only) rows left out."""
    if adjoint is not None and tape is None:
        raise ValueError("adjoints are drawn on the tape they were computed from")
    if tape is None:
        return _formula_picture(graph)
    return _tape_picture(graph, tape, adjoint, digits)


def _formula_picture(graph: Graph):
    nodes, constant, out = graph.nodes, graph.constant, graph.output
    if constant[out]:
        text = format_node(graph, out)
        return [_Box("n0", text, f"n0 = {text}", is_output=True)], [], []
    keep = bytearray(out + 1)
    keep[out] = 1
    for j in range(out, -1, -1):
        if keep[j]:
            for a in nodes[j][1]:
                if not constant[a]:
                    keep[a] = 1
    index = {}
    for j in range(out + 1):
        if keep[j]:
            index[j] = len(index)
    names = {j: f"n{i}" for j, i in index.items()}
    constants: dict[int, str] = {}
    boxes, arrows = [], []
    for j, i in index.items():
        kind, args, data = nodes[j]
        formula = f"{names[j]} = {format_node(graph, j, names.get)}"
        if kind == VAR:
            boxes.append(_Box(names[j], str(data), formula, is_input=True,
                              is_output=j == out))
            continue
        label, slots = _template(graph, j, constants)
        boxes.append(_Box(names[j], label, formula, is_output=j == out))
        for a, slot in zip(args, slots):
            if not constant[a]:
                arrows.append(_Arrow(index[a], i, slot))
    return boxes, arrows, []


def _tape_picture(graph: Graph, tape, adjoint, digits):
    entries, entry_of, out = tape.nodes, tape.entry_of, tape.output
    if out < 0:  # a constant formula, or a conditional that chose a constant
        value = _number(tape.value, digits)
        box = _Box("output", "output (constant here)", "output (constant here)", value,
                   is_output=True)
        return [box], [], [tape.row_name(e) for e in range(len(tape))]
    # Arguments of each entry, from the graph (an `if` argument is the entry of
    # its taken branch); the partials, from the tape's edges, in the same order.
    sources = [[e for e in (entry_of[a] for a in graph.nodes[node][1]) if e >= 0]
               for node in entries]
    partials: list[list] = [[] for _ in entries]
    for target, source, p in tape.edge_triples():
        if source >= 0:  # a unary op of a branch that chose a constant: see report
            partials[target].append((source, p))
    keep = bytearray(out + 1)
    keep[out] = 1
    for e in range(out, -1, -1):
        if keep[e]:
            for s in sources[e]:
                keep[s] = 1
    index = {}
    for e in range(out + 1):
        if keep[e]:
            index[e] = len(index)
    bar = adjoint
    boxes, arrows = [], []
    for e, i in index.items():
        row = tape.describe(e)
        boxes.append(_Box(tape.row_name(e), row, row,
                          _number(tape.values[e], digits),
                          None if bar is None else _number(bar[e], digits),
                          is_input=graph.nodes[entries[e]][0] == VAR, is_output=e == out))
        known = [p for _s, p in partials[e]] \
            if [s for s, _p in partials[e]] == sources[e] else [None] * len(sources[e])
        for s, p in zip(sources[e], known):
            flow = None
            if bar is not None and p is not None:
                # as the sweep does it: zero times an undefined partial is zero
                flow = _number(bar[e] * p if bar[e] and p else 0.0, digits)
            arrows.append(_Arrow(index[s], i, None,
                                 None if p is None else _number(p, digits), flow))
    unused = [tape.row_name(e) for e in range(len(tape)) if e > out or not keep[e]]
    return boxes, arrows, unused


def _box_lines(box: _Box) -> list[str]:
    lines = [box.label]
    if box.value is not None:
        lines.append(f"= {box.value}")
    if box.bar is not None:
        lines.append(f"v{BAR} = {box.bar}")
    return lines


def _arrow_lines(arrow: _Arrow) -> list[str]:
    lines = []
    if arrow.slot is not None:
        lines.append(arrow.slot)
    if arrow.partial is not None:
        lines.append(f"\u2202 = {arrow.partial}")
    if arrow.flow is not None:
        lines.append(f"v{BAR}\u00b7\u2202 = {arrow.flow}")
    return lines


# -- the three writers -------------------------------------------------------

_DOT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n"})


def _dot_string(lines: list[str]) -> str:
    return '"' + "\n".join(lines).translate(_DOT_ESCAPES) + '"'


def dot(graph: Graph, tape=None, adjoint=None, digits: int | None = None) -> str:
    """Graphviz DOT source, left to right; the output box has a double border.

    Pipe it to ``dot -Tsvg`` or use :func:`render`; no Python Graphviz package
    is needed to write it.
    """
    boxes, arrows, _unused = _picture(graph, tape, adjoint, digits)
    out = ["digraph adcli {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];',
           '  edge [fontname="Helvetica", fontsize=10];']
    for i, box in enumerate(boxes):
        extra = (", shape=ellipse" if box.is_input else "") + \
            (", peripheries=2" if box.is_output else "")
        out.append(f"  n{i} [label={_dot_string(_box_lines(box))}{extra}];")
    for arrow in arrows:
        lines = _arrow_lines(arrow)
        label = f" [label={_dot_string(lines)}]" if lines else ""
        out.append(f"  n{arrow.source} -> n{arrow.target}{label};")
    out.append("}")
    return "\n".join(out) + "\n"


# Mermaid reads #name; and #123; as entities: these characters would otherwise
# end the quoted label, start an entity, or be taken for HTML.
_MERMAID_ESCAPES = str.maketrans({"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;",
                                  "&": "#amp;"})


def _mermaid_string(lines: list[str]) -> str:
    return '"' + "<br>".join(line.translate(_MERMAID_ESCAPES) for line in lines) + '"'


def mermaid(graph: Graph, tape=None, adjoint=None, digits: int | None = None) -> str:
    """The same picture as a Mermaid flowchart, for Markdown that renders it
    (GitHub, GitLab, many notebooks): inputs are rounded, the output doubled."""
    boxes, arrows, _unused = _picture(graph, tape, adjoint, digits)
    out = ["flowchart LR"]
    for i, box in enumerate(boxes):
        label = _mermaid_string(_box_lines(box))
        shape = "[[{}]]" if box.is_output else "([{}])" if box.is_input else "[{}]"
        out.append(f"    n{i}{shape.format(label)}")
    for arrow in arrows:
        lines = _arrow_lines(arrow)
        link = f"-- {_mermaid_string(lines)} -->" if lines else "-->"
        out.append(f"    n{arrow.source} {link} n{arrow.target}")
    return "\n".join(out) + "\n"


def text(graph: Graph, tape=None, adjoint=None, digits: int | None = None) -> str:
    """The picture for a terminal: one line per box, in the order computed::

        v3 = sin(v2)  [-0.7568]  v̄ = 1.0  <- v2  used by: v5
            ∂v3/∂v2 = -0.6536  v̄·∂ = -0.6536

    Tape rows not on the way to the output (a condition's operands, an unused
    input) are named at the end, so every row of the tape is accounted for.
    """
    boxes, arrows, unused = _picture(graph, tape, adjoint, digits)
    into: list[list[_Arrow]] = [[] for _ in boxes]
    users: list[list[str]] = [[] for _ in boxes]
    for arrow in arrows:
        into[arrow.target].append(arrow)
        user = boxes[arrow.target].name
        if not users[arrow.source] or users[arrow.source][-1] != user:
            users[arrow.source].append(user)
    width = min(40, max(len(box.formula) for box in boxes))
    out = []
    for i, box in enumerate(boxes):
        line = box.formula.ljust(width)
        if box.value is not None:
            line += f"  [{box.value}]"
        if box.bar is not None:
            line += f"  v{BAR} = {box.bar}"
        sources = list(dict.fromkeys(boxes[a.source].name for a in into[i]))
        if sources:
            line += f"  <- {', '.join(sources)}"
        if users[i]:
            line += f"  used by: {', '.join(users[i])}"
        if box.is_output:
            line += "  (output)"
        out.append(line)
        for arrow in into[i]:
            if arrow.partial is None:
                continue
            edge = f"    \u2202{box.name}/\u2202{boxes[arrow.source].name} = {arrow.partial}"
            if arrow.flow is not None:
                edge += f"  v{BAR}\u00b7\u2202 = {arrow.flow}"
            out.append(edge)
    if unused:
        out.append(f"also on the tape, not used by the output: {', '.join(unused)}")
    return "\n".join(out) + "\n"


def render(dot_source: str, path: str) -> None:
    """Write ``path`` (.svg or .png) with Graphviz's ``dot`` program.

    The program, not a Python binding: Graphviz is one system package, and the
    DOT text is already complete.  Its failures become usage errors with the
    first line of its message.
    """
    import os
    import shutil
    import subprocess

    fmt = os.path.splitext(path)[1].lower().lstrip(".")
    if fmt not in ("svg", "png"):
        raise UsageError(f"--render {path}: the file must end in .svg or .png")
    program = shutil.which("dot")
    if program is None:
        raise UsageError("--render needs the Graphviz 'dot' program (e.g. apt install graphviz)")
    try:
        done = subprocess.run([program, f"-T{fmt}", "-o", path],
                              input=dot_source.encode("utf-8"), capture_output=True)
    except OSError as exc:
        raise UsageError(f"--render: cannot run {program}: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        first = message[0] if message else f"exit status {done.returncode}"
        raise UsageError(f"dot failed: {first}")
