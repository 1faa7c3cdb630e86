"""Plain text: ``key = value`` lines, stable for scripts; ``--quiet``: numbers only."""

from __future__ import annotations



from .numbers import number


def _derivative(record, quiet: bool) -> list[str]:
    digits = record.digits
    if quiet:
        return [number(v, digits) for v in record.gradient.values()]
    lines = [f"value = {number(record.value, digits)}"]
    lines += [f"d/d{name} = {number(v, digits)}" for name, v in record.gradient.items()]
    lines += [f"formula d/d{name} = {text}" for name, text in record.formulas.items()]
    return lines


def _language(record, quiet: bool) -> list[str]:
    return [f"{e.syntax}\t{e.kind}\t{e.description}" for e in record.entries]


_LINES = {"Derivative": _derivative, "Language": _language}


def render(record, stream, quiet: bool = False) -> None:
    lines = _LINES[type(record).__name__](record, quiet)
    stream.write("".join(line + "\n" for line in lines))
