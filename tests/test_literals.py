"""Number literals: read in linear time, bounded in length, never echoed whole."""

from __future__ import annotations

import pytest

from adcli.errors import ParseError
from adcli.language.parser import parse


def assert_parse_error(result, fragment: str) -> None:
    """Exit 2, nothing on stdout, the message then the input and a caret."""
    assert result.exit_code == 2 and result.stdout == ""
    message, _line, caret = result.stderr.splitlines()
    assert message.startswith("adcli: error: ") and fragment in message, message
    assert caret.strip() == "^"

DIGITS = "9" * 100_000


@pytest.mark.parametrize("text", [f"x*{DIGITS}a", f"x*{DIGITS}", f"x*1e{DIGITS}",
                                  f"x*{DIGITS}.5e", f"x*{DIGITS}.", f"{DIGITS}.5.5"])
def test_a_long_digit_run_is_refused_briefly(text):
    """(Read in linear time: the quadratic tokenizer took 15 s on these.)"""
    with pytest.raises(ParseError) as info:
        parse(text)
    assert len(info.value.message) < 120, info.value.message


@pytest.mark.parametrize("mode", ["reverse", "symbolic"])
def test_a_literal_beyond_the_limit_is_a_parse_error_in_every_mode(run, mode):
    result = run("diff", "x*" + "9" * 4_500, "--at", "1", "--mode", mode)
    assert_parse_error(result, "numbers are read up to 4,000")


def test_a_long_literal_within_the_limit_works_at_high_precision(run_json):
    digits = "3" + "1" * 3_000
    out = run_json("diff", f"x*0.{digits}", "--at", "2", "--precision", "60")
    assert str(out["gradient"]["x"]).startswith("0.3111111111")


def test_too_large_for_float64_shows_the_number_shortened(run):
    result = run("diff", "x*" + "1" * 350, "--at", "1")
    assert_parse_error(result, "number 11111111111111111111...11111111 is too large")


@pytest.mark.parametrize("command", [("diff", "--mode", "symbolic"), ("swell", "--budget", "2")])
def test_a_huge_exponent_is_not_written_out_by_sympy(run, command):
    """1e-300000000 is a float literal; SymPy must not build 10**300000000 for it."""
    result = run(command[0], "x + 1e-300000000", "--at", "1", *command[1:], "-f", "json")
    assert result.exit_code == 0, result.stderr
