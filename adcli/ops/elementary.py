"""Smooth elementary functions: trigonometric, hyperbolic, exponential, special."""

from __future__ import annotations

from .spec import Op


def _fn(name, evaluate, partial, doc, sympy=None, latex=None, domain=None, **kw):
    return Op(name, 1, evaluate, (partial,), name + "({0})",
              latex or ("\\" + name + r"\left({0}\right)"), sympy or name, doc,
              domain=domain, **kw)


def _tanh_partial(m, out, x):
    # sech(x)^2 = 4 e^(-2|x|) / (1 + e^(-2|x|))^2: 1 - tanh^2 would cancel to 0
    # once tanh rounds to 1 (|x| > 19 in float64), and cosh overflows sooner.
    t = m.exp(-2 * m.abs(x))
    return 4 * t / ((1 + t) * (1 + t))


def _open_unit(x) -> bool:
    return -1 < x < 1


def _closed_unit(x) -> bool:
    return -1 <= x <= 1


ELEMENTARY = (
    _fn("sin", lambda m, x: m.sin(x), lambda m, out, x: m.cos(x), "sine"),
    _fn("cos", lambda m, x: m.cos(x), lambda m, out, x: -m.sin(x), "cosine"),
    _fn("tan", lambda m, x: m.tan(x), lambda m, out, x: 1 + out * out, "tangent"),
    _fn("asin", lambda m, x: m.asin(x),
        lambda m, out, x: 1 / m.sqrt((1 - x) * (1 + x)), "inverse sine",
        latex=r"\arcsin\left({0}\right)", domain=(_closed_unit, "-1 <= x <= 1"), taylor="ode"),
    _fn("acos", lambda m, x: m.acos(x),
        lambda m, out, x: -1 / m.sqrt((1 - x) * (1 + x)), "inverse cosine",
        latex=r"\arccos\left({0}\right)", domain=(_closed_unit, "-1 <= x <= 1"), taylor="ode"),
    _fn("atan", lambda m, x: m.atan(x),
        lambda m, out, x: 1 / (1 + x * x), "inverse tangent",
        latex=r"\arctan\left({0}\right)", taylor="ode"),
    _fn("sinh", lambda m, x: m.sinh(x), lambda m, out, x: m.cosh(x), "hyperbolic sine"),
    _fn("cosh", lambda m, x: m.cosh(x), lambda m, out, x: m.sinh(x), "hyperbolic cosine"),
    _fn("tanh", lambda m, x: m.tanh(x), _tanh_partial, "hyperbolic tangent"),
    _fn("asinh", lambda m, x: m.asinh(x),
        lambda m, out, x: 1 / m.hypot(x, 1), "inverse hyperbolic sine",
        latex=r"\operatorname{{arsinh}}\left({0}\right)", taylor="ode"),
    _fn("acosh", lambda m, x: m.acosh(x),
        lambda m, out, x: 1 / (m.sqrt(x - 1) * m.sqrt(x + 1)),
        "inverse hyperbolic cosine", latex=r"\operatorname{{arcosh}}\left({0}\right)",
        domain=(lambda x: x >= 1, "x >= 1"), taylor="ode"),
    _fn("atanh", lambda m, x: m.atanh(x),
        lambda m, out, x: 1 / ((1 - x) * (1 + x)), "inverse hyperbolic tangent",
        latex=r"\operatorname{{artanh}}\left({0}\right)",
        domain=(_open_unit, "-1 < x < 1"), taylor="ode"),
    _fn("exp", lambda m, x: m.exp(x), lambda m, out, x: out, "exponential e^x",
        latex=r"e^{{{0}}}"),
    _fn("log", lambda m, x: m.log(x), lambda m, out, x: 1 / x,
        "natural logarithm (also ln); log(x, b) is base b",
        latex=r"\ln\left({0}\right)", domain=(lambda x: x > 0, "x > 0")),
    _fn("log2", lambda m, x: m.log2(x), lambda m, out, x: 1 / (x * m.log(2)),
        "base-2 logarithm", sympy="log", latex=r"\log_2\left({0}\right)",
        domain=(lambda x: x > 0, "x > 0")),
    _fn("log10", lambda m, x: m.log10(x), lambda m, out, x: 1 / (x * m.log(10)),
        "base-10 logarithm", sympy="log", latex=r"\log_{{10}}\left({0}\right)",
        domain=(lambda x: x > 0, "x > 0")),
    Op("logb", 2, lambda m, x, b: m.log(x) / m.log(b),
       (lambda m, out, x, b: 1 / (x * m.log(b)),
        lambda m, out, x, b: -out / (b * m.log(b))),
       "log({0}, {1})", r"\log_{{{1}}}\left({0}\right)", "log",
       "logarithm of x to base b, written log(x, b)",
       domain=(lambda x, b: x > 0 and b > 0 and b != 1, "x > 0 and a base b > 0, b != 1"),
       title="log"),
    _fn("sqrt", lambda m, x: m.sqrt(x), lambda m, out, x: 1 / (2 * out),
        "square root", latex=r"\sqrt{{{0}}}", domain=(lambda x: x >= 0, "x >= 0")),
    _fn("cbrt", lambda m, x: m.cbrt(x), lambda m, out, x: 1 / (3 * out * out),
        "real cube root", sympy="real_root", latex=r"\sqrt[3]{{{0}}}",
        holomorphic=False),
    _fn("erf", lambda m, x: m.erf(x),
        lambda m, out, x: 2 / m.sqrt(m.pi) * m.exp(-x * x), "error function",
        latex=r"\operatorname{{erf}}\left({0}\right)", taylor="ode"),
    _fn("erfc", lambda m, x: m.erfc(x),
        lambda m, out, x: -2 / m.sqrt(m.pi) * m.exp(-x * x),
        "complementary error function", latex=r"\operatorname{{erfc}}\left({0}\right)",
        taylor="ode"),
    _fn("sigmoid", lambda m, x: m.sigmoid(x), lambda m, out, x: out * m.sigmoid(-x),
        "logistic function 1/(1+e^-x)", sympy="",
        latex=r"\sigma\left({0}\right)"),
    _fn("softplus", lambda m, x: m.softplus(x), lambda m, out, x: m.sigmoid(x),
        "log(1 + e^x), computed without overflow", sympy="",
        latex=r"\operatorname{{softplus}}\left({0}\right)"),
    Op("atan2", 2, lambda m, y, x: m.atan2(y, x),
       (lambda m, out, y, x: x / m.hypot(x, y) / m.hypot(x, y),
        lambda m, out, y, x: -y / m.hypot(x, y) / m.hypot(x, y)),
       "atan2({0}, {1})", r"\operatorname{{atan2}}\left({0}, {1}\right)", "atan2",
       "angle of the point (x, y), written atan2(y, x)", holomorphic=False, taylor="ode"),
    Op("hypot", 2, lambda m, x, y: m.hypot(x, y),
       (lambda m, out, x, y: x / out, lambda m, out, x, y: y / out),
       "hypot({0}, {1})", r"\sqrt{{{0}^2 + {1}^2}}", "",
       "sqrt(x^2 + y^2) without overflow", holomorphic=False,
       kink=lambda x, y: x == 0 and y == 0, subgradient=(0, 0)),
)
