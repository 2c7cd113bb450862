"""Resolving a Fix (edits by node path) into text edits on the file's original text.

This runs in the engine for every finding that carries a fix, like the
resolution of node paths into positions, so it reads only the libyaml nodes
and the source text (no ruamel.yaml: `check` must stay fast). Each edit is
made in the file's own style: a renamed key keeps its quoting, a quoted
scalar uses the quote character the document uses most, a value put in a
list is written as a flow list when it is a scalar or a flow collection and
as a block sequence (indented as the file indents its sequences) when it is a
block mapping. Whatever cannot be edited in place with certainty (aliases,
merge keys, multi-line plain scalars, block scalars with explicit
indentation) gets no fix: the finding stays.
"""

from __future__ import annotations

import bisect
import re
from typing import List, Optional, Tuple

from yaml import MappingNode, ScalarNode, SequenceNode

from .. import fix as fixes
from .scalars import resolve_plain

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-/]*$")
_FLOW_UNSAFE = re.compile(r"[,\[\]{}#]|: |^[-?:!&*|>'\"%@`]")


class Unfixable(Exception):
    """The edit cannot be made in place with certainty."""


def resolve(document, fix: "fixes.Fix") -> Optional["fixes.ResolvedFix"]:
    """The text edits that carry out ``fix`` on ``document``'s file, or None."""
    if not isinstance(fix, fixes.Fix):
        return None
    try:
        layout = _Layout(document)
        edits: List[Tuple[int, int, str]] = []
        expected = []
        for edit in fix.edits:
            made, value = _EDITORS[edit.op](layout, edit)
            edits.extend(made)
            expected.append(value)
    except Unfixable:
        return None
    except Exception:  # a fix that cannot be made must never cost the finding (or the run)
        return None
    edits.sort()
    for (s1, e1, _), (s2, e2, _) in zip(edits, edits[1:]):
        if s2 < e1 or (s1 == s2 and e1 == s1 and e2 == s2):
            return None  # a fix's own edits overlap
    return fixes.ResolvedFix(description=fix.description, safe=fix.safe, priority=fix.priority,
                             document=document.index, expected=tuple(expected),
                             # paths from the top of the document (an embedded object's are below its holder's)
                             changes=tuple(fixes.Edit(e.op, tuple(getattr(document, "prefix", ())) + e.path, e.value)
                                           for e in fix.edits),
                             edits=tuple(layout.text_edit(s, e, c) for s, e, c in edits))


class _Layout:
    """Offsets of lines and nodes in the document's file."""

    def __init__(self, document):
        self.document = document
        self.text = document.source.text
        starts = document.memo.get(_STARTS)
        if starts is None:
            starts = [0]
            find = self.text.find
            at = find("\n")
            while at >= 0:
                starts.append(at + 1)
                at = find("\n", at + 1)
            document.memo[_STARTS] = starts
        self.starts = starts

    def offset(self, mark) -> int:
        return self.starts[mark.line + self.document.line_offset] + mark.column

    def position(self, offset: int) -> "fixes.Position":
        line = bisect.bisect_right(self.starts, offset) - 1
        return fixes.Position(line + 1, offset - self.starts[line] + 1)

    def text_edit(self, start: int, end: int, content: str) -> "fixes.TextEdit":
        return fixes.TextEdit(start, end, self.position(start), self.position(end), content)

    def source(self, node) -> str:
        return self.text[self.offset(node.start_mark):self.offset(node.end_mark)]

    def line_text(self, line: int) -> str:
        """0-based line of the file, without its line break."""
        start = self.starts[line]
        end = self.starts[line + 1] - 1 if line + 1 < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r")

    def pair(self, path):
        """(key node, value node) of the mapping entry at ``path``, written
        directly in its parent mapping (not through a merge key or alias)."""
        if not path or not isinstance(path[-1], str):
            raise Unfixable()
        _, parent, matched = self.document.locate(path[:-1])
        if matched != len(path) - 1 or parent.__class__ is not MappingNode:
            raise Unfixable()
        found = [(k, v) for k, v in parent.value if k.__class__ is ScalarNode and k.value == path[-1]]
        if len(found) != 1:
            raise Unfixable()
        key, value = found[0]
        if self.offset(key.start_mark) < self.offset(parent.start_mark) or self._aliased(path):
            raise Unfixable()
        return key, value

    def value(self, path):
        """The node at ``path`` (a mapping value or a list item)."""
        if path and isinstance(path[-1], str):
            return self.pair(path)[1]
        _, node, matched = self.document.locate(path)
        if matched != len(path) or self._aliased(path):
            raise Unfixable()
        return node

    def _aliased(self, path) -> bool:
        """Whether a node along ``path`` lies before its parent in the text
        (an alias of an anchor: editing it would edit every use)."""
        node = self.document.node
        previous = self.offset(node.start_mark)
        for depth in range(1, len(path) + 1):
            _, node, matched = self.document.locate(path[:depth])
            if matched != depth:
                return True
            here = self.offset(node.start_mark)
            if here < previous:
                return True
            previous = here
        return False

    # -- style -----------------------------------------------------------------

    def quote_char(self) -> str:
        """The quote the document uses most (double when it uses none)."""
        style = self.document.memo.get(_QUOTE)
        if style is None:
            doubles = singles = 0
            for node in _scalars(self.document.node):
                if node.style == '"':
                    doubles += 1
                elif node.style == "'":
                    singles += 1
            style = self.document.memo[_QUOTE] = "'" if singles > doubles else '"'
        return style

    def indented_sequences(self) -> bool:
        """Whether block sequences under a key are indented past it (True when
        there are none to tell)."""
        found = self.document.memo.get(_SEQUENCES)
        if found is None:
            indented = flush = 0
            stack = [self.document.node]
            seen = set()
            while stack:
                node = stack.pop()
                if id(node) in seen:
                    continue
                seen.add(id(node))
                if node.__class__ is MappingNode:
                    for key, value in node.value:
                        if value.__class__ is SequenceNode and not value.flow_style and value.value and \
                                value.start_mark.line > key.start_mark.line:
                            if value.start_mark.column > key.start_mark.column:
                                indented += 1
                            else:
                                flush += 1
                        stack.append(value)
                elif node.__class__ is SequenceNode:
                    stack.extend(node.value)
            found = self.document.memo[_SEQUENCES] = indented >= flush
        return found

    def newline(self) -> str:
        return "\r\n" if "\r\n" in self.text[:self.starts[min(len(self.starts) - 1, 1)] + 1] else "\n"


_STARTS = ("fix", "line-starts")
_QUOTE = ("fix", "quote")
_SEQUENCES = ("fix", "indented-sequences")


def _scalars(root):
    stack = [root]
    seen = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.__class__ is ScalarNode:
            yield node
        elif node.__class__ is MappingNode:
            for key, value in node.value:
                stack.append(key)
                stack.append(value)
        elif node.__class__ is SequenceNode:
            stack.extend(node.value)


# -- rendering scalars -------------------------------------------------------------


def quoted(text: str, char: str = '"') -> str:
    """``text`` as a YAML quoted scalar that reads back as exactly ``text``."""
    if char == "'" and all(c == "\t" or " " <= c <= "~" or c > "\x9f" for c in text) and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    out = []
    for c in text:
        if c == "\\" or c == '"':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif c < " " or "\x7f" <= c <= "\x9f" or c in "\u2028\u2029\ufeff":
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def plain_ok(text: str) -> bool:
    """Whether ``text`` may be written unquoted and read back as this string
    (in a flow context too)."""
    return bool(_PLAIN_KEY.match(text)) and isinstance(resolve_plain(text), str) and \
        text.lower() not in ("y", "n", "yes", "no", "on", "off", "true", "false", "null")


def _render_like(node, text: str, layout: _Layout) -> str:
    """A string written like ``node`` was: plain when it was plain and may be,
    else in its quotes, else in the document's quotes."""
    if node.style in (None, "") and plain_ok(text):
        return text
    char = node.style if node.style in ("'", '"') else layout.quote_char()
    return quoted(text, char)


# -- the edits ------------------------------------------------------------------------


def _single_line_scalar(layout: _Layout, node) -> None:
    if node.__class__ is not ScalarNode or node.start_mark.line != node.end_mark.line or \
            node.style not in (None, "", "'", '"'):
        raise Unfixable()
    if node.tag not in ("wflint:plain", "tag:yaml.org,2002:str") or layout.source(node)[:1] in ("!", "&", "*"):
        raise Unfixable()  # a tagged scalar: not worth the risk


def _rename(layout: _Layout, edit):
    key, _ = layout.pair(edit.path)
    new = edit.value
    if not isinstance(new, str) or not new:
        raise Unfixable()
    _single_line_scalar(layout, key)
    return [(layout.offset(key.start_mark), layout.offset(key.end_mark), _render_like(key, new, layout))], None


def _quote(layout: _Layout, edit):
    node = layout.value(edit.path)
    _single_line_scalar(layout, node)
    if node.style not in (None, ""):
        raise Unfixable()  # already quoted
    text = node.value
    if not text:
        raise Unfixable()
    return [(layout.offset(node.start_mark), layout.offset(node.end_mark),
             quoted(text, layout.quote_char()))], text


def _replace_string(layout: _Layout, edit):
    node = layout.value(edit.path)
    new = edit.value
    if not isinstance(new, str):
        raise Unfixable()
    _single_line_scalar(layout, node)
    return [(layout.offset(node.start_mark), layout.offset(node.end_mark), _render_like(node, new, layout))], None


def _replace_span(layout: _Layout, edit):
    node = layout.value(edit.path)
    begin, end, new = edit.value
    _single_line_scalar(layout, node)
    source = layout.source(node)
    quote = 1 if node.style in ("'", '"') else 0
    inner = source[quote:len(source) - quote]
    if inner != node.value or not (0 <= begin <= end <= len(inner)):
        raise Unfixable()  # escapes: the text is not the value character for character
    if node.style == '"' and ('"' in new or "\\" in new) or node.style == "'" and "'" in new or \
            node.style in (None, "") and not plain_ok(new):
        raise Unfixable()
    at = layout.offset(node.start_mark) + quote
    return [(at + begin, at + end, new)], node.value[:begin] + new + node.value[end:]


def _delete(layout: _Layout, edit):
    key, value = layout.pair(edit.path)
    _, parent, _ = layout.document.locate(edit.path[:-1])
    pairs = parent.value
    at = next(i for i, (k, _) in enumerate(pairs) if k is key)
    if parent.flow_style:
        if len(pairs) < 2:
            raise Unfixable()
        if at > 0:
            start, end = layout.offset(pairs[at - 1][1].end_mark), layout.offset(value.end_mark)
        else:
            start, end = layout.offset(key.start_mark), layout.offset(pairs[1][0].start_mark)
        if "#" in layout.text[start:end] or "\n" in layout.text[start:end]:
            raise Unfixable()
        return [(start, end, "")], None
    first = key.start_mark.line + layout.document.line_offset
    if layout.line_text(first)[:key.start_mark.column].strip() or len(pairs) < 2:
        raise Unfixable()  # `- key: v` (the line holds more than the entry), or the last entry
    last = (_last_line(value) if value.__class__ is not ScalarNode or value.start_mark.line != value.end_mark.line
            else value.end_mark.line) + layout.document.line_offset
    start = layout.starts[first]
    end = layout.starts[last + 1] if last + 1 < len(layout.starts) else len(layout.text)
    if "#" in layout.text[start:end]:
        raise Unfixable()  # a comment would go with it: leave that to the author
    return [(start, end, "")], None


def _wrap(layout: _Layout, edit):
    key, value = layout.pair(edit.path)
    made = []
    if edit.value is not None:
        made.extend(_rename(layout, fixes.rename_key(edit.path, edit.value))[0])
    start, end = layout.offset(value.start_mark), layout.offset(value.end_mark)
    if value.__class__ is ScalarNode:
        _single_line_scalar(layout, value)
        if not value.value:
            raise Unfixable()
        text = layout.source(value)
        if value.style in (None, "") and _FLOW_UNSAFE.search(text):
            text = quoted(value.value, layout.quote_char())
        made.append((start, end, f"[{text}]"))
        return made, None
    if value.flow_style:
        made.append((start, start, "["))
        made.append((end, end, "]"))
        return made, None
    if value.__class__ is not MappingNode or not value.value:
        raise Unfixable()
    key_column = key.start_mark.column
    first_line = value.start_mark.line + layout.document.line_offset
    column = value.start_mark.column
    if value.start_mark.line == key.start_mark.line or column <= key_column:
        raise Unfixable()
    last_line = _last_line(value) + layout.document.line_offset
    head = layout.starts[first_line]
    if not layout.indented_sequences() and column == key_column + 2 and \
            layout.text[head + key_column:head + column] == "  ":
        made.append((head + key_column, head + column, "- "))   # the items' content stays where it is
        return made, None
    made.append((start, start, "- "))
    for line in range(first_line + 1, last_line + 1):
        if layout.line_text(line).strip():
            at = layout.starts[line]
            made.append((at, at, "  "))
    return made, None


def _last_line(node) -> int:
    """The last line (0-based, in the chunk) holding any of ``node``'s content."""
    last = node.start_mark.line
    stack = [node]
    while stack:
        current = stack.pop()
        if current.__class__ is ScalarNode:
            end = current.end_mark
            line = end.line - 1 if end.column == 0 and end.line > current.start_mark.line else end.line
            if current.style in ("|", ">"):
                raw = current.end_mark
                line = raw.line - 1 if raw.column == 0 else raw.line
            last = max(last, line)
        elif current.__class__ is MappingNode:
            for k, v in current.value:
                stack.append(k)
                stack.append(v)
        elif current.__class__ is SequenceNode:
            stack.extend(current.value)
            last = max(last, current.start_mark.line)
    return last


_EDITORS = {fixes.RENAME_KEY: _rename, fixes.QUOTE: _quote, fixes.REPLACE_STRING: _replace_string,
            fixes.WRAP_IN_LIST: _wrap, fixes.REPLACE_SPAN: _replace_span,
            fixes.DELETE_KEY: _delete}
