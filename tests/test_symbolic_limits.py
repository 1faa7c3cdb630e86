"""The symbolic mode answers or refuses clearly; it never hangs or crashes."""

from __future__ import annotations

import math

import pytest

from adcli.api import differentiate
from adcli.backends import symbolic
from adcli.errors import NotAvailable


def test_long_sums_are_one_add_not_a_deep_tree():
    text = "+".join(f"sin(x*{k}.5)" for k in range(600))
    r = differentiate(text, ["x=0.3"], mode="symbolic")
    expected = sum((k + 0.5) * math.cos(0.3 * (k + 0.5)) for k in range(600))
    assert r.gradient["x"] == pytest.approx(expected, rel=1e-12)


def test_deep_nesting_is_refused_with_a_reason():
    text = "sin(" * 1000 + "x" + ")" * 1000
    with pytest.raises(NotAvailable, match="nesting depth"):
        differentiate(text, ["x=0.5"], mode="symbolic")


def test_over_budget_is_refused_not_waited_for(monkeypatch):
    monkeypatch.setattr(symbolic, "BUDGET_SECONDS", 0.001)
    text = "+".join(f"sin(x*{k}.5)*exp(x/{k}.5)" for k in range(1, 2000))
    with pytest.raises(NotAvailable, match="over budget"):
        differentiate(text, ["x=0.3"], mode="symbolic")


def test_symbolic_reports_formula_and_size():
    r = differentiate("x**3 + log(x)", ["2"], mode="symbolic")
    assert r.formulas == {"x": "3*x**2 + 1/x"}
    assert r.details["size"]["x"]["count_ops"] >= 3
    assert r.cost["expression_nodes"] == r.details["size"]["x"]["tree_nodes"]
