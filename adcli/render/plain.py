"""Plain text: ``key = value`` lines, stable for scripts; ``--quiet``: numbers only."""

from __future__ import annotations



def number(x) -> str:
    """Shortest text that reads back as the same double."""
    return repr(float(x))


def _derivative(record, quiet: bool) -> list[str]:
    if quiet:
        return [number(v) for v in record.gradient.values()]
    lines = [f"value = {number(record.value)}"]
    lines += [f"d/d{name} = {number(v)}" for name, v in record.gradient.items()]
    lines += [f"formula d/d{name} = {text}" for name, text in record.formulas.items()]
    return lines


def _language(record, quiet: bool) -> list[str]:
    return [f"{e.syntax}\t{e.kind}\t{e.description}" for e in record.entries]


_LINES = {"Derivative": _derivative, "Language": _language}


def render(record, stream, quiet: bool = False) -> None:
    lines = _LINES[type(record).__name__](record, quiet)
    stream.write("".join(line + "\n" for line in lines))
