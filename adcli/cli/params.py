"""The options of each command as data, without importing Click.

One table serves twice: :mod:`adcli.cli.app` builds the Click commands from it
(help, completion, every error message), and :mod:`adcli.cli.fast` reads a
plainly well-formed ``adcli diff`` command line with it, so that the most
common call does not pay Click's import (three times Python's own start-up).
"""

from __future__ import annotations

from ..backends import METHODS, MODES
from ..render import FORMATS


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


FORMAT = Param(("-f", "--format"), "fmt", "Output format.", choices=FORMATS,
               default="table")
QUIET = Param(("-q", "--quiet"), "quiet",
              "Print only the derivative(s): bare numbers, one per line, for $(...).",
              is_flag=True)
DEBUG = Param(("--debug",), "debug", "Show the Python traceback of an error.",
              is_flag=True)
PRECISION = Param(("--precision",), "digits", "Compute in mpmath with this many significant "
                  "digits instead of float64 (every method, numerical steps included).",
                  metavar="D", type=int)

AT = Param(("--at",), "at", "The point: one per variable; VALUE may be a constant "
           "expression (pi/6). A bare VALUE is allowed for a one-variable formula.",
           multiple=True, metavar="NAME=VALUE")
WRT = Param(("--wrt",), "wrt", "Differentiate only with respect to these variables (x,y). "
            "Default: all.", multiple=True, metavar="NAMES")

DIFF = (
    AT,
    WRT,
    Param(("-m", "--mode"), "mode", "How to differentiate.", choices=MODES,
          default="reverse"),
    Param(("--method",), "method", "The numerical method (with --mode numerical); auto is "
          "the complex step where every op allows it, else central differences.",
          choices=METHODS, default="auto"),
    Param(("--step",), "step", "The numerical step h instead of the error model's "
          "(a constant expression such as 1e-6).", metavar="H"),
    PRECISION,
    Param(("-k", "--order"), "order", "All derivatives f, f', ..., f^(K) along one "
          "variable, by Taylor mode.", type=int, metavar="K"),
    Param(("--strict",), "strict", "Exit 1 instead of warning when the point is on a kink "
          "or decides a branch by a tie.", is_flag=True),
    FORMAT,
    QUIET,
    DEBUG,
)

COMPARE = (
    AT,
    WRT,
    PRECISION,
    Param(("--reference-digits",), "reference_digits", "Significant digits of the mpmath "
          "reference every method is measured against.", default=50, type=int, metavar="D"),
    Param(("--budget",), "budget", "Seconds the symbolic row may take before it says "
          "'over budget'.", default=10.0, type=float, metavar="SECONDS"),
    FORMAT,
    DEBUG,
)

STEPS = (
    AT,
    WRT,
    Param(("--plot",), "plot", "Also draw the V-curve into this .png or .svg file "
          "(needs matplotlib: pip install 'adcli[plot]').", metavar="FILE"),
    FORMAT,
    DEBUG,
)

SWELL = (
    AT,
    WRT,
    Param(("-k", "--order"), "order", "Show derivatives of order 1..K (one variable).",
          default=4, type=int, metavar="K"),
    Param(("--budget",), "budget", "Seconds SymPy may take before rows say 'over budget'.",
          default=5.0, type=float, metavar="SECONDS"),
    FORMAT,
    DEBUG,
)

TAPE = (
    AT,
    WRT,
    Param(("-m", "--mode"), "mode", "forward: primal and tangent; reverse: primal and "
          "the adjoint sweep; both.  [default: forward]",
          choices=("forward", "reverse", "both")),
    Param(("--seed",), "seed", "The tangent seed, e.g. x=1,y=0 (default: 1 for the first "
          "--wrt variable, 0 for the others).", metavar="NAME=VALUE,..."),
    Param(("--numbering",), "numbering", "seed: inputs v1..vn (the course); griewank: "
          "inputs v1-n..v0 (Baydin et al.).  [default: seed]", choices=("seed", "griewank")),
    Param(("--digits",), "digits", "Significant digits shown (JSON always keeps all).",
          type=int, metavar="N"),
    Param(("--example",), "example", "Run a built-in textbook trace (see: adcli examples).",
          metavar="NAME"),
    Param(("--summary",), "summary", "Condense a long tape: its first and last rows and "
          "the count of each op between (JSON keeps every row).", is_flag=True),
    FORMAT,
    DEBUG,
)

GRAPH = (
    AT,
    Param(("-f", "--format"), "drawing", "text: a drawing for the terminal; dot: Graphviz; "
          "mermaid: a Mermaid flowchart.", choices=("text", "dot", "mermaid"),
          default="text"),
    Param(("--digits",), "digits", "Significant digits of values and partials.",
          type=int, metavar="N"),
    Param(("--render",), "render_to", "Also draw the graph into this .svg or .png file "
          "(needs the Graphviz 'dot' program).", metavar="FILE"),
    DEBUG,
)


def vector_params(mode_choices: tuple = (), vector: tuple = ()) -> tuple:
    """Options of jacobian, jvp, vjp, hessian, hvp: the point, a mode or a vector."""
    params = [AT, WRT]
    if mode_choices:
        params.append(Param(("-m", "--mode"), "mode", "How to differentiate.",
                            choices=mode_choices, default=mode_choices[0]))
    if vector:
        flag, help = vector
        params.append(Param((flag,), "vector", help, metavar="VALUES"))
    return tuple(params) + (FORMAT, DEBUG)
