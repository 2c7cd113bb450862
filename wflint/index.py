"""The index of every document in a run, for rules that look across files."""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, Iterable, List, Optional, Tuple

from .document import Document


class ProjectIndex:
    """Documents by (kind, name), built once before any rule runs.

    Rules read it through ``context.index``; it never changes during a run.
    """

    def __init__(self, documents: Iterable[Document] = ()):
        self.documents: List[Document] = []
        self._by_kind_name: Dict[Tuple[str, str], List[Document]] = defaultdict(list)
        for document in documents:
            self.add(document)

    def add(self, document: Document) -> None:
        self.documents.append(document)
        if document.kind and document.name:
            self._by_kind_name[(document.kind, document.name)].append(document)

    def find(self, kind: str, name: str, namespace: Optional[str] = None) -> List[Document]:
        """Documents of ``kind`` named ``name``; a document without a namespace
        matches any namespace (kustomize or `kubectl -n` often sets it later)."""
        found = self._by_kind_name.get((kind, name), [])
        if namespace is None:
            return list(found)
        return [d for d in found if d.namespace in (None, namespace)]

    def names(self, kind: str) -> List[str]:
        return sorted({name for (k, name) in self._by_kind_name if k == kind})
