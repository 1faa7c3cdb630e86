"""Symbolic differentiation with SymPy, built from the graph, never from text.

The graph is turned into a SymPy expression node by node through the same op
table (SymPy namespace), conditionals becoming ``Piecewise``; ``sympy.diff``
differentiates it and the derivative is evaluated at the point to 30
significant digits.  SymPy recurses over expression depth, so very deep
formulas get a clear "not available" instead of a crash.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

from ..errors import MathError, NotAvailable, UsageError
from ..language.graph import COMPARISONS, Graph
from ..ops.namespaces import sympy_math
from ..ops import OPS
from ..ops.precision import arithmetic
from ..language.printer import sympy_latex
from ..records import Derivative
from ..records.formula import Formula
from ..tape.record import record
from . import Problem
from ._common import kink_warnings

#: Deeper graphs than this exceed what SymPy's recursive algorithms survive.
MAX_DEPTH = 400
#: Larger graphs make SymPy's expression building too slow to be useful.
MAX_NODES = 20_000
#: SymPy's time is hard to predict (it grows with expression swell); past this
#: many seconds the symbolic mode gives up with a clear message.
BUDGET_SECONDS = 30.0

_COMPARISON_KINDS = frozenset(COMPARISONS.values())


#: The longest a budget may be (a day): the timer needs a finite number.
MAX_BUDGET = 86_400.0


class _OverBudget(Exception):
    pass


def checked_budget(seconds: float) -> float:
    """``--budget``: seconds above 0 and at most a day (inf and nan refused)."""
    if not 0 < seconds <= MAX_BUDGET:
        raise UsageError(f"--budget {seconds:g}: give seconds above 0, up to "
                         f"{MAX_BUDGET:,.0f}")
    return seconds


@contextmanager
def time_budget(seconds: float):
    """Interrupt the block after ``seconds`` (main thread only; elsewhere unbounded)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum, _frame):
        raise _OverBudget()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)  # again, if one is swallowed
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def depth(graph: Graph) -> int:
    """The nesting depth of the expression SymPy will build for the graph: a
    run of ops of one n-ary family (``Op.nary``: sums, products) is one level."""
    level = [0] * len(graph)
    nodes = graph.nodes
    family = [getattr(OPS.get(kind), "nary", None) for kind, _a, _d in nodes]
    for node, (_kind, args, _data) in enumerate(nodes):
        mine = family[node]
        for a in args:
            step = 0 if mine is not None and family[a] == mine else 1
            if level[a] + step > level[node]:
                level[node] = level[a] + step
    return level[graph.output] if len(graph) else 0


def to_sympy(graph: Graph, symbols: dict, output: int | None = None):
    """The graph's output as a SymPy expression; shared nodes stay shared.

    The graph is recorded in the SymPy namespace with every branch (a
    conditional becomes ``Piecewise``); sums are built as one n-ary ``Add``.
    """
    m = sympy_math()
    tape = record(graph, symbols, m, partials=False, branches="all")
    return m.expression(tape.node_values[graph.output if output is None else output])


def _check_size(graph: Graph) -> None:
    if len(graph) > MAX_NODES:
        raise NotAvailable(f"symbolic differentiation is not available for this input: "
                           f"{len(graph):,} nodes (limit {MAX_NODES:,}); "
                           f"use --mode reverse")
    d = depth(graph)
    if d > MAX_DEPTH:
        raise NotAvailable(f"symbolic differentiation is not available for this input: "
                           f"nesting depth {d:,} exceeds what SymPy handles ({MAX_DEPTH}); "
                           f"use --mode reverse")


def value_at(expr, subs: dict, what: str, digits: int | None):
    """A SymPy derivative's value at the point, or a MathError where it has none.

    Every symbolic result (``diff``, the Jacobian, the Hessian) is evaluated
    here, so that ``zoo``, ``nan``, a complex number or a ``DiracDelta`` at a
    kink is refused the same way; ``what`` names the derivative in the message.
    """
    import sympy

    prec = 30 if digits is None else digits + 10
    try:
        number = _decided(_at_point(expr, subs), prec).evalf(prec)
        if number.is_real and number.is_finite and not number.has(sympy.DiracDelta):
            if digits is None:
                return float(number)
            import mpmath

            return mpmath.mpf(str(number))
        shown = sympy.sstr(number)
    except (ArithmeticError, TypeError, ValueError) as error:
        shown = type(error).__name__
    raise MathError(f"the symbolic {what} is infinite or undefined at the point ({shown})")


def _at_point(expr, subs: dict):
    """The expression at the point: conditions first, then numbers.

    A condition the point's run decided (a key of ``subs`` that is not a
    symbol) is replaced while the expression is still symbolic, so that each
    ``Piecewise`` keeps only its taken branch and the untaken one (``log(x)``
    at x < 0, a ``Max`` of ``zoo``) is never evaluated.  A detached value
    (``stop_gradient``) is its argument once differentiated: SymPy cannot tell
    ``stop_gradient(3)`` is real and, inside ``atan2``, decides signs by
    evaluating ever larger expressions (20 s for ``atan2(y, detach(3))``).
    """
    import sympy

    conditions = {k: v for k, v in subs.items() if not isinstance(k, sympy.Symbol)}
    if conditions:
        expr = expr.xreplace(conditions)
    detached = _detached_functions()
    while found := expr.atoms(*detached):  # one nesting level per pass
        expr = expr.xreplace({a: a.args[0] for a in found})
    return expr.xreplace({k: v for k, v in subs.items() if isinstance(k, sympy.Symbol)})


def _detached_functions() -> tuple:
    """SymPy's classes of the ops that stop the derivative (``Op.detach``)."""
    m = sympy_math()
    return tuple({m.library[name] for name, op in OPS.items() if op.detach})


def decisions(problem: Problem, symbols: dict) -> dict:
    """Each comparison the point's run decided, as SymPy writes it -> its truth.

    Read from the run itself (as the AD modes take their branch), so that the
    derivative of a conditional is the derivative of its taken branch, even
    where the other branch is undefined at the point.  A program's branches are
    decided by Python while it is traced: nothing to decide here.
    """
    graph = getattr(problem.source, "graph", None)
    if graph is None or not graph.has_branches:
        return {}
    import sympy

    with arithmetic(problem.digits) as m:
        truths = record(graph, problem.point, m, partials=False).node_values
    m = sympy_math()
    tape = record(graph, symbols, m, partials=False, branches="all")
    found = {}
    for node, (kind, _args, _data) in enumerate(graph.nodes):
        if kind not in _COMPARISON_KINDS or truths[node] is None:
            continue
        relation = m.expression(tape.node_values[node])
        if not isinstance(relation, sympy.core.relational.Relational):
            continue  # decided while building (a comparison of numbers)
        truth = bool(truths[node])
        for form, value in ((relation, truth), (~relation, not truth)):
            # Piecewise keeps a condition in SymPy's canonical form
            found[form] = found[form.canonical] = sympy.true if value else sympy.false
    return found


def _decided(expr, prec):
    """The expression with each sign, Heaviside and DiracDelta of a number decided
    by the number's value: SymPy leaves ``DiracDelta(tan(1.26 + sqrt(2)))``
    standing when it cannot prove the sign of its argument symbolically (and
    evalf keeps it), though it is 0 at every nonzero value."""
    import sympy

    kinds = (sympy.DiracDelta, sympy.Heaviside, sympy.sign)
    decided = {}
    for atom in expr.atoms(*kinds):
        if len(atom.args) == 1 and atom.args[0].is_number:
            value = atom.args[0].evalf(prec)
            if value.is_Float and value != 0:
                decided[atom] = atom.func(value)
    return expr.xreplace(decided) if decided else expr


def _as_float(value, digits: int | None):
    """The point's number as a SymPy Float holding it exactly (a double, or the
    mpmath number of ``--precision``), evaluated with guard digits."""
    import sympy

    return sympy.Float(value, 30 if digits is None else digits + 10)


def size(expr) -> dict:
    import sympy

    return {"tree_nodes": sum(1 for _ in sympy.preorder_traversal(expr)),
            "count_ops": int(sympy.count_ops(expr))}


@contextmanager
def guarded(problem: Problem):
    """SymPy under adcli's limits: the size check, the time budget, and a clear
    "not available" for its recursion; yields the symbols and the substitution
    that evaluates an expression at the point (see :func:`value_at`)."""
    _check_size(problem.graph)
    import sympy

    budget = problem.budget if problem.budget is not None else BUDGET_SECONDS
    symbols = {name: sympy.Symbol(name, real=True) for name in problem.graph.variables}
    subs = {symbols[name]: _as_float(value, problem.digits)
            for name, value in problem.point.items()}
    try:
        with time_budget(budget), arithmetic(problem.digits):
            subs.update(decisions(problem, symbols))
            yield symbols, subs
    except RecursionError:
        raise NotAvailable("symbolic differentiation is not available for this input: "
                           "SymPy ran out of recursion depth; use --mode reverse") from None
    except _OverBudget:
        raise NotAvailable(f"symbolic differentiation is over budget: SymPy took more than "
                           f"{budget:g} s; use --mode reverse") from None


def _along(problem: Problem, symbols: dict, subs: dict, name: str, what: str):
    """The partial derivative by its definition: the other variables held at their
    values first, then ``name`` differentiated.  Where the general partial has no
    value but the function along ``name`` does (``x**y`` at x = 0, y > 0 is 0 for
    every y: SymPy's ``x**y*log(x)`` is 0*log(0)), this gives it; elsewhere it
    fails as the general one did."""
    import sympy

    held = {n: (s if n == name else subs[s]) for n, s in symbols.items()}
    d = sympy.diff(problem.source.expression(held), symbols[name])
    return value_at(d, subs, what, problem.digits)


def differentiate(problem: Problem) -> Derivative:
    with arithmetic(problem.digits) as m:
        tape = record(problem.graph, problem.point, m, partials=False)
    import sympy

    with guarded(problem) as (symbols, subs):
        expr = problem.source.expression(symbols)
        gradient, formulas, sizes = {}, {}, {}
        for name in problem.wrt:
            d = sympy.diff(expr, symbols[name])
            what = f"derivative with respect to {name}"
            try:
                gradient[name] = value_at(d, subs, what, problem.digits)
            except MathError:
                gradient[name] = _along(problem, symbols, subs, name, what)
            formulas[name] = Formula(sympy.sstr(d), sympy_latex(d))
            sizes[name] = size(d)
    return Derivative(
        problem.text, "symbolic", problem.point, tape.value, gradient,
        cost={"expression_nodes": sum(s["tree_nodes"] for s in sizes.values())},
        formulas=formulas,
        details={"size": sizes, "expression": sympy.sstr(expr)},
        warnings=kink_warnings(problem, tape, "SymPy's derivative is evaluated there"),
        digits=problem.digits)
