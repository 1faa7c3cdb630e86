"""Piecewise-smooth functions and their kinks.

At a kink each declares the subgradient AD returns, always a valid one:
abs'(0) = 0 and relu'(0) = 0 (as PyTorch and JAX, and as SymPy's derivative
evaluates there); a tie in max/min goes wholly to the first argument (a
vertex of the subdifferential; PyTorch and JAX split a tie 0.5/0.5, and so
does SymPy's Heaviside(0) = 1/2); sign'(0) = 0, where SymPy's derivative is a
Dirac delta and the symbolic mode reports it undefined.
"""

from __future__ import annotations

from .spec import Op


def _first_wins(x, y) -> bool:
    return x == y


NONSMOOTH = (
    Op("stop_gradient", 1, lambda m, x: m.stop_gradient(x), (0,),
       "stop_gradient({0})", r"\operatorname{{sg}}\left({0}\right)", "",
       "its argument's value, with no derivative flowing through (alias detach)",
       holomorphic=False),
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
    Op("max", 2, lambda m, x, y: m.maximum(x, y),
       (lambda m, out, x, y: m.where(x >= y, 1, 0),
        lambda m, out, x, y: m.where(x >= y, 0, 1)),
       "max({0}, {1})", r"\max\left({0}, {1}\right)", "Max",
       "largest argument, max(a, b, ...)",
       kink=_first_wins, subgradient=(1, 0), holomorphic=False),
    Op("min", 2, lambda m, x, y: m.minimum(x, y),
       (lambda m, out, x, y: m.where(x <= y, 1, 0),
        lambda m, out, x, y: m.where(x <= y, 0, 1)),
       "min({0}, {1})", r"\min\left({0}, {1}\right)", "Min",
       "smallest argument, min(a, b, ...)",
       kink=_first_wins, subgradient=(1, 0), holomorphic=False),
)
