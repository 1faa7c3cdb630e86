"""Every option that takes a number has a bound, checked before the work, and
says it in one line (exit 2) -- inf, nan, 0, negatives and huge values alike."""

from __future__ import annotations

import json

import pytest

from support import assert_one_error_line

BUDGETS = ["inf", "1e300", "nan", "0", "-1", "86401"]


@pytest.mark.parametrize("budget", BUDGETS)
@pytest.mark.parametrize("command", ["swell", "compare"])
def test_budget_is_bounded(run, command, budget):
    assert_one_error_line(run(command, "sin(x)", "--at", "1", "--budget", budget), 2,
                          "--budget")


def test_a_day_of_budget_is_accepted(run):
    result = run("swell", "sin(x)", "--at", "1", "--order", "1", "--budget", "86400",
                 "-f", "json")
    assert result.exit_code == 0, result.stderr


def test_reference_digits_up_to_the_documented_limit(run):
    result = run("compare", "sin(x)", "--at", "1", "--reference-digits", "10000",
                 "-f", "json")
    assert result.exit_code == 0, result.stderr
    reference = json.loads(result.stdout, parse_float=str)["reference"]
    assert reference["digits"] == 10000
    assert reference["value"].startswith("0.84147098480789650665250232163029899962")
    assert len(reference["value"]) > 10000


@pytest.mark.parametrize("digits", ["0", "10001"])
def test_reference_digits_out_of_range_names_its_own_option(run, digits):
    result = run("compare", "sin(x)", "--at", "1", "--reference-digits", digits)
    assert_one_error_line(result, 2, f"--reference-digits {digits}")
    assert "--precision" not in result.stderr
