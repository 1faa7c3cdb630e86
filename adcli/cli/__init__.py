"""The ``adcli`` command: a thin layer over the library.

Options become a frozen settings object, one library call computes a record,
one renderer prints it.  Errors are reported once, as one line on stderr with
the exit code (2 usage/parse, 1 math).  Where things live:

* :mod:`.params` -- every option, once (flags, help, choices);
* :mod:`.app` -- the Click commands built from that table;
* ``run_*`` -- each command's settings and its run, by family:
  :mod:`.run_diff` (diff), :mod:`.run_studies` (compare, steps, swell),
  :mod:`.run_tape` (tape, graph), :mod:`.run_vector` (jacobian, jvp, vjp,
  hessian, hvp), :mod:`.run_lists` (examples, functions);
* :mod:`.settings` -- what every command's settings share (``-`` reads stdin);
* :mod:`.report` -- errors as one stderr line and an exit code;
* :mod:`.fast` -- reads a plain ``adcli diff`` line without importing Click.

A new command is a table entry in :mod:`.params`, a ``run_*`` function with
its settings, and a Click command in :mod:`.app`.
"""

from __future__ import annotations

import sys


def main(args=None, prog_name: str = "adcli"):
    """Console-script entry point."""
    argv = sys.argv[1:] if args is None else list(args)
    if sys.stdout is None:  # started with stdout closed (>&-): nowhere to answer
        if sys.stderr is not None:
            sys.stderr.write("adcli: error: standard output is closed\n")
        sys.exit(2)
    from .fast import run

    code = run(argv)
    if code is not None:
        if args is None:  # a whole process: the output is written, skip the teardown
            _exit(code)   # (freeing a million-node graph object by object)
        sys.exit(code)
    from .app import cli

    cli.main(args=argv, prog_name=prog_name)


def _exit(code: int) -> None:
    import os

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: what was written is all the reader wanted
        pass
    os._exit(code)


def __getattr__(name: str):
    if name == "cli":
        from .app import cli

        return cli
    raise AttributeError(name)


__all__ = ["cli", "main"]
