"""All four modes agree, and agree with mpmath, on many random formulas.

A seeded generator builds small expression trees over x and y.  Each tree is
rendered twice: to the formula text adcli parses, and to an mpmath closure
(by the small interpreter below) whose gradient ``mpmath.diff`` computes at 50
digits.  So the reference never goes through adcli.  Domains are kept safe by
construction (``log(1 + A**2)``, ``A / (2 + cos(B))``) and by guards that
reject points near a singularity, a branch cut or a branch boundary.
"""

from __future__ import annotations

import random

import mpmath
import pytest

from adcli.api import differentiate
from support import close

mp = mpmath
DPS = 50
SEED = 20240611
N_RANDOM = 300
MAX_DEPTH = 5

EXACT = dict(rel=1e-10, abs_=1e-12)       # forward, reverse, symbolic, reference
NUMERICAL = dict(rel=1e-5, abs_=1e-7)     # central differences


# -- random trees --------------------------------------------------------------
# A tree is a tuple: ("var", name), ("num", value) or (kind, *children), where
# pow/inv carry an integer exponent as their last element.

SMOOTH = ("sin", "cos", "atan", "tanh", "erf", "sigmoid", "softplus")
GUARDED = ("exp", "sinh", "cosh", "tan")
WRAPPED = ("log", "sqrt")
BINARY = {"add": "+", "sub": "-", "mul": "*"}


class Reject(Exception):
    """The point is too close to where the formula misbehaves; draw again."""


def render(t) -> str:
    kind = t[0]
    if kind == "var":
        return t[1]
    if kind == "num":
        return repr(t[1])
    a = render(t[1]) if len(t) > 1 and isinstance(t[1], tuple) else None
    if kind in BINARY:
        return f"({a} {BINARY[kind]} {render(t[2])})"
    if kind == "neg":
        return f"(-{a})"
    if kind == "div":
        return f"({a} / (2 + cos({render(t[2])})))"
    if kind == "pow":
        return f"({a})**{t[2]}"
    if kind == "inv":
        return f"(1 + ({a})**2)**-{t[2]}"
    if kind == "log":
        return f"log(1 + ({a})**2)"
    if kind == "sqrt":
        return f"sqrt(2 + ({a})**2)"
    if kind in ("hypot", "atan2"):
        return f"{kind}({a}, {render(t[2])})"
    if kind == "if":
        return f"({render(t[2])} if {a} > 0 else {render(t[3])})"
    return f"{kind}({a})"


def value(t, env, guard=False):
    """The tree's value in mpmath; with ``guard``, refuse unsafe points."""
    kind = t[0]
    if kind == "var":
        return env[t[1]]
    if kind == "num":
        return mp.mpf(t[1])
    if kind == "if":
        test = value(t[1], env, guard)
        if guard and abs(test) < 0.05:
            raise Reject
        return value(t[2] if test > 0 else t[3], env, guard)
    a = value(t[1], env, guard)
    if kind in ("pow", "inv"):
        return a ** t[2] if kind == "pow" else (1 + a * a) ** -t[2]
    if kind in BINARY or kind in ("div", "hypot", "atan2"):
        b = value(t[2], env, guard)
        if kind == "add":
            return a + b
        if kind == "sub":
            return a - b
        if kind == "mul":
            return a * b
        if kind == "div":
            return a / (2 + mp.cos(b))
        if guard and mp.sqrt(a * a + b * b) < 0.1:
            raise Reject
        if kind == "hypot":
            return mp.sqrt(a * a + b * b)
        if guard and b < 0 and abs(a) < 0.1:  # the branch cut of atan2
            raise Reject
        return mp.atan2(a, b)
    if guard and kind in ("exp", "sinh", "cosh") and abs(a) > 20:
        raise Reject
    if guard and kind == "tan" and abs(mp.cos(a)) < 0.2:
        raise Reject
    return {
        "neg": lambda: -a,
        "sin": lambda: mp.sin(a), "cos": lambda: mp.cos(a), "tan": lambda: mp.tan(a),
        "atan": lambda: mp.atan(a), "tanh": lambda: mp.tanh(a), "erf": lambda: mp.erf(a),
        "exp": lambda: mp.exp(a), "sinh": lambda: mp.sinh(a), "cosh": lambda: mp.cosh(a),
        "sigmoid": lambda: 1 / (1 + mp.exp(-a)),
        "softplus": lambda: mp.log(1 + mp.exp(a)),
        "log": lambda: mp.log(1 + a * a),
        "sqrt": lambda: mp.sqrt(2 + a * a),
    }[kind]()


def variables(t) -> set:
    if t[0] == "var":
        return {t[1]}
    return set().union(*(variables(c) for c in t[1:] if isinstance(c, tuple)))


def random_tree(rng: random.Random, depth: int):
    if depth == 0 or rng.random() < 0.2:
        if rng.random() < 0.8:
            return ("var", rng.choice("xy"))
        return ("num", rng.choice([0.5, 1.5, 2, 3, 0.25]))
    sub = lambda: random_tree(rng, depth - 1)  # noqa: E731
    roll = rng.random()
    if roll < 0.35:
        return (rng.choice(list(BINARY)), sub(), sub())
    if roll < 0.45:
        return ("div", sub(), sub())
    if roll < 0.52:
        return (rng.choice(["pow", "inv"]), sub(), rng.choice([2, 3]))
    if roll < 0.62:
        return (rng.choice(["hypot", "atan2"]), sub(), sub())
    if roll < 0.66:
        return ("if", sub(), sub(), sub())
    if roll < 0.69:
        return ("neg", sub())
    return (rng.choice(SMOOTH + GUARDED + WRAPPED), sub())


def gradient_reference(t, point: dict) -> tuple:
    """Value and gradient of the tree by mpmath.diff at 50 digits."""
    names = sorted(point)
    with mp.workdps(DPS):
        args = tuple(mp.mpf(point[n]) for n in names)

        def f(*xs):
            return value(t, dict(zip(names, xs)))

        grad = {n: mp.diff(f, args, tuple(int(i == k) for i in range(len(names))))
                for k, n in enumerate(names)}
        return f(*args), grad


def random_cases(n: int, seed: int) -> list:
    """``n`` safe (formula, point, reference) cases, the same on every run."""
    rng = random.Random(seed)
    found, seen = [], set()
    while len(found) < n:
        t = random_tree(rng, rng.randint(2, MAX_DEPTH))
        text = render(t)
        if variables(t) != {"x", "y"} or text in seen:
            continue
        point = {"x": round(rng.uniform(-2, 2), 4), "y": round(rng.uniform(-2, 2), 4)}
        try:
            with mp.workdps(DPS):
                value(t, {k: mp.mpf(v) for k, v in point.items()}, guard=True)
        except Reject:
            continue
        reference = gradient_reference(t, point)
        v, grad = reference
        if abs(v) > 1e3 or any(abs(g) > 1e4 for g in grad.values()):
            continue
        seen.add(text)
        found.append(pytest.param(text, point, reference, id=f"{len(found)}:{text}"))
    return found


# -- hand-written formulas with conditionals -------------------------------------

CONDITIONALS = [
    ("x**2 if x > 0 else -x", lambda x: x**2 if x > 0 else -x,
     [{"x": 1.3}, {"x": -0.7}, {"x": 0.25}, {"x": -2.0}]),
    ("sin(x)*y if x < y else cos(y) - x",
     lambda x, y: mp.sin(x) * y if x < y else mp.cos(y) - x,
     [{"x": 0.5, "y": 1.2}, {"x": 1.5, "y": -0.3}, {"x": -1.0, "y": -0.8}]),
    ("exp(x) if x*y > 1 else x*y**2",
     lambda x, y: mp.exp(x) if x * y > 1 else x * y**2,
     [{"x": 2.0, "y": 1.0}, {"x": 0.5, "y": 1.0}, {"x": -1.5, "y": -1.0}]),
    ("x**3 if 0 < x < 1 else log(1 + x**2)",
     lambda x: x**3 if 0 < x < 1 else mp.log(1 + x**2),
     [{"x": 0.5}, {"x": 1.5}, {"x": -0.5}]),
    ("(x + y if x > 0 and y > 0 else x - y) * sigmoid(x)",
     lambda x, y: (x + y if x > 0 and y > 0 else x - y) / (1 + mp.exp(-x)),
     [{"x": 0.7, "y": 1.1}, {"x": 0.7, "y": -1.1}, {"x": -0.4, "y": 0.9}]),
    ("hypot(x, y) if not x > y else atan2(y, x)",
     lambda x, y: mp.sqrt(x**2 + y**2) if not x > y else mp.atan2(y, x),
     [{"x": 0.3, "y": 1.7}, {"x": 1.7, "y": 0.3}, {"x": 1.0, "y": -1.2}]),
    ("(x if x > 0 else -x) * (y**2 if y < 1 else 2*y - 1)",
     lambda x, y: (x if x > 0 else -x) * (y**2 if y < 1 else 2 * y - 1),
     [{"x": 1.2, "y": 0.4}, {"x": -1.2, "y": 1.6}, {"x": -0.3, "y": -2.0}]),
]


def conditional_cases() -> list:
    cases = []
    for text, f, points in CONDITIONALS:
        for point in points:
            names = list(point)
            with mp.workdps(DPS):
                args = tuple(mp.mpf(point[n]) for n in names)
                grad = {n: mp.diff(f, args, tuple(int(i == k) for i in range(len(names))))
                        for k, n in enumerate(names)}
                reference = (f(*args), grad)
            shown = ",".join(f"{n}={v}" for n, v in point.items())
            cases.append(pytest.param(text, point, reference, id=f"{text}@{shown}"))
    return cases


# -- the test ------------------------------------------------------------------

def check_agreement(text: str, point: dict, reference: tuple) -> None:
    at = [f"{n}={v!r}" for n, v in point.items()]
    results = {mode: differentiate(text, at, mode=mode)
               for mode in ("reverse", "forward", "symbolic", "numerical")}
    ref_value, ref_grad = reference
    reverse = results["reverse"]
    for mode, result in results.items():
        assert set(result.gradient) == set(point), (mode, result.gradient)
        assert close(result.value, ref_value, **EXACT), (mode, result.value, ref_value)
        tol = NUMERICAL if mode == "numerical" else EXACT
        for name, g in result.gradient.items():
            assert close(g, reverse.gradient[name], **tol), \
                (mode, name, g, "reverse:", reverse.gradient[name])
    for name, g in reverse.gradient.items():
        assert close(g, ref_grad[name], **EXACT), (name, g, "mpmath:", ref_grad[name])


RANDOM_CASES = random_cases(N_RANDOM, SEED)


def test_enough_random_formulas():
    assert len(RANDOM_CASES) >= 100
    texts = [p.values[0] for p in RANDOM_CASES]
    assert sum(" if " in t for t in texts) >= 5


@pytest.mark.parametrize("text, point, reference", RANDOM_CASES)
def test_random_formula_all_modes_agree(text, point, reference):
    check_agreement(text, point, reference)


@pytest.mark.parametrize("text, point, reference", conditional_cases())
def test_conditional_formula_all_modes_agree(text, point, reference):
    check_agreement(text, point, reference)
