"""Records of vector formulas and second order: Jacobians, JVPs, VJPs, Hessians."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Jacobian:
    outputs: tuple      # each output as text
    inputs: tuple
    point: dict
    values: tuple       # a float per output, or an ndarray for a vector or matrix output
    matrix: tuple       # m rows (outputs) of n columns (inputs); with vectors and matrices
                        # each cell is ∂output/∂input, an ndarray of shape
                        # output.shape + input.shape (a float when both are scalars)
    mode: str
    sweeps: dict        # the sweeps each AD mode needs: {"forward": n, "reverse": m},
                        # counted in elements for vectors and matrices
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
                        # (for vectors and matrices: an ndarray of the input's or output's shape)
    result: dict        # jvp: by output; vjp: by input (ndarrays of that one's shape)
    how: str = ""       # how it was computed, when not the command's usual sweep


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
