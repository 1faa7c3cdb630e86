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


#: While :func:`capture` runs a program, each ``steps`` call is noted here.
_captured: list | None = None

#: While reverse mode traces a program to checkpoint its loops, each ``steps``
#: call goes here instead of being unrolled (see adcli.backends.checkpointed).
_cut = None


def steps(step, state, n, *params):
    """The state after ``n`` applications of ``state = step(state, *params)``.

    Writing a loop this way marks its steps.  On plain numbers it is the loop.
    When ``adcli diff --program`` traces the program, the loop is unrolled: every
    step goes on the ordinary tape, which is correct and simplest.  With
    ``--checkpoint`` (and in ``adcli memory --checkpoint``) the step is traced
    once instead and the loop reversed keeping only snapshots
    (:mod:`adcli.tape.checkpoint`).  The state and params may be numbers or
    NumPy arrays; a step keeps the state's shape.
    """
    if _captured is not None:
        _captured.append((step, state, n, params))
    if _cut is not None:
        return _cut(step, state, n, params)
    for _ in range(n):
        state = step(state, *params)
    return state


def capture(function, *args) -> list:
    """Run ``function(*args)`` and return the ``steps`` calls it made, in order,
    as ``(step, state, n, params)``."""
    global _captured
    outer, _captured = _captured, []
    try:
        function(*args)
        return _captured
    finally:
        _captured = outer


class cutting:
    """``with cutting(handler):`` each ``steps`` call returns ``handler(step, state,
    n, params)`` instead of looping."""

    def __init__(self, handler):
        self.handler = handler

    def __enter__(self):
        global _cut
        self.outer, _cut = _cut, self.handler

    def __exit__(self, *exc):
        global _cut
        _cut = self.outer


for _name in SURFACE:
    globals()[_name] = _function(_name)
pi, e = FLOAT.pi, FLOAT.e

__all__ = sorted(SURFACE) + ["pi", "e", "steps"]
