"""Helpers several test files share."""

from __future__ import annotations

import json


def tape_rows(run, *args) -> list:
    """The JSON rows of ``adcli tape ARGS``."""
    result = run("tape", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["rows"]


def close(got, want, rel: float = 1e-13, abs_: float = 0.0) -> bool:
    """|got - want| within ``rel`` of |want|, or within ``abs_`` where that is larger
    (a want of 0 has no relative scale).  Floats and mpmath numbers alike."""
    return abs(got - want) <= max(rel * abs(want), abs_)


def assert_close(got, want, rel, scale=1.0, what=""):
    """Relative to ``want``; an entry that is (nearly) 0 gets the floor rel * scale / 1000."""
    assert close(got, want, rel, rel * 1e-3 * scale), \
        f"{what}: got {got!r}, SymPy says {want!r}"


def assert_matrix_close(got, want, rel, what=""):
    """Entry by entry, each with the floor of the largest entry of ``want``."""
    scale = max([1.0] + [abs(v) for row in want for v in row])
    assert len(got) == len(want), f"{what}: {len(got)} rows, expected {len(want)}"
    for i, (grow, wrow) in enumerate(zip(got, want)):
        assert len(grow) == len(wrow), f"{what}: row {i} has {len(grow)} columns"
        for j, (g, w) in enumerate(zip(grow, wrow)):
            assert_close(g, w, rel, scale, f"{what}[{i}][{j}]")


def assert_one_error_line(result, code: int, fragment: str = "") -> None:
    """Exit ``code``, nothing on stdout, one "adcli: ..." line naming ``fragment``."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    prefix = "adcli: error: " if code == 2 else "adcli: math error: "
    assert lines[0].startswith(prefix) and fragment in lines[0], lines[0]


def count_sweeps(monkeypatch, *modules) -> dict:
    """Count the tangent and adjoint sweeps run through ``modules``: each module
    calls the sweep it imported, so each one's own name is wrapped."""
    count = {"tangent": 0, "adjoint": 0}

    def counting(kind, sweep):
        def wrapped(*args, **kwargs):
            count[kind] += 1
            return sweep(*args, **kwargs)
        return wrapped

    for module in modules:
        for kind in count:
            name = f"{kind}s"
            if hasattr(module, name):
                monkeypatch.setattr(module, name, counting(kind, getattr(module, name)))
    return count


def sympy_sigmoid(u):
    """adcli's sigmoid written in SymPy, for references."""
    import sympy

    return 1 / (1 + sympy.exp(-u))


def sympy_hypot(a, b):
    import sympy

    return sympy.sqrt(a**2 + b**2)
