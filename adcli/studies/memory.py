"""``adcli memory``: what reverse mode keeps, counted and measured side by side.

Counts come from the tape itself (its values' dtypes and shapes); the
measurements are tracemalloc's, around the very calls ``adcli diff`` makes,
so the two can disagree and the table shows by how much: a tape of floats
keeps its numbers in typed arrays (8 bytes each), a tape of arrays each value
as a NumPy array behind an 8-byte list slot.
"""

from __future__ import annotations

import gc
import math
from array import array
from collections.abc import Iterable

from ..errors import UsageError
from ..records.memory import MemoryReport, NetworkMemory, StoredGroup

#: A network traced for the model's check only when it is this small (values).
MEASURE_LIMIT = 4_000_000


def measured(action):
    """``action()``'s result, the bytes it leaves allocated and its peak (tracemalloc)."""
    import tracemalloc

    gc.collect()
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = action()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        if started:
            tracemalloc.stop()
    return result, current - base, peak - base


def value_bytes(value) -> tuple:
    """(numbers, bytes) of one stored value: an array its elements, a float 8 bytes."""
    nbytes = getattr(value, "nbytes", None)
    return (1, 8) if nbytes is None else (value.size, nbytes)


def _groups(values) -> tuple:
    groups: dict = {}
    for v in values:
        dtype = getattr(v, "dtype", None)
        key = ("float64" if dtype is None else dtype.name, tuple(getattr(v, "shape", ())))
        count, nbytes = value_bytes(v)
        old = groups.get(key, (0, 0))
        groups[key] = (old[0] + count, old[1] + nbytes)
    return tuple(StoredGroup(dtype, shape, count, nbytes)
                 for (dtype, shape), (count, nbytes) in groups.items())


def _partial_bytes(tape) -> int:
    """Bytes of the partials stored on edges: a float 8, an array its own; an op's
    constant partial (an int) and a linear map (it reads its operands) none, unless
    the tape is typed (floats), where every partial is a stored number."""
    if isinstance(tape.partials, array):
        return tape.partials.itemsize * len(tape.partials)
    total = 0
    for _out, _arg, p in tape.edge_triples():
        if p.__class__ is float:
            total += 8
        else:
            total += getattr(p, "nbytes", 0)
    return total


def live_peak(tape) -> tuple:
    """(entries, bytes) alive at most at once in execution order: an entry lives
    from its evaluation to the last entry that reads it (an output, to the end).
    What a forward sweep needs at least, one tangent of each value's size."""
    n = len(tape)
    last = array("i", range(n))
    for out, arg in zip(tape.edge_out, tape.edge_arg):
        last[arg] = out
    for entry in tape.outputs:
        if entry >= 0:
            last[entry] = n
    dying = [[] for _ in range(n + 1)]
    for entry, end in enumerate(last):
        dying[end].append(entry)
    sizes = [value_bytes(v)[1] for v in tape.values]
    live = peak = live_bytes = peak_bytes = 0
    for entry in range(n):
        live, live_bytes = live + 1, live_bytes + sizes[entry]
        peak, peak_bytes = max(peak, live), max(peak_bytes, live_bytes)
        for gone in dying[entry]:
            live, live_bytes = live - 1, live_bytes - sizes[gone]
    return peak, peak_bytes


def _index_bytes(tape) -> int:
    """The entry numbers a tape holds: each entry's graph node, both ends of each edge."""
    return (tape.nodes.itemsize * len(tape.nodes)
            + (tape.edge_out.itemsize + tape.edge_arg.itemsize) * tape.edge_count)


def memory_report(problem) -> MemoryReport:
    """Record and sweep ``problem`` as ``diff`` does, under tracemalloc."""
    from ..backends.shaped import is_shaped

    shaped = is_shaped(problem)
    if problem.digits is not None:
        raise UsageError("adcli memory measures float64 tapes: leave out --precision")
    if shaped:
        record_tape, reverse, forward = _shaped_steps(problem)
    else:
        record_tape, reverse, forward = _scalar_steps(problem)
    forward(record_tape())  # first runs import modules and fill caches: not the tape's
    reverse()
    tape, tape_bytes, _ = measured(record_tape)
    _, _, forward_peak = measured(lambda: forward(tape))
    values, nbytes = 0, 0
    for v in tape.values:
        count, size = value_bytes(v)
        values, nbytes = values + count, nbytes + size
    partials, indices, live = _partial_bytes(tape), _index_bytes(tape), live_peak(tape)
    entries, edges, groups = len(tape), tape.edge_count, _groups(tape.values)
    del tape
    _, _, reverse_peak = measured(reverse)
    return MemoryReport(problem.text, dict(problem.point), shaped, entries, edges, values,
                        nbytes, groups, tape_bytes, nbytes + partials + indices,
                        reverse_peak, 2 * nbytes + partials, forward_peak, *live)


def _scalar_steps(problem):
    from ..backends.reverse import gradient
    from ..ops.namespaces import FLOAT
    from ..tape.record import record
    from ..tape.sweeps import tangents

    def record_tape():
        return record(problem.graph, problem.point)

    def reverse():
        tape = record_tape()
        return gradient(tape, problem.wrt, FLOAT) if tape.output >= 0 else {}

    def forward(tape):
        return tangents(tape, {tape.inputs[problem.wrt[0]]: 1.0} if problem.wrt else {})

    return record_tape, reverse, forward


def _shaped_steps(problem):
    import numpy as np

    from ..ops.namespaces import numpy_math
    from ..tape.record import record
    from ..tape.sweeps import adjoints_columns, tangents_columns, varied

    m = numpy_math()

    def record_tape():
        return record(problem.graph, problem.point, m)

    def reverse():
        tape = record_tape()
        if tape.output < 0:
            return None
        inputs = [tape.inputs[name] for name in problem.wrt]
        return adjoints_columns(tape, {tape.output: np.ones_like(tape.value)}, np,
                                active=varied(tape, inputs), inputs_only=True)

    def forward(tape):  # one tangent sweep: a JVP seeded with ones on the first input
        if not problem.wrt:
            return None
        name = problem.wrt[0]
        seed = np.ones(np.shape(problem.point[name])) if np.ndim(problem.point[name]) else 1.0
        return tangents_columns(tape, {tape.inputs[name]: seed}, np)

    return record_tape, reverse, forward


def memory_at(expression, at: Iterable[str] = (), wrt: Iterable[str] = ()) -> MemoryReport:
    """The memory of a formula (or a program) at a point: ``adcli memory EXPR --at ...``."""
    from ..api import problem

    return memory_report(problem(expression, at, wrt))


# -- the course's network model -------------------------------------------------------

DTYPES = {"float32": 4, "float64": 8}


def parse_network(text: str) -> dict:
    """``layers=100,width=1024,batch=32`` -> the three positive integers."""
    found = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key = key.strip()
        if key not in ("layers", "width", "batch") or not sep or key in found:
            raise UsageError(f"--network {text}: give layers=L,width=H,batch=B")
        try:
            found[key] = int(value.strip().replace("_", ""))
        except ValueError:
            raise UsageError(f"--network {text}: {key} must be a whole number") from None
        if found[key] < 1:
            raise UsageError(f"--network {text}: {key} must be at least 1")
    if len(found) != 3:
        raise UsageError(f"--network {text}: give layers=L,width=H,batch=B")
    return found


def _mb(nbytes: int) -> str:
    """Decimal units, three significant digits: 13.1 MB, 839 MB, 1.68 GB."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= scale:
            return f"{nbytes / scale:.3g} {unit}"
    return f"{nbytes} bytes"


human = _mb


def network_memory(layers: int, width: int, batch: int, dtype: str = "float32",
                   every: int | None = None, measure: bool = True) -> NetworkMemory:
    """Activations L·B·h, weights L·h², biases L·h, and the activations kept when
    only every K-th layer's output is stored: ⌈L/K⌉ snapshots of B·h plus the K·B·h
    of the segment being recomputed.  K defaults to ⌈√L⌉, which makes that least."""
    if dtype not in DTYPES:
        raise UsageError(f"--dtype {dtype}: give float32 or float64")
    if every is not None and not 1 <= every <= layers:
        raise UsageError(f"--every {every}: give 1 to {layers} (the layers)")
    size = DTYPES[dtype]
    L, h, B = layers, width, batch
    K = every or math.isqrt(L - 1) + 1  # ⌈√L⌉
    activations, weights, biases = L * B * h, L * h * h, L * h
    snapshots = -(-L // K)
    kept = (snapshots + K) * B * h
    other = "float64" if dtype == "float32" else "float32"
    lines = (
        f"activations kept: L·B·h = {L:,} · {B:,} · {h:,} = {activations:,} values",
        f"  × {size} bytes ({dtype}) = {activations * size:,} bytes = {_mb(activations * size)}"
        f"  (at {other}: {activations * DTYPES[other]:,} bytes = "
        f"{_mb(activations * DTYPES[other])})",
        f"weights: L·h² = {L:,} · {h:,}² = {weights:,} values = {weights * size:,} bytes "
        f"= {_mb(weights * size)}",
        f"biases: L·h = {L:,} · {h:,} = {biases:,} values = {biases * size:,} bytes",
        f"checkpoint every K = {K} layers{'' if every else ' (⌈√L⌉)'}: ⌈L/K⌉ snapshots "
        f"of B·h + K·B·h recomputed = ({snapshots:,} + {K:,}) · {B * h:,} = {kept:,} values "
        f"= {kept * size:,} bytes = {_mb(kept * size)}",
    )
    check = None
    if measure and L * h * (h + 4 * B) <= MEASURE_LIMIT:
        check = measured_network(L, h, B, dtype)
    return NetworkMemory(L, h, B, dtype, size, activations, weights, biases, K, kept, lines,
                         check)


def network_formula(layers: int) -> str:
    """``sum(tanh(... tanh(X @ W1 + b1) ... @ WL + bL))``: every layer a tanh."""
    text = "X"
    for k in range(1, layers + 1):
        text = f"tanh({text} @ W{k} + b{k})"
    return f"sum({text})"


def measured_network(layers: int, width: int, batch: int, dtype: str = "float32") -> dict:
    """Trace the model's network with arrays and weigh what its tape stores: the
    activation entries (each layer's tanh, B·h each) beside the whole tape's values
    (also the inputs, and each layer's X·W and X·W + b)."""
    import numpy as np

    from ..backends import FormulaSource, Problem
    from ..language.parser import parse
    from ..ops.namespaces import numpy_math
    from ..tape.record import record

    rng = np.random.default_rng(0)
    kind = np.dtype(dtype)
    point = {"X": rng.normal(size=(batch, width)).astype(kind)}
    for k in range(1, layers + 1):
        point[f"W{k}"] = (rng.normal(size=(width, width)) / math.sqrt(width)).astype(kind)
        point[f"b{k}"] = (rng.normal(size=width) * 0.1).astype(kind)
    text = network_formula(layers)
    graph = parse(text)
    problem = Problem(text, graph, point, tuple(graph.variables), source=FormulaSource(graph))
    tape = record(problem.graph, problem.point, numpy_math())
    activation = [v for node, v in zip(tape.nodes, tape.values)
                  if graph.nodes[node][0] == "tanh"]
    return {"formula": f"sum(tanh(… tanh(X @ W1 + b1) … @ W{layers} + b{layers}))",
            "activation_entries": len(activation),
            "activation_bytes": sum(v.nbytes for v in activation),
            "activation_dtypes": sorted({v.dtype.name for v in activation}),
            "tape_entries": len(tape), "tape_bytes": tape.stored_bytes}
