"""JSON: exactly one object per run; numbers keep their full precision.

float64 numbers round-trip (Python's shortest repr); mpmath numbers of
``--precision D`` are written as JSON numbers with D significant digits.
"""

from __future__ import annotations

import dataclasses
import json

from .numbers import Raw, plain


def _derivative(record) -> dict:
    out = {
        "expression": record.expression,
        "mode": record.mode,
        "point": dict(record.point),
        "value": record.value,
        "gradient": dict(record.gradient),
        "cost": dict(record.cost),
        "warnings": [dataclasses.asdict(w) for w in record.warnings],
    }
    if record.formulas:
        out["formulas"] = dict(record.formulas)
    if record.details:
        out["details"] = record.details
    if record.digits is not None:
        out["digits"] = record.digits
    if "derivatives" in record.details:
        out["derivatives"] = list(record.details["derivatives"])
    shapes = {k: list(v.shape) for k, v in record.point.items() if getattr(v, "shape", ())}
    if shapes:  # gradient[name] is nested lists of this shape
        out["shapes"] = shapes
    return plain(out, record.digits)


def _language(record) -> dict:
    return plain({"entries": [dataclasses.asdict(e) for e in record.entries]})


def _comparison(record) -> dict:
    ref = record.reference
    out = {
        "expression": record.expression,
        "point": dict(record.point),
        "reference": {"value": ref.value, "gradient": dict(ref.gradient),
                      "digits": ref.digits, "how": ref.how},
        "digits": record.digits,
        "rows": [dataclasses.asdict(row) for row in record.rows],
        "warnings": [dataclasses.asdict(w) for w in record.warnings],
    }
    out = plain(out, record.digits)
    out["reference"] = plain(out["reference"], ref.digits)  # reference at its own digits
    out["reference"].update(value=plain(ref.value, ref.digits),
                            gradient=plain(dict(ref.gradient), ref.digits))
    return out


def _jacobian(record) -> dict:
    return plain({"outputs": list(record.outputs), "inputs": list(record.inputs),
                  "point": dict(record.point), "value": list(record.values),
                  "jacobian": [list(row) for row in record.matrix], "mode": record.mode,
                  "sweeps": dict(record.sweeps), "performed": record.performed,
                  "note": record.note})


def _product(record) -> dict:
    result = record.result
    out = {"outputs": list(record.outputs), "inputs": list(record.inputs),
           "point": dict(record.point), "value": list(record.values),
           "vector": list(record.vector) if record.kind == "vjp" else dict(record.vector)}
    out[record.kind] = [result[o] for o in record.outputs] if record.kind == "jvp" \
        else dict(result)
    return plain(out)


def _hessian(record) -> dict:
    return plain({"expression": record.expression, "inputs": list(record.inputs),
                  "point": dict(record.point), "value": record.value,
                  "gradient": dict(record.gradient),
                  "hessian": [list(row) for row in record.matrix], "mode": record.mode,
                  "note": record.note})


def _as_dict(record) -> dict:
    return plain(dataclasses.asdict(record))


def _tape_table(record) -> dict:
    rows = []
    for row in record.rows:
        item = {"name": row.name, "op": row.op, "args": list(row.args), "expr": row.expr,
                "value": row.value, "notes": list(row.notes)}
        if record.shaped:
            item["shape"] = list(row.shape)
        if record.mode != "reverse":
            item.update(tangent=row.tangent, tangent_rule=row.tangent_rule)
        if record.mode != "forward":
            item.update(adjoint=row.adjoint, adjoint_rule=row.adjoint_rule)
        rows.append(item)
    return plain({"expression": record.expression, "point": dict(record.point),
                  "mode": record.mode, "numbering": record.numbering, "rows": rows,
                  "outputs": list(record.outputs), "sweep": list(record.sweep),
                  "seed": dict(record.seed), "notes": list(record.notes)})


def _real(x):
    """An op's exact ``1`` or a comparison's ``True`` as the number the drawings show."""
    return float(x) if isinstance(x, int) else x


def _graph_view(record) -> dict:
    names = [node.name for node in record.nodes]
    nodes = [{"name": n.name, "label": n.label, "definition": n.definition,
              "value": _real(n.value), "adjoint": _real(n.adjoint), "input": n.is_input,
              "output": n.is_output, **({} if n.shape is None else {"shape": list(n.shape)})}
             for n in record.nodes]
    edges = [{"from": names[e.source], "to": names[e.target], "argument": e.slot,
              "partial": _real(e.partial), "flow": _real(e.flow)} for e in record.edges]
    return plain({"expression": record.expression, "point": dict(record.point),
                  "nodes": nodes, "edges": edges, "unused": list(record.unused)})


def _memory(record) -> dict:
    out = dataclasses.asdict(record)
    if hasattr(record, "bytes_per_entry"):
        out["bytes_per_entry"] = record.bytes_per_entry
    return plain(out)


_OBJECTS = {"MemoryReport": _memory, "NetworkMemory": _memory,
            "Derivative": _derivative, "TapeTable": _tape_table, "Comparison": _comparison,
            "Language": _language,
            "StepScan": _as_dict, "Swell": _as_dict, "ExampleList": _as_dict,
            "Jacobian": _jacobian, "Product": _product, "Hessian": _hessian,
            "GraphView": _graph_view}


def dumps(obj) -> str:
    """``json.dumps``, writing :class:`Raw` numbers without quotes."""
    raws: list[str] = []

    def mark(value):
        raws.append(value)
        return f"\x00{len(raws) - 1}\x00"

    def swap(value):
        if isinstance(value, Raw):
            return mark(value)
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        if isinstance(value, list):
            return [swap(v) for v in value]
        return value

    text = json.dumps(swap(obj), ensure_ascii=False, allow_nan=False)
    for k, raw in enumerate(raws):
        text = text.replace(f'"\\u0000{k}\\u0000"', raw, 1)
    return text


def render(record, stream, quiet: bool = False) -> None:
    stream.write(dumps(_OBJECTS[type(record).__name__](record)) + "\n")


_OBJECTS["CheckpointTrade"] = _as_dict
