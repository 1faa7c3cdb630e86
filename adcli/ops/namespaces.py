"""Math namespaces: the same function names over four kinds of number.

Every op in :mod:`adcli.ops` writes its value and its partials once, over a
namespace ``m``.  Handing it :data:`FLOAT` computes with Python floats (and
raises on domain errors, which the recorder turns into clear messages);
:func:`numpy_math` works elementwise on arrays; :func:`mpmath_math` at any
precision; :func:`sympy_math` builds SymPy expressions.  The heavy libraries
are imported only when their namespace is asked for.
"""

from __future__ import annotations

import math
from functools import lru_cache
from types import SimpleNamespace

#: Names every namespace provides (besides the constants ``pi`` and ``e``).
FUNCTIONS = (
    "sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh exp log log2 "
    "log10 sqrt cbrt abs sign erf erfc sigmoid softplus atan2 hypot pow where maximum "
    "minimum "
    "lt le gt ge eq ne both either negate iszero stop_gradient"
).split()


#: Functions every library names alike (NumPy spells the inverse ones arcsin ...).
ELEMENTARY = "sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh exp log sqrt".split()


def _elementary(module, prefix: str = "") -> dict:
    """``{"sin": module.sin, ...}``; ``prefix`` maps asin to arcsin for NumPy."""
    return {name: getattr(module, prefix + name[1:] if prefix and name.startswith("a")
                          else name) for name in ELEMENTARY}


def _sign(x: float) -> float:
    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0 * x)


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _softplus(x: float) -> float:
    if x > 0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))


def _compare_ops(lt, le, gt, ge, eq, ne):
    return dict(lt=lt, le=le, gt=gt, ge=ge, eq=eq, ne=ne)


_PY_COMPARE = _compare_ops(
    lambda a, b: a < b,
    lambda a, b: a <= b,
    lambda a, b: a > b,
    lambda a, b: a >= b,
    lambda a, b: a == b,
    lambda a, b: a != b,
)

#: Python floats through :mod:`math`.  Out-of-domain arguments raise
#: ``ValueError``/``ZeroDivisionError``/``OverflowError`` instead of giving NaN.
FLOAT = SimpleNamespace(
    name="float",
    raises=True,
    number=float,
    finite=math.isfinite,
    pi=math.pi,
    e=math.e,
    **_elementary(math),
    log2=math.log2, log10=math.log10, cbrt=math.cbrt, abs=abs, sign=_sign,
    erf=math.erf, erfc=math.erfc, sigmoid=_sigmoid, softplus=_softplus,
    atan2=math.atan2, hypot=math.hypot, pow=math.pow,
    where=lambda c, a, b: a if c else b,
    maximum=lambda a, b: a if a >= b else b,
    minimum=lambda a, b: a if a <= b else b,
    both=lambda a, b: a and b,
    either=lambda a, b: a or b,
    negate=lambda a: not a,
    iszero=lambda v: 1.0 if v == 0 else 0.0,
    stop_gradient=lambda v: v,
    **_PY_COMPARE,
)


@lru_cache(maxsize=None)
def complex_math() -> SimpleNamespace:
    """Python complex numbers through :mod:`cmath`, for the complex-step method.

    Only holomorphic ops (see ``Op.holomorphic``) are ever evaluated here, at
    ``x + ih`` with a tiny ``h`` after the real point itself was checked, so
    no domain checks are repeated; comparisons are not defined.
    """
    import cmath

    def high_precision(name):
        # erf has no cmath counterpart; in mpmath the imaginary part, h times
        # smaller than the real one (h ~ 1e-20), needs that many more digits.
        def evaluate(z):
            import mpmath

            with mpmath.workdps(60):
                return complex(getattr(mpmath, name)(mpmath.mpc(z)))
        return evaluate

    def log1p(w):
        return w * (1 - w * (0.5 - w / 3)) if abs(w) < 1e-5 else cmath.log(1 + w)

    def sigmoid(z):
        if z.real >= 0:
            return 1 / (1 + cmath.exp(-z))
        w = cmath.exp(z)
        return w / (1 + w)

    def softplus(z):
        if z.real > 0:
            return z + log1p(cmath.exp(-z))
        return log1p(cmath.exp(z))

    erf, erfc = high_precision("erf"), high_precision("erfc")

    return SimpleNamespace(
        name="complex",
        raises=True,
        number=complex,
        finite=cmath.isfinite,
        pi=math.pi,
        e=math.e,
        **_elementary(cmath),
        log2=lambda z: cmath.log(z) / math.log(2), log10=cmath.log10,
        erf=erf, erfc=erfc, sigmoid=sigmoid, softplus=softplus,
        pow=lambda z, w: z ** w,
        iszero=lambda v: 1.0 if v == 0 else 0.0,
        stop_gradient=lambda v: v,
    )


@lru_cache(maxsize=None)
def numpy_math() -> SimpleNamespace:
    """Elementwise over NumPy arrays; domain errors give NaN, checked by callers."""
    import numpy as np

    erf = np.vectorize(math.erf, otypes=[float])
    erfc = np.vectorize(math.erfc, otypes=[float])

    def sigmoid(x):
        x = np.asarray(x, dtype=float)
        z = np.exp(-np.abs(x))
        return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))

    def softplus(x):
        x = np.asarray(x, dtype=float)
        return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))

    return SimpleNamespace(
        name="numpy",
        raises=False,
        number=float,
        finite=lambda v: bool(np.all(np.isfinite(v))),
        pi=np.pi,
        e=np.e,
        **_elementary(np, prefix="arc"),
        log2=np.log2, log10=np.log10, cbrt=np.cbrt, abs=np.abs, sign=np.sign,
        erf=erf, erfc=erfc, sigmoid=sigmoid, softplus=softplus,
        atan2=np.arctan2, hypot=np.hypot, pow=np.power,
        where=np.where,
        maximum=lambda a, b: np.where(np.asarray(a) >= b, a, b),
        minimum=lambda a, b: np.where(np.asarray(a) <= b, a, b),
        both=np.logical_and,
        either=np.logical_or,
        negate=np.logical_not,
        iszero=lambda v: np.where(np.asarray(v) == 0, 1.0, 0.0),
        stop_gradient=lambda v: v,
        **_PY_COMPARE,
    )


@lru_cache(maxsize=None)
def mpmath_math() -> SimpleNamespace:
    """mpmath numbers at the working precision of ``mpmath.mp``.

    mpmath returns complex numbers outside the real domain instead of raising,
    so the recorder checks every value it gets from this namespace.
    """
    import mpmath

    return SimpleNamespace(
        name="mpmath",
        raises=False,
        number=mpmath.mpf,
        finite=lambda v: not isinstance(v, mpmath.mpc) and mpmath.isfinite(v),
        pi=mpmath.pi,
        e=mpmath.e,
        **_elementary(mpmath),
        log2=lambda x: mpmath.log(x, 2), log10=mpmath.log10,
        cbrt=lambda x: mpmath.sign(x) * mpmath.cbrt(mpmath.fabs(x)),
        abs=mpmath.fabs, sign=mpmath.sign,
        erf=mpmath.erf, erfc=mpmath.erfc,
        sigmoid=lambda x: 1 / (1 + mpmath.exp(-x)),
        softplus=lambda x: mpmath.log1p(mpmath.exp(x)),
        atan2=mpmath.atan2, hypot=mpmath.hypot, pow=mpmath.power,
        where=lambda c, a, b: a if c else b,
        maximum=lambda a, b: a if a >= b else b,
        minimum=lambda a, b: a if a <= b else b,
        both=lambda a, b: a and b,
        either=lambda a, b: a or b,
        negate=lambda a: not a,
        iszero=lambda v: 1 if v == 0 else 0,
        stop_gradient=lambda v: v,
        **_PY_COMPARE,
    )


def _stop_gradient_class(sp):
    """A SymPy function that is its argument in value and has derivative 0."""
    class stop_gradient(sp.Function):  # noqa: N801 (prints as adcli writes it)
        def fdiff(self, argindex=1):
            return sp.Integer(0)

        def _eval_evalf(self, prec):
            return self.args[0].evalf(prec)

    return stop_gradient


@lru_cache(maxsize=None)
def sympy_math() -> SimpleNamespace:
    """SymPy expressions over real symbols; conditionals become ``Piecewise``."""
    import sympy as sp

    def where(c, a, b):
        if c is sp.true or c is True:
            return a
        if c is sp.false or c is False:
            return b
        return sp.Piecewise((a, c), (b, True))

    def cbrt(x):
        return sp.sign(x) * sp.Abs(x) ** sp.Rational(1, 3)

    def power(base, exponent):
        # A number to a huge integer power would be computed exactly (digits
        # without end: 1.0000001**1000000000); in floating point it is instant.
        if base.is_Number and exponent.is_Integer and abs(exponent) > 64 \
                and base not in (0, 1, -1):
            base = sp.Float(base, 30)
        return sp.Pow(base, exponent)

    return SimpleNamespace(
        name="sympy",
        raises=False,
        number=sp.Rational,
        pi=sp.pi,
        e=sp.E,
        **_elementary(sp),
        log2=lambda x: sp.log(x, 2), log10=lambda x: sp.log(x, 10),
        cbrt=cbrt, abs=sp.Abs, sign=sp.sign,
        erf=sp.erf, erfc=sp.erfc,
        sigmoid=lambda x: 1 / (1 + sp.exp(-x)),
        softplus=lambda x: sp.log(1 + sp.exp(x)),
        atan2=sp.atan2, hypot=lambda x, y: sp.sqrt(x**2 + y**2), pow=power,
        where=where,
        maximum=sp.Max,  # Max(Max(a, b), c) flattens: no nested Piecewise to blow up
        minimum=sp.Min,
        both=sp.And,
        either=sp.Or,
        negate=sp.Not,
        iszero=lambda v: sp.Integer(1 if v == 0 else 0),
        stop_gradient=_stop_gradient_class(sp),
        **_compare_ops(sp.Lt, sp.Le, sp.Gt, sp.Ge, sp.Eq, sp.Ne),
    )
