"""adcli's own parser: text to :class:`~adcli.language.graph.Graph`, with explicit stacks.

Operator precedence is Python's: ``if``-``else`` < ``or`` < ``and`` < ``not`` <
comparisons (chained) < ``+ -`` < ``* /`` < unary ``-`` < ``**`` (``^``),
right-associative, whose right operand may carry a sign (``2**-x``).  It is a
shunting-yard loop over token strings, so a million-term sum or ten thousand
nested parentheses cost memory, not stack frames.  Nothing is ever evaluated
as Python.

Errors are found on the fast path by token index; only then is the text
tokenized again with columns (:func:`adcli.lexer.tokenize`), so that the
message names the leftmost problem and the caret sits under it.
"""

from __future__ import annotations

import sys

from ..errors import ParseError
from .graph import COMPARISONS, CONST, IF, VAR, Graph, gc_paused
from .lexer import FAST, PYTHON_KEYWORDS, columns, tokenize
from ..ops import CONSTANTS, SURFACE, VARIADIC

#: Limits that turn hostile or absurd input into a clean error.
MAX_LENGTH = 64 * 1024 * 1024
MAX_DEPTH = 100_000

# Operator-stack entries are (tag, precedence, token index, extra).  Markers
# stop reductions: "(" and "call" (precedence 0) and "if" (5).  A pending "else"
# (6) is reduced by ")", "," and the end, but not by a new "if", so
# conditionals nest to the right.  Binary operators are (tag, precedence, pop
# threshold): operators already stacked are reduced while their precedence
# reaches the threshold -- equal precedence for the left-associative ones,
# strictly higher for **.
_BINARY = {"+": ("add", 100), "-": ("sub", 100), "*": ("mul", 200), "/": ("div", 200),
           "**": ("pow", 400), "^": ("pow", 400), "and": ("and", 30), "or": ("or", 20)}
_BINARY.update({symbol: (kind, 50) for symbol, kind in COMPARISONS.items()})
_BINARY = {symbol: (tag, prec, prec + (tag == "pow")) for symbol, (tag, prec) in _BINARY.items()}
_NOT, _NEG, _IF, _ELSE = 40, 300, 5, 6
_ARITHMETIC = frozenset({"add", "sub", "mul", "div", "pow"})
_COMPARE = frozenset(COMPARISONS.values())
_NUMBER_START = frozenset("0123456789.")
_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")


class _Fail(Exception):
    """A parse error located by token index, turned into a ParseError at the end."""

    def __init__(self, message: str, index: int):
        super().__init__(message)
        self.message, self.index = message, index


class _Parser:
    """State of one parse.  Operands are node ids; ``~node`` (negative) marks a
    comparison whose chain is still open (``a < b`` may continue ``< c``)."""

    def __init__(self, tokens: list[str], several: bool = False):
        self.tokens, self.several = tokens, several
        self.bools: set[int] = set()  # nodes whose value is a condition
        self.graph = Graph()
        self.operands: list[int] = []
        self.ops: list[tuple] = []
        self.depth = 0

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
        if tag == "neg":
            x = operands.pop()
            if self.is_bool(x):
                raise _Fail("unary '-' needs a number, not a condition", at)
            operands.append(add("neg", (x,)))
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
        elif tag == "(":
            raise _Fail("unclosed '('", at)
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

    def unwind(self, threshold: int) -> tuple | None:
        """Reduce stacked operators of precedence >= ``threshold``; return the new top."""
        ops, operands, bools, add = self.ops, self.operands, self.bools, self.graph.add
        while ops and ops[-1][1] >= threshold:
            top = ops.pop()
            tag = top[0]
            if tag in _ARITHMETIC:  # the hot case, inline
                right = operands.pop()
                left = operands[-1]
                if bools and (left < 0 or right < 0 or left in bools or right in bools):
                    raise _Fail("arithmetic needs numbers, not conditions", top[2])
                operands[-1] = add(tag, (left, right))
            else:
                self.reduce(top)
        return ops[-1] if ops else None

    # -- the loop -------------------------------------------------------------
    def parse(self) -> Graph:
        tokens = self.tokens
        if not tokens[0]:
            raise _Fail("empty formula", 0)
        graph = self.graph
        add = graph.add
        operands, ops = self.operands, self.ops
        push, pop_op = operands.append, ops.pop
        reduce, unwind = self.reduce, self.unwind
        binary_ops = _BINARY
        expect_operand = True
        seen: dict[str, int] = {}
        i = -1
        while True:
            i += 1
            tok = tokens[i]
            if expect_operand:
                node = seen.get(tok)
                if node is not None:
                    push(node)  # a variable, constant or number met before
                    expect_operand = False
                    continue
                first = tok[:1]
                if first in _NAME_START:
                    if tok in binary_ops or tok in ("if", "else"):
                        raise _Fail(f"expected a number, a name or '(' before '{tok}'", i)
                    if tok == "not":
                        ops.append(("not", _NOT, i, None))
                    elif tok[-1] == "(":
                        self.open_call(tok[:-1].rstrip(), i, len(operands))
                    else:
                        node = seen[tok] = self.name(tok, i)
                        push(node)
                        expect_operand = False
                elif first in _NUMBER_START and tok != ".":
                    if float(tok) > sys.float_info.max:
                        raise _Fail(f"number {tok} is too large for float64", i)
                    node = seen[tok] = add(CONST, (), tok)
                    push(node)
                    expect_operand = False
                elif tok == "(":
                    self.open(("(", 0, i, len(operands)))
                elif tok == "-":
                    ops.append(("neg", _NEG, i, None))
                elif tok == "+":
                    pass
                elif tok == ")" and i and tokens[i - 1][-1] == "(":
                    if tokens[i - 1] == "(":
                        raise _Fail("empty parentheses", i - 1)
                    self.close_call()
                    expect_operand = False
                elif not tok:
                    raise _Fail(f"formula ends too early: expected an operand after "
                                f"'{tokens[i - 1]}'", i)
                else:
                    raise _Fail(f"expected a number, a name or '(' but found '{tok}'", i)
                continue
            entry = binary_ops.get(tok)
            if entry is not None:
                if ops and ops[-1][1] >= entry[2]:
                    unwind(entry[2])
                ops.append((entry[0], entry[1], i, None))
                expect_operand = True
            elif tok == ")":
                marker = unwind(_ELSE)
                if marker is None:
                    raise _Fail("unmatched ')'", i)
                if marker[0] == "call":
                    self.close_call()
                elif marker[0] == "(":
                    pop_op()
                    self.depth -= 1
                    if operands[-1] < 0:  # parentheses end a comparison chain
                        operands[-1] = ~operands[-1]
                else:
                    reduce(marker)
            elif tok == ",":
                marker = unwind(_ELSE)
                if marker is None and self.several:  # the next output of a vector formula
                    self.finish_output()
                elif marker is None or marker[0] != "call":
                    if marker is not None and marker[0] == "if":
                        reduce(marker)
                    raise _Fail("tuples are not part of the formula language; several "
                                "outputs are for adcli jacobian, jvp and vjp", i)
                expect_operand = True
            elif tok == "if":
                unwind(_ELSE + 1)
                ops.append(("if", _IF, i, None))
                expect_operand = True
            elif tok == "else":
                marker = unwind(_ELSE)
                if marker is None or marker[0] != "if":
                    raise _Fail("'else' without a matching 'if'", i)
                ops[-1] = ("else", _ELSE, marker[2], None)
                expect_operand = True
            elif not tok:
                if unwind(_ELSE) is not None:
                    reduce(pop_op())  # an unclosed "(", call or "if"
                break
            else:
                self.implicit_product(i)
        self.finish_output()
        graph.output = graph.outputs[0]
        return graph

    def finish_output(self) -> None:
        result = self.operands.pop()
        if self.is_bool(result):
            raise _Fail("a comparison is not a formula; for a 0/1 value write "
                        "1 if CONDITION else 0", 0)
        self.graph.outputs.append(result)

    def open(self, marker: tuple) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Fail(f"nesting deeper than {MAX_DEPTH:,} levels", marker[2])
        self.ops.append(marker)

    def open_call(self, name: str, at: int, base: int) -> None:
        if name not in SURFACE and name != "where":
            if name in CONSTANTS:
                raise _Fail(f"{name} is a constant, not a function", at)
            import difflib

            close = difflib.get_close_matches(name, SURFACE, n=1) or \
                [f for f in SURFACE if f.lower() == name.lower()]
            hint = (f"; did you mean {close[0]}? (names are case-sensitive)" if close
                    else f"; for a product write {name}*(...); see: adcli functions")
            raise _Fail(f"unknown function '{name}'{hint}", at)
        self.open(("call", 0, at, (name, base)))

    def close_call(self) -> None:
        _tag, _prec, at, (name, base) = self.ops.pop()
        self.depth -= 1
        operands = self.operands
        args = operands[base:]
        del operands[base:]
        if name == "where":  # where(COND, A, B) is A if COND else B
            if len(args) != 3:
                raise _Fail(f"where takes 3 arguments (condition, a, b), got {len(args)}", at)
            cond, a, b = args
            if not self.is_bool(cond) or self.is_bool(a) or self.is_bool(b):
                raise _Fail("where(COND, A, B) needs a comparison, then two numbers", at)
            operands.append(self.graph.add(IF, (_node(cond), a, b)))
            return
        if any(self.is_bool(a) for a in args):
            raise _Fail(f"the arguments of {name} must be numbers, not conditions", at)
        arities = SURFACE[name]
        add = self.graph.add
        if name in VARIADIC and len(args) >= 2:
            node = args[0]
            for other in args[1:]:
                node = add(arities[2], (node, other))
        elif len(args) in arities and name not in VARIADIC:
            node = add(arities[len(args)], tuple(args))
        else:
            wanted = "at least 2" if name in VARIADIC else " or ".join(map(str, sorted(arities)))
            plural = "" if wanted == "1" else "s"
            raise _Fail(f"{name} takes {wanted} argument{plural}, got {len(args)}", at)
        operands.append(node)

    def name(self, value: str, at: int) -> int:
        if value in CONSTANTS:
            return self.graph.add(CONST, (), value)
        if value in SURFACE:
            raise _Fail(f"{value} is a function: call it as {value}(...)", at)
        if value in PYTHON_KEYWORDS:
            raise _Fail(f"{value!r} is a Python keyword, not part of the formula language", at)
        return self.graph.add(VAR, (), value)

    def implicit_product(self, i: int) -> None:
        prev, tok = self.tokens[i - 1], self.tokens[i]
        if prev[:1] in _NUMBER_START and tok[:1] == ".":
            raise _Fail(f"malformed number {prev}{tok}", i - 1)
        if prev[:1] in _NUMBER_START and tok[:1] == "_":
            raise _Fail("digit separators '_' are not supported in numbers", i)
        if prev == "0" and tok[:1] in "xXbBoO" and tok[1:2].isalnum():
            raise _Fail("hexadecimal, binary and octal numbers are not supported", i - 1)
        if tok[:1] in _NAME_START or tok[:1] in _NUMBER_START or tok == "(":
            raise _Fail(f"missing operator: implicit multiplication is not supported; "
                        f"write {prev}*{tok}", i)
        raise _Fail(f"unexpected '{tok}'", i)


def _node(operand: int) -> int:
    return ~operand if operand < 0 else operand


def _located(text: str, failure: _Fail) -> ParseError:
    """The failure with its column, or an earlier token that is not in the language."""
    column = columns(text)[failure.index]
    for kind, message, start in tokenize(text):
        if start > column:
            break
        if kind == "bad":
            return ParseError(message, text, start)
    return ParseError(failure.message, text, column)


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
        raise _located(text, failure) from None
    return graph
