"""Markdown: a pipe table under its title, the footer as a paragraph."""

from __future__ import annotations

from .tabular import view


def _cell(text: str) -> str:
    for special in "\\|*_`":
        text = text.replace(special, "\\" + special)
    return text.replace("\n", " ")


def render(record, stream, quiet: bool = False) -> None:
    lines = []
    for tab in view(record, "markdown").sections():
        lines += ([""] if lines else []) + [f"**{_cell(tab.title)}**", ""]
        lines.append("| " + " | ".join(_cell(h) for h in tab.headers) + " |")
        lines.append("|" + "|".join("---:" if h in tab.right else "---"
                                    for h in tab.headers) + "|")
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in tab.rows]
        if tab.footer:
            lines += [""] + [_cell(line) + "  " for line in tab.footer]
    stream.write("\n".join(lines) + "\n")
