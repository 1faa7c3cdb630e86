"""Shared helpers: run the CLI in-process with stdout and stderr kept apart."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from adcli.cli import cli


@pytest.fixture
def run():
    """``run("diff", "x**2", "--at", "3")`` -> click Result (stdout/stderr apart)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def run_json(run):
    def invoke(*args: str, input: str | None = None) -> dict:
        result = run(*args, "--format", "json", input=input)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    return invoke
