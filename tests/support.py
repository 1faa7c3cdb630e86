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
