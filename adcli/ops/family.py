"""Traced numbers: classes whose Python operators are the op table's operators.

Taylor series, a program's traced values and the nodes of a graph being
built all overload ``+ - * / ** -x abs()`` and the comparisons.  Each family
says only what applying an op and deciding a comparison mean for it; the
methods themselves are generated here, once, from each op's ``dunder``.
"""

from __future__ import annotations

from . import OPS

#: Comparison kind (as graph nodes name them) -> Python's method.
COMPARISON_METHODS = {"lt": "__lt__", "le": "__le__", "gt": "__gt__", "ge": "__ge__",
                      "eq": "__eq__", "ne": "__ne__"}


def _unary(op):
    return lambda self: self._apply(op, self)


def _binary(op):
    return lambda self, other: self._apply(op, self, other)


def _reflected(op):
    return lambda self, other: self._apply(op, other, self)


def _comparison(kind):
    return lambda self, other: self._compare(kind, self, other)


def operators() -> dict:
    """The operator methods of a traced-number class: each calls the class's
    ``_apply(op, *args)`` or ``_compare(kind, a, b)``."""
    methods = {"__pos__": lambda self: self, "__hash__": None}
    for op in OPS.values():
        if op.dunder is None:
            continue
        if op.arity == 1:
            methods[f"__{op.dunder}__"] = _unary(op)
        else:
            methods[f"__{op.dunder}__"] = _binary(op)
            methods[f"__r{op.dunder}__"] = _reflected(op)
    for kind, method in COMPARISON_METHODS.items():
        methods[method] = _comparison(kind)
    return methods


class Number:
    """Base of traced numbers; a subclass defines ``_apply`` and ``_compare``."""

    __slots__ = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name, method in operators().items():
            if name not in cls.__dict__:
                setattr(cls, name, method)
