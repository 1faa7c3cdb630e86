"""Points files and grids: what each reads, checked against the numbers written
here (Python's own float(), numpy.linspace, itertools.product), and every
refusal as the one line a user sees."""

from __future__ import annotations

import io
import itertools
import json
import math
import random

import numpy as np
import pytest

from adcli.errors import UsageError
from adcli.pointsets import open_points


def read_all(stream, size=65_536):
    chunks = list(stream.chunks(size))
    if not chunks:
        return {name: [] for name in stream.names}
    return {name: np.concatenate([c[name] for c in chunks]).tolist() for name in stream.names}


def refused(match, **kw):
    with pytest.raises(UsageError) as info:
        open_points(**kw)
    assert match in info.value.message, info.value.message
    assert "\n" not in info.value.message
    return info.value.message


def refused_reading(match, size=65_536, **kw):
    with pytest.raises(UsageError) as info:
        list(open_points(**kw).chunks(size))
    assert match in info.value.message, info.value.message
    return info.value.message


@pytest.fixture
def write(tmp_path):
    def write(name, content):
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return str(path)
    return write


# -- CSV ---------------------------------------------------------------------------------

def test_a_csv_file_gives_the_needed_columns_in_the_formulas_order(write):
    path = write("p.csv", " y , label ,x\n0.5,a,1\n\n-2e-3,b,inf\n1,c,nan\n")
    stream = open_points(path, needed=("x", "y"))
    assert (stream.names, stream.total, stream.ignored) == (("x", "y"), None, ("label",))
    got = read_all(stream)
    assert got["y"] == [0.5, -0.002, 1.0]
    assert got["x"][:2] == [1.0, math.inf] and math.isnan(got["x"][2])


def test_csv_cells_are_read_as_python_reads_them(write):
    rng = random.Random(7)
    values = [rng.uniform(-1, 1) * 10.0 ** rng.randint(-300, 300) for _ in range(2000)]
    values += [5e-324, 1.7976931348623157e308, -0.0, 0.1, 1 / 3]
    text = "x,y\n" + "".join(f"{v!r},{float(k)}\n" for k, v in enumerate(values))
    got = read_all(open_points(write("p.csv", text), needed=("x", "y")), size=333)
    assert got["x"] == values  # == on floats: bit-exact, as float(repr(v)) is v
    assert math.copysign(1, got["x"][-3]) == -1
    assert got["y"] == [float(k) for k in range(len(values))]


def test_a_quoted_header_and_quoted_cells_are_read(write):
    path = write("p.csv", '"x","y"\n"1.5",2\n3,"4"\n')
    assert read_all(open_points(path, needed=("x", "y"))) == {"x": [1.5, 3.0], "y": [2.0, 4.0]}


def test_crlf_and_a_byte_order_mark(write):
    path = write("p.csv", b"\xef\xbb\xbfx,y\r\n1,2\r\n3,4\r\n")
    stream = open_points(path, needed=("x", "y"))
    assert stream.ignored == ()
    assert read_all(stream) == {"x": [1.0, 3.0], "y": [2.0, 4.0]}


def test_300000_rows_in_chunks_of_65536(write):
    rows = 300_000
    x = np.arange(rows) * 0.25 - 7.0
    text = "x,y\n" + "\n".join(f"{a!r},{k}" for k, a in enumerate(x.tolist())) + "\n"
    chunks = list(open_points(write("big.csv", text), needed=("x", "y")).chunks(65_536))
    assert [len(c["x"]) for c in chunks] == [65_536] * 4 + [rows - 4 * 65_536]
    assert all(c["x"].dtype == np.float64 and c["x"].ndim == 1 for c in chunks)
    assert np.concatenate([c["x"] for c in chunks]).tolist() == x.tolist()
    assert np.concatenate([c["y"] for c in chunks]).tolist() == [float(k) for k in range(rows)]


def test_a_header_only_csv_gives_no_rows(write):
    stream = open_points(write("p.csv", "x,y\n"), needed=("x", "y"))
    assert list(stream.chunks(10)) == []


def test_stdin_needs_its_format_and_is_read_as_a_file(monkeypatch):
    refused("--points-format csv", path="-", needed=("x",))
    refused("--points-format csv", path="-", fmt="npy", needed=("x",))
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"x\n1\n2\n")))
    assert read_all(open_points("-", fmt="csv", needed=("x",)), size=1) == {"x": [1.0, 2.0]}
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b'{"x": 1}\n{"x": 2.5}\n')))
    chunks = list(open_points("-", fmt="jsonl", needed=("x",)).chunks(1))
    assert [c["x"].tolist() for c in chunks] == [[1.0], [2.5]]
    monkeypatch.setattr("sys.stdin", io.StringIO("y,x\n1,2\n"))
    assert read_all(open_points("-", fmt="csv", needed=("x",))) == {"x": [2.0]}


def test_fmt_overrides_the_suffix(write):
    path = write("p.txt", '{"x": 1}\n')
    assert read_all(open_points(path, fmt="jsonl", needed=("x",))) == {"x": [1.0]}
    refused("cannot tell the format of", path=path, needed=("x",))
    refused("unknown points format 'xls'", path=path, fmt="xls", needed=("x",))


@pytest.mark.parametrize("content, message", [
    ("x,y\n1,2\n3\n", "p.csv line 3: 1 fields, but the header has 2 (x,y)"),
    ("x,y\n1,2\n\n3,4,5\n", "p.csv line 4: 3 fields, but the header has 2 (x,y)"),
    ("x,y\n1,2\n3,abc\n", "p.csv line 3: 'abc' is not a number (column y)"),
    ("x,y\n1,\n", "p.csv line 2: column y is empty"),
    ("x,y\n1,2\n0x10,3\n", "p.csv line 3: '0x10' is not a number (column x)"),
])
def test_a_malformed_row_names_the_line_and_the_cell(write, content, message):
    path = write("p.csv", content)
    got = refused_reading(message, needed=("x", "y"), path=path)
    assert got == path.replace("p.csv", "") + message


def test_a_malformed_row_deep_in_a_file_has_its_line_number(write):
    text = "x,y\n" + "1,2\n" * 100_000 + "1,two\n"
    refused_reading("p.csv line 100002: 'two' is not a number (column y)", size=65_536,
                    path=write("p.csv", text), needed=("x", "y"))


def test_text_in_an_ignored_column_is_fine(write):
    path = write("p.csv", "x,name\n1,first\n2,\n")
    assert read_all(open_points(path, needed=("x",))) == {"x": [1.0, 2.0]}


@pytest.mark.parametrize("content, needed, fixed, message", [
    ("x\n1\n", ("x", "y"), (), "p.csv has no column y: add it, or fix it with --at y=VALUE"),
    ("x\n1\n", ("x", "y", "z"), (), "p.csv has no columns y, z: add them, or fix them with "
                                    "--at y=VALUE"),
    ("x,y\n1,2\n", ("x", "y"), ("y",), "p.csv gives y, which --at y=... also fixes"),
    ("x,x\n1,2\n", ("x",), (), "p.csv line 1: the header names x twice"),
    ("x,,y\n1,2,3\n", ("x",), (), "p.csv line 1: column 2 of the header has no name"),
    ("1.5,2\n3,4\n", ("x",), (), "p.csv line 1: the first line must be a header naming"),
    ("\n\n", ("x",), (), "p.csv is empty"),
    ("x,y\n", ("a",), ("a",), "gives no variable of the formula"),
])
def test_the_header_is_checked_before_any_row(write, content, needed, fixed, message):
    refused(message, path=write("p.csv", content), needed=needed, fixed=fixed)


def test_fixed_names_are_not_read(write):
    stream = open_points(write("p.csv", "x\n1\n"), needed=("a", "x"), fixed=("a",))
    assert stream.names == ("x",)


def test_files_that_are_not_there(tmp_path, write):
    refused("cannot read", path=str(tmp_path / "missing.csv"), needed=("x",))
    refused("is a directory, not a points file", path=str(tmp_path), needed=("x",))
    refused("is empty", path=write("e.csv", ""), needed=("x",))
    refused("is empty", path=write("e.npy", ""), needed=("x",))


def test_invalid_utf8_names_the_byte_offset(write):
    path = write("p.csv", b"x,y\n1,2\n3,\xff\n")
    refused_reading("p.csv is not UTF-8 text: invalid byte 0xff at byte offset 10",
                    path=path, needed=("x", "y"))
    path = write("h.csv", b"\xef\xbb\xbfx,\xc3\n")
    refused("invalid byte 0xc3 at byte offset 5", path=path, needed=("x",))


# -- JSON lines ---------------------------------------------------------------------------

def test_json_lines_give_numbers(write):
    rows = [{"x": 1, "y": 0.3, "tag": 1}, {"x": -2.5e-300, "y": 10**20}, {"y": 2, "x": 0}]
    text = "\n".join(json.dumps(r) for r in rows[:2]) + "\n\n  \n" + json.dumps(rows[2])
    stream = open_points(write("p.jsonl", text), needed=("x", "y"))
    assert (stream.names, stream.total, stream.ignored) == (("x", "y"), None, ("tag",))
    assert read_all(stream, size=2) == {"x": [1.0, -2.5e-300, 0.0], "y": [0.3, 1e20, 2.0]}


@pytest.mark.parametrize("line, message", [
    ('{"x": true}', 'p.ndjson line 2: true is not a number (key x)'),
    ('{"x": "1.5"}', 'p.ndjson line 2: "1.5" is not a number (key x)'),
    ('{"x": null}', 'p.ndjson line 2: null is not a number (key x)'),
    ('{"y": 1}', "p.ndjson line 2: no x"),
    ("[1, 2]", "p.ndjson line 2: a line must be a JSON object"),
    ('{"x": 1', "p.ndjson line 2: not valid JSON"),
])
def test_a_json_line_that_is_no_point(write, line, message):
    refused_reading(message, path=write("p.ndjson", '{"x": 1}\n' + line + "\n"),
                    needed=("x",))


def test_json_lines_keys_are_checked_first(write):
    refused("p.jsonl has no key y", path=write("p.jsonl", '{"x": 1}\n'), needed=("x", "y"))
    refused("p.jsonl is empty", path=write("p.jsonl", "\n \n"), needed=("x",))


# -- NumPy --------------------------------------------------------------------------------

def test_a_structured_npy_file(tmp_path):
    data = np.zeros(1001, dtype=[("y", "<f4"), ("x", ">f8"), ("n", "<i4")])
    data["x"] = np.linspace(-1, 1, 1001)
    data["y"] = np.arange(1001) / 7
    data["n"] = np.arange(1001)
    np.save(tmp_path / "p.npy", data)
    stream = open_points(str(tmp_path / "p.npy"), needed=("x", "y"))
    assert (stream.names, stream.total, stream.ignored) == (("x", "y"), 1001, ("n",))
    chunks = list(stream.chunks(300))
    assert [len(c["x"]) for c in chunks] == [300, 300, 300, 101]
    assert np.concatenate([c["x"] for c in chunks]).tolist() == np.linspace(-1, 1, 1001).tolist()
    assert np.concatenate([c["y"] for c in chunks]).tolist() == \
        (np.arange(1001) / 7).astype(np.float32).astype(float).tolist()


def test_a_plain_npy_file_is_one_variable(tmp_path):
    np.save(tmp_path / "x.npy", np.arange(5, dtype=np.int64))
    stream = open_points(str(tmp_path / "x.npy"), needed=("a", "t"), fixed=("a",))
    assert stream.names == ("t",) and stream.total == 5
    assert read_all(stream) == {"t": [0.0, 1.0, 2.0, 3.0, 4.0]}
    refused("needs 2 variables (x, y): give a structured array", path=str(tmp_path / "x.npy"),
            needed=("x", "y"))


@pytest.mark.parametrize("array", [np.zeros((3, 2)), np.array(["a"]), np.zeros(3, complex)])
def test_other_npy_arrays_are_refused_with_the_way_out(tmp_path, array):
    np.save(tmp_path / "p.npy", array)
    refused("or an .npz file with one 1-D array per variable", path=str(tmp_path / "p.npy"),
            needed=("x",))


def test_npy_that_is_not_npy(write):
    refused("is not a readable .npy file", path=write("p.npy", "x,y\n1,2\n"), needed=("x",))


def test_an_npz_file_streams_its_arrays(tmp_path):
    for compress in (np.savez, np.savez_compressed):
        path = str(tmp_path / "p.npz")
        compress(path, x=np.linspace(0, 1, 11), y=np.arange(11, dtype=np.int16), z=np.ones(2))
        stream = open_points(path, needed=("y", "x"))
        assert (stream.names, stream.total, stream.ignored) == (("y", "x"), 11, ("z",))
        chunks = list(stream.chunks(4))
        assert [len(c["x"]) for c in chunks] == [4, 4, 3]
        got = {k: np.concatenate([c[k] for c in chunks]).tolist() for k in ("x", "y")}
        assert got == {"x": np.linspace(0, 1, 11).tolist(), "y": [float(k) for k in range(11)]}
        refused("the arrays differ in length (x has 11, z has 2)", path=path, needed=("x", "z"))
        refused("p.npz has no array w", path=path, needed=("x", "w"))


# -- grids --------------------------------------------------------------------------------

@pytest.mark.parametrize("spec, start, stop, count", [
    ("x=0:1:101", 0.0, 1.0, 101),
    ("x=-pi:pi:9", -math.pi, math.pi, 9),
    ("x=1e-310:2e-310:7", 1e-310, 2e-310, 7),
    ("x=3:-1:1", 3.0, -1.0, 1),
    ("x=0.1:0.7:3", 0.1, 0.7, 3),
])
def test_a_grid_is_numpy_linspace(spec, start, stop, count):
    stream = open_points(grids=(spec,), needed=("x",))
    assert stream.total == count
    assert read_all(stream, size=4)["x"] == np.linspace(start, stop, count).tolist()


def test_grids_make_a_product_first_varying_slowest():
    axes = {"y": np.linspace(-1, 2, 7), "x": np.linspace(0, 1, 5), "z": np.linspace(3, 4, 3)}
    stream = open_points(grids=("y=-1:2:7", "x=0:1:5", "z=3:4:3"), needed=("x", "y", "z"))
    assert (stream.names, stream.total, stream.ignored) == (("x", "y", "z"), 105, ())
    got = read_all(stream, size=10)
    expected = list(itertools.product(axes["y"].tolist(), axes["x"].tolist(), axes["z"].tolist()))
    assert list(zip(got["y"], got["x"], got["z"])) == expected


def test_a_grid_and_a_fixed_variable():
    stream = open_points(grids=("x=0:1:3",), needed=("a", "x"), fixed=("a",))
    assert stream.names == ("x",)
    assert read_all(stream) == {"x": [0.0, 0.5, 1.0]}


@pytest.mark.parametrize("grids, message", [
    (("x=0:1",), "--grid x=0:1: write NAME=START:STOP:COUNT"),
    (("x=0:1:0",), "--grid x=0:1:0: the count must be at least 1"),
    (("x=0:1:2.5",), "the count '2.5' is not a whole number"),
    (("x=0:y:3",), "--grid x=0:y:3: 'y' is not a number"),
    (("x=0:inf:3",), "inf is not a finite number"),
    (("x=0:1:100000", "y=0:1:100000"), "100,000 x 100,000 points is more than the "
                                        "1,000,000,000 allowed"),
    (("x=0:1:2", "x=0:1:3"), "--grid gives x twice"),
    (("x=0:1:2", "w=0:1:2"), "--grid names 'w', which is not a variable"),
    (("x=0:1:2",), "no values for y: add --grid y=START:STOP:COUNT, or fix it with --at y=VALUE"),
])
def test_grid_refusals(grids, message):
    refused(message, grids=grids, needed=("x", "y"))


def test_a_grid_fixed_too_and_a_grid_with_a_file(write):
    refused("--grid x=... and --at x=... both give x", grids=("x=0:1:2",), needed=("x",),
            fixed=("x",))
    refused("not both", path=write("p.csv", "x\n1\n"), grids=("x=0:1:2",), needed=("x",))


def test_a_billion_point_product_is_made_a_chunk_at_a_time():
    stream = open_points(grids=("x=0:1:100000", "y=-1:1:10000"), needed=("x", "y"))
    assert stream.total == 10**9
    first = next(iter(stream.chunks(65_536)))
    assert len(first["x"]) == 65_536
    y = np.linspace(-1, 1, 10_000)
    k = np.arange(65_536)
    assert first["y"].tolist() == y[k % 10_000].tolist()
    assert first["x"].tolist() == np.linspace(0, 1, 100_000)[k // 10_000].tolist()


def test_one_column_with_blank_lines_and_line_numbers_after_them(write):
    path = write("p.csv", "\n\nx\n1\n  \n\n2\n")
    assert read_all(open_points(path, needed=("x",)), size=2) == {"x": [1.0, 2.0]}
    path = write("q.csv", "\n\nx\n1\n  \n\nz\n")
    refused_reading("q.csv line 7: 'z' is not a number (column x)", size=2, path=path,
                    needed=("x",))


def test_a_json_integer_too_large_for_a_float(write):
    refused_reading("an integer too large for a float", path=write("p.jsonl", '{"x": 1}\n{"x": '
                    + "9" * 400 + "}\n"), needed=("x",))


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 64])
def test_lines_split_across_reads(write, monkeypatch, piece):
    """Small reads cut lines, the BOM and multi-byte characters anywhere."""
    from adcli.pointsets import text

    monkeypatch.setattr(text.Lines, "PIECE", piece)
    path = write("p.csv", "\ufeffx,note\n1,café\n\n2,\"a, b\"\n3,€\n")
    assert read_all(open_points(path, needed=("x",)), size=2) == {"x": [1.0, 2.0, 3.0]}
    path = write("q.csv", "x,note\n1,é\n".encode() + b"2,\xe2\x82\n")
    refused_reading("q.csv is not UTF-8 text: invalid byte 0xe2 at byte offset 14", size=1,
                    path=path, needed=("x",))
    path = write("r.csv", "x\n1\n2\n3\nx\n4")
    refused_reading("r.csv line 5: 'x' is not a number (column x)", size=2, path=path,
                    needed=("x",))
