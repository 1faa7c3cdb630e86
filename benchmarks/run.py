"""adcli benchmarks: every figure is a ratio against a baseline measured in the same run.

    python benchmarks/run.py            # every part
    python benchmarks/run.py --quick    # fewer repetitions, smaller sizes

(a) start-up latency of ``adcli diff "sin(x**2)+exp(x)" --at 2 --mode reverse``
    as a table and as JSON, against ``python -c pass`` (runs interleaved, median
    of N each), with each process's peak memory;
(b) parse + record + reverse sweep of generated formulas of 10^4, 10^5 and
    10^6 graph nodes (seconds, microseconds per node and per tape entry);
(c) the same gradient by forward, reverse and symbolic differentiation as the
    number of variables grows, to show where each stops being practical;
(d) every numerical method on three formulas: error against the mpmath
    reference and function evaluations;
(e) expression swell of the gradient of x1*x2*...*xn for n = 16, 64, 256:
    SymPy under a time budget against one reverse sweep;
(f) the Jacobian of f: R^n -> R^m for (n, m) = (1000, 1) and (1, 1000): forward
    and reverse time and sweeps side by side;
(g) derivatives of order K = 1..20 of exp(sin(x))*x**x: Taylor mode (all orders
    in one pass), nested AD (the derivative recorded and differentiated again)
    and SymPy's K-th derivative under a time budget;
(h) a chain of 10^5 steps, sin(sin(...sin(x)*1.0001+0.5...)*1.0001+0.5): parse +
    record + reverse sweep per op, against a minimal Wengert tape in plain Python
    (values and local partials appended to lists, one reverse loop) for the same
    chain; and the 10^6-node formula of (b) read from stdin by a whole
    ``adcli diff - -f json`` process: wall seconds and peak memory;
(j) a 4-layer tanh network (width 256, batch 64): adcli's reverse-mode gradient
    against the same forward pass in plain NumPy, adcli's overhead per tape
    entry beyond NumPy's kernels, torch and JAX when installed (network.py).

The machine may be noisy: medians and ratios are the figures to quote.
"""

from __future__ import annotations

import argparse
import shutil
import math
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from adcli.api import problem  # noqa: E402
from adcli.studies.compare import compare  # noqa: E402
from adcli.backends import backend  # noqa: E402
from adcli.backends.reverse import adjoints  # noqa: E402
from adcli.errors import AdcliError, NotAvailable  # noqa: E402
from adcli.language.parser import parse  # noqa: E402
from adcli.tape.record import record  # noqa: E402
from network import network  # noqa: E402

FORMULA = "sin(x**2)+exp(x)"


def adcli_command() -> list[str]:
    script = Path(sys.executable).with_name("adcli")
    if script.exists():
        return [str(script)]
    found = shutil.which("adcli")
    return [found] if found else [sys.executable, "-m", "adcli"]


def run_once(argv: list[str]) -> float:
    """Wall seconds of one process."""
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(argv)}")
    return wall


def peak_mib(argv: list[str]) -> float | None:
    """Peak resident memory of the command, measured by GNU time.

    (A child forked from this Python process would report this process's own
    memory as its high-water mark, so the measurement goes through a small
    program.)  None when GNU time is not installed.
    """
    gnu_time = shutil.which("time", path="/usr/bin:/bin")
    if gnu_time is None:
        return None
    proc = subprocess.run([gnu_time, "-f", "%M"] + argv, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    try:
        return int(proc.stderr.strip().splitlines()[-1]) / 1024
    except (ValueError, IndexError):
        return None


def latency(runs: int) -> None:
    print(f"(a) start-up latency, median of {runs} interleaved runs each")
    adcli = adcli_command()
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "adcli diff (table)": adcli + ["diff", FORMULA, "--at", "2", "--mode", "reverse"],
        "adcli diff (json)": adcli + ["diff", FORMULA, "--at", "2", "--mode", "reverse",
                                      "--format", "json"],
    }
    for argv in commands.values():  # warm the file cache
        run_once(argv)
    samples = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            samples[name].append(run_once(argv))
    base = statistics.median(samples["python -c pass"])
    print(f"    {'command':<22}{'median ms':>10}{'ratio':>8}{'peak MiB':>10}")
    for name, values in samples.items():
        wall = statistics.median(values)
        peaks = [peak_mib(commands[name]) for _ in range(3)]
        peak = "n/a" if None in peaks else f"{max(peaks):.1f}"
        print(f"    {name:<22}{wall * 1e3:>10.1f}{wall / base:>8.2f}{peak:>10}")


def generated(nodes: int, variables: int = 100) -> str:
    """A sum of distinct terms, each adding four graph nodes, over ``variables`` inputs."""
    templates = ("sin(x{a}*{c})", "{c}*x{a}*x{b}", "exp(x{a}/{c})", "(x{a}+{c})**2")
    terms = []
    for i in range(max(1, (nodes - variables) // 4)):
        a, b = (i * 7) % variables, (i * 13 + 1) % variables
        terms.append(templates[i % 4].format(a=a, b=b, c=f"{i + 1}.5"))
    return "+".join(terms)


def point_for(graph) -> dict:
    return {name: 0.1 + 0.01 * k for k, name in enumerate(graph.variables)}


def gradient_scaling(sizes: list[int]) -> None:
    print("(b) parse + record + reverse sweep of generated formulas")
    print(f"    {'nodes':>10}{'entries':>10}{'parse s':>9}{'record s':>10}{'sweep s':>9}"
          f"{'total s':>9}{'us/node':>9}{'sweep us/entry':>16}")
    for size in sizes:
        text = generated(size)
        t0 = time.perf_counter()
        graph = parse(text)
        t1 = time.perf_counter()
        tape = record(graph, point_for(graph))
        t2 = time.perf_counter()
        adjoints(tape, {tape.output: 1.0})
        t3 = time.perf_counter()
        total = t3 - t0
        print(f"    {len(graph):>10,}{len(tape):>10,}{t1 - t0:>9.3f}{t2 - t1:>10.3f}"
              f"{t3 - t2:>9.3f}{total:>9.3f}{total / len(graph) * 1e6:>9.2f}"
              f"{(t3 - t2) / len(tape) * 1e6:>16.3f}")


def chain(variables: int) -> str:
    """sin(x0*x1) + sin(x1*x2) + ...: n inputs, about 4n nodes."""
    return "+".join(f"sin(x{k}*x{k + 1})*{k + 1}.5" for k in range(variables - 1))


def modes_scaling(sizes: list[int], budget: float) -> None:
    print(f"(c) the whole gradient by each mode (seconds; '-' once a mode took over "
          f"{budget:g} s at a smaller size)")
    modes = ("reverse", "forward", "symbolic")
    print(f"    {'inputs':>8}{'nodes':>9}" + "".join(f"{m:>12}" for m in modes))
    slow: set[str] = set()
    for n in sizes:
        text = chain(n)
        cells = []
        nodes = 0
        for mode in modes:
            if mode in slow:
                cells.append("-")
                continue
            point = [f"x{k}={0.1 + 0.001 * k}" for k in range(n)]
            start = time.perf_counter()
            try:
                request = problem(text, point)
                nodes = len(request.graph)
                backend(mode)(request)
                elapsed = time.perf_counter() - start
                cells.append(f"{elapsed:.3f}")
                if elapsed > budget:
                    slow.add(mode)
            except AdcliError as error:
                cells.append("refused" if isinstance(error, NotAvailable) else "error")
                slow.add(mode)
        print(f"    {n:>8,}{nodes:>9,}" + "".join(f"{c:>12}" for c in cells))


NUMERICAL_FORMULAS = (("sin(x**2)+exp(x)", "2"), ("exp(x)/sqrt(x)", "0.5"),
                      ("atan(10*x)", "0.3"))


def numerical_methods() -> None:
    print("(d) numerical methods against the 50-digit reference (abs error / evaluations)")
    header = None
    for text, at in NUMERICAL_FORMULAS:
        rows = [r for r in compare(problem(text, [at])).rows
                if r.evaluations is not None or r.gradient is None]
        if header is None:
            header = [r.method for r in rows]
            print(f"    {'formula':<22}" + "".join(f"{m:>21}" for m in header))
        cells = [f"{r.abs_error:.1e} / {r.evaluations}" if r.gradient else "refused"
                 for r in rows]
        print(f"    {text + ' at ' + at:<22}" + "".join(f"{c:>21}" for c in cells))


def product_swell(sizes: list[int], budget: float) -> None:
    from adcli.studies.swell import swell

    print(f"(e) gradient of x1*x2*...*xn: SymPy (budget {budget:g} s) against reverse AD")
    print(f"    {'n':>5}{'symbolic nodes':>16}{'symbolic s':>12}{'status':>13}"
          f"{'tape entries':>14}{'reverse s':>11}")
    for n in sizes:
        text = "*".join(f"x{k}" for k in range(n))
        request = problem(text, [f"x{k}={1 + k / n}" for k in range(n)])
        row = swell(request, order=1, budget=budget).rows[0]
        start = time.perf_counter()
        backend("reverse")(request)
        reverse_seconds = time.perf_counter() - start
        nodes = "-" if row.symbolic_nodes is None else f"{row.symbolic_nodes:,}"
        seconds = "-" if row.symbolic_seconds is None else f"{row.symbolic_seconds:.3f}"
        print(f"    {n:>5}{nodes:>16}{seconds:>12}{row.status:>13}{row.tape_entries:>14}"
              f"{reverse_seconds:>11.4f}")


def jacobian_shapes() -> None:
    from adcli.studies.jacobian import jacobian

    print("(f) Jacobian by forward and by reverse mode (seconds, sweeps)")
    print(f"    {'n x m':>12}{'forward s':>11}{'sweeps':>8}{'reverse s':>11}{'sweeps':>8}"
          f"{'ratio':>8}")
    shapes = {
        "1000 x 1": ("+".join(f"sin(x{k})*x{(k + 1) % 1000}" for k in range(1000)),
                     [f"x{k}={0.001 * k}" for k in range(1000)]),
        "1 x 1000": (", ".join(f"sin({k}.5*x)" for k in range(1000)), ["x=0.3"]),
    }
    for label, (text, point) in shapes.items():
        request = problem(text, point, several=True)
        times = {}
        for mode in ("forward", "reverse"):
            start = time.perf_counter()
            result = jacobian(request, mode)
            times[mode] = (time.perf_counter() - start, result.performed)
        (tf, sf), (tr, sr) = times["forward"], times["reverse"]
        print(f"    {label:>12}{tf:>11.3f}{sf:>8}{tr:>11.3f}{sr:>8}{tf / tr:>8.2g}")


def taylor_orders(orders: list[int], budget: float) -> None:
    from adcli.tape.second_order import nested_derivatives
    from adcli.studies.swell import swell
    from adcli.tape.series import coefficients

    text = "exp(sin(x))*x**x"
    request = problem(text, ["x=1.5"])
    print(f"(g) order K of {text}: Taylor mode, nested AD, SymPy (budget {budget:g} s)")
    print(f"    {'K':>4}{'Taylor s':>10}{'nested s':>10}{'nested tape':>13}"
          f"{'SymPy s':>10}{'SymPy nodes':>13}")
    sympy_rows = {row.order: row for row in swell(request, max(orders), budget).rows}
    nested, start = {}, time.perf_counter()
    for k, entries, _value in nested_derivatives(request.graph, request.point, "x",
                                                 max(orders)):
        nested[k] = (time.perf_counter() - start, entries)
        if time.perf_counter() - start > budget:
            break
    for k in orders:
        start = time.perf_counter()
        coefficients(request.graph, request.point, "x", k)
        taylor = time.perf_counter() - start
        seconds, entries = nested.get(k, (None, None))
        row = sympy_rows[k]
        cells = [f"{taylor:.4f}", "-" if seconds is None else f"{seconds:.3f}",
                 "-" if entries is None else f"{entries:,}",
                 "-" if row.symbolic_seconds is None else f"{row.symbolic_seconds:.3f}",
                 "over budget" if row.symbolic_nodes is None else f"{row.symbolic_nodes:,}"]
        print(f"    {k:>4}" + "".join(f"{c:>{w}}" for c, w in zip(cells, (10, 10, 13, 10, 13))))


def chain_text(levels: int) -> str:
    """``levels`` steps of three ops each: sin, then *1.0001, then +0.5."""
    return "sin(" * levels + "x" + ")*1.0001+0.5" * levels


def wengert_chain(levels: int, x: float) -> tuple[float, float]:
    """The baseline: the same chain on a flat tape of plain Python lists."""
    sin, cos = math.sin, math.cos
    values, args, partials = [x], [], []
    push, arg, partial = values.append, args.append, partials.append
    i = 0
    for _ in range(levels):
        s = sin(x)
        push(s), arg(i), partial(cos(x))
        m = s * 1.0001
        push(m), arg(i + 1), partial(1.0001)
        x = m + 0.5
        push(x), arg(i + 2), partial(1.0)
        i += 3
    bar = [0.0] * len(values)
    bar[-1] = 1.0
    for k in range(len(partials) - 1, -1, -1):
        bar[args[k]] += bar[k + 1] * partials[k]
    return values[-1], bar[0]


def adcli_chain(text: str, x: float) -> tuple[float, float, int]:
    graph = parse(text)
    tape = record(graph, {"x": x})
    bar = adjoints(tape, {tape.output: 1.0})
    return tape.value, bar[0], len(tape) - 1


def chain_steps(ops: int, repeats: int) -> None:
    levels = ops // 3
    text = chain_text(levels)
    print(f"(h) a chain of {levels * 3:,} ops: parse + record + reverse sweep, "
          f"best of {repeats}")
    best_adcli = best_plain = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        value, grad, entries = adcli_chain(text, 0.3)
        best_adcli = min(best_adcli, time.perf_counter() - start)
        start = time.perf_counter()
        plain_value, plain_grad = wengert_chain(levels, 0.3)
        best_plain = min(best_plain, time.perf_counter() - start)
    if not (math.isclose(value, plain_value) and math.isclose(grad, plain_grad)):
        raise SystemExit(f"chain: adcli {value}, {grad} != baseline {plain_value}, {plain_grad}")
    us_adcli, us_plain = best_adcli / entries * 1e6, best_plain / entries * 1e6
    print(f"    {'':<30}{'us/op':>8}{'ratio':>8}")
    print(f"    {'plain Python Wengert tape':<30}{us_plain:>8.3f}{1:>8.2f}")
    print(f"    {'adcli parse+record+sweep':<30}{us_adcli:>8.3f}{us_adcli / us_plain:>8.2g}")


def stdin_process(nodes: int) -> None:
    """One whole process, as a user runs it: the formula arrives on stdin."""
    text = generated(nodes)
    names = sorted(set(re.findall(r"x\d+", text)), key=lambda name: int(name[1:]))
    at = [f"--at={name}={0.1 + 0.01 * int(name[1:])}" for name in names]
    argv = adcli_command() + ["diff", "-", "--format", "json"] + at
    gnu_time = shutil.which("time", path="/usr/bin:/bin")
    print(f"(h) the generated formula of {nodes:,} nodes ({len(text) / 2**20:.1f} MiB) "
          f"from stdin: adcli diff - -f json")
    with tempfile.TemporaryFile("w+") as stdin:
        stdin.write(text)
        for _ in range(2):
            stdin.seek(0)
            prefix = [gnu_time, "-f", "%M"] if gnu_time else []
            start = time.perf_counter()
            proc = subprocess.run(prefix + argv, stdin=stdin, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
            wall = time.perf_counter() - start
            if proc.returncode != 0:
                raise SystemExit(f"stdin benchmark failed: {proc.stderr[-500:]}")
            try:
                peak = f"{int(proc.stderr.strip().splitlines()[-1]) / 1024:.0f}"
            except (ValueError, IndexError):
                peak = "n/a (GNU time not installed)"
            print(f"    wall {wall:.2f} s, peak {peak} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, smaller sizes")
    parser.add_argument("--runs", type=int, default=None, help="latency runs per command")
    args = parser.parse_args()
    runs = args.runs or (5 if args.quick else 15)
    latency(runs)
    print()
    gradient_scaling([10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000])
    print()
    modes_scaling([10, 100, 1000] if args.quick else [10, 100, 1000, 3000, 10_000],
                  budget=5.0 if args.quick else 20.0)
    print()
    numerical_methods()
    print()
    product_swell([16, 64] if args.quick else [16, 64, 256], budget=10.0 if args.quick else 30.0)
    print()
    jacobian_shapes()
    print()
    taylor_orders([1, 2, 4, 8, 12, 16, 20], budget=10.0 if args.quick else 30.0)
    print()
    chain_steps(100_000, repeats=3 if args.quick else 5)
    stdin_process(100_000 if args.quick else 1_000_000)
    print()
    network(5 if args.quick else 20)


if __name__ == "__main__":
    main()
