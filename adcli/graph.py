"""The point-independent computational graph the parser builds.

Nodes live in flat lists indexed by node id, and every node's arguments have
smaller ids, so walks are loops over indices, never recursion.  Identical
subexpressions are one node (hash-consing): ``sin(x)*sin(x)`` has one ``sin``.
A node whose arguments are all constant is itself *constant*: the tape shows
it inline (``pi/6``), not as a row.
"""

from __future__ import annotations

from .errors import UsageError
from .ops import CONSTANTS

CONST = "const"
VAR = "var"
IF = "if"
COMPARISONS = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}
LOGIC = ("and", "or", "not")
BOOLEAN = frozenset(COMPARISONS.values()) | frozenset(LOGIC)

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


class Graph:
    """A hash-consed DAG.  ``output`` is the node whose value is the formula."""

    __slots__ = ("kinds", "args", "data", "columns", "constant", "variables",
                 "has_branches", "output", "_index")

    def __init__(self):
        self.kinds: list[str] = []
        self.args: list[tuple[int, ...]] = []
        self.data: list[object] = []
        self.columns: list[int] = []
        self.constant: list[bool] = []
        self.variables: dict[str, int] = {}
        self.has_branches = False
        self.output = -1
        self._index: dict[tuple, int] = {}

    def __len__(self) -> int:
        return len(self.kinds)

    def add(self, kind: str, args: tuple[int, ...] = (), data: object = None,
            column: int = -1) -> int:
        """The node ``kind(args)``, made once: a second request returns the first."""
        key = (kind, args, data)
        node = self._index.get(key)
        if node is not None:
            return node
        node = len(self.kinds)
        if node >= MAX_NODES:
            raise UsageError(f"formula too large: more than {MAX_NODES:,} nodes")
        self._index[key] = node
        self.kinds.append(kind)
        self.args.append(args)
        self.data.append(data)
        self.columns.append(column)
        constant = self.constant
        if kind == VAR:
            self.variables[data] = node
            constant.append(False)
        elif kind == CONST:
            constant.append(True)
        else:
            constant.append(all(constant[a] for a in args))
            if kind == IF:
                self.has_branches = True
        return node

    def number(self, node: int, m) -> object:
        """The value of a literal or named constant in namespace ``m``."""
        label = self.data[node]
        named = CONSTANTS.get(label)
        return named(m) if named is not None else m.number(label)
