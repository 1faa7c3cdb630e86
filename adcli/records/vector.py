"""Records of vector formulas and second order: Jacobians, JVPs, VJPs, Hessians."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Jacobian:
    outputs: tuple      # each output as text
    inputs: tuple
    point: dict
    values: tuple
    matrix: tuple       # m rows (outputs) of n columns (inputs)
    mode: str
    sweeps: dict        # the sweeps each AD mode needs: {"forward": n, "reverse": m}
    performed: int      # the sweeps (or evaluations) this run made
    note: str


@dataclass(frozen=True)
class Product:
    """A Jacobian-vector or vector-Jacobian product, by one sweep."""

    kind: str           # "jvp" or "vjp"
    outputs: tuple
    inputs: tuple
    point: dict
    values: tuple
    vector: object      # jvp/hvp: the vector by input name; vjp: one number per output
    result: dict        # jvp: by output; vjp: by input


@dataclass(frozen=True)
class Hessian:
    expression: str
    inputs: tuple
    point: dict
    value: object
    gradient: dict
    matrix: tuple       # n x n
    mode: str
    note: str
