"""Interchangeable differentiation backends.

Each is ``differentiate(problem) -> Derivative``; none prints or exits.  They
are looked up by mode name and imported lazily, so a reverse-mode run never
pays for SymPy.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from ..errors import MathError, choose
from ..language.graph import Graph

MODES = ("forward", "reverse", "symbolic", "numerical")

#: The numerical methods (see :mod:`.numerical`).
METHODS = ("auto", "central", "forward", "backward", "five-point", "richardson", "complex")


@dataclass(frozen=True)
class Problem:
    """What to differentiate: the formula, the point, which variables, and how.

    ``digits`` is None for float64, else the mpmath precision every backend
    uses (the point's values are then mpmath numbers).  ``method`` and
    ``step`` choose the numerical method and override its step.
    """

    text: str
    graph: Graph
    point: dict
    wrt: tuple
    digits: int | None = None
    method: str = "auto"
    step: float | None = None
    order: int | None = None  # Taylor mode: derivatives up to this order
    source: object = None     # the function itself: a formula's graph, or a program
    budget: float | None = None  # seconds SymPy may take (None: the symbolic default)


class FormulaSource:
    """A formula as the function the backends differentiate (see
    :class:`adcli.programs.source.ProgramSource` for a program)."""

    def __init__(self, graph: Graph):
        self.graph = graph

    def value(self, point: dict, m):
        """The formula's value at ``point`` in namespace ``m`` (no partials)."""
        from ..tape.record import record

        return record(self.graph, point, m, partials=False).value

    def expression(self, symbols: dict):
        from .symbolic import to_sympy

        return to_sympy(self.graph, symbols)

    def ties(self) -> list:
        return []  # a formula's ties are found on its tape

    def crossings(self, point: dict, steps: dict) -> tuple:
        """Warnings where a step of a difference quotient takes another branch of a
        conditional than the point: the quotient then mixes two pieces of the
        formula (``x if x > 1 else 2*x - 1`` just above 1 is continuous, yet a
        central difference there averages the slopes 1 and 2)."""
        from ..language.printer import format_node
        from ..records import Warning
        from ..tape.record import record

        graph = self.graph
        if not graph.has_branches:
            return ()
        taken = record(graph, point, partials=False).branches
        warnings = []
        for name, h in steps.items():
            for x in (point[name] + h, point[name] - h):
                try:
                    moved = record(graph, {**point, name: x}, partials=False).branches
                except MathError:  # outside the domain: the method itself says so
                    continue
                if moved != taken:
                    k = next((k for k, (b, t) in enumerate(zip(moved, taken)) if b != t),
                             min(len(moved), len(taken)))  # else one run decides more
                    first = (moved if k < len(moved) else taken)[k]
                    where = format_node(graph, graph.nodes[first.node][1][0])
                    warnings.append(Warning(
                        "branch", "if", "", f"the step to {name} = {x!r} takes another "
                        f"branch than the point itself (`{where}`): the difference "
                        f"quotient mixes two pieces of the formula"))
                    break
        return tuple(warnings)


def backend(mode: str):
    """The ``differentiate`` function of backend ``mode``, checked for finite results."""
    if mode != "taylor":  # reached through --order, so not offered as a mode
        choose(mode, MODES, "mode")
    differentiate = import_module(f"{__name__}.{mode}").differentiate

    def checked(problem: Problem):
        result = differentiate(problem)
        for name, value in result.gradient.items():
            if hasattr(value, "shape"):  # an array's gradient, checked by .shaped
                continue
            if not value - value == 0:  # inf or nan, for floats and mpmath alike
                raise MathError(f"the derivative with respect to {name} overflows or is "
                                f"undefined ({value}) in {mode} mode")
        return result

    return checked
