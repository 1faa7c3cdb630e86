"""The Click application: every command, built from the option table in :mod:`.params`.

Click answers ``--help``, completion and every usage error; each command only
turns its options into a settings object and hands it to its ``run_*``
function (see :mod:`adcli.cli` for which module holds which).
"""

from __future__ import annotations

import sys

import click

from .. import __version__
from . import run_vector
from .params import (BATCH, COMPARE, DEBUG, DIFF, FORMAT, GRAPH, MEMORY, STEPS, SWELL, TAPE,
                     Param, formula_apart, vector_params)
from .report import guarded
from .run_diff import DiffSettings, run_diff
from .run_lists import run_examples, run_functions
from .run_studies import (CompareSettings, StepsSettings, SwellSettings, run_compare,
                          run_steps, run_swell)
from .run_tape import GraphSettings, TapeSettings, run_graph, run_tape

_CLICK_ERRORS = (click.exceptions.ClickException, click.exceptions.Exit,
                 click.exceptions.Abort)


def _set_debug(ctx: click.Context, _param, value: bool) -> bool:
    if value:
        ctx.meta["adcli.debug"] = True
    return value


def complete_formula(_ctx, _param, incomplete: str):
    """Complete the function name being typed at the end of a formula: ``si`` -> ``sin(``."""
    from ..ops import SURFACE

    head = incomplete.rstrip("abcdefghijklmnopqrstuvwxyz0123456789_")
    word = incomplete[len(head):]
    return [head + name + "(" for name in SURFACE if name.startswith(word)] if word else []


formula_argument = click.argument("expression", metavar="[EXPR]", required=False,
                                  shell_complete=complete_formula)


def options(params: tuple):
    """Stack one Click option per :class:`Param`, in table order."""
    def decorate(command):
        for param in reversed(params):
            command = _option(param)(command)
        command.adcli_params = params
        return command
    return decorate


def _option(param: Param):
    if param is DEBUG:
        return click.option(*param.flags, is_flag=True, expose_value=False, is_eager=True,
                            callback=_set_debug, help=param.help)
    kwargs = {"help": param.help}
    if param.is_flag:
        kwargs["is_flag"] = True
    elif param.choices:
        kwargs.update(type=click.Choice(param.choices), default=param.default,
                      show_default=True)
    elif param.default is not None:
        kwargs.update(default=param.default, show_default=True)
    if param.multiple:
        kwargs["multiple"] = True
    if param.type is not None:
        kwargs["type"] = param.type
    if param.metavar:
        kwargs["metavar"] = param.metavar
    return click.option(*param.flags, param.dest, **kwargs)


class _Command(click.Command):
    """Reads a formula that starts with '-' (``-x^2``) as the formula, not an option."""

    def parse_args(self, ctx: click.Context, args: list) -> list:
        params = getattr(self.callback, "adcli_params", None)
        if params and any(param.name == "expression" for param in self.params):
            args = formula_apart(args, params)
        return super().parse_args(ctx, args)


class _Group(click.Group):
    """Turns every error into one line on stderr and an exit code, not a traceback."""

    command_class = _Command

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as error:  # bare "adcli": the help
            error.show()
            sys.exit(error.exit_code)
        except click.ClickException as error:  # usage errors: Click's words, our form
            hint = f" (see: {error.ctx.command_path} --help)" if getattr(
                error, "ctx", None) else ""
            sys.stderr.write(f"adcli: error: {error.format_message()}{hint}\n")
            sys.exit(error.exit_code)
        except click.exceptions.Abort:
            sys.stderr.write("adcli: aborted\n")
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context):
        code = guarded(lambda: super(_Group, self).invoke(ctx),
                       lambda: ctx.meta.get("adcli.debug"), _CLICK_ERRORS)
        if code:
            ctx.exit(code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="adcli")
def cli() -> None:
    """Derivatives you can trust, and how they were made.

    adcli parses a formula with its own safe parser (nothing you type is ever
    executed), records it as a Wengert list, and differentiates it by forward
    or reverse automatic differentiation, symbolically (SymPy) or numerically.

    \b
      adcli diff "sin(x**2)+exp(x)" --at 2
      adcli diff "x*sin(y)" --at x=3 --at y=pi/6 --format json
      adcli functions

    A formula may start with '-' (adcli diff "-x^2" --at 1); "--" marks the
    next argument as the formula whatever it looks like.  Options that cannot
    all be obeyed are refused (exit 2), never dropped in silence: --quiet with
    --format, --order with --mode or --precision, --method or --step without
    --mode numerical, --seed with --mode reverse.

    Exit codes: 0 success, 1 math error (outside the domain, overflow, no
    derivative) or a method not available, 2 usage or parse error, 3 internal
    error (a bug: please report it).
    """


DIFF_EXAMPLES = """\b
Examples:
  adcli diff "sin(x**2)+exp(x)" --at 2
  adcli diff "x*sin(y)" --at x=3 --at y=pi/6 --mode forward
  adcli diff "x*sin(y)" --at x=3 --at y=pi/6 --wrt y --format json
  adcli diff "x^3 + ln(x)" --at 2 --mode symbolic
  echo "x**2 if x > 0 else 0" | adcli diff - --at 0.001 --quiet
  adcli diff "exp(sin(x))*x**x" --at 1.5 --order 8
  adcli diff --program model.py:f --at x=0.001 --mode reverse
  adcli diff --example matmul-vjp
"""


@cli.command(epilog=DIFF_EXAMPLES)
@formula_argument
@options(DIFF)
def diff(expression, **values):
    """Differentiate EXPR at a point (EXPR '-' reads standard input).

    The formula language has + - * / ** (or ^), functions such as sin, exp,
    log, sqrt, max (see: adcli functions), the constants pi and e, and
    conditionals such as "x**2 if x > 0 else 0".  A formula is never
    executed as code.

    --program FILE.py:FUNCTION differentiates a Python program of your own
    instead: adcli imports the file (it runs as Python would run it) and calls
    FUNCTION with traced numbers, recording what executes -- loops,
    recursion, the branch taken.  Formula text, on the command line or on
    standard input, never names a file to run.
    """
    run_diff(DiffSettings(expression, **values))


COMPARE_EXAMPLES = """\b
Examples:
  adcli compare "sin(x**2)+exp(x)" --at 2
  adcli compare "x*sin(y)" --at x=3 --at y=pi/6 --format json
  adcli compare "abs(x)*exp(x)" --at 0.5 --precision 40
"""


@cli.command(epilog=COMPARE_EXAMPLES)
@formula_argument
@options(COMPARE)
def compare(expression, **values):
    """Every method side by side against a high-precision reference.

    Rows: forward, backward and central differences, the five-point stencil,
    Richardson extrapolation, the complex step, symbolic (SymPy), forward and
    reverse AD -- each with its derivative, absolute and relative error,
    correct digits, cost and time.
    """
    run_compare(CompareSettings(expression, **values))


@cli.command(epilog="""\b
Examples:
  adcli steps "sin(x**2)+exp(x)" --at 2
  adcli steps "sin(x)" --at 1 --format json
  adcli steps "x*exp(y)" --at x=1 --at y=2 --wrt y --plot vcurve.png
""")
@formula_argument
@options(STEPS)
def steps(expression, **values):
    """The step-size V-curve: difference-quotient errors for h = 1e-1 ... 1e-16.

    Marks the best h of forward, central and complex-step differences, the
    error model's step and the truncation/round-off crossover, and draws the
    log-log curve.
    """
    run_steps(StepsSettings(expression, **values))


@cli.command(epilog="""\b
Examples:
  adcli swell "exp(sin(x))*x**x" --at 1.5 --order 8
  adcli swell "x1*x2*x3*x4*x5*x6*x7*x8" --at x1=1,x2=2,x3=3,x4=4,x5=5,x6=6,x7=7,x8=8 --budget 10
""")
@formula_argument
@options(SWELL)
def swell(expression, **values):
    """Expression swell: sizes of symbolic derivatives against the AD work.

    For one variable, derivatives of order 1..K; for several, the whole
    gradient (SymPy's n partials against one reverse sweep).
    """
    run_swell(SwellSettings(expression, **values))


@cli.command(epilog="""\b
Examples:
  adcli tape "sin(x**2)+exp(x)" --at 2
  adcli tape "x*sin(y)" --at x=3 --at y=pi/6 --mode reverse
  adcli tape --example baydin
  adcli tape "x*y + sin(x)" --at x=1 --at y=2 --seed x=0,y=1 --format latex
""")
@formula_argument
@options(TAPE)
def tape(expression, **values):
    """The Wengert list of EXPR at a point, as the textbook draws it.

    One row per tape entry (inputs first, constants inline, only the taken
    branch): its value, the tangent rule applied and the tangent (forward),
    and the adjoint sweep with each adjoint's sum of contributions (reverse).
    """
    run_tape(TapeSettings(expression, **values))


@cli.command(epilog="""\b
Examples:
  adcli graph "sin(x)*sin(x) + x"
  adcli graph "x*sin(y)" --at x=3 --at y=pi/6 --digits 4
  adcli graph "x*sin(y)" --at x=3 --at y=pi/6 --format json
  adcli graph "x*sin(y)" --at x=3 --at y=pi/6 --format dot --render graph.svg
""")
@formula_argument
@options(GRAPH)
def graph(expression, **values):
    """The computational graph of EXPR: shared subexpressions drawn once.

    With --at, nodes carry their values and adjoints, and edges the local
    partials and the adjoint flowing along them (gradient flow).  The
    drawings are text, dot and mermaid; the other formats list the nodes and
    the edges as tables (JSON: one object with both).
    """
    run_graph(GraphSettings(expression, **values))


def _vector_command(name: str, run, summary: str, examples: str, params: tuple):
    """Register one of jacobian, jvp, vjp, hessian, hvp: they differ only in options."""
    def command(expression, **values):
        run(run_vector.VectorSettings(expression, **values))

    command.__doc__ = summary
    command = options(params)(formula_argument(command))
    cli.command(name, epilog="\b\nExamples:\n" + examples)(command)


_vector_command(
    "jacobian", run_vector.run_jacobian,
    "The m x n Jacobian of comma-separated outputs; auto picks the cheaper "
    "AD mode (forward: n sweeps, reverse: m sweeps) and says why.",
    '  adcli jacobian "x*y, sin(x)+y, exp(x*y)" --at x=1 --at y=2\n'
    '  adcli jacobian "x*y, sin(x)+y" --at x=1 --at y=2 --mode reverse -f json\n',
    vector_params(("auto", "forward", "reverse", "symbolic", "numerical")))
_vector_command(
    "jvp", run_vector.run_jvp,
    "The Jacobian-vector product J*v by one tangent sweep (--tangent x=1,y=0).",
    '  adcli jvp "x*y, sin(x)+y" --at x=1 --at y=2 --tangent x=1,y=0\n',
    vector_params(vector=("--tangent", "The tangent v, e.g. x=1,y=0.")))
_vector_command(
    "vjp", run_vector.run_vjp,
    "The vector-Jacobian product u^T*J by one adjoint sweep (--cotangent 1,0).",
    '  adcli vjp "x*y, sin(x)+y" --at x=1 --at y=2 --cotangent 1,0\n',
    vector_params(vector=("--cotangent", "The cotangent u, one number per output.")))
_vector_command(
    "hessian", run_vector.run_hessian,
    "The Hessian by forward-over-reverse: n tangent sweeps through the "
    "recorded reverse sweep (symbolic and numerical for comparison).",
    '  adcli hessian "x**2*y + sin(x*y)" --at x=1 --at y=2\n'
    '  adcli hessian "x**2*y + sin(x*y)" --at x=1 --at y=2 --mode symbolic\n',
    vector_params(("forward-over-reverse", "symbolic", "numerical")))
_vector_command(
    "hvp", run_vector.run_hvp,
    "The Hessian-vector product H*v by one forward-over-reverse pass "
    "(no Hessian formed).",
    '  adcli hvp "x**2*y + sin(x*y)" --at x=1 --at y=2 --vector x=1,y=0\n',
    vector_params(vector=("--vector", "The vector v, e.g. x=1,y=0.")))


@cli.command(epilog="""\b
Examples:
  adcli memory "sin(x**2)+exp(x)*y" --at x=2 --at y=3
  adcli memory --network layers=100,width=1024,batch=32 --dtype float32
  adcli memory --network layers=100,width=4096,batch=512 --every 10 -f json
""")
@formula_argument
@options(MEMORY)
def memory(expression, **values):
    """What reverse mode keeps: the tape's stored values by dtype and shape, the
    measured peak of the sweeps beside the count, and adcli's own cost per entry;
    or, with --network, the course's model of a network's activations and weights."""
    from .run_memory import MemorySettings, run_memory

    run_memory(MemorySettings(expression, **values))


@cli.command(epilog="""\b
Examples:
  echo '{"expression": "sin(x**2)+exp(x)", "at": {"x": 2}, "id": 1}' | adcli batch
  echo '{"expression": "x*sin(y)", "at": {"x": 3, "y": "pi/6"}, "mode": "forward"}' | adcli batch
  cat requests.jsonl | adcli batch --strict > answers.jsonl
""")
@click.argument("source", metavar="[FILE|-]", required=False, default="-")
@options(BATCH)
def batch(source, **values):
    """Answer many diff requests in one process: JSON lines in, JSON lines out.

    Each line of FILE (default: standard input) is one request, such as
    {"expression": "x*sin(y)", "at": {"x": 3, "y": "pi/6"}, "wrt": ["x"],
    "mode": "forward", "id": 7}; besides "expression" (formula text, never a
    program) it may have "method", "step", "order" and "precision", as diff's
    options.  Each answer is one line, flushed at once: the object
    "diff -f json" prints, or {"error": ..., "exit": N} (N: 2 usage or
    parse, with "column" for a parse error; 1 math), with "id" echoed.  A failed request does not stop the
    run (unless --strict); warnings stay in the answer's "warnings".

    Exit code: the largest of the answers' "exit": 0 if every request
    succeeded, 1 if any failed on math and none on usage, 2 if any was
    refused as usage or parse error.
    """
    from .run_batch import BatchSettings, run_batch

    code = run_batch(BatchSettings(source, **values))
    if code:
        click.get_current_context().exit(code)


@cli.command()
@options((FORMAT, DEBUG))
def examples(fmt):
    """List the built-in examples: the textbook traces (run one: adcli tape --example
    NAME) and the vector and matrix exercises (adcli diff --example NAME)."""
    run_examples(fmt)


SHELLS = ("bash", "zsh", "fish")


def completion_script(shell: str) -> str:
    """The completion script Click generates for ``shell`` (also in completions/)."""
    from click.shell_completion import get_completion_class

    return get_completion_class(shell)(cli, {}, "adcli", "_ADCLI_COMPLETE").source()


@cli.command(epilog="""\b
Install (or copy the files in completions/ of the source tree):
  bash: adcli completion bash > ~/.local/share/bash-completion/completions/adcli
  zsh:  adcli completion zsh > "${fpath[1]}/_adcli"
  fish: adcli completion fish > ~/.config/fish/completions/adcli.fish
""")
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell):
    """Print the shell completion script for SHELL."""
    click.echo(completion_script(shell), nl=False)


@cli.command()
@options((FORMAT, DEBUG))
def functions(fmt):
    """List the functions, operators and constants formulas may use."""
    run_functions(fmt)
