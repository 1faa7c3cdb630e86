"""Dual arrays: forward-over-reverse for vectors and matrices, by the same sweeps.

A :class:`Dual` is a value with a tangent (arrays of one shape).  The formula
is recorded with duals as values, so every local partial the op table gives
is a dual too (its tangent is that partial's derivative along the direction),
a structural op's linear map acts on duals, and the one adjoint sweep run on
them yields the gradient with, as its tangent, the Hessian-vector product.
No second-derivative rule is written anywhere: each op's first partials are
differentiated by evaluating them on duals, whose arithmetic is itself the
op table's (:func:`dual_math`).  Numbers (scalars) use
:mod:`adcli.tape.second_order` instead, which records the sweep as a graph.
"""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace


class Dual:
    """``value + ε·tangent``; a tangent of ``0.0`` is a zero of any shape."""

    __slots__ = ("v", "t")
    __array_priority__ = 1000  # ndarray <op> Dual defers to the Dual's reflected op

    def __init__(self, v, t=0.0):
        self.v, self.t = v, t

    # NumPy-like attributes, read off the value
    shape = property(lambda self: _np().shape(self.v))
    ndim = property(lambda self: _np().ndim(self.v))
    size = property(lambda self: _np().size(self.v))
    T = property(lambda self: Dual(_np().transpose(self.v),
                                   self.t if _zero(self.t) else _np().transpose(self.t)))

    def __repr__(self) -> str:
        return f"Dual({self.v!r}, {self.t!r})"

    def __bool__(self):
        raise TypeError("a dual array has no one truth value")

    def _op(self, name, other=None, reflected=False):
        f = getattr(dual_math(), name)
        args = (self,) if other is None else ((other, self) if reflected else (self, other))
        return f(*args)

    def __add__(self, o): return self._op("add", o)
    def __radd__(self, o): return self._op("add", o, True)
    def __sub__(self, o): return self._op("sub", o)
    def __rsub__(self, o): return self._op("sub", o, True)
    def __mul__(self, o): return self._op("mul", o)
    def __rmul__(self, o): return self._op("mul", o, True)
    def __truediv__(self, o): return self._op("div", o)
    def __rtruediv__(self, o): return self._op("div", o, True)
    def __pow__(self, o): return self._op("pow", o)
    def __rpow__(self, o): return self._op("pow", o, True)
    def __matmul__(self, o): return self._op("matmul", o)
    def __rmatmul__(self, o): return self._op("matmul", o, True)
    def __neg__(self): return self._op("neg")

    # comparisons decide on values, as the recorded point does
    def __lt__(self, o): return self.v < value(o)
    def __le__(self, o): return self.v <= value(o)
    def __gt__(self, o): return self.v > value(o)
    def __ge__(self, o): return self.v >= value(o)
    def __eq__(self, o): return self.v == value(o)  # noqa: PLR0124
    def __ne__(self, o): return self.v != value(o)
    __hash__ = None

    def __getitem__(self, index):
        t = self.t
        return Dual(self.v[index], t if _zero(t) else t[index])

    def __setitem__(self, index, other):
        other = lift(other)
        self.v[index] = other.v
        if not _zero(other.t):
            if _zero(self.t):
                self.t = _np().zeros(_np().shape(self.v))
            self.t[index] = other.t

    def reshape(self, *shape):
        return Dual(_np().reshape(self.v, shape if len(shape) > 1 else shape[0]),
                    self.t if _zero(self.t) else _np().reshape(self.t, *shape))

    def copy(self):
        return Dual(_np().array(self.v), self.t if _zero(self.t) else _np().array(self.t))


def _np():
    import numpy

    return numpy


def _zero(t) -> bool:
    return t.__class__ is float and t == 0.0


def lift(x) -> Dual:
    return x if x.__class__ is Dual else Dual(x)


def value(x):
    return x.v if x.__class__ is Dual else x


def _linear(f):
    """A NumPy function linear in its first argument: applied to both parts."""
    def g(x, *args, **kw):
        if x.__class__ is not Dual:
            return f(x, *args, **kw)
        return Dual(f(x.v, *args, **kw), x.t if _zero(x.t) else f(x.t, *args, **kw))
    return g


def _shim(np) -> SimpleNamespace:
    """The NumPy functions adcli's rules and sweeps call, taking duals too."""
    def where(c, a, b):
        if a.__class__ is not Dual and b.__class__ is not Dual:
            return np.where(value(c), a, b)
        a, b = lift(a), lift(b)
        t = 0.0 if _zero(a.t) and _zero(b.t) else np.where(value(c), a.t, b.t)
        return Dual(np.where(value(c), a.v, b.v), t)

    def full(shape, fill):
        if fill.__class__ is not Dual:
            return np.full(shape, fill)
        return Dual(np.full(shape, fill.v), 0.0 if _zero(fill.t) else np.full(shape, fill.t))

    def broadcast_to(x, shape):
        if x.__class__ is not Dual:
            return np.broadcast_to(x, shape)
        return Dual(np.broadcast_to(x.v, shape),
                    x.t if _zero(x.t) else np.broadcast_to(x.t, shape))

    return SimpleNamespace(
        shape=lambda x: np.shape(value(x)), ndim=lambda x: np.ndim(value(x)),
        size=lambda x: np.size(value(x)), where=where, full=full,
        broadcast_to=broadcast_to,
        asarray=lambda x: x if x.__class__ is Dual else np.asarray(x),
        zeros=lambda shape: Dual(np.zeros(shape), 0.0),
        eye=np.eye, argmax=lambda x: np.argmax(value(x)),
        argmin=lambda x: np.argmin(value(x)), unravel_index=np.unravel_index,
        isfinite=lambda x: np.isfinite(value(x)),
        reshape=_linear(np.reshape), transpose=_linear(np.transpose),
        sum=_linear(np.sum), expand_dims=_linear(np.expand_dims),
        ravel=_linear(np.ravel), trace=_linear(np.trace),
        matmul=lambda a, b: dual_math().matmul(a, b),
        outer=lambda a, b: dual_math().outer(a, b),
        exp=lambda x: dual_math().exp(x), max=lambda x, **kw: np.max(value(x), **kw),
        errstate=np.errstate)


@lru_cache(maxsize=None)
def dual_math() -> SimpleNamespace:
    """Every op over duals: its value from NumPy, its tangent from the op's own
    partials (evaluated on the values) applied to the arguments' tangents."""
    import numpy as np

    from ..ops.linear import Linear
    from ..ops.namespaces import build, numpy_math

    plain = numpy_math()

    def apply(op):
        function = getattr(plain, op.name, None)
        if function is None:
            return None
        rules, kink, subgradient = op.partials, op.kink, op.subgradient

        def on_duals(*args):
            duals = [lift(a) for a in args]
            xs = [d.v for d in duals]
            with np.errstate(all="ignore"):
                out = function(*xs)
                mask = np.asarray(kink(*xs)) if kink is not None else None
                t = 0.0
                for k, d in enumerate(duals):
                    if _zero(d.t):
                        continue
                    rule = rules[k]
                    p = rule if rule.__class__ is int else rule(plain, out, *xs)
                    if mask is not None and mask.any():
                        p = np.where(mask, subgradient[k], p)
                    c = p.tangent(d.t) if p.__class__ is Linear else p * d.t
                    t = c if _zero(t) else t + c
            if not _zero(t) and np.shape(t) != np.shape(out):
                t = np.broadcast_to(t, np.shape(out))
            return Dual(out, t)
        return on_duals

    def decided(name):
        compare = getattr(plain, name)
        return lambda a, b: compare(value(a), value(b))

    shim = _shim(np)
    helpers = {name: decided(name) for name in ("lt", "le", "gt", "ge", "eq", "ne")}
    helpers.update(both=lambda a, b: np.logical_and(value(a), value(b)),
                   either=lambda a, b: np.logical_or(value(a), value(b)),
                   negate=lambda a: np.logical_not(value(a)),
                   iszero=lambda v: plain.iszero(value(v)), where=shim.where)
    m = build("dual", helpers, apply=apply, raises=False, number=float, pi=np.pi, e=np.e,
              elementwise=True, quiet=lambda: np.errstate(all="ignore"),
              finite=lambda v: bool(np.all(np.isfinite(value(v)))))
    m.np = shim
    return m

