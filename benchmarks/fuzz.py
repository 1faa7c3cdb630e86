"""The differential fuzz of the test suite, larger: more random formulas, one seed.

    python benchmarks/fuzz.py             # 20,000 formulas
    python benchmarks/fuzz.py 5000 -s     # 5,000, printing the known-class refusals

It runs ``tests/test_fuzz.py`` with ``ADCLI_FUZZ`` set (the suite checks 1,000),
so the cases, references and tolerances are the suite's own; the cases depend
only on the count and the fixed seed, so a failure found here reproduces.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    count = argv[0] if argv and argv[0].isdigit() else "20000"
    rest = argv[1:] if argv and argv[0].isdigit() else argv
    env = dict(os.environ, ADCLI_FUZZ=count)
    return subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            "--durations=0", str(ROOT / "tests" / "test_fuzz.py"), *rest],
                           cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
