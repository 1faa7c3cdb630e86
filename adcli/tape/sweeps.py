"""The tangent sweep and the adjoint sweep: the only two derivative loops in adcli.

Both walk the tape's edges ``(entry, argument, partial)``: forward mode is
``dot[entry] += partial * dot[argument]`` in execution order, reverse mode
``bar[argument] += bar[entry] * partial`` backwards (accumulating, so that an
entry used twice gets both contributions).  The numbers may be floats,
mpmath numbers or traced graph nodes (second order).  A zero on either side
contributes nothing, even against an undefined partial, in both sweeps.
"""

from __future__ import annotations

from ..errors import UsageError
from ..ops.linear import Linear, unbroadcast
from .diagnosis import derivative_error
from .record import Tape

#: The most tape entries all the sweeps of one request may visit (about 10 s).
MAX_SWEPT = 20_000_000


def check_sweeps(sweeps: int, entries: int, what: str, instead: str) -> None:
    """Refuse, before the first sweep, work that grows as sweeps × tape entries."""
    if sweeps * entries > MAX_SWEPT:
        raise UsageError(f"{what} needs {sweeps:,} sweeps over {entries:,} tape entries, "
                         f"over the bound of {MAX_SWEPT:,} entries swept; {instead}")


def tangents(tape: Tape, seed: dict) -> list:
    """``dot[i] = sum_k p_k * dot[arg_k]`` for every entry, in execution order."""
    dot = [0.0] * len(tape)
    for entry, s in seed.items():
        dot[entry] = s
    for out, arg, p in tape.edge_triples():
        d = dot[arg]
        if d and p:
            dot[out] += p * d
    return dot


def adjoints(tape: Tape, seed: dict, bar: list | None = None, start: int = 0,
             stop: int | None = None) -> list:
    """``bar[arg_k] += bar[i] * p_k``, entries taken backwards; sums fan-out.
    ``bar``, ``start``, ``stop``: go on from an earlier part of the sweep, over
    the edges numbered ``start`` to ``stop`` (the seed is added)."""
    if bar is None:
        bar = [0.0] * len(tape)
        for entry, s in seed.items():
            bar[entry] = s
    else:
        for entry, s in seed.items():
            bar[entry] += s
    for p, arg, out in tape.edges_backwards(start, stop):
        b = bar[out]
        if b and p:
            bar[arg] += b * p
    return bar


def finite_adjoint(tape: Tape, bar: list, entry: int, m, seeds: dict | None = None):
    """``bar[entry]``, an adjoint at an input entry after a sweep seeded with
    ``seeds`` (entry -> adjoint; by default 1 at the output); if it is not finite,
    the tangent sweep along that input, combined with the same seeds.

    An adjoint sweep multiplies an infinite partial before it meets a zero that
    cancels it: in ``sqrt(atanh(x - x))`` the adjoint of ``x - x`` is infinite
    and reaches ``x`` twice, as inf - inf, while the tangent of ``x - x`` is
    exactly 0 and never meets the infinite partial (the function is constant).
    Both modes then give the same numbers; a true infinity is refused, naming
    the row."""
    value = bar[entry]
    if m.finite(value):
        return value
    dot = tangents(tape, {entry: 1.0 if m.raises else m.number(1)})
    value = dot[tape.output] if seeds is None else sum(s * dot[k] for k, s in seeds.items())
    if not m.finite(value):
        raise derivative_error(tape, lambda out, arg: dot[arg] != 0)
    return value


def _carried(d, p, np, safe: bool, adjoint: bool = True):
    """``d * p`` over a chunk; ``safe``: 0 where either is 0, even against an
    infinite or undefined partial (the rows of an untaken branch), as above.
    A structural op's partial is a linear map: its transpose in the adjoint
    sweep, the map itself in the tangent sweep."""
    if p.__class__ is Linear:
        return p.adjoint(d) if adjoint else p.tangent(d)
    if p.__class__ is int:
        return d if p == 1 else (-d if p == -1 else d * p)
    product = d * p
    return np.where((d == 0) | (p == 0), 0.0, product) if safe else product


def tangents_columns(tape: Tape, seed: dict, np, safe: bool = False) -> list:
    """:func:`tangents` over a chunk of points or over shaped values (arrays; None
    is a zero tangent)."""
    values = tape.values
    dot = [None] * len(tape)
    for entry, s in seed.items():
        dot[entry] = s
    for out, arg, p in tape.edge_triples():
        d = dot[arg]
        if d is not None and (p.__class__ is not int or p):
            c = _carried(d, p, np, safe, adjoint=False)
            shape = getattr(values[out], "shape", ())
            if getattr(c, "shape", ()) != shape:  # an argument broadcast into out
                c = np.broadcast_to(c, shape)
            dot[out] = c if dot[out] is None else dot[out] + c
    return dot


def varied(tape: Tape, inputs) -> bytearray:
    """Which entries depend on the given input entries (activity analysis): an
    adjoint sweep for those inputs need not visit the other edges (a network's
    data X gets no adjoint when only its weights are asked for)."""
    active = bytearray(len(tape))
    for k in inputs:
        active[k] = 1
    for out, arg, _p in tape.edge_triples():
        if active[arg]:
            active[out] = 1
    return active


def adjoints_columns(tape: Tape, seed: dict, np, safe: bool = False,
                     active: bytearray | None = None, inputs_only: bool = False,
                     bar: list | None = None, start: int = 0,
                     stop: int | None = None) -> list:
    """:func:`adjoints` over a chunk of points or over shaped values (arrays; None
    is a zero adjoint); an argument NumPy broadcast gets its adjoints summed back
    to its own shape.  ``inputs_only``: an entry's adjoint is dropped once its
    edges are swept (only the inputs' remain), so memory falls as the sweep goes,
    as in a hand-written backward pass.  ``bar``, ``start``, ``stop``: as in
    :func:`adjoints`."""
    values = tape.values
    if bar is None:
        bar = [None] * len(tape)
    for entry, s in seed.items():
        bar[entry] = s if bar[entry] is None else bar[entry] + s
    inputs, swept = len(tape.graph.variables), -1
    for p, arg, out in tape.edges_backwards(start, stop):
        if inputs_only and out != swept:
            if swept >= inputs:
                bar[swept] = None
            swept = out
        b = bar[out]
        if b is not None and (p.__class__ is not int or p) and (active is None or active[arg]):
            c = _carried(b, p, np, safe)
            shape = getattr(values[arg], "shape", ())  # (attributes: np.shape costs a call)
            if getattr(c, "shape", ()) != shape and (np.ndim(c) > len(shape) or
                                                     np.size(c) > np.size(values[arg])):
                c = unbroadcast(np, c, shape)  # a smaller c (a scalar) broadcasts later
            bar[arg] = c if bar[arg] is None else bar[arg] + c
    return bar
