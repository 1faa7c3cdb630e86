"""Hostile and huge input: nothing is executed, nothing crashes, errors are clean."""

from __future__ import annotations

import ast
import json
import math
import os
import pathlib
import re

import pytest
from click.testing import CliRunner

import adcli
from adcli.language import graph as graph_module
from adcli.language import parser as parser_module
from adcli.api import differentiate
from adcli.cli import cli
from adcli.errors import ParseError, UsageError

PACKAGE = pathlib.Path(adcli.__file__).resolve().parent


def run(args, input=None):
    return CliRunner().invoke(cli, args, input=input)


def assert_clean_error(result, code: int, parse_error: bool | None = None):
    """Exit ``code``, nothing on stdout, one ``adcli: ...`` line on stderr
    (three for a parse error: message, input, caret), no traceback."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == "", result.stdout
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    lines = result.stderr.splitlines()
    assert lines, "nothing on stderr"
    kinds = ("adcli: error: ",) if code == 2 else ("adcli: math error: ", "adcli: error: ")
    assert lines[0].startswith(kinds), lines
    if parse_error is None:
        parse_error = len(lines) == 3
    if parse_error:
        assert len(lines) == 3, lines
        assert re.fullmatch(r" *\^", lines[2]), lines
    else:
        assert len(lines) == 1, lines
    return lines


# --------------------------------------------------------------------------
# Code injection
# --------------------------------------------------------------------------

INJECTIONS = [
    "__import__('os').system('touch PWNED')",
    "__import__(\"os\").system(\"touch PWNED\")",
    "().__class__.__bases__",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: 1",
    "[x for x in y]",
    "x; import os",
    "x; __import__('os').system('touch PWNED')",
    'exec("1")',
    "exec(\"open('PWNED', 'w')\")",
    'eval("1")',
    "eval(\"__import__('os').system('touch PWNED')\")",
    'compile("1", "f", "eval")',
    'open("f")',
    "open('PWNED', 'w')",
    "x.__class__",
    '{"a": 1}',
    '"abc"',
    'f"{x}"',
    "f'{__import__(\"os\").system(\"touch PWNED\")}'",
    "x := 2",
    "x = 2",
    "x[y]",
    "*x",
    "**x",
    "x if y else z",
    "1 < x",
    "(x, y)",
    "yield x",
    "await x",
    "import os",
    "globals()",
    "getattr(x, 'y')",
    "breakpoint()",
    "sin.__globals__",
    "x\nimport os",
    "x \\\n + 1",
    "# x",
]


@pytest.mark.parametrize("text", INJECTIONS, ids=range(len(INJECTIONS)))
def test_injection_through_cli(text, tmp_path, monkeypatch):
    # An empty working directory of our own (runner.isolated_filesystem() does
    # the same but is deprecated in Click 8.5).
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["diff", text, "--at", "x=1"])
    assert_clean_error(result, 2)
    assert not os.path.exists("PWNED")
    assert os.listdir(".") == []
    # And the same formula read from standard input.
    result = runner.invoke(cli, ["diff", "-", "--at", "x=1"], input=text)
    assert_clean_error(result, 2)
    assert not os.path.exists("PWNED")
    assert os.listdir(".") == []


@pytest.mark.parametrize("text", INJECTIONS, ids=range(len(INJECTIONS)))
def test_injection_through_api(text):
    with pytest.raises(ParseError):
        differentiate(text, ["x=1"])


@pytest.mark.parametrize("value", [
    "__import__('os').system('touch PWNED')",
    "open('PWNED','w')",
    "().__class__",
    "1; import os",
])
def test_injection_through_point_value(value, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["diff", "x", "--at", f"x={value}"])
    assert_clean_error(result, 2)
    assert os.listdir(".") == []


_BANNED_CALLS = {"eval", "exec", "compile", "sympify", "parse_expr", "lambdify", "__import__"}


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _harmless(func: ast.expr) -> bool:
    """The two uses of a banned name that run no text as code, spelled exactly:
    ``re.compile(...)`` builds a regular expression, and ``OPS[kind].eval(...)``
    / ``op.eval(...)`` calls an op table entry's own value function."""
    if not isinstance(func, ast.Attribute):
        return False
    receiver = func.value
    if func.attr == "compile":
        return isinstance(receiver, ast.Name) and receiver.id == "re"
    if func.attr == "eval":
        if isinstance(receiver, ast.Name):
            return receiver.id == "op"
        return (isinstance(receiver, ast.Subscript) and isinstance(receiver.value, ast.Name)
                and receiver.value.id == "OPS")
    return False


def test_source_never_evaluates_text():
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 10  # the scan must actually see the package
    offences = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _called_name(node.func)
                if name not in _BANNED_CALLS:
                    continue
                if _harmless(node.func):
                    continue
                offences.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: call of {name}")
            elif isinstance(node, ast.Import):
                if any(alias.name == "ast" or alias.name.startswith("ast.") for alias in node.names):
                    offences.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: import ast")
            elif isinstance(node, ast.ImportFrom):
                if node.module == "ast" or (node.module or "").startswith("ast."):
                    offences.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: from ast import")
                if any(alias.name in _BANNED_CALLS for alias in node.names):
                    offences.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: imports "
                                    f"{[a.name for a in node.names]}")
    assert offences == []


def test_source_scan_can_fail(tmp_path):
    # The checker itself finds each kind of offence.
    sample = ("import ast\nfrom sympy import sympify\nx = eval('1')\n"
              "import builtins\nbuiltins.exec('1')\nsympy.lambdify(a, b)\n__import__('os')\n")
    found = set()
    for node in ast.walk(ast.parse(sample)):
        if isinstance(node, ast.Call) and _called_name(node.func) in _BANNED_CALLS:
            found.add(_called_name(node.func))
    assert found == {"eval", "exec", "lambdify", "__import__"}
    # The allowance is narrow: only re.compile and an op's own .eval.
    allowed = [ast.parse(t, mode="eval").body.func for t in
               ("re.compile('x')", "OPS[k].eval(m, x)", "op.eval(m, x)")]
    refused = [ast.parse(t, mode="eval").body.func for t in
               ("builtins.compile('1', 'f', 'eval')", "builtins.eval('1')",
                "sympy.sympify('x')", "x.eval('1')", "compile('1', 'f', 'eval')")]
    assert all(map(_harmless, allowed))
    assert not any(map(_harmless, refused))


# --------------------------------------------------------------------------
# Big inputs
# --------------------------------------------------------------------------

def test_million_term_sum_from_stdin():
    n = 1_000_000
    text = "+".join(["x"] * n)
    result = run(["diff", "-", "--at", "x=0.5", "-f", "json"], input=text)
    assert result.exit_code == 0, result.stderr[:500]
    assert "Traceback" not in result.stderr
    out = json.loads(result.stdout)
    assert out["value"] == 0.5 * n
    assert out["gradient"] == {"x": float(n)}


def test_large_mixed_sum_from_stdin():
    # Distinct terms (no sharing): x*1 + x*2 + ... + x*k.
    k = 100_000
    text = "+".join(f"x*{i}" for i in range(1, k + 1))
    result = run(["diff", "-", "--at", "x=0.5", "-f", "json"], input=text)
    assert result.exit_code == 0, result.stderr[:500]
    out = json.loads(result.stdout)
    total = k * (k + 1) / 2
    assert out["gradient"]["x"] == total
    assert out["value"] == 0.5 * total


def _nested_sin(x: float, n: int) -> tuple[float, float]:
    value, slope = x, 1.0
    for _ in range(n):
        value, slope = math.sin(value), slope * math.cos(value)
    return value, slope


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_ten_thousand_nested_parentheses(mode):
    n = 10_000
    d = differentiate("(" * n + "x*x" + ")" * n, ["x=1.5"], mode=mode)
    assert d.value == 2.25 and d.gradient == {"x": 3.0}
    d = differentiate("(" * n + "x" + ")" * n + "+1", ["x=1.5"], mode=mode)
    assert d.value == 2.5 and d.gradient == {"x": 1.0}


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_ten_thousand_nested_calls(mode):
    n = 10_000
    d = differentiate("sin(" * n + "x" + ")" * n, ["x=0.5"], mode=mode)
    value, slope = _nested_sin(0.5, n)
    assert d.value == pytest.approx(value, rel=1e-12)
    assert d.gradient["x"] == pytest.approx(slope, rel=1e-9)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_ten_thousand_nested_calls_through_cli(mode):
    n = 10_000
    result = run(["diff", "-", "--at", "x=0.5", "--mode", mode, "-f", "json"],
                 input="sin(" * n + "x" + ")" * n)
    assert result.exit_code == 0, result.stderr[:500]
    out = json.loads(result.stdout)
    value, slope = _nested_sin(0.5, n)
    assert out["value"] == pytest.approx(value, rel=1e-12)
    assert out["gradient"]["x"] == pytest.approx(slope, rel=1e-9)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_deep_unary_and_power_chains(mode):
    n = 10_001
    d = differentiate("-" * n + "x", ["x=2"], mode=mode)
    assert d.value == -2.0 and d.gradient == {"x": -1.0}
    d = differentiate("x" + "**1" * 10_000, ["x=2"], mode=mode)
    assert d.value == 2.0 and d.gradient == {"x": 1.0}
    d = differentiate("x" + "^1" * 10_000, ["x=2"], mode=mode)
    assert d.value == 2.0 and d.gradient == {"x": 1.0}


def test_deep_conditional_chain():
    n = 5_000
    text = "".join(f"{i} if x < {i} else " for i in range(n)) + "x"
    for mode in ("forward", "reverse"):
        d = differentiate(text, ["x=4998.5"], mode=mode)
        assert d.value == 4999.0 and d.gradient == {"x": 0.0}
        d = differentiate(text, ["x=6000"], mode=mode)
        assert d.value == 6000.0 and d.gradient == {"x": 1.0}


def test_length_limit_through_cli(monkeypatch):
    monkeypatch.setattr(parser_module, "MAX_LENGTH", 1000)
    ok = run(["diff", "-", "--at", "x=1", "-f", "json"], input="+".join(["x"] * 500))
    assert ok.exit_code == 0, ok.stderr
    result = run(["diff", "-", "--at", "x=1"], input="+".join(["x"] * 1000))
    lines = assert_clean_error(result, 2)
    assert "long" in lines[0]
    assert len(result.stderr) < 1000  # the input is not echoed in full


def test_length_limit_parse_error(monkeypatch):
    monkeypatch.setattr(parser_module, "MAX_LENGTH", 1000)
    text = "x+" * 600 + "x"  # 1,201 characters
    with pytest.raises(ParseError) as info:
        differentiate(text, ["x=1"])
    assert "long" in info.value.message


@pytest.mark.parametrize("opener,offset", [("(", 0), ("sin(", 0), ("max(x, ", 0), ("-(", 1)])
def test_depth_limit(monkeypatch, opener, offset):
    monkeypatch.setattr(parser_module, "MAX_DEPTH", 100)
    fine = opener * 100 + "x" + ")" * 100
    differentiate(fine, ["x=0.5"])
    deep = opener * 101 + "x" + ")" * 101
    with pytest.raises(ParseError) as info:
        differentiate(deep, ["x=0.5"])
    assert "nesting" in info.value.message
    assert info.value.column == len(opener) * 100 + offset  # the 101st opening
    result = run(["diff", "-", "--at", "x=0.5"], input=deep)
    lines = assert_clean_error(result, 2)
    assert "nesting" in lines[0]


def test_default_depth_limit_is_reported_cleanly():
    depth = parser_module.MAX_DEPTH
    assert depth >= 10_000
    with pytest.raises(ParseError) as info:
        differentiate("(" * (depth + 1) + "x" + ")" * (depth + 1), ["x=1"])
    assert "nesting" in info.value.message


def test_node_limit(monkeypatch):
    monkeypatch.setattr(graph_module, "MAX_NODES", 1000)
    with pytest.raises(UsageError) as info:
        differentiate("+".join(f"x*{i}" for i in range(1, 1000)), ["x=1"])
    assert "large" in info.value.message
    result = run(["diff", "-", "--at", "x=1"],
                 input="+".join(f"x*{i}" for i in range(1, 1000)))
    assert_clean_error(result, 2, parse_error=False)


def test_symbolic_on_ten_thousand_nested_calls():
    n = 10_000
    result = run(["diff", "-", "--at", "x=0.5", "--mode", "symbolic"],
                 input="sin(" * n + "x" + ")" * n)
    lines = assert_clean_error(result, 1, parse_error=False)
    assert "not available" in lines[0]


# --------------------------------------------------------------------------
# Errors through the CLI
# --------------------------------------------------------------------------

@pytest.mark.parametrize("args,words", [
    (["diff", "foo(x)", "--at", "x=1"], ["foo"]),
    (["diff", "sinn(x)", "--at", "x=1"], ["sinn", "sin"]),
    (["diff", "2x", "--at", "x=1"], ["*"]),
    (["diff", "x − 1", "--at", "x=1"], ["U+2212"]),
    (["diff", "x", "--at", "x=abc"], []),
    (["diff", "x", "--at", "x=1e400"], []),
    (["diff", "x", "--at", "x=1+"], []),
    (["diff", "x", "--at", "x="], []),
], ids=lambda v: v if isinstance(v, str) else None)
def test_cli_parse_errors(args, words):
    result = run(args)
    lines = assert_clean_error(result, 2, parse_error=True)
    for word in words:
        assert word in lines[0]


@pytest.mark.parametrize("space", [
    "\t",
    pytest.param("\r"),
    pytest.param("\x0c"),
])
def test_cli_parse_error_echo_is_one_line(space):
    result = run(["diff", f"x{space}+ 2y", "--at", "x=1", "--at", "y=1"])
    lines = assert_clean_error(result, 2, parse_error=True)
    # The whitespace is shown as one space, and the caret sits under the y.
    assert lines[1] == "  x + 2y"
    assert lines[2] == "  " + " " * 5 + "^"


def test_cli_caret_is_under_the_column():
    result = run(["diff", "x + 2y", "--at", "x=1", "--at", "y=1"])
    lines = assert_clean_error(result, 2, parse_error=True)
    assert lines[1].strip() == "x + 2y"
    assert lines[2].index("^") == lines[1].index("x + 2y") + 5


@pytest.mark.parametrize("args,words", [
    (["diff", "x", "--at", "z=1"], ["z"]),
    (["diff", "x*y", "--at", "x=1"], ["y"]),
    (["diff", "x*y"], ["x"]),
    (["diff", "x+pi", "--at", "x=1", "--at", "pi=3"], ["pi"]),
    (["diff", "x", "--at", "pi=3"], ["pi"]),
    (["diff", "x", "--at", "e=3"], ["e"]),
    (["diff", "x", "--at", "sin=3"], ["sin"]),
    (["diff", "x", "--at", "x=log(-1)"], ["log"]),
    (["diff", "x", "--at", "x=10**400"], []),
    (["diff", "x", "--at", "x=exp(1000)"], ["exp"]),
    (["diff", "x", "--at", "x=1", "--at", "x=2"], ["x"]),
    (["diff", "x*y", "--at", "3"], []),
    (["diff", "x", "--at", "x=1", "--wrt", "y"], ["y"]),
])
def test_cli_usage_errors(args, words):
    result = run(args)
    lines = assert_clean_error(result, 2, parse_error=False)
    for word in words:
        assert word in lines[0]


@pytest.mark.parametrize("value", ["inf", "nan", "-inf", "1e400", "abc", "log(-1)",
                                   "10**400", "0/0", "1/0"])
def test_non_numeric_or_non_finite_point_values(value):
    result = run(["diff", "x", "--at", f"x={value}"])
    assert_clean_error(result, 2)


@pytest.mark.parametrize("args,word", [
    (["diff", "x", "--at", "x=1", "--bogus"], "--bogus"),
    (["diff", "x", "--at", "x=1", "--mode", "magic"], "magic"),
    (["diff", "x", "--at", "x=1", "-f", "xml"], "xml"),
    (["frobnicate"], "frobnicate"),
])
def test_cli_unknown_option_or_mode(args, word):
    result = run(args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert word in result.stderr


MATH_ERRORS = [
    ("log(x)", "x=-1", "log"),
    ("log(-1) + x", "x=1", "log"),
    ("sqrt(x)", "x=-4", "sqrt"),
    ("sqrt(-4) + x", "x=1", "sqrt"),
    ("acos(x)", "x=2", "acos"),
    ("acos(2) + x", "x=1", "acos"),
    ("1/x", "x=0", "div"),
    ("(-1)**0.5 + x", "x=1", "pow"),
    ("x**0.5", "x=-1", "pow"),
    ("exp(x)", "x=1000", "exp"),
    ("exp(1000) + x", "x=1", "exp"),
    ("10**10**10 + x", "x=1", "pow"),
    ("x**10**10", "x=10", "pow"),
    ("9**9**9**9 + x", "x=1", "pow"),
    ("sqrt(x)", "x=0", "sqrt"),
    ("asin(x)", "x=1", "asin"),
    ("x*1e308*10", "x=1", "mul"),
    ("log(x, 1)", "x=2", "log"),
]


_SYMBOLIC_BUGS: dict = {}


def _math_error_cases():
    cases = []
    for formula, point, op in MATH_ERRORS:
        for mode in ("reverse", "forward", "numerical", "symbolic"):
            reason = _SYMBOLIC_BUGS.get((formula, point)) if mode == "symbolic" else None
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(formula, point, op, mode, marks=marks,
                                      id=f"{formula}@{point}-{mode}"))
    return cases


@pytest.mark.parametrize("formula,point,op,mode", _math_error_cases())
def test_cli_math_errors(formula, point, op, mode):
    result = run(["diff", formula, "--at", point, "--mode", mode])
    lines = assert_clean_error(result, 1, parse_error=False)
    if mode != "symbolic":  # SymPy's own failures are worded per variable, not per op
        assert op in lines[0]


@pytest.mark.parametrize("formula,points", [
    pytest.param("sign(x)", ["x=0"]),
    pytest.param("acosh(x)", ["x=1"]),
    ("cbrt(x)", ["x=0"]),
    ("x**x", ["x=0"]),
    ("hypot(x, y)", ["x=0", "y=0"]),
    ("atan2(y, x)", ["x=0", "y=0"]),
])
def test_symbolic_failures_are_clean_math_errors(formula, points):
    args = ["diff", formula, "--mode", "symbolic"]
    for point in points:
        args += ["--at", point]
    result = run(args)
    assert_clean_error(result, 1, parse_error=False)


@pytest.mark.parametrize("formula,points,wrt,expected", [
    pytest.param("x**y", ["x=-2", "y=2"], "x", -4.0),
    pytest.param("x**0", ["x=0"], "x", 0.0),
    ("x**2", ["x=-2"], "x", -4.0),
    ("x**y", ["x=2", "y=3"], "x", 12.0),
])
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_no_false_math_errors(formula, points, wrt, expected, mode):
    args = ["diff", formula, "--mode", mode, "--wrt", wrt, "-f", "json"]
    for point in points:
        args += ["--at", point]
    result = run(args)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["gradient"] == {wrt: expected}


@pytest.mark.parametrize("formula,point", [("log(x)", "x=-1"), ("1/x", "x=0"),
                                           ("9**9**9**9 + x", "x=1")])
@pytest.mark.parametrize("fmt", ["json", "plain", "table"])
def test_cli_math_errors_in_every_format(formula, point, fmt):
    result = run(["diff", formula, "--at", point, "-f", fmt])
    assert_clean_error(result, 1, parse_error=False)


def test_internal_errors_are_not_reported_as_success():
    # A control for the helper: a good request succeeds, with nothing on stderr.
    result = run(["diff", "x**2", "--at", "x=3", "-f", "json"])
    assert result.exit_code == 0 and result.stderr == ""
    assert json.loads(result.stdout)["gradient"] == {"x": 6.0}
