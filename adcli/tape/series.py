"""Taylor mode: truncated Taylor series propagated through the tape.

Every value becomes its Taylor coefficients c_0..c_K in the direction of one
input (x = x0 + t), and each tape entry maps its arguments' series to its own:
f^(k)(x0) = k! c_k, for all k at once, exact to working precision, O(K^2) work
per op.  The op table says how each op propagates (``Op.taylor``):

* ``"eval"``: evaluate the op in the series namespace below, whose functions
  are the classical recurrences (products, quotients, exp, log, sin/cos and
  sinh/cosh together, square roots, powers);
* ``"ode"``: the inverse and special functions (asin ... atanh, erf, atan2)
  integrate their derivative ODE, y' = sum_k (dy/du_k) u_k', with the op's own
  partials evaluated on series -- no derivative written twice.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

from ..errors import MathError, UsageError
from ..ops.namespaces import FUNCTIONS
from ..ops import OPS
from .record import Tape

MAX_ORDER = 100


class Series:
    """Coefficients c_0..c_K of a truncated Taylor series."""

    __slots__ = ("c",)

    def __init__(self, coefficients):
        self.c = list(coefficients)

    @staticmethod
    def constant(value, order: int) -> "Series":
        return Series([float(value)] + [0.0] * order)

    def _lift(self, other) -> "Series":
        return other if isinstance(other, Series) else Series.constant(other, len(self.c) - 1)

    def __add__(self, o):
        o = self._lift(o)
        return Series(a + b for a, b in zip(self.c, o.c))

    __radd__ = __add__

    def __sub__(self, o):
        o = self._lift(o)
        return Series(a - b for a, b in zip(self.c, o.c))

    def __rsub__(self, o):
        return self._lift(o) - self

    def __neg__(self):
        return Series(-a for a in self.c)

    def __mul__(self, o):
        if not isinstance(o, Series):
            return Series(a * o for a in self.c)
        a, b = self.c, o.c
        return Series(sum(a[j] * b[k - j] for j in range(k + 1)) for k in range(len(a)))

    __rmul__ = __mul__

    def __truediv__(self, o):
        if not isinstance(o, Series):
            return Series(a / o for a in self.c)
        a, b = self.c, o.c
        if b[0] == 0:
            raise ZeroDivisionError("series division by a series that is 0 at the point")
        q: list = []
        for k in range(len(a)):
            q.append((a[k] - sum(b[j] * q[k - j] for j in range(1, k + 1))) / b[0])
        return Series(q)

    def __rtruediv__(self, o):
        return self._lift(o) / self

    def __pow__(self, o):
        return power(self, o)

    # a branch or a kink is decided by the value at the point
    def __gt__(self, o): return self.c[0] > _value(o)
    def __ge__(self, o): return self.c[0] >= _value(o)
    def __lt__(self, o): return self.c[0] < _value(o)
    def __le__(self, o): return self.c[0] <= _value(o)
    def __eq__(self, o): return self.c[0] == _value(o)  # noqa: D105
    __hash__ = None


def _value(x):
    return x.c[0] if isinstance(x, Series) else x


def _integrate(u: Series, y0: float, derivative) -> Series:
    """y with y(0) = y0 and y' = g u', ``derivative(y_so_far)`` giving g."""
    y = Series([y0] + [0.0] * (len(u.c) - 1))
    for k in range(1, len(u.c)):
        g = derivative(y).c
        y.c[k] = sum(j * u.c[j] * g[k - j] for j in range(1, k + 1)) / k
    return y


def exp(u: Series) -> Series:
    return _integrate(u, math.exp(u.c[0]), lambda y: y)


def log(u: Series) -> Series:
    if u.c[0] <= 0:
        raise ValueError("log")
    return _integrate(u, math.log(u.c[0]), lambda y: 1 / u)


def sin_cos(u: Series) -> tuple[Series, Series]:
    s, c = Series([math.sin(u.c[0])]), Series([math.cos(u.c[0])])
    for k in range(1, len(u.c)):
        s.c.append(sum(j * u.c[j] * c.c[k - j] for j in range(1, k + 1)) / k)
        c.c.append(-sum(j * u.c[j] * s.c[k - j] for j in range(1, k + 1)) / k)
    return s, c


def sinh_cosh(u: Series) -> tuple[Series, Series]:
    s, c = Series([math.sinh(u.c[0])]), Series([math.cosh(u.c[0])])
    for k in range(1, len(u.c)):
        s.c.append(sum(j * u.c[j] * c.c[k - j] for j in range(1, k + 1)) / k)
        c.c.append(sum(j * u.c[j] * s.c[k - j] for j in range(1, k + 1)) / k)
    return s, c


def sqrt(u: Series) -> Series:
    if u.c[0] <= 0:
        raise ZeroDivisionError("sqrt has no Taylor expansion at or below 0")
    y = [math.sqrt(u.c[0])]
    for k in range(1, len(u.c)):
        y.append((u.c[k] - sum(y[j] * y[k - j] for j in range(1, k))) / (2 * y[0]))
    return Series(y)


def power(u: Series, r) -> Series:
    if isinstance(r, Series):
        if any(r.c[1:]):
            return exp(r * log(u))
        r = r.c[0]
    if u.c[0] == 0:
        if float(r).is_integer() and r >= 0:  # a polynomial: repeated products
            result = Series.constant(1.0, len(u.c) - 1)
            for _ in range(int(r)):
                result = result * u
            return result
        raise ZeroDivisionError("pow has no Taylor expansion at 0 for this exponent")
    y = [math.pow(u.c[0], r)]
    for k in range(1, len(u.c)):
        y.append(sum((r * (k - j) - j) * u.c[k - j] * y[j] for j in range(k)) / (k * u.c[0]))
    return Series(y)


def _kink(name: str, u: Series) -> None:
    if u.c[0] == 0:
        raise ArithmeticError(f"{name} has no Taylor expansion at 0, a kink")


def _abs(u):
    _kink("abs", u)
    return u if u.c[0] > 0 else -u


def _sign(u):
    _kink("sign", u)
    return Series.constant(math.copysign(1.0, u.c[0]), len(u.c) - 1)


def series_math(order: int) -> SimpleNamespace:
    """The math namespace over series of ``order``: what ``"eval"`` ops compute with."""
    def const(x):
        return Series.constant(x, order)

    def tie(x, y):
        if _value(x) == _value(y):
            raise ArithmeticError("max/min have no Taylor expansion at a tie")

    def where(c, a, b):
        return a if c else b

    functions = dict(
        exp=exp, log=log, sqrt=sqrt, pow=power, abs=_abs, sign=_sign,
        sin=lambda u: sin_cos(u)[0], cos=lambda u: sin_cos(u)[1],
        sinh=lambda u: sinh_cosh(u)[0], cosh=lambda u: sinh_cosh(u)[1],
        tan=lambda u: sin_cos(u)[0] / sin_cos(u)[1],
        tanh=lambda u: sinh_cosh(u)[0] / sinh_cosh(u)[1],
        cbrt=lambda u: power(u, 1 / 3) if u.c[0] > 0 else -power(-u, 1 / 3),
        log2=lambda u: log(u) / math.log(2), log10=lambda u: log(u) / math.log(10),
        sigmoid=lambda u: 1 / (1 + exp(-u)), softplus=lambda u: log(1 + exp(u)),
        hypot=lambda x, y: sqrt(x * x + y * y),
        where=where, iszero=lambda v: 1.0 if _value(v) == 0 else 0.0,
        stop_gradient=lambda u: Series.constant(u.c[0], order),
        maximum=lambda x, y: tie(x, y) or (x if x >= y else y),
        minimum=lambda x, y: tie(x, y) or (x if x <= y else y),
    )
    missing = set(FUNCTIONS) - set(functions) - {
        "asin", "acos", "atan", "asinh", "acosh", "atanh", "erf", "erfc", "atan2",
        "lt", "le", "gt", "ge", "eq", "ne", "both", "either", "negate"}
    if missing:  # a new namespace function needs a series form, or an "ode" op
        raise RuntimeError(f"series namespace lacks {sorted(missing)}")
    def lifting(function):  # partial rules mix series with plain numbers (sqrt(pi))
        return lambda *args: function(*(a if isinstance(a, Series) else const(a)
                                        for a in args))

    lifted = {name: lifting(f) if name not in ("where", "iszero", "stop_gradient") else f
              for name, f in functions.items()}
    return SimpleNamespace(name="taylor", raises=True, number=const, pi=math.pi, e=math.e,
                           **lifted)


def propagate(tape: Tape, variable: str, order: int) -> list:
    """Taylor coefficients c_0..c_K of the output along ``variable``."""
    if not 0 <= order <= MAX_ORDER:
        raise UsageError(f"--order {order}: give 0 to {MAX_ORDER}")
    m = series_math(order)
    graph = tape.graph
    series: list = [None] * len(tape)
    for name, entry in tape.inputs.items():
        x = tape.values[entry]
        series[entry] = Series(([x, 1.0] + [0.0] * order)[:order + 1]) \
            if name == variable else Series.constant(x, order)

    def arg(a):
        entry = tape.entry_of[a]
        return series[entry] if entry >= 0 else Series.constant(tape.node_values[a], order)

    for entry in range(len(tape.inputs), len(tape)):
        kind, args, _data = graph.nodes[tape.nodes[entry]]
        op = OPS[kind]
        xs = [arg(a) for a in args]
        try:
            if op.taylor == "ode":
                series[entry] = _ode(op, m, xs, tape.values[entry])
            else:
                series[entry] = op.evaluate(m, *xs)
        except (ArithmeticError, ValueError) as error:
            raise MathError(f"Taylor mode: {op.title} at row {tape.describe(entry)}: "
                            f"{error}") from None
    if tape.output < 0:
        return [float(tape.value)] + [0.0] * order
    return series[tape.output].c


def _ode(op, m, xs: list, value) -> Series:
    """Integrate y' = sum_k p_k(y, xs) x_k' from y(0) = value, p_k the op's partials."""
    order = len(xs[0].c) - 1
    y = Series([value] + [0.0] * order)
    for k in range(1, order + 1):
        total = 0.0
        for rule, x in zip(op.partials, xs):
            g = (Series.constant(rule, order) if rule.__class__ is int
                 else m.number(0) + rule(m, y, *xs)).c
            total += sum(j * x.c[j] * g[k - j] for j in range(1, k + 1))
        y.c[k] = total / k
    return y


def derivatives(coefficients: list) -> list:
    """f, f', f'', ... from Taylor coefficients: f^(k) = k! c_k."""
    return [c * math.factorial(k) for k, c in enumerate(coefficients)]
