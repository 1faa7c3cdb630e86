"""Sizes with a bound: work that grows with the input grows linearly, or is refused.

Timing is the benchmarks' business; these tests pin the property that makes a
size cheap -- how many times a step runs -- so that a quadratic loop fails here
whatever the machine.
"""

from __future__ import annotations

import math

import pytest

from adcli.api import problem


def test_tape_rules_in_latex_name_only_their_own_rows(monkeypatch):
    """Each rule's LaTeX names its own symbols, not every row of the tape: a
    2,000-term tape once spent 24 million row namings (13 s) on its table."""
    from adcli.studies import tape_table as module

    calls = []
    original = module._Rules._names
    monkeypatch.setattr(module._Rules, "_names",
                        lambda self, kind, entry: calls.append(entry) or
                        original(self, kind, entry))
    terms = 300
    table = module.tape_table(problem("+".join(f"sin(x*{k})" for k in range(1, terms + 1)),
                                      ["x=0.5"]), mode="both")
    assert len(table.rows) == 3 * terms   # x, x·k, sin(x·k) and the sums (x·1 is x·1.0)
    assert len(calls) < 20 * len(table.rows)
    last = table.rows[-1]
    assert last.value == pytest.approx(sum(math.sin(0.5 * k) for k in range(1, terms + 1)))
    rule = next(row for row in table.rows if row.op == "sin").tangent_rule
    assert rule.latex == r"\dot{v}_{3} = \cos\left(v_{2}\right) \cdot \dot{v}_{2}"
