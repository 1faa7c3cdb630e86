"""(l) The memory of adcli's own scalar tape: bytes per entry, against the numbers it must keep.

    python benchmarks/tape_memory.py              # formulas of 20,000 terms
    python benchmarks/tape_memory.py --terms 100000 --whole 1000000

For three shapes of formula (a sum of sin(x*k), a nested chain of sin, a
polynomial in two variables) the tape is recorded as ``adcli diff`` records
it, under tracemalloc (``adcli.studies.memory.memory_report``).  Reported:
bytes per entry (the issue's target: at most 100), and the floor those bytes
are measured against, which is outside adcli: the numbers reverse mode must
keep, each value and each partial as an 8-byte float (what a NumPy float64
array of them would take).  ``--whole N`` also runs ``adcli diff`` on an
N-term formula in a child process and reports its peak resident memory
(``resource.getrusage``) beside the parsing-and-tape split of a smaller run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def formulas(n: int) -> dict:
    chain = "x"
    for _ in range(min(n, 5_000)):  # nesting is bounded by the parser's depth limit
        chain = f"sin({chain})"
    return {
        f"sum of {n:,} sin(x*k)": " + ".join(f"sin(x*{k + 2})" for k in range(n)),
        "chain of 5,000 sin": chain,
        f"polynomial of {n:,} terms": " + ".join(f"{k + 1}*x**{k % 7}*y" for k in range(n)),
    }


def whole_process(terms: int) -> dict:
    """Peak resident memory of ``adcli diff -`` on an ``terms``-term formula, a child process."""
    text = " + ".join(f"sin(x*{k + 2})" for k in range(terms))
    with tempfile.TemporaryFile("w+") as file:
        file.write(text)
        file.seek(0)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        done = subprocess.run([sys.executable, "-m", "adcli", "diff", "-", "--at", "x=0.3",
                               "--quiet"], stdin=file, capture_output=True, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return {"terms": terms, "tape_entries": 3 * terms, "peak_rss_mb": round(after / 1024, 1),
            "note": "" if after > before else "peak not above an earlier child's"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terms", type=int, default=20_000)
    parser.add_argument("--whole", type=int, default=0, help="terms of a whole-process run")
    args = parser.parse_args()
    from adcli.api import problem
    from adcli.studies.memory import memory_report

    rows = []
    for name, text in formulas(args.terms).items():
        at = ["x=0.3", "y=1.5"] if "y" in text else ["x=0.3"]
        r = memory_report(problem(text, at))
        floor = 8 * (r.stored_values + r.edges)  # every value and partial as a float64
        rows.append({"formula": name, "entries": r.tape_entries, "edges": r.edges,
                     "bytes_per_entry": round(r.bytes_per_entry, 1),
                     "floor_bytes_per_entry": round(floor / r.tape_entries, 1),
                     "ratio_to_floor": round(r.tape_measured / floor, 2),
                     "target_met": r.bytes_per_entry <= 100})
    report = {"tapes": rows}
    if args.whole:
        report["whole_process"] = whole_process(args.whole)
    print(json.dumps(report, indent=2))
    return 0 if all(row["target_met"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
