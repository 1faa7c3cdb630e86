"""Large formulas: the parser's written-out hot path keeps the graph's promises.

No recursion at any size, one node per distinct subexpression, constant flags
kept as nodes are made, the hash-cons index released after parsing and rebuilt
on demand, the node limit met on every path, and the collector left as found.
"""

from __future__ import annotations

import gc

import pytest

from adcli.errors import UsageError
from adcli.language import graph as graph_module
from adcli.language.graph import CONST, VAR, Graph
from adcli.language.parser import parse


def recomputed_constant(graph: Graph) -> list[bool]:
    flags: list[bool] = []
    for kind, args, _data in graph.nodes:
        flags.append(kind == CONST or (kind != VAR and all(flags[a] for a in args)))
    return flags


def test_long_sum_and_deep_nesting_parse_without_recursion():
    terms = 200_000
    graph = parse("+".join(f"x*{k}.5" for k in range(terms)))
    assert len(graph) == 1 + terms + terms + (terms - 1)  # x, constants, products, sums
    depth = 50_000
    graph = parse("sin(" * depth + "x" + ")*1.0001+0.5" * depth)
    assert len(graph) == 1 + 2 + 3 * depth


def test_identical_subexpressions_are_one_node_at_scale():
    term = "sin(x*2.5)+exp(y/3)"
    graph = parse("+".join([term] * 10_000))
    kinds = [kind for kind, _args, _data in graph.nodes]
    assert kinds.count("sin") == 1 and kinds.count("exp") == 1
    assert len(set(graph.nodes)) == len(graph)


@pytest.mark.parametrize("text", [
    "x*sin(y)", "2*pi+1", "-(3+4)*x", "x if x > 0 else -x", "max(1, 2, x)",
    "where(x < 1, 2*3, sin(4))", "1 if 2 < 3 else 4", "x**2 + 2**3 - -x / e",
])
def test_constant_flags_match_a_fresh_computation(text):
    graph = parse(text)
    assert graph.constant == recomputed_constant(graph)


def test_index_released_after_parse_and_rebuilt_on_add():
    graph = parse("x*y + sin(x*y) + 2.5")
    assert graph._index is None
    x, y = graph.variables["x"], graph.variables["y"]
    size = len(graph)
    product = graph.add("mul", (x, y))
    assert len(graph) == size and graph.nodes[product] == ("mul", (x, y), None)
    fresh = graph.add("div", (x, y))
    assert fresh == size and graph.add("div", (x, y)) == fresh
    assert graph.constant == recomputed_constant(graph)


@pytest.mark.parametrize("text", [
    "+".join(f"x*{k}" for k in range(1, 1000)),          # the limit met at a product
    "+".join(f"{k}.5" for k in range(1, 2000)),           # ... at a new number
    "sin(" * 1200 + "x" + ")" * 1200,                     # ... at a one-argument call
    "-" * 1200 + "x",                                     # ... at a negation
])
def test_node_limit_on_every_path(monkeypatch, text):
    monkeypatch.setattr(graph_module, "MAX_NODES", 1000)
    with pytest.raises(UsageError) as info:
        parse(text)
    assert "large" in info.value.message


def test_collector_left_as_found():
    was = gc.isenabled()
    frozen = gc.get_freeze_count()
    parse("+".join(f"sin(x*{k})" for k in range(5000)))
    assert gc.isenabled() == was and gc.get_freeze_count() == frozen
    gc.disable()
    try:
        parse("x+1")
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()
