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
import time
from contextlib import contextmanager

from ..errors import MathError, NotAvailable, UsageError
from ..language.graph import Graph
from ..ops.namespaces import sympy_math
from ..ops import OPS
from ..ops.precision import arithmetic
from ..language.printer import sympy_latex
from ..records import Derivative
from ..records.formula import Formula
from ..tape.record import record
from . import Problem
from ._common import kink_warnings
from .sympy_branches import BUILT, taken_expression

#: Deeper graphs than this exceed what SymPy's recursive algorithms survive.
MAX_DEPTH = 400
#: Larger graphs make SymPy's expression building too slow to be useful.
MAX_NODES = 20_000
#: SymPy's time is hard to predict (it grows with expression swell); past this
#: many seconds the symbolic mode gives up with a clear message.
BUDGET_SECONDS = 30.0



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


def budget_of(problem: Problem) -> float:
    return problem.budget if problem.budget is not None else BUDGET_SECONDS


#: The share of the budget, and the most seconds, SymPy's LaTeX printer may take
#: for one derivative: it simplifies as it prints (``fraction``, ``is_constant``)
#: and took 20 s for erf(sigmoid(cosh(sigmoid(y))))'.  Past it, the LaTeX
#: output writes the formula's text instead, as it does where SymPy cannot print.
LATEX_SHARE, LATEX_SECONDS = 0.25, 2.0
#: The share of the budget for building a formula with conditionals whole: SymPy
#: folds nested ``Piecewise`` by deciding inequalities (``relu(where(softplus(x**10)
#: <= -cos(3), 1.5, x))`` took over 30 s); past it, the taken branches are built.
WHOLE_SHARE = 0.5


class _OverShare(Exception):
    pass


def _within(seconds: float, call, otherwise=None):
    """``call()``, or ``otherwise`` if it takes over ``seconds``; the time budget's
    timer, running around this, is set back to what is left of it."""
    if threading.current_thread() is not threading.main_thread():
        return call()
    outer, interval = signal.getitimer(signal.ITIMER_REAL)
    if outer and outer <= seconds:
        return call()  # the budget itself ends first

    running = [True]

    def expire(_signum, _frame):
        if running[0]:  # the timer repeats (a swallowed alarm): not once it is over
            raise _OverShare()

    start = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        return call()
    except _OverShare:
        return otherwise
    finally:
        try:
            running[0] = False
        except _OverShare:  # fired between the call's end and here
            running[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:
            signal.setitimer(signal.ITIMER_REAL,
                             max(outer - (time.monotonic() - start), 1e-3), interval)


def _latex(expr, budget: float) -> str | None:
    """:func:`sympy_latex`, or None past its share of the budget."""
    return _within(min(LATEX_SECONDS, LATEX_SHARE * budget), lambda: sympy_latex(expr))


def _decisions(problem: Problem, symbols: dict, budget: float) -> dict:
    """The point's decisions (see :mod:`.sympy_branches`), the whole formula built
    alongside if SymPy can within its share of the budget, else its taken branches."""
    if getattr(problem.source, "graph", None) is None or not problem.graph.has_branches:
        return {}  # a program's branches are decided by Python as it is traced
    try:
        found = _within(WHOLE_SHARE * budget,
                        lambda: taken_expression(problem, symbols, taken_only=False)[1])
    except (TypeError, ValueError):  # SymPy cannot write the untaken branches
        found = None
    if found is None:
        found = taken_expression(problem, symbols, taken_only=True)[1]
    return found


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
    node = graph.output if output is None else output
    built = BUILT.get(id(graph))
    if built is not None and built[0] is graph and built[1] == symbols:
        return built[3].expression(built[2][node])
    m = sympy_math()
    tape = record(graph, symbols, m, partials=False, branches="all")
    return m.expression(tape.node_values[node])


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

    budget = budget_of(problem)
    symbols = {name: sympy.Symbol(name, real=True) for name in problem.graph.variables}
    subs = {symbols[name]: _as_float(value, problem.digits)
            for name, value in problem.point.items()}
    try:
        with time_budget(budget), arithmetic(problem.digits):
            subs.update(_decisions(problem, symbols, budget))
            yield symbols, subs
    except RecursionError:
        raise NotAvailable("symbolic differentiation is not available for this input: "
                           "SymPy ran out of recursion depth; use --mode reverse") from None
    except _OverBudget:
        raise NotAvailable(f"symbolic differentiation is over budget: SymPy took more than "
                           f"{budget:g} s; use --mode reverse") from None
    finally:
        BUILT.clear()


def _expression(problem: Problem, symbols: dict) -> tuple:
    """The SymPy expression, and a note if only the taken branches could be built.

    SymPy refuses to build some formulas whole (``TypeError: Invalid comparison
    of non-real``) when a conditional's untaken branch is not real and something
    compares it (``relu``, ``max``); the taken branches then give the derivative
    at the point, as the AD modes do."""
    taken = ("each conditional is its branch taken at the point: SymPy could not build "
             "the other branches (or not within its share of the budget)")
    try:
        expr = problem.source.expression(symbols)
        built = BUILT.get(id(problem.graph))
        return expr, (taken if built and built[1] == symbols and built[4] else None)
    except (TypeError, ValueError) as error:
        unbuilt = error
    if getattr(problem.source, "graph", None) is not None and problem.graph.has_branches:
        try:
            return taken_expression(problem, symbols)[0], taken
        except (TypeError, ValueError) as error:
            unbuilt = error
    raise NotAvailable(f"symbolic differentiation is not available for this input: SymPy "
                       f"cannot build it ({unbuilt}); use --mode reverse") from None


def _along(problem: Problem, symbols: dict, subs: dict, name: str, refused: MathError):
    """The partial derivative by its definition: the other variables held at their
    values first, then ``name`` differentiated.  Where the general partial has no
    value but the function along ``name`` does (``x**y`` at x = 0, y > 0 is 0 for
    every y: SymPy's ``x**y*log(x)`` is 0*log(0)), this gives it.  It is kept only
    if the one-sided difference quotients along ``name`` (mpmath, 40 digits, not
    SymPy) agree with it, a side missing only outside the domain (``x**2.5`` at
    0): held at a kink (``hypot(x, 0)`` is ``|x|``) SymPy would answer its own
    ``sign(0) = 0``, and at a jump (``atan2(0, x)``) 0; else ``refused`` stands."""
    import mpmath
    import sympy

    from ._common import slopes

    with arithmetic(40) as m:
        point = {k: mpmath.mpf(v) for k, v in problem.point.items()}
        sides = slopes(problem, m, point, name)
        for sign, side in zip((-1, 1), sides):
            if side is None and _defined(problem, m, {**point, name: point[name] + sign
                                                      * mpmath.mpf(10) ** -13}):
                raise refused  # defined there, yet no slope: a jump or an infinite one
    sides = [side for side in sides if side is not None]  # else a domain's edge
    if not sides:
        raise refused
    held = {n: (s if n == name else subs[s]) for n, s in symbols.items()}
    d = sympy.diff(_expression(problem, held)[0], symbols[name])
    try:
        value = value_at(d, subs, "", problem.digits)
    except MathError:
        raise refused from None
    for slope, uncertainty in sides:
        if not abs(slope - value) <= uncertainty + 1e-12 * (1 + abs(value)):
            raise refused
    return value


def _defined(problem: Problem, m, point: dict) -> bool:
    try:
        problem.source.value(point, m)
    except Exception:  # noqa: BLE001 (outside the domain, however the source says it)
        return False
    return True


def differentiate(problem: Problem) -> Derivative:
    from .shaped import is_shaped

    if is_shaped(problem):  # small vectors and matrices: a symbol per entry
        from .shaped_symbolic import differentiate as per_entry

        return per_entry(problem)
    with arithmetic(problem.digits) as m:
        tape = record(problem.graph, problem.point, m, partials=False)
    import sympy

    with guarded(problem) as (symbols, subs):
        expr, note = _expression(problem, symbols)
        gradient, formulas, sizes = {}, {}, {}
        for name in problem.wrt:
            d = sympy.diff(expr, symbols[name])
            what = f"derivative with respect to {name}"
            try:
                gradient[name] = value_at(d, subs, what, problem.digits)
            except MathError as refused:
                gradient[name] = _along(problem, symbols, subs, name, refused)
            formulas[name] = Formula(sympy.sstr(d), _latex(d, budget_of(problem)))
            sizes[name] = size(d)
    return Derivative(
        problem.text, "symbolic", problem.point, tape.value, gradient,
        cost={"expression_nodes": sum(s["tree_nodes"] for s in sizes.values())},
        formulas=formulas,
        details={"size": sizes, "expression": sympy.sstr(expr),
                 **({"note": note} if note else {})},
        warnings=kink_warnings(problem, tape, "SymPy's derivative is evaluated there"),
        digits=problem.digits)
