"""Every op near the ends of its range: large |x| and just inside a domain edge.

The tame grid of ``test_ops`` cannot tell tanh' = 1/cosh^2 from 1 - tanh^2: they
differ only where tanh(x) rounds to 1 (x = 20 gives 0 instead of 4.2e-17), and
an absolute floor hides that.  Here the points come from that grid alone, for
every op of the table, with no per-op list:

* the grid scaled by 10, 40 and 300 (both signs), kept where the op's value and
  its mpmath derivative are finite, nonzero and below 1e300;
* each domain edge the grid crosses, found by bisection on the op's own domain
  predicate, approached from inside to 1e-4 ... 1e-10 of its scale.

At those points each declared partial (float and NumPy) and forward and reverse
mode must match mpmath's derivative to a *relative* 1e-8: a partial that
cancels to 0 or to noise fails by a factor, not by a digit.
"""

from __future__ import annotations

import math
from functools import lru_cache

import mpmath as mp
import numpy as np
import pytest

from adcli.api import differentiate
from adcli.ops import SCALAR_OPS as OPS  # the ops on numbers (arrays: test_arrays)
from adcli.ops.namespaces import FLOAT, numpy_math
from test_ops import BINARY, UNARY, apply, at, formula, partial, value_function

REL = 1e-8


#: Partials known to be inaccurate somewhere, kept out by name until fixed (none now:
#: expm1' was written as expm1(x) + 1, which cancelled to 0 below x = -37).
KNOWN_WRONG: dict = {}  # op name -> points where its rule is known to be inaccurate


@lru_cache(maxsize=None)
def numeric_partial(op, point, k):
    """mpmath.diff of the op's value with enough digits for the point (tanh(100)
    is 1 - 2.8e-87: a difference quotient at 80 digits keeps no digit of tanh'):
    the digits are doubled until two answers agree, or the point is given up (None)."""
    if op.detach:
        return mp.mpf(0)
    f = value_function(op)
    order = tuple(int(i == k) for i in range(len(point)))
    last = None
    for dps in (80, 200, 500):
        with mp.workdps(dps):
            args = [mp.mpf(a) for a in point]
            d = mp.diff(f, args[0]) if len(args) == 1 else mp.diff(f, tuple(args), order)
            if isinstance(d, mp.mpc):
                return d
            if last is not None and d != 0 and abs(d - last) <= mp.mpf(10) ** -30 * abs(d):
                return +d
            last = d
    return mp.mpf(0) if last == 0 else None  # 0 at every precision: a constant


SCALES = (10, 40, 300)
EDGE_OFFSETS = (1e-4, 1e-7, 1e-10)


def usable(op, point) -> bool:
    """In the domain, off a kink, value and every derivative finite, nonzero, < 1e300."""
    if not op.in_domain(*point) or (op.kink is not None and op.kink(*point)):
        return False
    try:
        value = apply(op, FLOAT, *point)
        wanted = [numeric_partial(op, point, k) for k in range(op.arity)]
    except (ValueError, ZeroDivisionError, OverflowError):
        return False
    if None in wanted or (op.name in KNOWN_WRONG and KNOWN_WRONG[op.name](*point)):
        return False
    if not (math.isfinite(value) and value != 0 and abs(value) < 1e300):
        return False
    return all(not isinstance(d, mp.mpc) and mp.isfinite(d) and
               (d == 0 or 1e-300 < abs(d) < 1e300) for d in wanted)


def far(op) -> list:
    grid = UNARY if op.arity == 1 else BINARY
    points = {tuple(s * sign * a for a in p) for p in grid for s in SCALES for sign in (1, -1)}
    return sorted(p for p in points if any(a != 0 for a in p) and usable(op, p))


def edges(op) -> list:
    """Points just inside each domain edge between neighbouring grid points."""
    if op.domain is None:
        return []
    found = set()
    grid = UNARY if op.arity == 1 else BINARY
    for p in grid:
        for q in grid:
            if p == q or op.in_domain(*p) == op.in_domain(*q):
                continue
            inside, outside = (p, q) if op.in_domain(*p) else (q, p)
            if any(a != b and c != d for a, b, c, d in
                   zip(inside, outside, inside[1:], outside[1:])):
                continue  # move one argument at a time
            for _ in range(80):  # bisection on the op's own domain predicate
                middle = tuple((a + b) / 2 for a, b in zip(inside, outside))
                inside, outside = (middle, outside) if op.in_domain(*middle) else (inside, middle)
            for offset in EDGE_OFFSETS:
                point = tuple(a + (a - b) / max(abs(a - b), 1e-300) * offset * max(1, abs(a))
                              if a != b else a for a, b in zip(inside, outside))
                if usable(op, point):
                    found.add(point)
    return sorted(found)


@lru_cache(maxsize=None)
def points(name) -> tuple:
    return tuple(far(OPS[name]) + edges(OPS[name]))


def cases():
    return [pytest.param(name, p, id=f"{name}{p}") for name, op in OPS.items()
            for p in points(name)]


def relative(got, want) -> bool:
    return abs(got - want) <= REL * abs(want)


def test_every_op_is_sampled_far_out():
    bounded = {name for name, op in OPS.items()  # a domain inside [-10, 10]
               if op.arity == 1 and not any(op.in_domain(s) for s in (-10, 10))}
    sampled = {name for name, op in OPS.items() if far(op)}
    assert sampled == set(OPS) - bounded, set(OPS) - bounded - sampled
    assert all(edges(op) for op in OPS.values() if op.domain is not None and op.arity == 1)


@pytest.mark.parametrize("name, point", cases())
def test_declared_partials_at_the_ends_of_the_range(name, point):
    op, N = OPS[name], numpy_math()
    out = apply(op, FLOAT, *point)
    columns = [np.array([a]) for a in point]
    out_n = apply(op, N, *columns)
    for k in range(op.arity):
        want = numeric_partial(op, point, k)
        got = partial(op, FLOAT, k, out, *point)
        assert relative(got, want), (name, point, k, got, float(want))
        got_n = float(np.broadcast_to(partial(op, N, k, out_n, *columns), (1,))[0])
        assert relative(got_n, want), (name, point, k, "numpy", got_n, float(want))


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("name, point", cases())
def test_ad_modes_at_the_ends_of_the_range(name, point, mode):
    op = OPS[name]
    result = differentiate(formula(op), at(point), mode=mode)
    for k, v in enumerate(("x", "y")[:op.arity]):
        want = numeric_partial(op, point, k)
        assert relative(result.gradient[v], want), (name, point, mode, v, float(want))
