"""The formula language: precedence, functions, conditionals, sharing, errors.

Expected values are always computed by Python written out by hand in this file
(a lambda per case, or a tree evaluated with ``operator``); nothing here is
``eval``-ed.
"""

from __future__ import annotations

import math
import operator

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from adcli.language import parser as parser_module
from adcli.api import differentiate
from adcli.errors import MathError, ParseError
from adcli.ops import SURFACE, VARIADIC
from adcli.language.parser import parse
from adcli.tape.record import record
from support import close

POINTS = [(1.5, 2.0, 0.5), (0.7, 1.3, 2.2), (2.0, 3.0, 1.25), (3.0, 0.25, 4.0)]


def value(text: str, x: float = 0.0, y: float = 0.0, z: float = 0.0, mode="reverse"):
    """adcli's value of ``text``, giving only the variables the formula has."""
    names = parse(text).variables
    at = [f"{name}={val!r}" for name, val in (("x", x), ("y", y), ("z", z)) if name in names]
    return differentiate(text, at, mode=mode).value


#: Tolerance of adcli's values against Python's.
TOL = dict(rel=1e-12, abs_=1e-300)


# --------------------------------------------------------------------------
# Precedence and associativity, against Python's own rules written by hand
# --------------------------------------------------------------------------

PRECEDENCE = [
    ("-x**2", lambda x, y, z: -(x ** 2)),
    ("-x^2", lambda x, y, z: -(x ** 2)),
    ("2**-x", lambda x, y, z: 2 ** (-x)),
    ("2**3**2", lambda x, y, z: 2 ** (3 ** 2)),
    ("(2**3)**2", lambda x, y, z: (2 ** 3) ** 2),
    ("x**y**z", lambda x, y, z: x ** (y ** z)),
    ("x^y^z", lambda x, y, z: x ** (y ** z)),
    ("x^y**z", lambda x, y, z: x ** (y ** z)),
    ("(x**y)**z", lambda x, y, z: (x ** y) ** z),
    ("x-y-z", lambda x, y, z: (x - y) - z),
    ("x-(y-z)", lambda x, y, z: x - (y - z)),
    ("x/y/z", lambda x, y, z: (x / y) / z),
    ("x/(y/z)", lambda x, y, z: x / (y / z)),
    ("x/y*z", lambda x, y, z: (x / y) * z),
    ("x-y+z", lambda x, y, z: (x - y) + z),
    ("-x*y", lambda x, y, z: (-x) * y),
    ("x*-y", lambda x, y, z: x * (-y)),
    ("x - -y", lambda x, y, z: x - (-y)),
    ("x**-y**2", lambda x, y, z: x ** (-(y ** 2))),
    ("-x**-y", lambda x, y, z: -(x ** (-y))),
    ("x**2**-1", lambda x, y, z: x ** (2 ** (-1))),
    ("x+y*z**2/x-y", lambda x, y, z: (x + ((y * (z ** 2)) / x)) - y),
    ("x**y*z", lambda x, y, z: (x ** y) * z),
    ("x*y**z", lambda x, y, z: x * (y ** z)),
    ("1/x**2", lambda x, y, z: 1 / (x ** 2)),
    ("2*x**3/4", lambda x, y, z: ((2 * (x ** 3)) / 4)),
    ("-(x+y)*z", lambda x, y, z: (-(x + y)) * z),
    ("x*(y+z)**2", lambda x, y, z: x * ((y + z) ** 2)),
    ("(-x)**2", lambda x, y, z: (-x) ** 2),
    ("-2**2", lambda x, y, z: -(2 ** 2)),
    ("(-2)**2", lambda x, y, z: (-2) ** 2),
    ("2**-1", lambda x, y, z: 2 ** (-1)),
    ("((x+y))*z", lambda x, y, z: (x + y) * z),
    ("(((x)))", lambda x, y, z: x),
    ("((x+(y*(z-(x/(y+1))))))", lambda x, y, z: x + (y * (z - (x / (y + 1))))),
    ("(x+y)*(y-z)/(x*z)", lambda x, y, z: ((x + y) * (y - z)) / (x * z)),
    ("--x", lambda x, y, z: x),
    ("-+-x", lambda x, y, z: x),
    ("+x", lambda x, y, z: x),
    ("- - -x", lambda x, y, z: -x),
    ("---x**2", lambda x, y, z: -(x ** 2)),
    ("+-+x*y", lambda x, y, z: (-x) * y),
    ("x - y*z + x/y - z**x", lambda x, y, z: ((x - (y * z)) + (x / y)) - (z ** x)),
    (".5*x + 1e-3*y - 2E+1/z", lambda x, y, z: ((0.5 * x) + (1e-3 * y)) - (2e1 / z)),
    ("2.5*x - 1.e1 + 00.5", lambda x, y, z: ((2.5 * x) - 10.0) + 0.5),
    ("x\n  + y\t* z", lambda x, y, z: x + (y * z)),
]


@pytest.mark.parametrize("text,expected", PRECEDENCE, ids=[t for t, _ in PRECEDENCE])
def test_precedence_matches_python(text, expected):
    for x, y, z in POINTS:
        got = value(text, x, y, z)
        want = expected(x, y, z)
        assert close(got, want, **TOL), \
            f"{text} at x={x}, y={y}, z={z}: adcli {got}, Python {want}"


def test_precedence_cases_are_not_vacuous():
    # Sanity of the table itself: the associativity cases must actually
    # distinguish the two readings at some point, or they prove nothing.
    for x, y, z in POINTS[:1]:
        assert value("x-y-z", x, y, z) != value("x-(y-z)", x, y, z)
        assert value("x/y/z", x, y, z) != value("x/(y/z)", x, y, z)
        assert value("x**y**z", x, y, z) != value("(x**y)**z", x, y, z)
        assert value("-x**2", x, y, z) != value("(-x)**2", x, y, z)


# --------------------------------------------------------------------------
# Random arithmetic trees, rendered with minimal parentheses
# --------------------------------------------------------------------------

# Tree nodes: ("var", name) | ("num", text, value) | ("neg", t) | (op, left, right)
_PREC = {"+": 10, "-": 10, "*": 20, "/": 20, "neg": 30, "**": 40}
_LEAF = 100
_APPLY = {"+": operator.add, "-": operator.sub, "*": operator.mul,
          "/": operator.truediv, "**": operator.pow}
_NUMBERS = [("1", 1.0), ("2", 2.0), ("3", 3.0), ("0.5", 0.5), ("2.5", 2.5), (".5", 0.5),
            ("1e-3", 1e-3), ("2E+1", 20.0), ("10", 10.0), ("1.25", 1.25)]


def _prec(tree) -> int:
    return _LEAF if tree[0] in ("var", "num") else _PREC[tree[0]]


def render(tree, caret: bool = False) -> str:
    """Text with the fewest parentheses Python's grammar needs for this tree."""
    kind = tree[0]
    if kind == "var":
        return tree[1]
    if kind == "num":
        return tree[1]
    if kind == "neg":
        inner = tree[1]
        text = render(inner, caret)
        # factor: '-' factor | power -- a power or another sign needs no parentheses
        return "-" + (f"({text})" if _prec(inner) < _PREC["neg"] else text)
    left, right = tree[1], tree[2]
    prec = _PREC[kind]
    ltext, rtext = render(left, caret), render(right, caret)
    if kind == "**":
        # power: primary '**' factor -- right-associative; the right operand may be
        # signed (2**-x) but the left one may not ((-x)**2 needs its parentheses).
        if _prec(left) <= prec:
            ltext = f"({ltext})"
        if not (right[0] == "neg" or _prec(right) >= prec):
            rtext = f"({rtext})"
        symbol = "^" if caret else "**"
        return f"{ltext}{symbol}{rtext}"
    if _prec(left) < prec:
        ltext = f"({ltext})"
    if _prec(right) <= prec:  # left-associative: a-(b-c) keeps its parentheses
        rtext = f"({rtext})"
    return f"{ltext} {kind} {rtext}"


class Undefined(Exception):
    pass


def evaluate(tree, env: dict) -> float:
    """The tree's own value in Python floats; Undefined where Python fails."""
    kind = tree[0]
    if kind == "var":
        return env[tree[1]]
    if kind == "num":
        return tree[2]
    try:
        if kind == "neg":
            out = -evaluate(tree[1], env)
        else:
            out = _APPLY[kind](evaluate(tree[1], env), evaluate(tree[2], env))
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        raise Undefined(str(exc)) from None
    if isinstance(out, complex) or not math.isfinite(out):
        raise Undefined(repr(out))
    return out


_leaves = st.one_of(st.sampled_from(["x", "y", "z"]).map(lambda n: ("var", n)),
                    st.sampled_from(_NUMBERS).map(lambda p: ("num", p[0], p[1])))


def _extend(children):
    return st.one_of(
        children.map(lambda t: ("neg", t)),
        st.tuples(st.sampled_from(["+", "-", "*", "/", "**"]), children, children),
    )


trees = st.recursive(_leaves, _extend, max_leaves=12)


def _adcli_value(text: str, env: dict) -> float:
    names = parse(text).variables
    at = [f"{n}={env[n]!r}" for n in names]
    try:
        return differentiate(text, at).value
    except MathError as exc:
        # The value exists (Python computed it) but a partial does not, e.g.
        # x**y at x = 0 (log 0) or x**0.5 at 0: compare the value alone then.
        assert "derivative" in exc.message, (text, exc.message)
        graph = parse(text)
        return float(record(graph, {n: env[n] for n in names}, partials=False).value)


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(trees, st.sampled_from(POINTS + [(-1.5, 2.0, -0.5), (-2.0, -3.0, 0.75)]),
       st.booleans())
def test_random_trees_match_python(tree, point, caret):
    env = dict(zip("xyz", point))
    try:
        want = evaluate(tree, env)
    except Undefined:
        assume(False)
        return
    text = render(tree, caret)
    got = _adcli_value(text, env)
    assert close(got, want, **TOL), f"{text!r} at {env}: adcli {got!r}, Python {want!r}"


def test_renderer_is_minimal_and_right():
    # The oracle's own renderer, checked on cases whose Python reading is known.
    neg_x = ("neg", ("var", "x"))
    assert render(("**", neg_x, ("num", "2", 2.0))) == "(-x)**2"
    assert render(("neg", ("**", ("var", "x"), ("num", "2", 2.0)))) == "-x**2"
    assert render(("**", ("num", "2", 2.0), neg_x)) == "2**-x"
    assert render(("-", ("var", "x"), ("-", ("var", "y"), ("var", "z")))) == "x - (y - z)"
    assert render(("-", ("-", ("var", "x"), ("var", "y")), ("var", "z"))) == "x - y - z"
    assert render(("**", ("**", ("var", "x"), ("var", "y")), ("var", "z"))) == "(x**y)**z"
    assert render(("**", ("var", "x"), ("**", ("var", "y"), ("var", "z")))) == "x**y**z"


# --------------------------------------------------------------------------
# ^ and **, functions, arities, constants
# --------------------------------------------------------------------------

@pytest.mark.parametrize("a,b", [("x^2", "x**2"), ("x^y^z", "x**y**z"), ("-x^2", "-x**2"),
                                 ("2^-x", "2**-x"), ("(x+y)^(z-1)", "(x+y)**(z-1)"),
                                 ("pow(x, y)", "x**y")])
def test_caret_is_power(a, b):
    for x, y, z in POINTS:
        assert value(a, x, y, z) == value(b, x, y, z)
    # Same graph, not merely the same number.
    assert parse(a).nodes == parse(b).nodes or a.startswith("pow")


FUNCTIONS = [
    ("sin(x)", lambda x, y, z: math.sin(x)),
    ("cos(x)", lambda x, y, z: math.cos(x)),
    ("tan(x)", lambda x, y, z: math.tan(x)),
    ("asin(x/5)", lambda x, y, z: math.asin(x / 5)),
    ("acos(x/5)", lambda x, y, z: math.acos(x / 5)),
    ("atan(x)", lambda x, y, z: math.atan(x)),
    ("sinh(x)", lambda x, y, z: math.sinh(x)),
    ("cosh(x)", lambda x, y, z: math.cosh(x)),
    ("tanh(x)", lambda x, y, z: math.tanh(x)),
    ("asinh(x)", lambda x, y, z: math.asinh(x)),
    ("acosh(x+1)", lambda x, y, z: math.acosh(x + 1)),
    ("atanh(x/5)", lambda x, y, z: math.atanh(x / 5)),
    ("exp(x)", lambda x, y, z: math.exp(x)),
    ("log(x)", lambda x, y, z: math.log(x)),
    ("ln(x)", lambda x, y, z: math.log(x)),
    ("log2(x)", lambda x, y, z: math.log2(x)),
    ("log10(x)", lambda x, y, z: math.log10(x)),
    ("log(x, y)", lambda x, y, z: math.log(x) / math.log(y)),
    ("log(8, 2)", lambda x, y, z: 3.0),
    ("log(x, 10)", lambda x, y, z: math.log(x) / math.log(10)),
    ("sqrt(x)", lambda x, y, z: math.sqrt(x)),
    ("cbrt(-x)", lambda x, y, z: -(x ** (1 / 3))),
    ("abs(y - x)", lambda x, y, z: abs(y - x)),
    ("sign(z - x)", lambda x, y, z: (z > x) - (z < x)),
    ("atan2(y, x)", lambda x, y, z: math.atan2(y, x)),
    ("atan2(-y, x)", lambda x, y, z: math.atan2(-y, x)),
    ("hypot(x, y)", lambda x, y, z: math.hypot(x, y)),
    ("min(x, y)", lambda x, y, z: min(x, y)),
    ("max(x, y)", lambda x, y, z: max(x, y)),
    ("min(x, y, z)", lambda x, y, z: min(x, y, z)),
    ("max(x, y, z)", lambda x, y, z: max(x, y, z)),
    ("max(x, y, z, 1, -x)", lambda x, y, z: max(x, y, z, 1, -x)),
    ("min(z, y, x, 0.6)", lambda x, y, z: min(z, y, x, 0.6)),
    ("pow(x, y)", lambda x, y, z: x ** y),
    ("pow(x, -2)", lambda x, y, z: x ** -2),
    ("erf(x)", lambda x, y, z: math.erf(x)),
    ("erfc(x)", lambda x, y, z: math.erfc(x)),
    ("sigmoid(x)", lambda x, y, z: 1 / (1 + math.exp(-x))),
    ("sigmoid(-x)", lambda x, y, z: 1 / (1 + math.exp(x))),
    ("relu(x - y)", lambda x, y, z: max(x - y, 0.0)),
    ("softplus(x)", lambda x, y, z: math.log1p(math.exp(x))),
    ("pi", lambda x, y, z: math.pi),
    ("e", lambda x, y, z: math.e),
    ("2*pi*x", lambda x, y, z: 2 * math.pi * x),
    ("e**x", lambda x, y, z: math.e ** x),
    ("sin(pi/6)", lambda x, y, z: math.sin(math.pi / 6)),
    ("sin(cos(tan(x)))", lambda x, y, z: math.sin(math.cos(math.tan(x)))),
    ("exp(-x**2/2)", lambda x, y, z: math.exp(-(x ** 2) / 2)),
]


@pytest.mark.parametrize("text,expected", FUNCTIONS, ids=[t for t, _ in FUNCTIONS])
def test_functions(text, expected):
    for x, y, z in POINTS:
        got, want = value(text, x, y, z), expected(x, y, z)
        assert close(got, want, **TOL), f"{text} at {x, y, z}: adcli {got}, Python {want}"


def test_ln_is_log():
    assert parse("ln(x)").nodes == parse("log(x)").nodes
    for x, _, _ in POINTS:
        a = differentiate("ln(x)", [f"x={x}"])
        b = differentiate("log(x)", [f"x={x}"])
        assert (a.value, a.gradient) == (b.value, b.gradient)


def test_constants_are_not_variables():
    g = parse("pi*x + e")
    assert set(g.variables) == {"x"}
    assert value("pi") == math.pi and value("e") == math.e
    # E is not e: names are case-sensitive, so E is a variable.
    assert set(parse("E").variables) == {"E"}


def _wrong_arities(name: str) -> list[int]:
    arities = SURFACE[name]
    if name in VARIADIC:
        return [0, 1]
    return [n for n in range(0, 4) if n not in arities]


WRONG_ARITY = [(name, n) for name in SURFACE for n in _wrong_arities(name)]


@pytest.mark.parametrize("name,n", WRONG_ARITY, ids=[f"{a}/{n}" for a, n in WRONG_ARITY])
def test_wrong_arity_names_the_function(name, n):
    args = ", ".join(["x", "y", "z"][:n])
    text = f"1 + {name}({args})"
    with pytest.raises(ParseError) as info:
        parse(text)
    err = info.value
    assert name in err.message
    assert "argument" in err.message
    assert err.column == 4  # at the function name


def test_all_functions_callable_with_their_arities():
    # Every documented name exists with the documented arities.
    expected = {"sin": {1}, "cos": {1}, "tan": {1}, "asin": {1}, "acos": {1}, "atan": {1},
                "sinh": {1}, "cosh": {1}, "tanh": {1}, "asinh": {1}, "acosh": {1},
                "atanh": {1}, "exp": {1}, "log": {1, 2}, "ln": {1}, "log2": {1},
                "log10": {1}, "sqrt": {1}, "cbrt": {1}, "abs": {1}, "sign": {1},
                "atan2": {2}, "hypot": {2}, "min": {2}, "max": {2}, "pow": {2},
                "erf": {1}, "erfc": {1}, "sigmoid": {1}, "relu": {1}, "softplus": {1}}
    for name, arities in expected.items():
        for n in arities:
            args = ", ".join(["x", "y"][:n])
            parse(f"{name}({args})")  # must not raise


# --------------------------------------------------------------------------
# Conditionals
# --------------------------------------------------------------------------

CONDITIONALS = [
    ("x if x > 0 else -x", lambda x, y, z: x if x > 0 else -x),
    ("1 if 0 < x < 1 else 0", lambda x, y, z: 1 if 0 < x < 1 else 0),
    ("1 if 0 < x < y < 3 else 0", lambda x, y, z: 1 if 0 < x < y < 3 else 0),
    ("1 if x <= y >= z else 0", lambda x, y, z: 1 if x <= y >= z else 0),
    ("1 if x == y else 0", lambda x, y, z: 1 if x == y else 0),
    ("1 if x != y else 0", lambda x, y, z: 1 if x != y else 0),
    ("1 if x > 0 and y > 0 else 0", lambda x, y, z: 1 if x > 0 and y > 0 else 0),
    ("1 if x > 0 or y > 0 else 0", lambda x, y, z: 1 if x > 0 or y > 0 else 0),
    ("1 if not x > 0 else 0", lambda x, y, z: 1 if not x > 0 else 0),
    ("1 if not x > 0 and y > 0 else 0", lambda x, y, z: 1 if (not x > 0) and y > 0 else 0),
    ("1 if not (x > 0 and y > 0) else 0", lambda x, y, z: 1 if not (x > 0 and y > 0) else 0),
    ("1 if x > 0 or y > 0 and z > 0 else 0",
     lambda x, y, z: 1 if (x > 0) or (y > 0 and z > 0) else 0),
    ("1 if (x > 0 or y > 0) and z > 0 else 0",
     lambda x, y, z: 1 if (x > 0 or y > 0) and z > 0 else 0),
    ("1 if x > 0 else 2 if y > 0 else 3",
     lambda x, y, z: 1 if x > 0 else (2 if y > 0 else 3)),
    ("(1 if x > 0 else 2) if y > 0 else 3",
     lambda x, y, z: (1 if x > 0 else 2) if y > 0 else 3),
    ("x if x > y else y if y > z else z",
     lambda x, y, z: x if x > y else (y if y > z else z)),
    ("x + 1 if x > 0 else 2", lambda x, y, z: (x + 1) if x > 0 else 2),
    ("x + (1 if x > 0 else 2)", lambda x, y, z: x + (1 if x > 0 else 2)),
    ("sin(x if x > y else y)", lambda x, y, z: math.sin(x if x > y else y)),
    ("max(x if z > 1 else y, z)", lambda x, y, z: max(x if z > 1 else y, z)),
    ("1 if x*y > z**2 else -1", lambda x, y, z: 1 if x * y > z ** 2 else -1),
    ("1 if -x < -y else 0", lambda x, y, z: 1 if -x < -y else 0),
]

COND_POINTS = POINTS + [(-1.0, 2.0, 3.0), (0.5, -1.0, -2.0), (-1.0, -1.0, -1.0),
                        (2.0, 2.0, 0.5), (0.0, 0.5, 2.0)]


@pytest.mark.parametrize("text,expected", CONDITIONALS, ids=[t for t, _ in CONDITIONALS])
def test_conditionals(text, expected):
    outcomes = set()
    for x, y, z in COND_POINTS:
        want = float(expected(x, y, z))
        outcomes.add(want)
        for mode in ("reverse", "forward"):
            got = value(text, x, y, z, mode)
            assert close(got, want, **TOL), \
                f"{text} at {x, y, z} ({mode}): adcli {got}, Python {want}"
    assert len(outcomes) > 1, f"{text}: the points never change the branch"


@pytest.mark.parametrize("text,point,expected,slope", [
    ("log(x) if x > 0 else 0", "x=-1", 0.0, 0.0),
    ("sqrt(x) if x >= 0 else sqrt(-x)", "x=-4", 2.0, -0.25),
    ("1/x if x != 0 else 0", "x=0", 0.0, 0.0),
    ("1 if x > 0 and log(x) < 1 else 0", "x=-1", 0.0, 0.0),
    ("1 if x < 0 or log(x) < 1 else 0", "x=-1", 1.0, 0.0),
    ("0 if x <= 0 else acos(x)", "x=-3", 0.0, 0.0),
    ("x**2 if x < 0 else log(x)", "x=-3", 9.0, -6.0),
])
def test_only_executed_branch_matters(text, point, expected, slope):
    for mode in ("reverse", "forward"):
        d = differentiate(text, [point], mode=mode)
        assert d.value == expected
        assert d.gradient["x"] == slope


def test_not_executed_branch_would_fail():
    # The control: the other branch really is undefined there.
    with pytest.raises(MathError):
        differentiate("log(x) if x < 0 else 0", ["x=-1"])


def test_gradient_through_conditional():
    d = differentiate("x**2 if x > 0 else -x**3", ["x=3"])
    assert d.gradient["x"] == 6.0
    d = differentiate("x**2 if x > 0 else -x**3", ["x=-2"])
    assert d.gradient["x"] == -12.0


# --------------------------------------------------------------------------
# Hash-consing
# --------------------------------------------------------------------------

def _kinds(g) -> list[str]:
    return [kind for kind, _args, _data in g.nodes]


def test_hash_consing_sin():
    g = parse("sin(x)*sin(x)")
    assert _kinds(g).count("sin") == 1
    assert _kinds(g).count("var") == 1
    kind, args, _ = g.nodes[g.output]
    assert kind == "mul" and args[0] == args[1]
    assert g.nodes[args[0]][0] == "sin"


def test_hash_consing_square():
    g = parse("x*x")
    muls = [n for n in g.nodes if n[0] == "mul"]
    assert len(muls) == 1
    _kind, (a, b), _ = muls[0]
    assert a == b and g.nodes[a] == ("var", (), "x")
    assert g.variables == {"x": a}


def test_hash_consing_structure():
    g = parse("(x+y)*(x+y) + (x+y)")
    assert _kinds(g).count("add") == 2  # x+y once, and the outer +
    assert _kinds(g).count("var") == 2
    # Spacing and redundant parentheses do not create new nodes.
    assert parse("((x + y))*( x+y )").nodes == parse("(x+y)*(x+y)").nodes
    # But different expressions stay different: x-y is not y-x.
    assert _kinds(parse("(x-y)*(y-x)")).count("sub") == 2
    # The derivative of a shared node is counted once per use.
    d = differentiate("sin(x)*sin(x)", ["x=0.7"])
    assert close(d.gradient["x"], 2 * math.sin(0.7) * math.cos(0.7), **TOL)


def test_graph_arguments_precede_nodes():
    g = parse("sin(x)*cos(y) + x**2 if x > y else log(y)")
    for i, (_kind, args, _data) in enumerate(g.nodes):
        assert all(a < i for a in args)
    assert 0 <= g.output < len(g.nodes)


# --------------------------------------------------------------------------
# Errors: ParseError with a column and a useful message
# --------------------------------------------------------------------------

ERRORS = [
    # (text, column, substrings the message must contain)
    ("2x", 1, ["*"]),
    ("x y", 2, ["*", "implicit"]),
    ("2 x", 2, ["*"]),
    ("2(x+1)", 1, ["*"]),
    ("(x)(y)", 3, ["*"]),
    ("2sin(x)", 1, ["*"]),
    ("2 pi", 2, ["*"]),
    ("x(2)", 0, ["*"]),
    ("x − 1", 2, ["U+2212", "\u2212"]),
    ("x×2", 1, ["U+00D7"]),
    ("x²", 1, ["U+00B2"]),
    ("x ≤ y", 2, ["U+2264"]),
    ("а + 1", 0, ["U+0430", "CYRILLIC"]),
    ("x + ｙ", 4, ["U+FF59"]),
    ("x y − 1", 2, ["*"]),           # the leftmost problem first
    ("x − 1 y", 2, ["U+2212"]),
    ("sin(x", 0, ["sin", "unclosed"]),
    ("(x+1", 0, ["unclosed"]),
    ("x+", 2, ["end"]),
    ("x )", 2, ["unmatched"]),
    ("()", 0, ["empty"]),
    ("", 0, ["empty"]),
    ("log(x,)", 6, []),
    ("max(x,,y)", 6, []),
    ("x ** * y", 5, []),
    ("foo(x)", 0, ["foo"]),
    ("Sin(x)", 0, ["sin"]),
    ("x + sin", 4, ["sin", "function"]),
    ("pi(2)", 0, ["pi", "constant"]),
    ("'abc'", 0, ["string"]),
    ('"abc"', 0, ["string"]),
    ('f"{x}"', 1, ["string"]),
    ("[x]", 0, ["list"]),
    ("x[y]", 2, ["constant"]),          # indexing takes constants only
    ("{x}", 0, []),
    ("x.y", 1, ["attribute"]),
    ("x.__class__", 1, ["attribute"]),
    ("lambda: 1", 0, ["lambda"]),
    ("lambda x: x", 0, ["lambda"]),
    ("x = 2", 2, ["assignment"]),
    ("x := 2", 2, []),
    ("x += 1", 2, ["assignment"]),
    ("x, y", 1, ["tuple"]),
    ("(x, y)", 2, ["tuple"]),
    ("import os", 0, ["import", "keyword"]),
    ("x is y", 2, ["is", "keyword"]),
    ("x in y", 2, ["keyword"]),
    ("None", 0, ["None"]),
    ("True + x", 0, ["True"]),
    ("yield x", 0, ["yield"]),
    ("await x", 0, ["await"]),
    ("x; y", 1, [";"]),
    ("x // 2", 2, ["/"]),
    ("x % 2", 2, ["modulo"]),
    ("x @= y", 2, ["assignment"]),      # x @ y is the matrix product
    ("x & y", 2, ["&"]),
    ("~x", 0, ["~"]),
    ("x # comment", 2, ["comment"]),
    ("1 < x", 0, ["comparison"]),
    ("x < y < z", 0, ["comparison"]),
    ("(x > 0)", 0, ["comparison"]),
    ("x if y else z", 2, ["comparison"]),
    ("1 if x else 0", 2, ["comparison"]),
    ("x if x > 0", 2, ["else"]),
    ("x else y", 2, ["if"]),
    ("-(x > 0)", 0, []),
    ("(x > 0) + 1", 8, []),
    ("sin(x > 0)", 0, ["sin"]),
    ("1 if x > 0 and y else 0", 11, ["and"]),
    ("not x", 0, ["not"]),
    ("1e", 0, ["number"]),
    ("2.5.3", 0, ["number"]),
    ("x + 1e400", 4, ["large"]),
    ("*x", 0, []),
    ("**x", 0, []),
    ("1j", 1, []),
    ("0x10", 0, ["hexadecimal"]),
]


@pytest.mark.parametrize("text,column,words", ERRORS, ids=[repr(e[0]) for e in ERRORS])
def test_parse_errors(text, column, words):
    with pytest.raises(ParseError) as info:
        parse(text)
    err = info.value
    assert err.column == column, f"{text!r}: column {err.column}, message {err.message!r}"
    for word in words:
        assert word.lower() in err.message.lower(), f"{text!r}: {err.message!r} lacks {word!r}"
    assert err.text == text
    assert "\n" not in err.message


def test_unicode_messages_name_the_character():
    for ch, code in [("\u2212", "U+2212"), ("\u00d7", "U+00D7"), ("\u00b2", "U+00B2"),
                     ("\u0430", "U+0430"), ("\uff58", "U+FF58"), ("\u03c0", "U+03C0")]:
        with pytest.raises(ParseError) as info:
            parse(f"x + {ch}")
        assert code in info.value.message and ch in info.value.message
        assert info.value.column == 4


def test_parse_error_is_raised_by_the_api_too():
    with pytest.raises(ParseError):
        differentiate("2x", ["x=1"])


def test_length_limit(monkeypatch):
    monkeypatch.setattr(parser_module, "MAX_LENGTH", 50)
    parse("x+" * 24 + "x")  # 49 characters: fine
    with pytest.raises(ParseError) as info:
        parse("x+" * 30 + "x")
    assert "long" in info.value.message


def test_depth_limit(monkeypatch):
    monkeypatch.setattr(parser_module, "MAX_DEPTH", 20)
    parse("(" * 20 + "x" + ")" * 20)
    with pytest.raises(ParseError) as info:
        parse("(" * 21 + "x" + ")" * 21)
    assert "nesting" in info.value.message
    assert info.value.column == 20
    with pytest.raises(ParseError):
        parse("sin(" * 21 + "x" + ")" * 21)
