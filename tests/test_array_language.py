"""Arrays in the formula language: ``@``, ``A[i, j]``, ``A.T``, and array values at the point.

Groupings are checked against Python's own parser (``ast.parse`` of the same
text, never evaluated); values at the point against numbers written out by
hand here.
"""

from __future__ import annotations

import ast
import subprocess
import sys

import numpy as np
import pytest

from adcli.errors import ParseError, UsageError
from adcli.language.parser import parse
from adcli.language.points import parse_point, split_list
from adcli.language.printer import format_node


def tree(graph, node=None):
    """The graph below ``node`` as nested tuples: ``("matmul", ("var", "A"), ...)``."""
    node = graph.output if node is None else node
    kind, args, data = graph.nodes[node]
    if kind in ("var", "const"):
        return (kind, str(data))
    return (kind, *(tree(graph, a) for a in args))


_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div",
           ast.MatMult: "matmul", ast.Pow: "pow"}


def python_tree(text: str):
    """How Python groups ``text``, in the same tuples (indexing as the language
    defines it: ``A[i, j]`` = ``A[i][j]``, ``A[:, j]`` = ``A.T[j]``)."""
    def convert(n):
        if isinstance(n, ast.BinOp):
            return (_BINOPS[type(n.op)], convert(n.left), convert(n.right))
        if isinstance(n, ast.UnaryOp):
            assert isinstance(n.op, ast.USub)
            return ("neg", convert(n.operand))
        if isinstance(n, ast.Name):
            return ("var", n.id)
        if isinstance(n, ast.Constant):
            return ("const", str(n.value))
        if isinstance(n, ast.Attribute):
            assert n.attr == "T"
            return ("transpose", convert(n.value))
        if isinstance(n, ast.Call):
            return (n.func.id, *map(convert, n.args))
        if isinstance(n, ast.Subscript):
            target = convert(n.value)
            pieces = n.slice.elts if isinstance(n.slice, ast.Tuple) else [n.slice]
            whole = [isinstance(p, ast.Slice) for p in pieces]
            if whole == [True, False]:
                return ("index", ("transpose", target), convert(pieces[1]))
            for piece, is_whole in zip(pieces, whole):
                if not is_whole:
                    target = ("index", target, convert(piece))
            return target
        raise AssertionError(ast.dump(n))
    return convert(ast.parse(text, mode="eval").body)


# --------------------------------------------------------------------------
# What each new syntax parses to
# --------------------------------------------------------------------------

A, B, C, x = ("var", "A"), ("var", "B"), ("var", "C"), ("var", "x")


def k(n):
    return ("const", str(n))


SYNTAX = [
    ("A @ B", ("matmul", A, B)),
    ("A[1]", ("index", A, k(1))),
    ("A[1, 0]", ("index", ("index", A, k(1)), k(0))),
    ("A[:, 1]", ("index", ("transpose", A), k(1))),
    ("A[1, :]", ("index", A, k(1))),
    ("A[:]", A),
    ("A[:, :]", A),
    ("A[-1]", ("index", A, ("neg", k(1)))),
    ("A[0][1]", ("index", ("index", A, k(0)), k(1))),
    ("A.T", ("transpose", A)),
    ("A.T.T", ("transpose", ("transpose", A))),
    ("A.T[0]", ("index", ("transpose", A), k(0))),
    ("A[0].T", ("transpose", ("index", A, k(0)))),
    ("(A @ B)[0, 1]", ("index", ("index", ("matmul", A, B), k(0)), k(1))),
    ("(A @ B).T", ("transpose", ("matmul", A, B))),
    ("sin(A)[2]", ("index", ("sin", A), k(2))),
    ("sum(A[:, 0])", ("sum", ("index", ("transpose", A), k(0)))),
    ("sum(A, 1)", ("sum_axis", A, k(1))),
    ("mean(A, 0)", ("mean_axis", A, k(0))),
    ("A[2 - 1]", ("index", A, ("sub", k(2), k(1)))),
    ("A[ 1 , 0 ]", ("index", ("index", A, k(1)), k(0))),
]


@pytest.mark.parametrize("text,expected", SYNTAX, ids=[t for t, _ in SYNTAX])
def test_syntax(text, expected):
    assert tree(parse(text)) == expected


def test_syntax_agrees_with_python_where_python_reads_it():
    for text, expected in SYNTAX:
        if "sum" in text or "mean" in text:
            continue  # our function names, not Python's
        assert python_tree(text) == expected, text


PRECEDENCE = ["A @ B + C", "-A @ B", "x * A @ B", "A @ B * x", "A @ B @ C", "A @ (B @ C)",
              "A + B @ C", "A - B @ C - x", "A @ B ** 2", "A ** 2 @ B", "x / A @ B",
              "A @ B / x", "-A[0]", "-A.T", "x ** A[0]", "A[0] ** x", "-x ** A.T[1]",
              "A @ -B", "x * A.T @ B[0] + C[1, 1]", "(A + B).T @ (A - B)[:, 0]"]


@pytest.mark.parametrize("text", PRECEDENCE)
def test_precedence_as_python_groups_it(text):
    assert tree(parse(text)) == python_tree(text)


def test_precedence_cases_are_not_vacuous():
    # @ binds like * and to the left, tighter than +, looser than unary minus.
    assert python_tree("A @ B + C")[0] == "add"
    assert python_tree("-A @ B")[0] == "matmul"
    assert python_tree("x * A @ B") == ("matmul", ("mul", x, A), B)


def test_hash_consing_sees_indexing():
    graph = parse("A[0] * A[0] + A.T[1, 0] + A.T[1, 0]")
    kinds = list(graph.kinds)
    assert kinds.count("transpose") == 1 and kinds.count("index") == 3
    assert len(graph.nodes) == len(set(graph.nodes))


def test_commas_in_brackets_are_indices_not_outputs():
    graph = parse("A[0, 1], sum(A[:, 0]), x", several=True)
    assert [tree(graph, out) for out in graph.outputs] == [
        ("index", ("index", A, k(0)), k(1)), ("sum", ("index", ("transpose", A), k(0))), x]
    graph = parse("where(x > 0, A[0], A.T[1])")
    assert tree(graph) == ("if", ("gt", x, k(0)), ("index", A, k(0)),
                           ("index", ("transpose", A), k(1)))


def test_shaped_flag():
    assert parse("A @ B").shaped and parse("A[0]").shaped and parse("A.T").shaped
    assert not parse("sin(x) * 2").shaped


def test_deep_nesting_of_brackets_needs_no_recursion():
    depth = 5_000
    graph = parse("(" * depth + "A" + ")[0]" * depth)
    # each level indexes the one below: ((A)[0])[0] is index(index(A, 0), 0)
    assert list(graph.kinds).count("index") == depth
    graph = parse("A[" + "(" * depth + "1" + ")" * depth + "]")
    assert list(graph.kinds) == ["var", "const", "index"]


# --------------------------------------------------------------------------
# Errors, with the caret under the problem
# --------------------------------------------------------------------------

RULE = "whole-number constants"
ERRORS = [
    ("A[i]", 2, [RULE]),
    ("A[x + 1]", 2, [RULE]),
    ("A[0, i]", 5, [RULE]),
    ("A[1:2]", 3, ["slices", RULE]),
    ("A[:2]", 3, ["slices"]),
    ("A[1:]", 3, ["slices"]),
    ("A[::2]", 3, ["slices"]),
    ("A[]", 1, ["empty", RULE]),
    ("A[1, 2, 3]", 8, ["third", RULE]),
    ("A[1,]", 4, [RULE]),
    ("A[0.5]", 2, ["0.5", RULE]),
    ("A[pi]", 2, ["pi", RULE]),
    ("A[x > 0]", 2, [RULE]),
    ("A[1", 1, ["unclosed", "["]),
    ("A[1)", 3, ["["]),
    ("(A]", 2, ["("]),
    ("sum(A]", 5, ["sum("]),
    ("A]", 1, ["unmatched"]),
    ("[1, 2]", 0, ["list"]),
    ("A.x", 1, ["attribute"]),
    ("A.Tx", 1, ["attribute"]),
    ("A.__class__", 1, ["attribute"]),
    ("A . T", 2, ["attribute"]),
    ("(x > 0).T", 7, ["condition"]),
    ("(x > 0)[0]", 7, ["condition"]),
    ("@ A", 0, ["@"]),
    ("A @", 3, ["end"]),
    ("A @@ B", 3, ["@"]),
    ("A @= B", 2, ["assignment"]),
    ("x: 2", 1, ["':'"]),
    ("A[0] B", 5, ["*"]),
    ("index(A, 0)", 0, ["index"]),
]


@pytest.mark.parametrize("text,column,words", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(text, column, words):
    with pytest.raises(ParseError) as info:
        parse(text)
    err = info.value
    assert err.column == column, f"{text!r}: column {err.column}, {err.message!r}"
    for word in words:
        assert word.lower() in err.message.lower(), f"{text!r}: {err.message!r}"
    assert "\n" not in err.message


def test_error_shown_with_a_caret():
    with pytest.raises(ParseError) as info:
        parse("A[0, 1:3]")
    err = info.value
    assert err.text == "A[0, 1:3]" and err.text[err.column] == ":"
    assert "':' for a whole axis" in err.message


# --------------------------------------------------------------------------
# Printing reads back to the same graph
# --------------------------------------------------------------------------

ROUND_TRIP = [text for text, _ in SYNTAX] + PRECEDENCE + [
    "transpose(2)", "transpose(pi) @ A", "(-A)[0]", "(A ** 2).T", "A.T ** 2",
    "(A + B)[1]", "sum(A, 1) + mean(A, 0) + amax(A) - amin(A)", "2[0]",
    "norm(A[0] - B[1]) + logsumexp(A) + trace(A @ B)", "reshape(flatten(A), 2)[1, 0]",
    "dot(A[0], B[:, 1]) + outer(A[0], B[0])[1, 1]", "softmax(A)[0, 0]",
    "A[0] if x > 0 else A.T[1]", "sin(A @ B)[0, -1]",
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_printed_formula_parses_to_the_same_graph(text):
    graph = parse(text)
    printed = format_node(graph, graph.output)
    again = parse(printed)
    assert tree(again) == tree(graph), printed
    assert len(again.nodes) == len(graph.nodes)
    assert format_node(again, again.output) == printed


@pytest.mark.parametrize("text,printed", [
    ("A[1, 0]", "A[1][0]"), ("A[:, 1]", "A.T[1]"), ("(A@B).T", "(A @ B).T"),
    ("-A[0]", "-A[0]"), ("(-A)[0]", "(-A)[0]"), ("sum(A, 1)", "sum(A, 1)"),
    ("x*A@B", "x*A @ B"), ("x*(A@B)", "x*(A @ B)"), ("transpose(2)", "(2).T"),
])
def test_printed_text(text, printed):
    graph = parse(text)
    assert format_node(graph, graph.output) == printed


def test_latex_index_groups_double_subscripts():
    graph = parse("A[1, 2]")
    assert format_node(graph, graph.output, latex=True) == "{A_{1}}_{2}"


# --------------------------------------------------------------------------
# Array values at the point
# --------------------------------------------------------------------------

def _exact(value, expected):
    assert isinstance(value, np.ndarray) and value.dtype == np.float64
    assert value.tolist() == expected


def test_literal_arrays():
    point = parse_point(["A=[[1,2],[3,4]]", "x=[1, 2.5, -3]"], ["A", "x"])
    _exact(point["A"], [[1.0, 2.0], [3.0, 4.0]])
    _exact(point["x"], [1.0, 2.5, -3.0])


def test_literal_elements_are_constant_expressions():
    point = parse_point(["v=[pi/6, atan2(1,2), 2^10, -sqrt(4)]"], ["v"])
    _exact(point["v"], [0.5235987755982988, 0.4636476090008061, 1024.0, -2.0])


def test_three_dimensions_and_one_list_with_scalars():
    point = parse_point(["T=[[[1],[2]],[[3],[4]]],y=2"], ["T", "y"])
    _exact(point["T"], [[[1.0], [2.0]], [[3.0], [4.0]]])
    assert point["y"] == 2.0 and isinstance(point["y"], float)


def test_lists_are_not_split_at_their_commas():
    assert split_list("x=3,A=[[1,2],[3,4]],y=atan2(1,2)") == [
        "x=3", "A=[[1,2],[3,4]]", "y=atan2(1,2)"]
    point = parse_point(["x=3,A=[[1,2],[3,4]],y=pi/6"], ["x", "A", "y"])
    _exact(point["A"], [[1.0, 2.0], [3.0, 4.0]])
    assert point["x"] == 3.0 and point["y"] == 0.5235987755982988


def test_bare_array_for_the_only_variable():
    _exact(parse_point(["[1,2]"], ["x"])["x"], [1.0, 2.0])


def test_npy_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    np.save("a.npy", np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int16))
    np.save("b.npy", np.array([0.1, 0.2], dtype=np.float32))
    point = parse_point(["A=@a.npy", "b=@b.npy"], ["A", "b"])
    _exact(point["A"], [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    _exact(point["b"], [float(np.float32(0.1)), float(np.float32(0.2))])


def test_csv_file(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("1,2.5,-3\n4e-1,5,6\n")
    point = parse_point([f"M=@{path}"], ["M"])
    _exact(point["M"], [[1.0, 2.5, -3.0], [0.4, 5.0, 6.0]])


@pytest.mark.parametrize("spec,words", [
    ("A=[[1,2],[3]]", ["ragged", "A[1]", "1 element", "2 elements"]),
    ("A=[[1,2],[3,4],[5,6,7]]", ["ragged", "A[2]"]),
    ("A=[[[1,2],[3,4]],[[1,2],[3]]]", ["ragged", "A[1][1]"]),
    ("A=[[1,2],3]", ["ragged", "A[1]", "number"]),
    ("A=[1,[2]]", ["ragged", "A[1]", "list"]),
    ("A=[1,inf]", ["A[1]", "finite"]),
    ("A=[1,nan]", ["A[1]", "finite"]),
    ("A=[1e308*10]", ["A[0]"]),
    ("A=[1,y]", ["A[1]", "'y'"]),
    ("A=[]", ["empty"]),
    ("A=[[]]", ["empty"]),
    ("A=[1,,2]", ["empty"]),
    ("A=[1,]", ["empty"]),
    ("A=[1,2", ["unclosed"]),
    ("A=[1,2]]", ["]"]),
    ("A=[1,2] 3", ["after"]),
    ("A=[[1][2]]", ["','"]),
    ("A=[[[[1]]]]", ["3 dimensions"]),
])
def test_array_refusals(spec, words):
    with pytest.raises(UsageError) as info:
        parse_point([spec], ["A"])
    for word in words:
        assert word in info.value.message, info.value.message
    assert "\n" not in info.value.message


def test_file_refusals(tmp_path):
    missing = tmp_path / "none.npy"
    with pytest.raises(UsageError) as info:
        parse_point([f"A=@{missing}"], ["A"])
    assert str(missing) in info.value.message
    np.save(tmp_path / "c.npy", np.array([1 + 2j]))
    np.save(tmp_path / "n.npy", np.array([[1.0, 2.0], [np.inf, 0.0]]))
    np.save(tmp_path / "o.npy", np.array([{}], dtype=object), allow_pickle=True)
    (tmp_path / "t.csv").write_text("1,a\n")
    (tmp_path / "a.txt").write_text("1\n")
    for name, words in [("c.npy", ["complex"]), ("n.npy", ["A[1, 0]", "finite"]),
                        ("o.npy", ["o.npy"]), ("t.csv", ["t.csv"]), ("a.txt", [".npy", ".csv"])]:
        with pytest.raises(UsageError) as info:
            parse_point([f"A=@{tmp_path / name}"], ["A"])
        for word in words:
            assert word in info.value.message, info.value.message


def test_scalar_formulas_and_points_import_no_numpy():
    code = ("import sys\n"
            "from adcli.language.parser import parse\n"
            "from adcli.language.points import parse_point\n"
            "parse('sin(x)'); parse('A[0] @ B.T + C[:, 1]')\n"
            "parse_point(['x=3,y=pi/6'], ['x', 'y'])\n"
            "print('numpy' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
