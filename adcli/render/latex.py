"""LaTeX: each table as a ``booktabs`` tabular, formulas in math mode.

Tape names become proper notation -- ``v̇3`` is ``\\dot{v}_{3}``, ``v̄-1`` is
``\\bar{v}_{-1}``, ``∂f/∂x`` is ``\\partial f/\\partial x`` -- and the output
compiles in a plain ``article`` with ``amsmath`` and ``booktabs``.
"""

from __future__ import annotations

import re

from .tabular import view

#: Columns whose cells are formulas (the rest is text or numbers).
MATH_COLUMNS = {"v", "definition", "tangent rule", "adjoint rule", "quantity", "formula"}
#: (Any cell that carries its own LaTeX, such as a small matrix's bmatrix, is math too.)

#: Signs that text cells may hold, as LaTeX.
_SIGNS = {"∂": r"$\partial$", "ᵀ": r"$^{T}$", "·": r"$\cdot$", "v\u0307": r"$\dot{v}$",
          "v\u0304": r"$\bar{v}$", "×": r"$\times$", "⊙": r"$\odot$",
          "⟨": r"$\langle$", "⟩": r"$\rangle$", "‖": r"$\|$"}
_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
            "#": r"\#", "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}",
            "<": r"\textless{}", ">": r"\textgreater{}"}


def text(value: str) -> str:
    """Plain text with LaTeX's special characters escaped (and ∂f/∂x as math)."""
    escaped = "".join(_SPECIAL.get(ch, ch) for ch in value)
    escaped = re.sub(r"∂(\w*)/∂([\w\\]+)", r"$\\partial \1/\\partial \2$", escaped)
    for sign, latex in _SIGNS.items():
        escaped = escaped.replace(sign, latex)
    return escaped


def _function(match: re.Match) -> str:
    return r"\operatorname{" + match.group(1) + r"}\left("


def _pair_brackets(t: str) -> str:
    """Close each ``\\left(`` with ``\\right)``; plain parentheses stay plain."""
    out, opened, k = [], [], 0
    while k < len(t):
        if t.startswith(r"\left(", k):
            opened.append(True)
            out.append(r"\left(")
            k += len(r"\left(")
            continue
        ch = t[k]
        if ch == "(":
            opened.append(False)
        elif ch == ")" and opened and opened.pop():
            ch = r"\right)"
        out.append(ch)
        k += 1
    return "".join(out)


def math(value: str) -> str:
    """A formula cell (``v̇3 = cos(v2)·v̇2``) in math mode: its own LaTeX when it
    carries it (printed from the op table), else read from the text."""
    if not value:
        return ""
    latex = getattr(value, "latex", None)
    if latex is not None:
        return f"${latex}$" + (r" (seed)" if value.endswith("(seed)") else "")
    t = value.replace("(seed)", "").strip()
    seed = value != t
    t = re.sub("v\u0307(-?\\d+)", r"\\dot{v}_{\1}", t)
    t = re.sub("v\u0304(-?\\d+)", r"\\bar{v}_{\1}", t)
    t = re.sub(r"(?<![\\\w])v(-?\d+)\b", r"v_{\1}", t)
    t = t.replace("**", "^").replace("∂", r"\partial ").replace("·", r" \cdot ")
    t = t.replace("*", r" \cdot ")
    t = _pair_brackets(re.sub(r"\b([a-z][a-z0-9]*)\(", _function, t))
    t = re.sub(r"\^(-?[\w.]+)", r"^{\1}", t)
    return f"${t}$" + (r" (seed)" if seed else "")


def _table(tab) -> list[str]:
    spec = "".join("r" if h in tab.right else "l" for h in tab.headers)
    lines = [r"\begin{table}[ht]", r"\centering", rf"\caption{{{text(tab.title)}}}",
             rf"\begin{{tabular}}{{{spec}}}", r"\toprule",
             " & ".join(text(h) for h in tab.headers) + r" \\", r"\midrule"]
    for row in tab.rows:
        cells = [math(c) if h in MATH_COLUMNS or hasattr(c, "latex") else text(c)
                 for h, c in zip(tab.headers, row)]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    if tab.footer:
        lines.append(r"\par\smallskip\footnotesize " + r" \\ ".join(text(f) for f in tab.footer))
    lines.append(r"\end{table}")
    return lines


def render(record, stream, quiet: bool = False) -> None:
    lines = [r"% adcli: needs \usepackage{amsmath,booktabs}"]
    for tab in view(record, "latex").sections():
        lines += _table(tab)
    stream.write("\n".join(lines) + "\n")
