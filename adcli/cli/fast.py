"""Run a plainly well-formed ``adcli diff`` without importing Click.

Anything the table in :mod:`adcli.cli.params` does not read without doubt
(help, completion, ``--``, bundled short options, an unknown option, a missing
value, an invalid choice, a second formula) is left to Click, which then
answers exactly as it always does.  So the two readers cannot disagree: the fast
one either reads the line as Click would, or does not read it at all.
"""

from __future__ import annotations

import os

from .run_diff import DiffSettings, run_diff
from .report import guarded
from .params import DIFF

_BY_FLAG = {flag: param for param in DIFF for flag in param.flags}


def read_diff(argv: list[str]) -> DiffSettings | None:
    """``argv`` after ``diff`` as settings, or None to let Click read it."""
    values = {param.dest: param.initial() for param in DIFF}
    positional = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
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
        if param.choices and value not in param.choices:
            return None
        if param.type is not None:
            try:
                value = param.type(value)
            except ValueError:
                return None
        values[param.dest] = values[param.dest] + (value,) if param.multiple else value
    if len(positional) != 1:
        return None
    return DiffSettings(positional[0], **values)


def run(argv: list[str]) -> int | None:
    """The exit code of a fast ``diff``, or None when Click must take the line."""
    if not argv or argv[0] != "diff" or any(k.endswith("_COMPLETE") for k in os.environ):
        return None
    settings = read_diff(argv[1:])
    if settings is None:
        return None
    return guarded(lambda: run_diff(settings), lambda: settings.debug)
