"""The graph drawings: what is drawn, once, with the right numbers on it."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import sys

import pytest

from adcli.errors import UsageError
from adcli.language.parser import parse
from adcli.records.graph_view import GraphEdge, GraphNode, GraphView
from adcli.render import drawing
from adcli.studies.graph_view import graph_view
from adcli.tape.record import record

BAR = "v\u0304"

_NODE = re.compile(r'^  (n\d+) \[label="((?:[^"\\]|\\.)*)"[^\]]*\];$', re.M)
_EDGE = re.compile(r'^  (n\d+) -> (n\d+)(?: \[label="((?:[^"\\]|\\.)*)"\])?;$', re.M)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def parse_dot(source: str):
    """``{id: label}`` and ``[(source id, target id, label)]`` from our DOT text."""
    nodes = {m.group(1): _unescape(m.group(2)) for m in _NODE.finditer(source)}
    edges = [(m.group(1), m.group(2), _unescape(m.group(3) or ""))
             for m in _EDGE.finditer(source)]
    statements = [line for line in source.splitlines() if re.match(r"^  n\d+ \[", line)]
    assert len(statements) == len(nodes), "one statement per node, each parsed"
    return nodes, edges


def node_by_label(nodes: dict, start: str) -> str:
    found = [n for n, label in nodes.items() if label.startswith(start)]
    assert len(found) == 1, (start, nodes)
    return found[0]


def number_after(prefix: str, label: str) -> float:
    match = re.search(re.escape(prefix) + r" (\S+)", label)
    assert match, (prefix, label)
    return float(match.group(1))


def view(formula: str, digits: int | None = None, **point) -> GraphView:
    """The graph of ``formula``; evaluated (values, partials, adjoints) at ``point``."""
    return graph_view(formula, [f"{k}={v!r}" for k, v in point.items()], digits)


def tape_at(formula: str, **point):
    graph = parse(formula)
    return graph, record(graph, point)


# -- formula drawings ----------------------------------------------------------

def test_shared_subexpression_is_drawn_once():
    nodes, edges = parse_dot(drawing.dot(view("sin(x)*sin(x)")))
    assert sorted(nodes.values()) == ["*", "sin", "x"]
    sin, product = node_by_label(nodes, "sin"), node_by_label(nodes, "*")
    assert edges.count((sin, product, "")) == 2  # both factors are the one sin


def test_formula_graph_nodes_and_edges():
    source = drawing.dot(view("sin(x**2)+exp(x)"))
    assert source.startswith("digraph adcli {") and "rankdir=LR;" in source
    nodes, edges = parse_dot(source)
    assert len(nodes) == 5
    x, power = node_by_label(nodes, "x"), node_by_label(nodes, "\u00b7^2")
    sin, exp, plus = (node_by_label(nodes, label) for label in ("sin", "exp", "+"))
    assert len(edges) == 5
    assert {(s, t) for s, t, _ in edges} == {(x, power), (power, sin), (x, exp),
                                               (sin, plus), (exp, plus)}


def test_constants_are_written_into_their_consumer():
    nodes, edges = parse_dot(drawing.dot(view("2**x + x/(pi/6)")))
    labels = set(nodes.values())
    assert {"2^\u00b7", "\u00b7/(pi/6)", "+", "x"} == labels
    assert not any(label in ("2", "pi", "6") for label in labels)
    assert len(edges) == 4


def test_order_sensitive_arguments_are_named():
    nodes, edges = parse_dot(drawing.dot(view("x - y")))
    minus = node_by_label(nodes, "a - b")
    named = {nodes[s]: label for s, t, label in edges if t == minus}
    assert named == {"x": "a", "y": "b"}


def test_constant_formula_is_one_node():
    nodes, edges = parse_dot(drawing.dot(view("2 + 3")))
    assert list(nodes.values()) == ["2 + 3"] and edges == []


# -- drawings of a tape --------------------------------------------------------

def test_tape_values_and_partials():
    nodes, edges = parse_dot(drawing.dot(view("sin(x**2)+exp(x)", x=2.0)))
    assert len(nodes) == 5
    x = node_by_label(nodes, "v1 = x")
    power = node_by_label(nodes, "v2 = v1^2")
    sin = node_by_label(nodes, "v3 = sin(v2)")
    exp = node_by_label(nodes, "v4 = exp(v1)")
    plus = node_by_label(nodes, "v5 = v3 + v4")
    expected = {x: 2.0, power: 4.0, sin: math.sin(4.0), exp: math.exp(2.0),
                plus: math.sin(4.0) + math.exp(2.0)}
    for node, value in expected.items():
        assert number_after("=", nodes[node].split("\n")[1]) == pytest.approx(value, rel=1e-15)
    partial = {(s, t): number_after("\u2202 =", label) for s, t, label in edges}
    assert partial == pytest.approx({(sin, plus): 1.0, (exp, plus): 1.0,
                                     (power, sin): math.cos(4.0), (x, power): 4.0,
                                     (x, exp): math.exp(2.0)}, rel=1e-15)


def test_adjoints_on_nodes_and_edges():
    nodes, edges = parse_dot(drawing.dot(view("x*sin(y)", x=3.0, y=math.pi / 6)))
    x, y = node_by_label(nodes, "v1 = x"), node_by_label(nodes, "v2 = y")
    assert abs(number_after(f"{BAR} =", nodes[x]) - 0.5) < 1e-12
    assert abs(number_after(f"{BAR} =", nodes[y]) - 3 * math.cos(math.pi / 6)) < 1e-12
    sin = node_by_label(nodes, "v3 = sin(v2)")
    flow = {(s, t): number_after(f"{BAR}\u00b7\u2202 =", label) for s, t, label in edges}
    assert abs(flow[(y, sin)] - 3 * math.cos(math.pi / 6)) < 1e-12


def test_digits():
    nodes, _ = parse_dot(drawing.dot(view("sin(x)", 4, x=2.0)))
    assert "= 0.9093" in nodes[node_by_label(nodes, "v2")].split("\n")


@pytest.mark.parametrize("x, taken, skipped", [(1.0, "sin", "cos"), (-1.0, "cos", "sin")])
def test_conditional_draws_the_taken_branch(x, taken, skipped):
    formula = "sin(x) if x > 0 else cos(x)"
    nodes, edges = parse_dot(drawing.dot(view(formula, x=x)))
    assert len(nodes) == 2 and len(edges) == 1
    assert any(taken in label for label in nodes.values())
    assert not any(skipped in label for label in nodes.values())
    formula_nodes, _ = parse_dot(drawing.dot(view(formula)))  # without a point: all
    assert {"sin", "cos", "\u00b7 > 0"} <= set(formula_nodes.values())


def test_drawings_write_the_numbers_the_record_carries():
    """A drawing computes nothing: made-up numbers come out as they went in."""
    made_up = GraphView("x*y", {"x": 1.0}, (
        GraphNode("v1", "v1 = x", "v1 = x", 7.25, -0.5, is_input=True),
        GraphNode("v2", "v2 = v1*v1", "v2 = v1*v1", 11.0, 1.0, is_output=True)),
        (GraphEdge(0, 1, None, 123.5, 42.0),))
    text = drawing.text(made_up)
    assert "[7.25]" in text and f"{BAR} = -0.5" in text
    assert f"\u2202v2/\u2202v1 = 123.5  {BAR}\u00b7\u2202 = 42.0" in text
    for source in (drawing.dot(made_up), drawing.mermaid(made_up)):
        assert "123.5" in source and "42.0" in source and "7.25" in source


# -- Graphviz itself -----------------------------------------------------------

SAMPLES = ("sin(x**2)+exp(x)", "x if x > 0 and y < 1 else -y", "x - y", "2 + 3",
           "log(x, 2) + atan2(y, x)")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
@pytest.mark.parametrize("formula", SAMPLES)
def test_dot_accepts_the_output(formula):
    point = {name: 0.5 for name in parse(formula).variables}
    for source in (drawing.dot(view(formula)), drawing.dot(view(formula, **point))):
        done = subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr.decode()
        assert b"<svg" in done.stdout


def test_no_graphviz_binding_or_heavy_import():
    code = ("import sys, adcli.render.drawing as d, adcli.studies.graph_view as s\n"
            "for g in (s.graph_view('sin(x)*y'), s.graph_view('sin(x)*y', ['x=1', 'y=2'])):\n"
            "    d.dot(g); d.mermaid(g); d.text(g)\n"
            "print(sorted(m for m in ('pydot', 'graphviz', 'sympy', 'numpy', 'mpmath') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


# -- Mermaid and text ----------------------------------------------------------

def test_mermaid():
    formula = "x if x > 0 else y"
    for source, count in ((drawing.mermaid(view("sin(x**2)+exp(x)")), 5),
                          (drawing.mermaid(view(formula)), 4),
                          (drawing.mermaid(view(formula, x=1.0, y=2.0)), 1)):
        lines = source.splitlines()
        assert lines[0] == "flowchart LR"
        definitions = [line for line in lines if re.match(r"^    n\d+[\[(]", line)]
        assert len(definitions) == count
        assert len({line.split("[")[0].split("(")[0] for line in definitions}) == count
    source = drawing.mermaid(view(formula))
    assert "#gt;" in source and "\u00b7 >" not in source  # > is escaped in labels
    edges = [line for line in source.splitlines() if "-->" in line]
    assert len(edges) == 4 and all(re.match(r'^    n\d+ (-- "[^"]*" )?--> n\d+$', e)
                                   for e in edges)


def test_escaping():
    assert drawing._dot_string(['say "hi" \\ there', "two"]) == \
        '"say \\"hi\\" \\\\ there\\ntwo"'
    assert drawing._mermaid_string(['a "b" # <c> & d', "e"]) == \
        '"a #quot;b#quot; #35; #lt;c#gt; #amp; d<br>e"'


def test_text_mentions_every_row():
    _graph, tape = tape_at("sin(x**2)+exp(x)", x=2.0)
    lines = drawing.text(view("sin(x**2)+exp(x)", x=2.0)).splitlines()
    rows = [line for line in lines if not line.startswith(" ")]
    assert [row.split("  ")[0].strip() for row in rows] == \
        [tape.describe(e) for e in range(len(tape))]
    sin_row = next(row for row in rows if row.startswith("v3 = sin(v2)"))
    assert f"[{math.sin(4.0)!r}]" in sin_row and "<- v2" in sin_row
    assert "used by: v5" in sin_row and f"{BAR} = 1.0" in sin_row
    assert f"    \u2202v3/\u2202v2 = {math.cos(4.0)!r}  {BAR}\u00b7\u2202 = {math.cos(4.0)!r}" \
        in lines
    # rows not on the way to the output are still named
    _graph, tape = tape_at("x if sin(x) > 0 else y", x=2.0, y=1.0)
    drawn = drawing.text(view("x if sin(x) > 0 else y", x=2.0, y=1.0))
    for entry in range(len(tape)):
        assert tape.row_name(entry) in drawn
    assert drawn.splitlines()[-1] == "also on the tape, not used by the output: v2, v3"


def test_text_without_tape():
    lines = drawing.text(view("sin(x)*sin(x)")).splitlines()
    assert [line.split("  ")[0].strip() for line in lines] == \
        ["n0 = x", "n1 = sin(n0)", "n2 = n1*n1"]
    assert lines[1].endswith("<- n0  used by: n2")


# -- render ----------------------------------------------------------------------

def test_render_without_dot(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(UsageError, match="Graphviz 'dot'"):
        drawing.save(view("x"), str(tmp_path / "g.svg"))


def test_render_needs_svg_or_png(tmp_path):
    with pytest.raises(UsageError, match=r"\.svg or \.png"):
        drawing.save(view("x"), str(tmp_path / "g.pdf"))


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_render_writes_files_and_reports_dot_errors(tmp_path):
    evaluated = view("sin(x**2)+exp(x)", x=2.0)
    drawing.save(evaluated, str(tmp_path / "g.svg"))
    assert b"<svg" in (tmp_path / "g.svg").read_bytes()
    drawing.save(evaluated, str(tmp_path / "g.PNG"))
    assert (tmp_path / "g.PNG").read_bytes().startswith(b"\x89PNG")
    with pytest.raises(UsageError, match="^dot failed: .*syntax error"):
        drawing.graphviz("digraph {", str(tmp_path / "bad.svg"))


# -- size --------------------------------------------------------------------------

def test_deep_nesting_draws_without_recursion():
    depth = 10_000
    formula = "sin(" * depth + "x" + ")" * depth
    nodes, edges = parse_dot(drawing.dot(view(formula)))
    assert len(nodes) == depth + 1 and len(edges) == depth
    evaluated = view(formula, x=0.5)
    nodes, edges = parse_dot(drawing.dot(evaluated))
    assert len(nodes) == depth + 1 and len(edges) == depth
    assert drawing.mermaid(evaluated).count("\n") == 1 + 2 * depth + 1
    assert len(drawing.text(evaluated).splitlines()) == 2 * depth + 1
