"""Every format prints the numbers of the JSON of the same run, in their places.

For each command that prints numbers, the JSON record gives the expected rows
(a Jacobian row: the output's value then its partials in input order; a
compare row: each method's partials in variable order ...).  In every text
format each row must be found, in order, on one line, and the rows on lines
in order.  So a table that repeats one partial in every column, or lists a
Jacobian's columns reversed, fails although its shape is right.  A printed
number matches to the digits it shows (3 significant digits for an error).
"""

from __future__ import annotations

import json
import math
import re

import pytest
from click.testing import CliRunner

from adcli.cli import cli
from support import TEXT_FORMATS

#: Partials that differ from each other and from the value, at a point where no
#: two entries of any matrix coincide.
F = "sin(x)*y + x**3"
AT = ["--at", "x=0.5", "--at", "y=2"]
G = "sin(x)*y + x**3, exp(x) - y**2"


def ordered(mapping: dict, names=("x", "y")) -> list:
    return [mapping[n] for n in names]


COMMANDS = {
    "diff": (["diff", F, *AT],
             lambda j: [[j["value"]], *([g] for g in ordered(j["gradient"]))]),
    "diff-forward": (["diff", F, *AT, "--mode", "forward"],
                     lambda j: [[j["value"]], *([g] for g in ordered(j["gradient"]))]),
    "diff-order": (["diff", F, *AT, "--wrt", "x", "--order", "3"],
                   lambda j: [[d] for d in j["details"]["derivatives"]]),
    "tape": (["tape", F, *AT], lambda j: [[r["value"], r["tangent"]] for r in j["rows"]]),
    # the forward pass in tape order, then the adjoint sweep from the output back
    "tape-reverse": (["tape", F, *AT, "--mode", "reverse"],
                     lambda j: [[r["value"]] for r in j["rows"]]
                     + [[r["adjoint"]] for r in reversed(j["rows"])]),
    "graph": (["graph", F, *AT], lambda j: [[n["value"], n["adjoint"]] for n in j["nodes"]]),
    "compare": (["compare", F, *AT],
                lambda j: [[m["gradient"][n] for n in ("x", "y")] for m in j["rows"]]),
    "steps": (["steps", F, *AT, "--wrt", "x"],
              lambda j: [[r["h"], r["forward"], r["central"]] for r in j["rows"]]),
    "swell": (["swell", F, *AT, "--wrt", "x", "--order", "3"],
              lambda j: [[r["order"], r["symbolic_nodes"], r["count_ops"], r["cse_nodes"],
                          r["tape_entries"], r["ad_work"]] for r in j["rows"]]),
    "jacobian": (["jacobian", G, *AT],
                 lambda j: [[v, *row] for v, row in zip(j["value"], j["jacobian"])]),
    "jacobian-reverse": (["jacobian", G, *AT, "--mode", "reverse"],
                         lambda j: [[v, *row] for v, row in zip(j["value"], j["jacobian"])]),
    "jvp": (["jvp", G, *AT, "--tangent", "x=1,y=0.5"],
            lambda j: [[v, d] for v, d in zip(j["value"], j["jvp"])]),
    "vjp": (["vjp", G, *AT, "--cotangent", "1,3"], lambda j: [[g] for g in ordered(j["vjp"])]),
    "hessian": (["hessian", F, *AT],
                lambda j: [[g, *row] for g, row in zip(ordered(j["gradient"]), j["hessian"])]),
    "hvp": (["hvp", F, *AT, "--vector", "x=1,y=0.5"], lambda j: [[g] for g in ordered(j["hvp"])]),
}

NUMBER = re.compile(r"(?<![\w.^{])[-\u2212]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.])")


def numbers(line: str) -> list[str]:
    return [n.replace("\u2212", "-") for n in NUMBER.findall(line)]


def matches(printed: str, want) -> bool:
    """``printed`` is ``want`` to the significant digits it shows."""
    got = float(printed)
    if want is None or not math.isfinite(want):
        return False
    mantissa = printed.lstrip("-").split("e")[0].split("E")[0]
    digits = len(mantissa.replace(".", "").lstrip("0")) or 1
    if got == 0:
        return want == 0 or abs(want) < 10.0 ** -(digits + 1)
    unit = 10.0 ** (math.floor(math.log10(abs(got))) - digits + 1)
    return abs(got - want) <= 0.51 * unit + 1e-15 * abs(want)


def in_order(found: list[str], row: list) -> bool:
    """``row`` is a subsequence of the line's numbers ``found``."""
    k = 0
    for printed in found:
        if k < len(row) and matches(printed, row[k]):
            k += 1
    return k == len(row)


def invoke(args, fmt):
    runner = CliRunner(env={"COLUMNS": "400"})  # no table folding a number in two
    result = runner.invoke(cli, [*args, "--format", fmt], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_format_prints_the_json_numbers_in_place(name, fmt):
    args, rows_of = COMMANDS[name]
    rows = rows_of(json.loads(invoke(args, "json")))
    assert rows and all(rows), name
    lines = [numbers(line) for line in invoke(args, fmt).splitlines()]
    at = 0
    for row in rows:
        while at < len(lines) and not in_order(lines[at], row):
            at += 1
        assert at < len(lines), f"{name} -f {fmt}: row {row} not found in order"
        at += 1


def test_the_check_catches_a_repeated_or_reversed_column():
    """The mutations this file exists for: both must fail the row check."""
    line = numbers("sin(x)*y,0.958851077208406,1.7551651237807455,0.479425538604203")
    assert in_order(line, [0.958851077208406, 1.7551651237807455, 0.479425538604203])
    assert not in_order(line, [0.958851077208406, 0.479425538604203, 1.7551651237807455])
    repeated = numbers("central,1.7551651237807455,1.7551651237807455,1e-11")
    assert not in_order(repeated, [1.7551651237807455, 0.479425538604203])
    assert matches("8.78e-09", 8.7812e-09) and not matches("8.78e-09", 8.79e-09)
