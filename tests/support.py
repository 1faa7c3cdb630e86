"""Helpers several test files share."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import pytest
import sympy as sp

from adcli.api import problem

#: The symbols every SymPy copy of a formula is written in.
SYM = {name: sp.Symbol(name, real=True) for name in "xyz"}
AD_REL = 1e-12          # forward, reverse, symbolic against SymPy
NUMERICAL_REL = 1e-5    # central differences against SymPy
#: A direction with no zero entry, for products with a matrix.
DENSE = (0.3, -1.7, 2.5)
#: The text formats every command renders.
TEXT_FORMATS = ("table", "plain", "csv", "markdown", "latex")


def tape_rows(run, *args) -> list:
    """The JSON rows of ``adcli tape ARGS``."""
    result = run("tape", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["rows"]


def close(got, want, rel: float = 1e-13, abs_: float = 0.0) -> bool:
    """|got - want| within ``rel`` of |want|, or within ``abs_`` where that is larger
    (a want of 0 has no relative scale).  Floats and mpmath numbers alike."""
    return abs(got - want) <= max(rel * abs(want), abs_)


def assert_close(got, want, rel, scale=1.0, what=""):
    """Relative to ``want``; an entry that is (nearly) 0 gets the floor rel * scale / 1000."""
    assert close(got, want, rel, rel * 1e-3 * scale), \
        f"{what}: got {got!r}, SymPy says {want!r}"


def assert_matrix_close(got, want, rel, what=""):
    """Entry by entry, each with the floor of the largest entry of ``want``."""
    scale = scale_of(want)
    assert len(got) == len(want), f"{what}: {len(got)} rows, expected {len(want)}"
    for i, (grow, wrow) in enumerate(zip(got, want)):
        assert len(grow) == len(wrow), f"{what}: row {i} has {len(grow)} columns"
        for j, (g, w) in enumerate(zip(grow, wrow)):
            assert_close(g, w, rel, scale, f"{what}[{i}][{j}]")


def assert_one_error_line(result, code: int, fragment: str = "") -> None:
    """Exit ``code``, nothing on stdout, one "adcli: ..." line naming ``fragment``."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    prefix = "adcli: error: " if code == 2 else "adcli: math error: "
    assert lines[0].startswith(prefix) and fragment in lines[0], lines[0]


def count_sweeps(monkeypatch, *modules) -> dict:
    """Count the tangent and adjoint sweeps run through ``modules``: each module
    calls the sweep it imported, so each one's own name is wrapped."""
    count = {"tangent": 0, "adjoint": 0}

    def counting(kind, sweep):
        def wrapped(*args, **kwargs):
            count[kind] += 1
            return sweep(*args, **kwargs)
        return wrapped

    for module in modules:
        for kind in count:
            name = f"{kind}s"
            if hasattr(module, name):
                monkeypatch.setattr(module, name, counting(kind, getattr(module, name)))
    return count


def sympy_sigmoid(u):
    """adcli's sigmoid written in SymPy, for references."""
    import sympy

    return 1 / (1 + sympy.exp(-u))


def sympy_hypot(a, b):
    import sympy

    return sympy.sqrt(a**2 + b**2)


@dataclass(frozen=True)
class Case:
    """A formula written twice: in adcli's language, and with SymPy functions, so
    that SymPy differentiates its own copy and adcli is never checked against itself."""

    id: str
    text: str
    at: tuple
    inputs: tuple       # the variables, in adcli's order (first appearance)
    build: object       # (x, y, z) -> the SymPy outputs: a list, or the one expression

    @property
    def n(self) -> int:
        return len(self.inputs)

    @property
    def m(self) -> int:
        return len(self.outputs())

    def outputs(self) -> list:
        built = self.build(SYM["x"], SYM["y"], SYM["z"])
        return list(built) if isinstance(built, (list, tuple)) else [built]

    def problem(self, wrt=(), several: bool = False):
        return problem(self.text, at=self.at, wrt=wrt, several=several)

    def at_args(self) -> list:
        return at_args(self.at)


def at_args(points) -> list:
    """``("x=1", "y=2")`` -> ``["--at", "x=1", "--at", "y=2"]``."""
    return [arg for a in points for arg in ("--at", a)]


@functools.lru_cache(maxsize=None)
def reference(case: Case) -> tuple[list, list]:
    """(values, Jacobian m x n over case.inputs) of the SymPy outputs at 30 digits,
    at the very point adcli parsed (its floats, converted exactly)."""
    point = case.problem(several=True).point  # one output or several: the same point
    subs = {SYM[k]: sp.Rational(v) for k, v in point.items()}

    def at(e):
        return float(sp.sympify(e).xreplace(subs).evalf(30))

    outputs = case.outputs()
    return ([at(e) for e in outputs],
            [[at(sp.diff(e, SYM[v])) for v in case.inputs] for e in outputs])


def probes(names, dense=DENSE) -> list:
    """``(id, vector)``: the unit vector along each name, then a dense one."""
    k = len(names)
    return [("e" + str(name), tuple(float(i == j) for j in range(k)))
            for i, name in enumerate(names)] + [("dense", tuple(dense[:k]))]


def probe_params(cases, probes_of=lambda case: probes(case.inputs)) -> list:
    """``(case, vector)`` parameters, one per probe of each case, named ``case-probe``."""
    return [pytest.param(c, v, id=f"{c.id}-{name}") for c in cases
            for name, v in probes_of(c)]


def times(matrix, v) -> list:
    """matrix · v."""
    return [sum(row[j] * v[j] for j in range(len(v))) for row in matrix]


def scale_of(matrix) -> float:
    """The floor scale of :func:`assert_close` for entries of ``matrix``."""
    return max([1.0] + [abs(a) for row in matrix for a in row])


def stdout_of(run, *args) -> str:
    """What ``adcli ARGS`` prints, which must be something, with exit 0 and no stderr."""
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "" and result.stdout.strip()
    return result.stdout


def json_of(run, *args) -> dict:
    """The one JSON line of ``adcli ARGS --format json``."""
    out = stdout_of(run, *args, "--format", "json")
    assert out.count("\n") == 1
    return json.loads(out)


def sweeps_fixture(*modules):
    """A ``sweeps`` fixture: the counts of :func:`count_sweeps` over ``modules``."""
    @pytest.fixture
    def sweeps(monkeypatch):
        return count_sweeps(monkeypatch, *modules)

    return sweeps


def griewank_minimum(n: int, s: int) -> int:
    """Forward steps of Griewank's binomial schedule (Revolve), from the paper's
    formula: r the least with n <= C(s + r, s), then r*n - C(s + r, s + 1)."""
    import math

    r = 0
    while math.comb(s + r, s) < n:
        r += 1
    return r * n - math.comb(s + r, s + 1) if n > 1 else 0


def periodic_steps(n: int, k: int) -> int:
    """Forward steps of a snapshot every k steps: the first pass to the last
    snapshot, then each segment recomputed once but for its last step."""
    starts = list(range(0, n, k))
    return starts[-1] + sum(min(k, n - start) - 1 for start in starts)
