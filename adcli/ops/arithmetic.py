"""The operators of the language: + - * / ** and unary minus.

Each declares its symbol and precedence once: the parser, the printers and
every kind of traced number (program values, Taylor series, graph nodes) read
them from here.  Printer precedences are 10 apart; the parser scales them.
"""

from __future__ import annotations

import operator

from .spec import MPMATH_MAX_BITS, Op


def _pow_defined(x, y) -> bool:
    return x > 0 or (x == 0 and y >= 0) or (x < 0 and y % 1 == 0)


def _pow_dx(m, out, x, y):
    # y * x**(y-1).  Only at x = y = 0 (x**0, the constant 1) is the base nudged
    # to 1, without a branch (so that it holds on arrays) and without touching any
    # other point, so that differentiating this rule again stays exact.  A constant
    # exponent other than 0 (x**2, the common case) needs no nudge: over a chunk of
    # points that saves four array operations.
    if y.__class__ is float and y:
        return y * m.pow(x, y - 1)
    return y * m.pow(x + m.iszero(x) * m.iszero(y), y - 1)


def _pow_dy(m, out, x, y):
    # x**y * log(x).  At x == 0 with y > 0, x**y is 0 for every nearby y: the
    # partial is 0 (log(1), times out = 0).  At x == y == 0 it jumps from 1 to
    # 0 (and is undefined for y < 0): the log stays log(0), undefined in every
    # namespace, so that no mode returns a number there.
    return out * m.log(x + m.iszero(x) * (1 - m.iszero(y)))


def _complex_pow(x, y):
    """``x**y`` for the complex step: 0**z is 0 wherever Re z > 0 (Python refuses
    a complex power of 0.0, though the function is analytic there)."""
    if x == 0 and y.real > 0:
        return 0 * y
    return x ** y


def _mpmath_power(mp):
    def power(x, y):
        # checked before the work: mpmath would compute 9**(9**9**9) exactly
        if x and y and abs(x) != 1:
            with mp.workprec(53):
                bits = abs(y) * abs(mp.log(abs(x), 2))
            if bits > MPMATH_MAX_BITS:
                raise OverflowError("pow")
        return mp.power(x, y)
    return power


def _numpy_power(np):
    """``np.power``, with the exact shortcuts NumPy's own ``**`` takes for a
    constant exponent (x**2 is a product, not a general power: 3x faster)."""
    shortcuts = {2.0: np.square, 1.0: lambda x: x, 0.5: np.sqrt, -1.0: np.reciprocal}

    def power(x, y):
        if y.__class__ is float and y in shortcuts:
            return shortcuts[y](x)
        return np.power(x, y)
    return power


def _sympy_power(sp):
    def power(base, exponent):
        # A number to a huge integer power would be computed exactly (digits
        # without end: 1.0000001**1000000000); in floating point it is instant.
        if base.is_Number and exponent.is_Integer and abs(exponent) > 64 \
                and base not in (0, 1, -1):
            base = sp.Float(base, 30)
        if base.is_zero and not exponent.is_Number:
            # 0**y is 0 for y > 0, whatever SymPy's derivative 0**y*log(0) says;
            # at y = 0 that derivative stays undefined, as the function jumps there
            return sp.Piecewise((sp.Integer(0), exponent > 0), (sp.Pow(base, exponent), True))
        return sp.Pow(base, exponent)
    return power


ARITHMETIC = (
    Op("add", 2, (1, 1), "sum", python=operator.add, symbol=("+",), dunder="add",
       pretty="{0} + {1}", latex="{0} + {1}", prec=10, commutative=True, nary="sum", identity=0,
       lib={"numpy": ("add",)}, taylor=lambda S, x, y: S.add(x, y)),
    Op("sub", 2, (1, -1), "difference", python=operator.sub, symbol=("-",), dunder="sub",
       pretty="{0} - {1}", latex="{0} - {1}", prec=10, nary="sum",
       lib={"numpy": ("subtract",)}, taylor=lambda S, x, y: S.sub(x, y)),
    Op("mul", 2, (lambda m, out, x, y: y, lambda m, out, x, y: x), "product",
       python=operator.mul, symbol=("*",), dunder="mul", pretty="{0}*{1}",
       latex=r"{0} \cdot {1}", prec=20, commutative=True, nary="product",
       identity=1,
       lib={"numpy": ("multiply",)}, taylor=lambda S, x, y: S.mul(x, y)),
    Op("div", 2, (lambda m, out, x, y: 1 / y, lambda m, out, x, y: -out / y), "quotient",
       python=operator.truediv, symbol=("/",), dunder="truediv", pretty="{0}/{1}",
       latex=r"\frac{{{0}}}{{{1}}}", prec=20, nary="product",
       domain=(lambda x, y: y != 0, "a nonzero divisor"),
       lib={"numpy": ("true_divide", "divide")}, taylor=lambda S, x, y: S.div(x, y)),
    Op("pow", 2, (_pow_dx, _pow_dy), "power x**y, x^y or pow(x, y)",
       symbol=("**", "^"), dunder="pow", pretty="{0}^{1}", latex="{{{0}}}^{{{1}}}",
       prec=40, right_assoc=True, names={"pow": "power, same as x**y"},
       domain=(_pow_defined, "x > 0, or x = 0 with y >= 0, or x < 0 with an integer y"),
       lib={"math": "pow", "cmath": lambda cmath: _complex_pow,
            "numpy": (_numpy_power, "power"),
            "mpmath": _mpmath_power, "sympy": _sympy_power},
       taylor=lambda S, x, y: S.power(x, y)),
    Op("neg", 1, (-1,), "negation", python=operator.neg, symbol=("-",), dunder="neg",
       pretty="-{0}", latex="-{0}", prec=30, nary="product",
       lib={"numpy": ("negative",)}, taylor=lambda S, x: S.neg(x)),
)
