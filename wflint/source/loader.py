"""YAML text to documents: nodes with positions, and plain data read as Kubernetes reads it.

libyaml (through PyYAML's C composer) builds the node tree, which keeps every
node's position; a small converter turns nodes into plain dicts and lists with
go-yaml v2's scalar rules. Both stay on the Document: rules read the data, the
engine reads positions from the nodes. Nothing here constructs arbitrary
objects: there is no constructor, so a `!!python/...` tag is just a tag.

Guards, because input is untrusted:
* documents are split at `---` lines first, as Kubernetes' YAML reader does, so
  a syntax error in one document does not hide the others;
* libyaml's composer recurses in C and its flow scanner is quadratic in
  nesting depth; the libyaml bundled with PyYAML >= 6.0.4 stops at 1000
  levels, which we require, and report as `input-limit`;
* aliases are expanded lazily and counted, so a "billion laughs" is a finding;
* data deeper than MAX_DEPTH is a finding, not a RecursionError later.

Cheap ways, each giving exactly what the long way gives (tests/test_loader_shortcuts.py):
* a document of a kind its caller does not read (a Deployment, a CI file) is
  not composed when its text says its kind for sure (``top_kind``): libyaml's
  parser alone checks it, and on an error the chunk is composed as always;
* a document without anchors shares no node: ``_TreeConverter`` converts it
  without the alias bookkeeping;
* a big CustomResourceDefinition is composed without its schemas (``_cheap``).
"""

from __future__ import annotations

import functools
import re
from typing import Callable, List, Optional, Tuple

import yaml
from yaml import MappingNode, ScalarNode, SequenceNode

from .document import Document
from ..finding import ERROR, WARNING, Finding
from .scalars import _BOOL_NULL, _NUMERIC_START, MERGE, key_text, resolve_plain, resolve_tagged
from .files import SourceFile
from ..lazyre import lazy_compile
from ..slots import Record

try:  # pragma: no cover - which parser depends on how PyYAML was built
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover
    _Parser = None

MAX_DEPTH = 100             # nesting of the data; real manifests stay under 40
MAX_ALIAS_EXPANSION = 100_000  # nodes added by expanding aliases, per document

PLAIN = "wflint:plain"  # the tag our resolver gives untagged plain scalars
# Plain words that are not strings to go-yaml; anything else not starting
# like a number is one.
_KEYWORDS = frozenset(_BOOL_NULL) | {"<<"}
STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"

_SEPARATOR = lazy_compile(r"^---[ \t]*(?:#[^\n]*)?\r?$", re.M)


class _Resolver:
    """Tags for the composer: plain scalars are resolved later, by scalars.py."""

    # The composer calls these for every node; path-based resolution is not
    # used, so C builtins that ignore their arguments stand in for no-ops
    # (builtins are not bound as methods, so they get only the call's arguments).
    descend_resolver = slice   # called as (parent, index): makes a slice, ignored
    ascend_resolver = tuple    # called with no argument: returns (), ignored

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            return PLAIN if implicit[0] else STR
        return _SEQ if kind is SequenceNode else _MAP


if _Parser is not None:
    class _Composer(_Parser, _Resolver):
        pass
else:  # pragma: no cover - pure-Python fallback when libyaml is missing
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Composer(Reader, Scanner, Parser, Composer, _Resolver):
        def __init__(self, stream):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


class _TooDeep(Exception):
    def __init__(self, node):
        self.node = node


class _AliasBomb(Exception):
    pass


class _RecursiveAlias(Exception):
    def __init__(self, node):
        self.node = node


def split_documents(text: str) -> List[Tuple[int, str]]:
    """(first line, text) chunks, cut at `---` lines as Kubernetes cuts them."""
    if "---" not in text:
        return [(0, text)]
    chunks = []
    start = 0
    start_line = 0
    for match in _SEPARATOR.finditer(text):
        if match.start() > start:
            chunks.append((start_line, text[start:match.start()]))
        # Lines counted from the previous cut, not from the top: linear in
        # the file even with 100,000 documents.
        start_line += text.count("\n", start, match.start())
        start = match.start()
    chunks.append((start_line, text[start:]))
    return chunks


class _Converter:
    """Nodes to plain data, once per document; collects what it finds wrong.

    The hot path is a plain scalar that is obviously a string (most keys and
    values); it is recognised inline, without calling the full resolver.
    """

    def __init__(self):
        self.memo = {}
        self.sizes = {}
        self.active = set()
        self.count = 0
        self.aliased = 0
        self.duplicates: List[Tuple[ScalarNode, ScalarNode]] = []
        self.problems: List[Tuple[str, str, yaml.Node, Optional[str]]] = []
        self.merge_repeats: List[Tuple[ScalarNode, ScalarNode]] = []   # a second `<<` in one mapping

    def build(self, node, depth):
        nid = id(node)
        if nid in self.memo:
            if nid in self.active:
                raise _RecursiveAlias(node)
            size = self.sizes[nid]
            self.aliased += size
            self.count += size  # so that containers count what their aliases expand to
            if self.aliased > MAX_ALIAS_EXPANSION:
                raise _AliasBomb()
            return self.memo[nid]
        if depth > MAX_DEPTH:
            raise _TooDeep(node)
        cls = node.__class__
        if cls is ScalarNode:
            self.count += 1
            return self.scalar(node)
        if nid in self.active:
            raise _RecursiveAlias(node)
        start = self.count
        self.count += 1
        self.active.add(nid)
        if cls is SequenceNode:
            value = self.sequence(node, depth)
        else:
            value = self.mapping(node, depth)
        self.active.discard(nid)
        self.memo[nid] = value
        self.sizes[nid] = self.count - start
        return value

    def scalar(self, node):
        tag = node.tag
        if tag is PLAIN or tag == PLAIN:
            return resolve_plain(node.value)
        if tag == STR:
            return node.value
        return resolve_tagged(tag, node.value)

    def key(self, node):
        if node.__class__ is not ScalarNode:
            self.problems.append(("yaml-syntax", "a mapping key must be a scalar: Kubernetes cannot "
                                  "turn a list or mapping key into JSON", node, None))
            return None
        tag = node.tag
        if tag is PLAIN or tag == PLAIN:
            value = resolve_plain(node.value)
            if value is MERGE:
                return MERGE
            return key_text(value)
        if tag == STR:
            return node.value
        return key_text(resolve_tagged(tag, node.value))

    def sequence(self, node, depth):
        out = []
        append = out.append
        build = self.build
        scalars = 0
        for child in node.value:
            if child.__class__ is ScalarNode and child.tag is PLAIN:
                text = child.value
                scalars += 1
                if text and text[0] not in _NUMERIC_START and text not in _KEYWORDS:
                    append(text)
                else:
                    append(resolve_plain(text))
            else:
                append(build(child, depth + 1))
        self.count += scalars
        return out

    def mapping(self, node, depth):
        pairs = node.value
        for knode, _ in pairs:
            if knode.__class__ is ScalarNode and knode.value == "<<" and self.key(knode) is MERGE:
                return self._mapping_with_merges(node, depth)
        value = {}
        dropped = 0          # pairs that set no key: merges and unusable keys
        nulls = None         # keys set to null
        merges = None
        build = self.build
        scalars = 0
        pairs = node.value
        for knode, vnode in pairs:
            if knode.__class__ is ScalarNode and knode.tag is PLAIN:
                key = knode.value
                if not key or key[0] in _NUMERIC_START or key in _KEYWORDS:
                    key = self.key(knode)
            else:
                key = self.key(knode)
            if key is None or key is MERGE:
                if key is MERGE:
                    merges = (merges or []) + [vnode]
                dropped += 1
                continue
            if vnode.__class__ is ScalarNode and vnode.tag is PLAIN:
                scalars += 1
                text = vnode.value
                if text and text[0] not in _NUMERIC_START and text not in _KEYWORDS:
                    value[key] = text
                    continue
                item = resolve_plain(text)
            else:
                item = build(vnode, depth + 1)
            if item is None:
                value.pop(key, None)  # null is absent, as in Go and the API server
                nulls = nulls or set()
                nulls.add(key)
            else:
                value[key] = item
        self.count += scalars
        unique = len(value.keys() | nulls) if nulls else len(value)
        if unique + dropped != len(pairs):
            self._duplicates(node)
        if merges:
            self._merge(value, node, merges, depth)
        return value

    def _duplicates(self, node):
        """Report keys set twice (only called when the counts say there are some)."""
        seen = {}
        for knode, _ in node.value:
            key = self.key(knode) if knode.__class__ is ScalarNode else None
            if key is None or key is MERGE:
                continue
            first = seen.get(key)
            if first is not None:
                self.duplicates.append((first, knode))
            seen[key] = knode

    def _mapping_with_merges(self, node, depth):
        """A mapping with `<<` keys, built as Kubernetes builds it (go-yaml v2,
        through sigs.k8s.io/yaml): pairs are applied in order and each `<<`
        writes its mapping's keys where it stands, over keys set before it
        (explicit or merged); keys after it override; in `<<: [*a, *b]` the
        earlier mapping wins. (The YAML merge spec instead lets explicit keys
        win wherever they are written.)"""
        value = {}
        seen = {}           # explicit key -> its key node, for duplicates
        first_merge = None
        for knode, vnode in node.value:
            key = self.key(knode)
            if key is None:
                continue
            if key is MERGE:
                if first_merge is None:
                    first_merge = knode
                else:
                    self.merge_repeats.append((first_merge, knode))
                parts = vnode.value if vnode.__class__ is SequenceNode else [vnode]
                for part in reversed(parts):
                    merged = self.build(part, depth + 1)
                    if not isinstance(merged, dict):
                        self.problems.append(("yaml-syntax", "a merge key `<<` needs a mapping or a list of "
                                              "mappings", part, None))
                        continue
                    value.update(merged)
                continue
            if key in seen:
                self.duplicates.append((seen[key], knode))
            seen[key] = knode
            item = self.build(vnode, depth + 1)
            if item is None:
                value.pop(key, None)
            else:
                value[key] = item
        return value

    def _merge(self, value, node, merges, depth):
        explicit = set(value)
        for knode, vnode in node.value:  # keys set to null are explicit too
            if knode.__class__ is ScalarNode:
                key = self.key(knode)
                if key is not None and key is not MERGE:
                    explicit.add(key)
        for source in merges:
            parts = source.value if source.__class__ is SequenceNode else [source]
            for part in parts:
                merged = self.build(part, depth + 1)
                if not isinstance(merged, dict):
                    self.problems.append(("yaml-syntax", "a merge key `<<` needs a mapping or a list of "
                                          "mappings", part, None))
                    continue
                for mkey, mval in merged.items():
                    if mkey not in explicit:
                        explicit.add(mkey)
                        value[mkey] = mval


class _TreeConverter(_Converter):
    """The converter for a document without anchors, whose nodes therefore
    form a tree: no node is met twice, so there is nothing to remember, count
    or guard against looping. The values, the order of the checks and what is
    reported are _Converter's exactly; ``merges`` False says no `<<` is
    written, so no mapping is searched for one."""

    def __init__(self, merges: bool = True):
        super().__init__()
        self.merges = merges

    def build(self, node, depth):
        if depth > MAX_DEPTH:
            raise _TooDeep(node)
        cls = node.__class__
        if cls is ScalarNode:
            return self.scalar(node)
        if cls is SequenceNode:
            return self.sequence(node, depth)
        return self.mapping(node, depth)

    def sequence(self, node, depth):
        out = []
        append = out.append
        below = depth + 1
        for child in node.value:
            cls = child.__class__
            if cls is ScalarNode:
                tag = child.tag
                if tag is PLAIN:
                    text = child.value
                    if text and text[0] not in _NUMERIC_START and text not in _KEYWORDS:
                        append(text)
                    else:
                        append(resolve_plain(text))
                    continue
                if below > MAX_DEPTH:
                    raise _TooDeep(child)
                append(child.value if tag is STR else self.scalar(child))
            elif below > MAX_DEPTH:
                raise _TooDeep(child)
            elif cls is MappingNode:
                append(self.mapping(child, below))
            else:
                append(self.sequence(child, below))
        return out

    def mapping(self, node, depth):
        pairs = node.value
        if self.merges:
            for knode, _ in pairs:
                if knode.__class__ is ScalarNode and knode.value == "<<" and self.key(knode) is MERGE:
                    return self._mapping_with_merges(node, depth)
        value = {}
        dropped = 0          # pairs that set no key: merges and unusable keys
        nulls = None         # keys set to null
        merges = None
        below = depth + 1
        for knode, vnode in pairs:
            if knode.__class__ is ScalarNode and knode.tag is PLAIN:
                key = knode.value
                if not key or key[0] in _NUMERIC_START or key in _KEYWORDS:
                    key = self.key(knode)
            else:
                key = self.key(knode)
            if key is None or key is MERGE:
                if key is MERGE:
                    merges = (merges or []) + [vnode]
                dropped += 1
                continue
            cls = vnode.__class__
            if cls is ScalarNode:
                tag = vnode.tag
                if tag is PLAIN:
                    text = vnode.value
                    if text and text[0] not in _NUMERIC_START and text not in _KEYWORDS:
                        value[key] = text
                        continue
                    item = resolve_plain(text)
                elif below > MAX_DEPTH:
                    raise _TooDeep(vnode)
                elif tag is STR:
                    value[key] = vnode.value
                    continue
                else:
                    item = self.scalar(vnode)
            elif below > MAX_DEPTH:
                raise _TooDeep(vnode)
            elif cls is MappingNode:
                item = self.mapping(vnode, below)
            else:
                item = self.sequence(vnode, below)
            if item is None:
                value.pop(key, None)  # null is absent, as in Go and the API server
                nulls = nulls or set()
                nulls.add(key)
            else:
                value[key] = item
        unique = len(value.keys() | nulls) if nulls else len(value)
        if unique + dropped != len(pairs):
            self._duplicates(node)
        if merges:
            self._merge(value, node, merges, depth)
        return value


def _mark_finding(source: SourceFile, rule: str, message: str, mark, line_offset: int,
                  hint: Optional[str] = None, severity: Optional[str] = None,
                  end_mark=None) -> Finding:
    line = mark.line + line_offset + 1
    column = mark.column + 1
    if end_mark is not None and end_mark.line == mark.line:
        end_column = max(end_mark.column + 1, column + 1)
    else:
        end_column = column + 1
    return Finding(message=message, rule=rule, severity=severity, path=source.path, line=line,
                   column=column, end_line=line, end_column=end_column, hint=hint)


def _syntax_finding(source: SourceFile, exc: yaml.YAMLError, line_offset: int,
                    chunk: str = "") -> Finding:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None)
    if problem and "maximum nesting depth" in problem and mark is not None:
        return _mark_finding(source, "input-limit", "YAML nested more than 1000 levels deep; document not linted",
                             mark, line_offset)
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if problem:
        message = problem if not context else f"{problem} ({context})"
        if context_mark is not None and mark is not None and context_mark.line != mark.line:
            if mark.index >= len(chunk.rstrip()):
                # libyaml noticed only at the end of the document: point where
                # the unfinished construct began instead.
                mark = context_mark
                message = f"{problem} ({context}, which starts here and is never closed)"
            else:
                message = f"{problem} ({context}, which started on line {context_mark.line + line_offset + 1})"
    else:
        message = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    if isinstance(exc, yaml.reader.ReaderError):
        message = f"character {exc.character!r} is not allowed in YAML"
        text = source.text
        index = exc.position
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        return Finding(message=message, rule="yaml-syntax", path=source.path, line=line, column=column,
                       end_line=line, end_column=column + 1)
    message = "YAML syntax error: " + message
    if mark is not None and chunk[mark.index:mark.index + 1] == "\t":
        message = "YAML syntax error: a tab character where YAML expects indentation or a token"
    if mark is None:
        return Finding(message=message, rule="yaml-syntax", path=source.path, line=line_offset + 1,
                       column=1, end_line=line_offset + 1, end_column=2)
    return _mark_finding(source, "yaml-syntax", message, mark, line_offset,
                         hint=_syntax_hint(message))


def _syntax_hint(message: str) -> Optional[str]:
    if "tab character" in message:
        return "indent with spaces; YAML does not allow tabs for indentation"
    if "mapping values are not allowed here" in message:
        return "a `key: value` cannot follow a value on the same line; quote the value if it contains `: `"
    if "found undefined alias" in message:
        return "anchors (&name) are visible only later in the same document"
    return None


def _chunks(text: str):
    """(first line, text) of each document, as `split_documents` cuts them,
    with a byte-order mark after `---` dropped (files saved with one, then
    joined): Kubernetes reads each document apart and skips it; libyaml does
    at the start of a stream, but not after a document marker."""
    for line_offset, chunk in split_documents(text):
        newline = chunk.find("\n")
        if newline > 0 and chunk[newline + 1:newline + 2] == "\ufeff" and chunk.startswith("---"):
            chunk = chunk[:newline + 1] + chunk[newline + 2:]
        yield line_offset, chunk


def _nodes(chunk: str):
    """The node trees of a chunk's documents (None for an empty one), composed
    by libyaml; a syntax error raises yaml.YAMLError where it is met."""
    composer = _Composer(chunk)
    try:
        while composer.check_node():
            yield composer.get_node()
    finally:
        dispose = getattr(composer, "dispose", None)
        if dispose:
            dispose()


def _json_manifest(text: str) -> bool:
    """A .json file's text can hold Kubernetes objects: a JSON object with
    `apiVersion` and `kind` keys (the walk has checked its first bytes already)."""
    head = text.lstrip("\ufeff \t\r\n")
    return head.startswith("{") and '"apiVersion"' in head and '"kind"' in head


# Documents at least this big are looked at before being composed: when their
# top-level `kind:` line names a kind wflint neither lints nor indexes nor
# looks inside (multi-megabyte CustomResourceDefinitions), composing them is
# wasted time. Smaller ones are cheap enough to compose anyway.
_CHEAP_SKIP_SIZE = 64 * 1024
_TOP_KIND = lazy_compile(r"kind:[ \t]*(['\"]?)([A-Za-z0-9]+)\1[ \t]*(?:#.*)?\r?$", re.M)
_TOP_API = lazy_compile(r"apiVersion:[ \t]*(['\"]?)([A-Za-z0-9./-]+)\1[ \t]*(?:#.*)?\r?$", re.M)
# Kinds a run needs composed: linted, indexed, holding others, or maybe a near-miss.
_NEEDED_KINDS = frozenset({"Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow", "Sensor",
                           "ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
                           "Secret", "ConfigMap"})


def _top_kind(chunk: str) -> Optional[Tuple[str, str]]:
    """(kind, apiVersion) of a document whose top level says so in block
    style, on exactly one `kind:` and one `apiVersion:` line; else None."""
    kinds = _lines_matching(chunk, "kind:", _TOP_KIND)
    apis = _lines_matching(chunk, "apiVersion:", _TOP_API)
    if len(kinds) != 1 or len(apis) != 1:
        return None
    return kinds[0][1], apis[0][1]


def _lines_matching(chunk: str, start: str, pattern) -> List[tuple]:
    """What ``findall`` gives for ``pattern``, a whole line that begins with
    the text ``start``, anchored at line starts: only the lines that begin so
    are tried (a search for the text, not a regex run over megabytes)."""
    found = []
    needle = "\n" + start
    if chunk.startswith(start):
        at = 0
    else:
        at = chunk.find(needle)
        at = at + 1 if at >= 0 else -1
    while at >= 0:
        match = pattern.match(chunk, at)
        if match is not None:
            found.append(match.groups())
        at = chunk.find(needle, at)
        at = at + 1 if at >= 0 else -1
    return found


def _cheap(chunk: str) -> Optional[str]:
    """For a big document: None to compose it as it is, "" to skip it (a kind
    no rule reads), or a lighter text to compose instead (a
    CustomResourceDefinition without its schemas: the index needs only its
    group, names and scope). Line numbers are kept."""
    found = _top_kind(chunk)
    if found is None:
        return None
    kind, api = found
    if kind in _NEEDED_KINDS or kind.endswith("List") or "argoproj" in api.lower():
        return None
    if kind == "CustomResourceDefinition":
        return _without_schemas(chunk) if api.startswith("apiextensions.k8s.io/") else ""
    from .document import close_argo_kind
    return "" if close_argo_kind(kind) is None else None


_SCHEMA_KEYS = ("versions:", "validation:")


def _without_schemas(chunk: str) -> Optional[str]:
    """The CRD with the lines of `spec.versions` and `spec.validation` blanked
    (block style only; None when the layout is not the plain one).

    Line by line, but only the lines that can change something are looked at:
    outside `spec`, those at column 0; inside, those indented no deeper than
    its keys (a regex finds the next one); a schema's thousands of deeper
    lines are skipped, and blanked in one piece when dropped."""
    out = []             # the text, piece by piece
    copied = 0           # chunk[:copied] is in out
    drop_from = None     # where the lines being blanked begin
    in_spec = False
    child = None         # the indent of spec's keys
    size = len(chunk)
    at = 0               # the start of the line looked at
    while at <= size:
        end = chunk.find("\n", at)
        if end < 0:
            end = size
        line = chunk[at:end]
        body = line.lstrip(" ")
        structural = bool(body.strip()) and not body.startswith("#")
        if structural:
            indent = len(line) - len(body)
            dropping = drop_from is not None
            if indent == 0:
                if body.startswith("---") or body.startswith("..."):
                    in_spec = False
                else:
                    in_spec = body.rstrip() in ("spec:", "spec:\r") or body.startswith("spec: #")
                    if not in_spec and body.startswith("spec:"):
                        return None  # spec in flow style
                    child = None
                dropping = False
            elif in_spec:
                if child is None:
                    child = indent
                if indent < child:
                    return None
                if indent == child and not body.startswith("- "):
                    dropping = body.startswith(_SCHEMA_KEYS)
            if dropping and drop_from is None:
                drop_from = at
            elif not dropping and drop_from is not None:
                out.append(chunk[copied:drop_from])
                out.append("\n" * chunk.count("\n", drop_from, at))
                copied = at
                drop_from = None
        if end >= size:
            break
        # The next line that matters: any, at the start of spec; else one
        # indented no deeper than spec's keys (or than column 0 outside it).
        if in_spec and child is None:
            at = end + 1
            continue
        limit = child if in_spec else 0
        found = _shallow_line(limit).search(chunk, end)
        if found is None:
            break
        at = found.start() + 1
    if drop_from is not None:  # blanked to the end
        out.append(chunk[copied:drop_from])
        out.append("\n" * chunk.count("\n", drop_from))
    else:
        out.append(chunk[copied:])
    return "".join(out)


@functools.lru_cache(maxsize=16)
def _shallow_line(indent: int):
    """A line break followed by a line indented at most ``indent`` spaces."""
    return re.compile(r"\n {0,%d}(?! )" % indent)


# In a JSON document, a backslash escape: a UTF-16 surrogate pair, a lone
# surrogate, or any other escape (consumed whole, so `\\ud83d` stays text).
_JSON_ESCAPE = lazy_compile(r"\\(?:(u[dD][89abAB][0-9a-fA-F]{2})\\(u[dD][c-fC-F][0-9a-fA-F]{2})"
                            r"|(u[dD][89a-fA-F][0-9a-fA-F]{2})|.)", re.S)


def _json_surrogates(chunk: str) -> str:
    """A JSON document as Kubernetes reads it (as JSON: apimachinery's
    YAMLOrJSONDecoder sends a stream starting with `{` to encoding/json),
    made readable by libyaml: `\\ud83d\\ude00` (how json.dumps writes 😀)
    becomes the one escape `\\U0001f600`, and a lone surrogate U+FFFD, as
    encoding/json decodes them. Columns after such a pair on its line move
    two to the left."""
    def replace(match):
        high, low, lone = match.group(1), match.group(2), match.group(3)
        if high:
            code = 0x10000 + ((int(high[1:], 16) - 0xD800) << 10) + (int(low[1:], 16) - 0xDC00)
            return f"\\U{code:08x}"
        if lone:
            return "\\ufffd"
        return match.group()
    return _JSON_ESCAPE.sub(replace, chunk)


def _json_with_surrogates(chunk: str) -> bool:
    head = chunk.lstrip()
    return head[:1] in ("{", "[") and ("\\ud" in chunk or "\\uD" in chunk)


def load(source: SourceFile, wanted: Optional[Callable[[str], bool]] = None) -> Tuple[List[Document], List[Finding]]:
    """Every document of a file, with the findings the loader itself makes.

    ``wanted`` tells, from a document's `kind` (None: it has none), whether
    the caller reads documents of that kind. A document whose kind ``top_kind`` reads from its
    text and ``wanted`` refuses is not composed, only parsed by libyaml (about
    a seventh of the cost); if the parser finds an error, the chunk is composed
    after all, so that the error and what comes before it are reported as
    always. None: every document is composed."""
    documents: List[Document] = []
    findings: List[Finding] = []
    if source.path.lower().endswith(".json") and not _json_manifest(source.text):
        return documents, findings  # package.json, tsconfig, dashboards: nothing to lint, nothing to say
    index = 0
    for line_offset, chunk in _chunks(source.text):
        if len(chunk) >= _CHEAP_SKIP_SIZE:
            lighter = _cheap(chunk)
            if lighter == "":
                index += 1  # a big object of a kind nothing reads: not composed at all
                continue
            if lighter is not None:
                chunk = lighter
        elif wanted is not None and _Parser is not None:
            found = _kind_line(chunk)
            if found is not None and not wanted(found[0]) and _sure(chunk, found[1], found[2]) \
                    and _parses(chunk):
                index += 1  # one document of a kind nothing reads: valid YAML, not composed
                continue
        if _json_with_surrogates(chunk):
            chunk = _json_surrogates(chunk)
        tree = not _may_have_anchors(chunk)
        merges = "<<" in chunk
        try:
            for node in _nodes(chunk):
                if node is not None:
                    document = Document(source, index, node, line_offset)
                    document._tree = tree
                    document._merges = merges
                    documents.append(document)
                index += 1
        except yaml.YAMLError as exc:
            findings.append(_syntax_finding(source, exc, line_offset, chunk))
            index += 1
        except RecursionError:  # only the pure-Python fallback recurses in Python
            findings.append(Finding(
                message="YAML nested too deeply to parse; document not linted", rule="input-limit",
                path=source.path, line=line_offset + 1, column=1,
                end_line=line_offset + 1, end_column=2))
            index += 1
    return documents, findings


# -- the kind of a document, from its text ----------------------------------------
#
# A document of a kind nothing reads (a Deployment, a Service, ...) need not be
# composed; but the kind must then be exactly the one composing would find, or
# a Workflow could go unlinted. ``top_kind`` answers only where the text leaves
# no doubt, and None everywhere else (the document is then composed as always).

# Characters libyaml also takes as line breaks (besides "\n" and "\r\n").
_ODD_BREAKS = ("\x85", "\u2028", "\u2029")
_LONE_CR = re.compile(r"\r(?!\n)")
# The `kind` line: a plain or quoted word, then only blanks or a comment.
_KIND_LINE = re.compile(r"kind:[ \t]+(?:'([A-Za-z0-9]+)'|\"([A-Za-z0-9]+)\"|([A-Za-z0-9]+))"
                        r"(?:[ \t]+#[^\n]*|[ \t]*)\r?(?:\n|\Z)")
# A line at column 0 that starts a key not written plain (quoted, explicit,
# tagged, anchored, an alias, a flow collection): it might be `kind` too.
_ODD_KEY = re.compile(r"\n[?\"'!&*\[{]")
_ODD_KEY_START = frozenset("?\"'!&*[{")
# A line before the `kind` line that a quote or a flow collection could not
# leave open: no quote or bracket, or one key with one closed quoted value.
_OPENERS = re.compile(r"[\"'\[{]")
_CLOSED_LINE = lazy_compile(r" *[A-Za-z][A-Za-z0-9_./-]*:[ \t]+(?:\"[^\"\\\n]*\"|'[^'\n]*')"
                            r"(?:[ \t]+#.*|[ \t]*)\r?\Z")
_SEPARATOR_LINE = re.compile(r"---[ \t]*(?:#.*)?\r?\Z")
# A line at column 0 that starts like the key `kind` in another case (`Kind:`).
_KINDISH = re.compile(r"[kK][iI][nN][dD]")
_KINDISH_LINE = re.compile(r"\n[kK][iI][nN][dD]")
_BEFORE_TOKEN = frozenset(" \t\r\n[{,:")


def _may_have_anchors(chunk: str) -> bool:
    """Whether the chunk may hold an anchor (`&a`) or an alias (`*a`); False:
    it holds none. Either begins after a blank, a flow indicator or `:`, and
    libyaml names anchors with letters, digits, `_` and `-`."""
    for sign in "&*":
        at = chunk.find(sign)
        while at >= 0:
            name = chunk[at + 1:at + 2]
            if name and (name.isalnum() or name in "_-") and (at == 0 or chunk[at - 1] in _BEFORE_TOKEN):
                return True
            at = chunk.find(sign, at + 1)
    return False


def _kind_line(chunk: str):
    """(kind, the match of its line, where the document's text starts) for a
    chunk with exactly one line at column 0 that starts with the key `kind`,
    written `kind: Word`; (None, None, start) for a chunk where no line at
    column 0 starts with `kind` in any case; else None. Cheap: what ``_sure``
    then checks is not."""
    start = 0
    if chunk.startswith("---"):
        newline = chunk.find("\n")
        if newline < 0 or not _SEPARATOR_LINE.match(chunk, 0, newline):
            return None  # content on the `---` line: `--- !tag`, `--- |`, `--- {...}`
        start = newline + 1
    at = -1
    search = start
    while True:
        found = chunk.find("kind", search)
        if found < 0:
            break
        search = found + 4
        if found != start and chunk[found - 1] != "\n":
            continue
        after = chunk[found + 4:found + 5]
        if after and after not in ": \t\r\n":
            continue  # another key (`kinds:`)
        if at >= 0:
            return None  # set twice
        at = found
    if at < 0:
        if _KINDISH.match(chunk, start) or _KINDISH_LINE.search(chunk, start) or "\u212a" in chunk:
            return None  # `Kind:`, `KIND:`...: a near miss, maybe (\u212a, the Kelvin sign, lowers to `k`)
        return None, None, start
    line = _KIND_LINE.match(chunk, at)
    if line is None:
        return None
    return line.group(1) or line.group(2) or line.group(3), line, start


def _sure(chunk: str, line, start: int) -> bool:
    """Whether the `kind` line ``_kind_line`` found is the one key `kind` of
    the document's top level (``line`` None: whether its top level has no key
    `kind` in any case), and the chunk holds that one document."""
    if chunk.startswith("...", start) or chunk.startswith("%", start):
        return False
    if "\n---" in chunk or "\n..." in chunk or "\n%" in chunk:
        return False  # maybe more than one document (a directive at column 0 ends one too)
    if "\r" in chunk and _LONE_CR.search(chunk):
        return False
    for odd in _ODD_BREAKS:
        if odd in chunk:
            return False
    if chunk[start:start + 1] in _ODD_KEY_START or _ODD_KEY.search(chunk, start) is not None:
        return False
    if line is None:
        # No line at column 0 starts with `kind`: then the top level has no
        # such key if it is a block mapping at column 0 (its first line is),
        # or no mapping at all. And there must be a document, not only comments.
        for text in chunk[start:].split("\n"):
            body = text.lstrip(" \t\r")
            if body and not body.startswith("#"):
                return text[0] not in " \t" and not _may_have_anchors(chunk)
        return False
    # A plain value goes on over the next lines if they are indented.
    rest = line.end()
    size = len(chunk)
    while rest < size:
        newline = chunk.find("\n", rest)
        text = chunk[rest:newline] if newline >= 0 else chunk[rest:]
        body = text.lstrip(" \t\r")
        if body:
            if text[0] in " \t" and not body.startswith("#"):
                return False
            break
        if newline < 0:
            break
        rest = newline + 1
    # Nothing before the `kind` line may be left open at its end.
    for text in chunk[start:line.start()].split("\n"):
        if _OPENERS.search(text) is None:
            continue
        if text.lstrip(" \t").startswith("#") or _CLOSED_LINE.match(text):
            continue
        return False
    return not _may_have_anchors(chunk)


def _parses(chunk: str) -> bool:
    """Whether libyaml parses the chunk without an error (nothing is built)."""
    try:
        _Parser(chunk).raw_parse()
    except yaml.YAMLError:
        return False
    return True


def top_kind(chunk: str) -> Tuple[bool, Optional[str]]:
    """(sure, kind): the `kind` of a chunk's document where its text alone
    says so for sure (None: the document has no key `kind`, in any case);
    (False, None) where it does not.

    Sure means: the chunk holds one document, with no anchor or alias (whose
    errors only composing finds); its top level is a block mapping at column 0
    that sets `kind` once, on a line of its own (`kind: Word`, plain or
    quoted, nothing after it but a comment), or has no line at column 0 that
    starts with `kind` in any case; no line before the `kind` line can have
    left a quoted string or a flow collection open (so that line is a key of
    the top level); and no line at column 0 starts a key written another way
    (`"kind":`, `? kind`, `!!str kind:`). Whether the text is valid YAML is
    not decided here: the caller parses it, and trusts the answer only then
    (an indented mapping followed by a line at column 0 is two documents and
    an error, for one).
    """
    found = _kind_line(chunk)
    if found is None or not _sure(chunk, found[1], found[2]):
        return False, None
    return True, found[0]


def convert(document: Document) -> List[Finding]:
    """Build ``document.data`` from its nodes; return what the conversion found."""
    source = document.source
    offset = document.line_offset
    converter = _TreeConverter(document._merges) if document._tree else _Converter()
    findings: List[Finding] = []
    try:
        document.data = converter.build(document.node, 0)
    except _TooDeep as exc:
        document.data = None
        findings.append(_mark_finding(
            source, "input-limit", f"YAML nested more than {MAX_DEPTH} levels deep; document not linted",
            exc.node.start_mark, offset))
        return findings
    except _AliasBomb:
        document.data = None
        findings.append(_mark_finding(
            source, "yaml-syntax",
            f"aliases expand to more than {MAX_ALIAS_EXPANSION:,} nodes (a \"billion laughs\"); "
            "Kubernetes rejects such documents as excessive aliasing",
            document.node.start_mark, offset, severity=ERROR))
        return findings
    except _RecursiveAlias as exc:
        document.data = None
        findings.append(_mark_finding(
            source, "yaml-syntax", "an alias refers to the node that contains it (a recursive anchor)",
            exc.node.start_mark, offset, severity=ERROR))
        return findings
    for first, second in converter.duplicates:
        findings.append(_mark_finding(
            source, "duplicate-key",
            f"duplicate key `{second.value}`: it is already set on line {first.start_mark.line + offset + 1}; "
            "the later value silently wins",
            second.start_mark, offset, end_mark=second.end_mark,
            hint="remove one of them, or merge their contents under one key"))
    for first, second in converter.merge_repeats:
        findings.append(_mark_finding(
            source, "duplicate-key",
            f"a second merge key `<<` (the first is on line {first.start_mark.line + offset + 1}): Kubernetes "
            "applies each `<<` where it stands, so this one overrides the keys the first one set (and any "
            "written between them), while other YAML readers keep the first",
            second.start_mark, offset, end_mark=second.end_mark,
            hint="merge all sources in one key: `<<: [*first, *second]` (the earlier one wins)", severity=WARNING))
    for rule, message, node, hint in converter.problems:
        findings.append(_mark_finding(source, rule, message, node.start_mark, offset, hint=hint,
                                      end_mark=node.end_mark))
    return findings


class ParsedText(Record):
    """YAML text that is a value inside a manifest (a resource template's
    `manifest`), read like a file. Offsets are character positions in the text.

    ``documents``: (offset where the document starts, node, plain data) for each
    document read before the first error, data built with Kubernetes' scalar
    rules (None for an explicitly empty document). ``error``: (offset, message)
    of the first syntax error, else None. ``duplicates``: (offset of the
    repeated key, key, offset of its first occurrence).
    """

    __slots__ = ("documents", "error", "duplicates")

    documents: List[Tuple[int, yaml.Node, object]]
    error: Optional[Tuple[int, str]]
    duplicates: List[Tuple[int, str, int]]

    def __init__(self, documents, error, duplicates):
        self.documents = documents
        self.error = error
        self.duplicates = duplicates


def parse_text(text: str) -> ParsedText:
    """Parse YAML text as `load` parses a file: cut at `---` lines, composed by
    libyaml, converted with go-yaml's scalar rules. Stops at the first error."""
    documents: List[Tuple[int, yaml.Node, object]] = []
    duplicates: List[Tuple[int, str, int]] = []
    offset = 0
    for _, chunk in split_documents(text):
        base = offset
        offset += len(chunk)
        try:
            for node in _nodes(chunk):
                if node is None:
                    continue
                converter = _Converter()
                try:
                    data = converter.build(node, 0)
                except _TooDeep as exc:
                    return ParsedText(documents, (base + exc.node.start_mark.index,
                                                  f"YAML nested more than {MAX_DEPTH} levels deep"), duplicates)
                except _AliasBomb:
                    return ParsedText(documents, (base + node.start_mark.index,
                                                  f"aliases expand to more than {MAX_ALIAS_EXPANSION:,} nodes"),
                                      duplicates)
                except _RecursiveAlias as exc:
                    return ParsedText(documents, (base + exc.node.start_mark.index,
                                                  "an alias refers to the node that contains it"), duplicates)
                documents.append((base + node.start_mark.index, node, data))
                for first, second in converter.duplicates:
                    duplicates.append((base + second.start_mark.index, second.value,
                                       base + first.start_mark.index))
                if converter.problems:
                    _, message, bad, _ = converter.problems[0]
                    return ParsedText(documents, (base + bad.start_mark.index, message), duplicates)
        except yaml.YAMLError as exc:
            return ParsedText(documents, _text_error(exc, chunk, base), duplicates)
        except RecursionError:  # only the pure-Python fallback recurses in Python
            return ParsedText(documents, (base, "YAML nested too deeply to parse"), duplicates)
    return ParsedText(documents, None, duplicates)


def _text_error(exc: yaml.YAMLError, chunk: str, base: int) -> Tuple[int, str]:
    """(offset, message) of a syntax error in a chunk that starts at ``base``."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if isinstance(exc, yaml.reader.ReaderError):
        return base + exc.position, f"character {exc.character!r} is not allowed in YAML"
    if not problem:
        return base + (mark.index if mark is not None else 0), (str(exc).splitlines() or ["YAML error"])[0]
    message = problem if not context else f"{problem} ({context})"
    if context_mark is not None and mark is not None and context_mark.line != mark.line:
        if mark.index >= len(chunk.rstrip()):
            mark = context_mark
            message = f"{problem} ({context}, which starts here and is never closed)"
        else:
            above = mark.line - context_mark.line
            message = f"{problem} ({context}, which started {above} line{'s' if above > 1 else ''} above)"
    if mark is not None and chunk[mark.index:mark.index + 1] == "\t":
        message = "a tab character where YAML expects indentation or a token"
    return base + (mark.index if mark is not None else 0), message
