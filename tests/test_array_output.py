"""Vectors and matrices in every output: diff's formats, the tape's shapes and
textbook adjoint lines, the graph's shapes, a large gradient summarised.

The reference for the course's matmul VJP (C = AB, upstream C̄; f = sum(C̄ ⊙ AB))
is the closed form Ā = C̄Bᵀ, B̄ = AᵀC̄, written here as explicit index sums in
plain Python; every format's numbers are read back from its text.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re

import numpy as np
import pytest

A = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
B = [[1.0, 0.0], [2.0, 1.0], [0.0, 3.0]]
CBAR = [[1.0, 2.0], [3.0, 4.0]]
FORMULA = "sum(Cbar * (A @ B))"
POINT = ("--at", "A=[[1,2,3],[4,5,6]]", "--at", "B=[[1,0],[2,1],[0,3]]",
         "--at", "Cbar=[[1,2],[3,4]]")
#: Ā = C̄Bᵀ and B̄ = AᵀC̄ by index sums.
ABAR = [[sum(CBAR[i][j] * B[k][j] for j in range(2)) for k in range(3)] for i in range(2)]
BBAR = [[sum(A[i][k] * CBAR[i][j] for i in range(2)) for j in range(2)] for k in range(3)]
WANT = {"A": ABAR, "B": BBAR}


def _diff(run, *args):
    result = run("diff", FORMULA, *POINT, "--wrt", "A,B", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_closed_form_is_what_the_course_says():
    assert ABAR == [[1.0, 4.0, 6.0], [3.0, 10.0, 12.0]]
    assert BBAR == [[13.0, 18.0], [17.0, 24.0], [21.0, 30.0]]


def test_json_gradient_has_each_variables_shape(run):
    out = json.loads(_diff(run, "-f", "json"))
    assert out["gradient"] == WANT
    assert out["shapes"] == {"A": [2, 3], "B": [3, 2], "Cbar": [2, 2]}
    assert out["point"]["A"] == A


def _table_cells(text: str) -> dict:
    """quantity -> the rows of numbers in its value cell (a matrix spans lines)."""
    cells: dict = {}
    last = None
    for line in text.splitlines():
        if not line.startswith("│"):
            continue
        quantity, value = [c.strip() for c in line.strip("│").split("│")][:2]
        last = quantity or last
        cells.setdefault(last, []).append([float(x) for x in value.split()])
    return cells


def test_table_prints_a_small_matrix_as_a_matrix(run):
    text = _diff(run)
    cells = _table_cells(text)
    assert cells["∂f/∂A"] == ABAR and cells["∂f/∂B"] == BBAR
    assert "A: 2×3" in text and "[[1" not in text.split("\n")[0]  # the point by its shape


def test_plain_markdown_latex_csv_quiet_give_the_closed_form(run):
    plain = dict(line.split(" = ", 1) for line in _diff(run, "-f", "plain").splitlines())
    assert {k: json.loads(plain[f"d/d{k}"]) for k in WANT} == WANT

    markdown = {}
    for line in _diff(run, "-f", "markdown").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0].startswith("∂f/∂"):
            markdown[cells[0][4:]] = json.loads(cells[1])
    assert markdown == WANT

    latex = _diff(run, "-f", "latex")
    for name, want in WANT.items():
        body = re.search(rf"\\partial {name}\$ & \$\\begin{{bmatrix}}(.*?)\\end{{bmatrix}}",
                         latex).group(1)
        rows = [[float(x) for x in row.split("&")] for row in body.split(r"\\")]
        assert rows == want

    got: dict = {name: np.zeros(np.shape(want)) for name, want in WANT.items()}
    for quantity, value in list(csv.reader(io.StringIO(_diff(run, "-f", "csv"))))[2:]:
        name, index = re.fullmatch(r"∂f/∂(\w+)\[(.*)\]", quantity).groups()
        got[name][tuple(int(k) for k in index.split(","))] = float(value)
    assert {k: v.tolist() for k, v in got.items()} == WANT

    lines = _diff(run, "--quiet").splitlines()
    assert [[float(x) for x in line.split()] for line in lines] == \
        [[x for row in ABAR for x in row], [x for row in BBAR for x in row]]


def test_every_format_agrees_with_json_on_random_matrices(run, tmp_path):
    rng = np.random.default_rng(12)
    a, b, cbar = rng.normal(size=(2, 3)), rng.normal(size=(3, 2)), rng.normal(size=(2, 2))
    for name, value in (("a", a), ("b", b), ("c", cbar)):
        np.save(tmp_path / f"{name}.npy", value)
    args = (FORMULA, "--at", f"A=@{tmp_path / 'a.npy'}", "--at", f"B=@{tmp_path / 'b.npy'}",
            "--at", f"Cbar=@{tmp_path / 'c.npy'}", "--wrt", "A,B")
    out = json.loads(run("diff", *args, "-f", "json").stdout)
    abar = [[sum(cbar[i, j] * b[k, j] for j in range(2)) for k in range(3)] for i in range(2)]
    np.testing.assert_allclose(out["gradient"]["A"], abar, rtol=1e-14)
    quiet = run("diff", *args, "-q").stdout.splitlines()
    assert [float(x) for x in quiet[0].split()] == np.ravel(out["gradient"]["A"]).tolist()
    plain = run("diff", *args, "-f", "plain").stdout
    assert f"d/dB = {out['gradient']['B']!r}" in plain


def _tape(run, *args):
    result = run("tape", FORMULA, *POINT, *args, "-f", "json")
    assert result.exit_code == 0, result.stderr
    return {row["name"]: row for row in json.loads(result.stdout)["rows"]}


def test_tape_shows_shapes_and_the_textbook_adjoint_rules(run):
    rows = _tape(run, "--mode", "reverse")
    by_expr = {row["expr"]: row for row in rows.values()}
    assert by_expr["A"]["shape"] == [2, 3] and by_expr["B"]["shape"] == [3, 2]
    product = next(row for row in rows.values() if row["op"] == "matmul")
    assert product["shape"] == [2, 2]
    assert by_expr[f"sum({next(r['name'] for r in rows.values() if r['op'] == 'mul')})"][
        "shape"] == []
    a, b = product["args"]
    c = product["name"]
    assert rows[a]["adjoint_rule"] == f"v\u0304{a[1:]} += v\u0304{c[1:]} · {b}ᵀ"
    assert rows[b]["adjoint_rule"] == f"v\u0304{b[1:]} += {a}ᵀ · v\u0304{c[1:]}"
    assert rows[a]["adjoint"] == ABAR and rows[b]["adjoint"] == BBAR
    assert product["adjoint"] == CBAR  # v̄ of A @ B is the upstream C̄
    assert product["value"] == [[sum(A[i][k] * B[k][j] for k in range(3)) for j in range(2)]
                                for i in range(2)]


def test_tape_table_has_a_shape_column_and_matrix_values(run):
    result = run("tape", FORMULA, *POINT, "--mode", "reverse")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "shape" in text and "2×3" in text and "3×2" in text
    assert "v2ᵀ" in text or "v3ᵀ" in text
    assert re.search(r"│\s+1\.0\s+4\.0\s+6\.0 │", text)  # Ā's first row


def test_tape_forward_mode_tangents_match_a_directional_derivative(run):
    """Seed Cbar with ones: v̇ of f is sum(AB), the derivative along all-ones C̄."""
    rows = _tape(run, "--mode", "forward", "--seed", "Cbar=1,A=0,B=0")
    out = next(row for row in rows.values() if row["op"] == "sum")
    assert out["tangent"] == sum(A[i][k] * B[k][j] for i in range(2) for j in range(2)
                                 for k in range(3))


def test_graph_json_carries_shapes(run):
    result = run("graph", FORMULA, *POINT, "-f", "json")
    assert result.exit_code == 0, result.stderr
    nodes = {n["definition"].split(" = ", 1)[1]: n for n in json.loads(result.stdout)["nodes"]}
    assert nodes["A"]["shape"] == [2, 3] and nodes["B"]["shape"] == [3, 2]
    assert nodes["A"]["adjoint"] == ABAR
    assert "2×3" in nodes["A"]["label"]
    text = run("graph", FORMULA, *POINT).stdout
    assert ": 2×3" in text


def test_a_100_by_100_gradient_table_is_summarised(run, tmp_path):
    rng = np.random.default_rng(3)
    a = rng.normal(size=(100, 100))
    np.save(tmp_path / "a.npy", a)
    args = ("diff", "sum(A * A)", "--at", f"A=@{tmp_path / 'a.npy'}")
    text = run(*args).stdout
    assert len(text.splitlines()) < 20
    norm = re.search(r"array 100 x 100, norm ([0-9.e+]+)", text).group(1)
    want = 2 * math.sqrt(sum(float(x) ** 2 for x in a.ravel()))
    assert float(norm) == pytest.approx(want, rel=1e-5)
    assert "A: 100×100" in text and "-f json" in text
    assert np.shape(json.loads(run(*args, "-f", "json").stdout)["gradient"]["A"]) == (100, 100)
