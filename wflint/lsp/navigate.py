"""What a place in a manifest refers to, and where that is declared; who
refers to a template. The one module that resolves references for the editor
(definition, references, hover, completion), on wflint.argo.model and
wflint.argo.index; it knows nothing of the Language Server Protocol.

Positions here are 0-based (line, column) pairs in the file, in characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from yaml import MappingNode, ScalarNode, SequenceNode

from ..argo import callgraph, model
from ..source.document import Document
from ..argo.index import TEMPLATE_KINDS, IndexEntry, lookup_namespace
from ..argo.model import as_dict, as_list, as_str


@dataclass(frozen=True)
class Place:
    """A range in a file: 0-based, end exclusive."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass
class Hit:
    """The node under a position: its path in the document, and whether the
    position is on a mapping key."""

    document: Document
    path: Tuple
    node: Any
    on_key: bool = False


@dataclass
class Reference:
    """Something a position names. ``kind``: template (a local template),
    holder (a WorkflowTemplate / ClusterWorkflowTemplate), ref-template (a
    template inside a holder), task, step, input-parameter, input-artifact,
    workflow-parameter, variable (another `{{…}}` variable)."""

    kind: str
    name: str
    document: Document
    path: Tuple                      # of the node that names it
    holder: Optional[str] = None     # for ref-template
    cluster: bool = False            # for holder and ref-template
    expression: Optional[str] = None  # the whole `{{…}}` expression, if any
    scope: Optional[model.TemplateAt] = None  # the template the reference is in


# -- positions -----------------------------------------------------------------


def _start(node, doc) -> Tuple[int, int]:
    return node.start_mark.line + doc.line_offset, node.start_mark.column


def _end(node, doc) -> Tuple[int, int]:
    return node.end_mark.line + doc.line_offset, node.end_mark.column


def place_of_node(doc: Document, node) -> Place:
    line, column = _start(node, doc)
    end_line, end_column = _end(node, doc)
    if node.__class__ is not ScalarNode or end_line != line:
        end_line, end_column = line, column + (len(node.value) if node.__class__ is ScalarNode else 1)
    return Place(doc_path(doc), line, column, end_line, max(end_column, column + 1))


def place(doc: Document, path: Sequence) -> Optional[Place]:
    """The range of the node at ``path`` (a scalar: itself; a container: its key)."""
    key_node, node, matched = doc.locate(tuple(path))
    if matched != len(path):
        return None
    if node.__class__ is not ScalarNode and key_node is not None:
        node = key_node
    return place_of_node(doc, node)


def doc_path(doc: Document) -> str:
    import os
    return os.path.abspath(doc.path)


def document_at(documents: Sequence[Document], line: int) -> Optional[Document]:
    """The document holding 0-based ``line``."""
    chosen = None
    for doc in documents:
        if _start(doc.node, doc)[0] <= line:
            chosen = doc
    return chosen


def node_at(doc: Document, line: int, column: int) -> Optional[Hit]:
    """The deepest node at (line, column), with its path."""
    pos = (line, column)
    node, path = doc.node, ()
    if pos < _start(node, doc):
        return None
    for _ in range(10_000):  # nesting is capped far lower by the loader
        nxt = None
        if node.__class__ is MappingNode:
            for key, value in node.value:
                if key.__class__ is ScalarNode and _start(key, doc) <= pos <= _end(key, doc):
                    return Hit(doc, path + (key.value,), value, on_key=True)
                if _contains(value, doc, pos):
                    nxt = (value, path + (key.value if key.__class__ is ScalarNode else "?",))
        elif node.__class__ is SequenceNode:
            for i, item in enumerate(node.value):
                if _contains(item, doc, pos):
                    nxt = (item, path + (i,))
        if nxt is None:
            return Hit(doc, path, node)
        node, path = nxt
    return None


def _contains(node, doc, pos) -> bool:
    if node.__class__ is ScalarNode:
        return _start(node, doc) <= pos <= _end(node, doc)
    return _start(node, doc) <= pos < _end(node, doc)


# -- what a position names -----------------------------------------------------

_EXPRESSION = re.compile(r"\{\{\s*(=?)([^{}]*?)\s*\}\}")
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def expression_at(line_text: str, column: int) -> Optional[Tuple[str, int, int]]:
    """The `{{…}}` expression around ``column`` in a line: (inner text, start, end)."""
    for match in _EXPRESSION.finditer(line_text):
        if match.start() <= column <= match.end():
            return match.group(2), match.start(), match.end()
    return None


def enclosing_template(doc: Document, path: Sequence) -> Optional[model.TemplateAt]:
    """The innermost template whose path is a prefix of ``path``."""
    best = None
    path = tuple(path)
    for at in model.all_templates(doc):
        if path[:len(at.path)] == at.path and (best is None or len(at.path) > len(best.path)):
            best = at
    return best


def _word_at(text: str, column: int) -> Optional[str]:
    for match in _NAME.finditer(text):
        if match.start() <= column <= match.end():
            return match.group(0)
    return None


def reference_at(doc: Document, line: int, column: int, line_text: str) -> Optional[Reference]:
    """What the position (line, column) of ``doc`` names, if anything."""
    hit = node_at(doc, line, column)
    if hit is None:
        return None
    path, node = hit.path, hit.node
    scope = enclosing_template(doc, path)
    found = expression_at(line_text, column)
    if found is not None:
        return _expression_reference(doc, found[0], path, scope)
    if hit.on_key or node.__class__ is not ScalarNode or not path:
        return None
    value = node.value
    last = path[-1]
    parent = path[-2] if len(path) > 1 else None
    if parent == "templateRef" and last in ("name", "template"):
        ref = as_dict(_data_at(doc, path[:-1]))
        cluster = bool(ref.get("clusterScope"))
        if last == "name":
            return Reference("holder", value, doc, path, cluster=cluster, scope=scope)
        holder = as_str(ref.get("name"))
        return Reference("ref-template", value, doc, path, holder=holder, cluster=cluster, scope=scope) \
            if holder else None
    if parent == "workflowTemplateRef" and last == "name":
        ref = as_dict(_data_at(doc, path[:-1]))
        return Reference("holder", value, doc, path, cluster=bool(ref.get("clusterScope")), scope=scope)
    if last == "template" and _in_call(path) or last in ("entrypoint", "onExit"):
        return Reference("template", value, doc, path, scope=scope)
    if last == "depends":
        word = _word_at(line_text, column) if column >= _start(node, doc)[1] or _start(node, doc)[0] != line \
            else None
        if word:
            return Reference("task", word.split(".")[0], doc, path, scope=scope)
        return None
    if parent == "dependencies" or (len(path) > 2 and path[-2] == "dependencies"):
        return Reference("task", value.split(".")[0], doc, path, scope=scope)
    if last == "name" and len(path) >= 2 and path[-3:-1] and _is_template_path(doc, path[:-1]):
        return Reference("template", value, doc, path, scope=scope)
    if last == "name" and len(path) >= 3 and path[-3] == "tasks":
        return Reference("task", value, doc, path, scope=scope)
    if path == ("metadata", "name") and doc.kind in TEMPLATE_KINDS:
        return Reference("holder", value, doc, path, cluster=doc.kind == "ClusterWorkflowTemplate", scope=scope)
    return None


def _is_template_path(doc: Document, path: Sequence) -> bool:
    return any(at.path == tuple(path) for at in model.templates(doc))


def _in_call(path: Sequence) -> bool:
    return any(p in ("steps", "tasks", "hooks") for p in path if isinstance(p, str))


def _data_at(doc: Document, path: Sequence) -> Any:
    data = doc.data
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


def _expression_reference(doc: Document, expression: str, path, scope) -> Optional[Reference]:
    parts = expression.strip().split(".")
    if len(parts) >= 2 and parts[0] in ("tasks", "steps"):
        return Reference("task" if parts[0] == "tasks" else "step", parts[1], doc, path, expression=expression,
                         scope=scope)
    if len(parts) >= 3 and parts[0] == "inputs" and parts[1] in ("parameters", "artifacts"):
        kind = "input-parameter" if parts[1] == "parameters" else "input-artifact"
        return Reference(kind, parts[2], doc, path, expression=expression, scope=scope)
    if len(parts) >= 3 and parts[0] == "workflow" and parts[1] == "parameters":
        return Reference("workflow-parameter", parts[2], doc, path, expression=expression, scope=scope)
    if parts and parts[0]:
        return Reference("variable", expression.strip(), doc, path, expression=expression, scope=scope)
    return None


# -- where it is declared ------------------------------------------------------


@dataclass
class Target:
    """A declaration: where, and what to say about it."""

    place: Place
    summary: str
    data: Any = None


class Resolver:
    """Resolves references against a workspace (wflint.run.workspace.Workspace)."""

    def __init__(self, workspace):
        self.workspace = workspace

    def _documents(self, path: str) -> List[Document]:
        return self.workspace.documents(path)

    def _entry_document(self, entry: IndexEntry) -> Optional[Document]:
        import os
        for doc in self._documents(os.path.abspath(entry.path)):
            if doc.index == entry.document:
                return doc
        return None

    def holder(self, ref: Reference) -> Optional[IndexEntry]:
        name = ref.holder if ref.kind == "ref-template" else ref.name
        if not name:
            return None
        index = self.workspace.index(documents=[])
        return index.holder(name, ref.cluster, lookup_namespace(ref.document))

    def definitions(self, ref: Reference) -> List[Target]:
        doc, scope = ref.document, ref.scope
        kind = ref.kind
        if kind == "template":
            for at in model.templates(doc):
                if at.name == ref.name:
                    where = place(doc, at.path + ("name",))
                    if where:
                        return [Target(where, f"template `{at.name}` ({model.template_type(at.template) or 'no type'})",
                                       at.template)]
            return []
        if kind in ("holder", "ref-template"):
            if kind == "holder" and ref.path == ("metadata", "name"):
                where = place(doc, ref.path)
                return [Target(where, f"{doc.kind} `{ref.name}`")] if where else []
            entry = self.holder(ref)
            if entry is None or entry.opaque:
                return []
            holder_doc = self._entry_document(entry)
            if holder_doc is None:
                return []
            if kind == "holder":
                where = place(holder_doc, ("metadata", "name"))
                return [Target(where, f"{entry.kind} `{entry.name}` ({entry.where})", entry.data)] if where else []
            for at in model.templates(holder_doc):
                if at.name == ref.name:
                    where = place(holder_doc, at.path + ("name",))
                    if where:
                        return [Target(where, f"template `{ref.name}` of {entry.kind} `{entry.name}` "
                                              f"({entry.path})", at.template)]
            return []
        if kind in ("task", "step"):
            if scope is None:
                return []
            calls = model.tasks(scope) if kind == "task" else model.steps(scope)
            for call in calls:
                if call.name == ref.name:
                    where = place(doc, call.path + ("name",))
                    if where:
                        called = callgraph.called_name(doc, call) or "inline"
                        return [Target(where, f"{kind} `{ref.name}` of template `{scope.name}`, "
                                              f"running template `{called}`", call.body)]
            return []
        if kind in ("input-parameter", "input-artifact"):
            if scope is None:
                return []
            group = "parameters" if kind == "input-parameter" else "artifacts"
            for i, item in enumerate(as_list(as_dict(scope.template.get("inputs")).get(group))):
                if isinstance(item, dict) and item.get("name") == ref.name:
                    where = place(doc, scope.path + ("inputs", group, i, "name"))
                    if where:
                        what = "input parameter" if group == "parameters" else "input artifact"
                        return [Target(where, f"{what} `{ref.name}` of template `{scope.name}`" +
                                       _value_note(item), item)]
            return []
        if kind == "workflow-parameter":
            base, body = model.spec(doc)
            for i, item in enumerate(as_list(as_dict(body.get("arguments")).get("parameters"))):
                if isinstance(item, dict) and item.get("name") == ref.name:
                    where = place(doc, base + ("arguments", "parameters", i, "name"))
                    if where:
                        return [Target(where, f"workflow parameter `{ref.name}`" + _value_note(item), item)]
            # A Workflow run from a WorkflowTemplate gets that template's arguments.
            # (a fresh index per request: its call graph is not memoized in the document)
            entry = callgraph.CallGraph(doc, self.workspace.index(documents=[])).workflow_template_ref()
            holder_doc = self._entry_document(entry) if entry is not None and not entry.opaque else None
            if holder_doc is not None:
                hbase, hbody = model.spec(holder_doc)
                for i, item in enumerate(as_list(as_dict(hbody.get("arguments")).get("parameters"))):
                    if isinstance(item, dict) and item.get("name") == ref.name:
                        where = place(holder_doc, hbase + ("arguments", "parameters", i, "name"))
                        if where:
                            return [Target(where, f"workflow parameter `{ref.name}` of {entry.kind} "
                                                  f"`{entry.name}`" + _value_note(item), item)]
            return []
        return []

    # -- references ------------------------------------------------------------

    def references(self, ref: Reference, include_declaration: bool = True) -> List[Place]:
        """Every place that names what ``ref`` names: for a template, its
        callers in the document and, for a WorkflowTemplate's template, every
        `templateRef` to it in the workspace."""
        found: List[Place] = []
        if ref.kind in ("template", "ref-template"):
            if ref.kind == "template":
                holder_doc, name = ref.document, ref.name
            else:
                entry = self.holder(ref)
                holder_doc = self._entry_document(entry) if entry is not None and not entry.opaque else None
                name = ref.name
                if holder_doc is None:
                    return []
            if include_declaration:
                for target in self.definitions(Reference("template", name, holder_doc, ())):
                    found.append(target.place)
            found.extend(_local_callers(holder_doc, name))
            if holder_doc.kind in TEMPLATE_KINDS and holder_doc.name:
                found.extend(self._ref_callers(holder_doc, name))
        elif ref.kind == "holder":
            entry = self.holder(ref)
            holder_doc = self._entry_document(entry) if entry is not None and not entry.opaque else None
            if holder_doc is not None and include_declaration:
                where = place(holder_doc, ("metadata", "name"))
                if where:
                    found.append(where)
            if holder_doc is not None:
                found.extend(self._ref_callers(holder_doc, None))
        elif ref.kind in ("task", "step") and ref.scope is not None:
            if include_declaration:
                found.extend(t.place for t in self.definitions(ref))
            found.extend(_task_users(ref.document, ref.scope, ref.kind, ref.name))
        seen, out = set(), []
        for item in found:
            if item not in seen:
                seen.add(item)
                out.append(item)
        return out

    def _ref_callers(self, holder_doc: Document, template: Optional[str]) -> Iterator[Place]:
        """`templateRef`s (``template`` None: and `workflowTemplateRef`s) naming holder_doc."""
        cluster = holder_doc.kind == "ClusterWorkflowTemplate"
        name = holder_doc.name
        needle = [name] + ([template] if template else [])
        for path in self.workspace.project_files():
            text = self.workspace.text(path)
            if text is None or not all(n in text for n in needle):
                continue
            for doc in self._documents(path):
                if not doc.is_argo:
                    continue
                for call in model.ref_calls(doc):
                    ref = as_dict(call.body.get("templateRef"))
                    if ref.get("name") != name or bool(ref.get("clusterScope")) != cluster:
                        continue
                    if template is None:
                        where = place(doc, call.path + ("templateRef", "name"))
                    elif ref.get("template") == template:
                        where = place(doc, call.path + ("templateRef", "template"))
                    else:
                        continue
                    if where:
                        yield where
                if template is None:
                    base, body = model.spec(doc)
                    wref = as_dict(body.get("workflowTemplateRef"))
                    if wref.get("name") == name and bool(wref.get("clusterScope")) == cluster:
                        where = place(doc, base + ("workflowTemplateRef", "name"))
                        if where:
                            yield where


def _value_note(item: Dict) -> str:
    for key in ("value", "default"):
        if key in item and not isinstance(item[key], (dict, list)):
            return f" ({key}: `{item[key]}`)"
    if "valueFrom" in item:
        return " (valueFrom)"
    return ""


def _local_callers(doc: Document, name: str) -> Iterator[Place]:
    """Steps, tasks and hooks of ``doc`` calling template ``name``, its entrypoint and onExit."""
    for _, call in model.all_calls(doc):
        if call.body.get("template") == name:
            where = place(doc, call.path + ("template",))
            if where:
                yield where
        if call.body.get("onExit") == name:
            where = place(doc, call.path + ("onExit",))
            if where:
                yield where
    for hook in model.spec_hooks(doc):
        if hook.body.get("template") == name:
            where = place(doc, hook.path + ("template",))
            if where:
                yield where
    base, body = model.spec(doc)
    for key in ("entrypoint", "onExit"):
        if body.get(key) == name:
            where = place(doc, base + (key,))
            if where:
                yield where


def _task_users(doc: Document, scope: model.TemplateAt, kind: str, name: str) -> Iterator[Place]:
    """Where task/step ``name`` is named in its template: depends, dependencies, `{{tasks.name…}}`."""
    calls = model.tasks(scope) if kind == "task" else model.steps(scope)
    _, node, matched = doc.locate(scope.path)
    if matched == len(scope.path):
        # Expressions, read from the source lines the template spans (any scalar style).
        pattern = re.compile(r"\{\{\s*=?[^{}]*?\b" + ("tasks" if kind == "task" else "steps") + r"\.(" +
                             re.escape(name) + r")(?![\w-])")
        lines = doc.source.text.split("\n")
        first, last = _start(node, doc)[0], min(_end(node, doc)[0], len(lines) - 1)
        for number in range(first, last + 1):
            for match in pattern.finditer(lines[number]):
                yield Place(doc_path(doc), number, match.start(1), number, match.end(1))
    for call in calls:
        if kind == "task":
            depends = call.body.get("depends")
            word = re.compile(r"(?<![\w.-])" + re.escape(name) + r"(?![\w-])")
            if isinstance(depends, str) and word.search(depends):
                _, node, matched = doc.locate(call.path + ("depends",))
                if matched != len(call.path) + 1:
                    continue
                line, column = _start(node, doc)
                text = doc.source.text.split("\n")[line] if node.__class__ is ScalarNode else ""
                if _end(node, doc)[0] == line and text[column:].lstrip("'\"").startswith(depends[:1] or " "):
                    skip = 1 if node.style in ("'", '"') else 0
                    for match in word.finditer(depends):  # the name itself, on one-line scalars
                        yield Place(doc_path(doc), line, column + skip + match.start(), line,
                                    column + skip + match.end())
                else:
                    yield place_of_node(doc, node)
            for i, dep in enumerate(as_list(call.body.get("dependencies"))):
                if dep == name:
                    where = place(doc, call.path + ("dependencies", i))
                    if where:
                        yield where


# -- completion helpers --------------------------------------------------------


def template_names(doc: Document) -> List[str]:
    return model.template_names(doc)


def variables_in_scope(doc: Document, scope: Optional[model.TemplateAt], current: Optional[str] = None,
                       index=None) -> List[Tuple[str, str]]:
    """(variable, what it is) for what `{{…}}` may name at a place in ``scope``."""
    out: List[Tuple[str, str]] = []
    base, body = model.spec(doc)
    for item in as_list(as_dict(body.get("arguments")).get("parameters")):
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            out.append((f"workflow.parameters.{item['name']}", "workflow parameter" + _value_note(item)))
    for name, what in _GLOBALS:
        out.append((name, what))
    if scope is not None:
        inputs = as_dict(scope.template.get("inputs"))
        for item in as_list(inputs.get("parameters")):
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                out.append((f"inputs.parameters.{item['name']}", "input parameter" + _value_note(item)))
        for item in as_list(inputs.get("artifacts")):
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                out.append((f"inputs.artifacts.{item['name']}.path", "input artifact path"))
        for kind, calls in (("tasks", model.tasks(scope)), ("steps", model.steps(scope))):
            for call in calls:
                if not call.name or call.name == current:
                    continue
                out.append((f"{kind}.{call.name}.outputs.result", f"standard output of {kind[:-1]} `{call.name}`"))
                out.append((f"{kind}.{call.name}.status", f"phase of {kind[:-1]} `{call.name}`"))
                for pname in _output_parameters(doc, call, index):
                    out.append((f"{kind}.{call.name}.outputs.parameters.{pname}",
                                f"output parameter of {kind[:-1]} `{call.name}`"))
        if scope.template.get("retryStrategy") is not None:
            out.append(("retries", "the retry number of this attempt, from 0"))
    return out


def _output_parameters(doc: Document, call: model.Call, index) -> List[str]:
    graph = callgraph.CallGraph(doc, index) if index is not None else callgraph.graph_of(doc)
    target = graph.callee(graph.own, call.path, call.body)
    template = target.template if target is not None else None
    outputs = as_dict(as_dict(template).get("outputs"))
    return [p["name"] for p in as_list(outputs.get("parameters")) if isinstance(p, dict) and isinstance(p.get("name"), str)]


_GLOBALS = (
    ("workflow.name", "the Workflow's name"),
    ("workflow.namespace", "the Workflow's namespace"),
    ("workflow.uid", "the Workflow's UID"),
    ("workflow.serviceAccountName", "the Workflow's service account"),
    ("workflow.creationTimestamp", "when the Workflow was created (RFC 3339)"),
    ("workflow.status", "the Workflow's phase (in exit handlers)"),
    ("workflow.failures", "JSON list of failed nodes (in exit handlers)"),
    ("workflow.duration", "the Workflow's duration in seconds (in exit handlers)"),
    ("workflow.mainEntrypoint", "the Workflow's entrypoint"),
    ("pod.name", "the pod's name"),
    ("node.name", "the node's name"),
)
GLOBALS = dict(_GLOBALS)


def describe_variable(expression: str) -> Optional[str]:
    """A sentence about a global `{{…}}` variable, if wflint knows it."""
    return GLOBALS.get(expression.strip())


# -- the other places of a multi-place finding -------------------------------------

_NODE_PATH = re.compile(r"\b((?:spec|metadata)(?:\.[A-Za-z][A-Za-z0-9]*|\[\d+\])+)")
_FILE_LINE = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w.-]+\.ya?ml):(\d+)\b")
_CYCLE = re.compile(r"dependency cycle `([^`]+)`")


def pointer_path(pointer: str) -> Tuple:
    """A JSON pointer as a node path (digits as list indexes)."""
    parts = []
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        parts.append(int(part) if part.isdigit() else part)
    return tuple(parts)


def _written_path(text: str) -> Tuple:
    """`spec.templates[1].steps[0][2]` (as rules write node paths) as a node path."""
    parts = []
    for name, number in re.findall(r"([A-Za-z][A-Za-z0-9]*)|\[(\d+)\]", text):
        parts.append(int(number) if number else name)
    return tuple(parts)


def related(doc: Document, finding, root: str) -> List[Tuple[Place, str]]:
    """Other places a finding names: every task of a dependency cycle, the
    first definition of a duplicate (a node path in this document, or
    `file:line` in another)."""
    import os
    out: List[Tuple[Place, str]] = []
    own = pointer_path(finding.pointer)
    cycle = _CYCLE.search(finding.message)
    if cycle:
        names = [n.strip() for n in cycle.group(1).split("->")]
        scope = enclosing_template(doc, own)
        if scope is not None:
            for call in model.tasks(scope):
                if call.name in names:
                    where = place(doc, call.path + ("name",))
                    if where:
                        out.append((where, f"task `{call.name}` is in the cycle"))
        return out
    for match in _NODE_PATH.finditer(finding.message):
        path = _written_path(match.group(1))
        if path == own[:len(path)]:
            continue
        where = place(doc, path + ("name",)) or place(doc, path)
        if where:
            out.append((where, "also defined here"))
    for match in _FILE_LINE.finditer(finding.message):
        name, line = match.group(1), int(match.group(2))
        path = name if os.path.isabs(name) else os.path.abspath(name)
        if not os.path.isfile(path):
            path = os.path.join(root, name)
        if os.path.isfile(path) and line > 0:
            out.append((Place(path, line - 1, 0, line - 1, 1), "also defined here"))
    return out
