"""Structural ops on arrays: matrix products, reductions, transposes, indexing.

Each declares its value (NumPy) and, per argument, its partial as a
:class:`~adcli.ops.linear.Linear` map: a tangent rule and its transpose, as
JAX's primitives do.  Forward mode applies the first, reverse mode the
second; second order and Taylor mode are not offered on them.  Element-wise
ops (``sin``, ``+``, ``relu`` ...) need nothing here: over arrays they keep
their own partials, broadcast as NumPy broadcasts, and the adjoint sweep sums
them back to each argument's shape (:func:`~adcli.ops.linear.unbroadcast`).
"""

from __future__ import annotations

from ..errors import UsageError
from .linear import Linear
from .spec import Op


def _np(m):
    return m.np


def _shape(np, x) -> str:
    shape = np.shape(x)
    return "a scalar" if not shape else "shape (" + ", ".join(map(str, shape)) + ")"


def _matrix_sides(np, a, b, what: str):
    """Check a product's operands: vectors or matrices whose inner sizes agree."""
    for x in (a, b):
        if np.ndim(x) not in (1, 2):
            raise UsageError(f"{what} takes vectors and matrices, not {_shape(np, x)}")
    inner_a, inner_b = np.shape(a)[-1], np.shape(b)[0]
    if inner_a != inner_b:
        raise UsageError(f"{what} of {_shape(np, a)} and {_shape(np, b)}: the inner sizes "
                         f"{inner_a} and {inner_b} differ")


def _matmul(np):
    def matmul(a, b):
        _matrix_sides(np, a, b, "@ (matrix product)")
        return np.matmul(a, b)
    return matmul


def _as_matrices(np, a, b, v):
    """Vectors as a row (left) and a column (right), and the adjoint to match."""
    a2 = np.reshape(a, (1, -1)) if np.ndim(a) == 1 else a
    b2 = np.reshape(b, (-1, 1)) if np.ndim(b) == 1 else b
    return a2, b2, np.reshape(v, (a2.shape[0], b2.shape[1]))


def _product_partials():
    """C = A·B: Ā = C̄·Bᵀ and B̄ = Aᵀ·C̄ (vectors taken as a row and a column)."""
    def left(m, out, a, b):
        np = m.np

        def adjoint(v):
            _a2, b2, v2 = _as_matrices(np, a, b, v)
            return np.reshape(v2 @ b2.T, np.shape(a))
        return Linear(lambda u: np.matmul(u, b), adjoint, "{out} · {1}ᵀ")

    def right(m, out, a, b):
        np = m.np

        def adjoint(v):
            a2, _b2, v2 = _as_matrices(np, a, b, v)
            return np.reshape(a2.T @ v2, np.shape(b))
        return Linear(lambda u: np.matmul(a, u), adjoint, "{0}ᵀ · {out}")
    return left, right


def _axis(np, x, k) -> int:
    axis = int(k)
    if axis != k or not -np.ndim(x) <= axis < max(np.ndim(x), 1):
        raise UsageError(f"axis {k!r} is not an axis of {_shape(np, x)}")
    return axis % max(np.ndim(x), 1)


def _reduction(name: str, scale: bool):
    """``sum``/``mean`` over all elements (arity 1) and over one axis (arity 2)."""
    def whole(np):
        return (lambda x: np.mean(x)) if scale else (lambda x: np.sum(x))

    def along(np):
        def reduce(x, k):
            axis = _axis(np, x, k)
            return np.mean(x, axis=axis) if scale else np.sum(x, axis=axis)
        return reduce

    def whole_partial(m, out, x):
        np = m.np
        n = np.size(x) if scale else 1
        return Linear(lambda u: np.sum(u) / n,
                      lambda v: np.full(np.shape(x), v / n),
                      "{out} / n spread over {0}" if scale else "{out} spread over {0}")

    def along_partial(m, out, x, k):
        np = m.np
        axis = _axis(np, x, k)
        n = np.shape(x)[axis] if scale else 1
        return Linear(lambda u: np.sum(u, axis=axis) / n,
                      lambda v: np.broadcast_to(np.expand_dims(v, axis) / n,
                                                np.shape(x)).copy(),
                      "{out} spread along axis {1} of {0}")

    doc = "mean of the elements" if scale else "sum of the elements"
    return (
        Op(name, 1, (whole_partial,), f"{doc} (all of them)", lib={"numpy": whole},
           shaped=True, holomorphic=False),
        Op(f"{name}_axis", 2, (along_partial, 0), f"{doc} along an axis: {name}(A, k)",
           lib={"numpy": along}, names={name: f"{doc}; {name}(A, k): along axis k"},
           params="A, k", shaped=True, holomorphic=False, title=name),
    )


def _extreme(name: str, pick: str):
    """``amax``/``amin`` of all elements: the derivative goes to the first extreme
    element (a tie is a kink; the first wins, as for ``max(a, b)``)."""
    def value(np):
        return getattr(np, pick)

    def partial(m, out, x):
        np = m.np
        flat = np.argmax(x) if pick == "max" else np.argmin(x)
        index = np.unravel_index(flat, np.shape(x))

        def adjoint(v):
            bar = np.zeros(np.shape(x))
            bar[index] = v
            return bar
        return Linear(lambda u: np.asarray(u)[index], adjoint, "{out} at the extreme of {0}")

    return Op(name, 1, (partial,), f"the {pick}imum of the elements (first one on a tie)",
              lib={"numpy": value}, shaped=True, holomorphic=False)


def _transpose_partial(m, out, x):
    np = m.np
    return Linear(np.transpose, np.transpose, "{out}ᵀ")


def _outer_partials():
    def left(m, out, a, b):
        np = m.np
        return Linear(lambda u: np.outer(u, b), lambda v: v @ np.ravel(b), "{out} · {1}")

    def right(m, out, a, b):
        np = m.np
        return Linear(lambda u: np.outer(a, u), lambda v: np.ravel(a) @ v, "{out}ᵀ · {0}")
    return left, right


def _trace_partial(m, out, x):
    np = m.np
    return Linear(np.trace, lambda v: v * np.eye(*np.shape(x)), "{out} · I")


def _square(np):
    def trace(x):
        if np.ndim(x) != 2:
            raise UsageError(f"trace takes a matrix, not {_shape(np, x)}")
        return np.trace(x)
    return trace


def _flatten_partial(m, out, x):
    np = m.np
    return Linear(np.ravel, lambda v: np.reshape(v, np.shape(x)), "{out} reshaped as {0}")


def _rows(np):
    def reshape(x, r):
        rows = int(r)
        if rows != r or rows < 1 or np.size(x) % rows:
            raise UsageError(f"reshape: {np.size(x)} elements do not make {r!r} rows")
        return np.reshape(x, (rows, -1))
    return reshape


def _reshape_partial(m, out, x, r):
    np = m.np
    return Linear(lambda u: np.reshape(u, np.shape(out)),
                  lambda v: np.reshape(v, np.shape(x)), "{out} reshaped as {0}")


def _index(np):
    def index(x, k):
        if np.ndim(x) < 1:
            raise UsageError("a scalar has no elements to index")
        i = int(k)
        if i != k or not -np.shape(x)[0] <= i < np.shape(x)[0]:
            raise UsageError(f"index {k!r} is outside {_shape(np, x)}")
        return x[i]
    return index


def _index_partial(m, out, x, k):
    np = m.np
    i = int(k)

    def adjoint(v):
        bar = np.zeros(np.shape(x))
        bar[i] = v
        return bar
    return Linear(lambda u: np.asarray(u)[i], adjoint, "{out} placed at [{1}] of {0}")


def _norm_partial(m, out, x):
    np = m.np
    direction = x / out  # undefined at 0: NaN, refused if a derivative needs it
    return Linear(lambda u: np.sum(direction * u), lambda v: v * direction,
                  "{out} · {0} / ‖{0}‖")


def _softmax(np):
    def softmax(x):
        shifted = np.exp(x - np.max(x, axis=-1, keepdims=True))
        return shifted / np.sum(shifted, axis=-1, keepdims=True)
    return softmax


def _softmax_partial(m, out, x):
    np = m.np

    def along(u):  # diag(s) - s sᵀ is symmetric: the same map both ways
        return out * u - out * np.sum(out * u, axis=-1, keepdims=True)
    return Linear(along, along, "s ⊙ ({out} - ⟨s, {out}⟩)")


def _logsumexp(np):
    def logsumexp(x):
        top = np.max(x)
        return top + np.log(np.sum(np.exp(x - top)))
    return logsumexp


def _logsumexp_partial(m, out, x):
    np = m.np
    weights = np.exp(x - out)  # softmax of all the elements
    return Linear(lambda u: np.sum(weights * u), lambda v: v * weights,
                  "{out} · softmax({0})")


_LEFT, _RIGHT = _product_partials()
_OUTER_LEFT, _OUTER_RIGHT = _outer_partials()

STRUCTURAL = (
    Op("matmul", 2, (_LEFT, _RIGHT), "matrix product A @ B (vectors as rows/columns)",
       symbol=("@",), dunder="matmul", pretty="{0} @ {1}", latex=r"{0} \, {1}", prec=20,
       lib={"numpy": _matmul}, shaped=True, holomorphic=False, names={}),
    Op("dot", 2, (_LEFT, _RIGHT), "dot product of vectors (matrix product otherwise)",
       lib={"numpy": _matmul}, shaped=True, holomorphic=False,
       latex=r"{0} \cdot {1}", params="a, b"),
    Op("outer", 2, (_OUTER_LEFT, _OUTER_RIGHT), "outer product a bᵀ of two vectors",
       lib={"numpy": lambda np: np.outer}, shaped=True, holomorphic=False, params="a, b",
       latex=r"{0} \, {1}^{{\top}}"),
    Op("transpose", 1, (_transpose_partial,), "transpose of a matrix",
       lib={"numpy": lambda np: np.transpose}, shaped=True, holomorphic=False,
       pretty="{0}ᵀ", latex=r"{0}^{{\top}}", params="A"),
    Op("trace", 1, (_trace_partial,), "trace of a square matrix",
       lib={"numpy": _square}, shaped=True, holomorphic=False, params="A",
       latex=r"\operatorname{{tr}}\left({0}\right)"),
    Op("flatten", 1, (_flatten_partial,), "the elements as one vector",
       lib={"numpy": lambda np: np.ravel}, shaped=True, holomorphic=False, params="A"),
    Op("reshape", 2, (_reshape_partial, 0), "the elements as a matrix of r rows",
       lib={"numpy": _rows}, shaped=True, holomorphic=False, params="A, r"),
    Op("index", 2, (_index_partial, 0), "element (or row) k: A[k]",
       lib={"numpy": _index}, shaped=True, holomorphic=False, pretty="{0}[{1}]",
       latex="{0}_{{{1}}}", names={}, params="A, k"),
    Op("norm", 1, (_norm_partial,), "Euclidean (Frobenius) norm of the elements",
       lib={"numpy": lambda np: lambda x: np.sqrt(np.sum(np.square(x)))}, shaped=True,
       holomorphic=False, latex=r"\left\lVert {0} \right\rVert"),
    Op("softmax", 1, (_softmax_partial,), "softmax along the last axis",
       lib={"numpy": _softmax}, shaped=True, holomorphic=False),
    Op("logsumexp", 1, (_logsumexp_partial,), "log of the sum of exp of the elements",
       lib={"numpy": _logsumexp}, shaped=True, holomorphic=False),
    *_reduction("sum", scale=False),
    *_reduction("mean", scale=True),
    _extreme("amax", "max"),
    _extreme("amin", "min"),
)
