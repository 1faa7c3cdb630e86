"""What one primitive declares, once, for every backend and every printer."""

from __future__ import annotations

from collections.abc import Callable

# A partial is either an exact constant (``1``, ``-1``, ``0``) or a rule
# ``rule(m, out, *args)`` written over a math namespace ``m``; it receives the
# op's output so that e.g. ``exp`` reuses its value.  (Annotations stay strings:
# importing ``typing`` would cost every start-up a few milliseconds.)

#: Precedence used by printers; function-call syntax binds tightest.
ATOM = 100

#: The mpmath range: numbers up to 2**MPMATH_MAX_BITS in magnitude.  mpmath's
#: exponents are unbounded, so 9**9**9**9 would be computed (for hours, in
#: gigabytes) where a float overflows; past this, sin's argument reduction
#: alone takes seconds.  Beyond it is an overflow, as past 1.8e308 for floats.
MPMATH_MAX_BITS = 100_000

#: The libraries a namespace can be built over (see :mod:`adcli.ops.namespaces`).
LIBRARIES = ("math", "cmath", "numpy", "mpmath", "sympy")


class Op:
    """A primitive: its value, its local partials and how to show it.

    * ``evaluate(m, *args)``: the value, written over a namespace ``m``.  Left
      out, the op is a *library function*: every namespace binds it from its
      library, by the op's name unless ``lib`` says otherwise (``lib["numpy"] =
      "arcsin"``; a callable receives the library module and returns the
      function; a tuple gives the function first, and names the NumPy ufuncs
      a traced program may call for the op).
    * ``python``: the Python operator function (``operator.add``), valid for
      any numbers that overload it; ``symbol``, ``prec``, ``right_assoc`` and
      ``dunder`` give its syntax and the method traced numbers overload.
    * ``names``: the function names a user writes, each with its own
      description for ``adcli functions`` (None: the op's ``doc``);
      ``params`` names its arguments there.  ``variadic`` ops fold left.
    * ``taylor``: a series rule ``taylor(S, *series)`` over the series
      arithmetic ``S``; left out, Taylor mode integrates the derivative ODE
      y' = sum_k p_k u_k' with the op's own partials.
    * ``nary``: "sum" or "product", the n-ary chain (SymPy's ``Add``, ``Mul``)
      a run of such ops becomes.
    * ``domain`` is ``(predicate, text)``: ``predicate(*args)`` is true where
      the value is defined, and ``text`` says so in words.  ``kink`` marks
      non-smooth points, where ``subgradient`` (a valid subgradient, see
      :mod:`adcli.ops.nonsmooth`) is used and a warning raised.

    (A plain slotted class: it is built at every start-up.)
    """

    __slots__ = ("name", "title", "arity", "evaluate", "partials", "pretty", "latex", "doc",
                 "prec", "right_assoc", "symbol", "dunder", "python", "names", "params",
                 "variadic", "commutative", "domain", "kink", "subgradient", "holomorphic",
                 "taylor", "lib", "library", "nary", "identity", "detach", "idempotent",
                 "shaped")

    def __init__(self, name: str, arity: int, partials: tuple, doc: str, *,
                 evaluate: Callable[..., object] | None = None, lib: dict | None = None,
                 pretty: str | None = None, latex: str | None = None,
                 prec: int = ATOM, right_assoc: bool = False, symbol: tuple = (),
                 dunder: str | None = None, python: Callable[..., object] | None = None,
                 names: dict | None = None, params: str | None = None,
                 variadic: bool = False, commutative: bool = False,
                 domain: tuple[Callable[..., bool], str] | None = None,
                 kink: Callable[..., bool] | None = None, subgradient: tuple = (),
                 holomorphic: bool = True, title: str | None = None,
                 taylor: Callable[..., object] | None = None, nary: str | None = None,
                 identity: int | None = None, detach: bool = False,
                 idempotent: bool = False, shaped: bool = False):
        if len(partials) != arity or arity not in (1, 2):
            raise ValueError(f"{name}: one or two arguments, one partial each")
        if (kink is None) != (not subgradient):
            raise ValueError(f"{name}: a kink needs its subgradient")
        if lib and not set(lib) <= set(LIBRARIES):
            raise ValueError(f"{name}: libraries are {', '.join(LIBRARIES)}")
        self.name, self.arity, self.partials, self.doc = name, arity, partials, doc
        self.title = title or name  # what messages call it: logb is "log" to a user
        self.library = evaluate is None and python is None  # bound from each library
        self.evaluate = evaluate or (python and _operator(python)) or _library_call(name, arity)
        self.lib = lib or {}
        self.python = python
        self.pretty = pretty or f"{name}({', '.join(f'{{{k}}}' for k in range(arity))})"
        self.latex = latex or (r"\operatorname{{" + name + r"}}\left("
                               + ", ".join(f"{{{k}}}" for k in range(arity)) + r"\right)")
        self.prec, self.right_assoc, self.symbol, self.dunder = prec, right_assoc, symbol, dunder
        self.names = {name: None} if names is None and prec == ATOM else (names or {})
        self.params = params or ("x" if arity == 1 else "x, y")
        self.variadic, self.commutative = variadic, commutative
        self.domain, self.kink, self.subgradient = domain, kink, subgradient
        self.holomorphic, self.taylor = holomorphic, taylor
        self.nary = nary  # "sum" or "product": the n-ary chain SymPy flattens it into
        self.identity = identity  # x op identity == identity op x == x (0 for +, 1 for *)
        self.detach = detach  # its partial is 0 by decree: differences of values see through
        # op(a, a) == a: the same argument twice is no tie, hence no kink (max(x, x))
        self.idempotent = idempotent
        # an op on arrays (a matrix product, a sum): its partials are linear maps
        # (adcli.ops.linear), and only NumPy evaluates it
        self.shaped = shaped

    def __repr__(self) -> str:
        return f"Op({self.name!r}, arity={self.arity})"

    def in_domain(self, *args) -> bool:
        return self.domain is None or bool(self.domain[0](*args))

    def implementation(self, library: str, module):
        """This op's function in ``library`` (a module), or None: the caller binds
        ``evaluate`` over its namespace instead."""
        if self.python is not None:
            return self.python
        if not self.library and library not in self.lib:
            return None
        spec = self.lib.get(library, self.name)
        if isinstance(spec, tuple):
            spec = spec[0]
        if callable(spec):
            return spec(module)
        return getattr(module, spec, None)

    def ufuncs(self) -> tuple:
        """The NumPy ufunc names a traced program may call for this op."""
        spec = self.lib.get("numpy", self.name if self.library else None)
        return tuple(name for name in (spec if isinstance(spec, tuple) else (spec,))
                     if isinstance(name, str))


def _operator(python):
    """``evaluate`` of an operator: the same over every namespace."""
    return lambda m, *args: python(*args)


def _library_call(name: str, arity: int):
    """``evaluate`` of a library function: the namespace's own function by that name."""
    if arity == 1:
        def call(m, x):
            return getattr(m, name)(x)
    else:
        def call(m, x, y):
            return getattr(m, name)(x, y)
    return call
