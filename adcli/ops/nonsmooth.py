"""Piecewise-smooth functions and their kinks.

At a kink each declares the subgradient AD returns: the one-sided value that
PyTorch and JAX return.  For abs, relu, max and min it is also what SymPy's
derivative evaluates to there (``sign(0) = 0``; a tie in ``max``/``min`` goes to
the first argument); for sign and hypot SymPy's derivative has no value there
(a Dirac delta, 0/0), so the symbolic mode reports it as undefined.
"""

from __future__ import annotations

from .spec import Op


def _first_wins(x, y) -> bool:
    return x == y


NONSMOOTH = (
    Op("abs", 1, lambda m, x: m.abs(x), (lambda m, out, x: m.sign(x),),
       "abs({0})", r"\left|{0}\right|", "Abs", "absolute value",
       kink=lambda x: x == 0, subgradient=(0,), holomorphic=False),
    Op("sign", 1, lambda m, x: m.sign(x), (0,),
       "sign({0})", r"\operatorname{{sgn}}\left({0}\right)", "sign",
       "sign: -1, 0 or 1 (derivative 0 away from 0)",
       kink=lambda x: x == 0, subgradient=(0,), holomorphic=False),
    Op("relu", 1, lambda m, x: m.where(x > 0, x, 0 * x),
       (lambda m, out, x: m.where(x > 0, 1, 0),),
       "relu({0})", r"\operatorname{{ReLU}}\left({0}\right)", "",
       "max(x, 0)", kink=lambda x: x == 0, subgradient=(0,), holomorphic=False),
    Op("max", 2, lambda m, x, y: m.where(x >= y, x, y),
       (lambda m, out, x, y: m.where(x >= y, 1, 0),
        lambda m, out, x, y: m.where(x >= y, 0, 1)),
       "max({0}, {1})", r"\max\left({0}, {1}\right)", "Max",
       "largest argument, max(a, b, ...)",
       kink=_first_wins, subgradient=(1, 0), holomorphic=False),
    Op("min", 2, lambda m, x, y: m.where(x <= y, x, y),
       (lambda m, out, x, y: m.where(x <= y, 1, 0),
        lambda m, out, x, y: m.where(x <= y, 0, 1)),
       "min({0}, {1})", r"\min\left({0}, {1}\right)", "Min",
       "smallest argument, min(a, b, ...)",
       kink=_first_wins, subgradient=(1, 0), holomorphic=False),
)
