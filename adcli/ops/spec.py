"""What one primitive declares, once, for every backend and every printer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Tuple, Union

#: A partial is either an exact constant (``1``, ``-1``) or a rule
#: ``rule(m, out, *args)`` written over a math namespace ``m``; it receives the
#: op's output so that e.g. ``exp`` reuses its value.
Partial = Union[int, Callable[..., object]]

#: Precedence used by printers; function-call syntax binds tightest.
ATOM = 100


@dataclass(frozen=True)
class Op:
    """A primitive: its value, its local partials and how to show it.

    ``domain`` is ``(predicate, text)``: ``predicate(*args)`` is true where the
    value is defined, and ``text`` says so in words for error messages.
    ``kink`` marks non-smooth points, where ``subgradient`` (the conventional
    one-sided value, the same one the symbolic backend gives) is used and a
    warning raised.
    """

    name: str
    arity: int
    eval: Callable[..., object]
    partials: Tuple[Partial, ...]
    pretty: str
    latex: str
    sympy: str
    doc: str
    prec: int = ATOM
    right_assoc: bool = False
    domain: Optional[Tuple[Callable[..., bool], str]] = None
    kink: Optional[Callable[..., bool]] = None
    subgradient: Tuple[int, ...] = ()
    holomorphic: bool = True

    def __post_init__(self):
        if len(self.partials) != self.arity:
            raise ValueError(f"{self.name}: one partial per argument")
        if (self.kink is None) != (not self.subgradient):
            raise ValueError(f"{self.name}: a kink needs its subgradient")

    def in_domain(self, *args) -> bool:
        return self.domain is None or bool(self.domain[0](*args))
