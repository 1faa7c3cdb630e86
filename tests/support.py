"""Helpers several test files share."""

from __future__ import annotations

import json


def tape_rows(run, *args) -> list:
    """The JSON rows of ``adcli tape ARGS``."""
    result = run("tape", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["rows"]


def close(got: float, want: float, rel: float = 1e-13) -> bool:
    return abs(got - want) <= rel * max(abs(want), 1e-300)


def assert_one_error_line(result, code: int, fragment: str = "") -> None:
    """Exit ``code``, nothing on stdout, one "adcli: ..." line naming ``fragment``."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    prefix = "adcli: error: " if code == 2 else "adcli: math error: "
    assert lines[0].startswith(prefix) and fragment in lines[0], lines[0]


def sympy_sigmoid(u):
    """adcli's sigmoid written in SymPy, for references."""
    import sympy

    return 1 / (1 + sympy.exp(-u))


def sympy_hypot(a, b):
    import sympy

    return sympy.sqrt(a**2 + b**2)
