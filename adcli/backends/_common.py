"""What several backends share: warnings about the point, with the evidence.

Where the recorded run sits on a kink (abs at 0, a max/min tie) or decides a
comparison by a tie (``x > 0`` at 0), the derivative is not defined; each
warning carries the left and right one-sided derivatives of the whole formula
along each variable, computed in mpmath at 40 digits, so a user can see what
the returned number is a choice between.
"""

from __future__ import annotations

from ..language.graph import COMPARISONS
from ..records import Warning
from ..tape.record import Tape

_COMPARISON_KINDS = frozenset(COMPARISONS.values())


def kink_warnings(problem, tape: Tape, returned: str | None = None) -> tuple:
    """Warnings for kinks and tied comparisons; ``returned`` says what the backend
    gave instead of a derivative (AD backends name the op's subgradient)."""
    found = []
    for kink in tape.kinks:
        args = ", ".join(repr(float(x)) for x in kink.args)
        said = returned or "using the one-sided subgradient ({})".format(
            ", ".join(str(p) for p in kink.subgradient))
        found.append(("kink", kink.op, tape.row_name(kink.entry),
                      f"{tape.describe(kink.entry)} is at a kink of {kink.op} ({args}), "
                      f"where it is not differentiable; {said}"))
    for text in _ties(problem, tape):
        found.append(("branch", "if", "", f"{text} holds with equality at the point: the "
                      f"branch taken decides the derivative"))
    if not found:
        return ()
    left, right = one_sided(problem)
    return tuple(Warning(kind, op, row, message, left, right)
                 for kind, op, row, message in found)


def _ties(problem, tape: Tape) -> list[str]:
    from ..language.printer import format_node

    graph, ties = tape.graph, []
    for node, (kind, args, _data) in enumerate(graph.nodes if graph.has_branches else ()):
        if kind in _COMPARISON_KINDS and tape.node_values[node] is not None:
            a, b = (tape.node_values[x] for x in args)
            if a == b:
                ties.append(format_node(graph, node))
    ties += problem.source.ties()
    return ties


def one_sided(problem) -> tuple[dict, dict]:
    """Left and right derivatives of the output along each variable: one-sided
    differences at h and h/2 (h = 1e-20, mpmath at 40 digits), extrapolated so
    that the O(h) term cancels (x**2 at 0 gives 0, not 1e-20)."""
    import mpmath

    from ..ops.precision import arithmetic

    left, right = {}, {}
    with arithmetic(40) as m:
        point = {k: mpmath.mpf(v) for k, v in problem.point.items()}

        def f(name, t):
            return problem.source.value({**point, name: t}, m)

        h = mpmath.mpf(10) ** -20
        for name in problem.wrt:
            x, fx = point[name], f(name, point[name])

            def slope(step):
                return (f(name, x + step) - fx) / step

            try:
                left[name] = float(2 * slope(-h / 2) - slope(-h))
                right[name] = float(2 * slope(h / 2) - slope(h))
            except Exception:  # a side outside the domain has no one-sided derivative
                left.setdefault(name, None)
                right.setdefault(name, None)
    return left, right
