"""Records of ``adcli memory``: what reverse mode keeps, measured beside the count."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StoredGroup:
    """The tape's stored values of one dtype and shape."""

    dtype: str
    shape: tuple
    count: int
    bytes: int          # the values' own bytes (8 per float64 number)


@dataclass(frozen=True)
class MemoryReport:
    """The memory of one formula or program at one point, both AD modes.

    ``*_measured`` figures are tracemalloc's (bytes Python allocated);
    ``*_analytic`` ones count the numbers kept and their bytes.
    """

    expression: str
    point: dict
    shaped: bool
    tape_entries: int
    edges: int
    stored_values: int             # numbers kept: an array counts its elements
    stored_bytes: int              # their bytes as values (dtype itemsize x elements)
    groups: tuple                  # StoredGroup per (dtype, shape)
    tape_measured: int             # bytes allocated to record the tape (all of it)
    tape_analytic: int             # values + partials + entry numbers (4 bytes each)
    reverse_measured: int          # peak bytes of record + one adjoint sweep
    reverse_analytic: int          # values + partials + one adjoint per entry, as values
    forward_measured: int          # peak extra bytes of one tangent sweep over the tape
    live_values: int               # the most entries alive at once (execution order)
    forward_analytic: int          # one tangent per live value, as values

    @property
    def bytes_per_entry(self) -> float:
        return self.tape_measured / self.tape_entries if self.tape_entries else 0.0


@dataclass(frozen=True)
class NetworkMemory:
    """The course's model of a feed-forward network's memory, shown with its arithmetic."""

    layers: int
    width: int
    batch: int
    dtype: str
    itemsize: int
    activations: int        # L·B·h values kept for the backward pass
    weights: int            # L·h² values
    biases: int             # L·h values
    every: int | None       # checkpoint every K layers (None: keep everything)
    checkpointed: int | None  # values kept with checkpointing
    lines: tuple            # the computation, one line per step, as a reader follows it
    measured: dict | None = None  # a small network traced: activation and tape bytes
