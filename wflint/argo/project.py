"""The project around the files being linted, and the templates it holds.

pre-commit names only the changed files, but their `templateRef`s point at
WorkflowTemplates in files that did not change. So the index covers the whole
project: the folder holding the configuration file, else the git work tree
around the files, else just the paths given; `template-paths` in the config
(or `--template-path`) says otherwise. Only the files named for linting get
findings; the rest are read for their WorkflowTemplates and
ClusterWorkflowTemplates alone.

Reading thousands of files on every commit would be slow, so what each file
contributes to the index is cached in the user's cache directory (cachefile.py:
never in the checkout), keyed by path, size, modification and change time and
inode (entries younger than the cache itself are re-read, as git does for
"racily clean" files).
"""

from __future__ import annotations

import json
import os
import stat as stat_module
import time
from typing import Dict, List, Optional, Sequence

from ..slots import Record
from .. import __version__
from . import helm
from ..source.cachefile import is_int, is_json_data, settled, stamp, valid_stamp
from ..source.discovery import Excluder, discover
from .index import IndexEntry, entry_of, may_hold_indexed

CACHE_DIR = ".wflint_cache"   # where caches were kept before 0.2: never read now
_CACHE_FILE = "index.json"
_CACHE_FORMAT = 4  # 3: WorkflowEventBindings and Sensors are indexed; 4: and files holding only them are read


class Project(Record):
    """The project around the linted paths: its root and where its templates are looked for."""

    __slots__ = ("root", "template_paths", "use_cache")

    root: Optional[str]        # None: no project, only the given paths
    template_paths: List[str]
    use_cache: bool

    def __init__(self, root, template_paths=None, use_cache=True):
        self.root = root
        self.template_paths = [] if template_paths is None else template_paths
        self.use_cache = use_cache

    @property
    def cache_file(self) -> Optional[str]:
        if self.root is None or not self.use_cache:
            return None
        from ..source.cachefile import location
        return location(self.root, _CACHE_FILE)  # in the user's cache directory, never in the checkout


def git_root(start: str) -> Optional[str]:
    directory = os.path.abspath(start)
    if not os.path.isdir(directory):
        directory = os.path.dirname(directory)
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def locate(paths: Sequence[str], config_root: Optional[str], config_template_paths: Sequence[str],
           cli_template_paths: Sequence[str], use_cache: bool = True) -> Project:
    """Where the index comes from, by the rules in the module docstring."""
    if cli_template_paths:
        return Project(root=config_root or _git_root_of(paths), template_paths=list(cli_template_paths),
                       use_cache=use_cache)
    if config_root is not None:
        if config_template_paths:
            listed = [os.path.normpath(os.path.join(config_root, p)) for p in config_template_paths]
            return Project(root=config_root, template_paths=listed, use_cache=use_cache)
        return Project(root=config_root, template_paths=[config_root], use_cache=use_cache)
    root = _git_root_of(paths)
    if root is not None:
        return Project(root=root, template_paths=[root], use_cache=use_cache)
    return Project(root=None, template_paths=[p for p in paths if p != "-"], use_cache=False)


def _git_root_of(paths: Sequence[str]) -> Optional[str]:
    starts = [p for p in paths if p != "-"] or [os.getcwd()]
    return git_root(starts[0])


def _valid_index(data: dict) -> bool:
    written = data.get("written")
    if not isinstance(written, (int, float)) or isinstance(written, bool):
        return False
    for item in data["files"].values():
        if not isinstance(item, dict) or not isinstance(item.get("entries"), list):
            return False
        if not valid_stamp(item.get("stamp")):
            return False
        if not all(valid_entry(e) for e in item["entries"]):
            return False
    return True


class IndexCache:
    """Per-file index entries, on disk between runs (see cachefile for where,
    and why nothing in it can come from the checkout)."""

    def __init__(self, path: Optional[str]):
        self.path = path
        self.files: Dict[str, dict] = {}
        self.written = 0.0
        self.dirty = False
        from ..source.cachefile import read
        data = read(path, check=_valid_index, format=_CACHE_FORMAT, wflint=__version__)
        if data is not None:
            self.files = data["files"]
            self.written = float(data["written"])

    def get(self, key: str, stat: os.stat_result) -> Optional[List[dict]]:
        item = self.files.get(key)
        if item is None or item.get("stamp") != stamp(stat):
            return None
        if not settled(stat, self.written):
            return None  # changed too close to the last write to trust the stamp (mtime is the checkout's to set)
        return item["entries"]

    def put(self, key: str, stat: os.stat_result, entries: List[dict]) -> None:
        self.files[key] = {"stamp": stamp(stat), "entries": entries}
        self.dirty = True

    def save(self, keep: Optional[set] = None) -> None:
        if self.path is None or not self.dirty:
            return
        if keep is not None:
            self.files = {k: v for k, v in self.files.items() if k in keep}
        from ..source.cachefile import write
        write(self.path, json.dumps({"format": _CACHE_FORMAT, "wflint": __version__, "written": time.time(),
                                     "files": self.files}, separators=(",", ":")))


_ENTRY_KEYS = frozenset({"kind", "name", "namespace", "document", "line", "data"})
_NAME_TYPES = (str, int, float, bool, type(None))


def valid_entry(item) -> bool:
    """An index entry as `entry_to_json` writes it."""
    return (isinstance(item, dict) and set(item) == _ENTRY_KEYS and isinstance(item["kind"], str)
            and isinstance(item["name"], _NAME_TYPES) and isinstance(item["namespace"], _NAME_TYPES)
            and is_int(item["document"]) and is_int(item["line"]) and is_json_data(item["data"]))


def entry_to_json(entry: IndexEntry) -> dict:
    return {"kind": entry.kind, "name": entry.name, "namespace": entry.namespace, "document": entry.document,
            "line": entry.line, "data": entry.data}


def entry_from_json(path: str, item: dict) -> IndexEntry:
    return IndexEntry(kind=item["kind"], name=item.get("name"), namespace=item.get("namespace"), path=path,
                      document=item.get("document", 0), line=item.get("line", 1), data=item.get("data"))


def scan(project: Project, linted: Sequence[str], excluder: Excluder, max_size: int) -> List[IndexEntry]:
    """Index entries from the project's files that are not being linted."""
    if not project.template_paths:
        return []
    linted_real = {os.path.realpath(p) for p in linted}
    found = discover([_shown(p) for p in project.template_paths], excluder)
    cache = IndexCache(project.cache_file)
    root_real = os.path.realpath(project.root) + os.sep if project.root else None
    entries: List[IndexEntry] = []
    seen_keys = set()
    charts = set(found.chart_templates)
    global _patches
    from ..k8s.kustomize import PatchFinder
    _patches = PatchFinder()  # which files are kustomize patches, found once per scan
    for path in found.files + found.chart_templates:
        real = found.real.get(path) or os.path.realpath(path)
        if real in linted_real:
            continue
        stat = found.stats.get(path)
        if stat is None:
            try:
                stat = os.stat(path)
            except OSError:
                continue
        key = real[len(root_real):] if root_real and real.startswith(root_real) else real
        seen_keys.add(key)
        cached = cache.get(key, stat)
        if cached is not None:
            entries.extend(entry_from_json(path, item) for item in cached)
            continue
        file_entries = helm.entries(path, max_size) if path in charts else _file_entries(path, max_size)
        cache.put(key, stat, [entry_to_json(e) for e in file_entries])
        entries.extend(file_entries)
    if cache.dirty:
        whole = root_real is not None and [os.path.realpath(p) + os.sep for p in project.template_paths] == [root_real]
        cache.save(keep=seen_keys if whole else None)  # forget deleted files after a full scan
    return entries


def chart_entries(chart_templates: Sequence[str], max_size: int) -> List[IndexEntry]:
    """Index entries of Helm chart template files (see helm.py), not cached."""
    entries: List[IndexEntry] = []
    for path in chart_templates:
        entries.extend(helm.entries(path, max_size))
    return entries


def _shown(path: str) -> str:
    """How a path is named in messages: relative to the working directory when under it."""
    if os.path.isabs(path):
        relative = os.path.relpath(path)
        if not relative.startswith(os.pardir):
            return relative
    return path


_patches = None


def _file_entries(path: str, max_size: int) -> List[IndexEntry]:
    """The documents of ``path`` the index keeps; files that cannot hold one
    (no marker in their bytes) are not parsed at all."""
    from ..source import files as sources
    try:
        stat = os.stat(path)
        if not stat_module.S_ISREG(stat.st_mode):
            return []  # a FIFO or a device named as a template path: opening it could block forever
        data = sources.read_bytes(path, max_size + 1, stat.st_size)
    except OSError:
        return []
    if len(data) > max_size or not may_hold_indexed(data):
        return []
    source = sources.decode(path, data)
    if not isinstance(source, sources.SourceFile):
        return []
    from .documents import load_file
    # The same reading as `wflint check` (documents.py), keeping what the index keeps.
    return [entry_of(doc) for doc in load_file(source, _patches, index_only=True).documents]
