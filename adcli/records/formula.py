"""A formula as a record holds it: its text, and the LaTeX printed from the op table."""

from __future__ import annotations


class Formula(str):
    """Text that is a formula (``v2 = sqrt(v1)``), carrying its LaTeX
    (``v_{2} = \\sqrt{v_{1}}``): every renderer shows the text, the LaTeX
    renderer the LaTeX, so no renderer has to read formulas back."""

    __slots__ = ("latex",)

    def __new__(cls, text: str, latex: str):
        formula = super().__new__(cls, text)
        formula.latex = latex
        return formula

    def __getnewargs__(self):  # copies (dataclasses.asdict) keep the LaTeX
        return str(self), self.latex


def latex_name(name: str) -> str:
    """A row name as LaTeX: ``v3`` -> ``v_{3}``, ``v-1`` -> ``v_{-1}``."""
    return f"{name[0]}_{{{name[1:]}}}" if name[1:] else name
