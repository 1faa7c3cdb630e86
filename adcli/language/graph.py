"""The point-independent computational graph the parser builds.

Nodes live in flat lists indexed by node id, and every node's arguments have
smaller ids, so walks are loops over indices, never recursion.  Identical
subexpressions are one node (hash-consing): ``sin(x)*sin(x)`` has one ``sin``.
A node whose arguments are all constant is itself *constant*: the tape shows
it inline (``pi/6``), not as a row.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager

from ..errors import UsageError
from ..ops import CONSTANTS

CONST = "const"
VAR = "var"
IF = "if"
COMPARISONS = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}

#: How the structural nodes (not differentiable ops) read, with precedence.
FORMS = {kind: ("{0} " + symbol + " {1}", 5) for symbol, kind in COMPARISONS.items()}
FORMS.update({"and": ("{0} and {1}", 3), "or": ("{0} or {1}", 2),
              "not": ("not {0}", 4), IF: ("{1} if {0} else {2}", 1)})


def apply_boolean(kind: str, m, a, b=None):
    """A comparison or ``and``/``or``/``not`` in namespace ``m`` (eagerly)."""
    if kind == "not":
        return m.negate(a)
    if kind == "and":
        return m.both(a, b)
    if kind == "or":
        return m.either(a, b)
    return getattr(m, kind)(a, b)


#: The largest graph adcli builds; beyond it the input is refused, not crashed on.
MAX_NODES = 5_000_000


#: Tracked objects made while paused above which they skip the young generations.
PROMOTE_AFTER = 100_000


@contextmanager
def gc_paused():
    """Building or recording a million nodes makes millions of acyclic tuples;
    the cycle collector would rescan them again and again for nothing.

    After a large build, what was made meanwhile moves to the oldest generation
    unscanned (``freeze`` then ``unfreeze``: two list splices) instead of one
    young-generation pass over every new tuple as soon as collection resumes.
    Small builds (a loop of many small tapes) leave the generations as usual,
    so that young cyclic garbage is still found early."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_count()[0] > PROMOTE_AFTER and not gc.get_freeze_count():
                gc.freeze()  # never thaws what someone else froze: checked above
                gc.unfreeze()
            gc.enable()


class Graph:
    """A hash-consed DAG.  ``nodes[i]`` is ``(kind, args, data)``: the op or
    structural kind, the argument node ids, and a literal's text or a variable's
    name.  ``output`` is the node whose value is the formula.

    The hash-cons index is only needed while nodes are added: :meth:`seal`
    drops it (tens of megabytes for a million nodes) and the next :meth:`add`
    rebuilds it.  Constant flags are kept as nodes are added, never recomputed.
    """

    __slots__ = ("nodes", "variables", "has_branches", "output", "outputs", "_index",
                 "_constant")

    def __init__(self):
        self.nodes: list[tuple[str, tuple[int, ...], object]] = []
        self.variables: dict[str, int] = {}
        self.has_branches = False
        self.output = -1
        self.outputs: list[int] = []   # several for a vector formula; output is the first
        self._index: dict[tuple, int] | None = {}
        self._constant: list[bool] = []

    def __len__(self) -> int:
        return len(self.nodes)

    def add(self, kind: str, args: tuple[int, ...] = (), data: object = None) -> int:
        """The node ``kind(args)``, made once: a second request returns the first."""
        key = (kind, args, data)
        nodes = self.nodes
        index = self._index
        if index is None:
            index = self._index = dict(zip(nodes, range(len(nodes))))
        n = len(nodes)
        node = index.setdefault(key, n)
        if node == n:
            if n >= MAX_NODES:
                del index[key]
                raise UsageError(f"formula too large: more than {MAX_NODES:,} nodes")
            constant = self.constant
            if kind == CONST:
                constant.append(True)
            elif kind == VAR:
                constant.append(False)
                self.variables[data] = n
            else:
                constant.append(all([constant[a] for a in args]))
                if kind == IF:
                    self.has_branches = True
            nodes.append(key)
        return node

    def seal(self) -> None:
        """Release the hash-cons index until the next :meth:`add`."""
        self._index = None

    @property
    def constant(self) -> list[bool]:
        """Whether each node is independent of the variables."""
        constant = self._constant
        if len(constant) < len(self.nodes):  # nodes appended without add()
            append = constant.append
            for kind, args, _data in self.nodes[len(constant):]:
                append(kind == CONST or (kind != VAR and all([constant[a] for a in args])))
        return constant

    def number(self, node: int, m) -> object:
        """The value of a literal or named constant in namespace ``m``."""
        label = self.nodes[node][2]
        named = CONSTANTS.get(label)
        return named(m) if named is not None else m.number(label)
