"""The result over a chunk of points: one element per row in every column."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Columns:
    """Value and gradient per row; a failed row has NaN there and its reason in
    ``errors``; ``warnings`` holds per row what a kink or a tie makes of its number."""

    value: object                 # float64 array, one element per row
    gradient: dict                # variable -> float64 array
    errors: list                  # str or None per row
    warnings: list                # str or None per row
    cost: dict = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return sum(e is not None for e in self.errors)
