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


# -- swell: SymPy's bounds and the budget cover every step -------------------------------

def _swell(formula: str, budget: float = 5.0, order: int = 2):
    from adcli.studies.swell import expression_swell

    return expression_swell(formula, ["x=0.5"], order=order, budget=budget)


@pytest.mark.parametrize("formula, nodes, nesting", [
    ("+".join(f"sin({k}*x)" for k in range(1, 7001)), 28_000, 3),  # 1 + 7,000·3 + 6,999
    ("sin(" * 450 + "x" + ")" * 450, 451, 450),
])
def test_swell_applies_the_symbolic_size_bounds_first(run, monkeypatch, formula, nodes,
                                                      nesting):
    """Nothing is recorded or converted: the bound is checked on the parsed graph."""
    from adcli.studies import swell as module

    monkeypatch.setattr(module, "record", lambda *a, **k: pytest.fail("recorded"))
    result = run("swell", formula, "--at", "x=0.5", "--budget", "1")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"adcli: error: swell is not available for this input: "
                             f"{nodes:,} nodes nested {nesting:,} deep, and SymPy is given "
                             f"at most 20,000 nodes nested 400 deep\n")


def _armed() -> float:
    import signal

    return signal.getitimer(signal.ITIMER_REAL)[0]


@pytest.mark.parametrize("step", ["to_sympy", "sizes"])
def test_swell_runs_every_sympy_step_under_the_budget(monkeypatch, step):
    """The conversion to SymPy once ran outside the budget (90 s with --budget 1)."""
    from adcli.studies import swell as module

    real, seen = getattr(module, step), []
    monkeypatch.setattr(module, step, lambda *a: seen.append(_armed()) or real(*a))
    study = _swell("sin(x)*exp(x)", budget=3.0)
    assert seen and all(0 < left <= 3.0 for left in seen)
    assert [row.status for row in study.rows] == ["ok", "ok"]
    assert study.rows[0].symbolic_nodes is not None


def test_swell_stops_a_slow_conversion_at_the_budget(monkeypatch):
    import time

    from adcli.studies import swell as module

    monkeypatch.setattr(module, "to_sympy", lambda *a: time.sleep(60))
    study = _swell("sin(x)*exp(x)", budget=0.5)  # a minute's sleep, cut at the budget
    assert [row.status for row in study.rows] == ["over budget", "over budget"]
    assert all(row.tape_entries == 4 and row.ad_work > 4 for row in study.rows)


def test_swell_bounds_the_ad_columns_by_half_the_budget(monkeypatch):
    """Nested tapes and Taylor time stop at half the budget: empty cells, not a hang."""
    import time

    from adcli.tape import series

    monkeypatch.setattr(series, "coefficients", lambda *a: time.sleep(60))
    study = _swell("sin(x)*exp(x)", budget=1.0)  # a minute's sleep, cut at the budget
    assert [row.taylor_seconds for row in study.rows] == [None, None]
    assert [row.status for row in study.rows] == ["ok", "ok"]


# -- sweeps × tape entries: checked before the first sweep --------------------------------

def _jacobian(formula: str, names: list[str], mode: str):
    from adcli.studies.entry import jacobian_at

    return jacobian_at(formula, [f"{n}=0.5" for n in names], (), mode)


def test_forward_jacobian_of_many_inputs_is_refused_before_sweeping(monkeypatch):
    """20,000 tangent sweeps over a 60,000-entry tape never finished; one adjoint sweep
    gives the same gradient."""
    from adcli.errors import UsageError
    from adcli.studies import jacobian as module

    monkeypatch.setattr(module, "tangent_columns", lambda *a: pytest.fail("swept"))
    names = [f"x{i}" for i in range(20_000)]
    formula = "+".join(f"{n}*{n}" for n in names)
    with pytest.raises(UsageError) as caught:
        _jacobian(formula, names, "forward")
    assert caught.value.message == (
        "forward mode needs 20,000 sweeps over 59,999 tape entries, over the bound of "
        "20,000,000 entries swept; reverse mode needs 1 sweep (--mode reverse), or choose "
        "fewer inputs with --wrt")
    gradient = _jacobian(formula, names, "auto")
    assert gradient.matrix[0][:3] == (1.0, 1.0, 1.0) and len(gradient.matrix[0]) == 20_000


def test_reverse_jacobian_of_many_outputs_is_refused_before_sweeping():
    from adcli.errors import UsageError

    outputs = ",".join(f"sin({k}*x)" for k in range(1, 5_001))
    with pytest.raises(UsageError) as caught:  # x, then k·x and sin(k·x) for each k
        _jacobian(outputs, ["x"], "reverse")
    assert caught.value.message == (
        "reverse mode needs 5,000 sweeps over 10,001 tape entries, over the bound of "
        "20,000,000 entries swept; forward mode needs 1 sweep (--mode forward)")
    column = _jacobian(outputs, ["x"], "auto").matrix
    assert [row[0] for row in column[:3]] == pytest.approx(
        [k * math.cos(0.5 * k) for k in (1, 2, 3)], rel=1e-15)
