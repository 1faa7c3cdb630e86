"""What a row of ``adcli compare`` says of a method's result, in numbers and words:
shared by the comparison of numbers and of arrays (:mod:`.shaped_compare`)."""

from __future__ import annotations

import math

from ..records import counted


def correct_digits(rel_error: float, working: int | None) -> float:
    """Significant digits that agree with the reference, up to the working precision."""
    most = working if working is not None else 17
    if rel_error == 0:
        return float(most)
    return max(0.0, min(float(most), round(-math.log10(rel_error), 1)))


def cost_words(result) -> str:
    cost = result.cost
    if result.mode == "numerical":
        return counted(cost["evaluations"], "evaluation")
    if result.mode == "symbolic":
        if "expression_nodes" not in cost:
            return counted(cost.get("array_entries", 0), "array entry", "array entries")
        return counted(cost["expression_nodes"], "expression node")
    return (f"{counted(cost['sweeps'], 'sweep')} over "
            f"{counted(cost['tape_entries'], 'tape entry', 'tape entries')}")


def note_words(result) -> str:
    kinds = sorted({w.kind for w in result.warnings})
    warned = f"warning: {', '.join(kinds)} at the point; " if kinds else ""
    return warned + _details(result)


def _details(result) -> str:
    details = result.details
    if result.mode == "symbolic":
        return "; ".join(f"d/d{k} = {v}" for k, v in result.formulas.items())
    if result.mode != "numerical":
        return "no truncation error: rounding only"
    if "step" not in details:  # vectors and matrices: a step per element
        return details.get("note", "")
    step = details["step"]
    steps = ", ".join(f"h{'' if len(step) == 1 else f'({k})'} = {float(h):.3g}"
                      for k, h in step.items())
    estimate = details.get("error_estimate")
    if estimate:
        worst = max(float(e) for e in estimate.values() if e is not None)
        steps += f"; estimated error {worst:.2g}"
    return steps
