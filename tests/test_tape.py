"""``adcli tape``: golden tests of every built-in textbook trace.

Every number a source prints is written here as the source prints it (to its
digits) and also checked at full precision against mpmath, computed here.
Every tangent and adjoint rule is also *evaluated* on the trace's own values,
so a rule that reads well but says the wrong thing cannot pass.
"""

from __future__ import annotations

import json
import math
import re

import mpmath
import pytest
import sympy

from adcli.api import differentiate, problem
from adcli.studies.examples import EXAMPLES
from adcli.studies.tape_table import tape_table

DOT, BAR = "\u0307", "\u0304"
ULPS = 4e-16  # relative tolerance at full precision: a couple of float64 roundings


# -- helpers -------------------------------------------------------------------------


def tape_json(run, *args) -> dict:
    result = run("tape", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def rows_of(out: dict) -> dict:
    return {row["name"]: row for row in out["rows"]}


def column(out: dict, key: str) -> list:
    return [row[key] for row in out["rows"]]


def full(got: float, want) -> bool:
    """``got`` equals the mpmath value ``want`` to float64 precision."""
    want = float(want)
    return abs(got - want) <= ULPS * max(1.0, abs(want))


def r4(xs) -> list:
    return [round(x, 4) for x in xs]


def sweep_table(out: dict) -> list:
    """(adjoint rule, adjoint) in the order the sweep completes them."""
    by = rows_of(out)
    return [(by[n]["adjoint_rule"], by[n]["adjoint"]) for n in out["sweep"]]


_NAME = re.compile("v([\u0307\u0304]?)(-?\\d+)")
_MATH = {"sin": math.sin, "cos": math.cos, "tan": math.tan, "exp": math.exp,
         "log": math.log, "sqrt": math.sqrt, "sinh": math.sinh, "cosh": math.cosh,
         "tanh": math.tanh, "__builtins__": {}}


def evaluate(rule: str, out: dict) -> float:
    """The right-hand side of a tangent or adjoint rule, on the trace's values."""
    by = rows_of(out)
    rhs = rule.split(" = ", 1)[1].replace("(seed)", "").strip()

    def lookup(match):
        mark, k = match.groups()
        row = by[f"v{k}"]
        value = {"": row["value"], DOT: row.get("tangent"), BAR: row.get("adjoint")}[mark]
        return f"({value!r})"

    text = _NAME.sub(lookup, rhs).replace("·", "*").replace("^", "**")
    return eval(text, _MATH)  # noqa: S307 -- our own trace's text, in a test


def rules_hold(out: dict) -> None:
    """Each row's tangent and adjoint is what its printed rule computes."""
    for row in out["rows"]:
        for rule_key, value_key in (("tangent_rule", "tangent"), ("adjoint_rule", "adjoint")):
            rule = row.get(rule_key)
            if rule is None:
                continue
            assert rule.startswith(f"v{DOT if value_key == 'tangent' else BAR}"
                                   f"{row['name'][1:]} = "), rule
            got = evaluate(rule, out)
            assert got == pytest.approx(row[value_key], rel=1e-14, abs=1e-300), (rule, row)


# -- the course: sin(x^2) + e^x at 2 ----------------------------------------------


def test_course_forward_trace(run):
    out = tape_json(run, "--example", "course")
    assert out["expression"] == "sin(x**2)+exp(x)" and out["point"] == {"x": 2.0}
    assert out["mode"] == "both" and out["outputs"] == ["v5"]
    assert column(out, "name") == ["v1", "v2", "v3", "v4", "v5"]
    assert [f"{r['name']} = {r['expr']}" for r in out["rows"]] == [
        "v1 = x", "v2 = v1^2", "v3 = sin(v2)", "v4 = exp(v1)", "v5 = v3 + v4"]
    assert column(out, "tangent_rule") == [
        "v̇1 = 1 (seed)", "v̇2 = 2·v1·v̇1", "v̇3 = cos(v2)·v̇2", "v̇4 = v4·v̇1",
        "v̇5 = v̇3 + v̇4"]
    values, tangents = column(out, "value"), column(out, "tangent")
    # the course's table, to its four decimals
    assert r4(values) == [2.0, 4.0, -0.7568, 7.3891, 6.6323]
    assert r4(tangents) == [1.0, 4.0, -2.6146, 7.3891, 4.7745]
    # full precision: 2, 4, sin 4, e^2, sin 4 + e^2; 1, 4, 4 cos 4, e^2, 4 cos 4 + e^2
    with mpmath.workdps(50):
        four, e2 = mpmath.mpf(4), mpmath.exp(2)
        want_v = [2, 4, mpmath.sin(four), e2, mpmath.sin(four) + e2]
        want_t = [1, 4, 4 * mpmath.cos(four), e2, 4 * mpmath.cos(four) + e2]
    assert all(full(g, w) for g, w in zip(values, want_v)), values
    assert all(full(g, w) for g, w in zip(tangents, want_t)), tangents
    # the reverse half of "both": the input's adjoint is the same derivative
    assert full(rows_of(out)["v1"]["adjoint"], want_t[-1])
    assert rows_of(out)["v1"]["notes"] == ["seed"]
    rules_hold(out)


def test_course_table_prints_the_rules_verbatim(run):
    result = run("tape", "--example", "course")
    assert result.exit_code == 0 and result.stderr == ""
    for text in ("v1 = x", "v2 = v1^2", "v3 = sin(v2)", "v4 = exp(v1)", "v5 = v3 + v4",
                 "v̇2 = 2·v1·v̇1", "v̇3 = cos(v2)·v̇2", "v̇4 = v4·v̇1", "v̇5 = v̇3 + v̇4",
                 "v̇1 = 1 (seed)", "v̄5 = 1 (seed)"):
        assert text in result.stdout, text


def test_library_trace_is_what_the_command_prints(run):
    """``adcli.studies.tape_table.tape_table`` is the record the command renders."""
    record = tape_table(problem("sin(x**2)+exp(x)", ["2"]), "both")
    out = tape_json(run, "--example", "course")
    assert record.mode == "both" and record.numbering == "seed"
    assert record.outputs == ("v5",) and list(record.sweep) == out["sweep"]
    assert record.seed == {"x": 1.0}
    for row, item in zip(record.rows, out["rows"], strict=True):
        assert (row.name, row.op, list(row.args), row.expr, row.value, row.tangent_rule,
                row.tangent, row.adjoint_rule, row.adjoint, list(row.notes)) == (
            item["name"], item["op"], item["args"], item["expr"], item["value"],
            item["tangent_rule"], item["tangent"], item["adjoint_rule"], item["adjoint"],
            item["notes"])
    assert [r.op for r in record.rows] == ["input", "pow", "sin", "exp", "add"]
    assert [r.args for r in record.rows] == [(), ("v1",), ("v2",), ("v1",), ("v3", "v4")]


# -- the course: x^3 + ln x at 2 ------------------------------------------------------


def test_cube_log(run):
    out = tape_json(run, "--example", "cube-log")
    values, tangents = column(out, "value"), column(out, "tangent")
    assert list(zip(r4(values), r4(tangents))) == [
        (2, 1), (8, 12), (0.6931, 0.5), (8.6931, 12.5)]
    with mpmath.workdps(50):
        ln2 = mpmath.log(2)
        assert all(full(g, w) for g, w in zip(values, [2, 8, ln2, 8 + ln2]))
    assert tangents == [1.0, 12.0, 0.5, 12.5]  # exact in binary
    assert column(out, "tangent_rule")[1:] == [
        "v̇2 = 3·v1^2·v̇1", "v̇3 = (1/v1)·v̇1", "v̇4 = v̇2 + v̇3"]
    rules_hold(out)


# -- the course: x sin y at (3, pi/6), reverse -------------------------------------


def test_x_sin_y_reverse_sweep(run):
    out = tape_json(run, "--example", "x-sin-y")
    assert out["mode"] == "reverse" and out["outputs"] == ["v4"]
    assert [f"{r['name']} = {r['expr']}" for r in out["rows"]] == [
        "v1 = x", "v2 = y", "v3 = sin(v2)", "v4 = v1*v3"]
    assert out["sweep"] == ["v4", "v3", "v1", "v2"]
    rules = [rule for rule, _ in sweep_table(out)]
    adjoints = [adj for _, adj in sweep_table(out)]
    assert rules == ["v̄4 = 1 (seed)", "v̄3 = v̄4·v1", "v̄1 = v̄4·v3", "v̄2 = v̄3·cos(v2)"]
    assert [round(a, 3) for a in adjoints] == [1, 3, 0.5, 2.598]
    with mpmath.workdps(50):
        y = mpmath.pi / 6
        want = [1, 3, mpmath.sin(y), 3 * mpmath.cos(y)]
    assert all(full(g, w) for g, w in zip(adjoints, want)), adjoints
    assert all("tangent" not in row for row in out["rows"])  # reverse only
    rules_hold(out)


def test_x_sin_y_plain_prints_the_sweep_in_sweep_order(run):
    result = run("tape", "--example", "x-sin-y", "--format", "plain")
    assert result.exit_code == 0
    sweep = result.stdout.split("\n\n", 1)[1].splitlines()
    assert sweep[0] == "adjoint rule\tadjoint"
    assert [line.split("\t")[0] for line in sweep[1:]] == [
        "v̄4 = 1 (seed)", "v̄3 = v̄4·v1", "v̄1 = v̄4·v3", "v̄2 = v̄3·cos(v2)"]


# -- the course: sqrt(x^2 + 1) at 3 -------------------------------------------------


def test_sqrt(run):
    out = tape_json(run, "--example", "sqrt")
    values, tangents = column(out, "value"), column(out, "tangent")
    assert list(zip(r4(values), r4(tangents))) == [
        (3, 1), (9, 6), (10, 6), (3.1623, 0.9487)]
    with mpmath.workdps(50):
        s10 = mpmath.sqrt(10)
        assert all(full(g, w) for g, w in zip(values, [3, 9, 10, s10]))
        assert all(full(g, w) for g, w in zip(tangents, [1, 6, 6, 3 / s10]))
    rules_hold(out)


# -- the course's branch example: x^2 if x > 0 else 0 ---------------------------------


def test_branch_0_takes_the_constant_else_branch(run):
    out = tape_json(run, "--example", "branch-0")
    assert out["point"] == {"x": 0.0}
    assert column(out, "name") == ["v1"]  # only the input: the else branch is a constant
    notes = " ".join(out["notes"] + [n for row in out["rows"] for n in row["notes"]])
    assert "branch: v1 > 0 is false" in notes and "took 0" in notes
    assert differentiate("x**2 if x > 0 else 0", ["0"]).gradient == {"x": 0.0}


def test_branch_0_shows_the_derivative_0(run):
    out = tape_json(run, "--example", "branch-0")
    assert rows_of(out)["v1"]["adjoint"] == 0.0
    assert "v1" in out["sweep"]


def test_branch_0001_takes_the_square(run):
    out = tape_json(run, "--example", "branch-0.001")
    assert out["outputs"] == ["v2"] and out["sweep"] == ["v2", "v1"]
    v1, v2 = rows_of(out)["v1"], rows_of(out)["v2"]
    assert v2["expr"] == "v1^2"
    assert "branch: v1 > 0 is true, took v1^2" in v2["notes"]
    assert round(v2["tangent"], 6) == 0.002 and round(v1["adjoint"], 6) == 0.002
    assert full(v2["tangent"], 2 * mpmath.mpf("0.001"))
    assert full(v1["adjoint"], 2 * mpmath.mpf("0.001"))
    assert v1["adjoint_rule"] == "v̄1 = v̄2·2·v1"
    rules_hold(out)


# -- Baydin et al. (JMLR 2018), Tables 2-3 --------------------------------------------


def test_baydin_griewank_trace(run):
    out = tape_json(run, "--example", "baydin")
    assert out["numbering"] == "griewank" and out["outputs"] == ["v5"]
    assert column(out, "name") == ["v-1", "v0", "v1", "v2", "v3", "v4", "v5"]
    assert [r["expr"] for r in out["rows"]] == [
        "x1", "x2", "log(v-1)", "v-1*v0", "v1 + v2", "sin(v0)", "v3 - v4"]
    values = column(out, "value")
    assert [round(v, 3) for v in values] == [2, 5, 0.693, 10, 10.693, -0.959, 11.652]
    by = rows_of(out)
    assert round(by["v-1"]["adjoint"], 3) == 5.5 and round(by["v0"]["adjoint"], 3) == 1.716
    # forward half, seeded on x1: the tangents of Table 2
    assert column(out, "tangent") == [1.0, 0.0, 0.5, 5.0, 5.5, 0.0, 5.5]
    with mpmath.workdps(50):
        x1, x2 = mpmath.mpf(2), mpmath.mpf(5)
        want = [x1, x2, mpmath.log(x1), x1 * x2, mpmath.log(x1) + x1 * x2, mpmath.sin(x2),
                mpmath.log(x1) + x1 * x2 - mpmath.sin(x2)]
        assert all(full(g, w) for g, w in zip(values, want)), values
        assert full(by["v-1"]["adjoint"], 1 / x1 + x2)
        assert full(by["v0"]["adjoint"], x1 - mpmath.cos(x2))
    assert by["v-1"]["adjoint_rule"] == "v̄-1 = v̄1·(1/v-1) + v̄2·v0"
    assert by["v0"]["adjoint_rule"] == "v̄0 = v̄2·v-1 + v̄4·cos(v0)"
    assert by["v5"]["adjoint_rule"] == "v̄5 = 1 (seed)"
    assert by["v4"]["adjoint_rule"] == "v̄4 = -v̄5"
    rules_hold(out)


# -- CppAD's exp_2 ---------------------------------------------------------------------


def test_exp2(run):
    out = tape_json(run, "--example", "exp2")
    # every number is exact in binary: equality, not closeness
    assert column(out, "value") == [0.5, 1.5, 0.25, 0.125, 1.625]
    assert column(out, "tangent") == [1.0, 1.0, 1.0, 0.5, 1.5]
    assert [r["expr"] for r in out["rows"]] == ["x", "1 + v1", "v1^2", "v3/2", "v2 + v4"]
    rules_hold(out)


# -- all examples ------------------------------------------------------------------------


def test_examples_lists_every_built_in_example(run):
    result = run("examples", "--format", "json")
    assert result.exit_code == 0
    listed = json.loads(result.stdout)["examples"]
    assert [e["name"] for e in listed][:len(EXAMPLES)] == [
        "course", "cube-log", "x-sin-y", "sqrt", "branch-0", "branch-0.001", "baydin",
        "exp2"]
    assert [e["name"] for e in listed][:len(EXAMPLES)] == [e.name for e in EXAMPLES]


@pytest.mark.parametrize("name", [e.name for e in EXAMPLES])
def test_every_example_agrees_with_adcli_diff(run, name):
    """The trace's output tangent / input adjoints are ``adcli diff``'s gradient."""
    example = next(e for e in EXAMPLES if e.name == name)
    out = tape_json(run, "--example", name, "--mode", "both")
    gradient = differentiate(example.expression, example.at).gradient
    by = rows_of(out)
    inputs = [row for row in out["rows"] if row["op"] == "input"]
    if out["outputs"]:
        output = by[out["outputs"][0]]
        first = next(iter(gradient))
        assert output["tangent"] == pytest.approx(gradient[first], rel=1e-15)
        for row in inputs:
            assert row["adjoint"] == pytest.approx(gradient[row["expr"]], rel=1e-15)
    rules_hold(out)


def _sweep_is_causal(out: dict) -> None:
    """Each adjoint is listed only after every adjoint its rule reads."""
    done = set()
    for name in out["sweep"]:
        rule = rows_of(out)[name]["adjoint_rule"]
        reads = set(re.findall(f"v{BAR}(-?\\d+)", rule.split(" = ", 1)[1]))
        missing = {f"v{k}" for k in reads} - done
        assert not missing, f"{rule!r} listed before {sorted(missing)} in {out['sweep']}"
        done.add(name)
    assert sorted(out["sweep"]) == sorted(column(out, "name"))




@pytest.mark.parametrize("args", [
    pytest.param(("--example", "course"), id="course"),
    pytest.param(("--example", "x-sin-y"), id="x-sin-y"),
    pytest.param(("--example", "branch-0.001"), id="branch-0.001"),
    pytest.param(("--example", "baydin"), id="baydin"),
    pytest.param(("--example", "sqrt", "-m", "reverse"), id="sqrt"),
    pytest.param(("x*y + x", "--at", "x=3", "--at", "y=2", "-m", "reverse"), id="x*y+x"),
    pytest.param(("sin(x)*cos(x)+x", "--at", "0.7", "-m", "reverse"),
                 id="sin*cos+x"),
])
def test_sweep_lists_adjoints_in_the_order_they_are_complete(run, args):
    _sweep_is_causal(tape_json(run, *args))


# -- fan-out: one adjoint term per use, adjoints = the symbolic gradient ---------------


FAN_OUT = [
    ("x*x", {"x": 3.0}),
    ("sin(x)*cos(x)+x", {"x": 0.7}),
    ("x*y + x", {"x": 3.0, "y": 2.0}),
]


@pytest.mark.parametrize("formula, point", FAN_OUT, ids=[f for f, _ in FAN_OUT])
def test_fan_out_adjoints(run, formula, point):
    at = [f"--at={k}={v!r}" for k, v in point.items()]
    out = tape_json(run, formula, *at, "--mode", "reverse")
    by = rows_of(out)
    # one term per use: the v̄ read by a row's rule are exactly the rows using it
    uses: dict = {name: [] for name in by}
    for row in out["rows"]:
        for arg in row["args"]:
            uses[arg].append(row["name"])
    for name, row in by.items():
        rhs = row["adjoint_rule"].split(" = ", 1)[1]
        read = sorted(f"v{k}" for k in re.findall(f"v{BAR}(-?\\d+)", rhs))
        if name in out["outputs"]:
            assert row["adjoint_rule"] == f"v̄{name[1:]} = 1 (seed)"
        else:
            assert read == sorted(uses[name]), (row["adjoint_rule"], uses[name])
    # the adjoints of the inputs are the symbolic gradient (SymPy, here)
    symbols = {k: sympy.Symbol(k) for k in point}
    expr = sympy.sympify(formula, locals=symbols)
    for row in out["rows"]:
        if row["op"] == "input":
            want = sympy.diff(expr, symbols[row["expr"]]).evalf(30, subs={
                symbols[k]: sympy.Float(repr(v), 30) for k, v in point.items()})
            assert full(row["adjoint"], want), (row, want)
    rules_hold(out)


def test_fan_out_rules_exactly(run):
    out = tape_json(run, "x*x", "--at", "3", "--mode", "reverse")
    assert rows_of(out)["v1"]["adjoint_rule"] == "v̄1 = v̄2·v1 + v̄2·v1"
    assert rows_of(out)["v1"]["adjoint"] == 6.0
    out = tape_json(run, "x*y + x", "--at", "x=3", "--at", "y=2", "--mode", "reverse")
    assert [r["adjoint_rule"] for r in out["rows"]] == [
        "v̄1 = v̄3·v2 + v̄4", "v̄2 = v̄3·v1", "v̄3 = v̄4", "v̄4 = 1 (seed)"]
    assert [r["adjoint"] for r in out["rows"]] == [3.0, 3.0, 1.0, 1.0]


# -- options ---------------------------------------------------------------------------


def test_seed_gives_the_y_partial(run):
    formula = "x*y + sin(x)"
    out = tape_json(run, formula, "--at", "x=1", "--at", "y=2", "--seed", "x=0,y=1")
    assert out["seed"] == {"x": 0.0, "y": 1.0}
    by = rows_of(out)
    assert by["v1"]["tangent_rule"] == "v̇1 = 0" and by["v1"]["notes"] == []
    assert by["v2"]["tangent_rule"] == "v̇2 = 1 (seed)" and by["v2"]["notes"] == ["seed"]
    x, y = sympy.symbols("x y")
    want = sympy.diff(x * y + sympy.sin(x), y).subs({x: 1, y: 2})
    assert by[out["outputs"][0]]["tangent"] == float(want) == 1.0
    # a direction: x=1,y=1 gives the sum of the partials
    out = tape_json(run, formula, "--at", "x=1", "--at", "y=2", "--seed", "x=1,y=1")
    want = (sympy.diff(x * y + sympy.sin(x), x) + sympy.diff(x * y + sympy.sin(x), y)) \
        .subs({x: 1, y: 2})
    assert full(rows_of(out)[out["outputs"][0]]["tangent"], want.evalf(30))


def test_seed_shows_in_the_table_footer(run):
    result = run("tape", "x*y", "--at", "x=1", "--at", "y=2", "--seed", "x=0,y=1",
                 "--format", "csv")
    assert result.exit_code == 0
    result = run("tape", "x*y", "--at", "x=1", "--at", "y=2", "--seed", "x=0,y=1")
    assert "tangent seed: x = 0, y = 1" in result.stdout


def test_digits_rounds_plain_output_but_json_keeps_full_precision(run):
    result = run("tape", "--example", "course", "--digits", "4", "--format", "plain")
    assert result.exit_code == 0
    text = result.stdout
    for shown in ("\t-0.7568\t", "\t7.389\t", "\t6.632\t", "\t-2.615\t", "\t4.774\t"):
        assert shown in text, shown
    assert "4.774481615476203" not in text and "0.7568024953079282" not in text
    # the adjoint column is rounded too
    assert "\t-0.6536\n" in text and "\t4.774\n" in text
    rounded = tape_json(run, "--example", "course", "--digits", "4")
    exact = tape_json(run, "--example", "course")
    assert rounded["rows"] == exact["rows"]
    assert rows_of(rounded)["v5"]["tangent"] == 4.774481615476203
    # and without --digits, plain output has every digit
    text = run("tape", "--example", "course", "--format", "plain").stdout
    assert "\t4.774481615476203\t" in text and "\t-0.7568024953079282\t" in text


def test_griewank_numbering(run):
    out = tape_json(run, "x*y*z", "--at", "x=1", "--at", "y=2", "--at", "z=3",
                    "--numbering", "griewank", "--mode", "both")
    assert out["numbering"] == "griewank"
    assert column(out, "name") == ["v-2", "v-1", "v0", "v1", "v2"]
    assert [r["expr"] for r in out["rows"]] == ["x", "y", "z", "v-2*v-1", "v1*v0"]
    assert rows_of(out)["v1"]["tangent_rule"] == "v̇1 = v-1·v̇-2 + v-2·v̇-1"
    assert rows_of(out)["v-2"]["adjoint_rule"] == "v̄-2 = v̄1·v-1"
    assert out["outputs"] == ["v2"]
    rules_hold(out)
    # the example's own numbering gives way to --numbering
    out = tape_json(run, "--example", "baydin", "--numbering", "seed")
    assert column(out, "name") == [f"v{k}" for k in range(1, 8)]


def test_forward_is_the_default_mode(run):
    out = tape_json(run, "sin(x)", "--at", "1")
    assert out["mode"] == "forward"
    assert all("tangent" in r and "adjoint" not in r for r in out["rows"])


@pytest.mark.parametrize("args", [
    ("--example", "nope"),
    ("x", "--example", "course"),
    (),
    ("x", "--at", "1", "--seed", "x=a"),
    ("x", "--at", "1", "--seed", "z=1"),
    ("x", "--at", "1", "--digits", "0"),
    ("x", "--at", "1", "--digits", "18"),
    ("x", "--at", "1", "--numbering", "foo"),
    ("x", "--at", "1", "--mode", "symbolic"),
], ids=["unknown-example", "expr-and-example", "nothing", "seed-not-number",
        "seed-unknown-var", "digits-0", "digits-18", "bad-numbering", "bad-mode"])
def test_usage_errors(run, args):
    result = run("tape", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("adcli: error: "), result.stderr
