"""adcli's own parser: text to :class:`~adcli.language.graph.Graph`, with explicit stacks.

Operator precedence is Python's: ``if``-``else`` < ``or`` < ``and`` < ``not`` <
comparisons (chained) < ``+ -`` < ``* / @`` < unary ``-`` < ``**`` (``^``),
right-associative, whose right operand may carry a sign (``2**-x``) < the
postfix ``A[i, j]`` and ``A.T`` (:mod:`adcli.language.postfix`).  It is a
shunting-yard loop over token strings, so a million-term sum or ten thousand
nested parentheses cost memory, not stack frames.  Nothing is ever evaluated
as Python.

Errors are found on the fast path by token index; only then is the text
tokenized again with columns (:func:`adcli.language.lexer.located`), so that the
message names the leftmost problem and the caret sits under it.
"""

from __future__ import annotations

import sys

from ..errors import ParseError
from . import graph as _graph
from .graph import COMPARISONS, CONST, IF, VAR, Graph, gc_paused, ID_BITS, kind_key, unary_key
from .lexer import (FAST, MAX_LITERAL, PYTHON_KEYWORDS, NAME_START, NUMBER_START,
                    located, number_error)
from .postfix import INDEX_RULE as _INDEX_RULE, Fail as _Fail, Postfix, plain as _node
from ..ops import CONSTANTS, INFIX, PREFIX, SURFACE, VARIADIC

#: Limits that turn hostile or absurd input into a clean error.
MAX_LENGTH = 64 * 1024 * 1024
MAX_DEPTH = 100_000

# Operator-stack entries are (tag, precedence, token index, extra).  Markers
# stop reductions: "(", "call" and "[" (precedence 0) and "if" (5).  A pending "else"
# (6) is reduced by ")", "," and the end, but not by a new "if", so
# conditionals nest to the right.  Binary operators are (tag, precedence, pop
# threshold): operators already stacked are reduced while their precedence
# reaches the threshold -- equal precedence for the left-associative ones,
# strictly higher for the right-associative ones (**).  The operators and their
# precedence come from the op table (ten times the printers' precedence), the
# words of conditions are the language's own.
# An arithmetic operator's entry carries the high bits of its nodes' hash-cons key.
_BINARY = {symbol: (tag, 10 * prec, 10 * prec + right, kind_key(tag))
           for symbol, (tag, prec, right) in INFIX.items()}
_BINARY.update({"and": ("and", 30, 30, None), "or": ("or", 20, 20, None)})
_BINARY.update({symbol: (kind, 50, 50, None) for symbol, kind in COMPARISONS.items()})
#: Prefix operator symbol -> (op, precedence, key bits); an op -> its symbol, for messages.
_PREFIX = {symbol: (tag, 10 * prec, unary_key(tag)) for symbol, (tag, prec) in PREFIX.items()}
_PREFIX_SYMBOL = {tag: symbol for symbol, (tag, _prec) in PREFIX.items()}
_NOT, _IF, _ELSE = 40, 5, 6
_ARITHMETIC = frozenset(tag for tag, _prec, _right in INFIX.values())
_COMPARE = frozenset(COMPARISONS.values())
_FLOAT_MAX = sys.float_info.max
#: Functions called with one argument, and the op that makes: the common call.
_UNARY = {name: (arities[1], unary_key(arities[1])) for name, arities in SURFACE.items()
          if 1 in arities and name not in VARIADIC}
_CLOSERS = frozenset({")", ",", "else", "]", ""})


class _Parser(Postfix):
    """State of one parse.  Operands are node ids; ``~node`` (negative) marks a
    comparison whose chain is still open (``a < b`` may continue ``< c``)."""

    def __init__(self, tokens: list[str], several: bool = False):
        self.tokens, self.several = tokens, several
        self.bools: set[int] = set()  # nodes whose value is a condition
        self.graph = Graph()
        self.operands: list[int] = []
        self.ops: list[tuple] = []

    def is_bool(self, operand: int) -> bool:
        return operand < 0 or operand in self.bools

    def boolean(self, kind: str, args: tuple) -> int:
        node = self.graph.add(kind, args)
        self.bools.add(node)
        return node

    # -- reductions ---------------------------------------------------------
    def reduce(self, entry: tuple) -> None:
        tag, _prec, at, extra = entry
        operands, add = self.operands, self.graph.add
        if tag in _PREFIX_SYMBOL:
            x = operands.pop()
            if self.is_bool(x):
                raise _Fail(f"unary '{_PREFIX_SYMBOL[tag]}' needs a number, not a condition", at)
            operands.append(add(tag, (x,)))
        elif tag == "not":
            x = operands.pop()
            if not self.is_bool(x):
                raise _Fail("'not' needs a comparison, e.g. not x > 0", at)
            operands.append(self.boolean("not", (_node(x),)))
        elif tag == "else":
            b, c, a = operands.pop(), operands.pop(), operands.pop()
            if not self.is_bool(c):
                raise _Fail("the condition of 'if' must be a comparison such as x > 0", at)
            if self.is_bool(a) or self.is_bool(b):
                raise _Fail("both branches of a conditional must be numbers", at)
            operands.append(add(IF, (_node(c), a, b)))
        elif tag == "if":
            raise _Fail("'if' without 'else': write A if CONDITION else B", at)
        elif tag == "(" or tag == "[":
            raise _Fail(f"unclosed '{tag}'", at)
        elif tag == "call":
            raise _Fail(f"unclosed call of {extra[0]}(", at)
        else:
            right, left = operands.pop(), operands.pop()
            operands.append(self.binary(tag, left, right, at))

    def binary(self, tag: str, left: int, right: int, at: int) -> int:
        add = self.graph.add
        if tag in _ARITHMETIC:
            if self.is_bool(left) or self.is_bool(right):
                raise _Fail("arithmetic needs numbers, not conditions", at)
            return add(tag, (left, right))
        if tag in _COMPARE:
            if self.is_bool(right) or (self.is_bool(left) and left >= 0):
                raise _Fail("cannot compare a condition; chain comparisons as a < x < b", at)
            if left < 0:  # a < b < c means a < b and b < c, with b computed once
                link = self.boolean(tag, (self._tail(~left), right))
                return ~self.boolean("and", (~left, link))
            return ~self.boolean(tag, (left, right))
        if not (self.is_bool(left) and self.is_bool(right)):
            raise _Fail(f"'{tag}' joins comparisons, e.g. x > 0 {tag} y < 1", at)
        return self.boolean(tag, (_node(left), _node(right)))

    def _tail(self, node: int) -> int:
        """The last operand of an open comparison chain."""
        nodes = self.graph.nodes
        if nodes[node][0] == "and":
            node = nodes[node][1][1]
        return nodes[node][1][1]

    # -- the loop -------------------------------------------------------------
    def parse(self) -> Graph:
        """One pass over the tokens.  The common steps -- an operand, an
        arithmetic reduction with its hash-consing, a call or parenthesis -- are
        written out here: per token, a method call costs as much as the work."""
        tokens = self.tokens
        if not tokens[0]:
            raise _Fail("empty formula", 0)
        graph = self.graph
        kinds, constant, limit = graph.kinds, graph.constant, _graph.MAX_NODES
        setdefault, new_flag, new_kind = graph._index.setdefault, constant.append, kinds.append
        new_arg0, new_arg1, data = graph.arg0.append, graph.arg1.append, graph.data
        operands, ops, bools = self.operands, self.ops, self.bools
        push, pop, push_op, pop_op = operands.append, operands.pop, ops.append, ops.pop
        reduce, binary_ops, arithmetic, unary = self.reduce, _BINARY, _ARITHMETIC, _UNARY
        prefix_ops, prefix_symbol = _PREFIX, _PREFIX_SYMBOL
        max_depth, depth, shift = MAX_DEPTH, 0, ID_BITS
        expect_operand = True
        seen: dict[str, int] = {}   # operand token -> node
        calls: dict[str, str] = {}  # "sin(" -> "sin", once checked
        for i, tok in enumerate(tokens):
            if expect_operand:
                node = seen.get(tok)
                if node is not None:
                    push(node)  # a variable, constant or number met before
                    expect_operand = False
                elif tok[:1] in NUMBER_START and tok != "." and tok != ".T":
                    if len(tok) > MAX_LITERAL or float(tok) > _FLOAT_MAX:
                        raise _Fail(number_error(tok), i)
                    n = len(kinds)
                    node = seen[tok] = setdefault((CONST, (), tok), n)
                    if node == n:
                        if n >= limit:
                            graph.seal()
                            graph.add(CONST, (), tok)  # raises: too large
                        new_flag(True)
                        data[n] = tok
                        new_kind(CONST)
                        new_arg0(-1)
                        new_arg1(-1)
                    push(node)
                    expect_operand = False
                elif tok[-1:] == "(" and tok[:1] in NAME_START:
                    name = calls.get(tok)
                    if name is None:
                        name = calls[tok] = self.check_call(tok[:-1].rstrip(), i)
                    depth += 1
                    if depth > max_depth:
                        raise _Fail(f"nesting deeper than {max_depth:,} levels", i)
                    push_op(("call", 0, i, (name, len(operands))))
                elif tok == "(":
                    depth += 1
                    if depth > max_depth:
                        raise _Fail(f"nesting deeper than {max_depth:,} levels", i)
                    push_op(("(", 0, i, len(operands)))
                elif tok in prefix_ops:
                    tag, prec, bits = prefix_ops[tok]
                    push_op((tag, prec, i, bits))
                elif tok == "not":
                    push_op(("not", _NOT, i, None))
                elif tok == ")" and i and tokens[i - 1][-1] == "(":
                    if tokens[i - 1] == "(":
                        raise _Fail("empty parentheses", i - 1)
                    depth -= 1
                    self.close_call(pop_op())
                    expect_operand = False
                elif tok != "+":
                    push(self.operand(tok, i, seen))
                    expect_operand = False
                continue
            entry = binary_ops.get(tok)
            if entry is not None:
                threshold = entry[2]
            elif tok in _CLOSERS:
                threshold = _ELSE
            elif tok == "if":
                threshold = _ELSE + 1
            else:  # "[", ".T" or an error
                if self.postfix(i):
                    depth += 1
                    if depth > max_depth:
                        raise _Fail(f"nesting deeper than {max_depth:,} levels", i)
                    expect_operand = True
                continue
            while ops:  # reduce what the token ends; markers have precedence <= 5
                top = ops[-1]
                if top[1] < threshold:
                    break
                tag = top[0]
                if tag in arithmetic:
                    second = right = pop()
                    left = operands[-1]
                    key = top[3] | right << shift | left ^ right
                elif tag in prefix_symbol:
                    left = right = operands[-1]
                    second, key = -1, top[3] | left
                else:
                    reduce(pop_op())
                    continue
                if bools and (left < 0 or right < 0 or left in bools or right in bools):
                    raise _Fail(f"unary '{prefix_symbol[tag]}' needs a number, not a condition"
                                if tag in prefix_symbol
                                else "arithmetic needs numbers, not conditions", top[2])
                pop_op()
                n = len(kinds)
                node = setdefault(key, n)
                if node == n:
                    if n >= limit:
                        graph.seal()
                        graph.add(tag, (left, right)[:1 + (second >= 0)])  # raises: too large
                    new_flag(constant[left] and constant[right])
                    new_kind(tag)
                    new_arg0(left)
                    new_arg1(second)
                operands[-1] = node
            if entry is not None:
                push_op((entry[0], entry[1], i, entry[3]))
                expect_operand = True
                continue
            marker = ops[-1] if ops else None
            if tok == ")":
                if marker is None:
                    raise _Fail("unmatched ')'", i)
                if marker[0] == "call":
                    depth -= 1
                    name, base = marker[3]
                    kind = unary.get(name)
                    x = operands[-1]
                    if kind is None or len(operands) != base + 1 or bools and (
                            x < 0 or x in bools):
                        self.close_call(pop_op())
                        continue
                    pop_op()
                    n = len(kinds)
                    node = setdefault(kind[1] | x, n)
                    if node == n:
                        if n >= limit:
                            graph.seal()
                            graph.add(kind[0], (x,))  # raises: too large
                        new_flag(constant[x])
                        new_kind(kind[0])
                        new_arg0(x)
                        new_arg1(-1)
                    operands[-1] = node
                elif marker[0] == "(":
                    depth -= 1
                    pop_op()
                    if operands[-1] < 0:  # parentheses end a comparison chain
                        operands[-1] = ~operands[-1]
                elif marker[0] == "[":
                    raise _Fail("closing ')' does not match the opening '['", i)
                else:
                    reduce(marker)
            elif tok == ",":
                if marker is None and self.several:  # the next output of a vector formula
                    self.finish_output()
                elif marker is None or marker[0] != "call":
                    if marker is not None and marker[0] == "if":
                        reduce(marker)
                    if marker is None or marker[0] != "[":
                        raise _Fail("tuples are not part of the formula language; several "
                                    "outputs are for adcli jacobian, jvp and vjp", i)
                    marker[3][1].append(i + 1)  # where the next index starts
                expect_operand = True
            elif tok == "if":
                push_op(("if", _IF, i, None))
                expect_operand = True
            elif tok == "]":
                self.close_index(marker, i)
                depth -= 1
            elif tok == "else":
                if marker is None or marker[0] != "if":
                    raise _Fail("'else' without a matching 'if'", i)
                ops[-1] = ("else", _ELSE, marker[2], None)
                expect_operand = True
            else:  # the end
                if marker is not None:
                    reduce(pop_op())  # an unclosed "(", call or "if"
                break
        self.finish_output()
        graph.output = graph.outputs[0]
        graph.seal()
        return graph

    def operand(self, tok: str, i: int, seen: dict) -> int:
        """A name or number met for the first time; anything else is an error."""
        first = tok[:1]
        if first in NAME_START:
            if tok in _BINARY or tok in ("if", "else"):
                raise _Fail(f"expected a number, a name or '(' before '{tok}'", i)
            node = seen[tok] = self.name(tok, i)
            return node
        if not tok:
            raise _Fail(f"formula ends too early: expected an operand after "
                        f"'{self.tokens[i - 1]}'", i)
        if tok == ":":
            return self.whole_axis(i)
        if tok == "[":
            raise _Fail("lists are not part of the formula language: give an array at the "
                        "point (--at A=[[1,2],[3,4]]) and index it as A[0]", i)
        if tok == "]" and self.ops and self.ops[-1][0] == "[":
            raise _Fail(f"expected an index before ']': {_INDEX_RULE}", i)
        raise _Fail(f"expected a number, a name or '(' but found '{tok}'", i)

    def finish_output(self) -> None:
        result = self.operands.pop()
        if self.is_bool(result):
            raise _Fail("a comparison is not a formula; for a 0/1 value write "
                        "1 if CONDITION else 0", 0)
        self.graph.outputs.append(result)

    def name(self, value: str, at: int) -> int:
        if value in CONSTANTS:
            return self.graph.add(CONST, (), value)
        if value in SURFACE:
            raise _Fail(f"{value} is a function: call it as {value}(...)", at)
        if value in PYTHON_KEYWORDS:
            raise _Fail(f"{value!r} is a Python keyword, not part of the formula language", at)
        return self.graph.add(VAR, (), value)


def parse(text: str, several: bool = False) -> Graph:
    """Parse a formula (``several``: comma-separated outputs, ``x*y, sin(x)``);
    raises :class:`~adcli.errors.ParseError` with a column."""
    if len(text) > MAX_LENGTH:
        raise ParseError(f"formula too long: {len(text):,} characters "
                         f"(limit {MAX_LENGTH:,})", text[:80], 0)
    tokens = FAST.findall(text)
    tokens.append("")
    parser = _Parser(tokens, several)
    try:
        with gc_paused():
            graph = parser.parse()
    except _Fail as failure:
        raise located(text, failure.index, failure.message) from None
    return graph
