"""Programs of NumPy arrays: a parameter given an array is one traced value.

``def loss(X, W1, b1, W2, b2, Y): return np.mean((np.tanh(X @ W1 + b1) @ W2 + b2 - Y)**2)``
is traced with one graph node for each whole array and one for each operation
on it -- operators, NumPy ufuncs (``__array_ufunc__``), and NumPy's reductions
and structural functions (``__array_function__``) -- named by the op table, so
the graph is the one a formula of arrays gives and
:mod:`adcli.backends.shaped` differentiates it.  What adcli has no rule for
(an unknown NumPy function, an array's truth value, iterating over one) is
refused at the user's line.  Only a run whose point holds an array comes
here (NumPy is imported already): a program of numbers keeps the scalar
tracer and never imports NumPy.
"""

from __future__ import annotations

import operator

import numpy as np

from ..errors import MathError, UsageError
from ..language.graph import CONST, Graph
from .refusals import MAX_TRACED, too_long
from .traced_array import TracedArray
from .trace import Traced, Tracer, _user_line

class ProgramGraph(Graph):
    """A traced program's graph: its array constants (a plain ndarray the program
    combines with a traced one) are kept here, the node's label naming them."""

    __slots__ = ("arrays",)

    def __init__(self):
        super().__init__()
        self.arrays: dict[str, object] = {}

    def number(self, node: int, m) -> object:
        label = self.data[node]
        array = self.arrays.get(label)
        if array is None:
            return super().number(node, m)
        if getattr(m, "np", None) is not None:
            return array
        if m.name == "sympy":  # a tape's rules name the constant, as a formula names pi
            import sympy

            return sympy.Symbol(label)
        raise UsageError(f"the program's constant array {label} is taken by reverse and "
                         f"forward mode only")


class ArrayTracer(Tracer):
    """The tracer of a run whose point holds arrays: values through NumPy."""

    def __init__(self, path: str):
        super().__init__(path)
        from ..ops.namespaces import numpy_math

        self.np, self.m, self.graph = np, numpy_math(), ProgramGraph()
        self.masked = False

    def variable(self, name: str, value):
        np = self.np
        if getattr(value, "shape", ()) == ():
            return super().variable(name, float(value))
        traced = super().variable(name, np.asarray(value, dtype=float))
        return TracedArray(self, traced.node)

    def node(self, x) -> int:
        np = self.np
        if isinstance(x, (list, tuple)):
            x = np.asarray(x)
        if isinstance(x, np.ndarray) and x.ndim > 0:
            return self._constant(x)
        return super().node(x)

    def _constant(self, x) -> int:
        np, graph = self.np, self.graph
        value = np.array(x, dtype=float)
        if value.dtype == object or not np.all(np.isfinite(value)):
            line, _source = _user_line(self.path)
            raise UsageError(f"{self.path}:{line}: an array of numbers (finite, not "
                             f"traced) meets a traced array")
        if value.size <= 6:
            label = repr(value.tolist())
        else:
            label = f"array{value.shape}#{len(graph.arrays)}"
        graph.arrays.setdefault(label, value)
        node = graph.add(CONST, (), label)
        self.values[node] = graph.arrays[label]
        return node

    def apply(self, op, *args) -> Traced:
        np, values = self.np, self.values
        ids = tuple([self.node(a) for a in args])
        node = self.graph.add(op.name, ids)
        if node not in values:
            if node >= MAX_TRACED:
                raise too_long(self.path, _user_line(self.path)[0]) from None
            xs = [values[i] for i in ids]
            try:
                with np.errstate(all="ignore"):
                    out = getattr(self.m, op.name)(*xs)
            except UsageError as error:  # a structural op's shapes
                line, _source = _user_line(self.path)
                raise UsageError(f"{self.path}:{line}: {error}") from None
            except ValueError:  # element-wise operands that do not broadcast
                line, source = _user_line(self.path)
                shapes = " and ".join(str(np.shape(x)) for x in xs)
                raise UsageError(f"{self.path}:{line}: {op.title} of shapes {shapes}: "
                                 f"they do not broadcast (in `{source}`)") from None
            if not np.all(np.isfinite(out)) and all(np.all(np.isfinite(x)) for x in xs):
                self._undefined(op, xs, out)
            values[node] = out if np.ndim(out) else float(out)
        return (TracedArray if np.ndim(values[node]) else Traced)(self, node)

    def _undefined(self, op, xs, out):
        np = self.np
        line, source = _user_line(self.path)
        bad = tuple(int(k) for k in np.argwhere(~np.isfinite(np.atleast_1d(out)))[0])
        where = f" at element {list(bad)}" if np.ndim(out) else ""
        try:
            picked = [float(np.broadcast_to(x, np.shape(out))[bad]) if np.ndim(out)
                      else float(x) for x in xs]
            needs = f": it needs {op.domain[1]}" if not op.in_domain(*picked) else ""
        except (TypeError, ValueError):
            needs = ""
        raise MathError(f"{self.path}:{line}: {op.title} has no real value{where}{needs} "
                        f"(in `{source}`)")

    def compare(self, kind: str, a, b):
        """Numbers compare as a program of numbers does; arrays give a mask of
        constants (``(A > 0) * A`` keeps the elements that were positive), which
        has no one truth value."""
        x, y = (self.values[self.node(v)] for v in (a, b))
        if self.np.ndim(x) == 0 and self.np.ndim(y) == 0:
            return super().compare(kind, a, b)
        self.masked = True  # the graph holds constants the values decided
        return self.np.asarray(getattr(operator, kind)(x, y)).view(Mask)


class Mask(np.ndarray):
    """An array comparison's outcome: element by element, never one truth value."""

    def __bool__(self):
        raise TypeError("an array comparison has no one truth value: `if` on a traced "
                        "array would take one branch for every element; use np.maximum "
                        "or np.minimum, a mask product such as (A > 0) * A, or compare "
                        "a number such as np.max(A)")
