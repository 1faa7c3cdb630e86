"""The terminal V-curve of ``adcli steps``: each method's curve has its own glyph,
named once in the legend, in plain text that needs no colour.

Where each curve must lie comes from the error model, not from the drawing:
for sin at x = 1 and h = 0.1 the forward quotient's error is about
h/2 * sin(1) = 4.2e-2, the central one's about h^2/6 * cos(1) = 9.0e-4 (the
top of the right-hand edge is forward's); at h = 1e-16 the complex step is
exact while the real quotients have cancelled (the bottom of the left-hand
edge is complex's).
"""

from __future__ import annotations

import math
import re

import pytest

from adcli.render.vcurve import GLYPHS

TITLE = "absolute error against h (log-log)"


def picture(text: str) -> tuple[list, str]:
    """The plot area's rows (inside the frame) and the legend line below it."""
    lines = text.splitlines()
    start = next(k for k, line in enumerate(lines) if TITLE in line)
    rows, k = [], start + 2            # the title, then the frame's top
    while lines[k].startswith("│"):
        rows.append(lines[k][1:lines[k].index("│", 1)])
        k += 1
    assert lines[k].startswith("└")
    axis, legend = lines[k + 1], lines[k + 2]   # the h labels, then the legend
    assert "10^" in axis
    return rows, legend.strip()


def legend_glyphs(legend: str) -> dict:
    """Method -> the one glyph the legend gives it."""
    pairs = re.findall(r"(\S) (forward|central|complex)\b", legend)
    names = [name for _, name in pairs]
    assert len(names) == len(set(names)), legend
    return {name: glyph for glyph, name in pairs}


@pytest.fixture
def sin_curve(run, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    result = run("steps", "sin(x)", "--at", "1")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_each_curve_has_its_own_glyph_named_once_in_the_legend(sin_curve):
    rows, legend = picture(sin_curve)
    glyphs = legend_glyphs(legend)
    assert set(glyphs) == {"forward", "central", "complex"}
    assert len(set(glyphs.values())) == 3
    for method, glyph in glyphs.items():
        assert legend.split().count(glyph) == 1, (method, legend)
        assert any(glyph in row for row in rows), f"{method}'s glyph {glyph!r} not drawn"
    drawn = set("".join(rows)) - {" "}
    assert drawn <= set(glyphs.values()), drawn


def test_the_curves_lie_where_the_error_model_puts_them(sin_curve):
    rows, legend = picture(sin_curve)
    glyphs = legend_glyphs(legend)
    assert 0.5 * 0.1 * math.sin(1) > 10 * (0.1 ** 2 / 6) * math.cos(1)
    right = [row[-1] for row in rows if row[-1] != " "]
    left = [row[0] for row in rows if row[0] != " "]
    assert right[0] == glyphs["forward"]
    assert left[-1] == glyphs["complex"]


def test_plain_text_without_colour(sin_curve):
    assert "\x1b" not in sin_curve


def test_a_method_that_does_not_apply_has_no_glyph_and_no_legend(run):
    """abs is not holomorphic: no complex-step curve, so no complex glyph or name."""
    result = run("steps", "abs(x)", "--at", "1")
    assert result.exit_code == 0, result.stderr
    rows, legend = picture(result.stdout)
    glyphs = legend_glyphs(legend)
    assert set(glyphs) == {"forward", "central"}
    assert not any(GLYPHS["complex"] in row for row in rows)
