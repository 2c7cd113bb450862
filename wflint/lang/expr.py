"""expr-lang (github.com/expr-lang/expr, the v1.17 line Argo embeds): a
tokenizer and parser faithful enough to report syntax errors where expr
reports them, and to list the variables an expression reads.

Grammar (precedence from low to high, all binary operators left-associative
except `**`/`^`)::

    expression  := "let" NAME "=" expression ";" expression
                 | binary [ "?" expression ":" expression | "?:" expression ]
    binary      := unary ( OP binary )*          by precedence:
                   |  0   or ||  10   and &&  15
                   == != < > <= >= in matches contains startsWith endsWith
                   (and `not in`, `not matches`, ...)  20 (chains: a < b < c)
                   ..  25   + -  30   * / %  60   ** ^  100   ??  500
    unary       := ("not" | "!" | "-" | "+") binary | postfix
    postfix     := primary ( "." NAME [ args ] | "?." NAME [ args ]
                           | "[" expression "]" | "[" [expression] ":" [expression] "]" )*
    primary     := literal | NAME | NAME args | "(" expression ")"
                 | "[" list "]" | "{" (key ":" expression),* "}"
                 | "#" [NAME] | "." NAME            (inside a predicate only)
                 | "if" expression "{" expression "}" "else" ( "{" expression "}" | if )
                 | "::" NAME args
    literal     := number | 'string' | "string" | `raw` | true | false | nil

Built-in functions that take a predicate (`filter(list, # > 1)`,
`map(list, {.name})`) parse their second argument as a closure in which `#`,
`#index`, `#acc` and `.field` are allowed. `x | f(a)` is `f(x, a)`.

``parse`` raises ``ExprSyntaxError`` with the character range of the first
problem, as expr's own lexer and parser would find it. ``references`` lists
the variables an expression reads as constant member chains
(`inputs.parameters['a-b']` is ``("inputs", "parameters", "a-b")``), with
where each part is, and whether `?.`/`??` guard it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import List, Optional, Tuple

from ..finding import SpanError

# ---------------------------------------------------------------------------
# Names

PREDICATES = {
    # name: (number of arguments, optional trailing ones)
    "all": (2, 0), "none": (2, 0), "any": (2, 0), "one": (2, 0), "filter": (2, 0),
    "map": (2, 0), "count": (2, 1), "sum": (2, 1), "find": (2, 0), "findIndex": (2, 0),
    "findLast": (2, 0), "findLastIndex": (2, 0), "groupBy": (2, 0), "sortBy": (3, 1),
    "reduce": (3, 1),
}
BUILTINS = frozenset(PREDICATES) | frozenset("""
    len type abs ceil floor round int float string trim trimPrefix trimSuffix upper lower
    split splitAfter replace repeat join indexOf lastIndexOf hasPrefix hasSuffix max min
    mean median toJSON fromJSON toBase64 fromBase64 now duration date timezone first last
    get take keys values toPairs fromPairs sort bitand bitor bitxor bitnand bitnot bitshl
    bitshr bitushr concat flatten uniq
""".split())
# Functions Argo adds to the environment (util/expr/env).
ARGO_FUNCTIONS = frozenset({"asInt", "asFloat", "jsonpath", "toJson"})
FUNCTIONS = BUILTINS | ARGO_FUNCTIONS
# Sprig's generic functions, minus `env` and `expandenv` which Argo removes.
SPRIG = frozenset("""
    hello ago date date_in_zone date_modify dateInZone dateModify duration durationRound htmlDate
    htmlDateInZone must_date_modify mustDateModify mustToDate now toDate unixEpoch abbrev abbrevboth
    trunc trim upper lower title untitle substr repeat trimall trimAll trimSuffix trimPrefix nospace
    initials randAlphaNum randAlpha randAscii randNumeric randSeededNumeric swapcase shuffle snakecase
    camelcase kebabcase wrap wrapWith contains hasPrefix hasSuffix quote squote cat indent nindent
    replace plural sha1sum sha256sum sha512sum adler32sum toString atoi int64 int float64 seq
    toDecimal split splitList splitn toStrings until untilStep add1 add sub div mod mul randInt
    add1f addf subf divf mulf biggest max min maxf minf ceil floor round join sortAlpha default
    empty coalesce all any compact mustCompact fromJson toJson toPrettyJson toRawJson mustFromJson
    mustToJson mustToPrettyJson mustToRawJson ternary deepCopy mustDeepCopy typeOf typeIs
    typeIsLike kindOf kindIs deepEqual getHostByName base dir clean ext isAbs osBase osClean osDir
    osExt osIsAbs b64enc b64dec b32enc b32dec tuple list dict get set unset hasKey pluck keys pick
    omit merge mergeOverwrite mustMerge mustMergeOverwrite values append push mustAppend mustPush
    prepend mustPrepend first mustFirst rest mustRest last mustLast initial mustInitial reverse
    mustReverse uniq mustUniq without mustWithout has mustHas slice mustSlice concat dig chunk
    mustChunk bcrypt htpasswd genPrivateKey derivePassword buildCustomCert genCA genCAWithKey
    genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey encryptAES
    decryptAES randBytes uuidv4 semver semverCompare fail regexMatch mustRegexMatch regexFindAll
    mustRegexFindAll regexFind mustRegexFind regexReplaceAll mustRegexReplaceAll
    regexReplaceAllLiteral mustRegexReplaceAllLiteral regexSplit mustRegexSplit regexQuoteMeta
    urlParse urlJoin
""".split())

WORD_OPERATORS = frozenset({"in", "or", "and", "matches", "contains", "startsWith", "endsWith",
                            "let", "if", "else"})
NEGATABLE = frozenset({"contains", "matches", "startsWith", "endsWith", "in"})
BINARY = {
    "|": 0, "or": 10, "||": 10, "and": 15, "&&": 15,
    "==": 20, "!=": 20, "<": 20, ">": 20, ">=": 20, "<=": 20, "in": 20, "matches": 20,
    "contains": 20, "startsWith": 20, "endsWith": 20,
    "..": 25, "+": 30, "-": 30, "*": 60, "/": 60, "%": 60, "**": 100, "^": 100, "??": 500,
}
RIGHT_ASSOCIATIVE = frozenset({"**", "^"})
UNARY = {"not": 50, "!": 50, "-": 90, "+": 90}

MAX_DEPTH = 200


class ExprSyntaxError(SpanError):
    """An expression expr-lang would refuse."""


# ---------------------------------------------------------------------------
# Tokens

@dataclass(frozen=True)
class Token:
    """A token of an expression."""

    kind: str       # ident, number, string, op, bracket, eof
    value: str      # source text (the decoded value for strings)
    start: int
    end: int

    def is_(self, kind: str, *values: str) -> bool:
        return self.kind == kind and (not values or self.value in values)

    def describe(self) -> str:
        if self.kind == "eof":
            return "the end of the expression"
        if self.kind == "string":
            return f"the string {self.value!r}"
        return f"`{self.value}`"


def _alnum(c: str) -> bool:
    return c == "_" or c == "$" or c.isalpha() or c.isdigit()


_ESCAPES = "abfnrtv\\"


def tokenize(src: str) -> List[Token]:
    """Tokens of ``src`` (ending with an eof token); raises ExprSyntaxError."""
    tokens: List[Token] = []
    n = len(src)
    i = 0

    def error(message: str, at: int, end: Optional[int] = None):
        raise ExprSyntaxError(message, at, end if end is not None else at + 1)

    while i < n:
        c = src[i]
        if c.isspace():
            i += 1
            continue
        start = i
        if c in "'\"":
            j = i + 1
            out = []
            while True:
                if j >= n or src[j] == "\n":
                    error("string literal not terminated", start, j)
                ch = src[j]
                if ch == c:
                    break
                if ch == "\\":
                    j += 1
                    esc = src[j] if j < n else ""
                    if esc and (esc in _ESCAPES or esc == c):
                        out.append({"n": "\n", "t": "\t", "r": "\r"}.get(esc, esc))
                        j += 1
                    elif esc and esc in "01234567":
                        digits = src[j:j + 3]
                        if len(digits) < 3 or any(d not in "01234567" for d in digits):
                            error("invalid escape in string", j - 1, j + 1)
                        out.append(chr(int(digits, 8)))
                        j += 3
                    elif esc in ("x", "u", "U"):
                        width = {"x": 2, "u": 4, "U": 8}[esc]
                        digits = src[j + 1:j + 1 + width]
                        if len(digits) < width or any(d not in "0123456789abcdefABCDEF" for d in digits):
                            error("invalid escape in string", j - 1, j + 1)
                        out.append(chr(int(digits, 16)) if int(digits, 16) < 0x110000 else "?")
                        j += 1 + width
                    else:
                        error(f"invalid escape `\\{esc}` in string", j - 1, j + 1)
                    continue
                out.append(ch)
                j += 1
            tokens.append(Token("string", "".join(out), start, j + 1))
            i = j + 1
            continue
        if c == "`":
            j = src.find("`", i + 1)
            if j < 0:
                error("string literal not terminated", start, n)
            tokens.append(Token("string", src[i + 1:j], start, j + 1))
            i = j + 1
            continue
        if c.isdigit() or (c == "." and i + 1 < n and src[i + 1].isdigit()):
            i = _number(src, i, error)
            tokens.append(Token("number", src[start:i], start, i))
            continue
        if c == "?":
            i += 2 if i + 1 < n and src[i + 1] in ".?" else 1
            tokens.append(Token("op", src[start:i], start, i))
            continue
        if c == "/":
            if src.startswith("//", i):
                j = src.find("\n", i)
                i = n if j < 0 else j + 1
                continue
            if src.startswith("/*", i):
                j = src.find("*/", i + 2)
                if j < 0:
                    error("comment not closed", start, n)
                i = j + 2
                continue
            tokens.append(Token("op", "/", start, i + 1))
            i += 1
            continue
        if c == "#":
            tokens.append(Token("op", "#", start, i + 1))
            i += 1
            j = i
            while j < n and _alnum(src[j]):
                j += 1
            if j > i:
                tokens.append(Token("ident", src[i:j], i, j))
                i = j
            continue
        if c in "|:":
            i += 2 if i + 1 < n and src[i + 1] == c else 1
            tokens.append(Token("op", src[start:i], start, i))
            continue
        if c in "([{)]}":
            tokens.append(Token("bracket", c, start, i + 1))
            i += 1
            continue
        if c in ",;%+-^":
            tokens.append(Token("op", c, start, i + 1))
            i += 1
            continue
        if c in "&!=*<>":
            i += 2 if i + 1 < n and src[i + 1] in "&=*" else 1
            tokens.append(Token("op", src[start:i], start, i))
            continue
        if c == ".":
            i += 2 if i + 1 < n and src[i + 1] == "." else 1
            tokens.append(Token("op", src[start:i], start, i))
            continue
        if _alnum(c):
            j = i
            while j < n and _alnum(src[j]):
                j += 1
            word = src[i:j]
            if word == "not":
                tokens.append(Token("op", "not", i, j))
                k = j
                while k < n and src[k] == " ":
                    k += 1
                m = k
                while m < n and _alnum(src[m]):
                    m += 1
                if src[k:m] in NEGATABLE:
                    tokens.append(Token("op", src[k:m], k, m))
                    j = m
            elif word in WORD_OPERATORS:
                tokens.append(Token("op", word, i, j))
            else:
                tokens.append(Token("ident", word, i, j))
            i = j
            continue
        error(f"unexpected character `{c}`", start)
    tokens.append(Token("eof", "", n, n))
    return tokens


def _number(src: str, i: int, error) -> int:
    n = len(src)
    start = i
    digits = "0123456789_"
    if src[i] == "0" and i + 1 < n and src[i + 1] in "xXoObB":
        digits = {"x": "0123456789abcdefABCDEF_", "o": "01234567_", "b": "01_"}[src[i + 1].lower()]
        i += 2
    while i < n and src[i] in digits:
        i += 1
    if i < n and src[i] == "." and not src.startswith("..", i):
        i += 1
        while i < n and src[i] in digits:
            i += 1
    if i < n and src[i] in "eE" and digits.startswith("0123456789_"):
        i += 1
        if i < n and src[i] in "+-":
            i += 1
        while i < n and src[i] in digits:
            i += 1
    if i < n and _alnum(src[i]):
        error(f"bad number `{src[start:i + 1]}`", start, i + 1)
    return i


# ---------------------------------------------------------------------------
# Tree

@dataclass
class Node:
    """A node of an expression's tree, with its offsets."""

    start: int
    end: int


@dataclass
class Literal(Node):
    """A number, string, bool or nil."""

    kind: str = ""          # number, string, bool, nil
    value: object = None


@dataclass
class Ident(Node):
    """A name."""

    name: str = ""


@dataclass
class Pointer(Node):        # `#`, `#index`, `.field` inside a predicate
    name: str = ""


@dataclass
class Member(Node):
    """`a.b`, `a?.b` or `a[b]`."""

    obj: Node = None
    prop: Node = None       # a string Literal for `.name`
    optional: bool = False
    dotted: bool = False    # written `.name` (not `[...]`)


@dataclass
class Slice(Node):
    """`a[low:high]`."""

    obj: Node = None
    low: Optional[Node] = None
    high: Optional[Node] = None


@dataclass
class Call(Node):
    """A call of a function or method."""

    callee: Node = None     # Ident, or Member for a method call
    args: List[Node] = field(default_factory=list)
    builtin: bool = False


@dataclass
class Predicate(Node):
    """The body of a predicate (`{...}`)."""

    body: Node = None


@dataclass
class Unary(Node):
    """A unary operator and its operand."""

    op: str = ""
    operand: Node = None


@dataclass
class Binary(Node):
    """A binary operator and its operands."""

    op: str = ""
    left: Node = None
    right: Node = None
    op_start: int = 0
    op_end: int = 0


@dataclass
class Conditional(Node):
    """`cond ? then : other`."""

    cond: Node = None
    then: Node = None
    other: Node = None


@dataclass
class ArrayLit(Node):
    """`[a, b]`."""

    items: List[Node] = field(default_factory=list)


@dataclass
class MapLit(Node):
    """`{a: b}`."""

    pairs: List[Tuple[Node, Node]] = field(default_factory=list)


@dataclass
class Let(Node):
    """`let name = value; body`."""

    name: str = ""
    value: Node = None
    body: Node = None


# ---------------------------------------------------------------------------
# Parser

class _Parser:
    def __init__(self, tokens: List[Token]):
        self.tokens = tokens
        self.pos = 0
        self.current = tokens[0]
        self.depth = 0          # predicate nesting
        self.nesting = 0        # recursion guard

    # helpers
    def error(self, message: str, token: Optional[Token] = None):
        token = token or self.current
        raise ExprSyntaxError(message, token.start, token.end)

    def unexpected(self, token: Optional[Token] = None, expected: str = ""):
        token = token or self.current
        if token.kind == "eof":
            self.error("unexpected end of expression" + (f": expected {expected}" if expected else ""), token)
        self.error(f"unexpected {token.describe()}" + (f": expected {expected}" if expected else ""), token)

    def next(self):
        self.pos += 1
        if self.pos >= len(self.tokens):
            self.error("unexpected end of expression", self.tokens[-1])
        self.current = self.tokens[self.pos]

    def expect(self, kind: str, value: Optional[str] = None, what: str = ""):
        if self.current.is_(kind, *( (value,) if value is not None else ())):
            token = self.current
            self.next()
            return token
        self.unexpected(expected=what or (f"`{value}`" if value else kind))

    # grammar
    def parse(self) -> Node:
        node = self.expression(0)
        if not self.current.is_("eof"):
            self.unexpected()
        return node

    def expression(self, precedence: int) -> Node:
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            self.error("expression nested too deeply")
        try:
            return self._expression(precedence)
        finally:
            self.nesting -= 1

    def _expression(self, precedence: int) -> Node:
        if precedence == 0 and self.current.is_("op", "let"):
            return self.let()
        left = self.primary()
        previous = ""
        while self.current.kind == "op":
            op_token = self.current
            negate = op_token.value == "not"
            if negate:
                saved = self.pos
                self.next()
                following = self.current
                if following.kind == "op" and following.value in NEGATABLE:
                    if BINARY[following.value] >= precedence:
                        op_token = following
                    else:
                        self.pos, self.current = saved, self.tokens[saved]
                        break
                else:
                    self.unexpected(following)
            op = op_token.value
            if op not in BINARY or BINARY[op] < precedence:
                break
            self.next()
            if op == "|":
                name = self.expect("ident", what="a function name after `|`")
                left = self.call(name, [left])
                previous = op
                continue
            if previous == "??" and op != "??":
                self.error(f"`{op}` and `??` cannot be mixed: wrap one of them in parentheses", op_token)
            if BINARY[op] == 20:
                left = self.comparison(left, op_token)
                if negate:
                    left = Unary(left.start, left.end, op="not", operand=left)
                previous = op
                continue
            right = self.expression(BINARY[op] if op in RIGHT_ASSOCIATIVE else BINARY[op] + 1)
            left = Binary(left.start, right.end, op=op, left=left, right=right,
                          op_start=op_token.start, op_end=op_token.end)
            if negate:
                left = Unary(left.start, left.end, op="not", operand=left)
            previous = op
        if precedence == 0:
            left = self.conditional(left)
        return left

    def comparison(self, left: Node, op_token: Token) -> Node:
        root = None
        while True:
            right = self.expression(BINARY[op_token.value] + 1)
            node = Binary(left.start, right.end, op=op_token.value, left=left, right=right,
                          op_start=op_token.start, op_end=op_token.end)
            root = node if root is None else Binary(root.start, node.end, op="&&", left=root, right=node,
                                                    op_start=op_token.start, op_end=op_token.end)
            left = right
            op_token = self.current
            if not (op_token.kind == "op" and BINARY.get(op_token.value) == 20):
                break
            self.next()
        return root

    def let(self) -> Node:
        start = self.current.start
        self.next()
        name = self.expect("ident", what="a variable name after `let`")
        self.expect("op", "=")
        value = self.expression(0)
        self.expect("op", ";")
        body = self.expression(0)
        return Let(start, body.end, name=name.value, value=value, body=body)

    def conditional(self, node: Node) -> Node:
        while self.current.is_("op", "?"):
            self.next()
            if not self.current.is_("op", ":"):
                then = self.expression(0)
                self.expect("op", ":", what="`:` of the `? :` operator")
                other = self.expression(0)
            else:
                self.next()
                then = node
                other = self.expression(0)
            node = Conditional(node.start, other.end, cond=node, then=then, other=other)
        return node

    def primary(self) -> Node:
        token = self.current
        if token.kind == "op" and token.value in UNARY:
            self.next()
            operand = self.expression(UNARY[token.value])
            return self.postfix(Unary(token.start, operand.end, op=token.value, operand=operand))
        if token.is_("bracket", "("):
            self.next()
            inner = self.expression(0)
            self.expect("bracket", ")", what="`)` to close the parenthesis")
            return self.postfix(inner)
        if token.is_("op", "#") or token.is_("op", "."):
            if self.depth == 0:
                self.error("`#` and `.field` are only allowed inside a predicate such as "
                           "`filter(list, # > 1)`" if token.value == "#" else
                           "unexpected `.`", token)
            name = ""
            end = token.end
            if token.value == "#":
                self.next()
                if self.current.kind == "ident":
                    name = self.current.value
                    end = self.current.end
                    self.next()
            return self.postfix(Pointer(token.start, end, name=name))
        if token.is_("op", "::"):
            self.next()
            name = self.expect("ident", what="a function name after `::`")
            return self.postfix(self.call(name, []))
        if token.is_("op", "if"):
            return self.if_else()
        return self.secondary()

    def if_else(self) -> Node:
        start = self.current.start
        self.next()
        cond = self.expression(0)
        self.expect("bracket", "{", what="`{` after the `if` condition")
        then = self.expression(0)
        self.expect("bracket", "}", what="`}`")
        self.expect("op", "else", what="`else`")
        if self.current.is_("op", "if"):
            other = self.if_else()
        else:
            self.expect("bracket", "{", what="`{` after `else`")
            other = self.expression(0)
            self.expect("bracket", "}", what="`}`")
        return Conditional(start, other.end, cond=cond, then=then, other=other)

    def secondary(self) -> Node:
        token = self.current
        if token.kind == "ident":
            self.next()
            if token.value in ("true", "false"):
                return Literal(token.start, token.end, kind="bool", value=token.value == "true")
            if token.value == "nil":
                return Literal(token.start, token.end, kind="nil")
            if self.current.is_("bracket", "("):
                node = self.call(token, [])
            else:
                node = Ident(token.start, token.end, name=token.value)
            return self.postfix(node)
        if token.kind == "number":
            self.next()
            return self.postfix(Literal(token.start, token.end, kind="number", value=token.value))
        if token.kind == "string":
            self.next()
            return self.postfix(Literal(token.start, token.end, kind="string", value=token.value))
        if token.is_("bracket", "["):
            return self.postfix(self.array())
        if token.is_("bracket", "{"):
            return self.postfix(self.map())
        self.unexpected(token)

    def call(self, name: Token, args: List[Node]) -> Node:
        callee = Ident(name.start, name.end, name=name.value)
        if name.value in PREDICATES:
            total, optional = PREDICATES[name.value]
            self.expect("bracket", "(", what=f"`(` after `{name.value}`")
            given = len(args)
            for i in range(given, total):
                if self.current.is_("bracket", ")"):
                    if i >= total - optional:
                        break
                    self.error(f"`{name.value}` expects at least {total - optional - given} arguments")
                if i > given:
                    self.expect("op", ",", what="`,` between arguments")
                args.append(self.predicate() if i == 1 else self.expression(0))
            if self.current.is_("op", ","):
                self.next()
            close = self.expect("bracket", ")", what="`)` to close the call")
            return Call(name.start, close.end, callee=callee, args=args, builtin=True)
        args, end = self.arguments(args)
        return Call(name.start, end, callee=callee, args=args, builtin=name.value in FUNCTIONS)

    def arguments(self, args: List[Node]) -> Tuple[List[Node], int]:
        offset = len(args)
        self.expect("bracket", "(")
        while not self.current.is_("bracket", ")"):
            if len(args) > offset:
                self.expect("op", ",", what="`,` or `)`")
            if self.current.is_("bracket", ")"):
                break
            args.append(self.expression(0))
        close = self.expect("bracket", ")", what="`)` to close the call")
        return args, close.end

    def predicate(self) -> Node:
        start = self.current
        braced = start.is_("bracket", "{")
        if braced:
            self.next()
        self.depth += 1
        body = self.expression(0)
        self.depth -= 1
        end = body.end
        if braced:
            end = self.expect("bracket", "}", what="`}` to close the predicate").end
        return Predicate(start.start, end, body=body)

    def array(self) -> Node:
        start = self.current.start
        self.next()
        items: List[Node] = []
        while not self.current.is_("bracket", "]"):
            if items:
                self.expect("op", ",", what="`,` or `]`")
                if self.current.is_("bracket", "]"):
                    break
            items.append(self.expression(0))
        end = self.expect("bracket", "]").end
        return ArrayLit(start, end, items=items)

    def map(self) -> Node:
        start = self.current.start
        self.next()
        pairs: List[Tuple[Node, Node]] = []
        while not self.current.is_("bracket", "}"):
            if pairs:
                self.expect("op", ",", what="`,` or `}`")
                if self.current.is_("bracket", "}"):
                    break
                if self.current.is_("op", ","):
                    self.unexpected()
            token = self.current
            if token.kind in ("number", "string", "ident"):
                key = Literal(token.start, token.end, kind="string", value=token.value)
                self.next()
            elif token.is_("bracket", "("):
                key = self.expression(0)
            else:
                self.error(f"a map key must be a quoted string, a number, a name or an expression in "
                           f"parentheses, not {token.describe()}")
            self.expect("op", ":", what="`:` after the map key")
            pairs.append((key, self.expression(0)))
        end = self.expect("bracket", "}").end
        return MapLit(start, end, pairs=pairs)

    def postfix(self, node: Node) -> Node:
        while self.current.kind in ("op", "bracket"):
            token = self.current
            if token.value in (".", "?."):
                optional = token.value == "?."
                self.next()
                prop = self.current
                if optional and prop.is_("bracket", "["):
                    node = self.index(node, prop, optional=True)
                    continue
                self.next()
                if prop.kind != "ident" and not (prop.kind == "op" and prop.value.isidentifier()):
                    self.error(f"expected a name after `{token.value}`, not {prop.describe()}", prop)
                member = Member(node.start, prop.end, obj=node,
                                prop=Literal(prop.start, prop.end, kind="string", value=prop.value),
                                optional=optional, dotted=True)
                if self.current.is_("bracket", "("):
                    args, end = self.arguments([])
                    node = Call(node.start, end, callee=member, args=args)
                else:
                    node = member
            elif token.value == "[" and token.kind == "bracket":
                node = self.index(node, token, optional=False)
            else:
                break
        return node

    def index(self, node: Node, token: Token, optional: bool) -> Node:
        self.next()
        if self.current.is_("op", ":"):
            self.next()
            high = None if self.current.is_("bracket", "]") else self.expression(0)
            end = self.expect("bracket", "]", what="`]`").end
            return Slice(node.start, end, obj=node, high=high)
        low = self.expression(0)
        if self.current.is_("op", ":"):
            self.next()
            high = None if self.current.is_("bracket", "]") else self.expression(0)
            end = self.expect("bracket", "]", what="`]`").end
            return Slice(node.start, end, obj=node, low=low, high=high)
        end = self.expect("bracket", "]", what="`]` to close the index").end
        return Member(node.start, end, obj=node, prop=low, optional=optional)


@lru_cache(maxsize=8192)
def _parse(src: str):
    try:
        return _Parser(tokenize(src)).parse(), None
    except ExprSyntaxError as error:
        return None, error
    except RecursionError:
        return None, ExprSyntaxError("expression nested too deeply", 0, len(src))


def parse(src: str) -> Node:
    """The expression's tree; raises ExprSyntaxError."""
    node, error = _parse(src)
    if error is not None:
        raise error
    return node


def check(src: str) -> Optional[ExprSyntaxError]:
    """The syntax error of ``src``, or None."""
    return _parse(src)[1]


# ---------------------------------------------------------------------------
# What an expression reads

@dataclass(frozen=True)
class Part:
    """A part of a name read by an expression."""

    name: str
    start: int
    end: int
    dotted: bool        # written `.name` rather than `['name']`


@dataclass(frozen=True)
class Reference:
    """A variable read: a root name and the constant member names after it.
    ``complete`` is False when the chain continues with a computed index
    (`steps[x].id`), so only ``parts`` are known. ``guarded`` when `?.` or
    the left side of `??` protects it (a missing value is then nil, not an
    error)."""

    parts: Tuple[Part, ...]
    complete: bool
    guarded: bool

    @property
    def names(self) -> Tuple[str, ...]:
        return tuple(p.name for p in self.parts)

    @property
    def start(self) -> int:
        return self.parts[0].start

    @property
    def end(self) -> int:
        return self.parts[-1].end

    @property
    def dotted_text(self) -> str:
        return ".".join(self.names)


@dataclass(frozen=True)
class FunctionUse:
    """A function an expression calls, and where."""

    name: str
    start: int
    end: int
    namespace: Optional[str] = None     # "sprig" for sprig.fn(...)


@dataclass(frozen=True)
class HyphenRead:
    """`inputs.parameters.my-param`: a dotted chain, then `-` without spaces
    and a name: expr reads a subtraction. ``parts`` are the names as meant
    (`("inputs", "parameters", "my-param")`)."""

    parts: Tuple[str, ...]
    start: int
    end: int
    guarded: bool = False

    @property
    def written(self) -> str:
        return ".".join(self.parts)

    @property
    def bracketed(self) -> str:
        """The same read in index syntax: `inputs.parameters['my-param']`."""
        out = self.parts[0]
        for part in self.parts[1:]:
            out += f"['{part}']" if "-" in part else f".{part}"
        return out


@dataclass
class Reads:
    """What an expression reads: its references and functions."""

    references: List[Reference] = field(default_factory=list)
    functions: List[FunctionUse] = field(default_factory=list)
    hyphens: List[HyphenRead] = field(default_factory=list)


def _chain(node: Node) -> Optional[Tuple[List[Part], bool, bool]]:
    """(parts, complete, optional-anywhere) of a member chain rooted at an identifier."""
    parts: List[Part] = []
    optional = False
    complete = True
    while isinstance(node, Member):
        optional = optional or node.optional
        prop = node.prop
        if isinstance(prop, Literal) and prop.kind == "string":
            parts.append(Part(str(prop.value), prop.start, prop.end, node.dotted))
        else:
            parts.clear()
            complete = False
        node = node.obj
    if isinstance(node, Ident):
        parts.append(Part(node.name, node.start, node.end, True))
        parts.reverse()
        return parts, complete, optional
    return None


def reads(src: str, tree: Optional[Node] = None) -> Reads:
    """Variables, functions and hyphen traps of a parsed expression."""
    if tree is None:
        tree = parse(src)
    out = Reads()
    _walk(tree, out, frozenset(), False, src)
    return out


def _walk(node, out: Reads, local: frozenset, guarded: bool, src: str) -> None:
    stack = [(node, local, guarded)]
    while stack:
        node, local, guarded = stack.pop()
        if node is None:
            continue
        if isinstance(node, (Ident, Member)):
            chain = _chain(node)
            if chain is not None:
                parts, complete, optional = chain
                if parts and parts[0].name not in local:
                    # members written with a computed index: the known prefix only
                    out.references.append(Reference(tuple(parts) if complete else tuple(parts[:1]),
                                                    complete, guarded or optional))
                # computed indexes inside the chain still read variables
                inner = node
                while isinstance(inner, Member):
                    if not (isinstance(inner.prop, Literal) and inner.prop.kind == "string"):
                        stack.append((inner.prop, local, guarded))
                    inner = inner.obj
                continue
            stack.append((node.obj, local, guarded or node.optional))
            if not (isinstance(node.prop, Literal) and node.prop.kind == "string"):
                stack.append((node.prop, local, guarded))
            continue
        if isinstance(node, Call):
            callee = node.callee
            if isinstance(callee, Ident):
                if callee.name not in local:
                    out.functions.append(FunctionUse(callee.name, callee.start, callee.end))
            elif isinstance(callee, Member):
                target = callee.obj
                name = callee.prop.value if isinstance(callee.prop, Literal) else ""
                if isinstance(target, Ident) and target.name == "sprig" and "sprig" not in local:
                    out.functions.append(FunctionUse(str(name), callee.prop.start, callee.prop.end,
                                                     namespace="sprig"))
                else:
                    stack.append((target, local, guarded))
            for arg in node.args:
                stack.append((arg, local, guarded))
            continue
        if isinstance(node, Binary):
            if node.op == "-" and _hyphen(node, out, src):
                continue
            stack.append((node.left, local, guarded or node.op == "??"))
            stack.append((node.right, local, guarded))
            continue
        if isinstance(node, Let):
            stack.append((node.value, local, guarded))
            stack.append((node.body, local | {node.name}, guarded))
            continue
        if isinstance(node, Unary):
            stack.append((node.operand, local, guarded))
        elif isinstance(node, Conditional):
            stack.extend([(node.cond, local, guarded), (node.then, local, guarded),
                          (node.other, local, guarded)])
        elif isinstance(node, Predicate):
            stack.append((node.body, local, guarded))
        elif isinstance(node, Slice):
            stack.extend([(node.obj, local, guarded), (node.low, local, guarded),
                          (node.high, local, guarded)])
        elif isinstance(node, ArrayLit):
            stack.extend((item, local, guarded) for item in node.items)
        elif isinstance(node, MapLit):
            for key, value in node.pairs:
                stack.append((key, local, guarded))
                stack.append((value, local, guarded))


def _hyphen(node: Binary, out: Reads, src: str) -> bool:
    """Record `a.b.c-d` (a dotted chain, then `-` without spaces around it,
    then a name) as one hyphenated read; True when it was one."""
    operands = []
    current: Node = node
    while isinstance(current, Binary) and current.op == "-":
        if current.op_start != current.left.end or current.op_end != current.right.start:
            return False
        operands.append(current.right)
        current = current.left
    operands.append(current)
    operands.reverse()
    first = _chain(operands[0]) if isinstance(operands[0], (Ident, Member)) else None
    if first is None or not first[1] or len(first[0]) < 2:
        return False
    guarded = first[2]
    names = [p.name for p in first[0]]
    segments, pending = names[:-1], names[-1]
    for operand in operands[1:]:
        if isinstance(operand, Literal) and operand.kind == "number" and src[operand.start:operand.end].isdigit():
            pending += "-" + src[operand.start:operand.end]
            continue
        chain = _chain(operand) if isinstance(operand, (Ident, Member)) else None
        if chain is None or not chain[1]:
            return False
        guarded = guarded or chain[2]
        words = [p.name for p in chain[0]]
        pending += "-" + words[0]
        if len(words) > 1:
            segments.append(pending)
            segments.extend(words[1:-1])
            pending = words[-1]
    segments.append(pending)
    out.hyphens.append(HyphenRead(tuple(segments), node.start, node.end, guarded))
    return True


_HYPHENATED = None


def hyphenated_names(source: str) -> List[Tuple[str, str]]:
    """Dotted names with a `-` in a part (`tasks.t-1.outputs.result`), as
    written and in index syntax, for syntax errors they cause."""
    import re
    global _HYPHENATED
    if _HYPHENATED is None:
        _HYPHENATED = re.compile(r"(?<![\w.'\"])(?:inputs|outputs|steps|tasks|workflow|item)"
                                 r"(?:\.[A-Za-z0-9_-]+)*\.[A-Za-z0-9_]*-[A-Za-z0-9_.-]*")
    out = []
    for match in _HYPHENATED.finditer(source):
        written = match.group().rstrip(".-")
        parts = written.split(".")
        bracketed = parts[0] + "".join(f"['{p}']" if "-" in p else f".{p}" for p in parts[1:])
        out.append((written, bracketed))
    return out
