"""Piecewise-smooth functions and their kinks.

At a kink each declares the subgradient AD returns, always a valid one:
abs'(0) = 0 and relu'(0) = 0 (as PyTorch and JAX, and as SymPy's derivative
evaluates there); a tie in max/min goes wholly to the first argument (a
vertex of the subdifferential; PyTorch and JAX split a tie 0.5/0.5, and so
does SymPy's Heaviside(0) = 1/2); sign'(0) = 0, where SymPy's derivative is a
Dirac delta and the symbolic mode reports it undefined.
"""

from __future__ import annotations

from functools import lru_cache

from .spec import Op


def _first_wins(x, y) -> bool:
    return x == y


def _sign(x):
    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0 * x)


def _identity(_module):
    return lambda v: v


def _stop_gradient_sympy(sp):
    """A SymPy function that is its argument in value and has derivative 0."""
    class stop_gradient(sp.Function):  # noqa: N801 (prints as adcli writes it)
        def fdiff(self, argindex=1):
            return sp.Integer(0)

        def _eval_evalf(self, prec):
            return self.args[0].evalf(prec)

    return stop_gradient


def _real_function(sp, name: str, library, derivative):
    """A SymPy function printed as ``name``: ``library``'s wherever SymPy can decide
    (a number, a provably real argument), else differentiated by ``derivative``."""
    def evaluate(cls, a):
        return library(a) if a.is_number or a.is_extended_real else None

    def fdiff(self, argindex=1):
        return derivative(self.args[0])

    def evalf(self, prec):
        return library(self.args[0].evalf(prec))

    return type(name, (sp.Function,), {"eval": classmethod(evaluate), "fdiff": fdiff,
                                       "_eval_evalf": evalf})


@lru_cache(maxsize=None)
def real_sympy(sp) -> tuple:
    """``(Abs, sign)`` for SymPy that know their argument is real.

    adcli's values are real (every op checks its domain), but SymPy cannot
    always prove it (``log(x)`` for real x, ``sqrt(x)``): its own ``sign``
    then leaves ``Derivative(sign(log(x)), x)`` unevaluated and its ``Abs``
    differentiates through ``re`` and ``im``.  These evaluate as SymPy's
    own wherever SymPy can decide, and differentiate as real functions.
    """
    sign = _real_function(sp, "sign", sp.sign, lambda a: 2 * sp.DiracDelta(a))
    Abs = _real_function(sp, "Abs", sp.Abs, lambda a: sign(a))  # noqa: N806
    return Abs, sign


def _extremum(name, wins, doc):
    """max/min: a tie goes wholly to the first argument, in every library."""
    return Op(name, 2, (lambda m, out, x, y: m.where(wins(x, y), 1, 0),
                        lambda m, out, x, y: m.where(wins(x, y), 0, 1)), doc,
              latex="\\" + name + r"\left({0}, {1}\right)", variadic=True,
              params="a, b, ...", commutative=True, kink=_first_wins, subgradient=(1, 0),
              holomorphic=False, idempotent=True,
              lib={"math": lambda _: lambda a, b: a if wins(a, b) else b,
                   "mpmath": lambda _: lambda a, b: a if wins(a, b) else b,
                   "numpy": (lambda np: lambda a, b: np.where(wins(np.asarray(a), b), a, b),
                             name + "imum"),
                   # Max(Max(a, b), c) flattens: no nested Piecewise to blow up
                   "sympy": name.capitalize()})


NONSMOOTH = (
    Op("stop_gradient", 1, (0,),
       "its argument's value, with no derivative flowing through (alias detach)",
       latex=r"\operatorname{{sg}}\left({0}\right)", holomorphic=False,
       names={"stop_gradient": None, "detach": None}, detach=True,
       lib={"math": _identity, "cmath": _identity, "numpy": _identity,
            "mpmath": _identity, "sympy": _stop_gradient_sympy}),
    Op("abs", 1, (lambda m, out, x: m.sign(x),), "absolute value",
       latex=r"\left|{0}\right|", kink=lambda x: x == 0, subgradient=(0,),
       holomorphic=False, dunder="abs",
       lib={"math": lambda _: abs, "numpy": ("absolute", "fabs"), "mpmath": "fabs",
            "sympy": lambda sp: real_sympy(sp)[0]}),
    Op("sign", 1, (0,), "sign: -1, 0 or 1 (derivative 0 away from 0)",
       latex=r"\operatorname{{sgn}}\left({0}\right)", kink=lambda x: x == 0,
       subgradient=(0,), holomorphic=False,
       lib={"math": lambda _: _sign, "sympy": lambda sp: real_sympy(sp)[1]}),
    Op("relu", 1, (lambda m, out, x: m.where(x > 0, 1, 0),), "max(x, 0)",
       evaluate=lambda m, x: m.where(x > 0, x, 0 * x),
       latex=r"\operatorname{{ReLU}}\left({0}\right)", kink=lambda x: x == 0,
       subgradient=(0,), holomorphic=False),
    _extremum("max", lambda x, y: x >= y, "largest argument, max(a, b, ...)"),
    _extremum("min", lambda x, y: x <= y, "smallest argument, min(a, b, ...)"),
)
