"""The checkpointing trade as a table: memory kept against steps recomputed."""

from __future__ import annotations

from .numbers import number
from .tabular import Tabular


def _count(x) -> str:
    return "" if x is None else str(x)  # plain digits: CSV cells stay numbers


def checkpoint_trade(record) -> Tabular:
    headers = ["schedule", "snapshots", "peak stored values", "forward steps",
               "Revolve minimum", "taped steps", "seconds", "peak bytes",
               "gradient = all, bit for bit"]
    rows = [[r.schedule, _count(r.snapshots), _count(r.peak_stored), _count(r.forward_steps),
             _count(r.minimum), _count(r.taped_steps), f"{r.seconds:.3g}",
             _count(r.peak_bytes), "yes" if r.identical else "NO"] for r in record.rows]
    at = ", ".join(f"{k}={number(v)}" for k, v in record.point.items())
    gradient = ", ".join(f"d/d {name} = {number(g)}"
                         for name, g in zip(record.inputs, record.rows[0].gradient))
    footer = [f"{record.steps:,} steps of {record.step_entries} stored values each "
              f"(tape values and partials, counted in elements); final state "
              f"{number(record.value)}",
              f"gradient of the final state: {gradient}",
              "forward steps: step evaluations that only advance a state (the first pass "
              "included); taped steps record one step's tape each",
              *record.notes]
    return Tabular(f"checkpointing {record.program} at {at}", headers, rows, footer,
                   set(headers[1:8]))
