"""Taylor mode: truncated Taylor series recorded through the graph.

Every value becomes its Taylor coefficients c_0..c_K in the direction of one
input (x = x0 + t), and each op maps its arguments' series to its own:
f^(k)(x0) = k! c_k, for all k at once, exact to working precision, O(K^2) work
per op.  There is no loop of its own: the graph is recorded at a point whose
numbers are :class:`Series`, in the series namespace, and each op propagates
as the op table says (``Op.taylor``):

* a series rule over the arithmetic below (sums, the Cauchy product, the
  quotient, exp, log, sin/cos and sinh/cosh together, square roots, powers,
  and tanh and the sigmoid in forms that cannot overflow);
* otherwise the derivative ODE, y' = sum_k (dy/du_k) u_k', integrated with
  the op's own partials evaluated on series -- no derivative written twice.

Comparisons and kinks are decided by the value at the point; at a kink or a
branch point there is no expansion, and Taylor mode says so.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

from ..errors import MathError, UsageError
from ..language.graph import Graph
from ..ops.family import Number
from ..ops.namespaces import FLOAT, build

MAX_ORDER = 100
#: The most coefficient products one Taylor expansion may take (about 10 s).
MAX_SERIES_WORK = 20_000_000


class NoExpansion(MathError):
    """The function has no Taylor expansion at the point (a kink, a branch point)."""

    def __init__(self, what: str):
        super().__init__(f"Taylor mode: {what}")


class Series(Number):
    """Coefficients c_0..c_K of a truncated Taylor series."""

    __slots__ = ("c",)

    def __init__(self, coefficients):
        self.c = list(coefficients)

    @staticmethod
    def _apply(op, *args):
        return propagate(op, args)

    @staticmethod
    def _compare(kind, a, b):  # a branch or a kink is decided by the value at the point
        return getattr(FLOAT, kind)(_value(a), _value(b))

    def __float__(self):
        return float(self.c[0])

    def __bool__(self):
        return self.c[0] != 0

    def __repr__(self) -> str:
        return f"Series({self.c!r})"


def _value(x):
    return x.c[0] if isinstance(x, Series) else x


def constant(value, order: int) -> Series:
    return Series([float(value)] + [0.0] * order)


# -- the arithmetic of series: what the op table's series rules are written in ----

def _convolve(a, b, k, start=0):
    return sum(a[j] * b[k - j] for j in range(start, k + 1))


def add(x, y): return Series(a + b for a, b in zip(x.c, y.c))
def sub(x, y): return Series(a - b for a, b in zip(x.c, y.c))
def neg(x): return Series(-a for a in x.c)
def mul(x, y): return Series(_convolve(x.c, y.c, k) for k in range(len(x.c)))


def div(x, y):
    a, b = x.c, y.c
    q: list = []
    for k in range(len(a)):
        q.append((a[k] - sum(b[j] * q[k - j] for j in range(1, k + 1))) / b[0])
    return Series(q)


def integrate(u: Series, y0: float, derivative) -> Series:
    """y with y(0) = y0 and y' = g u', ``derivative(y_so_far)`` giving g."""
    y = Series([y0] + [0.0] * (len(u.c) - 1))
    for k in range(1, len(u.c)):
        g = derivative(y).c
        y.c[k] = sum(j * u.c[j] * g[k - j] for j in range(1, k + 1)) / k
    return y


def exp(u: Series) -> Series:
    return integrate(u, math.exp(u.c[0]), lambda y: y)


def log(u: Series) -> Series:
    return integrate(u, math.log(u.c[0]), lambda y: div(one(u), u))


def _pair(u: Series, first, second, sign: int) -> tuple[Series, Series]:
    """(s, c) with s' = c u' and c' = sign * s u': sin/cos and sinh/cosh together."""
    s, c = Series([first(u.c[0])]), Series([second(u.c[0])])
    for k in range(1, len(u.c)):
        s.c.append(sum(j * u.c[j] * c.c[k - j] for j in range(1, k + 1)) / k)
        c.c.append(sign * sum(j * u.c[j] * s.c[k - j] for j in range(1, k + 1)) / k)
    return s, c


def sin_cos(u: Series) -> tuple[Series, Series]:
    return _pair(u, math.sin, math.cos, -1)


def sinh_cosh(u: Series) -> tuple[Series, Series]:
    return _pair(u, math.sinh, math.cosh, 1)


def sqrt(u: Series) -> Series:
    if u.c[0] <= 0:
        raise NoExpansion("sqrt has no Taylor expansion at 0, a branch point")
    y = [math.sqrt(u.c[0])]
    for k in range(1, len(u.c)):
        y.append((u.c[k] - sum(y[j] * y[k - j] for j in range(1, k))) / (2 * y[0]))
    return Series(y)


def power(u: Series, r: Series) -> Series:
    if any(r.c[1:]):
        return exp(mul(r, log(u)))
    r = r.c[0]
    if u.c[0] == 0:
        if float(r).is_integer() and r >= 0:  # a polynomial: repeated products
            result = constant(1.0, len(u.c) - 1)
            for _ in range(int(r)):
                result = mul(result, u)
            return result
        raise NoExpansion("pow has no Taylor expansion at 0 for this exponent")
    y = [math.pow(u.c[0], r)]
    for k in range(1, len(u.c)):
        y.append(sum((r * (k - j) - j) * u.c[k - j] * y[j] for j in range(k)) / (k * u.c[0]))
    return Series(y)


def one(like: Series) -> Series:
    return constant(1.0, len(like.c) - 1)


def scale(u: Series, a: float) -> Series:
    return Series(a * c + 0.0 for c in u.c)  # + 0.0: no -0.0


def tanh(u: Series) -> Series:
    """s (1 - t)/(1 + t) with t = exp(-2|u|), s the sign: sinh/cosh overflow
    past |u| = 710, and 1 - tanh^2 rounds to 0 past |u| = 19."""
    s = 1.0 if u.c[0] >= 0 else -1.0
    t = exp(scale(u, -2 * s))
    return scale(div(sub(one(u), t), add(one(u), t)), s)


def sigmoid(u: Series) -> Series:
    """1/(1 + exp(-u)), or t/(1 + t) with t = exp(u) below 0: never exp of a large u."""
    if u.c[0] >= 0:
        return div(one(u), add(one(u), exp(neg(u))))
    t = exp(u)
    return div(t, add(one(u), t))


#: What the op table's series rules are written over.
ARITHMETIC = SimpleNamespace(add=add, sub=sub, neg=neg, mul=mul, div=div, exp=exp, log=log,
                             sin_cos=sin_cos, sinh_cosh=sinh_cosh, sqrt=sqrt, power=power,
                             one=one, tanh=tanh, sigmoid=sigmoid)


def propagate(op, args) -> Series:
    """The series of ``op`` applied to ``args`` (numbers are lifted to constants)."""
    orders = [len(a.c) - 1 for a in args if isinstance(a, Series)]
    if not orders:  # a constant part of the formula stays a number
        return getattr(FLOAT, op.name)(*args)
    if op.idempotent and len(args) == 2 and args[0] is args[1]:
        return args[0]  # max(x, x) is x: no tie to decide, no kink
    order = max(orders)
    xs = [a if isinstance(a, Series) else constant(a, order) for a in args]
    at = [x.c[0] for x in xs]
    if not op.in_domain(*at):
        raise ValueError(op.name)
    if op.kink is not None and op.kink(*at):
        shown = ", ".join(repr(float(a)) for a in at)
        raise NoExpansion(f"{op.title} has no Taylor expansion at ({shown}), a kink")
    if op.taylor is not None:
        return op.taylor(ARITHMETIC, *xs)
    return _ode(op, xs, getattr(FLOAT, op.name)(*at))


def _ode(op, xs: list, value) -> Series:
    """Integrate y' = sum_k p_k(y, xs) x_k' from y(0) = value, p_k the op's partials."""
    order = len(xs[0].c) - 1
    y = Series([value] + [0.0] * order)
    for k in range(1, order + 1):
        total = 0.0
        for rule, x in zip(op.partials, xs):
            p = rule if rule.__class__ is int else rule(SERIES, y, *xs)
            g = p.c if isinstance(p, Series) else [float(p)] + [0.0] * order
            total += sum(j * x.c[j] * g[k - j] for j in range(1, k + 1))
        y.c[k] = total / k
    return y


def _iszero(v):
    return 1.0 if _value(v) == 0 else 0.0


def _where(c, a, b):
    return a if c else b


#: The series namespace: every op through :func:`propagate`.
SERIES = build("taylor", dict(
    {kind: (lambda k: lambda a, b: Series._compare(k, a, b))(kind)
     for kind in ("lt", "le", "gt", "ge", "eq", "ne")},
    both=FLOAT.both, either=FLOAT.either, negate=FLOAT.negate, where=_where,
    iszero=_iszero), apply=lambda op: lambda *args: propagate(op, args),
    raises=True, number=float, finite=lambda s: all(map(math.isfinite, _series(s).c)),
    pi=math.pi, e=math.e)


def _series(x) -> Series:
    return x if isinstance(x, Series) else Series([x])


def coefficients(graph: Graph, point: dict, variable: str, order: int) -> list:
    """Taylor coefficients c_0..c_K of the graph's output along ``variable``."""
    from .record import record

    if not 0 <= order <= MAX_ORDER:
        raise UsageError(f"--order {order}: give 0 to {MAX_ORDER}")
    work = (order + 1) ** 2 * len(graph)  # each op's series costs about K^2 products
    if work > MAX_SERIES_WORK:
        raise UsageError(f"--order {order} on a formula of {len(graph):,} nodes needs about "
                         f"{work:,} coefficient products, over the bound of "
                         f"{MAX_SERIES_WORK:,}; give a lower order")
    seeds = {name: Series(([float(x), 1.0] + [0.0] * order)[:order + 1])
             if name == variable else constant(x, order) for name, x in point.items()}
    try:
        value = record(graph, seeds, SERIES, partials=False).value
    except MathError as error:
        if isinstance(error, NoExpansion):
            raise
        raise MathError(f"Taylor mode: {error.message}") from None
    return _series(value).c + [0.0] * (order + 1 - len(_series(value).c))


def derivatives(coefficients: list) -> list:
    """f, f', f'', ... from Taylor coefficients: f^(k) = k! c_k."""
    return [c * math.factorial(k) for k, c in enumerate(coefficients)]
