"""One YAML document: its node tree (positions) and its plain data (values)."""

from __future__ import annotations

import bisect
import functools
import re
from typing import Any, Callable, Optional, Tuple

from yaml import MappingNode, ScalarNode, SequenceNode

from ..finding import NodePath
from .scalars import key_text, resolve_plain

ARGO_KINDS = ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow")
_ARGO_KIND_SET = frozenset(ARGO_KINDS)


def _scalar_text(node) -> Optional[str]:
    return node.value if node.__class__ is ScalarNode else None


class Document:
    """A document of a SourceFile.

    ``data`` is filled by loader.convert(); until then only the header fields
    (kind, apiVersion, metadata name and namespace), read straight from the
    nodes, are known. That is enough to skip documents wflint does not lint
    without building their data.
    """

    __slots__ = ("source", "index", "node", "line_offset", "data", "kind", "api_version",
                 "name", "generate_name", "namespace", "memo", "prefix", "partial", "_tree", "_merges")

    def __init__(self, source, index: int, node, line_offset: int):
        self.source = source
        self.index = index
        self.node = node
        self.line_offset = line_offset
        self.data: Any = None
        self.partial = False     # a kustomize patch: only part of an object (kustomize.py)
        self.prefix: tuple = ()  # path of this object inside the document holding it (embedded.py)
        self.memo: dict = {}  # what wflint.argo.model derives from the data, computed once for all rules
        # What the loader saw in the text, for loader.convert: no anchor (so no
        # node is shared), and whether a `<<` is written. Unknown: False, True.
        self._tree = False
        self._merges = True
        self.kind = self.api_version = self.name = self.generate_name = self.namespace = None
        if node.__class__ is MappingNode:
            for key, value in node.value:
                k = _scalar_text(key)
                if k == "kind":
                    self.kind = _scalar_text(value)
                elif k == "apiVersion":
                    self.api_version = _scalar_text(value)
                elif k == "metadata" and value.__class__ is MappingNode:
                    for mkey, mvalue in value.value:
                        mk = _scalar_text(mkey)
                        if mk == "name":
                            self.name = _scalar_text(mvalue)
                        elif mk == "generateName":
                            self.generate_name = _scalar_text(mvalue)
                        elif mk == "namespace":
                            self.namespace = _scalar_text(mvalue)

    @property
    def path(self) -> str:
        return self.source.path

    def memoize(self, key, compute: Callable[[], Any]) -> Any:
        """``compute()``, run once per document and ``key``; later calls return
        the same object, for every rule of the run.

        For rule and plugin authors: cache here what a rule derives from
        ``document.data`` and needs more than once (or what several rules
        share). Name the key after your rule or plugin, e.g. ``("my-plugin",
        "volumes")``, so it meets no other key. The document's data never
        changes during a run, so the value stays valid; it lives as long as the
        document does (never key a module-level cache by ``id()`` instead).
        ``compute`` may return anything, None included."""
        memo = self.memo
        try:
            return memo[key]
        except KeyError:
            value = memo[key] = compute()
            return value

    @property
    def is_argo(self) -> bool:
        """A Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow of argoproj.io/v1alpha1,
        the only version Argo serves (near-misses are reported by nearmiss.py)."""
        return self.kind in _ARGO_KIND_SET and self.api_version == "argoproj.io/v1alpha1"

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        if self.generate_name:
            return self.generate_name + "*"
        return f"document {self.index + 1}"

    # -- positions ---------------------------------------------------------

    def locate(self, path: NodePath) -> Tuple[Any, Any, int]:
        """(key node, value node, matched length) for ``path``: the deepest
        node that exists along it. The key node is None for list items and the
        root."""
        node = self.node
        key_node = None
        matched = 0
        for part in path:
            found = _child(node, part)
            if found is None:
                break
            key_node, node = found
            matched += 1
        return key_node, node, matched

    def span(self, path: NodePath, on_key: bool = False, sub: Optional[Tuple[int, int]] = None):
        """1-based (line, column, end_line, end_column) for the node at ``path``.

        Containers are shown by their key (or first line); scalars by their
        own extent; ``sub`` narrows a string scalar to a character range.
        """
        key_node, node, matched = self.locate(path)
        exact = matched == len(path)
        if exact and sub is not None and node.__class__ is ScalarNode and not on_key:
            layouts = self.memo.get(_LAYOUTS)
            if layouts is None:
                layouts = self.memo[_LAYOUTS] = {}
            located = scalar_offsets(self.source, node, sub, self.line_offset, layouts)
            if located is not None:
                return located
        target = node
        if key_node is not None and (on_key or not exact or node.__class__ is not ScalarNode):
            target = key_node
        start, end = target.start_mark, target.end_mark
        line = start.line + self.line_offset + 1
        column = start.column + 1
        if end.line == start.line and end.column > start.column:
            end_line, end_column = line, end.column + 1
        else:  # a multi-line node: underline the rest of its first line
            end_line = line
            text = self.source.line(line)
            end_column = max(len(text.rstrip()) + 1, column + 1)
        return line, column, end_line, end_column


def _child(node, part):
    if node.__class__ is MappingNode:
        if not isinstance(part, str):
            part = str(part)
        # The last writer wins, as Kubernetes (go-yaml v2) applies the pairs in
        # order, each `<<` where it stands (in `<<: [*a, *b]`, `a` wins).
        for key, value in reversed(node.value):
            if key.__class__ is ScalarNode:
                if key.value == part and (part != "<<" or key.tag == "tag:yaml.org,2002:str"):
                    return key, value
                if key.value == "<<" and key.tag != "tag:yaml.org,2002:str":
                    parts = value.value if value.__class__ is SequenceNode else [value]
                    for source in parts:
                        found = _child(source, part)
                        if found is not None:
                            return found
        for key, value in node.value:  # keys written as 1, true, 0x10...: compare as JSON keys
            if key.__class__ is ScalarNode and _key_matches(key, part):
                return key, value
        return None
    if node.__class__ is SequenceNode and isinstance(part, int):
        if 0 <= part < len(node.value):
            return None, node.value[part]
    return None


def _key_matches(key, part: str) -> bool:
    if key.style:
        return False
    value = resolve_plain(key.value)
    return not isinstance(value, str) and key_text(value) == part


_LAYOUTS = ("document", "scalar-layouts")  # the Document.memo key of scalar_offsets' layouts
_LINE_BREAK = re.compile("\n")


def scalar_offsets(source, node, sub: Tuple[int, int], line_offset: int, layouts: Optional[dict] = None):
    """Map a (start, end) character range of a scalar's value to 1-based
    source positions. Exact for plain and quoted scalars, on one line or
    several (escapes included), and for literal and folded blocks; a range
    that starts where folding turned a line break into a space points just
    after the end of that line. None where the mapping is unsure (an explicit
    indentation indicator, text that does not line up).

    ``layouts`` (id of a node -> how its value lies in the source) keeps what
    is learnt about a multi-line scalar for the next range in it: a rule may
    report thousands of ranges in one long script, and working the layout out
    again for each was quadratic (minutes for a 200 KB quoted string)."""
    start_mark, end_mark = node.start_mark, node.end_mark
    begin, end = sub
    style = node.style
    value = node.value
    if start_mark.line == end_mark.line and style in (None, "", "'", '"') and not \
            ((style == '"' and "\\" in source.line(start_mark.line + line_offset + 1)) or
             (style == "'" and "'" in value)):
        quote = 1 if style in ("'", '"') else 0
        line = start_mark.line + line_offset + 1
        column = start_mark.column + 1 + quote + begin
        return line, column, line, column + max(end - begin, 1)
    layout = layouts.get(id(node)) if layouts is not None else None
    if style == "|":
        # Content starts on the line after the header, indented like its
        # first non-empty line.
        first = start_mark.line + line_offset + 2
        if layout is None:
            indent = None
            for number in range(first, end_mark.line + line_offset + 2):
                content = source.line(number)
                if content.strip():
                    indent = len(content) - len(content.lstrip(" "))
                    break
            breaks = [m.start() for m in _LINE_BREAK.finditer(value)] if indent is not None else None
            layout = (indent, breaks)
            if layouts is not None:
                layouts[id(node)] = layout
        indent, breaks = layout
        if indent is None:
            return None
        line_index = bisect.bisect_left(breaks, begin)  # line breaks before `begin`
        col_in_line = begin - (value.rfind("\n", 0, begin) + 1)
        line_end = value.find("\n", begin)
        stop = min(end, line_end) if line_end >= 0 else end
        line = first + line_index
        column = indent + col_in_line + 1
        return line, column, line, column + max(stop - begin, 1)
    if layout is None:
        if style == ">":
            pieces = _folded_pieces(source, node, line_offset)
        elif style in (None, "", "'", '"'):
            pieces = _flow_pieces(source, node, line_offset)
        else:
            pieces = None
        layout = (pieces, [piece[0] for piece in pieces] if pieces else None)
        if layouts is not None:
            layouts[id(node)] = layout
    pieces, offsets = layout
    if not pieces:
        return None
    return _locate_in_pieces(pieces, begin, end, offsets)


# A piece is a run of the value's characters that comes from one source line:
# (value offset, 1-based line, 0-based column where the run starts, text,
# columns of each character relative to that start, or None when they are
# consecutive). Folding only adds or drops spaces and line breaks between
# pieces, so the pieces are found in order in the value; any other gap means
# the mapping is unsure and nothing is returned.

_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
            "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
            "L": "\u2028", "P": "\u2029"}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def _decode(segment: str, style):
    """(text, columns) of a quoted scalar's segment with its escapes decoded;
    None for an escape YAML does not have."""
    out, columns = [], []
    i = 0
    while i < len(segment):
        char = segment[i]
        if style == '"' and char == "\\":
            escape = segment[i + 1:i + 2]
            if not escape:
                break  # an escaped line break: the lines join without a space
            if escape in _HEX_ESCAPES:
                width = 2 + _HEX_ESCAPES[escape]
                try:
                    out.append(chr(int(segment[i + 2:i + width], 16)))
                except ValueError:
                    return None
            elif escape in _ESCAPES:
                width = 2
                out.append(_ESCAPES[escape])
            else:
                return None
            columns.append(i)
            i += width
            continue
        if style == "'" and char == "'" and segment[i + 1:i + 2] == "'":
            out.append("'")
            columns.append(i)
            i += 2
            continue
        out.append(char)
        columns.append(i)
        i += 1
    return "".join(out), columns


def _align(value: str, raw) -> Optional[list]:
    pieces = []
    pos = 0
    for line, column, text, columns in raw:
        if not text:
            continue
        found = value.find(text, pos)
        if found < 0 or value[pos:found].strip(" \n"):
            return None
        pieces.append((found, line, column, text, columns))
        pos = found + len(text)
    if value[pos:].strip(" \n"):
        return None
    return pieces


def _folded_pieces(source, node, line_offset: int):
    """Pieces of a folded (`>`) block scalar."""
    header_line = node.start_mark.line + line_offset + 1
    header = source.line(header_line)[node.start_mark.column:]
    if re.match(r">[-+]?[0-9]", header):
        return None  # an explicit indentation indicator: not worth the risk
    first = header_line + 1
    last = node.end_mark.line + line_offset + 1
    indent = None
    raw = []
    for number in range(first, last + 1):
        content = source.line(number)
        if not content.strip():
            continue
        width = len(content) - len(content.lstrip(" "))
        if indent is None:
            indent = width
        elif width < indent:
            break
        raw.append((number, indent, content[indent:], None))
    return _align(node.value, raw) if raw else None


def _flow_pieces(source, node, line_offset: int):
    """Pieces of a plain or quoted scalar, on one line or several."""
    style = node.style
    quote = 1 if style in ("'", '"') else 0
    start, end = node.start_mark, node.end_mark
    first = start.line + line_offset + 1
    last = end.line + line_offset + 1
    raw = []
    for number in range(first, last + 1):
        text = source.line(number)
        begin = start.column + quote if number == first else 0
        stop = end.column - quote if number == last else len(text)
        segment = text[begin:stop]
        if number != first:
            stripped = segment.lstrip(" \t")
            begin += len(segment) - len(stripped)
            segment = stripped
        escaped_break = style == '"' and (len(segment) - len(segment.rstrip("\\"))) % 2 == 1
        if number != last and not escaped_break:
            segment = segment.rstrip(" \t")
        if style in ("'", '"'):
            decoded = _decode(segment, style)
            if decoded is None:
                return None
            raw.append((number, begin, decoded[0], decoded[1]))
        else:
            raw.append((number, begin, segment, None))
    return _align(node.value, raw)


def _locate_in_pieces(pieces, begin: int, end: int, offsets=None):
    def column_of(piece, index):
        columns = piece[4]
        return piece[2] + (columns[index] if columns is not None else index)

    # Pieces are in order and do not overlap (each has text): the one that
    # matters is the last that starts at or before `begin`.
    if offsets is None:
        offsets = [piece[0] for piece in pieces]
    chosen = None
    at = bisect.bisect_right(offsets, begin) - 1
    if at >= 0:
        piece = pieces[at]
        offset, line, _, text, _ = piece
        if begin < offset + len(text):
            column = column_of(piece, begin - offset)
            last = min(end, offset + len(text)) - 1 - offset
            stop = column_of(piece, max(last, begin - offset)) + 1
            chosen = (line, column, stop)
        else:
            # in a folded gap or past the end: just after the previous piece
            column = column_of(piece, len(text) - 1) + 1
            chosen = (line, column, column + 1)
    if chosen is None:
        piece = pieces[0]
        column = column_of(piece, 0)
        chosen = (piece[1], column, column + 1)
    line, column, stop = chosen
    return line, column + 1, line, max(stop, column + 1) + 1


_LOWER_ARGO_KINDS = {kind.lower(): kind for kind in ARGO_KINDS}


def _distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance, with transpositions, stopped above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2 = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


@functools.lru_cache(maxsize=1024)
def close_argo_kind(kind: str) -> Optional[str]:
    """The Argo kind ``kind`` is a misspelling of, if any (remembered: the
    same few kinds come back in every file)."""
    if kind in ARGO_KINDS:
        return kind
    lower = kind.lower()
    if lower in _LOWER_ARGO_KINDS:
        return _LOWER_ARGO_KINDS[lower]
    if lower.endswith("list"):
        return None
    best = min(ARGO_KINDS, key=lambda k: _distance(lower, k.lower()))
    allowed = 1 if len(best) <= 8 else 2
    return best if _distance(lower, best.lower(), allowed) <= allowed else None
