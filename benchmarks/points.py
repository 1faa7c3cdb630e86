"""(i) Many points: value and gradient over 10^6 points, ratios in one run.

    python benchmarks/points.py            # 10^6 points
    python benchmarks/points.py --quick    # 10^5 points

For a one-variable and a three-variable formula, in one process, best of R:
  * adcli's vectorised value alone (the formula recorded over chunks of
    points, no partials) and adcli's value + gradient (record with partials,
    one reverse sweep per chunk): the issue's ratio is gradient / value;
  * the same value and gradient written by hand in NumPy (whole arrays): the
    baseline outside adcli's own code path, so adcli's gradient / NumPy's value
    is shown beside it;
  * JAX (jit of vmap of value_and_grad), PyTorch and HIPS autograd when they
    are installed (optional, never dependencies).
Then whole processes: ``adcli diff EXPR --grid x=0:3:N`` writing CSV, in
points per second, against one ``adcli diff --at`` process per point, and the
peak memory of 10^5 and 10^6 streamed points (flat: the memory of a chunk).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from adcli.backends.columns import differentiate_columns  # noqa: E402
from adcli.cli.run_points import CHUNK  # noqa: E402
from adcli.language.parser import parse  # noqa: E402
from adcli.ops.namespaces import numpy_math  # noqa: E402
from adcli.tape.record import record  # noqa: E402

ONE = "sin(x)**2*exp(-x) + log(1+x**2)"
THREE = "x*y*z + sin(x*y) + exp(z)/y"


def one_numpy(x):
    s = np.sin(x)
    return s * s * np.exp(-x) + np.log(1 + x * x)


def one_numpy_grad(x):
    s, c, e, t = np.sin(x), np.cos(x), np.exp(-x), 1 + x * x
    return s * s * e + np.log(t), 2 * s * c * e - s * s * e + 2 * x / t


def three_numpy(x, y, z):
    return x * y * z + np.sin(x * y) + np.exp(z) / y


def three_numpy_grad(x, y, z):
    c, ez = np.cos(x * y), np.exp(z)
    value = x * y * z + np.sin(x * y) + ez / y
    return value, (y * z + y * c, x * z + x * c - ez / (y * y), x * y + ez / y)


def best(work, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def chunks(columns: dict, n: int):
    for start in range(0, n, CHUNK):
        yield {k: v[start:start + CHUNK] for k, v in columns.items()}


def peers(text: str, columns: dict, repeats: int) -> list:
    """(name, value seconds, value+gradient seconds) for each peer installed."""
    rows = []
    names = list(columns)
    try:
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_enable_x64", True)
        f = {ONE: lambda x: jnp.sin(x) ** 2 * jnp.exp(-x) + jnp.log(1 + x ** 2),
             THREE: lambda x, y, z: x * y * z + jnp.sin(x * y) + jnp.exp(z) / y}[text]
        value = jax.jit(jax.vmap(f))
        grad = jax.jit(jax.vmap(jax.value_and_grad(f, argnums=tuple(range(len(names))))))
        args = [jnp.asarray(columns[k]) for k in names]
        jax.block_until_ready(value(*args)), jax.block_until_ready(grad(*args))
        rows.append(("JAX jit(vmap(value_and_grad))",
                     best(lambda: jax.block_until_ready(value(*args)), repeats),
                     best(lambda: jax.block_until_ready(grad(*args)), repeats)))
    except ImportError:
        rows.append(("JAX", None, None))
    try:
        import torch

        f = {ONE: lambda x: torch.sin(x) ** 2 * torch.exp(-x) + torch.log(1 + x ** 2),
             THREE: lambda x, y, z: x * y * z + torch.sin(x * y) + torch.exp(z) / y}[text]

        def torch_grad():
            args = [torch.tensor(columns[k], requires_grad=True) for k in names]
            f(*args).sum().backward()
            return [a.grad for a in args]
        plain = [torch.tensor(columns[k]) for k in names]
        rows.append(("PyTorch autograd", best(lambda: f(*plain), repeats),
                     best(torch_grad, repeats)))
    except ImportError:
        rows.append(("PyTorch", None, None))
    try:
        import autograd
        import autograd.numpy as anp

        f = {ONE: lambda x: anp.sin(x) ** 2 * anp.exp(-x) + anp.log(1 + x ** 2),
             THREE: lambda x, y, z: x * y * z + anp.sin(x * y) + anp.exp(z) / y}[text]
        grads = [autograd.elementwise_grad(f, k) for k in range(len(names))]
        args = [columns[k] for k in names]
        rows.append(("HIPS autograd", best(lambda: f(*args), repeats),
                     best(lambda: [g(*args) for g in grads], repeats)))
    except ImportError:
        rows.append(("HIPS autograd", None, None))
    return rows


def in_process(n: int, repeats: int) -> None:
    rng = np.random.default_rng(0)
    m = numpy_math()
    cases = [(ONE, {"x": rng.uniform(0, 3, n)}, one_numpy, one_numpy_grad),
             (THREE, {"x": rng.uniform(-2, 2, n), "y": rng.uniform(0.5, 2, n),
                      "z": rng.uniform(-1, 1, n)}, three_numpy, three_numpy_grad)]
    print(f"(i) value and gradient over {n:,} points, chunks of {CHUNK:,}, best of {repeats}")
    for text, columns, value_np, grad_np in cases:
        graph = parse(text)
        names = list(columns)
        got = differentiate_columns(graph, columns)
        _value, want = grad_np(*[columns[k] for k in names])
        want = want if isinstance(want, tuple) else (want,)
        for k, w in zip(names, want):  # the figures are of right answers only
            if not np.allclose(got.gradient[k], w, rtol=1e-12, atol=1e-12):
                raise SystemExit(f"points: adcli's d/d{k} of {text} differs from NumPy's")
        adcli_value = best(lambda: [record(graph, c, m, partials=False)
                                    for c in chunks(columns, n)], repeats)
        adcli_grad = best(lambda: [differentiate_columns(graph, c)
                                   for c in chunks(columns, n)], repeats)
        args = [columns[k] for k in names]
        numpy_value = best(lambda: value_np(*args), repeats)
        numpy_grad = best(lambda: grad_np(*args), repeats)
        print(f"    {text}")
        print(f"      {'':<34}{'value s':>9}{'grad s':>9}{'grad/value':>11}"
              f"{'grad/NumPy value':>18}")
        rows = [("adcli, vectorised", adcli_value, adcli_grad),
                ("NumPy by hand", numpy_value, numpy_grad)] + peers(text, columns, repeats)
        for name, v, g in rows:
            if v is None:
                print(f"      {name:<34}{'not installed':>9}")
                continue
            print(f"      {name:<34}{v:>9.4f}{g:>9.4f}{g / v:>11.2f}{g / numpy_value:>18.2f}")


def processes(n: int) -> None:
    script = shutil.which("adcli") or str(Path(sys.executable).with_name("adcli"))
    gnu_time = shutil.which("time", path="/usr/bin:/bin")
    print(f"(i) whole processes: adcli diff '{ONE}' --grid x=0:3:N, CSV to a file")
    for count in (n // 10, n):
        argv = [script, "diff", ONE, "--grid", f"x=0:3:{count}", "--output", "/dev/null"]
        prefix = [gnu_time, "-f", "%M"] if gnu_time else []
        start = time.perf_counter()
        done = subprocess.run(prefix + argv, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"points process failed: {done.stderr[-300:]}")
        peak = done.stderr.strip().splitlines()[-1] if gnu_time else ""
        peak = f", peak {int(peak) / 1024:.0f} MiB" if peak.isdigit() else ""
        print(f"    {count:>10,} points: {wall:6.2f} s, {count / wall:>12,.0f} points/s{peak}")
    one = [script, "diff", ONE, "--at", "x=1.5", "-f", "csv"]
    wall = min(_timed(one) for _ in range(5))
    print(f"    one process per point (adcli diff --at): {1 / wall:>8,.0f} points/s")


def _timed(argv) -> float:
    start = time.perf_counter()
    subprocess.run(argv, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10^5 points, fewer repeats")
    args = parser.parse_args()
    n = 100_000 if args.quick else 1_000_000
    numpy_math()  # as adcli diff --points does: tunes the allocator for arrays
    in_process(n, 3 if args.quick else 7)
    processes(n)


if __name__ == "__main__":
    main()
