"""Tokens with columns, and clear words for everything outside the language.

The tokenizer never raises: text it cannot accept becomes a ``bad`` token
carrying its message, so the parser reports the leftmost problem first.
"""

from __future__ import annotations

import keyword
import re
from functools import lru_cache

from ..errors import ParseError

#: Token kinds: ``num``, ``name``, ``op`` (operators and punctuation), ``bad``.
_TOKEN = r"""
    (?P<ws>\s+)
  | (?P<badnum>(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?(?![0-9]))
  | (?P<num>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<bad>//|<<|>>|\*\*=|[-+*/%@&|^:]=)
  | (?P<op>\*\*|<=|>=|==|!=|\.T(?!\w)|[-+*/^(),<>@\[\]:])
  | (?P<other>.)
"""

#: The fast path: token strings only, at C speed.  Whitespace falls between
#: matches; every other character belongs to some token, so nothing is lost.
#: Columns and precise messages come from :func:`tokenize`, run on error only.
#: A name (not a keyword) followed by "(" is one token, "sin(": a call opens;
#: so is the transpose ``.T`` (not ``.Tx``).
#: Single-character operators, the most frequent tokens, are tried first.
FAST = re.compile(r"[-+/^(),]|(?!(?:if|else|and|or|not)\b)[A-Za-z_]\w*\s*\(|[A-Za-z_]\w*"
                  r"|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|\*\*|[<>=!]=|\.T(?!\w)|\S",
                  re.ASCII)


def columns(text: str) -> list[int]:
    """The column of each token of :data:`FAST`, and of the end."""
    starts = [match.start() for match in FAST.finditer(text)]
    starts.append(len(text))
    return starts

_NOT_IN_LANGUAGE = {
    "'": "strings are not part of the formula language",
    '"': "strings are not part of the formula language",
    "{": "sets and dictionaries are not part of the formula language",
    "}": "sets and dictionaries are not part of the formula language",
    ".": "attribute access is not part of the formula language (A.T, the transpose, "
         "is the one attribute)",
    ";": "one formula only: ';' is not part of the formula language",
    "=": "assignment is not part of the formula language (to compare, use ==)",
    "//": "floor division is not supported; use /",
    "%": "the modulo operator is not supported",
    "#": "comments are not part of the formula language",
    "\\": "backslashes are not part of the formula language",
    "`": "backticks are not part of the formula language",
}

#: Non-ASCII characters that look like the language's own, and what was meant.
_LOOKALIKES = {
    "\u2212": "-", "\u2013": "-", "\u2014": "-", "\u00d7": "*", "\u00b7": "*",
    "\u22c5": "*", "\u2217": "*", "\u00f7": "/", "\u2215": "/", "\u00b2": "**2",
    "\u00b3": "**3", "\u00b9": "**1", "\u03c0": "pi", "\u2264": "<=",
    "\u2265": ">=", "\u2260": "!=", "\u221a": "sqrt", "\u2018": "'",
    "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": "a plain space",
}
# Cyrillic and Greek letters drawn like Latin ones.
_LOOKALIKES.update(zip("аеорсухѕіјкмнтвАВЕКМНОРСТХαονρτυ",
                       "aeopcyxsijkmhtbABEKMHOPCTXaovptu"))

#: How names and numbers begin.
NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
NUMBER_START = frozenset("0123456789.")

#: Reserved Python words that mean something in formulas.
FORMULA_KEYWORDS = frozenset({"if", "else", "and", "or", "not"})
PYTHON_KEYWORDS = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)


@lru_cache(maxsize=None)
def _detailed():
    """Compiled on first use: only error messages need it."""
    return re.compile(_TOKEN, re.VERBOSE | re.DOTALL | re.ASCII)


def _non_ascii(ch: str) -> str:
    import unicodedata

    name = unicodedata.name(ch, "unnamed character")
    message = f"character {ch!r} (U+{ord(ch):04X} {name}) is not allowed: formulas are ASCII"
    meant = _LOOKALIKES.get(ch)
    if meant is None:
        folded = unicodedata.normalize("NFKC", ch)
        if folded.isascii() and folded.isprintable() and folded.strip():
            meant = folded
    if meant is not None:
        message += f"; did you mean {meant!r}?" if len(meant) <= 4 else f"; did you mean {meant}?"
    return message


def _bad(text: str) -> str:
    if not text.isascii():
        return _non_ascii(text)
    if text in _NOT_IN_LANGUAGE:
        return _NOT_IN_LANGUAGE[text]
    if text.endswith("=") and len(text) > 1:
        return f"augmented assignment {text!r} is not part of the formula language"
    return f"operator {text!r} is not part of the formula language"


def tokenize(text: str) -> list[tuple[str, str, int]]:
    """``(kind, text, column)`` triples, ending with ``("end", "", len(text))``."""
    tokens = []
    append = tokens.append
    for match in _detailed().finditer(text):
        kind = match.lastgroup
        if kind == "ws":
            continue
        value = match.group()
        if kind == "name" and value in PYTHON_KEYWORDS and value not in FORMULA_KEYWORDS:
            kind, value = "bad", f"{value!r} is a Python keyword, not part of the formula language"
        elif kind == "bad" or kind == "other":
            kind, value = "bad", _bad(value)
        elif kind == "badnum":
            kind, value = "bad", (f"malformed number {shortened(value)!r}: an exponent "
                                  f"needs digits")
        append((kind, value, match.start()))
    append(("end", "", len(text)))
    return tokens


def unknown_function(name: str, functions) -> str:
    """The message for a call of ``name``, which is not among ``functions``."""
    import difflib

    close = difflib.get_close_matches(name, functions, n=1) or \
        [f for f in functions if f.lower() == name.lower()]
    hint = (f"; did you mean {close[0]}? (names are case-sensitive)" if close
            else f"; for a product write {name}*(...); see: adcli functions")
    return f"unknown function '{name}'{hint}"


def after_operand(prev: str, tok: str) -> tuple[str, int]:
    """Why token ``tok`` cannot follow the operand ``prev``, and where (0: at
    ``tok``, -1: at ``prev``)."""
    digits = NUMBER_START
    if prev[:1] in digits and tok[:1] == ".":
        return f"malformed number {shortened(prev + tok)}", -1
    if prev[:1] in digits and tok[:1] == "_":
        return "digit separators '_' are not supported in numbers", 0
    if prev == "0" and tok[:1] in "xXbBoO" and tok[1:2].isalnum():
        return "hexadecimal, binary and octal numbers are not supported", -1
    if tok[:1] in NAME_START or tok[:1] in digits or tok == "(":
        return (f"missing operator: implicit multiplication is not supported; "
                f"write {prev}*{tok}", 0)
    return f"unexpected '{tok}'", 0


def located(text: str, index: int, message: str) -> ParseError:
    """A parse error at token ``index``, with its column -- or at an earlier token
    that is not in the language, so that the leftmost problem is the one named."""
    column = columns(text)[index]
    for kind, bad, start in tokenize(text):
        if start > column:
            break
        if kind == "bad":
            return ParseError(bad, text, start)
    return ParseError(message, text, column)


#: The longest number literal read: below Python's own limit on the digits of an
#: integer (4,300), which SymPy and mpmath would otherwise meet as an exception.
MAX_LITERAL = 4_000


def number_error(token: str) -> str:
    """Why a number literal is refused: too long to read, or beyond float64."""
    if len(token) > MAX_LITERAL:
        return f"a number of {len(token):,} characters: numbers are read up to {MAX_LITERAL:,}"
    return f"number {shortened(token)} is too large for float64"


def shortened(token: str) -> str:
    """A long token as its head and tail: a message need not repeat 100,000 digits."""
    return token if len(token) <= 40 else f"{token[:20]}...{token[-8:]}"
