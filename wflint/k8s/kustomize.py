"""Files a kustomization uses as patches: parts of objects, not whole ones.

A `kustomization.yaml` (or `.yml`, or `Kustomization`) names patch files under
`patches[].path`, `patchesStrategicMerge[]` and `patchesJson6902[].path`. Such
a file holds only the fields it changes: a WorkflowTemplate patch has no
`entrypoint`, maybe no `templates`, and refers to templates of the base. The
engine lints it only for what a patch can be wrong about (syntax, duplicate
keys, the schema of the fields it sets) and never indexes it.

Which kustomizations can name a file: those in its folder, in the folders
above it (up to ``_UP`` levels), and below those (up to ``_DOWN`` levels),
which covers `overlays/prod/kustomization.yaml` naming `../../patches/x.yaml`;
never above the root of the checkout (a folder holding `.git` or a wflint
configuration) nor above the working folder.
The search is bounded (``_MAX_DIRS`` folders) and done once per folder.
"""

from __future__ import annotations

import os
from typing import Dict, Iterable, List, Set, Tuple

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_SKIP = frozenset({"node_modules", "__pycache__", "venv", "site-packages"})
_UP = 2
_DOWN = 3
_MAX_DIRS = 400
_MAX_SIZE = 1024 * 1024


def patch_paths(kustomization: str) -> List[str]:
    """Real paths of the patch files a kustomization file names."""
    from ..source import loader
    from ..source.files import read_bytes
    try:
        data = read_bytes(kustomization, _MAX_SIZE + 1)
    except OSError:
        return []
    if len(data) > _MAX_SIZE:
        return []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return []
    parsed = loader.parse_text(text)
    if not parsed.documents or not isinstance(parsed.documents[0][2], dict):
        return []
    spec = parsed.documents[0][2]
    names: List[str] = []
    for key in ("patches", "patchesJson6902"):
        items = spec.get(key)
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict) and isinstance(item.get("path"), str):
                names.append(item["path"])
    items = spec.get("patchesStrategicMerge")
    for item in items if isinstance(items, list) else ():
        if isinstance(item, str) and "\n" not in item:  # else an inline patch
            names.append(item)
    base = os.path.dirname(os.path.realpath(kustomization))
    return [os.path.realpath(os.path.join(base, name)) for name in names if name and "\0" not in name]


_TOP_MARKERS = (".git", ".wflint.yaml", ".wflint.yml")


def _is_top(folder: str) -> bool:
    """The root of a checkout or of a wflint project: the search goes no higher."""
    return any(os.path.exists(os.path.join(folder, marker)) for marker in _TOP_MARKERS)


class PatchFinder:
    """Answers "is this file a kustomize patch?"; each folder is listed and
    each kustomization read at most once per run, and the answer for the
    files of a folder is worked out once (a finder belongs to the working
    folder it was made in, as relative paths do)."""

    def __init__(self) -> None:
        self._searched: Dict[str, Set[str]] = {}   # root folder -> patches named below it
        self._listings: Dict[str, Tuple[List[str], List[str]]] = {}  # folder -> (kustomizations, subfolders)
        self._patches: Dict[str, List[str]] = {}   # kustomization -> the patches it names
        self._folders: Dict[str, str] = {}   # folder as given -> its real path
        self._around_folder: Dict[str, Set[str]] = {}   # real folder -> the patches around it
        self._real_paths: Dict[str, str] = {}
        self._cwd = os.path.realpath(os.getcwd())

    def know(self, real_paths: Dict[str, str]) -> None:
        """Paths whose real path is known already (discovery resolves each
        file it finds): asked about, they need no lstat to see whether they
        are links."""
        self._real_paths = real_paths

    def is_patch(self, path: str) -> bool:
        if not path or path.startswith("<") or path == "-":
            return False
        real = self._real_paths.get(path)
        if real is None:
            folder, name = os.path.split(path)
            if name in ("", os.curdir, os.pardir) or os.path.islink(path):
                real = os.path.realpath(path)
            else:
                # Not a symbolic link: its real folder is its folder's, resolved once for all its files.
                real_folder = self._folders.get(folder)
                if real_folder is None:
                    real_folder = self._folders[folder] = os.path.realpath(folder or os.curdir)
                real = os.path.join(real_folder, name)
        # What a folder can be named in is worked out once for all its files.
        real_folder = os.path.dirname(real)
        patches = self._around_folder.get(real_folder)
        if patches is None:
            patches = self._around_folder[real_folder] = self._around(real_folder)
        return real in patches and os.path.isfile(real)

    def _around(self, root: str) -> Set[str]:
        """The patches the kustomizations that can name a file of folder ``root`` name."""
        for _ in range(_UP):
            parent = os.path.dirname(root)
            if parent == root or root == self._cwd or _is_top(root):
                break  # never above the checkout: its root, or the working folder
            root = parent
        patches = self._searched.get(root)
        if patches is None:
            patches = self._searched[root] = set()
            for kustomization in self._kustomizations(root):
                found = self._patches.get(kustomization)
                if found is None:
                    found = self._patches[kustomization] = patch_paths(kustomization)
                patches.update(found)
        return patches

    def _listing(self, directory: str) -> Tuple[List[str], List[str]]:
        listing = self._listings.get(directory)
        if listing is None:
            files: List[str] = []
            folders: List[str] = []
            try:
                with os.scandir(directory) as scan:
                    for entry in sorted(scan, key=lambda e: e.name):
                        try:
                            if entry.is_file(follow_symlinks=False) and entry.name in KUSTOMIZATION_FILES:
                                files.append(entry.path)
                            elif (entry.is_dir(follow_symlinks=False) and not entry.name.startswith(".")
                                  and entry.name not in _SKIP):
                                folders.append(entry.path)
                        except OSError:
                            continue
            except OSError:
                pass
            listing = self._listings[directory] = (files, folders)
        return listing

    def _kustomizations(self, root: str) -> Iterable[str]:
        """Kustomization files at most ``_DOWN`` folders below ``root``."""
        stack = [(root, 0)]
        visited = 0
        while stack and visited < _MAX_DIRS:
            directory, depth = stack.pop()
            visited += 1
            files, folders = self._listing(directory)
            yield from files
            if depth < _DOWN:
                stack.extend((folder, depth + 1) for folder in folders)
