"""A conditional in SymPy at the point: its branch is the one the point's run takes.

The symbolic derivative of ``where(x > 0, log(x), x)`` is a ``Piecewise``; at
x < 0 its ``log`` branch is undefined, and SymPy evaluating it there refuses a
derivative the formula has.  The run at the point (float or mpmath, as the AD
modes take it) decides each comparison; those decisions replace the
conditions before any number is substituted, and, where SymPy cannot build the
formula whole, replace the conditionals themselves.
"""

from __future__ import annotations

from ..language.graph import COMPARISONS
from ..ops.namespaces import sympy_math
from ..ops.precision import arithmetic
from ..tape.record import record
from . import Problem

_COMPARISON_KINDS = frozenset(COMPARISONS.values())

#: Inside :func:`guarded`: graph id -> (graph, symbols, SymPy values of its nodes,
#: namespace, taken only) of the formula, built once for its decisions and reused
#: by :func:`to_sympy` (so the Hessian and Jacobian get the taken branches too
#: where SymPy cannot build the whole).
BUILT: dict = {}


def taken_expression(problem: Problem, symbols: dict, taken_only: bool = True) -> tuple:
    """The formula in SymPy with each conditional's condition noted as the point's
    run decided it, and (``taken_only``) replaced by its taken branch.

    The recorder evaluates the comparisons of the graph in node order, each
    once, and no op calls the namespace's comparisons: so the k-th comparison
    SymPy is asked for is the k-th comparison node, whose truth the run knows.
    ``taken_only`` is for formulas SymPy cannot build whole: ``relu`` of a
    conditional whose other branch is ``atanh(10)`` compares a complex number.
    Returns the expression and ``{relational: true/false}``.
    """
    import sympy
    from types import SimpleNamespace

    graph = problem.graph
    with arithmetic(problem.digits) as m:
        truths = record(graph, problem.point, m, partials=False).node_values
    order = iter([truths[node] for node, kind in enumerate(graph.kinds)
                  if kind in _COMPARISON_KINDS])
    base = sympy_math()
    m = SimpleNamespace(**vars(base))
    found = {}

    def noting(compare):
        def decided(a, b):
            relation, truth = compare(a, b), next(order, None)
            if truth is not None and isinstance(relation, sympy.core.relational.Relational):
                for form, value in ((relation, bool(truth)), (~relation, not truth)):
                    # Piecewise keeps a condition in SymPy's canonical form
                    found[form] = found[form.canonical] = sympy.true if value else sympy.false
            return relation
        return decided

    for kind in _COMPARISON_KINDS:
        setattr(m, kind, noting(getattr(base, kind)))
    if taken_only:
        def where(c, a, b):
            truth = found.get(c) if isinstance(c, sympy.Basic) else None
            return base.where(c, a, b) if truth is None else (a if truth is sympy.true else b)
        m.where = where
    tape = record(graph, symbols, m, partials=False, branches="all")
    BUILT[id(graph)] = (graph, dict(symbols), tape.node_values, m, taken_only)
    return m.expression(tape.node_values[graph.output]), found
