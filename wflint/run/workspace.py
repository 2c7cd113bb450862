"""A workspace folder as a project that changes while it is edited: the
analysis an editor integration (``wflint lsp``) asks for, on the same
pipeline as ``wflint check``.

The workspace holds the project's index (what every file contributes, read
once with the engine's own ``project_entries``, then kept up to date file by
file) and the text of open, unsaved buffers, which override the files on disk
for linting and for the index alike: an unsaved change in a WorkflowTemplate
changes the findings of the Workflows that use it. ``lint`` runs the engine's
phases (``parse``, ``check``, ``report``) on one document's text with that
index, so it returns the same findings, with the same spans, configuration,
suppressions and baseline, that ``wflint check --format json`` reports.

Nothing here knows the Language Server Protocol (or imports pygls).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence

from . import config as configuration
from ..source.document import Document
from .pipeline import Pipeline, raise_recursion_limit
from ..finding import Finding
from ..argo.index import IndexEntry, ProjectIndex, entry_of, indexable
from ..source.files import SourceFile


@dataclass
class Analysis:
    """What linting one document's text produced."""

    path: str                                   # absolute
    text: str
    findings: List[Finding] = field(default_factory=list)
    documents: List[Document] = field(default_factory=list)   # the documents that parsed (Argo and indexed)
    parsed: bool = True                         # False: a YAML syntax error hid at least one document
    version: Optional[int] = None


def _syntax_failed(findings: Iterable[Finding]) -> bool:
    return any(f.rule == "yaml-syntax" for f in findings)


class Workspace:
    """One workspace folder: its configuration, its index and its open buffers."""

    def __init__(self, root: str, config_path: Optional[str] = None, argo_version: Optional[str] = None):
        self.root = os.path.abspath(root)
        raise_recursion_limit()
        path = config_path or configuration.find(self.root)
        self.config_error: Optional[str] = None
        try:
            config = configuration.load(path)
            from .registry import load_rules
            configuration.check_against_rules(config, load_rules())
        except configuration.ConfigError as exc:
            # A broken config must not take the editor down: lint with defaults, say why.
            self.config_error = f"configuration error in {exc.path}: {exc.reason}"
            config = configuration.Config()
        from .options import resolve
        # As `wflint check` would resolve them, but one process, and a baseline
        # the configuration names only when it exists (an editor must keep working).
        self.options = resolve(config, argo_version=argo_version, jobs=1, baseline_if_present=True)
        if config.path is None:
            # No configuration: the workspace folder is the project (as
            # `--template-path FOLDER`), not a git work tree around it.
            self.options.template_paths = [self.root]
        self.engine = Pipeline(self.options)   # the phases `wflint check` runs (pipeline.py)
        self._excluder = self.options.excluder()
        self._lock = threading.RLock()
        self._disk: Dict[str, List[IndexEntry]] = {}     # absolute path -> entries from the file on disk
        self._fixed: List[IndexEntry] = []               # stubs and templates declared in the config
        self._buffers: Dict[str, str] = {}               # absolute path -> unsaved text
        self._buffer_entries: Dict[str, List[IndexEntry]] = {}
        self._last_good: Dict[str, List[Document]] = {}  # absolute path -> documents of the last text that parsed
        self._indexed = False

    # -- the index ---------------------------------------------------------

    def index_project(self) -> int:
        """Read the whole project's index (the engine's `project_entries`,
        with its on-disk cache); returns the number of entries."""
        # A path inside the folder, as pre-commit names one changed file in it:
        # the engine then indexes the project around it (config folder, git
        # work tree, or `template-paths`), stubs and declared templates included.
        probe = os.path.join(self.root, ".wflint-lsp-probe.yaml")
        entries = self.engine.project_entries([probe], [])
        disk: Dict[str, List[IndexEntry]] = {}
        fixed: List[IndexEntry] = []
        for entry in entries:
            if entry.stub:
                fixed.append(entry)
            else:
                disk.setdefault(os.path.abspath(entry.path), []).append(entry)
        with self._lock:
            self._disk, self._fixed, self._indexed = disk, fixed, True
        return len(entries)

    def _ensure_index(self) -> None:
        if not self._indexed:
            self.index_project()

    def file_changed(self, path: str) -> None:
        """A file changed (or appeared, or went) on disk: read its entries again."""
        from ..argo.project import _file_entries
        path = os.path.abspath(path)
        entries = [] if self.excluded(path) else _file_entries(self.shown(path), self.options.max_file_size)
        with self._lock:
            if entries:
                self._disk[path] = entries
            else:
                self._disk.pop(path, None)

    def entries(self, without: Optional[str] = None) -> List[IndexEntry]:
        """Every index entry of the project, open buffers over files, except ``without``'s."""
        self._ensure_index()
        with self._lock:
            out = list(self._fixed)
            for path, entries in self._disk.items():
                if path != without and path not in self._buffers:
                    out.extend(entries)
            for path, entries in self._buffer_entries.items():
                if path != without:
                    out.extend(entries)
        return out

    def index(self, without: Optional[str] = None, documents: Sequence[Document] = ()) -> ProjectIndex:
        return ProjectIndex(documents, entries=self.entries(without))

    # -- buffers -----------------------------------------------------------

    def open(self, path: str, text: str) -> None:
        self.update(path, text)

    def update(self, path: str, text: str) -> None:
        """The editor's text of ``path`` (unsaved changes included)."""
        path = os.path.abspath(path)
        from ..argo.index import may_hold_indexed
        entries: List[IndexEntry] = []
        if may_hold_indexed(text):  # else nothing in it can be indexed
            entries = [entry_of(doc) for doc in self._parse(path, text)[0] if indexable(doc)]
        with self._lock:
            self._buffers[path] = text
            self._buffer_entries[path] = entries

    def close(self, path: str) -> None:
        """The buffer is closed: the file on disk counts again."""
        path = os.path.abspath(path)
        with self._lock:
            self._buffers.pop(path, None)
            self._buffer_entries.pop(path, None)
            self._last_good.pop(path, None)
        self.file_changed(path)

    def text(self, path: str) -> Optional[str]:
        """The buffer's text, else the file's, else None."""
        path = os.path.abspath(path)
        with self._lock:
            if path in self._buffers:
                return self._buffers[path]
        from ..source import files as sources
        read = sources.read(path, self.options.max_file_size)
        return read.text if isinstance(read, SourceFile) else None

    @property
    def open_paths(self) -> List[str]:
        with self._lock:
            return list(self._buffers)

    # -- analysis ----------------------------------------------------------

    def shown(self, path: str) -> str:
        """How a path is named in findings and index entries, as the project
        scan names them: relative to the working directory when under it (the
        editor starts the server in the workspace folder), else absolute."""
        from ..argo.project import _shown
        return _shown(os.path.abspath(path))

    def excluded(self, path: str) -> bool:
        """Excluded by the configuration (or a stub file): `check` would not lint it."""
        path = os.path.abspath(path)
        here = path
        while True:
            if self._excluder.excluded(here, is_dir=here != path):
                return True
            parent = os.path.dirname(here)
            if parent == here or not parent.startswith(self.root):
                return False
            here = parent

    def _parse(self, path: str, text: str):
        """The engine's phase one on one text: (documents, parsed)."""
        parsed = self.engine.parse([SourceFile(path=self.shown(path), text=text)])
        return parsed.documents, parsed

    def documents(self, path: str) -> List[Document]:
        """The parsed documents of ``path`` (buffer or file); the last ones that
        parsed when the text does not parse now."""
        path = os.path.abspath(path)
        text = self.text(path)
        if text is None:
            return []
        docs, parsed = self._parse(path, text)
        if _syntax_failed(parsed.findings):
            with self._lock:
                return self._last_good.get(path, docs)
        return docs

    def lint(self, path: str, text: Optional[str] = None) -> Analysis:
        """Lint one document's text (default: the buffer, else the file) in
        the project: the findings `wflint check` reports for it."""
        path = os.path.abspath(path)
        if text is None:
            text = self.text(path) or ""
        if self.excluded(path):
            return Analysis(path=path, text=text)
        engine = self.engine
        import gc
        enabled = gc.isenabled()
        gc.disable()  # as Engine.run does: the nodes of a parse are not garbage, scanning them is waste
        try:
            docs, parsed = self._parse(path, text)
            index = self.index(without=path, documents=docs)
            found, internal = engine.check(index)
            report = engine.report(parsed.findings + found, parsed, 1, len(index.documents), internal)
        finally:
            if enabled:
                gc.enable()
        shown = self.shown(path)
        analysis = Analysis(path=path, text=text, findings=[f for f in report.findings if f.path == shown],
                            documents=docs, parsed=not _syntax_failed(parsed.findings))
        with self._lock:
            if analysis.parsed:
                self._last_good[path] = docs
            else:
                analysis.documents = self._last_good.get(path, docs)
        return analysis

    def project_files(self) -> List[str]:
        """Every YAML file of the project the index reads (absolute), open buffers included."""
        from ..source.discovery import discover
        found = discover([self.root], self._excluder)
        paths = {os.path.abspath(p) for p in found.files}
        paths.update(self.open_paths)
        return sorted(paths)
