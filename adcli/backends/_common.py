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
    found = kink_lines(tape, returned)
    for text in _ties(problem, tape):
        found.append(("branch", "if", "", f"{text} holds with equality at the point: the "
                      f"branch taken decides the derivative"))
    return warnings_with_evidence(problem, found)


def kink_lines(tape: Tape, returned: str | None = None) -> list:
    """``(kind, op, row, message)`` for each kink on the tape."""
    found = []
    for kink in tape.kinks:
        if _same_argument_twice(tape, kink):
            continue
        args = ", ".join(repr(float(x)) for x in kink.args)
        said = returned or "using the one-sided subgradient ({})".format(
            ", ".join(str(p) for p in kink.subgradient))
        found.append(("kink", kink.op, tape.row_name(kink.entry),
                      f"{tape.describe(kink.entry)} is at a kink of {kink.op} ({args}), "
                      f"where it is not differentiable; {said}"))
    return found


def warnings_with_evidence(problem, found: list) -> tuple:
    """The warnings of ``found`` lines, each with the one-sided derivatives."""
    if not found:
        return ()
    left, right = one_sided(problem)
    return tuple(Warning(kind, op, row, message, left, right)
                 for kind, op, row, message in found)


def _same_argument_twice(tape: Tape, kink) -> bool:
    """max(x, x): an idempotent op given one argument twice is that argument,
    smooth wherever it is; its "tie" is no kink."""
    from ..ops import OPS

    args = tape.graph.nodes[tape.nodes[kink.entry]][1]
    return OPS[kink.op].idempotent and len(args) == 2 and args[0] == args[1]


def _ties(problem, tape: Tape) -> list[str]:
    from ..language.printer import format_node

    graph, ties = tape.graph, []
    for node, (kind, args, _data) in enumerate(graph.nodes if graph.has_branches else ()):
        if kind in _COMPARISON_KINDS and tape.node_values[node] is not None:
            a, b = (tape.value_of(x) for x in args)
            if a == b:
                ties.append(format_node(graph, node))
    ties += problem.source.ties()
    return ties


def one_sided(problem) -> tuple[dict, dict]:
    """Left and right derivatives of the output along each variable (mpmath at 40
    digits, see :func:`slopes`); None where a side has none: outside the
    domain, or infinite (sign at 0 jumps: its one-sided quotients grow as 1/h)."""
    import mpmath

    from ..ops.precision import arithmetic

    left, right = {}, {}
    with arithmetic(40) as m:
        point = {k: mpmath.mpf(v) for k, v in problem.point.items()}
        for name in problem.wrt:
            sides = slopes(problem, m, point, name)
            left[name], right[name] = (None if s is None else float(s[0]) for s in sides)
    return left, right


def slopes(problem, m, point: dict, name: str) -> tuple:
    """``(left, right)`` one-sided derivatives along ``name`` at the working
    precision of mpmath, each ``(value, uncertainty)`` or None.

    Each side is the one-sided quotient at h, h/2 and h/4 (h = 10^(-dps/3),
    times |x| below 1), extrapolated so that the O(h) term cancels (x**2 at 0
    gives 0, not h); a side outside the domain, or whose extrapolates grow as
    h shrinks (an infinite slope, a jump), is None.  Above 1, h is not scaled
    (sin at 1e300 varies on a scale of 1): the digits of |x| are added to the
    working precision instead.  Nothing here reads the op table's partials: it
    is a check of them.
    """
    import mpmath

    x = point[name]
    h = mpmath.mpf(10) ** (-(mpmath.mp.dps // 3)) * (abs(x) if 0 < abs(x) < 1 else 1)
    extra = max(0, int(mpmath.mag(x) * 0.302) + 2) if x else 0
    with mpmath.workdps(mpmath.mp.dps + extra):
        return _sides(problem, m, point, name, x, h)


def _sides(problem, m, point: dict, name: str, x, h) -> tuple:
    import mpmath


    def f(t):
        return problem.source.value({**point, name: t}, m)

    try:
        fx = f(x)
    except Exception:  # noqa: BLE001 (no value, no slopes)
        return None, None
    sides = []
    for sign in (-1, 1):
        try:
            q = [(f(x + sign * step) - fx) / (sign * step) for step in (h, h / 2, h / 4)]
        except Exception:  # noqa: BLE001 (a side outside the domain has no slope)
            sides.append(None)
            continue
        e1, e2 = 2 * q[1] - q[0], 2 * q[2] - q[1]
        floor = 1e3 * mpmath.eps * (abs(fx) + 1) / (h / 4)
        if abs(e2) > 1.5 * abs(e1) + floor:
            sides.append(None)
        else:
            sides.append((e2, 4 * abs(e1 - e2) + floor))
    return tuple(sides)
