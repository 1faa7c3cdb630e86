"""Run a plainly well-formed ``adcli diff`` without importing Click.

Anything the table in :mod:`adcli.cli.params` does not read without doubt
(help, completion, an unknown option, a missing value, an invalid choice, a
second formula) is left to Click, which then
answers exactly as it always does.  So the two readers cannot disagree: the fast
one either reads the line as Click would, or does not read it at all.
"""

from __future__ import annotations

import os

from .run_diff import DiffSettings, run_diff
from .report import guarded
from .params import DIFF, formula_apart

_BY_FLAG = {flag: param for param in DIFF for flag in param.flags}


def read_diff(argv: list[str]) -> DiffSettings | None:
    """``argv`` after ``diff`` as settings, or None to let Click read it.

    Options that contradict each other raise the usage error Click's reading
    would raise: both build the same :class:`DiffSettings`, which checks them.
    """
    values = read_values(argv)
    return None if values is None else DiffSettings(values.pop(""), **values)


def read_values(argv: list[str]) -> dict | None:
    """The option values of ``argv`` by destination (the formula under ""), or None."""
    argv = formula_apart(argv, DIFF)
    values = {param.dest: param.initial() for param in DIFF}
    positional = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "--":
            positional += argv[i:]
            break
        if arg == "-" or not arg.startswith("-"):
            positional.append(arg)
            continue
        flag, equals, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        param = _BY_FLAG.get(flag)
        if param is None:
            return None
        if param.is_flag:
            if equals:
                return None
            values[param.dest] = True
            continue
        if equals:
            value = inline
        elif i < len(argv):
            value, i = argv[i], i + 1
        else:
            return None
        if not param.accepts(value):
            return None
        if param.type is not None:
            value = param.type(value)
        values[param.dest] = values[param.dest] + (value,) if param.multiple else value
    if len(positional) != 1:
        return None
    values[""] = positional[0]
    return values


def run(argv: list[str]) -> int | None:
    """The exit code of a fast ``diff``, or None when Click must take the line."""
    if not argv or argv[0] != "diff" or any(k.endswith("_COMPLETE") for k in os.environ):
        return None
    values = read_values(argv[1:])
    if values is None:
        return None
    return guarded(lambda: run_diff(DiffSettings(values.pop(""), **values)),
                   lambda: values.get("debug"))
