"""Each study from the values of a command line, as text: one call, one record.

What :func:`adcli.api.differentiate` is to ``diff``, these are to the other
commands: the formula and point are parsed once into a problem, the option
values that need reading (a vector, a seed, an example's name) are read here,
and the study's record comes back.  So the CLI holds no logic of its own, and
a script gets the same record from the same arguments.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..api import problem
from ..errors import UsageError
from ..backends.symbolic import checked_budget
from ..language.points import parse_vector


def method_comparison(expression: str, at: Iterable[str] = (), wrt: Iterable[str] = (),
                      digits: int | None = None, reference_digits: int = 50,
                      budget: float = 10.0, on_step=None):
    """Every method side by side against an mpmath reference: ``adcli compare``."""
    from .compare import compare

    checked_budget(budget)
    return compare(problem(expression, at, wrt, digits), reference_digits, on_step=on_step,
                   budget=budget)


def step_scan(expression: str, at: Iterable[str] = (), wrt: Iterable[str] = ()):
    """Difference-quotient errors over the steps h: ``adcli steps``."""
    from .steps import scan

    return scan(problem(expression, at, wrt))


def tape_trace(expression: str | None, at: Iterable[str] = (), wrt: Iterable[str] = (),
               mode: str | None = None, seed: str | None = None,
               numbering: str | None = None, digits: int | None = None,
               example: str | None = None, summary: bool = False):
    """The Wengert list at the point, or a built-in example's: ``adcli tape``.

    An example supplies the formula and its own point, mode and numbering;
    whatever the caller gives besides takes precedence.
    """
    from .tape_table import tape_table

    if example is not None:
        from .examples import example as lookup

        chosen = lookup(example)
        if expression is not None:
            raise UsageError("give either EXPR or --example, not both")
        expression, at = chosen.expression, at or chosen.at
        mode, numbering = mode or chosen.mode, numbering or chosen.numbering
    if expression is None:
        raise UsageError("give a formula EXPR, a program (--program FILE.py:FUNCTION) or "
                         "--example NAME (see: adcli examples)")
    if digits is not None and not 1 <= digits <= 17:
        raise UsageError(f"--digits {digits}: give 1 to 17")
    request = problem(expression, at, wrt)
    return tape_table(request, mode or "forward", numbering or "seed",
                 parse_vector(seed, "--seed"), digits, summary)


def jacobian_at(expression: str, at: Iterable[str] = (), wrt: Iterable[str] = (),
                mode: str = "auto"):
    """The m x n Jacobian of comma-separated outputs: ``adcli jacobian``."""
    from .jacobian import jacobian

    return jacobian(problem(expression, at, wrt, several=True), mode)


def jvp_at(expression: str, at: Iterable[str] = (), wrt: Iterable[str] = (),
           tangent: str | None = None):
    """J·v by one tangent sweep, ``tangent`` as ``x=1,y=0``: ``adcli jvp``."""
    from .jacobian import jvp

    request = problem(expression, at, wrt, several=True)
    return jvp(request, _required(_vector(tangent, "--tangent"), "--tangent x=1,y=0"))


def vjp_at(expression: str, at: Iterable[str] = (), wrt: Iterable[str] = (),
           cotangent: str | None = None):
    """uᵀ·J by one adjoint sweep, ``cotangent`` one number (or array, ``[1,2]``)
    per output: ``adcli vjp``."""
    from .jacobian import parse_numbers, vjp

    request = problem(expression, at, wrt, several=True)
    if not _has_array(cotangent):
        return vjp(request, parse_numbers(cotangent or "", "--cotangent"))
    from ..language.points import parse_array, parse_value, split_list

    return vjp(request, [parse_array(part, "", "--cotangent") if _has_array(part) else
                         parse_value(part, option="--cotangent", given=cotangent)
                         for part in split_list(cotangent)])


def hessian_at(expression: str, at: Iterable[str] = (), wrt: Iterable[str] = (),
               mode: str = "forward-over-reverse"):
    """The Hessian, by forward-over-reverse or for comparison: ``adcli hessian``."""
    from ..backends.shaped import is_shaped
    from .hessian import hessian

    request = problem(expression, at, wrt)
    if is_shaped(request):  # vectors and matrices: dual arrays
        from . import shaped_hessian

        return shaped_hessian.hessian(request, mode)
    return hessian(request, mode)


def hvp_at(expression: str, at: Iterable[str] = (), wrt: Iterable[str] = (),
           vector: str | None = None):
    """H·v by one forward-over-reverse pass, ``vector`` as ``x=1,y=0``: ``adcli hvp``."""
    from ..backends.shaped import is_shaped
    from .hessian import hvp

    request = problem(expression, at, wrt)
    if is_shaped(request) or _has_array(vector):  # vectors and matrices: dual arrays
        from . import shaped_hessian

        return shaped_hessian.hvp(request, _required(_vector(vector, "--vector"),
                                                     "--vector x=1,y=0"))
    return hvp(request, _required(parse_vector(vector, "--vector"), "--vector x=1,y=0"))


def _has_array(text: str | None) -> bool:
    """Whether an option's text gives an array (``[1,2]``, ``@a.npy``): only then is
    NumPy needed to read it."""
    return bool(text) and ("[" in text or "@" in text)


def _vector(text: str | None, option: str) -> dict | None:
    """:func:`parse_vector`, where a part may be an array: ``A=[[1,0],[0,1]],x=@u.npy``."""
    if not _has_array(text):
        return parse_vector(text, option)
    from ..language.points import parse_array, split_list

    vector = {}
    for part in split_list(text):
        key, sep, value = part.partition("=")
        key = key.strip()
        if key in vector:
            raise UsageError(f"{option} {text}: {key} is given twice")
        vector[key] = parse_array(value, key, option) if _has_array(value) else (
            parse_vector(part, option) or {key: 1.0})[key]
    return vector


def _required(vector: dict | None, example: str) -> dict:
    if not vector:
        raise UsageError(f"give the vector, e.g. {example}")
    return vector
