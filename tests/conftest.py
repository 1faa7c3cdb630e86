"""Shared helpers: run the CLI in-process with stdout and stderr kept apart.

Also the isolation every test gets, whatever ran before it:

* mpmath's global precision: each module is imported at mpmath's default, each
  of its tests starts at the precision the module's own import left (so a
  module that sets ``mp.dps`` at import keeps it, and nobody else sees it), and
  a test that changes it and does not restore it is warned about and undone;
* Hypothesis draws the same examples on every run (derandomized, no database);
* no garbage-collection callback runs during a test: a time-budget alarm
  (SIGALRM) that lands in one is swallowed ("Exception ignored in gc
  callback"), and Hypothesis installs such a callback for the rest of the run.
"""

from __future__ import annotations

import gc
import json
import warnings

import mpmath
import pytest
from click.testing import CliRunner
from hypothesis import settings

from adcli.cli import cli

DEFAULT_DPS = mpmath.mp.dps
MODULE_DPS = pytest.StashKey[int]()
settings.register_profile("adcli", derandomize=True, database=None)
settings.load_profile("adcli")


def pytest_collectstart(collector):
    if isinstance(collector, pytest.Module):
        mpmath.mp.dps = DEFAULT_DPS  # what one module's import sets is not the next one's


def pytest_itemcollected(item):
    item.stash[MODULE_DPS] = mpmath.mp.dps


@pytest.fixture(autouse=True)
def isolated(request):
    """The module's precision in, the default back out; no GC callbacks meanwhile."""
    start = request.node.stash.get(MODULE_DPS, DEFAULT_DPS)
    mpmath.mp.dps = start
    callbacks = gc.callbacks[:]
    gc.callbacks.clear()
    try:
        yield
    finally:
        gc.callbacks[:] = callbacks
        left = mpmath.mp.dps
        mpmath.mp.dps = DEFAULT_DPS
    if left != start:
        warnings.warn(f"{request.node.nodeid} left mpmath.mp.dps at {left} (it started at "
                      f"{start}): use mpmath.workdps(...) instead", stacklevel=1)


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
