"""The options of each command as data, without importing Click.

One table serves twice: :mod:`adcli.cli.app` builds the Click commands from it
(help, completion, every error message), and :mod:`adcli.cli.fast` reads a
plainly well-formed ``adcli diff`` command line with it, so that the most
common call does not pay Click's import (three times Python's own start-up).
"""

from __future__ import annotations

import re

from ..backends import METHODS, MODES
from ..render import DRAWINGS, FORMATS


class Param:
    """One option: its flags, destination, and kind (flag, choice or value)."""

    __slots__ = ("flags", "dest", "multiple", "choices", "default", "is_flag", "metavar",
                 "help", "type")

    def __init__(self, flags: tuple, dest: str, help: str, *, multiple: bool = False,
                 choices: tuple = (), default=None, is_flag: bool = False,
                 metavar: str | None = None, type: type | None = None,
                 implied: str | None = None):
        """``implied``: what an option left out means, shown in the help while its value
        stays None, so that a run can tell "not given" (see :mod:`.conflicts`)."""
        if implied is not None:
            help += f"  [default: {implied}]"
        self.flags, self.dest, self.help = flags, dest, help
        self.multiple, self.choices, self.default = multiple, choices, default
        self.is_flag, self.metavar, self.type = is_flag, metavar, type

    def accepts(self, value: str) -> bool:
        """Whether ``value`` is one this option takes (a choice, or of its type)."""
        if self.choices:
            return value in self.choices
        if self.type is not None:
            try:
                self.type(value)
            except ValueError:
                return False
        return True

    def initial(self):
        if self.multiple:
            return ()
        return False if self.is_flag else self.default


def output_format(choices: tuple = FORMATS, default: str = "table",
                  help: str = "Output format (not with --quiet).") -> Param:
    """``-f/--format``: every command's six formats, and a command's own extras."""
    return Param(("-f", "--format"), "fmt", help, choices=choices, implied=default)


def mode(choices: tuple, default: str | None = None,
         help: str = "How to differentiate.") -> Param:
    return Param(("-m", "--mode"), "mode", help, choices=choices, implied=default)


def order(help: str, default: int | None = None) -> Param:
    return Param(("-k", "--order"), "order", help, default=default, type=int, metavar="K")


def checkpoint(help: str, metavar: str) -> Param:
    return Param(("--checkpoint",), "checkpoint", help, metavar=metavar)


def budget(help: str, default: float) -> Param:
    return Param(("--budget",), "budget", help, default=default, type=float,
                 metavar="SECONDS")


def strict(help: str) -> Param:
    return Param(("--strict",), "strict", help, is_flag=True)


def shown_digits(help: str) -> Param:
    return Param(("--digits",), "digits", help, type=int, metavar="N")


FORMAT = output_format()
QUIET = Param(("-q", "--quiet"), "quiet",
              "Print only the numbers, one line per output, fields separated by a space "
              "(read a b <<< \"$(adcli ...)\"); a vector or matrix: its elements in C "
              "order on its line; not with --format.", is_flag=True)
DEBUG = Param(("--debug",), "debug", "Show the Python traceback of an error.",
              is_flag=True)
PRECISION = Param(("--precision",), "digits", "Compute in mpmath with this many significant "
                  "digits instead of float64 (every method, numerical steps included).",
                  metavar="D", type=int)

PROGRAM = Param(("--program",), "program", "Differentiate a Python function of your own "
                "instead of EXPR. The file is imported and runs as Python runs it; "
                "formula text never names a file.", metavar="FILE.py:FUNCTION")
AT = Param(("--at",), "at", "The point: --at x=3 --at y=pi/6 or --at x=3,y=pi/6; a VALUE "
           "is a constant expression (pi/6, sqrt(2)). A bare VALUE is allowed for a "
           "one-variable formula.", multiple=True, metavar="NAME=VALUE")
WRT = Param(("--wrt",), "wrt", "Differentiate only with respect to these variables (x,y). "
            "Default: all.", multiple=True, metavar="NAMES")
EXAMPLE = Param(("--example",), "example", "A built-in example, with its own formula and "
                "point, instead of EXPR (see: adcli examples).", metavar="NAME")

#: How every command that prints numbers prints them.
OUTPUT = (FORMAT, QUIET, DEBUG)

#: Many points: one row each, streamed (see adcli.cli.run_points).
POINTS = (
    Param(("--points",), "points", "Differentiate at every point of this file (.csv with a "
          "header naming the variables, .jsonl, .npy, .npz) or '-' (stdin, with "
          "--points-format): one row per point.", metavar="FILE"),
    Param(("--points-format",), "points_format", "The format of --points when its name "
          "does not tell (always for '-').", choices=("csv", "jsonl", "npy", "npz")),
    Param(("--grid",), "grid", "Points on a grid: NAME=START:STOP:COUNT, e.g. x=0:1:101 "
          "(ends included); several --grid make their product.", multiple=True,
          metavar="NAME=A:B:N"),
    Param(("--output",), "output_path", "Write the rows of --points/--grid to this file "
          "(needed for --format npy).", metavar="FILE"),
    Param(("--chunk",), "chunk", "Points per chunk: read, differentiated and written "
          "together.", type=int, metavar="ROWS", implied="16384"),
)

DIFF = (
    PROGRAM,
    AT,
    WRT,
    mode(MODES, "reverse"),
    Param(("--method",), "method", "The numerical method (only with --mode numerical); "
          "auto is the complex step where every op allows it, else central differences.",
          choices=METHODS, implied="auto"),
    Param(("--step",), "step", "The numerical step h instead of the error model's "
          "(a constant expression such as 1e-6; only with --mode numerical).", metavar="H"),
    PRECISION,
    order("All derivatives f, f', ..., f^(K) along one variable, by Taylor mode (not "
          "with --mode or --precision)."),
    strict("Exit 1 instead of warning when the point is on a kink or decides a branch "
           "by a tie (with --points: stop at the first such or failed point)."),
    checkpoint("Reverse the program's adcli.functions.steps loops keeping only "
               "snapshots: all, every:K, every:sqrt or revolve:S (reverse mode, with "
               "--program).", "SCHEDULE"),
    EXAMPLE,
    *POINTS,
    output_format(FORMATS + ("jsonl", "npy"), "table", "Output format (not with --quiet); "
                  "with --points or --grid: csv (the default), jsonl, json, table or npy."),
    QUIET,
    DEBUG,
)

COMPARE = (
    PROGRAM,
    AT,
    WRT,
    PRECISION,
    Param(("--reference-digits",), "reference_digits", "Significant digits of the mpmath "
          "reference every method is measured against.", default=50, type=int, metavar="D"),
    budget("Seconds the symbolic row may take before it says 'over budget'.", 10.0),
    *OUTPUT,
)

STEPS = (
    PROGRAM,
    AT,
    WRT,
    Param(("--plot",), "plot", "Also draw the V-curve into this .png or .svg file "
          "(needs matplotlib: pip install 'adcli[plot]').", metavar="FILE"),
    *OUTPUT,
)

SWELL = (
    PROGRAM,
    AT,
    WRT,
    order("Show derivatives of order 1..K (one variable only; several variables "
          "compare the whole gradient).  [default: 4]"),
    budget("Seconds SymPy may take before rows say 'over budget'.", 5.0),
    *OUTPUT,
)

TAPE = (
    PROGRAM,
    AT,
    WRT,
    mode(("forward", "reverse", "both"), "forward", help="forward: primal and tangent; "
         "reverse: primal and the adjoint sweep; both."),
    Param(("--seed",), "seed", "The tangent seed, e.g. x=1,y=0 (default: 1 for the first "
          "--wrt variable, 0 for the others; not with --mode reverse).",
          metavar="NAME=VALUE,..."),
    Param(("--numbering",), "numbering", "seed: inputs v1..vn (the course); griewank: "
          "inputs v1-n..v0 (Baydin et al.).", choices=("seed", "griewank"), implied="seed"),
    shown_digits("Significant digits shown (JSON always keeps all)."),
    EXAMPLE,
    Param(("--summary",), "summary", "Condense a long tape: its first and last rows and "
          "the count of each op between (JSON keeps every row).", is_flag=True),
    *OUTPUT,
)

GRAPH = (
    PROGRAM,
    AT,
    output_format(FORMATS + DRAWINGS, "text", "Output format: text, a drawing for the "
                  "terminal; dot, Graphviz; mermaid, a Mermaid flowchart; or the nodes and "
                  "edges as a table, plain, json, csv, markdown or latex."),
    shown_digits("Significant digits of values and partials (JSON always keeps all)."),
    Param(("--render",), "render_to", "Also draw the graph into this .svg or .png file "
          "(needs the Graphviz 'dot' program).", metavar="FILE"),
    QUIET,
    DEBUG,
)

MEMORY = (
    PROGRAM,
    AT,
    WRT,
    Param(("--network",), "network", "The course's feed-forward network instead of EXPR: "
          "the memory of its activations, weights and biases, with the arithmetic shown.",
          metavar="layers=L,width=H,batch=B"),
    Param(("--dtype",), "dtype", "The number type of --network.",
          choices=("float32", "float64"), default="float32"),
    Param(("--every",), "every", "With --network: checkpoint every K layers (default: "
          "K = ceil(sqrt(L))).", type=int, metavar="K"),
    checkpoint("With --program: reverse the program's adcli.functions.steps loop under "
               "each schedule (all, every:K, revolve:S, comma-separated), one row each: "
               "snapshots, stored values, steps recomputed, time, and whether the gradient "
               "equals store-all's.", "SCHEDULES"),
    *OUTPUT,
)


def vector_params(mode_choices: tuple = (), vector: tuple = ()) -> tuple:
    """Options of jacobian, jvp, vjp, hessian, hvp: the point (or many), a mode or a
    vector."""
    params = [AT, WRT]
    if mode_choices:
        params.append(mode(mode_choices, mode_choices[0]))
    if vector:
        flag, help = vector
        params.append(Param((flag,), "vector", help, metavar="VALUES"))
    params += [*POINTS, strict("With --points or --grid: stop at the first failed point "
                               "(or one at a kink).")]
    return tuple(params) + (
        output_format(FORMATS + ("jsonl", "npy"), "table", "Output format (not with "
                      "--quiet); with --points or --grid: csv (the default), jsonl, json, "
                      "table or npy."), QUIET, DEBUG)


HELP = Param(("-h", "--help"), "help", "Show the help.", is_flag=True)
_LONG = re.compile(r"--[A-Za-z][\w-]*(=.*)?", re.S)


def formula_apart(argv: list, params: tuple) -> list:
    """``argv`` with the formula set apart behind ``--`` when it starts with '-'.

    An argument in an option's place that no option of ``params`` reads is the
    formula: ``-x^2``, ``-2*x``, ``-k*x`` (``-k`` takes a whole number).  ``--``
    marks the next argument as the formula, whatever it looks like, and options
    may still follow it.  Click and the fast reader both read the line rewritten
    by this one function, so they cannot disagree about it.
    """
    by_flag = {flag: param for param in params + (HELP,) for flag in param.flags}
    options, formulas, apart = [], [], False
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "--":
            apart = True
            if i < len(argv):
                formulas.append(argv[i])
                i += 1
            continue
        reads = _option_reads(arg, by_flag) if arg.startswith("-") and arg != "-" else None
        if reads is None:
            apart = apart or arg.startswith("-")
            formulas.append(arg)
            continue
        options.append(arg)
        if reads and i < len(argv):
            options.append(argv[i])
            i += 1
    return options + ["--"] + formulas if apart else list(argv)


def _option_reads(arg: str, by_flag: dict) -> bool | None:
    """None if ``arg`` is no option; else whether it takes the next argument as value."""
    if arg.startswith("--"):
        name, equals, _ = arg.partition("=")
        param = by_flag.get(name)
        if param is None:  # an unknown --name is Click's to refuse; other text is a formula
            return False if _LONG.fullmatch(arg) else None
        return not (param.is_flag or equals)
    for k in range(1, len(arg)):
        param = by_flag.get("-" + arg[k])
        if param is None:
            return None
        if not param.is_flag:
            rest = arg[k + 1:]
            if not rest:
                return True
            return False if param.accepts(rest) else None
    return False


BATCH = (
    strict("Stop after the first request that fails (its error line is written)."),
    DEBUG,
)
