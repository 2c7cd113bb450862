"""A step's or task's `when`, as Argo evaluates it: govaluate (Knetic/govaluate
v3) over the text left after `{{...}}` substitution.

Argo first substitutes the tags, then hands the text to govaluate, turns
every token govaluate reads as a *variable* (a bare word) into a string, and
evaluates with no parameters; the result must be a boolean. (A CronWorkflow's
`spec.when` skips the bare-word conversion.)

govaluate's lexer, as far as `when` is concerned::

    spaces           skipped; they also end a number, a word or a symbol run
    number           digits and dots (`1`, `1.5`; `10.0.0.1` fails to parse)
    'str' / "str"    a string; either quote ends it; backslash escapes
    word             a letter, then letters, digits, `_` and `.`:
                     `true`/`false` are booleans, `in` the comparator,
                     `a.B` an accessor (a field after a dot must be upper case)
    [word]           a variable with any characters
    ( ) ,            grouping and lists (`x in ('a', 'b')`)
    symbols          a run of other characters: prefix `- ! ~`; modifiers
                     `+ - * / % ** & | ^ >> <<`; logic `&& ||`; comparators
                     `== != > >= < <= =~ !~`; ternary `? : ??`

Tokens must follow each other as govaluate's state table allows (a value,
then an operator, then a value ...), parentheses must balance, and the
operators need the right types (`-` numbers, `&&` booleans, `>` two numbers or
two strings).

``check`` takes the text with every tag replaced by a same-length
placeholder (see ``wflint.lang.tags.substitute``) and the placeholder ranges,
which stand for values of unknown type; it returns the problems: a syntax
error (at most one, where govaluate stops), and the traps: bare words
govaluate splits (`my-value` is `my - value`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import List, Optional, Sequence, Tuple

from ..slots import FrozenRecord

NUMERIC, BOOLEAN, STRING, VARIABLE, ACCESSOR = "numeric", "boolean", "string", "variable", "accessor"
TIME = "time"
PREFIX, MODIFIER, LOGICAL, COMPARATOR, TERNARY = "prefix", "modifier", "logical", "comparator", "ternary"
CLAUSE, CLOSE, SEPARATOR = "clause", "close", "separator"
PLACEHOLDER = "placeholder"      # a substituted tag: a value of unknown type

PREFIXES = frozenset({"-", "!", "~"})
MODIFIERS = frozenset({"+", "-", "*", "/", "%", "**", "&", "|", "^", ">>", "<<"})
LOGICALS = frozenset({"&&", "||"})
COMPARATORS = frozenset({"==", "!=", ">", ">=", "<", "<=", "=~", "!~", "in"})
TERNARIES = frozenset({"?", ":", "??"})

VALUES = (NUMERIC, BOOLEAN, STRING, VARIABLE, ACCESSOR, TIME, PLACEHOLDER)
# govaluate's lexer state table: which kind may follow which.
_AFTER_VALUE = {MODIFIER, COMPARATOR, LOGICAL, CLOSE, TERNARY, SEPARATOR}
_OPERAND = {PREFIX, NUMERIC, BOOLEAN, VARIABLE, ACCESSOR, STRING, TIME, CLAUSE, PLACEHOLDER}
NEXT = {
    None: _OPERAND,
    CLAUSE: _OPERAND | {CLOSE},
    CLOSE: {COMPARATOR, MODIFIER, NUMERIC, BOOLEAN, VARIABLE, STRING, TIME, CLAUSE, CLOSE, LOGICAL,
            TERNARY, SEPARATOR, PLACEHOLDER},
    NUMERIC: _AFTER_VALUE, BOOLEAN: _AFTER_VALUE, STRING: _AFTER_VALUE, VARIABLE: _AFTER_VALUE,
    PLACEHOLDER: _AFTER_VALUE,
    TIME: _AFTER_VALUE - {TERNARY},
    ACCESSOR: _AFTER_VALUE | {CLAUSE},
    MODIFIER: _OPERAND | {CLOSE},
    COMPARATOR: _OPERAND | {CLOSE},
    LOGICAL: _OPERAND | {CLOSE},
    PREFIX: {NUMERIC, BOOLEAN, VARIABLE, ACCESSOR, CLAUSE, CLOSE, PLACEHOLDER},
    TERNARY: _OPERAND | {SEPARATOR},
    SEPARATOR: _OPERAND,
}
ENDS = {CLOSE, NUMERIC, BOOLEAN, STRING, VARIABLE, ACCESSOR, TIME, PLACEHOLDER}

KIND_WORDS = {
    NUMERIC: "a number", BOOLEAN: "a boolean", STRING: "a string", VARIABLE: "a word",
    ACCESSOR: "an accessor", TIME: "a date", PLACEHOLDER: "a tag", PREFIX: "a prefix operator",
    MODIFIER: "an arithmetic operator", LOGICAL: "a logical operator", COMPARATOR: "a comparison",
    TERNARY: "a ternary operator", CLAUSE: "`(`", CLOSE: "`)`", SEPARATOR: "`,`", None: "the start",
}


class Token(FrozenRecord):
    """A token of a `when` condition."""

    __slots__ = ("kind", "text", "start", "end")

    kind: str
    text: str
    start: int
    end: int

    def __init__(self, kind, text, start, end):
        self.kind = kind
        self.text = text
        self.start = start
        self.end = end


class Problem(FrozenRecord):
    """``kind`` is "syntax" (govaluate refuses it), "type" (it parses but
    cannot evaluate) or "trap" (a bare word govaluate splits)."""

    __slots__ = ("kind", "message", "start", "end", "hint")

    kind: str
    message: str
    start: int
    end: int
    hint: Optional[str]

    def __init__(self, kind, message, start, end, hint=None):
        self.kind = kind
        self.message = message
        self.start = start
        self.end = end
        self.hint = hint


class WhenError(ValueError):
    def __init__(self, message: str, start: int, end: int, kind: str = "syntax", hint: Optional[str] = None):
        super().__init__(message)
        self.problem = Problem(kind, message, start, max(end, start + 1), hint)


def _is_letter(c: str) -> bool:
    return c.isalpha()


def _is_variable_char(c: str) -> bool:
    return c.isalpha() or c.isdigit() or c == "_" or c == "."


_WORD_REST = re.compile(r"[^\W]*(?:\.[^\W]*)*")      # letters, digits, `_` and `.`
_NUMBER_REST = re.compile(r"[\d.]*")


def _is_symbol_char(c: str) -> bool:
    return not (c.isdigit() or c.isalpha() or c in "()[]'\"")


def tokenize(text: str, placeholders: Sequence[Tuple[int, int]] = ()) -> List[Token]:
    """govaluate's tokens for ``text`` (see ``_tokenize``); raises WhenError."""
    tokens, error = _cached_tokens(text, tuple(placeholders))
    if error is not None:
        raise WhenError(error.message, error.start, error.end, error.kind, error.hint)
    return list(tokens)


@lru_cache(maxsize=8192)
def _cached_tokens(text: str, placeholders: Tuple[Tuple[int, int], ...]):
    try:
        return tuple(_tokenize(text, placeholders)), None
    except WhenError as error:
        return (), error.problem


def _tokenize(text: str, placeholders: Sequence[Tuple[int, int]] = ()) -> List[Token]:
    """govaluate's tokens for ``text``. The ranges in ``placeholders`` (the
    tags of the original text) are read as words of unknown value: a word that
    overlaps one comes out as a PLACEHOLDER token. Raises WhenError."""
    scan = text
    if placeholders:
        chars = list(text)
        for start, end in placeholders:
            chars[start:end] = "x" * (end - start)
        scan = "".join(chars)

    def overlaps(start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in placeholders)

    tokens: List[Token] = []
    n = len(scan)
    i = 0
    while i < n:
        c = scan[i]
        if c.isspace():
            i += 1
            continue
        start = i
        if c.isdigit() or c == ".":
            i = _NUMBER_REST.match(scan, i + 1).end()
            word = text[start:i]
            try:
                float(word)
            except ValueError:
                raise WhenError(f"govaluate cannot read `{word}` as a number", start, i,
                                hint=f"quote it: '{word}'")
            tokens.append(Token(NUMERIC, word, start, i))
            continue
        if c == ",":
            tokens.append(Token(SEPARATOR, c, i, i + 1))
            i += 1
            continue
        if c == "[":
            j = scan.find("]", i + 1)
            if j < 0:
                raise WhenError("`[` is never closed (govaluate reads `[...]` as a variable name)", i, n)
            tokens.append(Token(VARIABLE, text[i:j + 1], i, j + 1))
            i = j + 1
            continue
        if c.isalpha():
            i = _WORD_REST.match(scan, i + 1).end()
            word = text[start:i]
            if overlaps(start, i):
                tokens.append(Token(PLACEHOLDER, word, start, i))
            elif word in ("true", "false"):
                tokens.append(Token(BOOLEAN, word, start, i))
            elif word in ("in", "IN"):
                tokens.append(Token(COMPARATOR, "in", start, i))
            elif "." in word:
                if word.endswith("."):
                    raise WhenError(f"govaluate cannot read `{word}`: it ends with a dot", start, i,
                                    hint=f"quote it: '{word}'")
                for part in word.split(".")[1:]:
                    if part and part[0] != part[0].upper():
                        raise WhenError(f"govaluate reads `{word}` as a field access, and cannot access "
                                        f"`{part}`", start, i, hint=f"quote it: '{word}'")
                tokens.append(Token(ACCESSOR, word, start, i))
            else:
                tokens.append(Token(VARIABLE, word, start, i))
            continue
        if c in "'\"":
            j = i + 1
            while j < n and scan[j] not in "'\"":
                j += 2 if scan[j] == "\\" else 1
            if j >= n:
                raise WhenError("string is never closed", i, n)
            tokens.append(Token(STRING, text[i + 1:j], i, j + 1))
            i = j + 1
            continue
        if c == "(":
            tokens.append(Token(CLAUSE, c, i, i + 1))
            i += 1
            continue
        if c == ")":
            tokens.append(Token(CLOSE, c, i, i + 1))
            i += 1
            continue
        while i < n and not scan[i].isspace() and _is_symbol_char(scan[i]):
            i += 1
        symbol = text[start:i]
        previous = tokens[-1].kind if tokens else None
        if symbol in PREFIXES and PREFIX in NEXT.get(previous, ()):
            kind = PREFIX
        elif symbol in MODIFIERS:
            kind = MODIFIER
        elif symbol in LOGICALS:
            kind = LOGICAL
        elif symbol in COMPARATORS:
            kind = COMPARATOR
        elif symbol in TERNARIES:
            kind = TERNARY
        else:
            raise WhenError(f"`{symbol}` is not an operator govaluate knows", start, i,
                            hint="quote values that contain symbols")
        tokens.append(Token(kind, symbol, start, i))
    return tokens


MAX_DEPTH = 200  # parentheses, as for `depends` and expressions


def _syntax(tokens: List[Token], length: int) -> None:
    state = None
    previous: Optional[Token] = None
    depth = 0
    opened: List[Token] = []
    for token in tokens:
        if token.kind not in NEXT.get(state, ()):
            if previous is not None and previous.kind == VARIABLE and token.kind == CLAUSE:
                raise WhenError(f"`{previous.text}(` looks like a function call; `when` has no functions",
                                previous.start, token.end)
            after = KIND_WORDS[state] if previous is None else f"`{previous.text}`"
            raise WhenError(f"`{token.text}` cannot follow {after}", token.start, token.end)
        if token.kind == CLAUSE:
            depth += 1
            if depth > MAX_DEPTH:  # the type pass recurses once per level
                raise WhenError("parentheses are nested too deeply", token.start, token.end)
            opened.append(token)
        elif token.kind == CLOSE:
            depth -= 1
            if depth < 0:
                raise WhenError("`)` has no matching `(`", token.start, token.end)
            opened.pop()
        state = token.kind
        previous = token
    if state is None:
        raise WhenError("the condition is empty", 0, max(length, 1))
    if state not in ENDS:
        raise WhenError(f"the condition ends with `{previous.text}`", previous.start, previous.end)
    if depth:
        raise WhenError("`(` is never closed", opened[-1].start, opened[-1].end)


# -- a small evaluator of types -----------------------------------------------

ANY, NUM, STR, BOOL, LIST = "any", "number", "string", "boolean", "list"


class _Types:
    """Precedence climbing over the tokens, computing each operand's type the
    way govaluate's stage planner and type checks would."""

    # govaluate's planner, from the loosest: ternary, ||, &&, bitwise, shifts,
    # comparators, + -, * / %, **
    PRECEDENCE = {"?": 1, ":": 1, "??": 1, "||": 2, "&&": 3, "&": 4, "|": 4, "^": 4, ">>": 5, "<<": 5,
                  "==": 6, "!=": 6, ">": 6, ">=": 6, "<": 6, "<=": 6, "=~": 6, "!~": 6, "in": 6,
                  "+": 7, "-": 7, "*": 8, "/": 8, "%": 8, "**": 9}
    GROUPS = {1: "ternary", 2: "logical", 3: "logical", 4: "bitwise", 5: "shift", 6: "comparator",
              7: "additive", 8: "multiplicative", 9: "exponential"}
    OPERATORS = (MODIFIER, LOGICAL, COMPARATOR, TERNARY)

    def __init__(self, tokens: List[Token], bare_words: bool):
        self.tokens = tokens
        self.pos = 0
        self.bare_words = bare_words

    def peek(self) -> Optional[Token]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse(self) -> Tuple[str, Token]:
        return self.level(1)

    def level(self, minimum: int):
        left_type, left_tok = self.prefix()
        while True:
            token = self.peek()
            if token is None or token.kind not in self.OPERATORS:
                return left_type, left_tok
            precedence = self.PRECEDENCE.get(token.text, 0)
            if precedence < minimum:
                return left_type, left_tok
            self.pos += 1
            right_type, right_tok = self.level(precedence if precedence == 1 else precedence + 1)
            left_type = self._combine(self.GROUPS[precedence], token, left_type, left_tok, right_type, right_tok)
            left_tok = Token(left_tok.kind, left_tok.text, left_tok.start, right_tok.end)

    def _combine(self, name, op, lt, ltok, rt, rtok):
        symbol = op.text

        def fail(what, tok):
            raise WhenError(what, tok.start, tok.end, kind="type")

        if name == "ternary":
            if symbol == "?" and lt not in (BOOL, ANY):
                fail(f"`{ltok.text}` before `?` is not a boolean", ltok)
            return ANY
        if name == "logical":
            for t, tok in ((lt, ltok), (rt, rtok)):
                if t not in (BOOL, ANY):
                    fail(f"`{tok.text}` is not a boolean, so it cannot be used with `{symbol}`", tok)
            return BOOL
        if name == "comparator":
            if symbol in ("==", "!="):
                return BOOL
            if symbol == "in":
                if rt not in (LIST, ANY):
                    fail(f"the right side of `in` must be a list in parentheses, like ('a', 'b')", rtok)
                return BOOL
            if symbol in ("=~", "!~"):
                for t, tok in ((lt, ltok), (rt, rtok)):
                    if t not in (STR, ANY):
                        fail(f"`{tok.text}` is not a string, so it cannot be matched with `{symbol}`", tok)
                return BOOL
            if ANY not in (lt, rt) and not (lt == rt and lt in (NUM, STR)):
                fail(f"`{symbol}` compares two numbers or two strings, not `{ltok.text}` and `{rtok.text}`", op)
            return BOOL
        if symbol == "+":
            if ANY in (lt, rt):
                return ANY
            if lt == NUM and rt == NUM:
                return NUM
            if STR in (lt, rt):
                return STR
            fail(f"`+` cannot add `{ltok.text}` and `{rtok.text}`", op)
        for t, tok in ((lt, ltok), (rt, rtok)):
            if t not in (NUM, ANY):
                fail(f"`{tok.text}` is not a number, so it cannot be used with `{symbol}`", tok)
        return NUM if ANY not in (lt, rt) else ANY

    def prefix(self):
        token = self.peek()
        if token is not None and token.kind == PREFIX:
            self.pos += 1
            t, tok = self.prefix()
            want = BOOL if token.text == "!" else NUM
            if t not in (want, ANY):
                raise WhenError(f"`{token.text}` needs {'a boolean' if want == BOOL else 'a number'}, "
                                f"not `{tok.text}`", tok.start, tok.end, kind="type")
            return t, Token(tok.kind, tok.text, token.start, tok.end)
        return self.value()

    def value(self):
        token = self.peek()
        if token is None:
            raise WhenError("unexpected end of the condition", 0, 1)
        self.pos += 1
        if token.kind == CLAUSE:
            types = []
            end = token
            while True:
                types.append(self.level(1))
                following = self.peek()
                if following is not None and following.kind == SEPARATOR:
                    self.pos += 1
                    continue
                break
            following = self.peek()
            if following is not None and following.kind == CLOSE:
                self.pos += 1
                end = following
            whole = Token(CLAUSE, "(...)", token.start, end.end)
            if len(types) > 1:
                return LIST, whole
            return types[0][0], whole
        kind = token.kind
        if kind == NUMERIC:
            return NUM, token
        if kind == BOOLEAN:
            return BOOL, token
        if kind in (STRING, TIME):
            return STR, token
        if kind == VARIABLE:
            return (STR if self.bare_words else ANY), token
        return ANY, token


def check(text: str, placeholders: Sequence[Tuple[int, int]] = (), bare_words: bool = True) -> List[Problem]:
    """Problems of a `when` condition (``text`` with tags already replaced by
    placeholders covering ``placeholders``): at most one syntax or type error,
    plus every bare-word trap before it."""
    return list(_check(text, tuple(placeholders), bare_words))


@lru_cache(maxsize=4096)
def _check(text: str, placeholders: Tuple[Tuple[int, int], ...], bare_words: bool) -> Tuple[Problem, ...]:
    """``check``, once per condition (the same one is often written in many steps and files)."""
    return tuple(_problems(text, placeholders, bare_words))


def _problems(text: str, placeholders: Sequence[Tuple[int, int]], bare_words: bool) -> List[Problem]:
    problems: List[Problem] = []
    try:
        tokens = tokenize(text, placeholders)
    except WhenError as error:
        return problems + [error.problem]
    problems.extend(traps(tokens, text))
    if not bare_words:
        for token in tokens:
            if token.kind in (VARIABLE, ACCESSOR):
                problems.append(Problem("type", f"`{token.text}` is a parameter to govaluate, and there are "
                                                f"none: this `when` does not turn bare words into strings",
                                        token.start, token.end, hint=f"quote it: '{token.text}'"))
    try:
        _syntax(tokens, len(text))
    except WhenError as error:
        return problems + [error.problem]
    if not problems:
        try:
            result, token = _Types(tokens, bare_words).parse()
            if result not in (BOOL, ANY):
                problems.append(Problem("type", "the condition is not a boolean: govaluate would "
                                                "return a value, and Argo expects true or false",
                                        0, max(len(text.rstrip()), 1)))
        except WhenError as error:
            problems.append(error.problem)
        except RecursionError:  # a chain of thousands of ternaries, each one level deeper
            problems.append(Problem("syntax", "the condition is nested too deeply", 0, max(len(text), 1)))
    return problems


_WORDISH = frozenset({VARIABLE, NUMERIC, PLACEHOLDER, ACCESSOR, BOOLEAN})
_SPLITTERS = frozenset({"-", "/", ":"})


def traps(tokens: List[Token], text: str) -> List[Problem]:
    """Bare words that govaluate splits: `my-value` is a subtraction of two
    words, `a/b` a division: runs of tokens with no space between them that
    join a word with `-`, `/` or `:`."""
    out = []
    i, n = 0, len(tokens)
    while i < n:
        j = i
        while (j + 1 < n and tokens[j + 1].start == tokens[j].end
               and (tokens[j + 1].kind in _WORDISH or tokens[j + 1].text in _SPLITTERS)):
            j += 1
        run = tokens[i:j + 1]
        # trim operators at the ends: `-x` is a negation, `x-` a syntax error
        while run and run[0].kind not in _WORDISH:
            run = run[1:]
        while run and run[-1].kind not in _WORDISH:
            run = run[:-1]
        if (len(run) > 1 and any(t.text in _SPLITTERS and t.kind not in _WORDISH for t in run)
                and any(t.kind in (VARIABLE, ACCESSOR) for t in run)):
            word = text[run[0].start:run[-1].end]
            spaced = " ".join(t.text for t in run)
            out.append(Problem("trap", f"bare word `{word}` is read by govaluate as `{spaced}`",
                               run[0].start, run[-1].end, hint=f"quote it: '{word}'"))
        i = j + 1
    return out


@lru_cache(maxsize=4096)
def value_is_word(value: str) -> bool:
    """Whether a substituted value stays one operand for govaluate when it is
    not quoted (`heads`, `42`, `true`), as opposed to `my-value`, `a b`, `1.2.3`."""
    try:
        tokens = tokenize(value)
    except WhenError:
        return False
    return len(tokens) == 1 and tokens[0].kind in (VARIABLE, NUMERIC, BOOLEAN)
