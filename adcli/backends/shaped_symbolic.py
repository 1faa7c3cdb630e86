"""Symbolic mode for small vectors and matrices: SymPy over one symbol per element.

Each array variable becomes a NumPy array of real SymPy symbols (``A_0_1``),
and the formula is recorded by the one interpreter over a namespace whose
numbers are such arrays: element-wise ops apply SymPy's function to each
element (NumPy broadcasting), structural ops are NumPy's own on object arrays
(a matrix product of symbols is a matrix of sums) or, where NumPy would call
a float method, written with SymPy.  The gradient is ``sympy.diff`` by each
element's symbol, evaluated at the point.  Up to MAX_ELEMENTS entries in all:
beyond, the expressions swell past use and the message says so.
"""

from __future__ import annotations

from functools import lru_cache

from ..errors import UsageError
from ..records import Derivative

#: The most array entries symbolic mode takes (the variables' elements together).
MAX_ELEMENTS = 64


def differentiate(problem, digits: int = 30) -> Derivative:
    """``digits``: the precision SymPy evaluates the derivatives at (the point's
    float64 values are taken as exact); float64 numbers come out."""
    import numpy as np
    import sympy as sp

    from ..tape.record import record
    from .symbolic import time_budget

    if problem.digits is not None:
        raise UsageError("--precision with vectors and matrices: not yet in symbolic mode")
    if problem.graph.has_branches:
        raise UsageError("symbolic mode for vectors and matrices takes no conditionals yet: "
                         "use --mode reverse")
    sizes = {name: int(np.size(v)) for name, v in problem.point.items()}
    if sum(sizes.values()) > MAX_ELEMENTS:
        raise UsageError(f"too large for symbolic mode: {sum(sizes.values()):,} array "
                         f"entries, at most {MAX_ELEMENTS}; use --mode reverse")
    symbols, values = {}, {}
    for name, v in problem.point.items():
        if np.ndim(v):
            cells = np.array([sp.Symbol(f"{name}_{'_'.join(map(str, i))}", real=True)
                              for i in np.ndindex(*np.shape(v))], dtype=object)
            symbols[name] = cells.reshape(np.shape(v))
            values.update({s: sp.Float(float(x), digits)
                           for s, x in zip(cells, np.ravel(v))})
        else:
            symbols[name] = sp.Symbol(name, real=True)
            values[symbols[name]] = sp.Float(float(v), digits)
    with time_budget(problem.budget or 30.0):
        tape = record(problem.graph, symbols, sympy_arrays(), partials=False)
        expr = tape.value.item() if hasattr(tape.value, "item") else tape.value
        if hasattr(expr, "shape"):
            raise UsageError(f"diff differentiates a formula whose value is one number; this "
                             f"one has shape {np.shape(tape.value)}: use jacobian")
        expr = sp.Float(expr) if isinstance(expr, (int, float)) else expr
        gradient, formulas = {}, {}
        for name in problem.wrt:
            cells = np.asarray(symbols[name], dtype=object)
            derivative = np.empty(cells.shape, dtype=object)
            for i in np.ndindex(*cells.shape):
                derivative[i] = sp.diff(expr, cells[i])
            number = np.vectorize(lambda d: _number(d, values, digits),
                                  otypes=[float])(derivative)
            gradient[name] = number if cells.shape else float(number)
            formulas[name] = str(derivative.tolist() if cells.shape else derivative.item())
        value = _number(expr, values, digits)
    return Derivative(problem.text, "symbolic", dict(problem.point), value, gradient,
                      cost={"array_entries": sum(sizes.values())}, formulas=formulas,
                      details={"note": "one SymPy symbol per array entry"})


def _number(expr, values, digits: int = 30) -> float:
    from ..errors import MathError

    got = expr.xreplace(values).evalf(digits) if hasattr(expr, "xreplace") else expr
    try:
        number = float(got)
    except (TypeError, ValueError):
        raise MathError(f"symbolic mode: the derivative has no real value at the point "
                        f"({got})") from None
    if not number - number == 0:
        raise MathError("symbolic mode: the derivative is infinite or undefined at the point")
    return number


@lru_cache(maxsize=None)
def sympy_arrays():
    """Every op over NumPy object arrays of SymPy expressions (and plain ones)."""
    import operator
    from contextlib import nullcontext

    import numpy as np
    import sympy as sp

    from ..ops.namespaces import build, numpy_math, sympy_math

    scalar = sympy_math().library
    exp = np.frompyfunc(sp.exp, 1, 1)
    written = {
        "norm": lambda x: sp.sqrt(np.sum(np.asarray(x, dtype=object) ** 2)),
        "softmax": lambda x: exp(x) / np.sum(exp(x), axis=-1, keepdims=True),
        "logsumexp": lambda x: sp.log(np.sum(exp(x))),
        "amax": lambda x: sp.Max(*np.ravel(x)),
        "amin": lambda x: sp.Min(*np.ravel(x)),
    }
    arrays = numpy_math()

    def apply(op):
        if op.shaped:
            return written.get(op.name) or getattr(arrays, op.name)
        function = scalar.get(op.name)
        if function is None:
            return None
        each = np.frompyfunc(function, op.arity, 1)

        def elementwise(*args):
            if any(isinstance(a, np.ndarray) for a in args):
                return each(*args)
            return function(*args)
        return elementwise

    def compare(python):
        each = np.frompyfunc(python, 2, 1)
        return lambda a, b: each(a, b)

    helpers = {name: compare(getattr(operator, name)) for name in ("lt", "le", "gt", "ge",
                                                                   "eq", "ne")}
    piece = np.frompyfunc(lambda c, a, b: sp.Piecewise((a, c), (b, True)), 3, 1)
    helpers.update(both=np.frompyfunc(sp.And, 2, 1), either=np.frompyfunc(sp.Or, 2, 1),
                   negate=np.frompyfunc(sp.Not, 1, 1), where=piece,
                   iszero=np.frompyfunc(lambda v: sp.Integer(1 if v == 0 else 0), 1, 1))
    m = build("sympy arrays", helpers, apply=apply, raises=False, elementwise=True,
              number=sympy_math().number, pi=sp.pi, e=sp.E, np=np, quiet=nullcontext,
              finite=lambda v: True)
    return m
