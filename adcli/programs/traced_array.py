"""A traced array: what a program's parameter is when the point gives it an array.

One graph node stands for the whole array.  Python's operators come from the
op table (as for a traced number); NumPy's ufuncs arrive through
``__array_ufunc__`` and its functions (``np.sum``, ``np.dot`` ...) through
``__array_function__``, each mapped to one op.  Anything else is refused
with a TypeError, which the run reports at the user's line.
"""

from __future__ import annotations

import numpy as np

from ..ops import OPS
from .trace import UFUNCS, Traced

#: ufuncs beyond the element-wise ops' own: name -> (op, extra constant argument).
_MORE_UFUNCS = {"matmul": ("matmul", ()), "square": ("pow", (2.0,))}


def _refused(what: str) -> TypeError:
    return TypeError(f"{what} has no derivative rule in adcli for a traced array: use "
                     f"the functions `adcli functions` lists (adcli.functions, or NumPy's "
                     f"ufuncs, sum, mean, max, min, dot, outer, transpose, trace, reshape, "
                     f"linalg.norm)")


def _apply(name: str, *args):
    tracer = next(a.tracer for a in args if isinstance(a, Traced))
    return tracer.apply(OPS[name], *args)


def _axis(what: str, whole: str, along: str | None, a, axis=None, **rest):
    given = sorted(k for k, v in rest.items() if v is not None and v is not False)
    if given:
        raise _refused(f"{what} with {', '.join(given)}")
    if axis is None:
        return _apply(whole, a)
    if along is None or isinstance(axis, tuple):
        raise _refused(f"{what} over axis {axis!r}")
    return _apply(along, a, int(axis))


def _reshape(a, *shape):
    """``reshape(-1)`` flattens; ``reshape(r, c)`` with r or c known gives r rows."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    size = np.size(a.value)
    if len(shape) == 1 and shape[0] in (-1, size):
        return _apply("flatten", a)
    if len(shape) == 2:
        r, c = (int(k) for k in shape)
        rows = size // c if r == -1 and c > 0 else r
        if rows >= 1 and (c == -1 or rows * c == size):
            return _apply("reshape", a, rows)
    raise _refused(f"reshape to {shape!r} (adcli reshapes to a vector or to r rows)")


def _transpose(a, axes=None):
    if axes is not None:
        raise _refused("transpose with axes")
    return _apply("transpose", a)


def _trace(a, offset=0, *rest):
    if offset or rest:
        raise _refused("numpy.trace with an offset or axes")
    return _apply("trace", a)


def _norm(a, ord=None, axis=None, keepdims=False):
    if ord not in (None, 2, "fro") or axis is not None or keepdims or \
            (ord == 2 and np.ndim(a.value) != 1):
        raise _refused("numpy.linalg.norm with ord, axis or keepdims")
    return _apply("norm", a)


def _where(condition, a, b):
    """``np.where(A > 0, A, 0.1 * A)``: the mask the run decided, as constants
    (each element keeps the piece Python chose, as ``if`` does for a number)."""
    if isinstance(condition, Traced):
        raise _refused("numpy.where with a traced condition (compare it: A > 0)")
    mask = np.asarray(condition, dtype=bool)
    return mask.astype(float) * a + (~mask).astype(float) * b


def _clip(a, low, high):
    """``np.clip(A, lo, hi)`` as max(min(A, hi), lo); None leaves that side open."""
    result = a if high is None else np.minimum(a, high)
    return result if low is None else np.maximum(result, low)


def _reduction(what, whole, along):
    return lambda a, axis=None, **rest: _axis(what, whole, along, a, axis, **rest)


FUNCTIONS = {
    np.sum: _reduction("numpy.sum", "sum", "sum_axis"),
    np.mean: _reduction("numpy.mean", "mean", "mean_axis"),
    np.max: _reduction("numpy.max", "amax", None),
    np.amax: _reduction("numpy.amax", "amax", None),
    np.min: _reduction("numpy.min", "amin", None),
    np.amin: _reduction("numpy.amin", "amin", None),
    np.dot: lambda a, b: _apply("dot", a, b),
    np.outer: lambda a, b: _apply("outer", a, b),
    np.transpose: _transpose,
    np.trace: _trace,
    np.reshape: lambda a, shape: _reshape(a, shape),
    np.ravel: lambda a: _apply("flatten", a),
    np.linalg.norm: _norm,
    np.where: _where,
    np.clip: _clip,
}


class TracedArray(Traced):
    """A whole array whose operations are recorded, one node each."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"TracedArray(shape={self.shape})"

    @property
    def shape(self) -> tuple:
        return np.shape(self.value)

    @property
    def ndim(self) -> int:
        return np.ndim(self.value)

    @property
    def size(self) -> int:
        return int(np.size(self.value))

    @property
    def dtype(self):
        return np.dtype(float)

    def __len__(self) -> int:
        return self.shape[0]

    @property
    def T(self):
        return _apply("transpose", self)

    def transpose(self, *axes):
        return _transpose(self, axes or None)

    def sum(self, axis=None, **rest):
        return _axis("sum", "sum", "sum_axis", self, axis, **rest)

    def mean(self, axis=None, **rest):
        return _axis("mean", "mean", "mean_axis", self, axis, **rest)

    def max(self, axis=None, **rest):
        return _axis("max", "amax", None, self, axis, **rest)

    def min(self, axis=None, **rest):
        return _axis("min", "amin", None, self, axis, **rest)

    def dot(self, other):
        return _apply("dot", self, other)

    def trace(self):
        return _apply("trace", self)

    def reshape(self, *shape):
        return _reshape(self, *shape)

    def flatten(self):
        return _apply("flatten", self)

    ravel = flatten

    def __getitem__(self, key):
        keys = key if isinstance(key, tuple) else (key,)
        result = self
        for k in keys:
            if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)):
                raise _refused(f"indexing with {k!r} (an integer index A[k] or A[i, j] is "
                               f"traced)")
            result = _apply("index", result, int(k))
        return result

    def __iter__(self):
        raise TypeError("iterating over a traced array would trace each element on its "
                        "own: use whole-array operations (A @ x, np.sum(A, axis=0) ...) "
                        "or index it, A[k]")

    def __bool__(self):
        raise TypeError("a traced array has no one truth value: compare a number such "
                        "as np.max(A) or np.sum(A)")

    def __float__(self):
        raise TypeError("float() of a traced array would drop its derivative: keep it an "
                        "array, or reduce it (np.sum, np.mean, A[k] ...)")

    __int__ = __index__ = __complex__ = __float__

    def __array__(self, dtype=None, copy=None):
        raise TypeError("converting a traced array to a plain NumPy array would drop its "
                        "derivative: use NumPy's functions on it directly")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        name = ufunc.__name__
        if method != "__call__" or kwargs:
            raise _refused(f"numpy.{name}.{method}" if method != "__call__" else
                           f"numpy.{name} with {', '.join(sorted(kwargs))}")
        if name in _MORE_UFUNCS:
            op, extra = _MORE_UFUNCS[name]
            return _apply(op, *inputs, *extra)
        op = UFUNCS.get(name)
        if op is None or op.arity != len(inputs):
            raise _refused(f"numpy.{name}")
        return _apply(op.name, *inputs)

    def __array_function__(self, func, types, args, kwargs):
        handler = FUNCTIONS.get(func)
        if handler is None:
            module = (func.__module__ or "numpy").replace("numpy._core", "numpy")
            module = "numpy" if module.startswith("numpy.") and "linalg" not in module \
                else module
            raise _refused(f"{module}.{func.__name__}")
        return handler(*args, **kwargs)
