"""adcli's own parser: text to :class:`~adcli.graph.Graph`, with explicit stacks.

Operator precedence is Python's: ``if``-``else`` < ``or`` < ``and`` < ``not`` <
comparisons (chained) < ``+ -`` < ``* /`` < unary ``-`` < ``**`` (``^``),
right-associative, whose right operand may carry a sign (``2**-x``).  It is a
shunting-yard loop, so a million-term sum or ten thousand nested parentheses
cost memory, not stack frames.  Nothing is ever evaluated as Python.
"""

from __future__ import annotations

import difflib

from .errors import ParseError
from .graph import COMPARISONS, CONST, IF, VAR, Graph
from .lexer import tokenize
from .ops import CONSTANTS, SURFACE, VARIADIC

#: Limits that turn hostile or absurd input into a clean error.
MAX_LENGTH = 64 * 1024 * 1024
MAX_DEPTH = 100_000

_NUM, _BOOL = 0, 1

# Operator-stack entries are (tag, precedence, column, extra).  Markers
# (parenthesis, call, if) stop reductions; no binary operator pops them, nor
# the pending ``else`` (precedence 1), so conditionals nest to the right.
_BINARY = {"+": ("add", 10), "-": ("sub", 10), "*": ("mul", 20), "/": ("div", 20),
           "**": ("pow", 40), "^": ("pow", 40), "and": ("and", 3), "or": ("or", 2)}
for _symbol, _kind in COMPARISONS.items():
    _BINARY[_symbol] = (_kind, 5)
_CMP_KINDS = frozenset(COMPARISONS.values())
_RIGHT_ASSOC = 40
_MARKERS = frozenset({"(", "call", "if"})


class _Parser:
    __slots__ = ("text", "graph", "operands", "ops", "depth")

    def __init__(self, text: str):
        self.text = text
        self.graph = Graph()
        self.operands: list[tuple[int, int, int]] = []  # (node, type, chain tail)
        self.ops: list[tuple] = []
        self.depth = 0

    def fail(self, message: str, column: int):
        raise ParseError(message, self.text, column)

    # -- reductions -------------------------------------------------------
    def reduce(self, entry: tuple) -> None:
        tag, _prec, column, _extra = entry
        operands = self.operands
        graph = self.graph
        if tag == "neg":
            node, typ, _ = operands.pop()
            if typ != _NUM:
                self.fail("unary '-' needs a number, not a condition", column)
            operands.append((graph.add("neg", (node,), None, column), _NUM, -1))
        elif tag == "not":
            node, typ, _ = operands.pop()
            if typ != _BOOL:
                self.fail("'not' needs a comparison, e.g. not x > 0", column)
            operands.append((graph.add("not", (node,), None, column), _BOOL, -1))
        elif tag == "else":
            (b, tb, _), (c, tc, _), (a, ta, _) = operands.pop(), operands.pop(), operands.pop()
            if tc != _BOOL:
                self.fail("the condition of 'if' must be a comparison such as x > 0", column)
            if ta != _NUM or tb != _NUM:
                self.fail("both branches of a conditional must be numbers", column)
            operands.append((graph.add(IF, (c, a, b), None, column), _NUM, -1))
        elif tag == "if":
            self.fail("'if' without 'else': write A if CONDITION else B", column)
        elif tag in ("(", "call"):
            self.fail(f"unclosed {'(' if tag == '(' else 'call of ' + _extra[0] + '('}",
                      column)
        else:
            self.reduce_binary(tag, column)

    def reduce_binary(self, tag: str, column: int) -> None:
        operands = self.operands
        right, tr, _ = operands.pop()
        left, tl, tail = operands.pop()
        add = self.graph.add
        if tag in _CMP_KINDS:
            if tr != _NUM:
                self.fail("cannot compare a condition; chain comparisons as a < x < b", column)
            if tl == _BOOL and tail >= 0:  # a < b < c means a < b and b < c
                link = add(tag, (tail, right), None, column)
                operands.append((add("and", (left, link), None, column), _BOOL, right))
            elif tl == _BOOL:
                self.fail("cannot compare a condition; chain comparisons as a < x < b", column)
            else:
                operands.append((add(tag, (left, right), None, column), _BOOL, right))
        elif tag in ("and", "or"):
            if tl != _BOOL or tr != _BOOL:
                self.fail(f"'{tag}' joins comparisons, e.g. x > 0 {tag} y < 1", column)
            operands.append((add(tag, (left, right), None, column), _BOOL, -1))
        else:
            if tl != _NUM or tr != _NUM:
                self.fail("arithmetic needs numbers, not conditions", column)
            operands.append((add(tag, (left, right), None, column), _NUM, -1))

    def pop_until_marker(self, column: int) -> tuple | None:
        """Reduce operators down to the nearest marker, which is returned (not popped)."""
        ops = self.ops
        while ops:
            top = ops[-1]
            if top[0] in _MARKERS:
                return top
            self.reduce(ops.pop())
        return None

    # -- the loop -----------------------------------------------------------
    def parse(self) -> Graph:
        text = self.text
        if len(text) > MAX_LENGTH:
            self.fail(f"formula too long: {len(text):,} characters (limit {MAX_LENGTH:,})", 0)
        tokens = tokenize(text)
        if tokens[0][0] == "end":
            self.fail("empty formula", 0)
        graph = self.graph
        operands, ops = self.operands, self.ops
        expect_operand = True
        prev = ("start", "", 0)
        i = 0
        while True:
            kind, value, column = tok = tokens[i]
            i += 1
            if kind == "bad":
                self.fail(value, column)
            if expect_operand:
                if kind == "num":
                    if float(value) == float("inf"):
                        self.fail(f"number {value} is too large for float64", column)
                    operands.append((graph.add(CONST, (), value, column), _NUM, -1))
                    expect_operand = False
                elif kind == "name":
                    if value in ("if", "else", "and", "or"):
                        self.fail(f"expected a number, a name or '(' before '{value}'", column)
                    if value == "not":
                        ops.append(("not", 4, column, None))
                    elif tokens[i][1] == "(" and tokens[i][0] == "op":
                        self.open_call(value, column, len(operands))
                        tok = tokens[i]
                        i += 1
                    else:
                        operands.append((self.name(value, column), _NUM, -1))
                        expect_operand = False
                elif value == "(":
                    self.open(("(", 0, column, len(operands)))
                elif value == "-":
                    ops.append(("neg", 30, column, None))
                elif value == "+":
                    pass
                elif kind == "end":
                    self.fail(f"formula ends too early: expected an operand after '{prev[1]}'",
                              column)
                elif value == ")" and prev[1] == "(" and ops[-1][0] == "call":
                    self.close_call(column)
                    expect_operand = False
                elif value == ")" and prev[1] == "(":
                    self.fail("empty parentheses", prev[2])
                else:
                    self.fail(f"expected a number, a name or '(' but found '{value}'", column)
            elif kind == "op" and value in _BINARY or value in ("and", "or") and kind == "name":
                tag, prec = _BINARY[value]
                while ops:
                    top = ops[-1]
                    if top[1] > prec or (top[1] == prec and prec != _RIGHT_ASSOC):
                        self.reduce(ops.pop())
                    else:
                        break
                ops.append((tag, prec, column, None))
                expect_operand = True
            elif value == ")" and kind == "op":
                marker = self.pop_until_marker(column)
                if marker is None:
                    self.fail("unmatched ')'", column)
                if marker[0] == "call":
                    self.close_call(column)
                elif marker[0] == "(":
                    ops.pop()
                    node, typ, _ = operands.pop()
                    operands.append((node, typ, -1))  # parentheses end a comparison chain
                    self.depth -= 1
                else:
                    self.reduce(marker)
            elif value == "," and kind == "op":
                marker = self.pop_until_marker(column)
                if marker is not None and marker[0] == "if":
                    self.reduce(marker)
                if marker is None or marker[0] != "call":
                    self.fail("tuples are not part of the formula language", column)
                expect_operand = True
            elif value == "if" and kind == "name":
                while ops and ops[-1][1] > 1:
                    self.reduce(ops.pop())
                ops.append(("if", 1, column, None))
                expect_operand = True
            elif value == "else" and kind == "name":
                marker = self.pop_until_marker(column)
                if marker is None or marker[0] != "if":
                    self.fail("'else' without a matching 'if'", column)
                ops[-1] = ("else", 1, ops[-1][2], None)
                expect_operand = True
            elif kind == "end":
                while ops:
                    self.reduce(ops.pop())
                break
            else:
                self.implicit_product(prev, tok)
            prev = tok
        node, typ, _ = operands.pop()
        if typ != _NUM:
            self.fail("a comparison is not a formula; for a 0/1 value write "
                      "1 if CONDITION else 0", 0)
        graph.output = node
        return graph

    def open(self, marker: tuple) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"nesting deeper than {MAX_DEPTH:,} levels", marker[2])
        self.ops.append(marker)

    def open_call(self, name: str, column: int, base: int) -> None:
        if name not in SURFACE:
            if name in CONSTANTS:
                self.fail(f"{name} is a constant, not a function", column)
            close = difflib.get_close_matches(name, SURFACE, n=1) or \
                [f for f in SURFACE if f.lower() == name.lower()]
            hint = (f"; did you mean {close[0]}? (names are case-sensitive)" if close
                    else f"; for a product write {name}*(...); see: adcli functions")
            self.fail(f"unknown function '{name}'{hint}", column)
        self.open(("call", 0, column, (name, base)))

    def close_call(self, column: int) -> None:
        _tag, _prec, start, (name, base) = self.ops.pop()
        self.depth -= 1
        operands = self.operands
        args = operands[base:]
        del operands[base:]
        if any(typ != _NUM for _n, typ, _t in args):
            self.fail(f"the arguments of {name} must be numbers, not conditions", start)
        nodes = [n for n, _typ, _tail in args]
        arities = SURFACE[name]
        graph = self.graph
        if name in VARIADIC and len(nodes) >= 2:
            node = nodes[0]
            for other in nodes[1:]:
                node = graph.add(arities[2], (node, other), None, start)
        elif len(nodes) in arities and name not in VARIADIC:
            node = graph.add(arities[len(nodes)], tuple(nodes), None, start)
        else:
            wanted = "at least 2" if name in VARIADIC else " or ".join(map(str, sorted(arities)))
            got = len(nodes)
            self.fail(f"{name} takes {wanted} argument{'s' if wanted != '1' else ''}, "
                      f"got {got}", start)
        operands.append((node, _NUM, -1))

    def name(self, value: str, column: int) -> int:
        if value in CONSTANTS:
            return self.graph.add(CONST, (), value, column)
        if value in SURFACE:
            self.fail(f"{value} is a function: call it as {value}(...)", column)
        return self.graph.add(VAR, (), value, column)

    def implicit_product(self, prev: tuple, tok: tuple) -> None:
        kind, value, column = tok
        if kind == "num" and prev[0] == "num":
            self.fail(f"malformed number {prev[1]}{value}", prev[2])
        if value == "(" and prev[0] == "name":
            self.fail(f"'{prev[1]}' is not a function; for a product write {prev[1]}*(...)",
                      column)
        left = prev[1]
        shown = value if kind != "end" else ""
        self.fail(f"missing operator: implicit multiplication is not supported; "
                  f"write {left}*{shown}", column)


def parse(text: str) -> Graph:
    """Parse a formula; raises :class:`~adcli.errors.ParseError` with a column."""
    return _Parser(text).parse()
