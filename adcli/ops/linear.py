"""Local derivatives that are linear maps: the partials of structural ops.

An element-wise op's partial is a number (or an array of numbers, one per
element): the sweeps multiply by it.  A structural op (a matrix product, a
sum, a transpose) mixes elements, so its partial is a linear map, declared
once the way JAX's primitives are: its *tangent* rule ``J·u`` and its
*transpose* ``Jᵀ·v``.  The tangent sweep applies the first, the adjoint sweep
the second; nothing else about an op is needed for forward or reverse mode.
"""

from __future__ import annotations


class Linear:
    """The partial of one structural op along one argument.

    ``tangent(u)`` maps an argument's tangent to the output's; ``adjoint(v)``
    maps the output's adjoint back to the argument's (the transpose).  ``rule``
    is the textbook line for the adjoint sweep, e.g. ``"{out} · {1}ᵀ"`` with
    ``{out}`` the output's adjoint and ``{k}`` the op's k-th argument.
    """

    __slots__ = ("tangent", "adjoint", "rule")

    def __init__(self, tangent, adjoint, rule: str = ""):
        self.tangent, self.adjoint, self.rule = tangent, adjoint, rule

    def __repr__(self) -> str:
        return f"Linear({self.rule or '...'})"


def unbroadcast(np, value, shape: tuple):
    """``value`` summed down to ``shape``: the transpose of NumPy's broadcasting.

    An element-wise op whose argument was broadcast (a scalar added to a
    matrix, a row to every row) reads that argument many times; its adjoint
    is the sum of the adjoints of every place it was read.
    """
    value_shape = np.shape(value)
    if value_shape == shape:
        return value
    extra = len(value_shape) - len(shape)
    if extra > 0:
        value = np.sum(value, axis=tuple(range(extra)))
    axes = tuple(k for k, n in enumerate(shape) if n == 1 and np.shape(value)[k] != 1)
    if axes:
        value = np.sum(value, axis=axes, keepdims=True)
    return np.reshape(value, shape) if np.shape(value) != shape else value
