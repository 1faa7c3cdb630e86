"""Evaluations that a library lacks or computes badly, for the entries that need them.

A naive sigmoid overflows for large negative x; a naive softplus loses every
digit for large positive x; cmath has no erf.  NumPy is imported only by the
functions that work on arrays, and only when called.
"""

from __future__ import annotations

import cmath
import math


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def softplus(x: float) -> float:
    if x > 0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))


def complex_log1p(w: complex) -> complex:
    """log(1 + w) as accurate as math.log1p in its real part (cmath.log(1 + w)
    loses the digits of a small w: softplus at -5 would disagree with itself)."""
    return complex(0.5 * math.log1p(w.real * (2 + w.real) + w.imag * w.imag),
                   math.atan2(w.imag, 1 + w.real))


def complex_sigmoid(z: complex) -> complex:
    if z.real >= 0:
        return 1 / (1 + cmath.exp(-z))
    w = cmath.exp(z)
    return w / (1 + w)


def complex_softplus(z: complex) -> complex:
    if z.real > 0:
        return z + complex_log1p(cmath.exp(-z))
    return complex_log1p(cmath.exp(z))


def complex_special(name: str):
    """An mpmath function at 60 digits on a complex number: the complex step's
    imaginary part is h times smaller than the real one (h ~ 1e-20) and needs
    that many more digits."""
    def evaluate(z):
        import mpmath

        with mpmath.workdps(60):
            return complex(getattr(mpmath, name)(mpmath.mpc(z)))
    return evaluate


def numpy_sigmoid(x):
    import numpy as np

    x = np.asarray(x, dtype=float)
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def numpy_softplus(x):
    import numpy as np

    x = np.asarray(x, dtype=float)
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))
