"""The one function that turns a file into the documents wflint keeps.

``load_file`` is used by every path that reads manifests: `wflint check`
(one process or many), standard input, `wflint rbac`, `wflint graph`, the
language server and the project index scan. So they all agree on what a file
holds:

- Argo documents (linted); in a kustomize patch they are marked ``partial``
  (only part of an object: kustomize.py);
- the Argo objects a List or a Sensor carries (embedded.py), and the RBAC
  objects in a List, recursively up to 8 levels; a Sensor is kept too (indexed);
- RBAC objects and the other kinds the index keeps (index.indexable);
- findings: what reading and converting the documents found (reported inside
  the objects that are linted), and near-miss warnings (a document that looks
  like Argo's but is not).
"""

from __future__ import annotations

import functools
from typing import Dict, List, Optional

from ..slots import Record
from ..k8s import embedded, nearmiss
from ..source import loader
from ..source.document import Document
from ..finding import ERROR, Finding, json_pointer
from .index import INDEXED_KINDS, indexable
from ..source.files import SourceFile

MAX_HOLDER_DEPTH = 8


class Loaded(Record):
    """What one file holds for wflint."""

    __slots__ = ("documents", "findings")

    documents: List[Document]  # Argo documents and indexed objects
    findings: List[Finding]

    def __init__(self, documents=None, findings=None):
        self.documents = [] if documents is None else documents
        self.findings = [] if findings is None else findings


def load_file(source: SourceFile, patches=None, index_only: bool = False) -> Loaded:
    """The documents of ``source`` wflint keeps, and what reading them found.

    ``patches`` is a kustomize.PatchFinder (None: no file is a patch).
    ``index_only``: only what the index keeps is wanted (the project scan):
    the documents returned are then exactly the indexable ones of a full load,
    without the cost of converting the others or collecting findings."""
    loaded = Loaded()
    if index_only:
        docs, problems = loader.load(source, _indexed_kind)
    else:
        docs, problems = loader.load(source, _read_kind)
    if not index_only:
        loaded.findings.extend(problems)
    patch: Optional[bool] = None

    def is_patch() -> bool:
        nonlocal patch
        if patch is None:
            patch = bool(patches is not None and patches.is_patch(source.path))
        return patch

    for doc in docs:
        if doc.is_argo and is_patch():
            doc.partial = True
        if doc.is_argo:
            if index_only and not indexable(doc):
                continue
            for problem in loader.convert(doc):
                if not index_only:
                    loaded.findings.append(problem.replace(
                        document=doc.index, pointer=problem.pointer or pointer_of(doc, problem)))
            if doc.partial and _whole(doc):
                doc.partial = False
        elif embedded.is_holder(doc):
            # A List or a Sensor: its Argo objects are linted; a Sensor is indexed too.
            _take_holder(doc, loader.convert(doc), loaded, index_only)
            if not (indexable(doc) and isinstance(doc.data, dict)):
                continue
        elif indexable(doc):
            loader.convert(doc)  # an RBAC object: indexed, never linted
        else:
            if not index_only:
                near = nearmiss.findings(doc)
                if near and not is_patch():  # a patch may omit apiVersion
                    loaded.findings.extend(near)
            continue
        if isinstance(doc.data, dict):
            loaded.documents.append(doc)
    if index_only:
        loaded.documents = [doc for doc in loaded.documents if indexable(doc) and isinstance(doc.data, dict)]
    return loaded


@functools.lru_cache(maxsize=1024)
def _read_kind(kind: Optional[str]) -> bool:
    """Does a run read a document whose only top-level `kind` is ``kind``
    (None: it has no key `kind`, in any case)? Argo's kinds (linted, or a
    `not-linted` near miss), the kinds the index keeps, and the holders of
    other objects (Lists, Sensors). A document of any other kind, or of none,
    only has its syntax checked (loader.load)."""
    if kind is None:
        return False
    return kind in INDEXED_KINDS or embedded.may_hold(kind) or nearmiss.may_warn(kind)


@functools.lru_cache(maxsize=1024)
def _indexed_kind(kind: Optional[str]) -> bool:
    """Does the index read a document of this kind (``index_only``)? The
    kinds it keeps, and the holders that may carry them."""
    return kind is not None and (kind in INDEXED_KINDS or embedded.may_hold(kind))


def _whole(doc: Document) -> bool:
    """A kustomize patch that sets both `entrypoint` and `templates` is linted
    whole: Argo's kinds have no merge keys, so a patch replaces the base's
    `templates` list outright and the cluster runs exactly what it sets (and a
    kustomization in the checkout cannot make a broken workflow pass by naming
    it as a patch)."""
    spec = doc.data.get("spec") if isinstance(doc.data, dict) else None
    return isinstance(spec, dict) and "entrypoint" in spec and isinstance(spec.get("templates"), list)


def _take_holder(holder: Document, problems: List[Finding], loaded: Loaded, index_only: bool,
                 depth: int = 0) -> None:
    """The objects a List or a Sensor carries: Argo ones are linted, RBAC
    ones indexed, near-misses reported. What reading the holder found is
    reported only inside the Argo objects (the rest is not linted)."""
    ranges = []
    for inner in embedded.embedded(holder):
        if inner.is_argo:
            loaded.documents.append(inner)
            start = inner.node.start_mark.line + inner.line_offset + 1
            ranges.append((start, inner.node.end_mark.line + inner.line_offset + 1))
        elif embedded.is_holder(inner) and depth < MAX_HOLDER_DEPTH:
            _take_holder(inner, [], loaded, index_only, depth + 1)
            if indexable(inner):
                loaded.documents.append(inner)
        elif embedded.is_holder(inner):
            # Never dropped without a word: what it holds is not linted, which must fail the run.
            if not index_only:
                line = inner.node.start_mark.line + inner.line_offset + 1
                column = inner.node.start_mark.column + 1
                loaded.findings.append(Finding(
                    rule="input-limit", severity=ERROR, path=holder.path, line=line, column=column,
                    end_line=line, end_column=column + 1, document=holder.index,
                    message=f"Lists and Sensors nested more than {MAX_HOLDER_DEPTH} levels deep; "
                            "what this one holds is not linted",
                    hint="nest fewer Lists and Sensors, or lint the inner objects as files of their own"))
            if indexable(inner):
                loaded.documents.append(inner)
        elif indexable(inner):
            loaded.documents.append(inner)
        elif not index_only:
            loaded.findings.extend(nearmiss.findings(inner))
    if index_only:
        return
    for problem in problems:
        if problem.rule != "duplicate-key" or any(a <= problem.line <= b for a, b in ranges):
            loaded.findings.append(problem.replace(
                document=holder.index, pointer=problem.pointer or pointer_of(holder, problem)))


def pointer_of(doc: Document, problem: Finding) -> str:
    """The JSON pointer of the key a loader finding points at, found by position.
    The keys' positions are collected in one walk per document (not one per
    finding: 50,000 duplicate keys were quadratic), visiting each node once, so
    a recursive anchor cannot loop and aliases cannot multiply the walk."""
    keys = doc.memo.get(_KEY_PATHS)
    if keys is None:
        keys = doc.memo[_KEY_PATHS] = _key_paths(doc.node)
    path = keys.get((problem.line - doc.line_offset - 1, problem.column - 1))
    return json_pointer(path) if path is not None else ""


_KEY_PATHS = ("engine", "key-paths")


def _key_paths(root) -> Dict[tuple, tuple]:
    """(line, column) of each mapping key -> its node path, the first path found."""
    from yaml import MappingNode, SequenceNode
    found: Dict[tuple, tuple] = {}
    seen = set()
    stack = [(root, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.__class__ is MappingNode:
            for key, value in node.value:
                sub = path + (key.value if hasattr(key, "value") and isinstance(key.value, str) else "?",)
                found.setdefault((key.start_mark.line, key.start_mark.column), sub)
                stack.append((value, sub))
        elif node.__class__ is SequenceNode:
            for i, item in enumerate(node.value):
                stack.append((item, path + (i,)))
    return found
