"""The checkpointing trade for a program's loop of steps, schedule by schedule."""

from __future__ import annotations

import struct

from ..errors import UsageError
from ..records.checkpoint import CheckpointRow, CheckpointTrade
from ..tape.checkpoint import parse_schedule, reverse, revolve_minimum
from ..tape.step_loop import StepLoop


def _bits(values) -> tuple:
    """Each number's or array's exact bits (an array's with its dtype and shape)."""
    return tuple((x.dtype.str, x.shape, x.tobytes()) if hasattr(x, "tobytes")
                 and getattr(x, "shape", ()) != () else struct.pack("<d", float(x))
                 for x in values)


def _argument(value):
    """A point's value as the program is run with it: an array stays one."""
    return value if getattr(value, "shape", ()) != () else float(value)


def checkpoint_trade(program_spec: str, at: dict, schedules, measure_bytes: bool = True
                     ) -> CheckpointTrade:
    """Run ``FILE.py:F`` at ``at``, find its (first) ``adcli.functions.steps`` loop,
    and reverse that loop under ``all`` and each schedule: one row each.

    The gradient is the final state's (the sum of its elements' for an array),
    with respect to the loop's initial state and each of its params.  Times come from a run without tracemalloc; the byte
    peak, when asked, from a second run under it."""
    from ..functions import capture
    from ..programs.trace import ProgramError, load

    program = load(str(program_spec))
    if not isinstance(at, dict):  # ``--at x=0.7`` as the command line gives it
        from ..language.points import parse_point

        at = parse_point(at, program.parameters)
    missing = [name for name in program.parameters if name not in at]
    if missing:
        raise UsageError(f"no value for {', '.join(missing)}: give --at {missing[0]}=VALUE")
    try:
        calls = capture(program.function, *(_argument(at[name]) for name in program.parameters))
    except ProgramError:
        raise
    except Exception as error:  # the user's code raised: say where, in one line
        raise ProgramError(error, program.path) from None
    if not calls:
        raise UsageError(f"{program_spec} makes no adcli.functions.steps(step, state, n, ...) "
                         f"call: checkpointing needs the loop written that way")
    step, state, n, params = calls[0]
    loop = StepLoop(step, state, params, n)
    texts = ["all"] + [s for s in schedules if parse_schedule(s, n).kind != "all"]
    results = []
    for text in texts:
        result = reverse(step, state, params, n, text, loop=loop)
        if measure_bytes:
            measured = reverse(step, state, params, n, text, measure_bytes=True, loop=loop)
            result = type(result)(**{**result.__dict__, "peak_bytes": measured.peak_bytes})
        results.append(result)
    reference = _bits(results[0].gradient + (results[0].value,))
    rows = []
    for text, result in zip(texts, results):
        plan = parse_schedule(text, n)
        c = result.counts
        rows.append(CheckpointRow(
            plan.text if plan.kind != "every" or text.endswith(str(plan.amount))
            else f"{plan.text} (K={plan.amount})",
            c.peak_snapshots, c.peak_stored, c.forward_steps,
            revolve_minimum(n, plan.amount) if plan.kind == "revolve" else None,
            c.taped_steps, result.seconds, result.peak_bytes, result.gradient,
            _bits(result.gradient + (result.value,)) == reference))
    notes = () if loop.fixed is not None else (
        "the step's control flow depends on the state: it is traced again at every step",)
    if loop.np is not None:
        notes += ("arrays: stored values are counted in elements (a snapshot holds the "
                  "state's elements); the gradient is that of the sum of the final "
                  "state's elements",)
    return CheckpointTrade(str(program_spec), dict(at), n, loop.size(loop.tape_at(loop.state)),
                           tuple(loop.names), results[0].value, tuple(rows), notes)
