"""JSON: exactly one object per run; numbers keep full double precision."""

from __future__ import annotations

import dataclasses
import json



def _derivative(record) -> dict:
    out = {
        "expression": record.expression,
        "mode": record.mode,
        "point": dict(record.point),
        "value": float(record.value),
        "gradient": {k: float(v) for k, v in record.gradient.items()},
        "cost": dict(record.cost),
        "warnings": [dataclasses.asdict(w) for w in record.warnings],
    }
    if record.formulas:
        out["formulas"] = dict(record.formulas)
    if record.details:
        out["details"] = record.details
    return out


def _language(record) -> dict:
    return {"entries": [dataclasses.asdict(e) for e in record.entries]}


_OBJECTS = {"Derivative": _derivative, "Language": _language}


def render(record, stream, quiet: bool = False) -> None:
    json.dump(_OBJECTS[type(record).__name__](record), stream, ensure_ascii=False,
              allow_nan=False)
    stream.write("\n")
