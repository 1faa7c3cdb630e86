"""The step-size scan's V-curve as a picture: in the terminal (uniplot) or as an image
file (matplotlib, from the optional ``plot`` extra)."""

from __future__ import annotations

from ..errors import UsageError

#: log10 of zero is not drawable: errors below this are drawn at it.
FLOOR = 1e-17

SERIES = ("forward", "central", "complex")
#: Each curve's own glyph, so that the picture reads without colour (NO_COLOR, pipes).
GLYPHS = {"forward": "*", "central": "o", "complex": "+"}


def _series(record):
    for method in SERIES:
        points = [(row.h, max(FLOOR, getattr(row, method))) for row in record.rows
                  if getattr(row, method) is not None]
        if points:
            yield method, points


def legend(names) -> str:
    """One line naming each curve's glyph once: ``* forward   o central   + complex``."""
    return "   ".join(f"{GLYPHS[name]} {name}" for name in names)


def terminal(record, width: int = 60, height: int = 15) -> str:
    """The V-curve in plain text, each method drawn with its own glyph (a later curve
    covers an earlier one where they coincide)."""
    from uniplot import plot_to_string

    series = list(_series(record))
    lines = plot_to_string([[e for _, e in pts] for _, pts in series],
                           [[h for h, _ in pts] for _, pts in series],
                           x_as_log=True, y_as_log=True, lines=True, color=False,
                           character_set="ascii",
                           force_ascii_characters=[GLYPHS[name] for name, _ in series],
                           width=width, height=height,
                           title="absolute error against h (log-log)")
    text = "\n".join(lines) if isinstance(lines, list) else lines
    return f"{text}\n{legend(name for name, _ in series).center(width + 2).rstrip()}"


def check(path: str) -> str:
    """Everything ``--plot FILE`` needs, known before any output: the file and matplotlib."""
    from importlib.util import find_spec

    from .drawing import writable

    full = writable("--plot", path, (".png", ".svg"))
    if find_spec("matplotlib") is None:
        raise UsageError("--plot needs matplotlib: pip install 'adcli[plot]'")
    return full


def save(record, path: str) -> str:
    """Write the V-curve to ``path`` (.png or .svg) with matplotlib; the file written."""
    full = check(path)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.5))
    for name, points in _series(record):
        axes.loglog([h for h, _ in points], [e for _, e in points], marker="o", label=name)
    for method, h in record.best.items():
        if h:
            axes.axvline(h, linestyle=":", linewidth=0.8, color="grey")
    axes.set_xlabel("step h")
    axes.set_ylabel(f"|error| of d/d{record.variable}")
    axes.set_title(f"{record.expression.strip()}: truncation against round-off")
    axes.legend()
    axes.grid(True, which="both", linewidth=0.3)
    figure.tight_layout()
    try:
        figure.savefig(full)
    except OSError as error:
        raise UsageError(f"--plot {path}: cannot write it: {error.strerror}") from None
    finally:
        plt.close(figure)
    return full
