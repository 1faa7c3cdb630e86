"""Symbolic mode over many points: SymPy's derivative evaluated over NumPy columns.

The derivative is built once from the graph (as :mod:`.symbolic` builds it)
and then computed over a whole chunk of points by walking the SymPy tree with
NumPy arrays: no ``lambdify`` (which ``exec``s generated text), no printing
and re-reading.  Each SymPy function is mapped to NumPy through the op table
(its SymPy function, inverted, gives the op whose NumPy function computes it),
so a new op needs nothing here.  The walk uses an explicit stack: SymPy
builds trees far deeper than Python's recursion limit.

Values follow adcli's real domain: a point where any piece is undefined or
infinite (log(0), 1/0, a fractional power of a negative number, exp overflow)
gets NaN, as the one-point modes refuse it; the untaken side of a
``Piecewise`` is computed but never selected.
"""

from __future__ import annotations

from functools import lru_cache

from ..errors import MathError, NotAvailable, UsageError


@lru_cache(maxsize=None)
def _functions() -> tuple:
    """(SymPy function class -> NumPy function, SymPy class name -> NumPy function),
    read off the op table: ``sympy_math().library`` inverted, each op's function
    taken from ``numpy_math()``.  Names catch SymPy's own ``Abs``/``sign`` (which
    SymPy may produce by simplifying) next to adcli's real ones."""
    from ..ops.namespaces import numpy_math, sympy_math

    numeric = numpy_math()
    by_class, by_name = {}, {}
    for name, function in sympy_math().library.items():
        target = getattr(numeric, name, None)
        if target is None:
            continue
        if isinstance(function, type):
            by_class[function] = target
        by_name[name] = target
    return by_class, by_name


def _refuse(node):
    import sympy

    kind = type(node).__name__
    shown = str(node) if node.is_Atom else getattr(node.func, "__name__", kind)
    if isinstance(node, sympy.Derivative):
        shown = "an unevaluated derivative"
    raise MathError(f"symbolic mode cannot evaluate {kind} over points: {shown}")


def _finite(value, np):
    """``value`` with ±inf made NaN: adcli has no infinite values (a float
    overflow or a division by zero is an error at that point)."""
    if isinstance(value, (np.ndarray, np.floating)) and value.dtype.kind == "f":
        if np.isfinite(np.add.reduce(value, axis=None)):  # a fast pass, no allocation
            return value
        infinite = np.isinf(value)
        if infinite.any():
            return np.where(infinite, np.nan, value)
    return value


def _fold(function):
    def combine(args):
        result = function(args[0], args[1])
        for a in args[2:]:
            result = function(result, a)
        return result
    return combine


def _sum(args):
    total = args[0] + args[1]  # a new object: adding into it in place is safe
    for a in args[2:]:
        total += a
    return total


def _product(args):
    total = args[0] * args[1]
    for a in args[2:]:
        total *= a
    return total


def _power(node, np):
    exponent = node.exp
    if exponent.is_Number and exponent.is_finite:
        e = float(exponent)
        if e == 2:
            return lambda args: args[0] * args[0]
        if e == -1:
            return lambda args: 1.0 / args[0]
        if e == 0.5:
            return lambda args: np.sqrt(args[0])
        if e == -0.5:
            return lambda args: 1.0 / np.sqrt(args[0])
    # np.power of a negative float to a fractional power is NaN: the real domain
    return lambda args: np.power(args[0], args[1])


_RELATIONS = {"<": "less", "<=": "less_equal", ">": "greater", ">=": "greater_equal",
              "==": "equal", "!=": "not_equal"}


def _combiner(node, n, np):
    """How to compute ``node`` from its children's values, and the children;
    a MathError for anything adcli's ops cannot produce or NumPy cannot compute."""
    import sympy as sp

    args = node.args
    if node.is_Add:
        return _sum, args
    if node.is_Mul:
        return _product, args
    if node.is_Pow:
        return _power(node, np), args
    if isinstance(node, sp.Piecewise):
        def select(values):
            shape = (n,)
            conditions = [np.broadcast_to(c, shape) for c in values[1::2]]
            choices = [np.broadcast_to(np.asarray(v, dtype=np.float64), shape)
                       for v in values[0::2]]
            return np.select(conditions, choices, default=np.nan)
        return select, tuple(part for pair in args for part in pair.args)
    if node.is_Relational and getattr(node, "rel_op", None) in _RELATIONS:
        return _fold(getattr(np, _RELATIONS[node.rel_op])), args
    if isinstance(node, sp.And):
        return _fold(np.logical_and), args
    if isinstance(node, sp.Or):
        return _fold(np.logical_or), args
    if isinstance(node, sp.Not):
        return (lambda values: np.logical_not(values[0])), args
    if isinstance(node, (sp.Max, sp.Min)):
        return _fold(np.maximum if isinstance(node, sp.Max) else np.minimum), args
    if isinstance(node, sp.Heaviside):
        # SymPy's value at 0 is its second argument (1/2 when left out)
        return (lambda v: np.heaviside(v[0], v[1] if len(v) > 1 else 0.5)), args
    if isinstance(node, sp.DiracDelta):
        # 0 away from 0; at 0 (and at NaN) it has no value
        return (lambda v: np.where(v[0] != 0, 0.0, np.nan)), args[:1]
    if node.is_Function and not isinstance(node, (sp.Derivative, sp.Subs)):
        by_class, by_name = _functions()
        name = type(node).__name__
        function = by_class.get(type(node)) or by_name.get(name) or by_name.get(name.lower())
        if function is not None:
            return (lambda values: function(*values)), args
    _refuse(node)


def _leaf(node, columns: dict, np):
    import sympy as sp

    if node.is_Symbol:
        if node.name not in columns:
            raise UsageError(f"no values for the variable {node.name}")
        value = columns[node.name]
        if isinstance(value, np.ndarray):
            return value.astype(np.float64, copy=False)
        return np.float64(value)
    if (node.is_Rational or node.is_Float) and node.is_finite:
        return np.float64(float(node))
    if node.is_NumberSymbol:
        return np.float64(float(node))
    if node is sp.true or node is sp.false:
        return np.bool_(node is sp.true)
    _refuse(node)


def evaluate(expr, columns: dict, n: int, np):
    """``expr`` over the columns (name -> float64 array of length ``n``, or a
    number for a fixed variable), as a float64 array of length ``n``.

    Post-order with an explicit stack; a subtree SymPy shares (the same
    object) is computed once.  NumPy's warnings are silenced: undefined
    points become NaN and the caller reports them per row.
    """
    return evaluate_all((expr,), columns, n, np)[0]


def evaluate_all(exprs, columns: dict, n: int, np) -> list:
    """Several expressions in one walk, so that the pieces the value and its
    derivatives share (``sin(x)``, ``exp(-x)``) are computed once."""
    values: dict = {}
    stack = [(expr, None, None) for expr in reversed(exprs)]
    with np.errstate(all="ignore"):
        while stack:
            node, combine, children = stack.pop()
            key = id(node)
            if key in values:
                continue
            if combine is None:
                if not node.args:
                    values[key] = _leaf(node, columns, np)
                    continue
                combine, children = _combiner(node, n, np)
                stack.append((node, combine, children))
                stack.extend((c, None, None) for c in children if id(c) not in values)
                continue
            values[key] = _finite(combine([values[id(c)] for c in children]), np)
    return [_column(values[id(expr)], n, np) for expr in exprs]


def _column(value, n: int, np):
    result = np.asarray(value)
    if result.dtype.kind != "f":
        result = result.astype(np.float64)
    return np.array(np.broadcast_to(result, (n,)), dtype=np.float64)


def build(graph, wrt: tuple, budget: float | None = None) -> tuple:
    """The formula and its derivatives as SymPy expressions, built once (under
    the symbolic mode's size limits and time budget) to be evaluated over any
    number of chunks: ``(expression, {name: derivative})``."""
    import sympy

    from .symbolic import (BUDGET_SECONDS, _check_size, _OverBudget, checked_budget,
                           time_budget, to_sympy)

    _check_size(graph)
    seconds = BUDGET_SECONDS if budget is None else checked_budget(budget)
    symbols = {name: sympy.Symbol(name, real=True) for name in (*graph.variables, *wrt)}
    try:
        with time_budget(seconds):
            expr = to_sympy(graph, symbols)
            return expr, {name: sympy.diff(expr, symbols[name]) for name in wrt}
    except RecursionError:
        raise NotAvailable("symbolic differentiation is not available for this input: "
                           "SymPy ran out of recursion depth; use --mode reverse") from None
    except _OverBudget:
        raise NotAvailable(f"symbolic differentiation is over budget: SymPy took more than "
                           f"{seconds:g} s; use --mode reverse") from None


def _length(columns: dict, np) -> int:
    lengths = {len(v) for v in columns.values() if isinstance(v, np.ndarray) and v.ndim}
    if len(lengths) > 1:
        raise UsageError(f"the columns have different lengths: {sorted(lengths)}")
    return lengths.pop() if lengths else 1


def derivatives(graph, columns: dict, wrt: tuple, budget: float | None = None) -> tuple:
    """Value and gradient of the formula at every row of ``columns``:
    ``(value array, {name: gradient array}, {name: derivative text})``."""
    import numpy as np
    import sympy

    expr, derived = build(graph, wrt, budget)
    n = _length(columns, np)
    value, *slopes = evaluate_all((expr, *derived.values()), columns, n, np)
    undefined = np.isnan(value)  # no derivative where the function has no value
    for slope in slopes:
        slope[undefined] = np.nan
    return value, dict(zip(derived, slopes)), {name: sympy.sstr(d) for name, d in derived.items()}
