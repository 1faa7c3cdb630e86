"""The options of each command as data, without importing Click.

One table serves twice: :mod:`adcli.cli.app` builds the Click commands from it
(help, completion, every error message), and :mod:`adcli.cli.fast` reads a
plainly well-formed ``adcli diff`` command line with it, so that the most
common call does not pay Click's import (three times Python's own start-up).
"""

from __future__ import annotations

from ..backends import METHODS, MODES
from ..render import DRAWINGS, FORMATS


class Param:
    """One option: its flags, destination, and kind (flag, choice or value)."""

    __slots__ = ("flags", "dest", "multiple", "choices", "default", "is_flag", "metavar",
                 "help", "type")

    def __init__(self, flags: tuple, dest: str, help: str, *, multiple: bool = False,
                 choices: tuple = (), default=None, is_flag: bool = False,
                 metavar: str | None = None, type: type | None = None):
        self.flags, self.dest, self.help = flags, dest, help
        self.multiple, self.choices, self.default = multiple, choices, default
        self.is_flag, self.metavar, self.type = is_flag, metavar, type

    def initial(self):
        if self.multiple:
            return ()
        return False if self.is_flag else self.default


def output_format(choices: tuple = FORMATS, default: str = "table",
                  help: str = "Output format.") -> Param:
    """``-f/--format``: every command's six formats, and a command's own extras."""
    return Param(("-f", "--format"), "fmt", help, choices=choices, default=default)


def mode(choices: tuple, default: str | None = None,
         help: str = "How to differentiate.") -> Param:
    return Param(("-m", "--mode"), "mode", help, choices=choices, default=default)


def order(help: str, default: int | None = None) -> Param:
    return Param(("-k", "--order"), "order", help, default=default, type=int, metavar="K")


def budget(help: str, default: float) -> Param:
    return Param(("--budget",), "budget", help, default=default, type=float,
                 metavar="SECONDS")


def shown_digits(help: str) -> Param:
    return Param(("--digits",), "digits", help, type=int, metavar="N")


FORMAT = output_format()
QUIET = Param(("-q", "--quiet"), "quiet",
              "Print only the derivative(s): bare numbers, one per line, for $(...).",
              is_flag=True)
DEBUG = Param(("--debug",), "debug", "Show the Python traceback of an error.",
              is_flag=True)
PRECISION = Param(("--precision",), "digits", "Compute in mpmath with this many significant "
                  "digits instead of float64 (every method, numerical steps included).",
                  metavar="D", type=int)

PROGRAM = Param(("--program",), "program", "Differentiate a Python function of your own "
                "instead of EXPR. The file is imported and runs as Python runs it; "
                "formula text never names a file.", metavar="FILE.py:FUNCTION")
AT = Param(("--at",), "at", "The point: one per variable; VALUE may be a constant "
           "expression (pi/6). A bare VALUE is allowed for a one-variable formula.",
           multiple=True, metavar="NAME=VALUE")
WRT = Param(("--wrt",), "wrt", "Differentiate only with respect to these variables (x,y). "
            "Default: all.", multiple=True, metavar="NAMES")

DIFF = (
    PROGRAM,
    AT,
    WRT,
    mode(MODES, "reverse"),
    Param(("--method",), "method", "The numerical method (with --mode numerical); auto is "
          "the complex step where every op allows it, else central differences.",
          choices=METHODS, default="auto"),
    Param(("--step",), "step", "The numerical step h instead of the error model's "
          "(a constant expression such as 1e-6).", metavar="H"),
    PRECISION,
    order("All derivatives f, f', ..., f^(K) along one variable, by Taylor mode."),
    Param(("--strict",), "strict", "Exit 1 instead of warning when the point is on a kink "
          "or decides a branch by a tie.", is_flag=True),
    FORMAT,
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
    FORMAT,
    DEBUG,
)

STEPS = (
    PROGRAM,
    AT,
    WRT,
    Param(("--plot",), "plot", "Also draw the V-curve into this .png or .svg file "
          "(needs matplotlib: pip install 'adcli[plot]').", metavar="FILE"),
    FORMAT,
    DEBUG,
)

SWELL = (
    PROGRAM,
    AT,
    WRT,
    order("Show derivatives of order 1..K (one variable).", 4),
    budget("Seconds SymPy may take before rows say 'over budget'.", 5.0),
    FORMAT,
    DEBUG,
)

TAPE = (
    PROGRAM,
    AT,
    WRT,
    mode(("forward", "reverse", "both"), help="forward: primal and tangent; reverse: "
         "primal and the adjoint sweep; both.  [default: forward]"),
    Param(("--seed",), "seed", "The tangent seed, e.g. x=1,y=0 (default: 1 for the first "
          "--wrt variable, 0 for the others).", metavar="NAME=VALUE,..."),
    Param(("--numbering",), "numbering", "seed: inputs v1..vn (the course); griewank: "
          "inputs v1-n..v0 (Baydin et al.).  [default: seed]", choices=("seed", "griewank")),
    shown_digits("Significant digits shown (JSON always keeps all)."),
    Param(("--example",), "example", "Run a built-in textbook trace (see: adcli examples).",
          metavar="NAME"),
    Param(("--summary",), "summary", "Condense a long tape: its first and last rows and "
          "the count of each op between (JSON keeps every row).", is_flag=True),
    FORMAT,
    DEBUG,
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
    DEBUG,
)


def vector_params(mode_choices: tuple = (), vector: tuple = ()) -> tuple:
    """Options of jacobian, jvp, vjp, hessian, hvp: the point, a mode or a vector."""
    params = [AT, WRT]
    if mode_choices:
        params.append(mode(mode_choices, mode_choices[0]))
    if vector:
        flag, help = vector
        params.append(Param((flag,), "vector", help, metavar="VALUES"))
    return tuple(params) + (FORMAT, DEBUG)
