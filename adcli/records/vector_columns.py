"""The result of a vector or second-order command over a chunk of points."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class VectorColumns:
    """Named columns, one element per row, in the order a CSV header shows them.

    ``layout`` nests the columns as the one-point JSON does (a key to a
    column name, a list of names, a list of lists, or a name -> column
    mapping); ``derivatives`` are the columns ``--quiet`` keeps.  A failed
    row has NaN in every column and its reason in ``errors``.
    """

    kind: str                     # jacobian, jvp, vjp, hessian or hvp
    columns: dict                 # column name -> float64 array
    layout: dict
    derivatives: tuple
    errors: list                  # str or None per row
    warnings: list                # str or None per row
    cost: dict = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return sum(e is not None for e in self.errors)
