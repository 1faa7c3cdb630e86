"""Numerical differences warn when a step takes another branch of a formula's conditional.

The expectation is the closed form of where each piece ends: the warning must
appear exactly when the stencil ``x - h, x + h`` (the step ``h`` the run
reports) reaches past the condition's boundary, and never at smooth points.
"""

from __future__ import annotations

import json

import pytest

from adcli.api import differentiate

PIECES = ["x if x > 1 else 2*x - 1", "where(x > 1, x, 2*x - 1)",
          "(2*x - 1 if x <= 1 else x) + 0*y"]


def crossing_warnings(result) -> list:
    return [w for w in result.warnings if "takes another branch" in w.message]


@pytest.mark.parametrize("text", PIECES)
@pytest.mark.parametrize("x", ["1.0000000001", "0.9999999999", "1.001", "0.999", "1.5", "-3"])
def test_warned_exactly_when_the_stencil_crosses_the_boundary(text, x):
    at = [f"x={x}"] + (["y=2"] if "y" in text else [])
    got = differentiate(text, at, mode="numerical", method="central")
    h, x0 = got.details["step"]["x"], float(x)
    crosses = x0 - h <= 1 < x0 + h  # the boundary: x > 1 or not
    assert bool(crossing_warnings(got)) == crosses, (h, got.warnings)
    if crosses:
        assert "x > 1" in crossing_warnings(got)[0].message or \
            "x <= 1" in crossing_warnings(got)[0].message
        assert not 0.99 < got.gradient["x"] < 1.01 or not 1.99 < got.gradient["x"] < 2.01
    else:  # one piece: its slope, 1 above the boundary and 2 below
        assert got.gradient["x"] == pytest.approx(1.0 if x0 > 1 else 2.0, rel=1e-8)


def test_only_the_variable_that_crosses_is_named():
    got = differentiate("x*y if x > 1 else (2*x - 1)*y", ["x=1.0000000001", "y=3"],
                        mode="numerical", method="central")
    names = [w.message.split(" = ")[0].split()[-1] for w in crossing_warnings(got)]
    assert names == ["x"]


@pytest.mark.parametrize("text", ["sin(x)*x", "abs(x - 1)", "relu(x - 1)"])
def test_no_conditional_no_crossing_warning(text):
    got = differentiate(text, ["x=1.5"], mode="numerical", method="central")
    assert crossing_warnings(got) == []


def test_the_warning_reaches_the_cli(run):
    result = run("diff", "x if x > 1 else 2*x - 1", "--at", "x=1.0000000001",
                 "--mode", "numerical", "--format", "json")
    assert result.exit_code == 0, result.stderr
    messages = [w["message"] for w in json.loads(result.stdout)["warnings"]]
    assert any("takes another branch" in m and "x > 1" in m for m in messages), messages
    assert "takes another branch" in result.stderr
    smooth = run("diff", "x if x > 1 else 2*x - 1", "--at", "x=1.5",
                 "--mode", "numerical", "--format", "json")
    assert json.loads(smooth.stdout)["warnings"] == []


def test_other_modes_do_not_warn_of_crossings():
    for mode in ("forward", "reverse", "symbolic"):
        got = differentiate("x if x > 1 else 2*x - 1", ["x=1.0000000001"], mode=mode)
        assert crossing_warnings(got) == [] and got.gradient["x"] == 1.0
