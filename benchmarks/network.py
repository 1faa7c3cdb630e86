"""(j) A network's gradient: adcli's reverse mode against the same forward pass in NumPy.

    python benchmarks/network.py            # best of 20
    python benchmarks/network.py --quick    # best of 5

A 4-layer network (width 256, batch 64, float64, tanh on the hidden layers)
with the mean-squared loss
    mean((tanh(tanh(tanh(X @ W1 + b1) @ W2 + b2) @ W3 + b3) @ W4 + b4 - Y)**2),
parsed once; then, best of N, in one process:
  * the loss written in plain NumPy (the baseline: a forward pass, no tape);
  * adcli's forward value alone (the formula recorded with NumPy arrays as
    values, no partials): (this - NumPy's forward) / tape entries is adcli's overhead per op
    beyond NumPy's own kernels (the issue's target: 10 us at most);
  * adcli's reverse-mode gradient of W1..W4 and b1..b4 (record + one adjoint
    sweep): its time / NumPy's forward is the issue's ratio (target: 3 at most;
    a hand-written backward pass needs about two matrix products per layer for
    the forward's one, so 3 is the floor of any reverse mode);
  * a hand-written NumPy forward + backward pass, against which adcli's
    gradient is checked first (1e-12), and its own ratio beside adcli's;
  * PyTorch and JAX (value and gradient) when installed: optional, never
    dependencies.
NumPy's passes are measured twice, each in a process of its own: with glibc's
allocator as it comes, and with freed memory kept for the next allocation, as
adcli sets it when arrays are first used (by default every freed block over
128 KiB goes back to the system and the next is mapped afresh, page fault by
page fault, which can cost more than the products); adcli's in the second.
Those processes give NumPy's BLAS one thread (unless OPENBLAS_NUM_THREADS /
OMP_NUM_THREADS say otherwise), so that a shared machine's load does not swing
the baseline.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from adcli.backends import FormulaSource, Problem, backend  # noqa: E402
from adcli.language.parser import parse  # noqa: E402
from adcli.ops.namespaces import keep_freed_memory, numpy_math  # noqa: E402
from adcli.tape.record import record  # noqa: E402

LAYERS, WIDTH, BATCH = 4, 256, 64
PARAMETERS = tuple(f"{kind}{k}" for k in range(1, LAYERS + 1) for kind in ("W", "b"))


def formula(layers: int = LAYERS) -> str:
    text = "X"
    for k in range(1, layers + 1):
        text = f"{text} @ W{k} + b{k}"
        if k < layers:
            text = f"tanh({text})"
    return f"mean(({text} - Y)**2)"


def point(seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    values = {"X": rng.normal(size=(BATCH, WIDTH)), "Y": rng.normal(size=(BATCH, WIDTH))}
    for k in range(1, LAYERS + 1):
        values[f"W{k}"] = rng.normal(size=(WIDTH, WIDTH)) / math.sqrt(WIDTH)
        values[f"b{k}"] = rng.normal(size=WIDTH) * 0.1
    return values


def numpy_forward(p: dict) -> float:
    h = p["X"]
    for k in range(1, LAYERS + 1):
        h = h @ p[f"W{k}"] + p[f"b{k}"]
        if k < LAYERS:
            h = np.tanh(h)
    return float(np.mean((h - p["Y"]) ** 2))


def numpy_gradient(p: dict) -> tuple[float, dict]:
    """The backward pass by hand: the reference adcli is checked against."""
    inputs, h = [], p["X"]
    for k in range(1, LAYERS + 1):
        inputs.append(h)
        h = h @ p[f"W{k}"] + p[f"b{k}"]
        if k < LAYERS:
            h = np.tanh(h)
    r = h - p["Y"]
    bar = 2 * r / r.size
    grad = {}
    for k in range(LAYERS, 0, -1):
        if k < LAYERS:  # through tanh: the layer's output was inputs[k]
            bar = bar * (1 - inputs[k] ** 2)
        grad[f"W{k}"] = inputs[k - 1].T @ bar
        grad[f"b{k}"] = bar.sum(axis=0)
        if k > 1:
            bar = bar @ p[f"W{k}"].T
    return float(np.mean(r ** 2)), grad


def best(function, repeats: int) -> float:
    function()  # warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def others(p: dict, repeats: int) -> list:
    """(name, gradient seconds or None, note) for PyTorch and JAX."""
    rows = []
    try:
        import torch
    except ImportError:
        rows.append(("PyTorch", None, "not installed"))
    else:
        t = {k: torch.tensor(v, requires_grad=k in PARAMETERS) for k, v in p.items()}

        def torch_gradient():
            h = t["X"]
            for k in range(1, LAYERS + 1):
                h = h @ t[f"W{k}"] + t[f"b{k}"]
                if k < LAYERS:
                    h = torch.tanh(h)
            loss = torch.mean((h - t["Y"]) ** 2)
            return torch.autograd.grad(loss, [t[k] for k in PARAMETERS])

        rows.append(("PyTorch (autograd.grad)", best(torch_gradient, repeats), ""))
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        rows.append(("JAX", None, "not installed"))
    else:
        jax.config.update("jax_enable_x64", True)

        def loss(params, x, y):
            h = x
            for k in range(1, LAYERS + 1):
                h = h @ params[f"W{k}"] + params[f"b{k}"]
                if k < LAYERS:
                    h = jnp.tanh(h)
            return jnp.mean((h - y) ** 2)

        grad = jax.jit(jax.grad(loss))
        params = {k: jnp.asarray(p[k]) for k in PARAMETERS}
        x, y = jnp.asarray(p["X"]), jnp.asarray(p["Y"])
        rows.append(("JAX (jit of grad)", best(
            lambda: jax.block_until_ready(grad(params, x, y)), repeats), ""))
    return rows


def measure(repeats: int, keep: bool) -> dict:
    """One process: NumPy's passes with glibc's allocator as it comes (``keep``
    False), or, as adcli sets it when arrays are first used (``keep``: freed
    memory kept for the next allocation), NumPy's and adcli's passes taking turns,
    adcli's gradient checked against the hand-written one first."""
    if keep:
        keep_freed_memory()
    p = point()
    times = {"numpy": best(lambda: numpy_forward(p), repeats),
             "hand": best(lambda: numpy_gradient(p), repeats)}
    if not keep:
        return times
    text = formula()
    graph = parse(text)
    request = Problem(text, graph, p, PARAMETERS, source=FormulaSource(graph))
    reverse, m = backend("reverse"), numpy_math()
    result = reverse(request)
    value, want = numpy_gradient(p)
    if not math.isclose(result.value, value, rel_tol=1e-12):
        raise SystemExit(f"network: adcli's loss {result.value} != NumPy's {value}")
    for name in PARAMETERS:
        error = np.max(np.abs(result.gradient[name] - want[name])) / np.max(np.abs(want[name]))
        if not error <= 1e-12:
            raise SystemExit(f"network: d/d{name} differs from the hand-written backward "
                             f"pass by {error:.2e} (relative)")
    return {**interleaved({"numpy": lambda: numpy_forward(p),
                           "hand": lambda: numpy_gradient(p),
                           "value": lambda: record(graph, p, m, partials=False),
                           "gradient": lambda: reverse(request)}, repeats),
            "entries": result.cost["tape_entries"]}


def interleaved(works: dict, repeats: int) -> dict:
    """The best time of each, the works taking turns: a slow minute of a shared
    machine slows them all, not one of them, so their ratios hold."""
    for work in works.values():
        work()  # warm up
    times = {name: [] for name in works}
    for _ in range(repeats):
        for name, work in works.items():
            start = time.perf_counter()
            work()
            times[name].append(time.perf_counter() - start)
    return {name: min(t) for name, t in times.items()}


def measured(repeats: int, keep: bool) -> dict:
    argv = [sys.executable, str(Path(__file__).resolve()), "--measure", str(repeats)]
    env = dict(os.environ)
    for threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(threads, "1")  # read when NumPy loads its BLAS
    proc = subprocess.run(argv + (["--keep"] if keep else []), capture_output=True, text=True,
                          env=env)
    if proc.returncode:
        raise SystemExit(proc.stderr.strip() or f"network: {' '.join(argv)} failed")
    return json.loads(proc.stdout)


def network(repeats: int) -> None:
    plain, kept = measured(repeats, False), measured(repeats, True)
    entries = kept["entries"]
    print(f"(j) a {LAYERS}-layer tanh network (width {WIDTH}, batch {BATCH}, float64), "
          f"mean-squared loss, best of {repeats}; {entries} tape entries; gradient checked "
          f"against a hand-written backward pass (1e-12)")
    print(f"    NumPy's forward pass: {plain['numpy'] * 1e3:.3f} ms with glibc's allocator as "
          f"it comes, {kept['numpy'] * 1e3:.3f} ms with freed memory kept (as adcli sets it)")
    print(f"    {'':<40}{'ms':>10}{'/ NumPy fwd':>14}{'/ NumPy fwd, kept':>20}")
    rows = [("NumPy forward + hand-written backward", kept["hand"], ""),
            ("adcli forward value (record)", kept["value"], ""),
            ("adcli reverse-mode gradient", kept["gradient"], "  (target <= 3)")]
    for name, seconds, note in rows:
        print(f"    {name:<40}{seconds * 1e3:>10.3f}{seconds / plain['numpy']:>14.2f}"
              f"{seconds / kept['numpy']:>20.2f}{note}")
    for name, seconds, note in others(point(), repeats):
        shown = note if seconds is None else \
            f"{seconds * 1e3:>10.3f}{seconds / plain['numpy']:>14.2f}"
        print(f"    {name:<40}{shown}")
    overhead = (kept["value"] - kept["numpy"]) / entries * 1e6
    print(f"    adcli's forward beyond NumPy's kernels, per tape entry: {overhead:.1f} us "
          f"(target <= 10)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.keep)))
        return
    network(5 if args.quick else 20)


if __name__ == "__main__":
    main()
