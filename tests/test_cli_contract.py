"""The CLI does what it says: formulas that start with '-', options that cannot
all be obeyed, --quiet everywhere, titles and narrow terminals, help examples
that run, plurals, and the licence."""

from __future__ import annotations

import io
import json
import math
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from adcli.cli import cli
from tests.support import assert_one_error_line
from adcli.render.rich_table import print_tables
from adcli.studies.entry import method_comparison, tape_trace

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ("diff", "compare", "steps", "swell", "tape", "graph", "jacobian", "jvp", "vjp",
            "hessian", "hvp")
VECTOR_OPTION = {"jvp": ("--tangent", "x=1"), "vjp": ("--cotangent", "1"),
                 "hvp": ("--vector", "x=1")}


def _extra(command: str) -> tuple:
    return VECTOR_OPTION.get(command, ())


# -- a formula that starts with '-' -------------------------------------------------

@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("where", ["first", "last", "after --"])
def test_every_command_takes_a_formula_that_starts_with_minus(run, command, where):
    options = ["--at", "1.5", *_extra(command)] + (["-f", "json"] if command != "graph"
                                                    else ["-f", "json"])
    args = {"first": ["-x^2", *options], "last": [*options, "-x^2"],
            "after --": ["--", "-x^2", *options]}[where]
    result = run(command, *args)
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out.get("expression", out.get("outputs")) in ("-x^2", ["-x^2"])
    expected = {"diff": ("gradient", {"x": -3.0}), "hessian": ("hessian", [[-2.0]]),
                "jacobian": ("jacobian", [[-3.0]]), "jvp": ("jvp", [-3.0]),
                "vjp": ("vjp", {"x": -3.0}), "hvp": ("hvp", {"x": -2.0})}
    if command in expected:  # f = -x^2 at 1.5: f' = -3, f'' = -2
        key, value = expected[command]
        assert out[key] == value


@pytest.mark.parametrize("formula, point, gradient", [
    ("-2*x", "x=1", {"x": -2.0}),
    ("-k*x", "k=2,x=3", {"k": -3.0, "x": -2.0}),      # -k is an option, -k*x is not
    ("-m*x", "m=2,x=3", {"m": -3.0, "x": -2.0}),      # nor -m*x (no such mode)
    ("-qx", "qx=1", {"qx": -1.0}),
    ("-sin(x)", "x=0", {"x": -1.0}),
    ("-(x+1)^2", "x=1", {"x": -4.0}),
])
def test_formulas_that_look_like_options_are_formulas(run_json, formula, point, gradient):
    assert run_json("diff", formula, "--at", point)["gradient"] == gradient


def test_options_after_a_formula_keep_working(run):
    result = run("diff", "-x^3", "-m", "forward", "--at=-2", "-q")
    assert (result.exit_code, result.stdout) == (0, "-12.0\n")


def test_two_formulas_are_still_refused(run):
    result = run("diff", "-x", "-y", "--at", "1")
    assert result.exit_code == 2
    assert result.stderr.startswith("adcli: error: Got unexpected extra argument (-y)")


# -- options that cannot all be obeyed: one rule, every command ------------------

CONFLICTS = [
    (["diff", "x", "--at", "1", "-q", "-f", "json"],
     "--quiet prints bare numbers and --format json a format: give one of them"),
    (["diff", "x", "--at", "1", "-q", "-f", "table"],
     "--quiet prints bare numbers and --format table a format: give one of them"),
    (["diff", "x", "--at", "1", "--order", "2", "-m", "reverse"],
     "--order runs Taylor mode: it cannot be combined with --mode reverse"),
    (["diff", "x", "--at", "1", "--order", "2", "--precision", "30"],
     "--order runs in float64; --precision does not apply"),
    (["diff", "x", "--at", "1", "--method", "central"],
     "--method applies only with --mode numerical, not with --mode reverse"),
    (["diff", "x", "--at", "1", "--method", "central", "-m", "forward"],
     "--method applies only with --mode numerical, not with --mode forward"),
    (["diff", "x", "--at", "1", "--step", "1e-3"],
     "--step applies only with --mode numerical, not with --mode reverse"),
    (["diff", "x", "--at", "1", "--order", "3", "--step", "1e-3"],
     "--step applies only with --mode numerical, not with --order"),
    (["tape", "x", "--at", "1", "-m", "reverse", "--seed", "x=1"],
     "--seed sets the tangents, which --mode reverse does not show: give --mode forward "
     "or both"),
] + [([command, "x", "--at", "1", *_extra(command), "-q", "-f", "csv"],
      "--quiet prints bare numbers and --format csv a format: give one of them")
     for command in COMMANDS] + [
    (["graph", "x*y", "-q"], "--quiet prints the values and adjoints at a point: give --at")]


@pytest.mark.parametrize("argv, message", CONFLICTS, ids=[" ".join(a) for a, _ in CONFLICTS])
def test_options_that_cannot_all_be_obeyed_are_a_usage_error(run, argv, message):
    result = run(*argv)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"adcli: error: {message}\n"


def test_the_rule_is_in_the_help_and_the_readme(run):
    text = " ".join(run("--help").stdout.split())
    assert "Options that cannot all be obeyed are refused (exit 2)" in text
    assert "Options that cannot all be obeyed are refused" in " ".join(
        (ROOT / "README.md").read_text().split())


def test_an_order_swell_cannot_use_is_refused(run):
    result = run("swell", "x*y", "--at", "x=1,y=2", "--order", "2", "-q")
    assert_one_error_line(result, 2, "--order 2")
    assert "--wrt" in result.stderr
    assert run("swell", "x*y", "--at", "x=1,y=2", "-q").stderr == ""
    assert run("swell", "x*y", "--at", "x=1,y=2", "--order", "1", "-q").stderr == ""


def test_order_with_quiet_prints_every_order(run):
    """sin at 1, orders 1..4: cos 1, -sin 1, -cos 1, sin 1, on one line."""
    result = run("diff", "sin(x)", "--at", "1", "--order", "4", "-q")
    fields = [float(v) for v in result.stdout.split(" ")]
    assert result.stdout.count("\n") == 1
    assert fields == pytest.approx([math.cos(1), -math.sin(1), -math.cos(1), math.sin(1)],
                                   rel=1e-14)


def test_mode_and_method_given_together_run(run):
    result = run("diff", "sin(x)", "--at", "1", "-m", "numerical", "--method", "central",
                 "--step", "1e-5", "-q")
    assert result.exit_code == 0 and float(result.stdout) == pytest.approx(math.cos(1),
                                                                           rel=1e-9)


# -- --quiet: the numbers only, one line per output, on every command --------------

def _quiet_and_json(run, *args):
    quiet, full = run(*args, "-q"), run(*args, "-f", "json")
    assert quiet.exit_code == 0 and full.exit_code == 0, quiet.stderr + full.stderr
    return [[float(f) for f in line.split(" ")] for line in quiet.stdout.splitlines()], \
        json.loads(full.stdout)


TWO = ("--at", "x=3,y=pi/6")
QUIET = [
    (("diff", "x*sin(y)", *TWO), lambda j: [list(j["gradient"].values())]),
    (("diff", "x*sin(y)", *TWO, "--precision", "30"), lambda j: [list(j["gradient"].values())]),
    (("jacobian", "x*y, sin(x)+y, exp(x*y)", *TWO), lambda j: j["jacobian"]),
    (("hessian", "x**2*y + sin(x*y)", *TWO), lambda j: j["hessian"]),
    (("jvp", "x*y, sin(x)+y", *TWO, "--tangent", "x=1,y=2"), lambda j: [[v] for v in j["jvp"]]),
    (("vjp", "x*y, sin(x)+y", *TWO, "--cotangent", "1,2"), lambda j: [list(j["vjp"].values())]),
    (("hvp", "x**2*y", *TWO, "--vector", "x=1,y=2"), lambda j: [list(j["hvp"].values())]),
    (("compare", "x*sin(y)", *TWO), lambda j: [list(j["reference"]["gradient"].values())]),
    (("tape", "x*sin(y)", *TWO, "-m", "both"),
     lambda j: [[r["value"], r["tangent"], r["adjoint"]] for r in j["rows"]]),
    (("tape", "x*sin(y)", *TWO, "-m", "reverse"),
     lambda j: [[r["value"], r["adjoint"]] for r in j["rows"]]),
    (("steps", "sin(x)", "--at", "1"),
     lambda j: [[r["h"], r["forward"], r["central"], r["complex"]] for r in j["rows"]]),
    (("graph", "x*sin(y)+x", *TWO),
     lambda j: [[n["value"], n["adjoint"]] for n in j["nodes"]]),
    (("swell", "sin(x)*x", "--at", "1", "--order", "2"),
     lambda j: [[r["symbolic_nodes"], r["count_ops"], r["cse_nodes"], r["tape_entries"],
                 r["ad_work"]] for r in j["rows"]]),
]


@pytest.mark.parametrize("args, expected", QUIET, ids=[" ".join(a[:1] + a[2:]) for a, _ in QUIET])
def test_quiet_prints_the_json_numbers_one_line_per_output(run, args, expected):
    lines, full = _quiet_and_json(run, *args)
    nan = "nan"  # a number the row lacks (JSON null) is nan in both
    assert [[repr(v) for v in row] for row in lines] == [
        [nan if v is None else repr(float(v)) for v in row] for row in expected(full)]


def test_quiet_values_match_closed_forms(run):
    """x*sin(y) at (3, pi/6): the gradient (sin y, x cos y); its Hessian [[0, cos y],
    [cos y, -x sin y]]."""
    lines, _ = _quiet_and_json(run, "hessian", "x*sin(y)", *TWO)
    c, s = math.cos(math.pi / 6), math.sin(math.pi / 6)
    assert lines[0] == [0.0, pytest.approx(c, rel=1e-15)]
    assert lines[1] == pytest.approx([c, -3 * s], rel=1e-15)
    lines, _ = _quiet_and_json(run, "compare", "x*sin(y)", *TWO)
    assert lines[0] == pytest.approx([s, 3 * c], rel=1e-15)


def test_quiet_lines_read_into_shell_variables():
    script = ('read dx dy <<< "$(adcli diff "x*sin(y)" --at x=3,y=pi/6 -q)"; '
              'echo "$dy $dx"')
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                         env={"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin"})
    dy, dx = (float(v) for v in out.stdout.split())
    assert (dx, dy) == pytest.approx((0.5, 3 * math.cos(math.pi / 6)), rel=1e-15)


# -- titles and narrow terminals -----------------------------------------------------

def test_a_long_formula_is_shortened_in_the_title_and_whole_in_json(run):
    formula = "+".join(f"x*{k}" for k in range(5000))
    table = run("diff", formula, "--at", "1")
    assert table.exit_code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert len(lines) < 20 and max(len(line) for line in lines) < 120
    title = " ".join(line.strip() for line in lines[:lines.index(next(
        line for line in lines if line.startswith("┏")))])
    assert title.startswith("x*0+x*1+x*2") and f"({len(formula):,} characters)" in title
    full = json.loads(run("diff", formula, "--at", "1", "-f", "json").stdout)
    assert full["expression"] == formula and full["gradient"]["x"] == sum(range(5000))


def test_many_variables_are_counted_in_the_title(run):
    names = [f"x{k}" for k in range(40)]
    result = run("diff", "+".join(names), "--at", ",".join(f"{n}=1" for n in names))
    assert "… (40 variables)" in " ".join(result.stdout.split("┏")[0].split())


def _numbers(record) -> set:
    """Every number text a record's JSON holds, as the table writes it."""
    from adcli.render.numbers import number

    found = set()

    def walk(x):
        if isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, (list, tuple)):
            for v in x:
                walk(v)
        elif isinstance(x, float) and not x.is_integer():
            found.add(number(x))

    walk(json.loads(_json(record)))
    return found


def _json(record) -> str:
    from adcli.render import render

    out = io.StringIO()
    render(record, "json", stream=out)
    return out.getvalue()


NARROW = [
    lambda: method_comparison("x*sin(y)", ["x=3", "y=pi/6"]),
    lambda: tape_trace("sin(x**2)+exp(x)*cos(x)", ["x=2.123456789"], mode="both"),
    lambda: tape_trace("x*sin(y)+y/x", ["x=3.3333333", "y=pi/7"], mode="forward"),
]


@pytest.mark.parametrize("make", NARROW, ids=["compare", "tape both", "tape forward"])
@pytest.mark.parametrize("width", [80, 60])
def test_tables_at_a_narrow_terminal_keep_every_number_whole(make, width):
    record = make()
    out = io.StringIO()
    print_tables(record, Console(file=out, width=width, force_terminal=True,
                                 color_system=None), fit=True)
    text = out.getvalue()
    assert max(cell_len(line) for line in text.splitlines()) <= width
    cells = {cell.strip() for line in text.splitlines() for cell in re.split("[│┃]", line)}
    partials = {n for n in _numbers(record) if len(n) > 8}  # the long ones fold first
    for row in getattr(record, "rows", ()):
        for v in (getattr(row, "value", None), getattr(row, "tangent", None)):
            if isinstance(v, float):
                assert repr(v) in cells
    if hasattr(record, "reference"):
        for row in record.rows:
            for v in (row.gradient or {}).values():
                assert repr(v) in cells
    assert partials


def test_columns_sets_the_width_of_piped_tables(run):
    result = CliRunnerWithEnv({"COLUMNS": "80"}).invoke(
        cli, ["compare", "x*sin(y)", "--at", "x=3,y=pi/6"])
    lines = result.stdout.splitlines()
    assert result.exit_code == 0 and max(len(line) for line in lines) <= 80
    assert "0.49999999999999994" in result.stdout and "2.598076211353316" in result.stdout


def CliRunnerWithEnv(env):
    from click.testing import CliRunner

    return CliRunner(env=env)


# -- help examples run; plurals; the licence -------------------------------------------

def _help_examples() -> list:
    from click.testing import CliRunner

    lines = []
    for name in [None, *sorted(cli.commands)]:
        text = CliRunner().invoke(cli, ([name] if name else []) + ["--help"]).stdout
        for line in text.splitlines():
            words = line.split()
            if words[:1] in (["adcli"], ["echo"]) and "adcli" in words[:-1] and \
                    words[words.index("adcli") + 1] in cli.commands and "completion" not in words:
                lines.append(line.strip())
    return lines


@pytest.mark.parametrize("line", _help_examples())
def test_every_help_example_runs(run, line, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.py").write_text("def f(x):\n    return x * x if x > 0 else -x\n")
    stdin = None
    if " | " in line:
        feed, line = line.split(" | ")
        stdin = shlex.split(feed)[1] + "\n"
    args = shlex.split(line)[1:]
    result = run(*args, input=stdin)
    needs = {"--plot": "needs matplotlib", "--render": "needs the Graphviz"}
    missing = [words for flag, words in needs.items() if flag in args]
    if missing and result.exit_code and missing[0] in result.stderr:
        pytest.skip(result.stderr.strip())
    assert result.exit_code == 0, (line, result.stderr)
    assert result.stdout


@pytest.mark.parametrize("args, text", [
    (("diff", "x", "--at", "1", "-m", "forward"), "1 tangent sweep over 1 tape entry"),
    (("diff", "x", "--at", "1"), "1 adjoint sweep over 1 tape entry"),
    (("diff", "x", "--at", "1", "-m", "symbolic"), "derivative expressions of 1 node"),
    (("diff", "x", "--at", "1", "-m", "numerical"), "1 function evaluation"),
    (("diff", "x", "--at", "1", "--order", "1"), "through 1 tape entry"),
    (("jacobian", "x", "--at", "1"), "(1 sweep run); AD needs 1 forward sweep or 1 reverse "
                                     "sweep"),
    (("jacobian", "x*y, x", "--at", "x=1,y=2"), "AD needs 2 forward sweeps or 2 reverse "
                                                "sweeps"),
])
def test_counts_agree_with_their_nouns(run, args, text):
    assert text in " ".join(run(*args).stdout.split())


def test_the_licence_is_mit_as_pyproject_says():
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License\n\nCopyright (c) the adcli authors\n")
    assert "THE SOFTWARE IS PROVIDED \"AS IS\"" in licence
    assert 'license = {text = "MIT"}' in (ROOT / "pyproject.toml").read_text()
