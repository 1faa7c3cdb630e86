"""The fast reader of ``adcli diff`` lines must read them exactly as Click does.

Every line is run both ways -- through :func:`adcli.cli.main` (which tries the
fast reader first) and through the Click app directly -- and the two must
print the same bytes and exit with the same code.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from adcli.cli import cli, main
from adcli.cli.run_diff import DiffSettings
from adcli.cli.fast import read_diff

LINES = [
    ["diff", "sin(x**2)+exp(x)", "--at", "2"],
    ["diff", "sin(x**2)+exp(x)", "--at=2", "-m", "forward", "-f", "json"],
    ["diff", "x*sin(y)", "--at", "x=3", "--at", "y=pi/6", "--wrt", "y", "--quiet"],
    ["diff", "--mode", "symbolic", "x^3 + ln(x)", "--at", "2", "--format=plain"],
    ["diff", "x*y", "--at", "x=1", "--at", "y=-2", "-q", "-m", "numerical"],
    ["diff", "abs(x)", "--at", "-0", "-f", "json"],
    ["diff", "sin(x)", "--at", "1", "--precision", "30", "-f", "json"],
    ["diff", "sin(x)", "--at", "1", "--precision", "thirty"],
    ["diff", "sin(x)", "--at", "1", "-m", "numerical", "--method", "richardson", "-f", "plain"],
    ["diff", "sin(x)", "--at", "1", "-m", "numerical", "--method", "five-point",
     "--step", "1e-3", "-q"],
    ["diff", "log(x)", "--at", "-1"],
    ["diff", "2x", "--at", "1"],
    ["diff", "x", "--at", "y=1"],
    ["diff", "x", "--at", "1", "--mode", "magic"],
    ["diff", "x", "--at"],
    ["diff", "x", "y", "--at", "1"],
    ["diff", "-x", "--at", "1"],
    ["diff", "--", "-x", "--at", "1"],
    ["diff", "x", "-qfjson", "--at", "1"],
    ["diff", "x", "--quiet=yes", "--at", "1"],
    ["diff"],
    # a formula that starts with '-', before, after or among the options
    ["diff", "-x^2", "--at", "1"],
    ["diff", "--at", "1", "-x^2", "-f", "json"],
    ["diff", "-2*x", "--at=-1", "-q"],
    ["diff", "-k*x", "--at", "k=1", "--at", "x=2", "-q"],
    ["diff", "-sin(x)", "-m", "forward", "--at", "0"],
    ["diff", "--", "-x^2", "--at", "1"],
    ["diff", "--at", "1", "--", "-x"],
    ["diff", "-x", "-y", "--at", "1"],
    ["diff", "-x", "--", "-y", "--at", "1"],
    # options that cannot all be obeyed: the same usage error both ways
    ["diff", "x", "--at", "1", "-q", "-f", "json"],
    ["diff", "x", "--at", "1", "--order", "2", "-m", "forward"],
    ["diff", "x", "--at", "1", "--order", "2", "-q"],
    ["diff", "x", "--at", "1", "--method", "central"],
    ["diff", "x", "--at", "1", "--step", "1e-3", "-m", "forward"],
    ["diff", "x", "--at", "1", "--order", "2", "--step", "1e-3"],
    ["diff", "x*y", "--at", "x=1,y=pi/6", "-q"],
]


def through_main(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    out = capsys.readouterr()
    code = info.value.code or 0
    return code, out.out, out.err


def through_click(argv):
    result = CliRunner().invoke(cli, argv, prog_name="adcli")
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("argv", LINES, ids=[" ".join(a) for a in LINES])
def test_fast_and_click_readers_agree(argv, capsys):
    assert through_main(argv, capsys) == through_click(argv)


def test_plain_lines_are_read_fast():
    assert read_diff(["x*sin(y)", "--at", "x=3", "--at=y=pi/6", "-m", "numerical",
                      "--wrt", "y", "-f", "json", "--debug", "--precision", "30",
                      "--method", "richardson", "--step=1e-3"]) == DiffSettings(
        "x*sin(y)", ("x=3", "y=pi/6"), ("y",), mode="numerical", method="richardson",
        step="1e-3", digits=30, fmt="json", debug=True)
    assert read_diff(["-", "--at", "-1"]) == DiffSettings("-", ("-1",))
    assert read_diff(["-x^2", "--at", "-1", "-q"]) == DiffSettings("-x^2", ("-1",), quiet=True)
    assert read_diff(["--", "-x", "--at", "1"]) == DiffSettings("-x", ("1",))
    assert read_diff(["-k*x", "-k", "2", "--at", "1"]) == DiffSettings("-k*x", ("1",), order=2)


@pytest.mark.parametrize("argv", [
    ["--help"], ["x", "-h"], ["x", "--", "y"], ["x", "y"], [], ["x", "--at"],
    ["x", "--mode", "magic"], ["x", "-qfjson"], ["x", "--quiet=1"], ["x", "--bogus"],
    ["x", "--format", "xml"], ["x", "--precision", "many"], ["x", "--method", "best"],
])
def test_irregular_lines_are_left_to_click(argv):
    assert read_diff(argv) is None
