"""``adcli memory``: a tape's memory at a point, or the course's network model."""

from __future__ import annotations

from dataclasses import dataclass

from .settings import FormulaSettings


@dataclass(frozen=True)
class MemorySettings(FormulaSettings):
    network: str | None = None
    dtype: str = "float32"
    every: int | None = None
    checkpoint: str | None = None   # all,every:K,revolve:S for a program's steps loop


def run_memory(settings: MemorySettings) -> None:
    from ..errors import UsageError
    from ..render import render

    if settings.network is not None:
        if settings.expression is not None or settings.program is not None or settings.at:
            raise UsageError("--network is the model alone: leave out EXPR, --program "
                             "and --at")
        from ..studies.memory import network_memory, parse_network

        result = network_memory(**parse_network(settings.network), dtype=settings.dtype,
                                every=settings.every)
    elif settings.checkpoint is not None:
        if settings.program is None:
            raise UsageError("--checkpoint needs --program FILE.py:F, a function whose loop "
                             "is adcli.functions.steps(step, state, n, ...)")
        from ..studies.checkpoint import checkpoint_trade

        result = checkpoint_trade(settings.program, settings.at,
                                  settings.checkpoint.split(","))
    else:
        if settings.every is not None:
            raise UsageError("--every sets the checkpoint interval of --network")
        from ..studies.memory import memory_at

        result = memory_at(settings.formula(), settings.at, settings.wrt)
    render(result, settings.output(), quiet=settings.quiet)
