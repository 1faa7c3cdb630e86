"""Expression swell: how big symbolic derivatives grow, next to the AD work.

For one variable, row k is the k-th derivative: SymPy's tree nodes,
``count_ops`` and the nodes left after common-subexpression elimination,
against the tape (whose size does not change with k), the tape of nested AD
(the reverse sweep recorded and differentiated again, k times: it multiplies
at each level) and the time of Taylor mode (all orders in one pass).  For
several variables, one row describes the whole gradient: SymPy's n partial
derivatives against one reverse sweep over the tape.

SymPy runs under a time budget, from building the expression to the last
size; past it the rows say "over budget".  The AD columns (nested tapes,
Taylor time) stop at half the budget, so a study ends within one and a half.
A formula beyond what adcli gives SymPy (nodes, nesting) is refused first.
"""

from __future__ import annotations

import time

from ..backends import Problem
from ..backends.symbolic import (MAX_DEPTH, MAX_NODES, _OverBudget, checked_budget, depth,
                                 to_sympy, time_budget)
from ..errors import MathError, NotAvailable, UsageError
from ..records.steps import Swell, SwellRow
from ..tape.record import record
from ..backends.shaped import refuse_arrays

MAX_ORDER = 50


def tree_nodes(expr) -> int:
    import sympy

    return sum(1 for _ in sympy.preorder_traversal(expr))


def sizes(exprs: list) -> tuple[int, int, int]:
    """Tree nodes, ``count_ops`` and nodes after ``cse`` of a list of expressions."""
    import sympy

    replacements, reduced = sympy.cse(exprs)
    cse_nodes = sum(tree_nodes(rhs) for _sym, rhs in replacements) + \
        sum(tree_nodes(e) for e in reduced)
    return (sum(tree_nodes(e) for e in exprs), int(sum(sympy.count_ops(e) for e in exprs)),
            cse_nodes)


#: Nested AD stops once a level's tape passes this many entries (each level
#: costs about twice the last, so the next would too).
MAX_NESTED_ENTRIES = 200_000


class _Clock:
    """One deadline; :meth:`run` interrupts a call at it (``None``: out of time)."""

    def __init__(self, seconds: float):
        self.deadline = time.perf_counter() + seconds

    def run(self, call):
        remaining = self.deadline - time.perf_counter()
        if remaining <= 0:
            return None
        try:
            with time_budget(remaining):
                return call()
        except _OverBudget:
            return None


def _nested_entries(problem: Problem, name: str, order: int, clock: _Clock) -> dict:
    """k -> tape entries of the k-th derivative by nested (repeated) reverse mode,
    as far as the clock and the entry cap allow."""
    from ..tape.second_order import nested_derivatives

    sizes: dict = {}
    levels = nested_derivatives(problem.graph, problem.point, name, order)
    try:
        while (level := clock.run(lambda: next(levels, None))) is not None:
            k, entries, _value = level
            sizes[k] = entries
            if entries > MAX_NESTED_ENTRIES:
                break
    except MathError:
        pass
    return sizes


def _taylor_seconds(tape, name: str, order: int, clock: _Clock) -> float | None:
    """Time for f, f', ..., f^(order) at once by Taylor mode (None: no expansion
    or out of time)."""
    from ..tape.series import coefficients

    start = time.perf_counter()
    try:
        done = clock.run(lambda: coefficients(tape.graph, tape.point, name, order) or True)
    except MathError:
        return None
    return None if done is None else time.perf_counter() - start


def _sympy_takes(graph) -> None:
    """The symbolic backend's bounds on what SymPy is given, checked before any work."""
    nesting = depth(graph)
    if len(graph) > MAX_NODES or nesting > MAX_DEPTH:
        raise NotAvailable(f"swell is not available for this input: {len(graph):,} nodes "
                           f"nested {nesting:,} deep, and SymPy is given at most "
                           f"{MAX_NODES:,} nodes nested {MAX_DEPTH} deep")


def expression_swell(expression, at=(), wrt=(), order: int | None = None,
                     budget: float = 5.0, on_step=None) -> Swell:
    """``adcli swell``: as :func:`swell`, but orders above 1 asked for with several
    variables are refused (exit 2) instead of answered by the gradient row: they
    are a single variable's, so the user must say which (``--wrt``).  Order 1 of
    several variables is their gradient, the row given anyway."""
    from ..api import problem

    request = problem(expression, at, wrt)
    if order is not None and order > 1 and len(request.wrt) > 1:
        raise UsageError(f"--order {order} shows the derivatives of one variable, and "
                         f"{len(request.wrt)} are differentiated "
                         f"({', '.join(request.wrt)}): choose one with --wrt, or leave "
                         f"out --order to compare the whole gradient")
    return swell(request, 4 if order is None else order, budget, on_step=on_step)


def swell(problem: Problem, order: int = 4, budget: float = 5.0, on_step=None) -> Swell:
    refuse_arrays(problem, "adcli swell")
    if not 1 <= order <= MAX_ORDER:
        raise UsageError(f"--order {order}: give 1 to {MAX_ORDER}")
    checked_budget(budget)
    names = problem.wrt
    gradient = len(names) > 1
    if gradient:  # several variables: one row, the whole gradient (--order is moot)
        order = 1
    if not names:
        raise UsageError("the formula has no variable to differentiate")
    _sympy_takes(problem.graph)
    tape = record(problem.graph, problem.point, partials=False)
    import sympy

    symbols = {name: sympy.Symbol(name, real=True) for name in problem.graph.variables}
    ad_clock = _Clock(budget / 2)
    nested = {} if gradient else _nested_entries(problem, names[0], order, ad_clock)
    clock = _Clock(budget)
    try:
        expr = clock.run(lambda: to_sympy(problem.graph, symbols))
    except RecursionError:
        raise NotAvailable("symbolic differentiation is not available for this input: "
                           "SymPy ran out of recursion depth") from None
    rows = []
    for k in range(1, order + 1):
        if on_step is not None:
            on_step(f"order {k}")
        work = 2 * len(tape) if gradient else nested.get(k)
        taylor = None if gradient else _taylor_seconds(tape, names[0], k, ad_clock)
        start = time.perf_counter()
        try:
            if expr is None:
                raise _OverBudget()
            if gradient:
                derivatives = clock.run(lambda: [sympy.diff(expr, symbols[n]) for n in names])
            else:  # the k-th derivative as SymPy itself forms it
                derivatives = clock.run(lambda: [sympy.diff(expr, symbols[names[0]], k)])
            measured = derivatives and clock.run(lambda: sizes(derivatives))
            if not measured:
                raise _OverBudget()
            nodes, ops, cse_nodes = measured
        except (_OverBudget, RecursionError) as error:
            status = "over budget" if isinstance(error, _OverBudget) else "not available"
            rows.append(SwellRow(k, None, None, None, len(tape), work, None, status, taylor))
            continue
        rows.append(SwellRow(k, nodes, ops, cse_nodes, len(tape), work,
                             time.perf_counter() - start, "ok", taylor))
    return Swell(problem.text, names, gradient, tuple(rows), budget)
