"""What a program may not do, said in one line that names the user's code.

A program is the user's own Python: when it returns something that is not a
number, exits, or hands a traced number to a function that would drop its
derivative, the fault is the program's, and the message says what to write
instead -- never adcli's "internal error".
"""

from __future__ import annotations

import builtins
import io
import linecache
import tokenize

from ..errors import MathError, UsageError

#: Operations one run of a program may trace: a program is not a formula, and
#: a run that loops ten million times is refused before it fills the memory.
MAX_TRACED = 250_000


def too_long(path: str, line: int) -> UsageError:
    """The run traced more than MAX_TRACED operations: refused where it went over."""
    return UsageError(f"{path}:{line}: the program ran more than {MAX_TRACED:,} traced "
                      f"operations, the bound on one run of a program")


def exited(error: SystemExit, path: str) -> UsageError:
    """``sys.exit()`` in the user's program: its own exit, not adcli's."""
    from .trace import ProgramError

    line = ProgramError(error, path).line
    return UsageError(f"{path}:{line}: the program called sys.exit({error.code!r}); "
                      f"a function for adcli returns a number")


def result_refusal(where: str, result) -> Exception:
    """The error for a program result that is not one real number."""
    if isinstance(result, complex):
        return MathError(f"{where} returned the complex number {result!r}: adcli "
                         f"differentiates real functions")
    if isinstance(result, int) and not isinstance(result, bool):
        return MathError(f"{where} returned an integer of {result.bit_length():,} bits, "
                         f"beyond the float range (about 1.8e308)")
    if isinstance(result, bool):
        shown = f"the truth value {result!r}"
    elif result is None:
        shown = "None (no return statement?)"
    elif isinstance(result, str):
        shown = "a string"
    elif isinstance(result, (list, tuple, dict, set)):
        shown = f"a {type(result).__name__} of {len(result)} values"
    elif hasattr(result, "shape"):
        shown = f"an array of shape {result.shape}"
    else:
        shown = f"a {type(result).__name__}"
    return UsageError(f"{where} returned {shown}, not a number: a program returns one "
                      f"real number")


def callee_refusal(frame) -> str:
    """Which call on the user's line took the traced number, and what to use instead."""
    from ..ops import SURFACE
    from .trace import UFUNCS

    for name, obj in _callees(frame):
        if isinstance(obj, type):
            return f"{name}() cannot take one; keep it a number"
        module = getattr(obj, "__module__", None) or type(obj).__module__
        works = module == "numpy" and getattr(obj, "__name__", "") in UFUNCS  # a ufunc we trace
        if module in ("math", "cmath", "numpy") and not works:
            short = obj.__name__
            instead = (f"adcli.functions.{short}" if short in SURFACE
                       else "a function of adcli.functions (`adcli functions` lists them)")
            return f"{module}.{short}() cannot take one; use {instead}"
    return "keep it a number (use adcli.functions for sin, exp, ...)"


def _callees(frame):
    """``(dotted name, object)`` of each call on the frame's line, left to right."""
    if frame is None:
        return
    text = linecache.getline(frame.f_code.co_filename, frame.f_lineno)
    names, dotted, last = [], [], None
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.NAME and (not dotted or last == "."):
                dotted.append(token.string)
            elif token.string == "." and dotted and last != ".":
                pass
            elif token.string == "(" and dotted and last != ".":
                names.append(".".join(dotted))
                dotted = []
            else:
                dotted = [token.string] if token.type == tokenize.NAME else []
            last = token.string
    except (tokenize.TokenError, SyntaxError):  # one line of a longer statement
        pass
    scopes = (frame.f_locals, frame.f_globals, vars(builtins))
    for name in names:
        first, *rest = name.split(".")
        obj = next((scope[first] for scope in scopes if first in scope), None)
        for attribute in rest:
            obj = getattr(obj, attribute, None)
        if obj is not None and not (getattr(obj, "__module__", "") or "").startswith("adcli"):
            yield name, obj
