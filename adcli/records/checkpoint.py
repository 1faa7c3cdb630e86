"""Records of the checkpointing trade: one row per schedule of one loop of steps."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckpointRow:
    """What one schedule kept, recomputed and spent, and whether its gradient is
    the store-all gradient bit for bit."""

    schedule: str
    snapshots: int          # states kept at most at once
    peak_stored: int        # snapshot values + tape values and partials, at most at once
                            # (arrays counted in elements)
    forward_steps: int      # step evaluations that only advance a state (first pass included)
    minimum: int | None     # Revolve's proven minimum of forward_steps (revolve rows)
    taped_steps: int        # step evaluations that record a tape (one per step)
    seconds: float
    peak_bytes: int | None  # tracemalloc peak of the reversal
    gradient: tuple         # floats and arrays, each of its input's shape
    identical: bool         # gradient and value equal the store-all ones bit for bit


@dataclass(frozen=True)
class CheckpointTrade:
    program: str
    point: dict
    steps: int              # n, the loop's length
    step_entries: int       # values and partials on one step's tape (in elements)
    inputs: tuple           # what the gradient is taken with respect to
    value: object           # the final state: a float or an array
    rows: tuple
    notes: tuple = ()


def loops_phrase(checkpoint: dict) -> str:
    """``; 1 steps loop of 1,000 steps reversed by revolve:10: ...`` for a derivative's
    footer (``diff --checkpoint``), from its cost's ``checkpoint`` entry."""
    c = checkpoint
    loops = "1 steps loop" if c["loops"] == 1 else f"{c['loops']} steps loops"
    unneeded = c.get("not_reversed", 0)
    left = (f" ({unneeded} of them run but not reversed: the output does not depend on "
            f"{'it' if unneeded == 1 else 'them'})" if unneeded else "")
    return (f"; {loops} of {c['steps']:,} steps{left} reversed by {c['schedule']}: "
            f"{c['snapshots']:,} snapshots, at most {c['peak_stored']:,} stored values, "
            f"{c['forward_steps']:,} forward steps")

