"""What one primitive declares, once, for every backend and every printer."""

from __future__ import annotations

from collections.abc import Callable

# A partial is either an exact constant (``1``, ``-1``, ``0``) or a rule
# ``rule(m, out, *args)`` written over a math namespace ``m``; it receives the
# op's output so that e.g. ``exp`` reuses its value.  (Annotations stay strings:
# importing ``typing`` would cost every start-up a few milliseconds.)

#: Precedence used by printers; function-call syntax binds tightest.
ATOM = 100


class Op:
    """A primitive: its value, its local partials and how to show it.

    ``domain`` is ``(predicate, text)``: ``predicate(*args)`` is true where the
    value is defined, and ``text`` says so in words for error messages.
    ``kink`` marks non-smooth points, where ``subgradient`` (a valid
    subgradient, see :mod:`adcli.ops.nonsmooth`) is used and a warning raised.
    (A plain slotted class: it is built at every start-up.)
    """

    __slots__ = ("name", "title", "arity", "evaluate", "partials", "pretty", "latex", "sympy",
                 "doc", "prec", "right_assoc", "domain", "kink", "subgradient",
                 "holomorphic", "taylor")

    def __init__(self, name: str, arity: int, evaluate: Callable[..., object],
                 partials: tuple[int | Callable[..., object], ...], pretty: str,
                 latex: str, sympy: str, doc: str, *, prec: int = ATOM,
                 right_assoc: bool = False,
                 domain: tuple[Callable[..., bool], str] | None = None,
                 kink: Callable[..., bool] | None = None,
                 subgradient: tuple = (), holomorphic: bool = True,
                 title: str | None = None, taylor: str = "eval"):
        if len(partials) != arity or arity not in (1, 2):
            raise ValueError(f"{name}: one or two arguments, one partial each")
        if (kink is None) != (not subgradient):
            raise ValueError(f"{name}: a kink needs its subgradient")
        self.name, self.arity, self.evaluate, self.partials = name, arity, evaluate, partials
        self.title = title or name  # what messages call it: logb is "log" to a user
        if taylor not in ("eval", "ode"):
            raise ValueError(f"{name}: taylor is 'eval' or 'ode'")
        self.taylor = taylor  # how Taylor mode propagates it, see adcli.tape.series
        self.pretty, self.latex, self.sympy, self.doc = pretty, latex, sympy, doc
        self.prec, self.right_assoc, self.domain = prec, right_assoc, domain
        self.kink, self.subgradient, self.holomorphic = kink, subgradient, holomorphic

    def __repr__(self) -> str:
        return f"Op({self.name!r}, arity={self.arity})"

    def in_domain(self, *args) -> bool:
        return self.domain is None or bool(self.domain[0](*args))
