"""The operators of the language: + - * / ** and unary minus."""

from __future__ import annotations

from .spec import Op


def _pow_defined(x, y) -> bool:
    return x > 0 or (x == 0 and y >= 0) or (x < 0 and y % 1 == 0)


def _pow_dx(m, out, x, y):
    # y * x**(y-1).  Only at x = y = 0 (x**0, the constant 1) is the base nudged
    # to 1, without a branch (so that it holds on arrays) and without touching any
    # other point, so that differentiating this rule again stays exact.
    return y * m.pow(x + m.iszero(x) * m.iszero(y), y - 1)


def _pow_dy(m, out, x, y):
    # x**y * log(x); at x == 0 (y > 0) x**y is 0 for every y, so the partial is 0.
    return out * m.log(x + m.iszero(x))


ARITHMETIC = (
    Op("add", 2, lambda m, x, y: x + y, (1, 1),
       "{0} + {1}", "{0} + {1}", "Add", "sum", prec=10),
    Op("sub", 2, lambda m, x, y: x - y, (1, -1),
       "{0} - {1}", "{0} - {1}", "Add", "difference", prec=10),
    Op("mul", 2, lambda m, x, y: x * y,
       (lambda m, out, x, y: y, lambda m, out, x, y: x),
       "{0}*{1}", r"{0} \cdot {1}", "Mul", "product", prec=20),
    Op("div", 2, lambda m, x, y: x / y,
       (lambda m, out, x, y: 1 / y, lambda m, out, x, y: -out / y),
       "{0}/{1}", r"\frac{{{0}}}{{{1}}}", "Mul", "quotient", prec=20,
       domain=(lambda x, y: y != 0, "a nonzero divisor")),
    Op("neg", 1, lambda m, x: -x, (-1,),
       "-{0}", "-{0}", "Mul", "negation", prec=30),
    Op("pow", 2, lambda m, x, y: m.pow(x, y),
       (_pow_dx, _pow_dy),
       "{0}^{1}", "{{{0}}}^{{{1}}}", "Pow", "power x**y, x^y or pow(x, y)",
       prec=40, right_assoc=True,
       domain=(_pow_defined, "x > 0, or x = 0 with y >= 0, or x < 0 with an integer y")),
)
