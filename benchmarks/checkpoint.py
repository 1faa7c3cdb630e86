"""(k) Checkpointed reverse mode: a 10^5-step loop with Revolve's 10 snapshots
against storing every step's tape.

    python benchmarks/checkpoint.py             # n = 100,000
    python benchmarks/checkpoint.py --steps 20000

The program is the chain v = sin(v)*1.0001 + 0.5*x, written as
``adcli.functions.steps(step, 0.3, n, x)`` in a temporary file, reversed through
the public library call (``adcli.studies.checkpoint.checkpoint_trade``) under
``all`` and ``revolve:10``.  Reported, and checked against the issue's targets:
peak stored values (revolve:10 at most 1/100 of all), forward step evaluations
against Griewank's minimum r*n - C(10+r, 11) (equal), the gradient bit for bit
(equal), the seconds of each, the tracemalloc peaks, and the gradient against
the hand recurrence (1e-12).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

PROGRAM = '''\
from adcli.functions import sin, steps


def step(v, x):
    return sin(v) * 1.0001 + 0.5 * x


def f(x):
    return steps(step, 0.3, {n}, x)
'''


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--snapshots", type=int, default=10)
    args = parser.parse_args()
    from adcli.studies.checkpoint import checkpoint_trade

    n, s = args.steps, args.snapshots
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "chain.py")
        with open(path, "w") as file:
            file.write(PROGRAM.format(n=n))
        trade = checkpoint_trade(f"{path}:f", {"x": 0.7}, [f"revolve:{s}"])
    everything, revolve = trade.rows
    v, dx = 0.3, 0.0
    for _ in range(n):
        v, dx = math.sin(v) * 1.0001 + 0.5 * 0.7, math.cos(v) * 1.0001 * dx + 0.5
    report = {
        "steps": n, "snapshots": s, "step_tape_values": trade.step_entries,
        "all": {"peak_stored_values": everything.peak_stored, "seconds": everything.seconds,
                "peak_bytes": everything.peak_bytes, "forward_steps": everything.forward_steps,
                "taped_steps": everything.taped_steps},
        f"revolve:{s}": {"peak_stored_values": revolve.peak_stored, "seconds": revolve.seconds,
                         "peak_bytes": revolve.peak_bytes,
                         "forward_steps": revolve.forward_steps, "minimum": revolve.minimum,
                         "taped_steps": revolve.taped_steps},
        "stored_ratio": revolve.peak_stored / everything.peak_stored,
        "bit_identical": revolve.identical,
        "gradient": revolve.gradient[1], "hand_recurrence": dx,
    }
    checks = {
        "stored <= 1/100 of all": revolve.peak_stored * 100 <= everything.peak_stored,
        "forward steps == Revolve minimum": revolve.forward_steps == revolve.minimum,
        "gradient bit for bit": revolve.identical,
        "gradient == recurrence (1e-12)": math.isclose(revolve.gradient[1], dx, rel_tol=1e-12),
    }
    report["checks"] = checks
    print(json.dumps(report, indent=2))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
