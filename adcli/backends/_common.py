"""What several backends share: the wording of warnings about the recorded point."""

from __future__ import annotations

from ..records import Warning
from ..tape import Tape


def kink_warnings(tape: Tape, returned: str | None = None) -> tuple:
    """One warning per entry recorded exactly on a kink.

    ``returned`` says what the backend gave instead of a derivative; AD
    backends leave it out and the op's declared subgradient is named.
    """
    warnings = []
    for kink in tape.kinks:
        args = ", ".join(repr(float(x)) for x in kink.args)
        said = returned or "using the one-sided subgradient ({})".format(
            ", ".join(str(p) for p in kink.subgradient))
        warnings.append(Warning(
            "kink", kink.op, tape.row_name(kink.entry),
            f"{tape.describe(kink.entry)} is at a kink of {kink.op} ({args}), "
            f"where it is not differentiable; {said}"))
    return tuple(warnings)
