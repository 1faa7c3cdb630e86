"""Formulas as text again, from the graph, without recursion.

Tape rows name their arguments (``v2``) and show constant parts inline
(``pi/6``); error messages and the symbolic backend's labels use the same
printer, so every place speaks the same notation.
"""

from __future__ import annotations

from collections.abc import Callable

from .graph import CONST, FORMS, VAR, Graph
from ..ops import ATOM, OPS



def _form(kind: str) -> tuple[str, int, bool]:
    op = OPS.get(kind)
    if op is not None:
        return op.pretty, op.prec, op.right_assoc
    template, prec = FORMS[kind]
    return template, prec, False


def _wrap(piece: tuple[str, int], prec: int, k: int, right_assoc: bool) -> str:
    text, inner = piece
    if prec == ATOM:
        return text
    if inner < prec or (inner == prec and (k == 0) == right_assoc):
        return f"({text})"
    return text


def format_node(graph: Graph, node: int,
                name: Callable[[int], str | None] | None = None) -> str:
    """``node`` as text; ``name(j)`` may name a node (e.g. ``"v2"``) to stop there."""
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
            memo[j] = (str(nodes[j][2]), ATOM)
        else:
            kind, args, _data = nodes[j]
            missing = [a for a in args if a not in memo]
            if missing:
                stack.extend(reversed(missing))
                continue
            template, prec, right = _form(kind)
            parts = [_wrap(memo[a], prec, k, right) for k, a in enumerate(args)]
            memo[j] = (template.format(*parts), prec)
        stack.pop()
    return memo[node][0]
