"""Rows written per point, read back by independent readers (the csv module,
json, numpy.load) and compared with the numbers that went in."""

from __future__ import annotations

import csv
import io
import json
import math
import random

import numpy as np
import pytest

from adcli.errors import UsageError
from adcli.render.rows import row_writer

NAMES = ("x", "y")
OUTPUTS = ("value", "d/dx", "d/dy")
REASON = 'log: argument 0 <= 0, "not in the domain"'


def chunk(n=4, seed=0, fail=(1,)):
    rng = random.Random(seed)
    numbers = lambda: np.array([rng.uniform(-1, 1) * 10.0 ** rng.randint(-300, 300)
                                for _ in range(n)])
    point = {"x": numbers(), "y": np.full(n, 0.5)}
    columns = {name: numbers() for name in OUTPUTS}
    errors = [None] * n
    for k in fail:
        errors[k] = REASON
        for name in OUTPUTS:
            columns[name][k] = math.nan
    return point, columns, errors


def written(fmt, chunks, **kw):
    stream = io.StringIO()
    writer = row_writer(fmt, stream, NAMES, OUTPUTS, **kw)
    for point, columns, errors in chunks:
        writer.write(point, columns, errors)
    counts = writer.close()
    return stream.getvalue(), counts


def same(a, b):
    """Bit-equal floats, NaN equal to NaN."""
    return len(a) == len(b) and all(x == y or (x != x and y != y) for x, y in zip(a, b))


def test_csv_rows_read_back_exactly():
    chunks = [chunk(5, seed=1, fail=(1, 4)), chunk(3, seed=2, fail=()), chunk(0, fail=())]
    chunks[1][0]["x"][0] = -0.0
    text, counts = written("csv", chunks)
    assert counts == {"rows": 8, "failed": 2}
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["x", "y", "value", "d/dx", "d/dy", "error"]
    body = rows[1:]
    assert len(body) == 8 and all(len(row) == 6 for row in body)
    for k, name in enumerate(NAMES + OUTPUTS):
        sent = [v for p, c, _ in chunks for v in ({**p, **c}[name]).tolist()]
        assert same([float(row[k]) for row in body], sent), name
    assert [row[5] for row in body] == ["", REASON, "", "", REASON, "", "", ""]
    assert [row[2] for row in body][1] == "nan"
    assert str(float(body[5][0])) == "-0.0"


def test_csv_floats_are_the_shortest_round_trip_text():
    values = np.array([0.1, 1 / 3, 1e16, 1e-5, 5e-324, 1.7976931348623157e308, 2.0, math.inf])
    point = {"x": values, "y": values}
    columns = {name: values for name in OUTPUTS}
    text, _ = written("csv", [(point, columns, [None] * len(values))])
    cells = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert cells == ["0.1", "0.3333333333333333", "1e+16", "1e-05", "5e-324",
                     "1.7976931348623157e+308", "2.0", "inf"]


def test_csv_names_and_reasons_are_quoted_as_csv_needs():
    stream = io.StringIO()
    writer = row_writer("csv", stream, ("x",), ("value", "d(f1, g)/d(x)"))
    writer.write({"x": np.array([1.0])}, {"value": np.array([math.nan]),
                                          "d(f1, g)/d(x)": np.array([math.nan])},
                 np.array(['a "b", c\nd'], dtype=object))
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    assert rows == [["x", "value", "d(f1, g)/d(x)", "error"], ["1.0", "nan", "nan", 'a "b", c\nd']]


def test_a_fixed_variable_may_arrive_as_a_broadcast_array():
    point = {"x": np.array([1.0, 2.0]), "y": np.broadcast_to(np.float64(3.0), (2,))}
    columns = {name: np.array([4.0, 5.0]) for name in OUTPUTS}
    text, _ = written("csv", [(point, columns, [None, None])])
    assert text.splitlines()[1:] == ["1.0,3.0,4.0,4.0,4.0,", "2.0,3.0,5.0,5.0,5.0,"]


def expected_objects(chunks):
    out = []
    for point, columns, errors in chunks:
        for k, error in enumerate(errors):
            fin = lambda v: v if math.isfinite(v) else None
            out.append({"point": {n: fin(float(point[n][k])) for n in NAMES},
                        "value": fin(float(columns["value"][k])),
                        "gradient": {n: fin(float(columns["d/d" + n][k])) for n in NAMES},
                        "error": error})
    return out


def test_jsonl_rows_are_objects_with_null_for_nan():
    chunks = [chunk(4, seed=3, fail=(0,)), chunk(2, seed=4, fail=())]
    chunks[1][1]["d/dy"][1] = math.inf
    text, counts = written("jsonl", chunks)
    assert counts == {"rows": 6, "failed": 1}
    got = [json.loads(line) for line in text.splitlines()]
    assert got == expected_objects(chunks)
    assert got[0]["value"] is None and got[0]["error"] == REASON
    assert list(got[1]) == ["point", "value", "gradient", "error"]


@pytest.mark.parametrize("sizes", [[], [0], [3], [2, 0, 5]])
def test_json_is_one_array_however_the_rows_come(sizes):
    chunks = [chunk(n, seed=n, fail=()) for n in sizes]
    text, counts = written("json", chunks)
    assert json.loads(text) == expected_objects(chunks)
    assert counts == {"rows": sum(sizes), "failed": 0}


def test_json_keys_other_than_value_and_gradients_stand_on_their_own():
    stream = io.StringIO()
    outputs = ("d(f1)/d(x)", "value", "d/dx", "50%", "d/d%y")
    writer = row_writer("jsonl", stream, ("x", "%y"), outputs)
    writer.write({"x": np.array([1.0]), "%y": np.array([2.0])},
                 {name: np.array([float(k)]) for k, name in enumerate(outputs)}, [None])
    writer.close()
    got = json.loads(stream.getvalue())
    assert got == {"point": {"x": 1.0, "%y": 2.0}, "d(f1)/d(x)": 0.0, "value": 1.0,
                   "gradient": {"x": 2.0, "%y": 4.0}, "50%": 3.0, "error": None}


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "table"])
def test_quiet_writes_the_gradient_only(fmt):
    chunks = [chunk(3, seed=5, fail=(2,))]
    text, counts = written(fmt, chunks, quiet=True)
    assert counts == {"rows": 3, "failed": 1}
    lines = [line.split(" ") for line in text.splitlines()]
    point, columns, _ = chunks[0]
    assert len(lines) == 3 and all(len(line) == 2 for line in lines)
    assert same([float(line[0]) for line in lines], columns["d/dx"].tolist())
    assert same([float(line[1]) for line in lines], columns["d/dy"].tolist())
    assert lines[2] == ["nan", "nan"]


def small_chunk(start, n, fail=()):
    k = np.arange(start, start + n, dtype=float)
    columns = {"value": k * 2, "d/dx": k / 4, "d/dy": -k}
    errors = [REASON if j in fail else None for j in range(n)]
    for j in fail:
        for name in OUTPUTS:
            columns[name][j] = math.nan
    return {"x": k * 0.5, "y": np.full(n, 3.0)}, columns, errors


def test_the_table_previews_and_says_how_to_get_the_rest():
    text, counts = written("table", [small_chunk(0, 4, fail=(3,)), small_chunk(4, 33)],
                           preview=5)
    assert counts == {"rows": 37, "failed": 1}
    assert ("5 of 37 rows shown; 32 not shown: use -f csv (or -f jsonl) for every row; "
            "1 failed") in " ".join(text.split())
    shown = [line.split("│")[1:-1] for line in text.splitlines() if line.startswith("│")]
    assert [[cell.strip() for cell in row][:5] for row in shown] == [
        [repr(k * 0.5), "3.0", repr(k * 2.0), repr(k / 4), repr(-float(k))]
        if k != 3 else ["1.5", "3.0", "nan", "nan", "nan"] for k in range(5)]
    assert shown[3][5].strip() == REASON and shown[4][5].strip() == ""


def test_a_short_table_shows_everything():
    text, _ = written("table", [chunk(2, seed=8, fail=())])
    assert "2 rows" in text and "not shown" not in text


def test_npy_rows_load_with_numpy(tmp_path):
    path = str(tmp_path / "rows.npy")
    chunks = [chunk(5, seed=9, fail=(1,)), chunk(0, fail=()), chunk(70_000, seed=10, fail=())]
    stream = io.StringIO()
    writer = row_writer("npy", stream, NAMES, OUTPUTS, path=path)
    for point, columns, errors in chunks:
        writer.write(point, columns, errors)
    assert writer.close() == {"rows": 70_005, "failed": 1}
    assert stream.getvalue() == ""
    got = np.load(path)
    assert got.shape == (70_005,) and got.dtype.names == NAMES + OUTPUTS
    for name in NAMES + OUTPUTS:
        sent = np.concatenate([{**p, **c}[name] for p, c, _ in chunks])
        assert np.array_equal(got[name], sent, equal_nan=True), name


def test_npy_with_no_rows_and_with_names_beyond_latin1(tmp_path):
    path = str(tmp_path / "empty.npy")
    row_writer("npy", None, NAMES, OUTPUTS, path=path).close()
    assert np.load(path).shape == (0,)
    path = str(tmp_path / "greek.npy")
    writer = row_writer("npy", None, ("α",), ("value", "d/dα"), path=path)
    writer.write({"α": np.array([1.0, 2.0])},
                 {"value": np.array([3.0, 4.0]), "d/dα": np.array([5.0, 6.0])}, [None, None])
    writer.close()
    got = np.load(path)
    assert got["d/dα"].tolist() == [5.0, 6.0] and got["α"].tolist() == [1.0, 2.0]


def test_npy_quiet_keeps_the_gradient_fields(tmp_path):
    path = str(tmp_path / "q.npy")
    point, columns, errors = chunk(3, seed=11, fail=())
    writer = row_writer("npy", None, NAMES, OUTPUTS, quiet=True, path=path)
    writer.write(point, columns, errors)
    writer.close()
    got = np.load(path)
    assert got.dtype.names == ("d/dx", "d/dy")
    assert got["d/dy"].tolist() == columns["d/dy"].tolist()


def test_writer_refusals(tmp_path):
    with pytest.raises(UsageError, match="give --output FILE.npy"):
        row_writer("npy", io.StringIO(), NAMES, OUTPUTS)
    with pytest.raises(UsageError, match="unknown format 'xml'"):
        row_writer("xml", io.StringIO(), NAMES, OUTPUTS)
    with pytest.raises(UsageError, match="cannot write"):
        row_writer("npy", None, NAMES, OUTPUTS, path=str(tmp_path / "no" / "dir.npy"))
    with pytest.raises(UsageError, match="two columns would be named value"):
        row_writer("npy", None, ("value",), OUTPUTS, path=str(tmp_path / "v.npy"))


def test_runs_of_one_value_are_written_as_every_other_value():
    """A fixed variable or a grid's slow axis: runs, with 0.0 next to -0.0 and NaN."""
    column = np.array([0.0] * 9 + [-0.0] * 9 + [math.nan] * 9 + [0.1] * 9 + [math.inf, 2.5])
    point = {"x": column, "y": np.broadcast_to(np.float64(-1e-300), column.shape)}
    columns = {name: column[::-1].copy() for name in OUTPUTS}
    text, _ = written("csv", [(point, columns, [None] * len(column))])
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert [row[0] for row in rows] == [repr(v) for v in column.tolist()]
    assert {row[1] for row in rows} == {"-1e-300"}
    assert [row[2] for row in rows] == [repr(v) for v in column[::-1].tolist()]
    objects = [json.loads(line) for line in written("jsonl", [(point, columns, [None] * 38)])[0]
               .splitlines()]
    assert [o["point"]["x"] for o in objects][17:19] == [-0.0, None]
