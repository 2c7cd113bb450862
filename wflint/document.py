"""One YAML document: its node tree (positions) and its plain data (values)."""

from __future__ import annotations

from typing import Any, Optional, Tuple

from yaml import MappingNode, ScalarNode, SequenceNode

from .finding import NodePath
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
                 "name", "generate_name", "namespace")

    def __init__(self, source, index: int, node, line_offset: int):
        self.source = source
        self.index = index
        self.node = node
        self.line_offset = line_offset
        self.data: Any = None
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

    @property
    def is_argo(self) -> bool:
        """A Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow of argoproj.io."""
        return (self.kind in _ARGO_KIND_SET and isinstance(self.api_version, str)
                and self.api_version.startswith("argoproj.io/"))

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
            located = scalar_offsets(self.source, node, sub, self.line_offset)
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
        merges = []
        for key, value in node.value:
            if key.__class__ is ScalarNode:
                if key.value == part:
                    return key, value
                if key.value == "<<" and key.tag != "tag:yaml.org,2002:str":
                    merges.append(value)
        for merge in merges:
            parts = merge.value if merge.__class__ is SequenceNode else [merge]
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


def scalar_offsets(source, node, sub: Tuple[int, int], line_offset: int):
    """Map a (start, end) character range of a scalar's value to 1-based
    source positions. Exact for single-line scalars without escapes and for
    literal blocks; None where folding or escapes make the mapping unsure."""
    start_mark, end_mark = node.start_mark, node.end_mark
    begin, end = sub
    style = node.style
    value = node.value
    if start_mark.line == end_mark.line and style in (None, "", "'", '"'):
        if (style == '"' and "\\" in source.line(start_mark.line + line_offset + 1)) or \
                (style == "'" and "'" in value):
            return None
        quote = 1 if style in ("'", '"') else 0
        line = start_mark.line + line_offset + 1
        column = start_mark.column + 1 + quote + begin
        return line, column, line, column + max(end - begin, 1)
    if style == "|":
        # Content starts on the line after the header, indented like its
        # first non-empty line.
        first = start_mark.line + line_offset + 2
        indent = None
        for number in range(first, end_mark.line + line_offset + 2):
            content = source.line(number)
            if content.strip():
                indent = len(content) - len(content.lstrip(" "))
                break
        if indent is None:
            return None
        line_index = value.count("\n", 0, begin)
        col_in_line = begin - (value.rfind("\n", 0, begin) + 1)
        line_end = value.find("\n", begin)
        stop = min(end, line_end) if line_end >= 0 else end
        line = first + line_index
        column = indent + col_in_line + 1
        return line, column, line, column + max(stop - begin, 1)
    return None
