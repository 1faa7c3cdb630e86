"""The one table of primitives.  All derivative knowledge of adcli lives here.

``OPS`` maps an op name to its :class:`~adcli.ops.spec.Op`.  Everything else
is read off it: ``SURFACE`` maps each function name a user may write to the
op used for each arity; ``VARIADIC`` functions fold left over their
arguments (``max(a, b, c)`` is ``max(max(a, b), c)``, which keeps the
first-argument tie rule); ``INFIX`` and ``PREFIX`` are the operator symbols
the parser reads, with their precedence.
"""

from __future__ import annotations

from .arithmetic import ARITHMETIC
from .elementary import ELEMENTARY
from .nonsmooth import NONSMOOTH
from .spec import ATOM, Op
from .structural import STRUCTURAL

OPS: dict[str, Op] = {op.name: op for op in ARITHMETIC + ELEMENTARY + NONSMOOTH + STRUCTURAL}

#: The ops on numbers (every library evaluates them); the others act on arrays.
SCALAR_OPS: dict[str, Op] = {name: op for name, op in OPS.items() if not op.shaped}
SHAPED = frozenset(name for name, op in OPS.items() if op.shaped)

#: Named constants of the language, with their value in a namespace ``m``.  The
#: unary plus makes mpmath's lazy constants numbers at the working precision
#: (a bare ``e`` would otherwise reach the output as an object that is later
#: rounded to a double); every other namespace's constant is unchanged by it.
CONSTANTS = {"pi": lambda m: +m.pi, "e": lambda m: +m.e}


def _surface() -> dict[str, dict[int, str]]:
    table: dict[str, dict[int, str]] = {}
    for op in OPS.values():
        for name in op.names:
            table.setdefault(name, {})[op.arity] = op.name
    return dict(sorted(table.items()))


SURFACE = _surface()

VARIADIC = frozenset(name for name, arities in SURFACE.items()
                     if any(OPS[op].variadic for op in arities.values()))

#: Binary operator symbol -> (op name, precedence, right-associative).
INFIX = {symbol: (op.name, op.prec, op.right_assoc)
         for op in OPS.values() if op.arity == 2 for symbol in op.symbol}
#: Prefix operator symbol -> (op name, precedence).
PREFIX = {symbol: (op.name, op.prec) for op in OPS.values() if op.arity == 1
          for symbol in op.symbol}

__all__ = ["ATOM", "CONSTANTS", "INFIX", "OPS", "Op", "PREFIX", "SCALAR_OPS", "SHAPED",
           "SURFACE", "VARIADIC"]
