"""The `{{...}}` tags in a string, found the way Argo finds them.

Argo substitutes with fasttemplate (start `{{`, end `}}`): a tag runs from a
`{{` to the *next* `}}`, there is no escape for a literal `{{`, tags do not
nest, and a `{{` that no `}}` closes makes the whole substitution fail.

The kind of a tag is decided by its first character, untrimmed:

* `{{=expr}}` is an **expression** tag (expr-lang);
* anything else is a **simple** tag, looked up by its text with surrounding
  whitespace trimmed: `{{ inputs.parameters.x }}` works like
  `{{inputs.parameters.x}}`, while `{{ =expr}}` is a simple tag whose key is
  `=expr`, which never resolves.

Argo's simple-tag replacement has one "nested tag" hack: when `{{a{{b}}` does
not resolve as a whole, the inner `{{b}}` is substituted and the outer `{{a`
is left for a later pass (`{{steps.run-{{inputs.parameters.d}}.status}}`).
``scan`` reports such a tag twice: the outer one with ``nested=True`` (its key
depends on the inner value, so it cannot be checked as written) and the inner
one as an ordinary simple tag.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Optional, Tuple

from ..slots import FrozenRecord

START, END = "{{", "}}"
SIMPLE, EXPRESSION = "simple", "expression"


class Tag(FrozenRecord):
    """One tag: ``start``/``end`` are offsets in the scanned string of the
    opening `{{` and just past the closing `}}`; ``text`` is everything
    between the braces, untouched."""

    __slots__ = ("start", "end", "text", "nested", "kind", "key")
    _FIELDS = ("start", "end", "text", "nested")

    start: int
    end: int
    text: str
    nested: bool
    # Set from ``text`` once: checks read them many times (and scan's answers are cached).
    kind: str
    key: str   # a simple tag's lookup: text, whitespace trimmed

    def __init__(self, start, end, text, nested=False):
        self.start = start
        self.end = end
        self.text = text
        self.nested = nested
        self.kind = EXPRESSION if text.startswith("=") else SIMPLE
        self.key = text.strip()

    @property
    def key_start(self) -> int:
        return self.start + 2 + (len(self.text) - len(self.text.lstrip()))

    @property
    def key_end(self) -> int:
        return self.key_start + len(self.key)

    @property
    def padded(self) -> bool:
        """A simple tag with whitespace inside its braces."""
        return self.kind == SIMPLE and self.text != self.key

    @property
    def spaced_expression(self) -> bool:
        """`{{ =expr}}`: meant as an expression, read by Argo as a simple tag."""
        return self.kind == SIMPLE and self.key.startswith("=")

    @property
    def expression(self) -> str:
        """The expr-lang source of an expression tag (after the `=`)."""
        return self.text[1:] if self.kind == EXPRESSION else self.key[1:]

    @property
    def expression_start(self) -> int:
        """Offset in the scanned string of the expression's first character."""
        if self.kind == EXPRESSION:
            return self.start + 3
        return self.key_start + 1


class Scan(FrozenRecord):
    """The tags found in a string, and where a `{{` is left open."""

    __slots__ = ("tags", "unclosed")

    tags: Tuple[Tag, ...]
    unclosed: Optional[int]  # offset of a `{{` that no `}}` closes

    def __init__(self, tags, unclosed=None):
        self.tags = tags
        self.unclosed = unclosed


_EMPTY = Scan(())


@lru_cache(maxsize=16384)
def scan(text: str) -> Scan:
    """Every tag of ``text`` in order; ``unclosed`` is set (and scanning stops)
    at the first `{{` without a closing `}}`, as fasttemplate fails there."""
    if START not in text:
        return _EMPTY
    tags = []
    pos = 0
    while True:
        start = text.find(START, pos)
        if start < 0:
            break
        close = text.find(END, start + 2)
        if close < 0:
            return Scan(tuple(tags), start)
        inner = text[start + 2:close]
        nested_at = inner.rfind(START)
        if nested_at > 0 and not inner.startswith("="):
            # after the inner tag is substituted, the outer one closes at the next `}}`
            outer_end = close + 2
            following = text.find(END, close + 2)
            if following >= 0 and START not in text[close + 2:following]:
                outer_end = following + 2
            tags.append(Tag(start, outer_end, text[start + 2:outer_end - 2], nested=True))
            tags.append(Tag(start + 2 + nested_at, close + 2, inner[nested_at + 2:]))
        else:
            tags.append(Tag(start, close + 2, inner))
        pos = close + 2
    return Scan(tuple(tags))


def spans(text: str, one_line: bool = False):
    """The (start, end) of every `{{...}}` the way a regex `\\{\\{.*?\\}\\}`
    finds them (each `{{` up to the next `}}`; with ``one_line`` both on the
    same line), in time linear in ``text``: a non-greedy regex rescans to
    the end of the text for every `{{` that nothing closes."""
    out = []
    pos = 0
    close = -1
    newline = -1
    n = len(text)
    while True:
        start = text.find(START, pos)
        if start < 0:
            break
        if close < start + 2:
            close = text.find(END, start + 2)
            if close < 0:
                break                   # no `}}` after here: nothing more closes
        if one_line:
            if newline < start:
                newline = text.find("\n", start)
                if newline < 0:
                    newline = n
            if newline < close:         # every `{{` before the line break closes after it
                pos = newline + 1
                continue
        out.append((start, close + 2))
        pos = close + 2
    return out


def mask(text: str, filler: str, one_line: bool = False, keep_length: bool = True) -> str:
    """``text`` with each span of `spans` replaced by ``filler`` (repeated
    to the tag's length with ``keep_length``)."""
    found = spans(text, one_line)
    if not found:
        return text
    out = []
    pos = 0
    for start, end in found:
        out.append(text[pos:start])
        out.append(filler * (end - start) if keep_length else filler)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def has_tags(text: str) -> bool:
    return START in text


def substitute(text: str, tags: Tuple[Tag, ...], filler: str = "_") -> str:
    """``text`` with every (outermost) tag replaced by ``filler`` repeated to
    the same length, so that offsets stay put; for parsing the text a tag
    sits in (`when`, brace-less expressions)."""
    if not tags:
        return text
    out = []
    pos = 0
    for tag in tags:
        if tag.start < pos:          # the inner half of a nested tag
            continue
        out.append(text[pos:tag.start])
        out.append(filler * (tag.end - tag.start))
        pos = tag.end
    out.append(text[pos:])
    return "".join(out)
