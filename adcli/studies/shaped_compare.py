"""``adcli compare`` for vectors and matrices: every method that takes arrays,
element by element, against a SymPy reference at high precision.

The reference is symbolic mode's derivative of each entry (one SymPy symbol per
entry, so at most 64 entries), evaluated at ``--reference-digits``; each
method's error is its worst element's.  Methods that take numbers only (the
one-sided, five-point, Richardson and complex-step differences) say so.
"""

from __future__ import annotations

import time

from ..backends import backend
from ..backends.shaped_symbolic import MAX_ELEMENTS, differentiate as per_entry
from ..errors import AdcliError, UsageError
from ..records.comparison import Comparison, MethodRow, Reference

#: The rows that take vectors and matrices, and what the others lack.
ARRAY_METHODS = {"central-difference": ("numerical", "central"), "symbolic": ("symbolic", None),
                 "forward-ad": ("forward", None), "reverse-ad": ("reverse", None)}


def compare_arrays(problem, methods: tuple, digits: int, on_step=None) -> Comparison:
    import numpy as np

    from dataclasses import replace

    from .method_rows import correct_digits, cost_words, note_words

    if problem.digits is not None:
        raise UsageError("--precision with vectors and matrices: not yet in compare")
    if sum(int(np.size(v)) for v in problem.point.values()) > MAX_ELEMENTS:
        raise UsageError(f"compare's reference for vectors and matrices is symbolic, at most "
                         f"{MAX_ELEMENTS} array entries: use diff --mode reverse")
    if on_step is not None:
        on_step("reference")
    exact = per_entry(problem, digits)
    ref = Reference(exact.value, dict(exact.gradient), digits,
                    f"SymPy, one symbol per entry, evaluated at {digits} significant digits "
                    f"(shown as float64)")
    rows = []
    for name, _mode, _method in methods:
        if on_step is not None:
            on_step(name)
        if name not in ARRAY_METHODS:
            rows.append(MethodRow(name, None, None, None, None, None, "", 0.0,
                                  "not for vectors and matrices (numbers only)"))
            continue
        mode, method = ARRAY_METHODS[name]
        start = time.perf_counter()
        try:
            result = backend(mode)(replace(problem, method=method) if method else problem)
        except AdcliError as error:
            rows.append(MethodRow(name, None, None, None, None, None, "",
                                  time.perf_counter() - start, error.message))
            continue
        seconds = time.perf_counter() - start
        absolute, relative = worst_errors(np, result.gradient, ref.gradient)
        rows.append(MethodRow(name, dict(result.gradient), absolute, relative,
                              correct_digits(relative, None), result.cost.get("evaluations"),
                              cost_words(result), seconds, note_words(result),
                              tuple(result.warnings)))
    return Comparison(problem.text, problem.point, ref, tuple(rows), None, ())


def worst_errors(np, gradient: dict, exact: dict) -> tuple[float, float]:
    """The largest absolute and relative error over every element of every variable."""
    absolute = relative = 0.0
    for name, got in gradient.items():
        want = np.asarray(exact[name], dtype=float)
        error = np.abs(np.asarray(got, dtype=float) - want)
        scale = np.where(want != 0, np.abs(want), 1.0)
        absolute = max(absolute, float(np.max(error)) if error.size else 0.0)
        relative = max(relative, float(np.max(error / scale)) if error.size else 0.0)
    return absolute, relative
