"""The ``adcli`` command: a thin layer over :mod:`adcli.api`.

Options become a frozen settings object, the library computes a record, one
renderer prints it.  Errors are reported once, as one line on stderr with the
exit code (2 usage/parse, 1 math).  A plain ``adcli diff`` line is read by
:mod:`.fast` without importing Click; everything else goes to the Click app.
"""

from __future__ import annotations

import sys


def main(args=None, prog_name: str = "adcli"):
    """Console-script entry point."""
    argv = sys.argv[1:] if args is None else list(args)
    from .fast import run

    code = run(argv)
    if code is not None:
        sys.exit(code)
    from .app import cli

    cli.main(args=argv, prog_name=prog_name)


def __getattr__(name: str):
    if name == "cli":
        from .app import cli

        return cli
    raise AttributeError(name)


__all__ = ["cli", "main"]
