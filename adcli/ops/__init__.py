"""The one table of primitives.  All derivative knowledge of adcli lives here.

``OPS`` maps an op name to its :class:`~adcli.ops.spec.Op`.  ``SURFACE`` maps
each function name a user may write to the op used for each arity;
``VARIADIC`` functions fold left over their arguments (``max(a, b, c)`` is
``max(max(a, b), c)``, which keeps the first-argument tie rule).
"""

from __future__ import annotations

from .arithmetic import ARITHMETIC
from .elementary import ELEMENTARY
from .nonsmooth import NONSMOOTH
from .spec import ATOM, Op

OPS: dict[str, Op] = {op.name: op for op in ARITHMETIC + ELEMENTARY + NONSMOOTH}

VARIADIC = frozenset({"min", "max"})

#: Named constants of the language, with their value in a namespace ``m``.
CONSTANTS = {"pi": lambda m: m.pi, "e": lambda m: m.e}


def _surface() -> dict[str, dict[int, str]]:
    table = {op.name: {op.arity: op.name} for op in OPS.values() if op.prec == ATOM}
    del table["logb"]
    table["log"][2] = "logb"
    table["ln"] = {1: "log"}
    table["pow"] = {2: "pow"}
    table["detach"] = {1: "stop_gradient"}
    return dict(sorted(table.items()))


SURFACE = _surface()

__all__ = ["ATOM", "CONSTANTS", "OPS", "Op", "SURFACE", "VARIADIC"]
