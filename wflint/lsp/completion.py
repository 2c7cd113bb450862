"""Completion: what may be written at a place, read from the text around the
cursor (which is often half-typed and does not parse) and from the last
version of the document that did."""

from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple

from lsprotocol import types

from ..argo import model
from ..source.document import ARGO_KINDS, Document
from ..argo.index import lookup_namespace
from . import navigate

_KEY_LINE = re.compile(r"^(\s*)((?:-\s+)*)([^\s#'\"{\[][^:#]*?|\"[^\"]*\"|'[^']*'):(?:\s|$)")
_DASH_ONLY = re.compile(r"^(\s*)((?:-\s*)+)$")


def key_path(lines: Sequence[str], line: int, column: int) -> List[str]:
    """The mapping keys (and `[]` for list items) that lead to the place
    (line, column), from indentation alone: it works on text that does not parse."""
    current = lines[line][:column] if line < len(lines) else ""
    lead = re.match(r"^(\s*)((?:-\s+)*)", current)
    limit = len(lead.group(1)) + len(lead.group(2))
    path: List[str] = []
    if lead.group(2):
        path = ["[]"] * lead.group(2).count("-")
        limit = len(lead.group(1)) + 1
    for number in range(line - 1, -1, -1):
        text = lines[number].rstrip("\r")
        stripped = text.strip()
        if not stripped or stripped.startswith("#") or stripped == "---":
            if stripped == "---":
                break
            continue
        match = _KEY_LINE.match(text)
        if match is None:
            dash = _DASH_ONLY.match(text)
            if dash and len(dash.group(1)) < limit:
                path[:0] = ["[]"] * dash.group(2).count("-")
                limit = len(dash.group(1)) + 1
            continue
        indent, dashes, key = len(match.group(1)), match.group(2), match.group(3).strip("'\"")
        key_col = indent + len(dashes)
        if dashes:
            if key_col < limit:
                path.insert(0, key)
            if key_col <= limit:
                path[:0] = ["[]"] * dashes.count("-")
                limit = indent + 1
            continue
        if key_col < limit:
            path.insert(0, key)
            limit = key_col
            if key_col == 0:
                break
    return path


def _siblings(lines: Sequence[str], line: int, indent: int) -> List[Tuple[int, str, str]]:
    """(line, key, value) of the keys at ``indent`` in the block around ``line``."""
    out = []
    for direction in (-1, 1):
        number = line + direction
        while 0 <= number < len(lines):
            text = lines[number].rstrip("\r")
            if text.strip() and not text.strip().startswith("#"):
                match = _KEY_LINE.match(text)
                col = len(text) - len(text.lstrip(" -")) if match else len(text) - len(text.lstrip())
                if col < indent:
                    if match and match.group(2) and len(match.group(1)) + len(match.group(2)) == indent:
                        out.append((number, match.group(3), text[match.end():].strip()))
                    break
                if match and col == indent:
                    out.append((number, match.group(3), text[match.end():].strip()))
            number += direction
    return out


def _scope_at(doc: Optional[Document], line: int) -> Optional[model.TemplateAt]:
    """The innermost template of ``doc`` whose lines hold ``line``."""
    if doc is None or not doc.is_argo:
        return None
    best = None
    for at in model.all_templates(doc):
        _, node, matched = doc.locate(at.path)
        if matched != len(at.path):
            continue
        first = node.start_mark.line + doc.line_offset
        last = node.end_mark.line + doc.line_offset
        if first <= line <= last and (best is None or first >= best[0]):
            best = (first, at)
    return best[1] if best else None


def _item(label: str, kind, detail: Optional[str], line: int, start: int, end: int,
          insert: Optional[str] = None) -> types.CompletionItem:
    rng = types.Range(start=types.Position(line=line, character=start), end=types.Position(line=line, character=end))
    return types.CompletionItem(label=label, kind=kind, detail=detail,
                                text_edit=types.TextEdit(range=rng, new_text=insert if insert is not None else label))


def complete(workspace, path: str, text: str, line: int, column: int) -> List[types.CompletionItem]:
    lines = text.split("\n")
    if line >= len(lines):
        return []
    before = lines[line][:column]
    docs = workspace.documents(path)
    doc = navigate.document_at(docs, line)
    scope = _scope_at(doc, line)

    # `{{` not closed yet: the variables in scope here.
    opened = before.rfind("{{")
    if opened >= 0 and "}}" not in before[opened:]:
        prefix_start = opened + 2
        while prefix_start < len(before) and before[prefix_start] == " ":
            prefix_start += 1
        after = lines[line][column:]
        closing = "" if after.lstrip().startswith("}}") else "}}"
        current = None
        if doc is not None:
            hit = navigate.node_at(doc, line, column)
            if hit is not None and scope is not None:
                for call in model.tasks(scope) + model.steps(scope):
                    if hit.path[:len(call.path)] == call.path:
                        current = call.name
        index = workspace.index(documents=[])
        variables = navigate.variables_in_scope(doc, scope, current, index) if doc is not None and doc.is_argo else []
        return [_item(name, types.CompletionItemKind.Variable, what, line, prefix_start, column, name + closing)
                for name, what in variables]

    match = re.match(r"^(\s*)((?:-\s+)*)([A-Za-z]+):\s*([\"']?)(.*)$", before)
    if match:
        key = match.group(3)
        key_col = len(match.group(1)) + len(match.group(2))
        value = match.group(5)
        start = column - len(re.split(r"[\s&|!(,\[]", value)[-1])
        parents = key_path(lines, line, key_col)
        parent = parents[-1] if parents else None
        if key == "kind" and not parents:
            return [_item(k, types.CompletionItemKind.Class, "Argo kind", line, start, column) for k in ARGO_KINDS]
        if key == "apiVersion" and not parents:
            return [_item("argoproj.io/v1alpha1", types.CompletionItemKind.Value, None, line, start, column)]
        if parent in ("templateRef", "workflowTemplateRef"):
            siblings = {k: v for _, k, v in _siblings(lines, line, key_col)}
            cluster = siblings.get("clusterScope", "").strip("'\"") == "true"
            kind = "ClusterWorkflowTemplate" if cluster else "WorkflowTemplate"
            index = workspace.index(documents=[])
            if key == "name":
                return [_item(entry.name, types.CompletionItemKind.Module, f"{entry.kind} ({entry.path})",
                              line, start, column) for entry in index.of_kind(kind) if entry.name]
            if key == "template" and parent == "templateRef":
                holder = siblings.get("name", "").strip("'\"")
                entry = index.holder(holder, cluster, lookup_namespace(doc) if doc is not None else None) \
                    if holder else None
                if entry is None:
                    return []
                return [_item(name, types.CompletionItemKind.Function, f"template of {entry.kind} `{entry.name}`",
                              line, start, column) for name in entry.template_names()]
            return []
        if key in ("template", "entrypoint", "onExit") and doc is not None and doc.is_argo:
            return [_item(name, types.CompletionItemKind.Function, f"template ({_type_of(doc, name)})",
                          line, start, column) for name in navigate.template_names(doc)]
        if key in ("depends", "dependencies") and scope is not None:
            own = _own_task(doc, scope, line)
            return [_item(call.name, types.CompletionItemKind.Reference, "task", line, start, column)
                    for call in model.tasks(scope) if call.name and call.name != own]
        if value:
            return []
    # A list item under `dependencies:`.
    if re.match(r"^\s*-\s+[\w-]*$", before) and scope is not None:
        parents = key_path(lines, line, len(before) - len(before.lstrip(" -")))
        if parents[-2:] == ["dependencies", "[]"] or parents[-1:] == ["dependencies"]:
            start = column - len(before.split()[-1]) if before.split()[-1] != "-" else column
            own = _own_task(doc, scope, line)
            return [_item(call.name, types.CompletionItemKind.Reference, "task", line, start, column)
                    for call in model.tasks(scope) if call.name and call.name != own]
    # Typing a key: the fields the schema allows here.
    key_match = re.match(r"^(\s*)((?:-\s+)*)([A-Za-z]*)$", before)
    if key_match:
        key_col = len(key_match.group(1)) + len(key_match.group(2))
        parents = key_path(lines, line, key_col)
        kind = _kind_of(lines, line) or "Workflow"
        from ..argo.schema_export import fields_at
        present = {k for _, k, _ in _siblings(lines, line, key_col)}
        start = column - len(key_match.group(3))
        return [_item(name, types.CompletionItemKind.Field, description, line, start, column, name + ": ")
                for name, description in fields_at(kind, parents, workspace.options.argo_version)
                if name not in present]
    return []


def _own_task(doc, scope, line) -> Optional[str]:
    for call in model.tasks(scope):
        _, node, matched = doc.locate(call.path)
        if matched == len(call.path) and node.start_mark.line + doc.line_offset <= line <= \
                node.end_mark.line + doc.line_offset:
            return call.name
    return None


def _type_of(doc, name) -> str:
    for at in model.templates(doc):
        if at.name == name:
            return model.template_type(at.template) or "no type"
    return "?"


def _kind_of(lines: Sequence[str], line: int) -> Optional[str]:
    """The `kind:` of the YAML document holding ``line``."""
    start = 0
    for number in range(line, -1, -1):
        if lines[number].startswith("---"):
            start = number + 1
            break
    for number in range(start, len(lines)):
        if number > start and lines[number].startswith("---"):
            break
        match = re.match(r"^kind:\s*[\"']?([A-Za-z]+)", lines[number])
        if match:
            return match.group(1) if match.group(1) in ARGO_KINDS else None
    return None
