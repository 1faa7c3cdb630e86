"""Derivative matrices, built one way for the Jacobian and the Hessian.

The Hessian is the Jacobian of the gradient, so the two studies assemble their
matrices from the same parts: a tangent sweep per input gives a column, SymPy
differentiates a list of expressions once more, central differences of a
vector-valued function give a column per input.  Rows are outputs, columns
inputs, in that order everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from ..backends import Problem
from ..backends.forward import tangents
from ..errors import MathError
from ..tape.record import Tape


def output_tangents(tape: Tape, dot: list) -> list:
    """The tangent of each output; an output that is a constant has tangent 0."""
    return [dot[e] if e >= 0 else 0.0 for e in tape.outputs]


def tangent_columns(tape: Tape, names: Iterable[str]) -> list:
    """One column of output tangents per input name, each by one tangent sweep."""
    return [output_tangents(tape, tangents(tape, {tape.inputs[name]: 1.0})) for name in names]


def rows_of(columns: list, rows: Iterable[int]) -> list:
    """The matrix whose columns are ``columns``, keeping the rows ``rows``.

    The rows are named rather than counted from the columns, so that a matrix
    with no columns (no inputs) still has its rows.
    """
    return [[column[i] for column in columns] for i in rows]


def symbolic_jacobian(problem: Problem, functions: Callable[[dict], Iterable],
                      describe: Callable[[int, str], str]) -> list:
    """∂f/∂v of each SymPy expression f of ``functions(symbols)`` for each v of
    ``problem.wrt``, evaluated at the point under SymPy's guard.

    An entry with no finite value there is a MathError; ``describe(i, v)``
    names the derivative of the i-th function with respect to v in it.
    """
    import sympy

    from ..backends.symbolic import guarded, value_at

    with guarded(problem) as (symbols, subs):
        return [[value_at(sympy.diff(f, symbols[v]), subs, describe(i, v), problem.digits)
                 for v in problem.wrt] for i, f in enumerate(functions(symbols))]


def central_jacobian(problem: Problem, evaluate: Callable[[dict], Sequence],
                     outputs: int) -> tuple[list, int]:
    """Central differences of ``evaluate(point)`` (``outputs`` numbers) along each
    input of ``problem.wrt``, and the evaluations made."""
    from ..backends.numerical import central_columns

    columns, evaluations = central_columns(evaluate, problem.point, problem.wrt)
    return rows_of(columns, range(outputs)), evaluations


def check_finite(matrix: Iterable[Iterable], what: str) -> None:
    """Refuse a matrix (or ``[vector]``) holding inf or nan, for floats and mpmath alike."""
    for row in matrix:
        for value in row:
            if not value - value == 0:
                raise MathError(f"the {what} is infinite or undefined at the point ({value})")
