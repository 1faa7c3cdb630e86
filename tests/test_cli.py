"""The command line as users and scripts meet it: outputs, formats, exit codes."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import mpmath
import pytest

from adcli import __version__
from adcli.ops import SURFACE

F = "sin(x**2)+exp(x)"
DF_AT_2 = float(4 * mpmath.cos(4) + mpmath.exp(2))
F_AT_2 = float(mpmath.sin(4) + mpmath.exp(2))


def test_table_shows_value_and_derivative(run):
    result = run("diff", F, "--at", "2", "--mode", "reverse")
    assert result.exit_code == 0 and result.stderr == ""
    assert "6.63225360362272" in result.stdout and "4.77448161547620" in result.stdout
    assert "∂f/∂x" in result.stdout and "reverse mode" in result.stdout


def test_symbolic_table_shows_the_derivative_formula(run):
    result = run("diff", F, "--at", "2", "--mode", "symbolic")
    assert result.exit_code == 0
    assert "2*x*cos(x**2) + exp(x)" in result.stdout


@pytest.mark.parametrize("mode", ["forward", "reverse", "symbolic", "numerical"])
def test_json_contract(run_json, mode):
    out = run_json("diff", "x*sin(y)", "--at", "x=3", "--at", "y=pi/6", "--mode", mode)
    assert set(out) >= {"expression", "mode", "point", "value", "gradient", "warnings"}
    assert out["expression"] == "x*sin(y)" and out["mode"] == mode
    assert out["point"] == {"x": 3.0, "y": math.pi / 6}
    tol = 1e-8 if mode == "numerical" else 1e-15
    assert out["value"] == pytest.approx(1.5, rel=1e-15)
    assert out["gradient"]["x"] == pytest.approx(0.5, rel=tol)
    assert out["gradient"]["y"] == pytest.approx(3 * math.cos(math.pi / 6), rel=tol)


def test_json_numbers_round_trip_at_full_precision(run):
    result = run("diff", F, "--at", "2", "-f", "json")
    text = result.stdout
    out = json.loads(text)
    assert out["gradient"]["x"] == pytest.approx(DF_AT_2, rel=2e-16)
    assert repr(out["gradient"]["x"]) in text and repr(out["value"]) in text
    assert text.count("\n") == 1 and text.strip().startswith("{")


def test_wrt_restricts_the_gradient(run_json):
    out = run_json("diff", "x*sin(y)", "--at", "x=3", "--at", "y=pi/6", "--wrt", "y")
    assert list(out["gradient"]) == ["y"]
    out = run_json("diff", "x*y*z", "--at", "x=1", "--at", "y=2", "--at", "z=3",
                   "--wrt", "z,x")
    assert out["gradient"] == {"z": 2.0, "x": 6.0}


@pytest.mark.parametrize("value, expected", [
    ("pi/6", math.pi / 6), ("sqrt(2)", math.sqrt(2)), ("-1e-3", -1e-3), ("2^10", 1024.0),
    ("e", math.e), (".5", 0.5), ("2E+5", 2e5)])
def test_point_values_are_constant_expressions(run_json, value, expected):
    out = run_json("diff", "x", "--at", f"x={value}")
    assert out["point"]["x"] == expected
    out = run_json("diff", "x", "--at", value)
    assert out["point"]["x"] == expected


def test_quiet_prints_bare_derivatives(run):
    result = run("diff", "x*sin(y)", "--at", "x=3", "--at", "y=pi/6", "--quiet")
    lines = result.stdout.splitlines()
    assert len(lines) == 1  # one output, its partials as fields: read a b <<< "$(...)"
    assert [float(v) for v in lines[0].split(" ")] == pytest.approx(
        [0.5, 3 * math.cos(math.pi / 6)])
    assert result.stderr == ""


def test_plain_is_key_value_lines(run):
    result = run("diff", F, "--at", "2", "-f", "plain")
    assert result.stdout.splitlines() == [f"value = {F_AT_2!r}", f"d/dx = {DF_AT_2!r}"]


def test_stdin_dash(run_json):
    out = run_json("diff", "-", "--at", "x=2", input="x**2 +\n  3*x\n")
    assert out["gradient"] == {"x": 7.0}


def test_a_constant_formula_has_an_empty_gradient(run_json):
    out = run_json("diff", "2*pi")
    assert out["value"] == 2 * math.pi and out["gradient"] == {}


def test_kink_warns_on_stderr_and_in_json(run):
    result = run("diff", "abs(x)", "--at", "0", "-f", "json")
    assert result.exit_code == 0
    assert result.stderr.startswith("adcli: warning:") and "abs" in result.stderr
    out = json.loads(result.stdout)
    assert out["gradient"] == {"x": 0.0}
    assert out["warnings"][0]["kind"] == "kink" and out["warnings"][0]["op"] == "abs"


@pytest.mark.parametrize("args, code, words", [
    (["diff", "2x", "--at", "1"], 2, "implicit multiplication"),
    (["diff", "x", "--at", "y=1"], 2, "not a variable"),
    (["diff", "x*y", "--at", "x=1"], 2, "no value for y"),
    (["diff", "x*y", "--at", "2"], 2, "name the variable"),
    (["diff", "x", "--at", "pi=3"], 2, "constant"),
    (["diff", "x", "--at", "x=abc"], 2, "variable"),
    (["diff", "x", "--at", "x=1e400"], 2, "too large"),
    (["diff", "x", "--at", "x=log(-1)"], 2, "log"),
    (["diff", "x", "--at", "x=1", "--mode", "magic"], 2, "magic"),
    (["diff", "x", "--at", "x=1", "--wrt", "q"], 2, "--wrt q"),
    (["diff", "log(x)", "--at", "-1"], 1, "log"),
    (["diff", "sqrt(x)", "--at", "-4"], 1, "sqrt"),
    (["diff", "acos(x)", "--at", "2"], 1, "acos"),
    (["diff", "1/x", "--at", "0"], 1, "div"),
    (["diff", "x**0.5", "--at", "-1"], 1, "pow"),
    (["diff", "exp(x)", "--at", "1000"], 1, "exp"),
    (["diff", "sqrt(x)", "--at", "0"], 1, "derivative of sqrt"),
    (["diff", "asin(x)", "--at", "1"], 1, "derivative of asin"),
])
def test_errors_are_one_clear_line_with_the_exit_code(run, args, code, words):
    result = run(*args)
    assert result.exit_code == code
    assert result.stdout == ""
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(("adcli: error:", "adcli: math error:", "Usage:", "Error:"))


def test_parse_error_shows_a_caret_under_the_column(run):
    result = run("diff", "sin(x) + 2x", "--at", "1")
    assert result.exit_code == 2
    message, line, caret = result.stderr.splitlines()
    assert line.strip() == "sin(x) + 2x"
    assert caret.index("^") - line.index("s") == 10


def test_debug_shows_the_traceback():
    proc = subprocess.run([sys.executable, "-m", "adcli", "diff", "log(x)", "--at", "-1",
                           "--debug"], capture_output=True, text=True)
    assert proc.returncode != 0 and "Traceback" in proc.stderr


def test_version_and_module_entry_point():
    proc = subprocess.run([sys.executable, "-m", "adcli", "--version"],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and __version__ in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "adcli", "diff", F, "--at", "2", "-q"],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and float(proc.stdout) == pytest.approx(DF_AT_2, rel=1e-15)


def test_help_has_examples(run):
    top = run("--help")
    assert top.exit_code == 0 and "adcli diff" in top.stdout
    sub = run("diff", "--help")
    assert sub.exit_code == 0 and "Examples:" in sub.stdout and "--at" in sub.stdout


def test_functions_lists_the_language_from_the_op_table(run):
    result = run("functions", "-f", "json")
    listed = {e["syntax"].split("(")[0] for e in json.loads(result.stdout)["entries"]}
    assert set(SURFACE) <= listed
    table = run("functions")
    assert table.exit_code == 0 and "atan2(y, x)" in table.stdout


def test_no_colour_codes_when_piped_or_no_color():
    env = {"NO_COLOR": "1", "PATH": ""}
    proc = subprocess.run([sys.executable, "-m", "adcli", "diff", F, "--at", "2"],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0 and "\x1b[" not in proc.stdout


def test_one_point_ad_imports_no_heavy_library_and_not_click():
    code = ("import sys\n"
            "from adcli.cli import main\n"
            "for fmt in ('json', 'table', 'plain'):\n"
            "    for mode in ('forward', 'reverse'):\n"
            "        try:\n"
            "            main(['diff', 'sin(x**2)+exp(x)', '--at', '2', '-m', mode, '-f', fmt])\n"
            "        except SystemExit as e:\n"
            "            assert not e.code, e.code\n"
            "heavy = sorted(m for m in ('sympy', 'numpy', 'mpmath', 'click')\n"
            "               if m in sys.modules)\n"
            "print('HEAVY', heavy)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "HEAVY []"


@pytest.mark.parametrize("mode", ["forward", "reverse", "symbolic", "numerical"])
def test_where_is_the_conditional_as_a_function(run_json, mode):
    out = run_json("diff", "where(x > 0, x**2, -x)", "--at", "x=-3", "-m", mode)
    assert out["value"] == 3.0 and out["gradient"]["x"] == pytest.approx(-1.0, rel=1e-9)
    out = run_json("diff", "where(x > 0, x**2, -x)", "--at", "x=3", "-m", mode)
    assert out["gradient"]["x"] == pytest.approx(6.0, rel=1e-9)


@pytest.mark.parametrize("text", ["where(x, 1, 2)", "where(x > 0, 1)", "where(x > 0, x < 1, 2)"])
def test_where_needs_a_condition_and_two_numbers(run, text):
    result = run("diff", text, "--at", "1")
    assert result.exit_code == 2 and "where" in result.stderr


# -- graph: the same formats as every command, from one record -----------------------

PI6 = math.pi / 6
#: x*sin(y) at (3, pi/6), by hand: v3 = sin(v2) = 0.5, v4 = v1*v3 = 1.5; adjoints
#: v̄4 = 1, v̄3 = v̄4*v1 = 3, v̄1 = v̄4*v3 = 0.5, v̄2 = v̄3*cos(v2) = 3 cos(pi/6).
GRAPH_NODES = {"v1": (3.0, 0.5), "v2": (PI6, 3 * math.cos(PI6)), "v3": (0.5, 3.0),
               "v4": (1.5, 1.0)}
#: (from, to) -> (∂to/∂from, v̄to * ∂to/∂from)
GRAPH_EDGES = {("v2", "v3"): (math.cos(PI6), 3 * math.cos(PI6)), ("v1", "v4"): (0.5, 0.5),
               ("v3", "v4"): (3.0, 3.0)}
GRAPH_AT = ("graph", "x*sin(y)", "--at", "x=3", "--at", "y=pi/6")


def _near(got, want) -> bool:
    return abs(float(got) - want) <= 1e-15 * max(1.0, abs(want))


def test_graph_json_has_nodes_and_edges_with_full_precision(run):
    result = run(*GRAPH_AT, "-f", "json")
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.count("\n") == 1
    out = json.loads(result.stdout)
    assert out["expression"] == "x*sin(y)" and out["point"] == {"x": 3.0, "y": PI6}
    nodes = {n["name"]: n for n in out["nodes"]}
    assert list(nodes) == ["v1", "v2", "v3", "v4"]
    assert nodes["v3"]["definition"] == "v3 = sin(v2)" and nodes["v4"]["output"]
    assert nodes["v1"]["input"] and nodes["v2"]["input"] and not nodes["v3"]["input"]
    for name, (value, adjoint) in GRAPH_NODES.items():
        assert _near(nodes[name]["value"], value) and _near(nodes[name]["adjoint"], adjoint)
    assert nodes["v2"]["adjoint"] == 2.598076211353316  # every digit kept
    edges = {(e["from"], e["to"]): e for e in out["edges"]}
    assert set(edges) == set(GRAPH_EDGES)
    for key, (partial, flow) in GRAPH_EDGES.items():
        assert _near(edges[key]["partial"], partial) and _near(edges[key]["flow"], flow)
    assert edges["v3", "v4"]["partial"] == 3.0  # ∂(x*sin y)/∂sin y = x


def test_graph_json_writes_null_for_no_finite_number(run):
    out = json.loads(run("graph", "sqrt(x) + y", "--at", "x=0", "--at", "y=1",
                         "-f", "json").stdout)
    sqrt_edge = next(e for e in out["edges"] if e["to"] == "v3")
    assert sqrt_edge["partial"] is None and sqrt_edge["flow"] is None  # d sqrt/dx at 0
    assert {n["name"]: n["adjoint"] for n in out["nodes"]}["v1"] is None


def _cells(fmt: str, text: str) -> list[list[str]]:
    """Every table row of ``text`` in format ``fmt``, as a list of cell texts."""
    import csv
    import io

    if fmt == "csv":
        return list(csv.reader(io.StringIO(text)))
    if fmt == "plain":
        return [line.split("\t") for line in text.splitlines()]
    if fmt == "markdown":
        return [[c.strip().replace("\\*", "*") for c in line.strip("| ").split(" | ")]
                for line in text.splitlines() if line.startswith("| ")]
    if fmt == "table":
        return [[c.strip() for c in line.strip("│").split("│")]
                for line in text.splitlines() if line.startswith("│")]
    return [[c.strip() for c in line.removesuffix(r" \\").split(" & ")]
            for line in text.splitlines() if line.endswith(r" \\")]


@pytest.mark.parametrize("fmt", ["plain", "csv", "markdown", "table", "latex"])
def test_graph_tables_carry_the_textbook_numbers(run, fmt):
    result = run(*GRAPH_AT, "-f", fmt)
    assert result.exit_code == 0 and result.stderr == ""
    nodes, edges = {}, {}
    for row in _cells(fmt, result.stdout):
        if len(row) == 4 and row[0] in GRAPH_NODES and "=" in row[1]:
            nodes[row[0]] = (float(row[2]), float(row[3]))
        elif len(row) == 4 and (row[0], row[1]) in GRAPH_EDGES:
            edges[row[0], row[1]] = (float(row[2]), float(row[3]))
    assert set(nodes) == set(GRAPH_NODES) and set(edges) == set(GRAPH_EDGES)
    for table, reference in ((nodes, GRAPH_NODES), (edges, GRAPH_EDGES)):
        for key, numbers in reference.items():
            assert all(_near(g, w) for g, w in zip(table[key], numbers)), (key, table[key])


def test_graph_tables_without_a_point_list_the_formula(run):
    rows = _cells("csv", run("graph", "sin(x)*sin(x)", "-f", "csv").stdout)
    assert rows == [["node", "definition"], ["n0", "n0 = x"], ["n1", "n1 = sin(n0)"],
                    ["n2", "n2 = n1*n1"], [], ["from", "to"], ["n0", "n1"], ["n1", "n2"],
                    ["n1", "n2"]]


def test_graph_digits_round_tables_but_not_json(run):
    plain = run(*GRAPH_AT, "--digits", "4", "-f", "plain").stdout
    assert "v2\tv2 = y\t0.5236\t2.598" in plain.splitlines()
    out = json.loads(run(*GRAPH_AT, "--digits", "4", "-f", "json").stdout)
    assert out["nodes"][1]["adjoint"] == 2.598076211353316


def test_graph_drawing_is_still_the_default(run):
    default, text = run(*GRAPH_AT), run(*GRAPH_AT, "-f", "text")
    assert default.stdout == text.stdout and default.stdout.startswith("v1 = x ")
    assert "    ∂v4/∂v3 = 3.0  v̄·∂ = 3.0\n" in default.stdout


@pytest.mark.parametrize("formula", [
    "__import__('os').system('touch PWNED')", "open('PWNED', 'w')",
    "exec('open(\"PWNED\", \"w\")')", "x; import os"])
@pytest.mark.parametrize("fmt", ["json", "text", "csv"])
def test_graph_never_executes_formula_text(run, tmp_path, monkeypatch, formula, fmt):
    monkeypatch.chdir(tmp_path)
    for args in (("graph", formula, "-f", fmt), ("graph", formula, "--at", "x=1", "-f", fmt)):
        result = run(*args)
        assert result.exit_code == 2 and result.stdout == "", result.stdout
        assert result.stderr.startswith("adcli: error: ")
    assert list(tmp_path.iterdir()) == []


def test_graph_of_a_program_needs_a_point(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.py").write_text("open('PWNED', 'w')\ndef f(x):\n    return x\n")
    result = run("graph", "--program", "model.py:f", "-f", "json")
    assert result.exit_code == 2 and "give --at" in result.stderr and result.stdout == ""
    assert not (tmp_path / "PWNED").exists()


# -- the option table ---------------------------------------------------------------

def test_every_flag_is_defined_once():
    """A flag string ("--at", "-f") appears in exactly one Param of the option table."""
    import ast
    from pathlib import Path

    import adcli.cli as package

    flags = []
    for path in Path(package.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Param" \
                    and isinstance(node.args[0], ast.Tuple):
                flags += [e.value for e in node.args[0].elts if isinstance(e, ast.Constant)]
    assert {"--at", "--format", "-f", "--mode", "--digits", "--budget"} <= set(flags)
    assert sorted(f for f in set(flags) if flags.count(f) > 1) == []


def test_graph_and_every_command_share_the_six_formats():
    from adcli.cli.params import GRAPH, TAPE
    from adcli.render import DRAWINGS, FORMATS

    def choices(params):
        return next(p for p in params if "--format" in p.flags).choices

    assert choices(TAPE) == FORMATS and choices(GRAPH) == FORMATS + DRAWINGS
