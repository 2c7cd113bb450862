"""The grammar of a DAG task's `depends` expression.

Argo compiles `depends` with expr-lang after turning each operand into a
boolean, so the language it can actually run is::

    expression := or
    or         := and ( "||" and )*
    and        := unary ( "&&" unary )*
    unary      := "!" unary | primary
    primary    := "(" expression ")" | operand
    operand    := TASK [ "." RESULT ]          (no space around the dot)

with `!` binding tighter than `&&`, and `&&` tighter than `||`. TASK is a task
name (`[A-Za-z0-9_][-A-Za-z0-9_]*` is lexed, so that `my_task` is reported as
an unknown task rather than as a stray character) and RESULT any word; which
results exist is the rule's business (`RESULTS`).

expr-lang also knows the words `and`, `or` and `not`; Argo's validator does
not: it reads every word as a task name. The parser accepts them where they
would be operators (so that `A and B` is not *also* a syntax error) and
reports them in ``Expression.words``; ``references`` lists them as task
names, which is how Argo sees them.

`parse` returns the tree and raises ``DependsSyntaxError`` (with the
character range of the offending token) on the first syntax error.
`analyze` never raises: it returns every operand the way Argo's validator
extracts them, syntax errors or not, and the first syntax error; it skips the
tree for the common `a && b.Failed || c` shape. `references` is its operands.
All are cached, since several rules read the same expressions.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import List, NamedTuple, Optional, Tuple, Union

from ..finding import SpanError
from ..lazyre import lazy_compile

RESULTS = ("Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned", "AnySucceeded", "AllFailed")
ITEM_RESULTS = frozenset({"AnySucceeded", "AllFailed"})

# Deeper nesting than this is refused rather than risking Python's recursion limit.
MAX_DEPTH = 200

_TOKEN = lazy_compile(r"""
    (?P<ws>\s+)
  | (?P<op>&&|\|\||[!()])
  | (?P<dot>\.)
  | (?P<name>[A-Za-z0-9_][-A-Za-z0-9_]*)
  | (?P<bad>.)
""", re.VERBOSE | re.DOTALL)


class DependsSyntaxError(SpanError):
    """A `depends` expression that does not parse."""


class Token(NamedTuple):
    kind: str    # "op" (&&, ||, !, parentheses), "dot", "name" or "bad"
    text: str
    start: int
    end: int


class Ref(NamedTuple):
    """An operand: `task` or `task.Result`, with where each part is."""

    task: str
    result: Optional[str]
    start: int                 # of the task name
    end: int                   # end of the whole operand
    result_start: Optional[int] = None

    @property
    def task_end(self) -> int:
        return self.start + len(self.task)

    @property
    def text(self) -> str:
        return self.task if self.result is None else f"{self.task}.{self.result}"


class Not(NamedTuple):
    operand: "Node"
    start: int                 # of the `!` (or `not`)
    word: Optional[str] = None  # "not" when written as a word


class BinOp(NamedTuple):
    op: str                    # "&&" or "||"
    left: "Node"
    right: "Node"
    start: int                 # of the operator
    word: Optional[str] = None  # "and" / "or" when written as a word


Node = Union[Ref, Not, BinOp]


class Expression(NamedTuple):
    tree: Node
    refs: Tuple[Ref, ...]                                   # operands, in order
    words: Tuple[Tuple[str, int, int], ...] = ()   # (word, start, end) used as operators


def tokenize(text: str) -> List[Token]:
    """Every token but whitespace; stray characters come out as kind "bad"."""
    return [Token(m.lastgroup, m.group(), m.start(), m.end())
            for m in _TOKEN.finditer(text) if m.lastgroup != "ws"]


def _describe(token: Token) -> str:
    return f"`{token.text}`"


class _Parser:
    def __init__(self, text: str, tokens: List[Token]):
        self.text = text
        self.tokens = tokens
        self.pos = 0
        self.refs: List[Ref] = []
        self.words: List[Tuple[str, int, int]] = []
        self.depth = 0

    # -- helpers -----------------------------------------------------------

    def peek(self, ahead: int = 0) -> Optional[Token]:
        i = self.pos + ahead
        return self.tokens[i] if i < len(self.tokens) else None

    def error(self, message: str, token: Token):
        raise DependsSyntaxError(message, token.start, token.end)

    def _binary_word(self, token: Optional[Token], word: str) -> bool:
        """`and`/`or` where an operator is expected."""
        return token is not None and token.kind == "name" and token.text == word

    def _starts_operand(self, token: Optional[Token]) -> bool:
        return token is not None and (token.kind == "name" or token.text in ("(", "!"))

    # -- grammar -----------------------------------------------------------

    def parse(self) -> Expression:
        if not self.tokens:
            raise DependsSyntaxError("the expression is empty", 0, len(self.text))
        tree = self.parse_or()
        token = self.peek()
        if token is not None:
            self.unexpected_after_operand(token)
        return Expression(tree, tuple(self.refs), tuple(self.words))

    def unexpected_after_operand(self, token: Token):
        if token.text == ")":
            self.error("`)` has no matching `(`", token)
        if token.kind == "dot":
            before = self.tokens[self.pos - 1] if self.pos else None
            if before is not None and before.kind == "name" and before.end < token.start:
                self.error("no space is allowed before `.`: write `task.Result`", token)
            self.error("unexpected `.`: a result follows its task directly, as in `task.Succeeded`", token)
        if token.kind == "bad":
            self.bad(token)
        self.error(f"expected `&&` or `||` before {_describe(token)}", token)

    def parse_or(self, after: Optional[Token] = None) -> Node:
        left = self.parse_and(after)
        while True:
            token = self.peek()
            if token is not None and token.text == "||":
                word = None
            elif self._binary_word(token, "or"):
                word = "or"
                self.words.append(("or", token.start, token.end))
            else:
                return left
            self.pos += 1
            right = self.parse_and(after=token)
            left = BinOp("||", left, right, token.start, word)

    def parse_and(self, after: Optional[Token] = None) -> Node:
        left = self.parse_unary(after)
        while True:
            token = self.peek()
            if token is not None and token.text == "&&":
                word = None
            elif self._binary_word(token, "and"):
                word = "and"
                self.words.append(("and", token.start, token.end))
            else:
                return left
            self.pos += 1
            right = self.parse_unary(after=token)
            left = BinOp("&&", left, right, token.start, word)

    def parse_unary(self, after: Optional[Token] = None) -> Node:
        # A run of `!` is read in a loop, not by recursion.
        nots: List[Token] = []
        while True:
            token = self.peek()
            if token is not None and token.text == "!":
                pass
            elif (token is not None and token.kind == "name" and token.text == "not"
                  and self._starts_operand(self.peek(1))):
                self.words.append(("not", token.start, token.end))
            else:
                break
            nots.append(token)
            after = token
            self.pos += 1
        node = self.parse_primary(after)
        for token in reversed(nots):
            node = Not(node, token.start, "not" if token.text == "not" else None)
        return node

    def parse_primary(self, after: Optional[Token]) -> Node:
        token = self.peek()
        if token is None:
            if after is None:
                raise DependsSyntaxError("the expression is empty", 0, len(self.text))
            self.error(f"expected a task after {_describe(after)}", after)
        if token.kind == "name":
            return self.parse_operand()
        if token.text == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                self.error("parentheses are nested too deeply", token)
            self.pos += 1
            inner = self.peek()
            if inner is not None and inner.text == ")":
                raise DependsSyntaxError("empty parentheses `()`", token.start, inner.end)
            if inner is None:
                self.error("`(` is never closed", token)
            node = self.parse_or(after=token)
            closing = self.peek()
            if closing is None:
                self.error("`(` is never closed", token)
            if closing.text != ")":
                self.unexpected_after_operand(closing)
            self.pos += 1
            self.depth -= 1
            return node
        if token.kind == "dot":
            self.error("expected a task name before `.`", token)
        if token.kind == "bad":
            self.bad(token)
        if after is not None:
            self.error(f"expected a task after {_describe(after)}, found {_describe(token)}", token)
        self.error(f"expected a task, found {_describe(token)}", token)

    def parse_operand(self) -> Ref:
        name = self.tokens[self.pos]
        self.pos += 1
        dot = self.peek()
        if dot is None or dot.kind != "dot" or dot.start != name.end:
            ref = Ref(name.text, None, name.start, name.end)
        else:
            self.pos += 1
            result = self.peek()
            if result is None or result.kind != "name" or result.start != dot.end:
                self.error(f"expected a result name after `{name.text}.`, such as `{name.text}.Succeeded`", dot)
            self.pos += 1
            ref = Ref(name.text, result.text, name.start, result.end, result.start)
        self.refs.append(ref)
        return ref

    def bad(self, token: Token):
        if token.text in "'\"`":
            self.error("quotes are not allowed in `depends`: write task names bare", token)
        if token.text in "&|":
            self.error(f"`{token.text}` is not an operator; did you mean `{token.text * 2}`?", token)
        self.error(f"unexpected character `{token.text}`: `depends` combines tasks with `&&`, `||`, `!` "
                   "and parentheses", token)


class Analysis(NamedTuple):
    refs: Tuple[Ref, ...]                       # every operand, as Argo's validator reads them
    error: Optional[DependsSyntaxError]         # the first syntax error, if any


# Most expressions are operands joined by `&&` / `||`: recognised in one
# regular-expression match, without tokens or a tree.
_NAME = r"[A-Za-z0-9_][-A-Za-z0-9_]*"
_OPERAND = lazy_compile(rf"({_NAME})(?:\.({_NAME}))?")
_SIMPLE = lazy_compile(rf"\s*{_NAME}(?:\.{_NAME})?(?:\s*(?:&&|\|\|)\s*{_NAME}(?:\.{_NAME})?)*\s*")


@lru_cache(maxsize=8192)
def analyze(text: str) -> Analysis:
    """The operands and the first syntax error, without building a tree."""
    if _SIMPLE.fullmatch(text):
        return Analysis(tuple(Ref(m.group(1), m.group(2), m.start(), m.end(),
                                  m.start(2) if m.group(2) is not None else None)
                              for m in _OPERAND.finditer(text)), None)
    outcome = _parse(text)
    if isinstance(outcome, DependsSyntaxError):
        return Analysis(_scan_refs(tokenize(text)), outcome)
    if outcome.words:
        return Analysis(_scan_refs(tokenize(text)), None)
    return Analysis(outcome.refs, None)


@lru_cache(maxsize=8192)
def _parse(text: str) -> Union[Expression, DependsSyntaxError]:
    try:
        return _Parser(text, tokenize(text)).parse()
    except DependsSyntaxError as error:
        return error


def _scan_refs(tokens: List[Token]) -> Tuple[Ref, ...]:
    """Every word is a task (Argo's reading), `task.Result` when a result is
    attached without spaces."""
    refs = []
    i, n = 0, len(tokens)
    while i < n:
        token = tokens[i]
        if token.kind == "name":
            if (i + 2 < n and tokens[i + 1].kind == "dot" and tokens[i + 1].start == token.end
                    and tokens[i + 2].kind == "name" and tokens[i + 2].start == tokens[i + 1].end):
                result = tokens[i + 2]
                refs.append(Ref(token.text, result.text, token.start, result.end, result.start))
                i += 3
                continue
            refs.append(Ref(token.text, None, token.start, token.end))
        i += 1
    return tuple(refs)


def parse(text: str) -> Expression:
    """The expression's tree and operands; raises DependsSyntaxError."""
    outcome = _parse(text)
    if isinstance(outcome, DependsSyntaxError):
        raise outcome
    return outcome


def references(text: str) -> Tuple[Ref, ...]:
    """Every task the expression names, whether or not it parses (each word
    counts, `and` included, as Argo's validator reads it)."""
    return analyze(text).refs


def is_dynamic(text: str) -> bool:
    return "{{" in text
