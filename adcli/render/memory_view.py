"""``adcli memory`` as tables: the tape's memory, and the network model's arithmetic."""

from __future__ import annotations

from .tabular import Tabular, _at, shown


def _n(x: int) -> str:
    return str(x)  # bare digits: CSV and plain are read by programs


def memory_report(record) -> Tabular:
    from ..studies.memory import human

    entries = record.tape_entries
    per = record.bytes_per_entry
    rows = [
        ["tape entries", _n(entries), "", "", f"{_n(record.edges)} edges"],
        ["stored values", _n(record.stored_values), _n(record.stored_bytes), "",
         "kept for reverse mode, as values"],
    ]
    rows += [[f"  {g.dtype} {'scalar' if not g.shape else '×'.join(map(str, g.shape))}",
              _n(g.count), _n(g.bytes), "", ""] for g in record.groups]
    rows += [
        ["tape as adcli holds it", "", _n(record.tape_measured), _n(record.tape_analytic),
         f"{per:,.1f} bytes per entry"],
        ["reverse: record + adjoint sweep", "", _n(record.reverse_measured),
         _n(record.reverse_analytic), "peak"],
        ["forward: one tangent sweep", _n(record.live_values), _n(record.forward_measured),
         _n(record.forward_analytic), "peak beyond the tape"],
    ]
    held = ("each value a NumPy array behind an 8-byte slot" if record.shaped else
            "a tape of floats holds them in typed arrays, 8 bytes a number and 4 an entry "
            "number, beside an 8-byte slot per graph node for the values that are not "
            "entries: constants and conditions")
    footer = [f"bytes: measured by tracemalloc (what Python allocated; {held}); the graph, "
              "parsed or traced before, is not the tape's",
              "counted bytes: the tape, values + partials + 4 per entry number (each "
              "entry's graph node, both ends of each edge); reverse, values + partials + "
              "one adjoint per entry; forward, one tangent per value alive at once (its "
              "values: the most entries alive at once; adcli's sweep over the tape keeps a "
              "tangent per entry)",
              f"human sizes: stored values {human(record.stored_bytes)}, tape "
              f"{human(record.tape_measured)}, reverse peak {human(record.reverse_measured)}"]
    return Tabular(f"memory of {shown(record.expression)}{_at(record.point, None)}",
                   ["quantity", "values", "bytes", "counted bytes", "note"], rows, footer,
                   {"values", "bytes", "counted bytes"})


def network_memory(record) -> Tabular:
    from ..studies.memory import human

    size = record.itemsize
    rows = [
        ["activations (L·B·h)", _n(record.activations), _n(record.activations * size),
         human(record.activations * size)],
        ["weights (L·h²)", _n(record.weights), _n(record.weights * size),
         human(record.weights * size)],
        ["biases (L·h)", _n(record.biases), _n(record.biases * size),
         human(record.biases * size)],
        [f"activations, checkpoint every {record.every}", _n(record.checkpointed),
         _n(record.checkpointed * size), human(record.checkpointed * size)],
    ]
    footer = list(record.lines)
    check = record.measured
    if check:
        footer.append(f"measured: {check['formula']} traced with {record.dtype} arrays: "
                      f"its {check['activation_entries']} tanh entries store "
                      f"{_n(check['activation_bytes'])} bytes (the model: "
                      f"{_n(record.activations * size)}); the whole tape "
                      f"({check['tape_entries']} entries, inputs and each layer's X·W and "
                      f"X·W + b too) stores {_n(check['tape_bytes'])} bytes")
    title = (f"memory of a network: L = {record.layers:,} layers, width h = "
             f"{record.width:,}, batch B = {record.batch:,}, {record.dtype}")
    return Tabular(title, ["quantity", "values", "bytes", "size"], rows, footer,
                   {"values", "bytes", "size"})


VIEWS = {"MemoryReport": memory_report, "NetworkMemory": network_memory}
