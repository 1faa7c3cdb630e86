"""Every output format of every command: it runs, and it is what it says it is.

table, plain, json, csv, markdown and latex for diff, tape (forward, reverse,
both), graph (the formula and at a point), compare, steps, swell, functions
and examples.  The LaTeX is also
compiled with pdflatex when this machine has it (skipped otherwise).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess

import pytest

from adcli.render import FORMATS

COMMANDS = {
    "diff": ("diff", "sin(x**2)+exp(x)", "--at", "2"),
    "diff-symbolic": ("diff", "x^3 + ln(x)", "--at", "2", "--mode", "symbolic"),
    "tape-forward": ("tape", "x*sin(y)", "--at", "x=3", "--at", "y=pi/6", "-m", "forward"),
    "tape-reverse": ("tape", "x*sin(y)", "--at", "x=3", "--at", "y=pi/6", "-m", "reverse"),
    "tape-both": ("tape", "--example", "baydin", "-m", "both"),
    "graph": ("graph", "x - sin(y)"),
    "graph-at": ("graph", "x*sin(y) if x > 0 else y", "--at", "x=3", "--at", "y=pi/6"),
    "compare": ("compare", "sin(x**2)+exp(x)", "--at", "2"),
    "steps": ("steps", "sin(x)", "--at", "1"),
    "swell": ("swell", "exp(sin(x))*x**x", "--at", "1.5", "--order", "3"),
    "functions": ("functions",),
    "examples": ("examples",),
}

CASES = [(name, fmt) for name in COMMANDS for fmt in FORMATS]


def test_the_formats_are_the_six_documented():
    assert FORMATS == ("table", "plain", "json", "csv", "markdown", "latex")


@pytest.fixture(scope="module")
def outputs():
    """Each (command, format) run once on CliRunner: {(name, fmt): result}."""
    from click.testing import CliRunner

    from adcli.cli import cli

    runner = CliRunner()
    return {(name, fmt): runner.invoke(cli, [*COMMANDS[name], "--format", fmt],
                                       catch_exceptions=False)
            for name, fmt in CASES}


@pytest.mark.parametrize("name, fmt", CASES, ids=[f"{n}-{f}" for n, f in CASES])
def test_every_format_of_every_command(outputs, name, fmt):
    result = outputs[name, fmt]
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert out.strip() and out.endswith("\n")
    assert "\x1b[" not in out  # CliRunner is no terminal: no escape codes
    if fmt == "json":
        assert isinstance(json.loads(out), dict)
        assert out.count("\n") == 1  # exactly one object, on one line
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        header = rows[0]
        assert header and all(cell and not _is_number(cell) for cell in header), header
        # every section (sections follow a blank line) is a rectangle under its header
        section = header
        for row in rows[1:]:
            if not row:
                section = None
                continue
            if section is None:
                section = row
                continue
            assert len(row) == len(section), (row, section)
    elif fmt == "markdown":
        lines = out.splitlines()
        assert any(line.startswith("|---") for line in lines)
        seps = [k for k, line in enumerate(lines) if line.startswith("|---")]
        for k in seps:  # a header line above each separator, with as many columns
            assert lines[k - 1].startswith("| ")
            assert lines[k].count("|") == lines[k - 1].count("|") - lines[k - 1].count("\\|")
    elif fmt == "latex":
        assert out.splitlines()[0].startswith("%") and "amsmath" in out.splitlines()[0] \
            and "booktabs" in out.splitlines()[0]
        assert r"\begin{tabular}" in out and r"\toprule" in out
        assert r"\midrule" in out and r"\bottomrule" in out
        assert out.count(r"\begin{tabular}") == out.count(r"\end{tabular}")
        assert _balanced(out)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _balanced(text: str) -> bool:
    """Braces balance, counting neither \\{ nor \\}."""
    depth = 0
    k = 0
    while k < len(text):
        if text[k] == "\\" and k + 1 < len(text) and text[k + 1] in "{}":
            k += 2
            continue
        depth += {"{": 1, "}": -1}.get(text[k], 0)
        if depth < 0:
            return False
        k += 1
    return depth == 0


def test_tape_latex_names(outputs):
    forward = outputs["tape-forward", "latex"].stdout
    reverse = outputs["tape-reverse", "latex"].stdout
    both = outputs["tape-both", "latex"].stdout
    assert r"\dot{v}_{" in forward and r"\bar{v}_{" not in forward
    assert r"\bar{v}_{" in reverse and r"\dot{v}_{" not in reverse
    assert r"\dot{v}_{" in both and r"\bar{v}_{" in both
    assert r"v_{3}" in forward
    # Griewank's negative names, and no raw combining marks left over
    assert r"\bar{v}_{-1}" in both and r"\dot{v}_{-1}" in both and r"v_{-1}" in both
    for text in (forward, reverse, both):
        assert "\u0307" not in text and "\u0304" not in text and "·" not in text


def test_latex_symbolic_formula_keeps_powers(outputs):
    out = outputs["diff-symbolic", "latex"].stdout
    assert r"\cdot  \cdot" not in out
    assert "x^{2}" in out


def test_tape_csv_has_both_tables(outputs):
    rows = list(csv.reader(io.StringIO(outputs["tape-both", "csv"].stdout)))
    assert rows[0] == ["v", "definition", "value", "tangent rule", "tangent", "notes"]
    blank = rows.index([])
    assert rows[blank + 1] == ["adjoint rule", "adjoint"]
    assert len(rows) == blank + 2 + 7  # seven adjoints follow


def test_formats_agree_on_the_tape(outputs):
    """JSON's rules appear verbatim in plain, CSV and table output."""
    data = json.loads(outputs["tape-both", "json"].stdout)
    rules = [r["tangent_rule"] for r in data["rows"]] + [r["adjoint_rule"] for r in data["rows"]]
    for fmt in ("plain", "csv", "table", "markdown"):
        text = outputs["tape-both", fmt].stdout
        for rule in rules:
            assert rule in text, (fmt, rule)


def test_json_contract_of_tape(outputs):
    for name, extra in (("tape-forward", {"tangent", "tangent_rule"}),
                        ("tape-reverse", {"adjoint", "adjoint_rule"}),
                        ("tape-both", {"tangent", "adjoint"})):
        data = json.loads(outputs[name, "json"].stdout)
        assert {"expression", "point", "mode", "rows", "outputs"} <= set(data)
        for row in data["rows"]:
            assert {"name", "op", "args", "expr", "value", "notes"} | extra <= set(row)
        ops = [row["op"] for row in data["rows"]]
        n_inputs = ops.count("input")
        assert ops[:n_inputs] == ["input"] * n_inputs  # inputs first
        assert data["outputs"] == [data["rows"][-1]["name"]]


# -- pdflatex, when installed ----------------------------------------------------------

needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None,
                                    reason="pdflatex is not installed")

PREAMBLE = "\\documentclass{article}\n\\usepackage{amsmath,booktabs}\n\\begin{document}\n"


@needs_pdflatex
@pytest.mark.parametrize("name", ["tape-both", "tape-reverse", "diff-symbolic", "compare",
                                  "graph-at"])
def test_latex_compiles(outputs, tmp_path, name):
    source = tmp_path / "table.tex"
    source.write_text(PREAMBLE + outputs[name, "latex"].stdout + "\\end{document}\n",
                      encoding="utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                           "-no-shell-escape", source.name], cwd=tmp_path,
                          capture_output=True, timeout=60,
                          stdin=subprocess.DEVNULL)
    log = done.stdout.decode("utf-8", "replace")
    assert done.returncode == 0, log[-2000:]
    assert (tmp_path / "table.pdf").stat().st_size > 0
