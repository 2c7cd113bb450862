"""Kubernetes label-selector syntax, as Argo reads resource `successCondition` /
`failureCondition` (``labels.Parse`` of k8s.io/apimachinery), with error offsets.

Grammar (whitespace between tokens is ignored)::

    selector    := [ requirement { "," requirement } ]
    requirement := [ "!" ] KEY
                 | KEY ( "=" | "==" | "!=" ) [ VALUE ]
                 | KEY ( ">" | "<" ) INTEGER
                 | KEY ( "in" | "notin" ) "(" [ VALUE { "," [ VALUE ] } ] ")"

Tokens: the special characters `= ! ( ) , > <` (longest of `=`, `==`, `!`,
`!=`, `(`, `)`, `,`, `>`, `<`), and words (runs of anything else but spaces,
tabs and line breaks); `in` and `notin` are words except where an operator
is expected. A KEY must be a qualified name (an optional DNS-subdomain prefix
and `/`, then at most 63 of `[A-Za-z0-9._-]` starting and ending with a letter
or digit) — Argo evaluates it as a gjson path on the object, so `status.phase`
is a key, `{.status.phase}` is not. A VALUE is a label value (at most 63 of
`[A-Za-z0-9._-]`, starting and ending with a letter or digit, or empty); the
operand of `>` / `<` must also be a base-10 int64, so negative numbers are out.

Like Kubernetes, parsing stops at the first error. Argo substitutes `{{...}}`
tags before parsing: a tag counts as part of a word and such a word is not
validated.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from ..slots import FrozenRecord
from ..lazyre import lazy_compile

_WHITESPACE = " \t\r\n"
_SPECIAL = frozenset("=!(),><")
_SYMBOLS = {"=", "==", "!", "!=", "(", ")", ",", ">", "<"}
OPERATORS = ("=", "==", "!=", "in", "notin", ">", "<")

_NAME = re.compile(r"(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\Z")
_DNS_LABEL = r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?"
_DNS_SUBDOMAIN = lazy_compile(rf"{_DNS_LABEL}(?:\.{_DNS_LABEL})*\Z")
_VALUE = re.compile(r"(?:(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\Z")
_INT = re.compile(r"[+-]?[0-9]+\Z")

NAME_MAX = 63
VALUE_MAX = 63
PREFIX_MAX = 253
_INT64 = (-(1 << 63), (1 << 63) - 1)


class Token(FrozenRecord):
    """A token of a label selector."""

    __slots__ = ("kind", "text", "start", "end", "dynamic")

    kind: str      # "word", "end", or the symbol itself ("=", "==", "(", ...)
    text: str      # as written (for words: from the original text)
    start: int
    end: int
    dynamic: bool  # the word contains a `{{...}}` tag

    def __init__(self, kind, text, start, end, dynamic=False):
        self.kind = kind
        self.text = text
        self.start = start
        self.end = end
        self.dynamic = dynamic


class Requirement(FrozenRecord):
    """One requirement of a label selector: key, operator and values."""

    __slots__ = ("key", "operator", "values", "start", "end")

    key: str
    operator: str            # "exists", "!", or one of OPERATORS
    values: Tuple[str, ...]
    start: int
    end: int

    def __init__(self, key, operator, values, start, end):
        self.key = key
        self.operator = operator
        self.values = values
        self.start = start
        self.end = end


class SelectorError(FrozenRecord):
    """Why a label selector does not parse, with the offsets."""

    __slots__ = ("message", "start", "end")

    message: str
    start: int
    end: int

    def __init__(self, message, start, end):
        self.message = message
        self.start = start
        self.end = end


def tokenize(text: str, placeholders: bool = True) -> List[Token]:
    """Tokens of ``text``, ending with an "end" token. With ``placeholders``,
    each `{{...}}` tag is one opaque piece of a word."""
    tags: List[Tuple[int, int]] = []
    masked = text
    if placeholders and "{{" in text:
        from .tags import spans
        tags = spans(text)
        pieces, last = [], 0
        for start, end in tags:
            pieces.append(text[last:start])
            pieces.append("x" * (end - start))
            last = end
        pieces.append(text[last:])
        masked = "".join(pieces)
    tokens: List[Token] = []
    i, n = 0, len(masked)
    while True:
        while i < n and masked[i] in _WHITESPACE:
            i += 1
        if i >= n:
            tokens.append(Token("end", "", n, n))
            return tokens
        if masked[i] in _SPECIAL:
            start = i
            best = None
            j = i
            while j < n and masked[j] in _SPECIAL:
                candidate = masked[start:j + 1]
                if candidate in _SYMBOLS:
                    best = j + 1
                elif best is not None:
                    break
                j += 1
            # Every single special character is a symbol, so `best` is set.
            tokens.append(Token(masked[start:best], masked[start:best], start, best))
            i = best
            continue
        start = i
        while i < n and masked[i] not in _WHITESPACE and masked[i] not in _SPECIAL:
            i += 1
        dynamic = any(s < i and e > start for s, e in tags)
        tokens.append(Token("word", text[start:i], start, i, dynamic))


def key_problem(key: str) -> Optional[str]:
    """Why ``key`` is not a valid label key (qualified name), or None."""
    parts = key.split("/")
    if len(parts) > 2:
        return "a key may contain at most one `/` (an optional DNS-subdomain prefix, then the name)"
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            return "the prefix before `/` is empty"
        if len(prefix) > PREFIX_MAX or not _DNS_SUBDOMAIN.match(prefix):
            return (f"the prefix `{prefix}` before `/` must be a DNS subdomain (lower-case letters, digits, "
                    "`-` and `.`)")
    if not name:
        return "the key is empty" if len(parts) == 1 else "the name after `/` is empty"
    if len(name) > NAME_MAX:
        return f"the key's name part is {len(name)} characters long; at most {NAME_MAX} are allowed"
    if not _NAME.match(name):
        return ("a key may contain only letters, digits, `-`, `_` and `.`, and must start and end with a "
                "letter or digit")
    return None


def value_problem(value: str) -> Optional[str]:
    """Why ``value`` is not a valid label value, or None."""
    if len(value) > VALUE_MAX:
        return f"the value is {len(value)} characters long; at most {VALUE_MAX} are allowed"
    if not _VALUE.match(value):
        return ("a value may contain only letters, digits, `-`, `_` and `.`, and must start and end with a "
                "letter or digit")
    return None


def _shown(token: Token) -> str:
    return "the end of the condition" if token.kind == "end" else f"`{token.text}`"


class _Parser:
    def __init__(self, tokens: List[Token]):
        self.tokens = tokens
        self.position = 0

    def peek(self) -> Token:
        return self.tokens[self.position]

    def take(self) -> Token:
        token = self.tokens[self.position]
        if token.kind != "end":
            self.position += 1
        return token


class _Fail(Exception):
    def __init__(self, message: str, start: int, end: int):
        super().__init__(message)
        self.error = SelectorError(message, start, max(end, start + 1))


def _fail(message: str, token: Token):
    raise _Fail(message, token.start, token.end)


def parse(text: str, placeholders: bool = True) -> Tuple[List[Requirement], Optional[SelectorError]]:
    """The requirements of a selector and the first error, if any (offsets
    are character positions in ``text``). An empty selector has no requirements."""
    parser = _Parser(tokenize(text, placeholders))
    requirements: List[Requirement] = []
    try:
        while True:
            token = parser.peek()
            if token.kind == "end":
                if requirements:  # only after a trailing comma
                    _fail("expected a requirement after `,`, found the end of the condition", token)
                return requirements, None
            if token.kind not in ("word", "!"):
                _fail(f"expected a key such as `status.phase` or `!key`, found {_shown(token)}", token)
            requirements.append(_requirement(parser))
            after = parser.take()
            if after.kind == "end":
                return requirements, None
            if after.kind != ",":
                hint = ""
                if after.kind == "word" and after.text.lower() in ("&&", "and"):
                    hint = "; write `,` between requirements that must all hold"
                elif after.kind == "word" and after.text.lower() in ("||", "or"):
                    hint = "; a selector has no `or`: all requirements, separated by `,`, must hold"
                _fail(f"expected `,` or the end of the condition, found {_shown(after)}{hint}", after)
            if parser.peek().kind not in ("word", "!"):
                _fail(f"expected a key after `,`, found {_shown(parser.peek())}", parser.peek())
    except _Fail as exc:
        return requirements, exc.error


def _check_key(token: Token):
    if token.dynamic:
        return
    problem = key_problem(token.text)
    if problem:
        _fail(f"`{token.text}` is not a valid key: {problem}", token)


def _check_value(token: Token, operator: str):
    if token.dynamic:
        return
    if operator in (">", "<"):
        if not _INT.match(token.text):
            _fail(f"`{operator}` compares integers only; `{token.text}` is not a base-10 integer", token)
        if not _INT64[0] <= int(token.text) <= _INT64[1]:
            _fail(f"`{token.text}` does not fit in a 64-bit integer", token)
    problem = value_problem(token.text)
    if problem:
        if operator in (">", "<") and token.text.startswith(("-", "+")):
            problem = "the operand of `>` and `<` must be a valid label value too, so it cannot have a sign"
        _fail(f"`{token.text}` is not a valid value: {problem}", token)


def _requirement(parser: _Parser) -> Requirement:
    first = parser.take()
    negated = first.kind == "!"
    key = parser.take() if negated else first
    if key.kind != "word":
        _fail(f"expected a key after `!`, found {_shown(key)}", key)
    _check_key(key)
    start = first.start
    following = parser.peek()
    if negated:
        return Requirement(key.text, "!", (), start, key.end)
    if following.kind in ("end", ","):
        return Requirement(key.text, "exists", (), start, key.end)
    operator = parser.take()
    op = operator.kind if operator.kind != "word" else operator.text
    if op not in OPERATORS:
        what = _shown(operator)
        _fail(f"expected an operator (`=`, `==`, `!=`, `in`, `notin`, `>` or `<`) after `{key.text}`, "
              f"found {what}", operator)
    if op in ("in", "notin"):
        values, end = _set_values(parser, op)
        for value in values:
            _check_value(value, op)
        # `()` and empty entries stand for the empty value, as in Kubernetes.
        return Requirement(key.text, op, tuple(v.text for v in values) or ("",), start, end)
    value_token = parser.peek()
    if value_token.kind in ("end", ","):
        if op in (">", "<"):
            _fail(f"`{op}` needs an integer after it, found {_shown(value_token)}", value_token)
        return Requirement(key.text, op, ("",), start, operator.end)
    value_token = parser.take()
    if value_token.kind == "=" and op in (">", "<"):
        _fail(f"there is no `{op}=` operator: compare with `{op}` and an integer one "
              f"{'less' if op == '>' else 'more'} (`{op} 0` for `{op}= 1`)",
              Token(op, op + "=", operator.start, value_token.end))
    if value_token.kind != "word":
        _fail(f"expected a value after `{key.text} {op}`, found {_shown(value_token)}", value_token)
    _check_value(value_token, op)
    return Requirement(key.text, op, (value_token.text,), start, value_token.end)


def _set_values(parser: _Parser, op: str) -> Tuple[List[Token], int]:
    opening = parser.take()
    if opening.kind != "(":
        _fail(f"expected `(` after `{op}`, found {_shown(opening)}", opening)
    values: List[Token] = []
    expect_value = True
    while True:
        token = parser.take()
        if token.kind == ")":
            return values, token.end
        if token.kind == "word" and expect_value:
            values.append(token)
            expect_value = False
            continue
        if token.kind == ",":
            expect_value = True
            continue
        if token.kind == "end":
            _fail(f"`{op} (` is never closed: expected `)`", opening)
        if token.kind == "word":
            _fail(f"expected `,` or `)` between values, found {_shown(token)}", token)
        _fail(f"expected a value, `,` or `)`, found {_shown(token)}", token)
