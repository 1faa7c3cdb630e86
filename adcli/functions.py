"""The formula language's functions, for programs: ``from adcli.functions import sin``.

Each works on traced numbers (adcli records it), on SymPy expressions (the
symbolic mode calls programs with symbols) and on plain numbers, through the
same op table as formulas.
"""

from __future__ import annotations

import builtins

from .ops.namespaces import FLOAT
from .ops import OPS, SURFACE, VARIADIC


def _function(name: str):
    arities = SURFACE[name]

    def function(*args):
        op_name = arities.get(2 if name in VARIADIC else len(args))
        if op_name is None or (name in VARIADIC and len(args) < 2):
            raise TypeError(f"{name} takes {sorted(arities)} arguments, got {len(args)}")
        if name in VARIADIC:
            result = args[0]
            for other in args[1:]:
                result = _apply(op_name, result, other)
            return result
        return _apply(op_name, *args)

    function.__name__ = name
    function.__doc__ = OPS[arities[builtins.max(arities)]].doc  # max/min/abs are ours here
    return function


def _apply(op_name: str, *args):
    """The op on traced numbers or arrays (recorded), SymPy expressions, NumPy arrays,
    mpmath numbers or floats."""
    from .programs.trace import Traced

    op = OPS[op_name]
    for a in args:
        if isinstance(a, Traced):
            return a.tracer.apply(op, *args)
    if any(type(a).__module__.startswith("sympy") for a in args):
        from .ops.namespaces import sympy_math

        return getattr(sympy_math(), op_name)(*args)
    if any(getattr(a, "shape", ()) != () for a in args):  # plain NumPy arrays
        from .ops.namespaces import numpy_math

        return getattr(numpy_math(), op_name)(*args)
    if any(type(a).__module__.startswith("mpmath") for a in args):
        from .ops.namespaces import mpmath_math

        return getattr(mpmath_math(), op_name)(*args)
    return getattr(FLOAT, op_name)(*(float(a) for a in args))


for _name in SURFACE:
    globals()[_name] = _function(_name)
pi, e = FLOAT.pi, FLOAT.e

__all__ = sorted(SURFACE) + ["pi", "e"]
