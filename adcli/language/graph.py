"""The point-independent computational graph the parser builds.

Nodes live in flat columns indexed by node id, and every node's arguments have
smaller ids, so walks are loops over indices, never recursion.  Identical
subexpressions are one node (hash-consing): ``sin(x)*sin(x)`` has one ``sin``.
A node whose arguments are all constant is itself *constant*: the tape shows
it inline (``pi/6``), not as a row.
"""

from __future__ import annotations

import gc
from array import array
from contextlib import contextmanager

from ..errors import UsageError
from ..ops import CONSTANTS, SHAPED

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


#: Bits of a node id in a hash-cons key; MAX_NODES stays below 2**ID_BITS - 1.
ID_BITS = 24
_NO_ARG = (1 << ID_BITS) - 1
#: Kind -> small code, assigned on first use; the high bits of a hash-cons key.
KIND_CODES: dict[str, int] = {}


def kind_key(kind: str) -> int:
    """The high bits shared by every one-or-two-argument ``kind`` node's key."""
    code = KIND_CODES.get(kind)
    if code is None:
        code = KIND_CODES[kind] = len(KIND_CODES)
    return code << (2 * ID_BITS)


def unary_key(kind: str) -> int:
    """``unary_key(kind) | x`` is the key of ``kind(x)``."""
    return kind_key(kind) | _NO_ARG << ID_BITS


def node_key(kind: str, args: tuple, data: object):
    """The hash-cons key of a node: one int for an op of one or two arguments
    (32 bytes, not a 64-byte tuple holding a 56-byte tuple), else a tuple.

    ``kind(a, b)`` is ``kind | b << ID_BITS | a ^ b``: the low bits, which pick
    the dict slot, vary with both arguments, and ``a`` is ``b`` xor them."""
    if data is None and 0 < len(args) <= 2:
        if len(args) == 1:
            return unary_key(kind) | args[0]
        a, b = args
        return kind_key(kind) | b << ID_BITS | a ^ b
    return (kind, args, data)


class Nodes:
    """``graph.nodes`` as every reader sees it: ``nodes[i]`` is ``(kind, args,
    data)``, made on demand from the graph's columns, which hot loops read directly."""

    __slots__ = ("_graph",)

    def __init__(self, graph: Graph):
        self._graph = graph

    def __len__(self) -> int:
        return len(self._graph.kinds)

    def __getitem__(self, node: int) -> tuple:
        g = self._graph
        if node.__class__ is slice:
            return [self[i] for i in range(*node.indices(len(g.kinds)))]
        a = g.arg0[node]
        if a < 0:
            return g.kinds[node], (), g.data.get(node)
        b = g.arg1[node]
        if b < 0:
            return g.kinds[node], (a,), g.data.get(node)
        more = g.more.get(node)
        return g.kinds[node], ((a, b) if more is None else (a, b, *more)), g.data.get(node)

    def __iter__(self):
        return map(self.__getitem__, range(len(self._graph.kinds)))

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    __hash__ = None


class Graph:
    """A hash-consed DAG, stored in columns: ``kinds[i]`` is the op or structural
    kind, ``arg0[i]``/``arg1[i]`` the first two argument ids (-1: none), ``more``
    any further arguments (conditionals), ``data`` a literal's text or a
    variable's name.  ``nodes[i]`` reads ``(kind, args, data)``.  Columns cost
    about 40 bytes a node where a tuple of tuples and an id cost about 150.
    ``output`` is the node whose value is the formula.

    The hash-cons index is only needed while nodes are added: :meth:`seal`
    drops it (tens of megabytes for a million nodes) and the next :meth:`add`
    rebuilds it.  Constant flags are kept as nodes are added, never recomputed.
    """

    __slots__ = ("kinds", "arg0", "arg1", "more", "data", "nodes", "variables",
                 "has_branches", "_shaped", "output", "outputs", "_index", "constant")

    def __init__(self):
        self.kinds: list[str] = []
        self.arg0: list[int] | array = []  # lists while building: appends cost a third
        self.arg1: list[int] | array = []
        self.more: dict[int, tuple[int, ...]] = {}
        self.data: dict[int, object] = {}  # for the leaves only
        self.nodes = Nodes(self)
        self.variables: dict[str, int] = {}
        self.has_branches = False
        self._shaped = None  # whether an op on arrays appears (see .shaped)
        self.output = -1
        self.outputs: list[int] = []   # several for a vector formula; output is the first
        self._index: dict | None = {}
        self.constant: list[bool] = []  # whether each node is independent of the variables

    def __len__(self) -> int:
        return len(self.kinds)

    @property
    def shaped(self) -> bool:
        """Whether an op on arrays (``@``, ``sum`` ...) appears: found once, when asked
        (the parser's fast path appends nodes without :meth:`add`)."""
        if self._shaped is None:
            self._shaped = not SHAPED.isdisjoint(self.kinds)
        return self._shaped

    def add(self, kind: str, args: tuple[int, ...] = (), data: object = None) -> int:
        """The node ``kind(args)``, made once: a second request returns the first."""
        key = node_key(kind, args, data)
        index = self._index
        if index is None:
            index = self._index = {node_key(*node): i for i, node in enumerate(self.nodes)}
        n = len(self.kinds)
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
            self._shaped = None
            self.kinds.append(kind)
            self.arg0.append(args[0] if args else -1)
            self.arg1.append(args[1] if len(args) > 1 else -1)
            if len(args) > 2:
                self.more[n] = args[2:]
            if data is not None:
                self.data[n] = data
        return node

    def seal(self) -> None:
        """Release the hash-cons index until the next :meth:`add`, and pack the
        argument columns (8 bytes an id, where a list also keeps a 28-byte int)."""
        self._index = None
        if self.arg0.__class__ is list:
            self.arg0, self.arg1 = array("l", self.arg0), array("l", self.arg1)

    def number(self, node: int, m) -> object:
        """The value of a literal or named constant in namespace ``m``."""
        label = self.data[node]
        named = CONSTANTS.get(label)
        return named(m) if named is not None else m.number(label)
