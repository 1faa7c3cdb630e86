"""The step-size V-curve: finite-difference error against h = 10^-1 ... 10^-16.

Truncation error falls with h (as h for one-sided, h^2 for central
differences) while round-off grows as eps/h, so the error draws a V whose
bottom is the best step.  The table marks three steps for each method:

* ``best``: the h of the smallest measured error;
* ``predicted``: the rule-of-thumb step of the error model,
  eps^(1/2) max(1, |x|) one-sided and eps^(1/3) max(1, |x|) central;
* ``crossover``: where the model's truncation and round-off terms are equal,
  from the true f, f'' and f''' at the point (mpmath, high precision):
  round-off 2 eps |f| / h against |f''| h / 2 one-sided, so
  h = 2 sqrt(eps |f| / |f''|); eps |f| / h against |f'''| h^2 / 6 central,
  so h = (6 eps |f| / |f'''|)^(1/3).

The complex step has no subtraction, hence no round-off V: its error stays
flat down to the smallest h.
"""

from __future__ import annotations

import math
from ..backends import Problem
from ..backends.numerical import (Function, _steps, central, complex_step,
                                 complex_step_refusal, one_sided)
from ..errors import AdcliError, UsageError
from ..ops.precision import arithmetic, epsilon
from ..records.steps import StepRow, StepScan
from .reference import reference
from ..tape.record import record
from ..backends.shaped import refuse_arrays

EXPONENTS = range(1, 17)


def scan(problem: Problem) -> StepScan:
    refuse_arrays(problem, "adcli steps")
    if problem.digits is not None:
        raise UsageError("adcli steps shows float64 round-off; --precision does not apply")
    if len(problem.wrt) != 1:
        names = ", ".join(problem.wrt) or "none"
        raise UsageError(f"the step-size scan is for one variable: choose one with --wrt "
                         f"(variables: {names})")
    name = problem.wrt[0]
    exact = float(reference(problem, 30).gradient[name])
    refusal = complex_step_refusal(problem)
    with arithmetic(None) as m:
        tape = record(problem.graph, problem.point, m, partials=False)
        f = Function(problem, m, tape)
        x = problem.point[name]
        rows = []
        for k in EXPONENTS:
            h = 10.0 ** -k
            rows.append(StepRow(
                h, _error(lambda: one_sided(f, name, x, h, 1)[0], exact),
                _error(lambda: central(f, name, x, h)[0], exact),
                None if refusal else _error(
                    lambda: complex_step(problem, m, name, x, h, tape)[0], exact)))
    best = {method: _best(rows, method) for method in ("forward", "central", "complex")}
    eps = epsilon(m)
    predicted = {method: _steps(m, x, method, None) for method in ("forward", "central")}
    from .compare import point_warnings

    return StepScan(problem.text, problem.point, name, exact, tuple(rows), best, predicted,
                    _crossover(problem, name, eps), refusal or "", point_warnings(problem))


def _error(derivative, exact: float) -> float | None:
    try:
        value = derivative()
    except (AdcliError, ArithmeticError, ValueError):  # e.g. a step out of the domain
        return None
    return abs(value - exact) if math.isfinite(value) else None


def _best(rows, method: str) -> float | None:
    measured = [(getattr(row, method), row.h) for row in rows
                if getattr(row, method) is not None]
    return min(measured)[1] if measured else None


def _crossover(problem: Problem, name: str, eps: float) -> dict:
    """Where truncation meets round-off, from f, f'' and f''' at high precision."""
    import mpmath

    with arithmetic(40) as m:
        point = {k: mpmath.mpf(v) for k, v in problem.point.items()}

        def f(t):
            return record(problem.graph, {**point, name: t}, m, partials=False).value

        try:
            value, second, third = (abs(mpmath.diff(f, point[name], n)) for n in (0, 2, 3))
        except (AdcliError, ArithmeticError, ValueError):
            return {"forward": None, "central": None}
    forward = float(2 * mpmath.sqrt(eps * value / second)) if second and value else None
    central_h = float(mpmath.cbrt(6 * eps * value / third)) if third and value else None
    return {"forward": forward, "central": central_h}

