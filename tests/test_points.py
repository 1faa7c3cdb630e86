"""One reader for every point-like option: --at, --seed, --tangent, --vector,
--cotangent and --step all take constant expressions (pi, sqrt(2), 2^10), and
--at takes the x=3,y=pi/6 list form the vector options take."""

from __future__ import annotations

import json
import math

import pytest

from adcli.errors import ParseError, UsageError
from adcli.language.points import parse_numbers, parse_point, parse_vector, split_list


@pytest.mark.parametrize("text, parts", [
    ("x=3", ["x=3"]),
    ("x=3,y=pi/6", ["x=3", "y=pi/6"]),
    ("x=atan2(1,2),y=max(1,2,3)", ["x=atan2(1,2)", "y=max(1,2,3)"]),
    ("1,0", ["1", "0"]),
])
def test_lists_split_at_commas_outside_parentheses(text, parts):
    assert split_list(text) == parts


def test_at_takes_a_list_and_constant_expressions():
    point = parse_point(["x=3,y=pi/6", "z=atan2(1,2)"], ["x", "y", "z"])
    assert point == {"x": 3.0, "y": math.pi / 6, "z": math.atan2(1, 2)}


def test_at_list_and_separate_options_agree(run):
    together = run("diff", "x*sin(y)", "--at", "x=3,y=pi/6", "-f", "json")
    apart = run("diff", "x*sin(y)", "--at", "x=3", "--at", "y=pi/6", "-f", "json")
    assert together.exit_code == 0, together.stderr
    assert json.loads(together.stdout)["gradient"] == json.loads(apart.stdout)["gradient"]
    assert json.loads(together.stdout)["gradient"]["y"] == pytest.approx(3 * math.cos(
        math.pi / 6), rel=1e-15)


def test_at_list_names_a_variable_twice():
    with pytest.raises(UsageError, match="--at gives x twice"):
        parse_point(["x=1,x=2"], ["x"])


@pytest.mark.parametrize("reader", [
    lambda t: parse_vector(f"x={t}", "--tangent")["x"],
    lambda t: parse_point([f"x={t}"], ["x"])["x"],
])
@pytest.mark.parametrize("text, value", [("pi", math.pi), ("pi/6", math.pi / 6),
                                         ("sqrt(2)", math.sqrt(2)), ("2^10", 1024.0),
                                         ("-1e-3", -1e-3), ("atan2(1,2)", math.atan2(1, 2))])
def test_vectors_and_points_read_the_same_constants(reader, text, value):
    assert reader(text) == value


def test_cotangent_reads_constants():
    assert parse_numbers("1,pi", "--cotangent") == [1.0, math.pi]


@pytest.mark.parametrize("reader, option", [
    (lambda t: parse_vector(f"x={t}", "--seed"), "--seed x="),
    (lambda t: parse_vector(f"x={t}", "--vector"), "--vector x="),
    (lambda t: parse_numbers(f"1,{t}", "--cotangent"), "--cotangent 1,"),
])
def test_digit_separators_are_refused_in_every_list(reader, option):
    with pytest.raises(UsageError) as info:
        reader("1_0")
    assert info.value.message == (f"{option}1_0: digit separators '_' are not supported "
                                  f"in numbers")


def test_a_value_given_alone_is_a_parse_error_with_its_column():
    with pytest.raises(ParseError) as info:
        parse_point(["x=1_0"], ["x"])
    assert (info.value.message, info.value.column) == (
        "--at x=1_0: digit separators '_' are not supported in numbers", 1)


@pytest.mark.parametrize("text, message", [
    ("1e999", "number 1e999 is too large for float64"),
    ("log(0)", "log is undefined in the constant log(0): it needs x > 0"),
    ("inf", "inf is not a finite number"),
    ("NaN", "NaN is not a finite number"),
    ("y", "'y' is not a number: a value is a constant expression, without variables"),
])
def test_vector_values_are_constants(text, message):
    with pytest.raises(UsageError) as info:
        parse_vector(f"x={text}", "--tangent")
    assert info.value.message == f"--tangent x={text}: {message}"


def test_cli_vector_options_take_pi(run):
    """J·v with v = (pi, 0) for f = (x*y, sin(x)+y) at (1, 2): (2*pi, cos(1)*pi)."""
    out = run("jvp", "x*y, sin(x)+y", "--at", "x=1,y=2", "--tangent", "x=pi,y=0", "-q")
    assert out.exit_code == 0, out.stderr
    assert [float(line) for line in out.stdout.split()] == pytest.approx(
        [2 * math.pi, math.cos(1) * math.pi], rel=1e-15)
    out = run("hvp", "x**2*y", "--at", "x=1,y=2", "--vector", "x=pi/2", "-q")
    # H = [[2y, 2x], [2x, 0]] = [[4, 2], [2, 0]]: H·v = (2*pi, pi)
    assert [float(v) for v in out.stdout.split()] == pytest.approx([2 * math.pi, math.pi])
    out = run("tape", "x*y", "--at", "x=3,y=2", "--seed", "x=0,y=pi", "-q")
    assert out.stdout.splitlines()[-1].split() == ["6.0", repr(3 * math.pi)]


def test_cli_refuses_a_separator_in_a_vector(run):
    out = run("jvp", "x*y", "--at", "x=1,y=2", "--tangent", "x=1_0")
    assert (out.exit_code, out.stdout) == (2, "")
    assert out.stderr == ("adcli: error: --tangent x=1_0: digit separators '_' are not "
                          "supported in numbers\n")


def test_many_variables_are_read_in_linear_time():
    names = [f"x{k}" for k in range(50_000)]
    point = parse_point([",".join(f"{n}={k}" for k, n in enumerate(names))], names)
    assert point["x49999"] == 49999.0


def test_fifty_thousand_points_are_read_as_plain_numbers():
    """Each --at value that is a plain number is read as Python reads it (the same
    double the parser would give), so 50,000 of them cost no parse each."""
    from adcli.api import differentiate

    names = [f"x{i}" for i in range(50_000)]
    result = differentiate("+".join(f"{n}*{n}" for n in names[:5]) + "+" + "+".join(names),
                           [f"{n}={0.25 + i * 1e-5!r}" for i, n in enumerate(names)],
                           wrt=["x0,x1,x49999"])
    assert result.gradient == {"x0": 1.5, "x1": 2 * (0.25 + 1e-5) + 1, "x49999": 1.0}
