"""The schedules of checkpointing and their counts, as arithmetic (no steps run).

``every:K`` keeps a snapshot every K steps; ``revolve:S`` is Griewank's binomial
schedule (Griewank & Walther, "Algorithm 799: Revolve", ACM TOMS 26, 2000);
:mod:`adcli.tape.checkpoint` runs them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import UsageError


@dataclass(frozen=True)
class Schedule:
    """A parsed ``--checkpoint`` choice; ``amount`` is K, S, or None for ``all``."""

    kind: str          # "all", "every" or "revolve"
    amount: int | None
    text: str


def parse_schedule(text: str, n: int) -> Schedule:
    """``all``, ``every:K``, ``every:sqrt`` or ``revolve:S`` for a loop of ``n`` steps."""
    text = text.strip()
    kind, _, amount = text.partition(":")
    if kind == "all" and not amount:
        return Schedule("all", None, "all")
    if kind == "every" and amount == "sqrt":
        return Schedule("every", math.isqrt(n - 1) + 1 if n > 1 else 1, text)
    if kind in ("every", "revolve") and amount.isascii() and amount.isdigit() \
            and len(amount) <= 9 and int(amount) >= 1:
        return Schedule(kind, int(amount), f"{kind}:{int(amount)}")
    shown = text if len(text) <= 40 else f"{text[:30]}…"
    raise UsageError(f"--checkpoint {shown}: give all, every:K, every:sqrt or revolve:S "
                     f"(K, S whole numbers from 1 to 999,999,999)")


def repetitions(n: int, snapshots: int) -> int:
    """The least r with ``n <= C(snapshots + r, snapshots)``: how often, at most,
    Revolve advances through any one step."""
    r, reach = 0, 1
    while reach < n:
        r += 1
        reach = reach * (snapshots + r) // r
    return r


def revolve_minimum(n: int, snapshots: int) -> int:
    """Griewank's bound: the fewest forward steps that reverse ``n`` steps with
    ``snapshots`` snapshots (the one at the start included; taping not counted)."""
    if n <= 1:
        return 0
    r = repetitions(n, snapshots)
    return r * n - math.comb(snapshots + r, snapshots + 1)


def periodic_count(n: int, k: int) -> int:
    """Forward steps of ``every:K``: the first pass to the last snapshot, then each
    segment of length L recomputed once (L - 1 steps)."""
    segments = -(-n // k)
    return k * (segments - 1) + n - segments


def _split(n: int, snapshots: int) -> int:
    """How many steps Revolve advances before its next snapshot, out of ``n``.

    With r = :func:`repetitions`, a split is optimal when the m steps before it
    can be reversed with one repetition fewer (m <= C(s+r-1, s)) and the n - m
    after it with one snapshot fewer (n - m <= C(s+r-1, s-1)), each at least at
    the edge of its own repetition count; then m + t(n-m, s-1) + t(m, s) is
    r*n - C(s+r, s+1), because C(s+r, s+1) = C(s+r-1, s) + C(s+r-1, s+1).  We
    take the largest such m."""
    r, s = repetitions(n, snapshots), snapshots
    return min(math.comb(s + r - 1, s), n - math.comb(s + r - 2, s - 1))
