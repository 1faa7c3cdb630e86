"""Expression swell: how big symbolic derivatives grow, next to the AD work.

For one variable, row k is the k-th derivative: SymPy's tree nodes,
``count_ops`` and the nodes left after common-subexpression elimination,
against the tape (whose size does not change with k), the tape of nested AD
(the reverse sweep recorded and differentiated again, k times: it multiplies
at each level) and the time of Taylor mode (all orders in one pass).  For
several variables, one row describes the whole gradient: SymPy's n partial
derivatives against one reverse sweep over the tape.

SymPy runs under a time budget; past it the rows say "over budget".
"""

from __future__ import annotations

import time

from ..backends import Problem
from ..backends.symbolic import _OverBudget, checked_budget, to_sympy, time_budget
from ..errors import MathError, NotAvailable, UsageError
from ..records.steps import Swell, SwellRow
from ..tape.record import record

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


def _nested_entries(problem: Problem, name: str, order: int, budget: float) -> dict:
    """k -> tape entries of the k-th derivative by nested (repeated) reverse mode,
    as far as the budget and the entry cap allow."""
    from ..tape.second_order import nested_derivatives

    sizes: dict = {}
    deadline = time.perf_counter() + budget
    try:
        for k, entries, _value in nested_derivatives(problem.graph, problem.point, name,
                                                     order):
            sizes[k] = entries
            if entries > MAX_NESTED_ENTRIES or time.perf_counter() > deadline:
                break
    except MathError:
        pass
    return sizes


def _taylor_seconds(tape, name: str, order: int) -> float | None:
    """Time for f, f', ..., f^(order) at once by Taylor mode (None: no expansion)."""
    from ..tape.series import coefficients

    start = time.perf_counter()
    try:
        coefficients(tape.graph, tape.point, name, order)
    except MathError:
        return None
    return time.perf_counter() - start


def swell(problem: Problem, order: int = 4, budget: float = 5.0, on_step=None) -> Swell:
    if not 1 <= order <= MAX_ORDER:
        raise UsageError(f"--order {order}: give 1 to {MAX_ORDER}")
    checked_budget(budget)
    names = problem.wrt
    gradient = len(names) > 1
    if gradient:  # several variables: one row, the whole gradient (--order is moot)
        order = 1
    if not names:
        raise UsageError("the formula has no variable to differentiate")
    tape = record(problem.graph, problem.point, partials=False)
    import sympy

    symbols = {name: sympy.Symbol(name, real=True) for name in problem.graph.variables}
    nested = {} if gradient else _nested_entries(problem, names[0], order, budget)
    rows, deadline = [], time.perf_counter() + budget
    try:
        expr = to_sympy(problem.graph, symbols)
    except RecursionError:
        raise NotAvailable("symbolic differentiation is not available for this input: "
                           "SymPy ran out of recursion depth") from None
    for k in range(1, order + 1):
        if on_step is not None:
            on_step(f"order {k}")
        work = 2 * len(tape) if gradient else nested.get(k)
        taylor = None if gradient else _taylor_seconds(tape, names[0], k)
        remaining = deadline - time.perf_counter()
        start = time.perf_counter()
        try:
            if remaining <= 0:
                raise _OverBudget()
            with time_budget(remaining):
                if gradient:
                    derivatives = [sympy.diff(expr, symbols[n]) for n in names]
                else:  # the k-th derivative as SymPy itself forms it
                    derivatives = [sympy.diff(expr, symbols[names[0]], k)]
                nodes, ops, cse_nodes = sizes(derivatives)
        except (_OverBudget, RecursionError) as error:
            status = "over budget" if isinstance(error, _OverBudget) else "not available"
            rows.append(SwellRow(k, None, None, None, len(tape), work, None, status, taylor))
            continue
        rows.append(SwellRow(k, nodes, ops, cse_nodes, len(tape), work,
                             time.perf_counter() - start, "ok", taylor))
    return Swell(problem.text, names, gradient, tuple(rows), budget)
