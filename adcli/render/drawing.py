"""The computational graph as a picture: Graphviz DOT, Mermaid, or plain text.

Three writers of one :class:`~adcli.records.graph_view.GraphView`, whose
boxes, arrows, values, partials and adjoints are laid out and computed by
:mod:`adcli.studies.graph_view`; here they are only written.  Without a point
a box is the formula's node (``sin``, ``·^2``); at a point a tape row with
its value and ``v̄``, and an arrow carries ``∂`` and ``v̄·∂``.  Every writer is a
loop over the boxes, so a formula nested ten thousand deep draws without
recursion.  Only :func:`save` runs a program, Graphviz's ``dot``; nothing here
imports SymPy, NumPy or mpmath.
"""

from __future__ import annotations

from ..errors import UsageError
from ..records.graph_view import GraphEdge, GraphNode, GraphView
from .numbers import number

BAR = "\u0304"                  # combining bar above: v̄


def _box_lines(box: GraphNode, digits) -> list[str]:
    lines = [box.label]
    if box.value is not None:
        lines.append(f"= {number(box.value, shown=digits)}")
    if box.adjoint is not None:
        lines.append(f"v{BAR} = {number(box.adjoint, shown=digits)}")
    return lines


def _arrow_lines(arrow: GraphEdge, digits) -> list[str]:
    lines = []
    if arrow.slot is not None:
        lines.append(arrow.slot)
    if arrow.partial is not None:
        lines.append(f"\u2202 = {number(arrow.partial, shown=digits)}")
    if arrow.flow is not None:
        lines.append(f"v{BAR}\u00b7\u2202 = {number(arrow.flow, shown=digits)}")
    return lines


# -- the three writers -------------------------------------------------------

_DOT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n"})


def _dot_string(lines: list[str]) -> str:
    return '"' + "\n".join(lines).translate(_DOT_ESCAPES) + '"'


def dot(view: GraphView) -> str:
    """Graphviz DOT source, left to right; the output box has a double border.

    Pipe it to ``dot -Tsvg`` or use :func:`save`; no Python Graphviz package
    is needed to write it.
    """
    boxes, arrows, digits = view.nodes, view.edges, view.digits
    out = ["digraph adcli {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];',
           '  edge [fontname="Helvetica", fontsize=10];']
    for i, box in enumerate(boxes):
        extra = (", shape=ellipse" if box.is_input else "") + \
            (", peripheries=2" if box.is_output else "")
        out.append(f"  n{i} [label={_dot_string(_box_lines(box, digits))}{extra}];")
    for arrow in arrows:
        lines = _arrow_lines(arrow, digits)
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


def mermaid(view: GraphView) -> str:
    """The same picture as a Mermaid flowchart, for Markdown that renders it
    (GitHub, GitLab, many notebooks): inputs are rounded, the output doubled."""
    boxes, arrows, digits = view.nodes, view.edges, view.digits
    out = ["flowchart LR"]
    for i, box in enumerate(boxes):
        label = _mermaid_string(_box_lines(box, digits))
        shape = "[[{}]]" if box.is_output else "([{}])" if box.is_input else "[{}]"
        out.append(f"    n{i}{shape.format(label)}")
    for arrow in arrows:
        lines = _arrow_lines(arrow, digits)
        link = f"-- {_mermaid_string(lines)} -->" if lines else "-->"
        out.append(f"    n{arrow.source} {link} n{arrow.target}")
    return "\n".join(out) + "\n"


def text(view: GraphView) -> str:
    """The picture for a terminal: one line per box, in the order computed::

        v3 = sin(v2)  [-0.7568]  v̄ = 1.0  <- v2  used by: v5
            ∂v3/∂v2 = -0.6536  v̄·∂ = -0.6536

    Tape rows not on the way to the output (a condition's operands, an unused
    input) are named at the end, so every row of the tape is accounted for.
    """
    boxes, arrows, digits = view.nodes, view.edges, view.digits
    into: list[list[GraphEdge]] = [[] for _ in boxes]
    users: list[list[str]] = [[] for _ in boxes]
    for arrow in arrows:
        into[arrow.target].append(arrow)
        user = boxes[arrow.target].name
        if not users[arrow.source] or users[arrow.source][-1] != user:
            users[arrow.source].append(user)
    width = min(40, max(len(box.definition) for box in boxes))
    out = []
    for i, box in enumerate(boxes):
        line = box.definition.ljust(width)
        if box.shape:
            line += f"  : {'×'.join(map(str, box.shape))}"
        if box.value is not None:
            line += f"  [{number(box.value, shown=digits)}]"
        if box.adjoint is not None:
            line += f"  v{BAR} = {number(box.adjoint, shown=digits)}"
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
            edge = (f"    \u2202{box.name}/\u2202{boxes[arrow.source].name} = "
                    f"{number(arrow.partial, shown=digits)}")
            if arrow.flow is not None:
                edge += f"  v{BAR}\u00b7\u2202 = {number(arrow.flow, shown=digits)}"
            out.append(edge)
    if view.unused:
        out.append(f"also on the tape, not used by the output: {', '.join(view.unused)}")
    return "\n".join(out) + "\n"


def _writer(draw):
    def write(record: GraphView, stream, quiet: bool = False) -> None:
        stream.write(draw(record) + "\n")

    write.__doc__ = f"The registry's ``{draw.__name__}`` format: the drawing and a blank line."
    return write


write_text, write_dot, write_mermaid = _writer(text), _writer(dot), _writer(mermaid)


def save(view: GraphView, path: str) -> str:
    """Draw ``view`` into ``path`` (.svg or .png): ``--render FILE``; the file written."""
    return graphviz(dot(view), path)


def writable(option: str, path: str, suffixes: tuple[str, ...]) -> str:
    """``path`` as an absolute file name adcli can write, or a one-line usage error.

    Checked before any work, so that a mistyped directory costs nothing and
    never comes after a full table on stdout."""
    import os

    if not path or not path.strip():
        raise UsageError(f"{option} needs a file name, e.g. {option} picture{suffixes[0]}")
    if not path.lower().endswith(suffixes):
        raise UsageError(f"{option} {path}: the file must end in {' or '.join(suffixes)}")
    full = os.path.abspath(path)
    folder = os.path.dirname(full)
    if os.path.isdir(full):
        raise UsageError(f"{option} {path}: is a directory; name a file in it")
    if not os.path.isdir(folder):
        raise UsageError(f"{option} {path}: no such directory: {folder}")
    existed = os.path.exists(full)
    try:  # the one test that holds for every user and file system: open it
        with open(full, "ab"):
            pass
    except OSError as error:
        raise UsageError(f"{option} {path}: cannot write there: {error.strerror}") from None
    if not existed:
        os.remove(full)
    return full


def check_render(path: str) -> str:
    """Everything ``--render FILE`` needs, known before any output: the file and Graphviz."""
    import shutil

    full = writable("--render", path, (".svg", ".png"))
    if shutil.which("dot") is None:
        raise UsageError("--render needs the Graphviz 'dot' program (e.g. apt install graphviz)")
    return full


def graphviz(dot_source: str, path: str) -> str:
    """Write ``path`` (.svg or .png) with Graphviz's ``dot`` program; the file written.

    The program, not a Python binding: Graphviz is one system package, and the
    DOT text is already complete.  Its failures become usage errors with the
    first line of its message.
    """
    import os
    import shutil
    import subprocess

    full = check_render(path)
    fmt = os.path.splitext(path)[1].lower().lstrip(".")
    try:
        done = subprocess.run([shutil.which("dot"), f"-T{fmt}", "-o", full],
                              input=dot_source.encode("utf-8"), capture_output=True)
    except OSError as exc:
        raise UsageError(f"--render: cannot run dot: {exc.strerror}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        first = message[0] if message else f"exit status {done.returncode}"
        raise UsageError(f"dot failed: {first}")
    return full
