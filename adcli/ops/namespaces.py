"""Math namespaces: every op's name, and a few helpers, over one kind of number.

Every op in :mod:`adcli.ops` writes its value and its partials once, over a
namespace ``m``, and each namespace is *built from the op table*: an op that
is a library function is bound from the library (``math``, ``cmath``,
NumPy, mpmath, SymPy), any other op's ``evaluate`` is bound over the
namespace itself, and traced-number families (Taylor series, program values,
graph nodes) bind each op to their own ``apply``.  Besides the ops, every
namespace provides the helpers named once in :data:`HELPERS`.  Handing
:data:`FLOAT` to a rule computes with Python floats (raising on domain
errors, which the recorder turns into clear messages); the heavy libraries
are imported only when their namespace is asked for.
"""

from __future__ import annotations

import math
import operator
from functools import lru_cache
from types import SimpleNamespace

from . import OPS, SCALAR_OPS

#: The helpers of conditions and conditionals, in Python's own semantics;
#: other libraries replace what they spell differently.
_PYTHON = dict(
    lt=operator.lt, le=operator.le, gt=operator.gt, ge=operator.ge, eq=operator.eq,
    ne=operator.ne, both=lambda a, b: a and b, either=lambda a, b: a or b,
    negate=operator.not_, where=lambda c, a, b: a if c else b,
    iszero=lambda v: 1.0 if v == 0 else 0.0,
)

#: What every namespace provides besides one function per op (and ``pi``, ``e``).
HELPERS = tuple(_PYTHON)


def _bind(evaluate, m):
    """``evaluate`` of an op over ``m``, as a plain function of its arguments."""
    return lambda *args: evaluate(m, *args)


def build(name: str, helpers: dict, library: str | None = None, module=None,
          apply=None, **attrs) -> SimpleNamespace:
    """A namespace: the helpers, then every op from ``library`` (a library
    namespace) or from ``apply(op)`` (a traced-number family)."""
    missing = set(HELPERS) - set(helpers)
    if missing:
        raise RuntimeError(f"namespace {name} lacks {sorted(missing)}")
    m = SimpleNamespace(name=name, **helpers, **attrs)
    for op in OPS.values():
        if apply is not None:
            function = apply(op)
        else:
            function = op.implementation(library, module)
            if function is None and not op.library:
                function = _bind(op.evaluate, m)
        if function is not None:
            setattr(m, op.name, function)
    return m


#: Python floats through :mod:`math`.  Out-of-domain arguments raise
#: ``ValueError``/``ZeroDivisionError``/``OverflowError`` instead of giving NaN.
FLOAT = build("float", _PYTHON, "math", math, raises=True, number=float,
              finite=math.isfinite, pi=math.pi, e=math.e)


@lru_cache(maxsize=None)
def complex_math() -> SimpleNamespace:
    """Python complex numbers through :mod:`cmath`, for the complex-step method.

    Only holomorphic ops (see ``Op.holomorphic``) are ever evaluated here, at
    ``x + ih`` with a tiny ``h`` after the real point itself was checked, so
    no domain checks are repeated; comparisons are not defined.
    """
    import cmath

    return build("complex", _PYTHON, "cmath", cmath, raises=True, number=complex,
                 finite=cmath.isfinite, pi=math.pi, e=math.e)


def keep_freed_memory() -> None:
    """Ask glibc's allocator to keep the memory NumPy frees, for the next arrays.

    By default it hands freed blocks over 128 KiB back to the system and maps
    fresh ones for the next array, page fault by page fault: that doubled the
    time of a chunk of points, and of a network's gradient, here.  Kept, one
    chunk's (one sweep's) memory is reused by the next; the peak is unchanged.
    Elsewhere than glibc, nothing happens.
    """
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-1, 1 << 29)   # M_TRIM_THRESHOLD: keep up to 512 MiB freed
        libc.mallopt(-3, 1 << 26)   # M_MMAP_THRESHOLD: blocks up to 64 MiB from the heap
    except (OSError, AttributeError):
        pass


@lru_cache(maxsize=None)
def numpy_math() -> SimpleNamespace:
    """Elementwise over NumPy arrays; domain errors give NaN, checked by callers.
    Building it (once, when arrays are first used) tunes the allocator for arrays."""
    import numpy as np

    keep_freed_memory()

    helpers = dict(_PYTHON, where=np.where, both=np.logical_and, either=np.logical_or,
                   negate=np.logical_not,
                   iszero=lambda v: np.where(v == 0, 1.0, 0.0) if getattr(v, "ndim", 0)
                   else float(v == 0))
    # ``elementwise``: the recorder takes one value per point and refuses nothing
    # (see adcli.tape.elementwise); NumPy's warnings about NaN are silenced there.
    return build("numpy", helpers, "numpy", np, raises=False, number=float,
                 finite=lambda v: bool(np.all(np.isfinite(v))), pi=np.pi, e=np.e,
                 elementwise=True, np=np, quiet=lambda: np.errstate(all="ignore"))


@lru_cache(maxsize=None)
def mpmath_math() -> SimpleNamespace:
    """mpmath numbers at the working precision of ``mpmath.mp``.

    mpmath returns complex numbers outside the real domain instead of raising,
    so the recorder checks every value it gets from this namespace.
    """
    import mpmath

    from .spec import MPMATH_MAX_BITS

    def finite(v):  # real, and inside the mpmath range (see MPMATH_MAX_BITS)
        return not isinstance(v, mpmath.mpc) and mpmath.isfinite(v) and \
            mpmath.mag(v) <= MPMATH_MAX_BITS

    return build("mpmath", _PYTHON, "mpmath", mpmath, raises=False, number=mpmath.mpf,
                 finite=finite, pi=mpmath.pi, e=mpmath.e)


@lru_cache(maxsize=None)
def sympy_math() -> SimpleNamespace:
    """SymPy expressions over real symbols; conditionals become ``Piecewise``."""
    import sympy as sp

    def where(c, a, b):
        if c is sp.true or c is True:
            return a
        if c is sp.false or c is False:
            return b
        return sp.Piecewise((a, c), (b, True))

    helpers = dict(lt=sp.Lt, le=sp.Le, gt=sp.Gt, ge=sp.Ge, eq=sp.Eq, ne=sp.Ne,
                   both=sp.And, either=sp.Or, negate=sp.Not, where=where,
                   iszero=lambda v: sp.Integer(1 if v == 0 else 0))
    def number(text: str):
        # exact, unless its exponent would make SymPy write out 10**300000000
        mantissa, _e, exponent = text.lower().partition("e")
        if exponent and abs(int(exponent)) > 400:
            return sp.Float(text, 30)
        return sp.Rational(text)

    m = build("sympy", helpers, "sympy", sp, raises=False, number=number,
              pi=sp.pi, e=sp.E)
    # SymPy's own functions, for its printers (ops on arrays have no SymPy form here)
    m.library = {name: getattr(m, name) for name in SCALAR_OPS}
    for name in HELPERS + tuple(SCALAR_OPS):
        function = getattr(m, name)
        setattr(m, name, _Sum.of(OPS[name], sp) if name in OPS and OPS[name].nary == "sum"
                else _materializing(function))
    m.expression = _Sum.expression
    return m


def _materializing(function):
    return lambda *args: function(*map(_Sum.expression, args))


class _Sum:
    """A pending chain of + and -: SymPy builds ``a + b + c ...`` as one n-ary
    ``Add`` in one call, where adding one term at a time costs O(n) each.
    Every other function of the SymPy namespace turns its arguments into
    expressions first (see :func:`_materializing`)."""

    __slots__ = ("left", "right", "sign", "built", "add")

    def __init__(self, left, right, sign: int, add):
        self.left, self.right, self.sign, self.built, self.add = left, right, sign, None, add

    @classmethod
    def of(cls, op, sp):
        sign = op.partials[1]
        return lambda a, b: cls(a, b, sign, sp.Add)

    @staticmethod
    def expression(value):
        """``value`` as a SymPy expression (walked with a stack, never recursion)."""
        if value.__class__ is not _Sum:
            return value
        if value.built is None:
            terms, stack = [], [(value, 1)]
            while stack:
                item, sign = stack.pop()
                if item.__class__ is _Sum and item.built is None:
                    stack.append((item.right, sign * item.sign))
                    stack.append((item.left, sign))
                else:
                    term = item.built if item.__class__ is _Sum else item
                    terms.append(term if sign > 0 else -term)
            value.built = value.add(*terms)
        return value.built
