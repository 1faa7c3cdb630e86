"""Terminal tables of large results: a bounded corner of the data, a caption that
counts exactly what was left out, and every other format complete.

Sizes and values are known in closed form: the Hessian of
``x1*x2 + x2*x3 + ... + x(n-1)*xn`` at all ones has 1 next to the diagonal and 0
elsewhere, its gradient is 2 inside and 1 at both ends; the tape of a sum of
``sin(x*k)`` for k = 1..n has 3n rows (the input, then per term ``x*k``, ``sin``
and all but one ``+``).
"""

from __future__ import annotations

import json
import re

import pytest

from adcli.render.rich_table import bounded
from adcli.render.tabular import Tabular

N = 2_000
TERMS = 3_000
CAPTION = re.compile(r"not shown here: (.*); -f csv, -f json or -f plain print them all$")
LEFT_OUT = re.compile(r"([\d,]+) of ([\d,]+) (rows|columns) \(([^)]*)\)")


def chain(n: int) -> tuple[str, str]:
    formula = " + ".join(f"x{i}*x{i + 1}" for i in range(1, n))
    return formula, ",".join(f"x{i}=1" for i in range(1, n + 1))


def grid(text: str, opening: str = "┃") -> tuple[list, list]:
    """The header cells and the body rows of the first Rich table in ``text``."""
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith(opening))
    body = [line for line in lines if line.startswith("│")]
    return [c.strip() for c in header.strip(opening).split(opening)], \
        [[c.strip() for c in line.strip("│").split("│")] for line in body]


def left_out(text: str) -> dict:
    """``{"rows": (hidden, total, detail), "columns": ...}`` from the caption line."""
    captions = [CAPTION.search(line) for line in text.splitlines()]
    found = [m for m in captions if m]
    assert len(found) == 1, text[-2000:]
    return {kind: (int(hidden.replace(",", "")), int(total.replace(",", "")), detail)
            for hidden, total, kind, detail in LEFT_OUT.findall(found[0].group(1))}


@pytest.fixture(scope="module")
def hessian_runs():
    """The same 2,000-variable Hessian as a terminal table and as JSON (one run each)."""
    from click.testing import CliRunner

    from adcli.cli import cli

    formula, at = chain(N)
    runner = CliRunner()
    outputs = {}
    for fmt in ("table", "json"):
        result = runner.invoke(cli, ["hessian", formula, "--at", at, "-f", fmt],
                               catch_exceptions=False, env={"COLUMNS": None})
        assert result.exit_code == 0, result.stderr
        outputs[fmt] = result.stdout
    return outputs


def test_a_2000_variable_hessian_table_completes_and_counts_what_it_left_out(hessian_runs):
    text = hessian_runs["table"]
    headers, rows = grid(text)
    gap = [k for k, row in enumerate(rows) if row[0] == "⋮"]
    assert len(gap) == 1
    shown = [row for row in rows if row[0] != "⋮"]
    hidden_rows, total_rows, rows_detail = left_out(text)["rows"]
    assert total_rows == N and hidden_rows == N - len(shown) > 0
    # the rows shown are the first ones and the last ones, in order, around the gap
    labels = [int(row[0].removeprefix("∂f/∂x")) for row in shown]
    first, last = labels[:gap[0]], labels[gap[0]:]
    assert first == list(range(1, len(first) + 1))
    assert last == list(range(N - len(last) + 1, N + 1))
    assert rows_detail == f"rows {len(first) + 1:,} to {N - len(last):,}"
    # columns: row, gradient and N partials; "…" stands for those left out
    hidden_columns, total_columns, columns_detail = left_out(text)["columns"]
    assert headers.count("…") == 1
    assert total_columns == N + 2 and hidden_columns == N + 2 - (len(headers) - 1)
    cut = headers.index("…")
    before = [int(h.removeprefix("∂/∂x")) for h in headers[2:cut]]
    after = [int(h.removeprefix("∂/∂x")) for h in headers[cut + 1:]]
    assert before == list(range(1, len(before) + 1))
    assert after == list(range(N - len(after) + 1, N + 1))
    assert columns_detail == f"∂/∂x{len(before) + 1} to ∂/∂x{N - len(after)}"
    assert len(text.splitlines()) < 300


def test_the_numbers_a_large_table_shows_are_the_jsons_and_the_closed_forms(hessian_runs):
    data = json.loads(hessian_runs["json"])
    assert len(data["hessian"]) == N and all(len(row) == N for row in data["hessian"])
    headers, rows = grid(hessian_runs["table"])
    assert headers[:2] == ["row", "gradient"]
    columns = {k: int(h.removeprefix("∂/∂x")) for k, h in enumerate(headers)
               if h.startswith("∂/∂x")}
    checked = 0
    for row in rows:
        if row[0] == "⋮":
            continue
        i = int(row[0].removeprefix("∂f/∂x"))
        gradient = float(row[1])
        assert gradient == data["gradient"][f"x{i}"] == (1.0 if i in (1, N) else 2.0)
        for k, j in columns.items():
            value = float(row[k])
            assert value == data["hessian"][i - 1][j - 1], (i, j)
            assert value == (1.0 if abs(i - j) == 1 else 0.0), (i, j)
            checked += 1
        assert row[headers.index("…")] == "…"
    assert checked == (len(rows) - 1) * len(columns)


@pytest.fixture(scope="module")
def long_sum():
    return "+".join(f"sin(x*{k})" for k in range(1, TERMS + 1))


def test_the_tape_of_a_3000_term_formula_as_a_table_counts_its_rows(run, long_sum,
                                                                      monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    result = run("tape", long_sum, "--at", "x=1", "-f", "table")
    assert result.exit_code == 0, result.stderr
    headers, rows = grid(result.stdout)
    shown = [row for row in rows if row[0] != "⋮"]
    hidden, total, detail = left_out(result.stdout)["rows"]
    assert total == 3 * TERMS and hidden == total - len(shown) > 0
    names = [row[0] for row in shown]
    assert names[0] == "v1" and names[-1] == f"v{3 * TERMS}"
    assert "…" not in headers   # six columns fit
    # the last row shown is the whole sum: its value and tangent in closed form
    import math

    value = float(shown[-1][headers.index("value")])
    tangent = float(shown[-1][headers.index("tangent")])
    assert value == pytest.approx(math.fsum(math.sin(k) for k in range(1, TERMS + 1)),
                                  rel=1e-12, abs=1e-9)
    assert tangent == pytest.approx(math.fsum(k * math.cos(k) for k in range(1, TERMS + 1)),
                                    rel=1e-12, abs=1e-6)


def test_the_reverse_sweep_table_gets_its_own_caption(run, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    terms = 200
    formula = "+".join(f"sin(x*{k})" for k in range(1, terms + 1))
    result = run("tape", formula, "--at", "x=1", "--mode", "reverse", "-f", "table")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    ends = [k for k, line in enumerate(lines) if CAPTION.search(line)]
    assert len(ends) == 2
    for start, end in zip([0] + ends, ends):
        hidden, total, _, _ = LEFT_OUT.findall(lines[end])[0]
        shown = [line for line in lines[start:end]
                 if line.startswith("│") and "⋮" not in line]
        assert int(total.replace(",", "")) == 3 * terms   # one adjoint per tape row
        assert int(hidden.replace(",", "")) == 3 * terms - len(shown) > 0


#: A tape row's first cell in each format, the row's number captured.
FIRST_CELL = {"plain": r"^v(\d+)\t", "csv": r"^v(\d+),", "markdown": r"^\| v(\d+) \|",
              "latex": r"^\$v_\{(\d+)\}\$ &"}


@pytest.mark.parametrize("fmt", sorted(FIRST_CELL))
def test_other_formats_stay_complete(run, fmt):
    """Every row of a 900-row tape, each once, in order."""
    terms = 300
    formula = "+".join(f"sin(x*{k})" for k in range(1, terms + 1))
    result = run("tape", formula, "--at", "x=1", "-f", fmt)
    assert result.exit_code == 0, result.stderr
    numbers = [int(n) for n in re.findall(FIRST_CELL[fmt], result.stdout, re.MULTILINE)]
    assert numbers == list(range(1, 3 * terms + 1))
    assert "not shown" not in result.stdout and "⋮" not in result.stdout


@pytest.mark.parametrize("count", [1, 199, 200])
def test_a_table_within_the_bounds_is_left_as_it_is(count):
    tab = Tabular("t", ["a", "b"], [[str(k), "x"] for k in range(count)], ["f"], {"a"})
    kept = bounded(tab)
    assert (kept.title, kept.headers, kept.rows, kept.footer, kept.right) == \
        (tab.title, tab.headers, tab.rows, tab.footer, tab.right)


def test_one_row_over_the_bound_is_cut_and_counted():
    rows = [[str(k), "x"] for k in range(201)]
    cut = bounded(Tabular("t", ["a", "b"], rows, ["f"], {"a"}))
    kept = [row[0] for row in cut.rows if row[0] != "⋮"]
    assert len(kept) <= 200 and len(cut.rows) == len(kept) + 1
    assert cut.footer[0].startswith(f"not shown here: {201 - len(kept)} of 201 rows")
    assert cut.footer[1:] == ["f"]


def test_a_hessian_just_narrow_enough_is_not_cut(run, monkeypatch):
    """22 variables: row, gradient and 22 partials -- 24 columns, every one shown."""
    monkeypatch.delenv("COLUMNS", raising=False)
    formula, at = chain(22)
    result = run("hessian", formula, "--at", at)
    assert result.exit_code == 0, result.stderr
    headers, rows = grid(result.stdout)
    assert headers[2:] == [f"∂/∂x{j}" for j in range(1, 23)] and len(rows) == 22
    assert "not shown" not in result.stdout
