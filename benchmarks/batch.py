"""Many formulas in one process: ``adcli batch`` against one ``adcli diff`` per request.

Requests are ``sin(x**2)+exp(x)`` at varying x, the modes taken in turn from a
mix.  ``adcli batch`` answers all of them in one process; the same requests as
separate ``adcli diff -f json`` processes are timed on a sample and scaled.
Both are timed in the same run, so the ratio holds on a busy machine too.

    python benchmarks/batch.py [--requests 10000] [--processes 100]

Standard library only; needs adcli installed (the ``adcli`` command, or
``python -m adcli`` where it is not on PATH).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time

FORMULA = "sin(x**2)+exp(x)"
MIXES = {"reverse, forward, numerical": ("reverse", "forward", "numerical"),
         "all four modes (symbolic too)": ("reverse", "forward", "numerical", "symbolic")}


def adcli() -> list:
    found = shutil.which("adcli")
    return [found] if found else [sys.executable, "-m", "adcli"]


def requests(count: int, modes: tuple) -> list:
    return [{"expression": FORMULA, "at": {"x": 0.5 + k * 1e-4}, "mode": modes[k % len(modes)],
             "id": k} for k in range(count)]


def one_process(items: list) -> float:
    """Requests per second of one ``adcli batch`` over every request (start-up included)."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as file:
        file.write("".join(json.dumps(item) + "\n" for item in items))
    start = time.perf_counter()
    done = subprocess.run([*adcli(), "batch", file.name], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    answers = done.stdout.splitlines()
    if done.returncode or len(answers) != len(items):
        sys.exit(f"adcli batch failed ({done.returncode}): {done.stderr.strip()}")
    return len(items) / seconds


def separate_processes(items: list) -> float:
    """Requests per second of one ``adcli diff -f json`` process per request."""
    start = time.perf_counter()
    for item in items:
        subprocess.run([*adcli(), "diff", item["expression"], "--at", f"x={item['at']['x']!r}",
                        "--mode", item["mode"], "-f", "json"], capture_output=True, check=True)
    return len(items) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=100,
                        help="separate processes timed (the rate is scaled to --requests)")
    args = parser.parse_args()
    print(f"{FORMULA}, {args.requests} requests; separate processes timed on "
          f"{args.processes} of them")
    print(f"{'mix of modes':32} {'batch req/s':>12} {'processes req/s':>16} {'ratio':>8}")
    for name, modes in MIXES.items():
        items = requests(args.requests, modes)
        batch = one_process(items)
        apart = separate_processes(items[: args.processes])  # every mode in turn
        print(f"{name:32} {batch:12.0f} {apart:16.1f} {batch / apart:7.0f}x", flush=True)


if __name__ == "__main__":
    main()
