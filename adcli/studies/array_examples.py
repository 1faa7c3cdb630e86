"""The course's vector and matrix exercises, built in: each a formula, a point
of small arrays written here, and the closed form it illustrates.

``adcli examples`` lists them with the scalar traces; ``adcli diff --example
NAME`` differentiates one at its own point.  The arrays are kept as nested
tuples (no NumPy at import: listing the examples stays on the scalar path) and
become NumPy arrays only when an example is run.  Tests check every gradient
against its closed form, computed independently from the same arrays.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ArrayExample:
    name: str
    expression: str
    point: tuple      # (name, nested tuple of numbers), in the formula's order
    wrt: tuple        # the variables whose gradient the exercise asks for
    closed_form: str

    def at_options(self) -> tuple:
        """The point as ``--at NAME=VALUE`` texts, e.g. ``A=[[1, 2], [3, 4]]``."""
        return tuple(f"{name}={_literal(value)}" for name, value in self.point)

    def arrays(self) -> dict:
        import numpy as np

        return {name: np.array(value, dtype=np.float64) for name, value in self.point}


def _literal(value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return f"{value:g}"


ARRAY_EXAMPLES = (
    ArrayExample(
        "matmul-vjp", "sum(Cbar * (A @ B))",
        (("Cbar", ((1, 2), (3, 4))), ("A", ((1, 2, 3), (4, 5, 6))),
         ("B", ((1, 0), (2, 1), (0, 3)))),
        ("A", "B"),
        "the course's VJP of C = AB (2x3 by 3x2) with upstream C̄: Ā = C̄Bᵀ = "
        "[[1, 4, 6], [3, 10, 12]], B̄ = AᵀC̄ = [[13, 18], [17, 24], [21, 30]]"),
    ArrayExample(
        "least-squares", "sum((A @ x - b)**2)",
        (("A", ((1, 2), (3, 4), (5, 6))), ("x", (1, -1)), ("b", (1, 0, 2))),
        ("x",),
        "least squares ‖Ax − b‖²: ∇ₓ = 2Aᵀ(Ax − b) = [-40, -52]"),
    ArrayExample(
        "quadratic-form", "x @ A @ x",
        (("x", (1, 2)), ("A", ((2, 1), (0, 3)))),
        ("x",),
        "the quadratic form xᵀAx (A not symmetric): ∇ₓ = (A + Aᵀ)x = [6, 13]; its "
        "Hessian A + Aᵀ = [[4, 1], [1, 6]] (adcli hessian \"x @ A @ x\" --at ... --wrt x)"),
    ArrayExample(
        "softmax-xent", "-sum(y * log(softmax(z)))",
        (("y", (0, 1, 0)), ("z", (1, 2, 0.5))),
        ("z",),
        "softmax cross-entropy with a one-hot y: ∇_z = softmax(z) − y"),
    ArrayExample(
        "network", "mean((tanh(X @ W1 + b1) @ W2 + b2 - Y)**2)",
        (("X", ((1, 0.5), (-1, 2), (0, -0.5))),
         ("W1", ((0.5, -0.25, 1), (0.25, 0.75, -0.5))), ("b1", (0.1, 0, -0.1)),
         ("W2", ((1,), (-0.5,), (0.25,))), ("b2", (0.2,)), ("Y", ((1,), (0,), (-1,)))),
        ("W1", "b1", "W2", "b2"),
        "a two-layer network, H = tanh(XW₁ + b₁), R = HW₂ + b₂ − Y, loss mean(R²): "
        "R̄ = 2R/N, W̄₂ = HᵀR̄, b̄₂ = ΣR̄, Z̄ = R̄W₂ᵀ ⊙ (1 − H²), W̄₁ = XᵀZ̄, b̄₁ = ΣZ̄ "
        "(sums over the batch)"),
)

BY_NAME = {example.name: example for example in ARRAY_EXAMPLES}


def example_problem(example: ArrayExample, wrt=()):
    """The example as a :class:`~adcli.backends.Problem` with NumPy arrays as values,
    differentiated with respect to ``wrt`` (default: the variables it asks for)."""
    from ..api import variables_of
    from ..backends import FormulaSource, Problem
    from ..language.parser import parse
    from ..language.points import parse_wrt

    graph = parse(example.expression)
    names = variables_of(example.expression)
    chosen = parse_wrt(wrt, names) if wrt else example.wrt
    return Problem(example.expression, graph, example.arrays(), tuple(chosen),
                   source=FormulaSource(graph))
