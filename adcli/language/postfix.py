"""What closes a bracket or follows an operand: calls, indexing ``A[i, j]`` and ``A.T``.

Split from :mod:`adcli.language.parser` (its main loop calls these off the
fast path).  Indexing is sugar over the op table's ``index`` and ``transpose``:
``A[i, j]`` is ``index(index(A, i), j)`` and ``A[:, j]`` is
``index(transpose(A), j)``, so the tape, sweeps and printers need nothing new.
An index is a constant: a variable index would make the graph's structure
depend on the point.
"""

from __future__ import annotations

from .graph import CONST, IF
from .lexer import after_operand, unknown_function
from ..ops import CONSTANTS, SURFACE, VARIADIC

#: An operand slot holding ``:`` (a whole axis) between ``[`` and its ``]``:
#: never a node id, and never seen by a reduction (a ``,`` or ``]`` follows it).
WHOLE = 1 << 62

#: The one rule for what may stand in brackets.
INDEX_RULE = "indices are whole-number constants, or ':' for a whole axis"


class Fail(Exception):
    """A parse error located by token index, turned into a ParseError at the end."""

    def __init__(self, message: str, index: int):
        super().__init__(message)
        self.message, self.index = message, index


def plain(operand: int) -> int:
    """The node of an operand (``~node`` marks an open comparison chain)."""
    return ~operand if operand < 0 else operand


class Postfix:
    """Mixed into the parser: reads ``tokens``, ``operands``, ``ops`` and ``graph``."""

    # -- calls ------------------------------------------------------------------
    def check_call(self, name: str, at: int) -> str:
        """``name`` if it is a function, else the error that says what it is."""
        if name not in SURFACE and name != "where":
            if name in CONSTANTS:
                raise Fail(f"{name} is a constant, not a function", at)
            raise Fail(unknown_function(name, SURFACE), at)
        return name

    def close_call(self, marker: tuple) -> None:
        _tag, _prec, at, (name, base) = marker
        operands = self.operands
        args = operands[base:]
        del operands[base:]
        if name == "where":  # where(COND, A, B) is A if COND else B
            if len(args) != 3:
                raise Fail(f"where takes 3 arguments (condition, a, b), got {len(args)}", at)
            cond, a, b = args
            if not self.is_bool(cond) or self.is_bool(a) or self.is_bool(b):
                raise Fail("where(COND, A, B) needs a comparison, then two numbers", at)
            operands.append(self.graph.add(IF, (plain(cond), a, b)))
            return
        if any(self.is_bool(a) for a in args):
            raise Fail(f"the arguments of {name} must be numbers, not conditions", at)
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
            raise Fail(f"{name} takes {wanted} argument{plural}, got {len(args)}", at)
        operands.append(node)

    # -- after an operand: "[" opens an index, ".T" transposes ---------------------
    def postfix(self, i: int) -> bool:
        """Token ``i`` follows an operand and is no binary operator or closer:
        ``[`` (then an operand is expected: True), ``.T`` (False), or an error."""
        tok = self.tokens[i]
        if tok == "[":
            if self.tokens[i + 1] == "]":
                raise Fail(f"empty []: {INDEX_RULE}", i)
            self.ops.append(("[", 0, i, (len(self.operands), [i + 1])))
            return True
        if tok == ".T":
            x = self.operands[-1]
            if self.is_bool(x):
                raise Fail(".T transposes an array, not a condition", i)
            self.operands[-1] = self.graph.add("transpose", (x,))
            return False
        if tok == ":":
            inside = any(entry[0] == "[" for entry in self.ops)
            raise Fail(f"slices a:b are not supported: {INDEX_RULE}" if inside else
                       "':' (lambdas, slices, annotations) is not part of the formula "
                       "language", i)
        message, offset = after_operand(self.tokens[i - 1], tok)
        raise Fail(message, i + offset)

    def whole_axis(self, i: int) -> int:
        """``:`` where an operand is expected: a whole axis, if it stands alone
        as one index (``A[:, 0]``), else the error that says what is allowed."""
        tokens, ops = self.tokens, self.ops
        if ops and ops[-1][0] == "[" and tokens[i - 1] in ("[", ","):
            if tokens[i + 1] in (",", "]"):
                return WHOLE
            raise Fail(f"slices a:b are not supported: {INDEX_RULE}", i + 1)
        if any(entry[0] == "[" for entry in ops):
            raise Fail(f"slices a:b are not supported: {INDEX_RULE}", i)
        raise Fail("':' (lambdas, slices, annotations) is not part of the formula language", i)

    def close_index(self, marker: tuple | None, i: int) -> None:
        """``]`` at token ``i``, with ``marker`` the innermost open bracket."""
        if marker is None:
            raise Fail("unmatched ']'", i)
        tag = marker[0]
        if tag in ("(", "call"):
            raise Fail(f"closing ']' does not match the opening "
                       f"'{'(' if tag == '(' else marker[3][0] + '('}'", i)
        if tag != "[":
            self.reduce(marker)  # an "if" without "else": raises
        self.ops.pop()
        _tag, _prec, _at, (base, starts) = marker
        operands, graph = self.operands, self.graph
        args = operands[base:]
        del operands[base:]
        if len(args) > 2:
            raise Fail(f"a third index: arrays are indexed by row and column; {INDEX_RULE}",
                       starts[2])
        for arg, start in zip(args, starts):
            if arg != WHOLE:
                self.check_index(arg, start)
        target = operands[-1]
        if self.is_bool(target):
            raise Fail("a condition cannot be indexed", marker[2])
        first, second = (args + [WHOLE])[:2]
        add = graph.add
        if first == WHOLE and second != WHOLE:  # A[:, j]: column j is row j of Aᵀ
            target = add("index", (add("transpose", (target,)), second))
        else:
            if first != WHOLE:
                target = add("index", (target, first))
            if second != WHOLE:
                target = add("index", (target, second))
        operands[-1] = target

    def check_index(self, node: int, at: int) -> None:
        """An index must be constant; a literal one must be whole (the op checks
        the range, and any other constant expression, at evaluation)."""
        graph = self.graph
        if self.is_bool(node) or not graph.constant[node]:
            raise Fail(INDEX_RULE, at)
        kinds = graph.kinds
        if kinds[node] == "neg":
            node = graph.arg0[node]
        if kinds[node] == CONST:
            label = graph.data[node]
            if label in CONSTANTS or float(label) != int(float(label)):
                raise Fail(f"index {label} is not a whole number: {INDEX_RULE}", at)
