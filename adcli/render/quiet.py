"""``--quiet``: the numbers only, one line per output, fields separated by a space.

So ``read a b <<< "$(adcli diff "x*y" --at x=1,y=2 -q)"`` sets both partials.
A number a row lacks is ``nan``, so that every line of a command has the same
fields.  Each record says here what its outputs are.
"""

from __future__ import annotations

from .arrays import elements, is_array
from .numbers import number


def _n(x, digits=None) -> str:
    if isinstance(x, int):  # a count
        return str(x)
    text = " ".join(elements(x)) if is_array(x) else number(x, digits)
    return text if text else "nan"


def derivative(record) -> list:
    """One output f: its partials, or with ``--order K`` its derivatives of order 1..K.
    With a vector or matrix variable, one line per variable: its gradient's
    elements in C order (row by row), a number alone for a scalar variable."""
    if "derivatives" in record.details:
        return [[_n(v) for v in record.details["derivatives"][1:]]]
    if any(is_array(v) for v in record.gradient.values()):
        return [[_n(v)] for v in record.gradient.values()]
    return [[_n(v, record.digits) for v in record.gradient.values()]]


def comparison(record) -> list:
    """The best value there is: the reference's partials."""
    ref = record.reference
    return [[_n(v, min(ref.digits, 30)) for v in ref.gradient.values()]]


def step_scan(record) -> list:
    """One line per step: h, then the forward, central and complex-step errors."""
    return [[_n(row.h), _n(row.forward), _n(row.central), _n(row.complex)]
            for row in record.rows]


def swell(record) -> list:
    """One line per order: symbolic nodes, count_ops, after cse, tape entries, AD work."""
    return [[_n(row.symbolic_nodes), _n(row.count_ops), _n(row.cse_nodes),
             _n(row.tape_entries), _n(row.ad_work)] for row in record.rows]


def tape_table(record) -> list:
    """One line per tape entry: its value, then its tangent and/or adjoint (an
    array's elements in C order)."""
    tangents = record.mode in ("forward", "both")
    adjoints = record.mode != "forward"
    return [[_n(row.value)] + ([_n(row.tangent)] if tangents else []) +
            ([_n(row.adjoint)] if adjoints else []) for row in record.rows]


def jacobian(record) -> list:
    """One line per output: its partials."""
    return [[_n(x) for x in row] for row in record.matrix]


def hessian(record) -> list:
    """One line per row of the Hessian (the gradient of each partial)."""
    return [[_n(x) for x in row] for row in record.matrix]


def product(record) -> list:
    """J·v: one line per output; uᵀ·J and H·v: one line, a field per input."""
    if record.kind == "jvp":
        return [[_n(record.result[out])] for out in record.outputs]
    return [[_n(record.result[name]) for name in record.inputs]]


def graph_view(record) -> list:
    """One line per node: its value and its adjoint."""
    return [[_n(node.value), _n(node.adjoint)] for node in record.nodes]


def memory_report(record) -> list:
    """Tape entries, stored values, their bytes, bytes per entry, the reverse peak and
    the forward sweep's extra (both measured)."""
    return [[_n(record.tape_entries), _n(record.stored_values), _n(record.stored_bytes),
             f"{record.bytes_per_entry:.1f}", _n(record.reverse_measured),
             _n(record.forward_measured)]]


def network_memory(record) -> list:
    """Activation values, their bytes, weight values, values kept with checkpointing."""
    return [[_n(record.activations), _n(record.activations * record.itemsize),
             _n(record.weights), _n(record.checkpointed)]]


def checkpoint_trade(record) -> list:
    """One line per schedule: snapshots, peak stored values, forward steps, and 1 if
    its gradient equals store-all's bit for bit (else 0)."""
    return [[_n(row.snapshots), _n(row.peak_stored), _n(row.forward_steps),
             _n(int(row.identical))] for row in record.rows]


LINES = {"MemoryReport": memory_report, "CheckpointTrade": checkpoint_trade, "NetworkMemory": network_memory,
         "GraphView": graph_view, "Derivative": derivative, "Comparison": comparison, "StepScan": step_scan,
         "Swell": swell, "TapeTable": tape_table, "Jacobian": jacobian,
         "Hessian": hessian,
         "Product": product}


def render(record, stream, quiet: bool = True) -> None:
    lines = LINES[type(record).__name__](record)
    stream.write("".join(" ".join(fields) + "\n" for fields in lines))
