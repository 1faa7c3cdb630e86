"""Smooth elementary functions: trigonometric, hyperbolic, exponential, special.

Most are library functions: each namespace takes the function of that name
from its library (``lib`` names the exceptions: NumPy's ``arcsin``).  Where
a library has no good one, the entry carries it (a stable sigmoid for
floats, the complex ``erf`` through mpmath for the complex step).
"""

from __future__ import annotations

import math

from . import stable
from .nonsmooth import real_sympy
from .spec import Op


def _fn(name, partial, doc, **kw):
    return Op(name, 1, (partial,), doc, latex=kw.pop("latex", "\\" + name + r"\left({0}\right)"),
              **kw)


def _tanh_partial(m, out, x):
    # sech(x)^2 = 4 e^(-2|x|) / (1 + e^(-2|x|))^2: 1 - tanh^2 would cancel to 0
    # once tanh rounds to 1 (|x| > 19 in float64), and cosh overflows sooner.
    t = m.exp(-2 * m.abs(x))
    return 4 * t / ((1 + t) * (1 + t))


def _sympy_cbrt(sp):
    real_abs, real_sign = real_sympy(sp)
    return lambda x: real_sign(x) * real_abs(x) ** sp.Rational(1, 3)


def _open_unit(x) -> bool:
    return -1 < x < 1


def _closed_unit(x) -> bool:
    return -1 <= x <= 1


def _positive(x) -> bool:
    return x > 0


def _arc(name):
    """NumPy spells the inverse functions arcsin, arcsinh, ..."""
    return {"numpy": ("arc" + name[1:],)}


def _logarithm(base):
    return {"cmath": lambda cmath: lambda z: cmath.log(z) / math.log(base),
            "mpmath": lambda mp: lambda x: mp.log(x, base),
            "sympy": lambda sp: lambda x: sp.log(x, base)}


ELEMENTARY = (
    _fn("sin", lambda m, out, x: m.cos(x), "sine", taylor=lambda S, u: S.sin_cos(u)[0]),
    _fn("cos", lambda m, out, x: -m.sin(x), "cosine", taylor=lambda S, u: S.sin_cos(u)[1]),
    _fn("tan", lambda m, out, x: 1 + out * out, "tangent",
        taylor=lambda S, u: S.div(*S.sin_cos(u))),
    _fn("asin", lambda m, out, x: 1 / m.sqrt((1 - x) * (1 + x)), "inverse sine",
        latex=r"\arcsin\left({0}\right)", domain=(_closed_unit, "-1 <= x <= 1"),
        lib=_arc("asin")),
    _fn("acos", lambda m, out, x: -1 / m.sqrt((1 - x) * (1 + x)), "inverse cosine",
        latex=r"\arccos\left({0}\right)", domain=(_closed_unit, "-1 <= x <= 1"),
        lib=_arc("acos")),
    _fn("atan", lambda m, out, x: 1 / (1 + x * x), "inverse tangent",
        latex=r"\arctan\left({0}\right)", lib=_arc("atan")),
    _fn("sinh", lambda m, out, x: m.cosh(x), "hyperbolic sine",
        taylor=lambda S, u: S.sinh_cosh(u)[0]),
    _fn("cosh", lambda m, out, x: m.sinh(x), "hyperbolic cosine",
        taylor=lambda S, u: S.sinh_cosh(u)[1]),
    _fn("tanh", _tanh_partial, "hyperbolic tangent", taylor=lambda S, u: S.tanh(u)),
    _fn("asinh", lambda m, out, x: 1 / m.hypot(x, 1), "inverse hyperbolic sine",
        latex=r"\operatorname{{arsinh}}\left({0}\right)", lib=_arc("asinh")),
    _fn("acosh", lambda m, out, x: 1 / (m.sqrt(x - 1) * m.sqrt(x + 1)),
        "inverse hyperbolic cosine", latex=r"\operatorname{{arcosh}}\left({0}\right)",
        domain=(lambda x: x >= 1, "x >= 1"), lib=_arc("acosh")),
    _fn("atanh", lambda m, out, x: 1 / ((1 - x) * (1 + x)), "inverse hyperbolic tangent",
        latex=r"\operatorname{{artanh}}\left({0}\right)",
        domain=(_open_unit, "-1 < x < 1"), lib=_arc("atanh")),
    _fn("exp", lambda m, out, x: out, "exponential e^x", latex=r"e^{{{0}}}",
        taylor=lambda S, u: S.exp(u)),
    _fn("expm1", lambda m, out, x: m.exp(x), "e^x - 1, accurate for small x",
        latex=r"\left(e^{{{0}}} - 1\right)",
        lib={"cmath": lambda cmath: lambda z: complex(
                 math.expm1(z.real) * math.cos(z.imag) - 2 * math.sin(z.imag / 2) ** 2,
                 math.exp(z.real) * math.sin(z.imag)),
             "sympy": lambda sp: lambda x: sp.exp(x) - 1}),
    _fn("log", lambda m, out, x: 1 / x, "natural logarithm (also ln); log(x, b) is base b",
        latex=r"\ln\left({0}\right)", domain=(_positive, "x > 0"), taylor=lambda S, u: S.log(u),
        names={"log": None, "ln": "natural logarithm (same as log)"}),
    _fn("log1p", lambda m, out, x: 1 / (1 + x), "log(1 + x), accurate for small x",
        latex=r"\ln\left(1 + {0}\right)", domain=(lambda x: x > -1, "x > -1"),
        lib={"cmath": lambda cmath: stable.complex_log1p,
             "sympy": lambda sp: lambda x: sp.log(1 + x)}),
    _fn("log2", lambda m, out, x: 1 / (x * m.log(2)), "base-2 logarithm",
        latex=r"\log_2\left({0}\right)", domain=(_positive, "x > 0"), lib=_logarithm(2)),
    _fn("log10", lambda m, out, x: 1 / (x * m.log(10)), "base-10 logarithm",
        latex=r"\log_{{10}}\left({0}\right)", domain=(_positive, "x > 0"),
        lib=_logarithm(10)),
    Op("logb", 2, (lambda m, out, x, b: 1 / (x * m.log(b)),
                   lambda m, out, x, b: -out / (b * m.log(b))),
       "logarithm of x to base b, written log(x, b)",
       evaluate=lambda m, x, b: m.log(x) / m.log(b), pretty="log({0}, {1})",
       latex=r"\log_{{{1}}}\left({0}\right)", names={"log": None}, params="x, b",
       domain=(lambda x, b: x > 0 and b > 0 and b != 1, "x > 0 and a base b > 0, b != 1"),
       title="log"),
    _fn("sqrt", lambda m, out, x: 1 / (2 * out), "square root", latex=r"\sqrt{{{0}}}",
        domain=(lambda x: x >= 0, "x >= 0"), taylor=lambda S, u: S.sqrt(u)),
    _fn("cbrt", lambda m, out, x: 1 / (3 * out * out), "real cube root",
        latex=r"\sqrt[3]{{{0}}}", holomorphic=False,
        lib={"mpmath": lambda mp: lambda x: mp.sign(x) * mp.cbrt(mp.fabs(x)),
             "sympy": _sympy_cbrt}),
    _fn("erf", lambda m, out, x: 2 / m.sqrt(m.pi) * m.exp(-x * x), "error function",
        latex=r"\operatorname{{erf}}\left({0}\right)",
        lib={"numpy": lambda np: np.vectorize(math.erf, otypes=[float]),
             "cmath": lambda cmath: stable.complex_special("erf")}),
    _fn("erfc", lambda m, out, x: -2 / m.sqrt(m.pi) * m.exp(-x * x),
        "complementary error function", latex=r"\operatorname{{erfc}}\left({0}\right)",
        lib={"numpy": lambda np: np.vectorize(math.erfc, otypes=[float]),
             "cmath": lambda cmath: stable.complex_special("erfc")}),
    _fn("sigmoid", lambda m, out, x: out * m.sigmoid(-x), "logistic function 1/(1+e^-x)",
        latex=r"\sigma\left({0}\right)",
        taylor=lambda S, u: S.sigmoid(u),
        lib={"math": lambda _: stable.sigmoid, "cmath": lambda _: stable.complex_sigmoid,
             "numpy": lambda _: stable.numpy_sigmoid,
             "mpmath": lambda mp: lambda x: 1 / (1 + mp.exp(-x)),
             "sympy": lambda sp: lambda x: 1 / (1 + sp.exp(-x))}),
    _fn("softplus", lambda m, out, x: m.sigmoid(x), "log(1 + e^x), computed without overflow",
        latex=r"\operatorname{{softplus}}\left({0}\right)",
        lib={"math": lambda _: stable.softplus, "cmath": lambda _: stable.complex_softplus,
             "numpy": lambda _: stable.numpy_softplus,
             "mpmath": lambda mp: lambda x: mp.log1p(mp.exp(x)),
             "sympy": lambda sp: lambda x: sp.log(1 + sp.exp(x))}),
    Op("logaddexp", 2, (lambda m, out, x, y: m.exp(x - out),
                        lambda m, out, x, y: m.exp(y - out)),
       "log(e^x + e^y), computed without overflow", commutative=True,
       evaluate=lambda m, x, y: m.max(x, y) + m.log1p(m.exp(-m.abs(x - y))),
       latex=r"\ln\left(e^{{{0}}} + e^{{{1}}}\right)",
       lib={"numpy": ("logaddexp",),
            "cmath": lambda cmath: lambda z, w: cmath.log(cmath.exp(z) + cmath.exp(w)),
            "sympy": lambda sp: lambda x, y: sp.log(sp.exp(x) + sp.exp(y))}),
    Op("atan2", 2, (lambda m, out, y, x: x / m.hypot(x, y) / m.hypot(x, y),
                    lambda m, out, y, x: -y / m.hypot(x, y) / m.hypot(x, y)),
       "angle of the point (x, y), written atan2(y, x)", params="y, x",
       latex=r"\operatorname{{atan2}}\left({0}, {1}\right)", holomorphic=False,
       lib={"numpy": ("arctan2",)}),
    Op("hypot", 2, (lambda m, out, x, y: x / out, lambda m, out, x, y: y / out),
       "sqrt(x^2 + y^2) without overflow", latex=r"\sqrt{{{0}^2 + {1}^2}}",
       holomorphic=False, commutative=True,
       kink=lambda x, y: (x == 0) & (y == 0), subgradient=(0, 0),  # & : per point too
       lib={"sympy": lambda sp: lambda x, y: sp.sqrt(x**2 + y**2)}),
)
