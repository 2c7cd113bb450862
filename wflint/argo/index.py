"""The index of every document in a run, for rules that look across files.

It answers the cross-file questions: which WorkflowTemplate a `templateRef`
names, seen from a given Workflow's namespace, and which template inside it.
Namespaces follow Argo: a WorkflowTemplate is looked up in the calling
Workflow's namespace; a manifest without `metadata.namespace` matches any
namespace, because kustomize or `kubectl -n` usually sets it later.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

from ..slots import Record
from ..finding import NodePath
from .model import as_dict, as_list, as_str

TEMPLATE_KINDS = ("WorkflowTemplate", "ClusterWorkflowTemplate")
# Kubernetes objects the RBAC checks read (never linted themselves).
RBAC_KINDS = ("ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "Secret",
              "CustomResourceDefinition")
# Argo objects that submit workflows when an event arrives (read by the security rules).
TRIGGER_KINDS = ("WorkflowEventBinding", "Sensor")
INDEXED_KINDS = frozenset(TEMPLATE_KINDS + RBAC_KINDS + TRIGGER_KINDS)
# What of each RBAC object is kept: enough to decide permissions, nothing more
# (a Secret's data, in particular, never reaches the index or its cache).
_KEEP = {
    "ServiceAccount": ("secrets", "automountServiceAccountToken"),
    "Role": ("rules",), "ClusterRole": ("rules", "aggregationRule"),
    "RoleBinding": ("subjects", "roleRef"), "ClusterRoleBinding": ("subjects", "roleRef"),
    "Secret": ("type",),
    "CustomResourceDefinition": ("spec",),
    "WorkflowEventBinding": ("spec",), "Sensor": ("spec",),
}


# Of the metadata: name and namespace, and labels where ClusterRole aggregation
# reads them. Annotations only one by one, as the checks read them: any other
# (`kubectl.kubernetes.io/last-applied-configuration` carries a whole object,
# a Secret's data included) never reaches the index or its cache. Of a
# Secret: its name, namespace and type, nothing else.
_KEEP_METADATA = {
    "Role": ("name", "namespace", "labels"), "ClusterRole": ("name", "namespace", "labels"),
    "RoleBinding": ("name", "namespace", "labels"), "ClusterRoleBinding": ("name", "namespace", "labels"),
    "ServiceAccount": ("name", "namespace", "labels"),
    "CustomResourceDefinition": ("name", "namespace", "labels"),
    "Secret": ("name", "namespace"),
}
_KEEP_ANNOTATIONS = {
    "ServiceAccount": ("workflows.argoproj.io/service-account-token.name",),
}


# In YAML text, a kind's name can be written without its letters standing
# together only through escapes of a double-quoted scalar (`\x52ole`,
# `\u0052ole`; JSON has only `\u`) or its escaped line breaks
# (`"Ro\<newline>  le"`, which drop the break and the next line's indent). A
# plain, single-quoted or block scalar, an alias and a merge key hold the
# letters as written.
_ESCAPED_LETTER = re.compile(r"\\[xuU]")
# (YAML 1.1 breaks lines at NEL, LS and PS too.)
_ESCAPED_BREAK = re.compile("\\\\(?:\r\n|[\r\n\x85\u2028\u2029])[ \t]*")
# Each indexed kind's name contains one of these ("Role": ClusterRole, RoleBinding, ...).
_MARKER_KINDS = ("WorkflowTemplate", "Role", "ServiceAccount", "Secret", "CustomResourceDefinition", "Sensor",
                 "WorkflowEventBinding")
# Text in UTF-16 or UTF-32 (read when it starts with a byte-order mark) holds
# no marker byte for byte.
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


_NOT_YET = object()  # (a memoized answer may be None)


def memoized(index, key, compute: Callable[[], Any]) -> Any:
    """``index.memoize(key, compute)``; ``compute()`` each time where there is
    no index (None) or a stand-in without a memo."""
    memoize = getattr(index, "memoize", None)
    return compute() if memoize is None else memoize(key, compute)


def may_hold_indexed(text: Union[str, bytes]) -> bool:
    """False only when no document of ``text`` (a file's text, or its bytes
    before decoding) can be one the index keeps: no indexed kind's name
    appears in it, even with escaped line breaks joined, and no escape could
    spell one. Exact, not a guess: `Pipeline.lint_share` streams the files it
    says False for, and the project scan never parses them."""
    if isinstance(text, bytes):
        if text.startswith(_WIDE_BOMS):
            return True
        text = text.decode("utf-8", "replace")  # the markers are ASCII: any other byte cannot be part of one
    for kind in _MARKER_KINDS:
        if kind in text:
            return True
    if "\\" not in text:
        return False       # (most files: no escape of either kind)
    if _ESCAPED_LETTER.search(text) is not None:
        return True
    if _ESCAPED_BREAK.search(text) is None:
        return False
    joined = _ESCAPED_BREAK.sub("", text)  # usually a shell script's line continuations
    return any(kind in joined for kind in _MARKER_KINDS)


def indexable(document) -> bool:
    """Should this document go into the index? Argo templates, and RBAC
    objects of their own API group; never a kustomize patch (a part of an object)."""
    if getattr(document, "partial", False):
        return False
    kind, api = document.kind, document.api_version
    if kind in TEMPLATE_KINDS:
        return document.is_argo
    if kind not in INDEXED_KINDS or not isinstance(api, str):
        return False
    if kind in TRIGGER_KINDS:
        return api.startswith("argoproj.io/")
    if kind in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"):
        return api.startswith("rbac.authorization.k8s.io/")
    if kind == "CustomResourceDefinition":
        return api.startswith("apiextensions.k8s.io/")
    return api == "v1"


def index_data(kind: str, data: Any) -> Any:
    """The part of a document the index keeps."""
    if kind in TEMPLATE_KINDS or not isinstance(data, dict):
        return data
    metadata = as_dict(data.get("metadata"))
    kept_metadata = {k: metadata[k] for k in _KEEP_METADATA.get(kind, ("name", "namespace")) if k in metadata}
    annotations = as_dict(metadata.get("annotations"))
    wanted = {k: annotations[k] for k in _KEEP_ANNOTATIONS.get(kind, ()) if k in annotations}
    if wanted:
        kept_metadata["annotations"] = wanted
    kept = {"apiVersion": data.get("apiVersion"), "kind": kind, "metadata": kept_metadata}
    for key in _KEEP.get(kind, ()):
        if key in data:
            kept[key] = data[key]
    return kept


class IndexEntry(Record):
    """One indexed document: enough to resolve references into it and to
    name where it is. ``data`` is the document's plain data."""

    __slots__ = ("kind", "name", "namespace", "path", "document", "line", "data", "stub", "declared")

    kind: str
    name: Optional[str]
    namespace: Optional[str]
    path: str
    document: int             # index of the document in its file
    line: int                 # 1-based line where the document starts
    data: Any
    stub: bool                # from a stub file or the config: it lives elsewhere
    # For a template declared in the config by name only: the template names
    # it is known to hold (None: any name). Such an entry has no data.
    declared: Optional[List[str]]

    def __init__(self, kind, name, namespace, path, document, line, data, stub=False, declared=None):
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.path = path
        self.document = document
        self.line = line
        self.data = data
        self.stub = stub
        self.declared = declared

    @property
    def opaque(self) -> bool:
        """Declared by name only: references resolve, but nothing is known inside."""
        return self.data is None

    @property
    def spec(self) -> Dict:
        return as_dict(as_dict(self.data).get("spec"))

    def templates(self) -> List[Dict]:
        return [t for t in as_list(self.spec.get("templates")) if isinstance(t, dict)]

    def template(self, name: str) -> Optional[Tuple[int, Dict]]:
        if self.opaque:
            if self.declared is None or name in self.declared:
                return -1, {"name": name}
            return None
        for i, template in enumerate(as_list(self.spec.get("templates"))):
            if isinstance(template, dict) and template.get("name") == name:
                return i, template
        return None

    def template_names(self) -> List[str]:
        if self.opaque:
            return list(self.declared or [])
        return [t["name"] for t in self.templates() if isinstance(t.get("name"), str)]

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


class Resolved(Record):
    """A template found through a reference: the document holding it, and it."""

    __slots__ = ("entry", "template", "position")

    entry: IndexEntry
    template: Dict
    position: int      # its index in the holder's spec.templates

    def __init__(self, entry, template, position):
        self.entry = entry
        self.template = template
        self.position = position

    @property
    def path(self) -> NodePath:
        return ("spec", "templates", self.position)

    @property
    def opaque(self) -> bool:
        """Only its name is known (declared in the config): check nothing inside."""
        return self.entry.opaque


def entry_of(document) -> IndexEntry:
    """The index entry for a converted Document."""
    line = document.node.start_mark.line + document.line_offset + 1
    return IndexEntry(kind=document.kind, name=document.name, namespace=document.namespace, path=document.path,
                      document=document.index, line=line, data=index_data(document.kind, document.data))


def lookup_namespace(document) -> Optional[str]:
    """The namespace a reference from ``document`` is resolved in (None: any).

    Argo looks a namespaced WorkflowTemplate up in the namespace of the
    Workflow that runs (controller: ``WorkflowTemplates(woc.wf.Namespace)``).
    A ClusterWorkflowTemplate has no namespace of its own (a stray
    `metadata.namespace` is ignored by Kubernetes): its references resolve in
    whichever Workflow's namespace runs it, so any namespace will do."""
    if getattr(document, "kind", None) == "ClusterWorkflowTemplate":
        return None
    return getattr(document, "namespace", None)


def visible(namespace: Optional[str], held_in: Optional[str], cluster: bool) -> bool:
    """Does a reference resolved in ``namespace`` see a template held in
    namespace ``held_in``? Always for a ClusterWorkflowTemplate; either
    namespace unset (None) matches any."""
    return cluster or namespace is None or held_in is None or held_in == namespace


def is_dynamic(value: Any) -> bool:
    """A name built from placeholders, resolvable only at run time."""
    return isinstance(value, str) and "{{" in value


class ProjectIndex:
    """Documents by kind and name, built once before any rule runs; read-only after."""

    def __init__(self, documents: Iterable = (), entries: Iterable[IndexEntry] = ()):
        self.documents: List = []
        self._entries: Dict[Tuple[str, str], List[IndexEntry]] = defaultdict(list)
        self._answers: Dict[tuple, Any] = {}   # memoize: queries and what rules derive from the project
        for entry in entries:
            self.add_entry(entry)
        for document in documents:
            self.add(document)

    # -- building ---------------------------------------------------------

    def add(self, document) -> None:
        """Index a Document of the run (its data must be converted): Argo
        documents are linted; the other indexable kinds are only indexed."""
        if document.is_argo:
            self.documents.append(document)
        if indexable(document):
            self.add_entry(entry_of(document))

    def add_entry(self, entry: IndexEntry) -> None:
        if entry.name:
            self._entries[(entry.kind, entry.name)].append(entry)
            self._answers.clear()

    def memoize(self, key, compute: Callable[[], Any]) -> Any:
        """``compute()``, run once per index and ``key``: its own queries'
        answers, and what rules derive from the whole project (an authorizer,
        the templates a reference reaches), since rules ask the same of every
        document. Forgotten when an entry is added. Rules name their keys
        after themselves, e.g. ``("rbac", "authorizer")``; ``compute`` may
        return anything, None included."""
        found = self._answers.get(key, _NOT_YET)
        if found is _NOT_YET:
            found = self._answers[key] = compute()
        return found

    # -- queries ----------------------------------------------------------

    def find(self, kind: str, name: str, namespace: Optional[str] = None) -> List[IndexEntry]:
        """Entries of ``kind`` named ``name`` visible from ``namespace``
        (cluster-scoped kinds ignore it)."""
        # In file order, whatever order they were indexed in (processes may differ).
        found = self.memoize(("find", kind, name), lambda: sorted(
            self._entries.get((kind, name), []), key=lambda e: (e.path, e.document)))
        cluster = kind == "ClusterWorkflowTemplate"
        return [e for e in found if visible(namespace, e.namespace, cluster)]

    def of_kind(self, kind: str) -> List[IndexEntry]:
        """Every entry of ``kind``, in file order."""
        return list(self.memoize(("kind", kind), lambda: sorted(
            (e for (k, _), entries in self._entries.items() if k == kind for e in entries),
            key=lambda e: (e.path, e.document))))

    def names(self, kind: str) -> List[str]:
        return list(self.memoize(("names", kind), lambda: sorted(
            {name for (k, name) in self._entries if k == kind and not is_dynamic(name)})))

    def unknowable(self, kind: str) -> List[IndexEntry]:
        """Entries of ``kind`` whose name cannot be known before rendering (a
        Helm chart template's `name: {{ .Release.Name }}-x`), in file order."""
        return list(self.memoize(("unknowable", kind), lambda: sorted(
            (e for (k, name), entries in self._entries.items() if k == kind and is_dynamic(name) for e in entries),
            key=lambda e: (e.path, e.document))))

    def holder(self, name: str, cluster_scope: bool, namespace: Optional[str]) -> Optional[IndexEntry]:
        """The WorkflowTemplate (or ClusterWorkflowTemplate) a reference names, or None."""
        kind = "ClusterWorkflowTemplate" if cluster_scope else "WorkflowTemplate"
        found = self.find(kind, name, namespace)
        if not found:
            return None
        exact = [e for e in found if e.namespace == namespace]
        return (exact or found)[0]

    def resolve_ref(self, document, template_ref: Any) -> Optional[Resolved]:
        """The template a step's or task's ``templateRef`` names, as seen from
        ``document`` (the caller); None when it is dynamic or not found."""
        ref = as_dict(template_ref)
        name, template = as_str(ref.get("name")), as_str(ref.get("template"))
        if not name or not template or is_dynamic(name) or is_dynamic(template):
            return None
        cluster, namespace = bool(ref.get("clusterScope")), lookup_namespace(document)
        # Many workflows call the same few library templates: each reference is resolved once.
        return self.memoize(("resolve_ref", name, template, cluster, namespace),
                            lambda: self._resolve_ref(name, template, cluster, namespace))

    def _resolve_ref(self, name: str, template: str, cluster: bool, namespace: Optional[str]) -> Optional[Resolved]:
        holder = self.holder(name, cluster, namespace)
        if holder is None:
            return None
        found = holder.template(template)
        if found is None:
            return None
        return Resolved(entry=holder, template=found[1], position=found[0])

    def resolve_workflow_template_ref(self, document, ref: Any) -> Optional[IndexEntry]:
        """The WorkflowTemplate a ``workflowTemplateRef`` names, or None."""
        ref = as_dict(ref)
        name = as_str(ref.get("name"))
        if not name or is_dynamic(name):
            return None
        return self.holder(name, bool(ref.get("clusterScope")), lookup_namespace(document))
