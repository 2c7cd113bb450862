"""Writing wflint's cache files: in `.wflint_cache/` at the project root,
atomically, never committed, and never failing a run."""

from __future__ import annotations

import json
import os
import stat
from typing import Optional


def write(path: str, text: str) -> None:
    """Replace the cache file at ``path`` with ``text``; silently skipped
    where it cannot be written (a read-only checkout runs without a cache)."""
    directory = os.path.dirname(path)
    if os.path.islink(directory):
        return  # a link committed as the cache folder could point anywhere: never write through it
    try:
        os.makedirs(directory, exist_ok=True)
        ignore = os.path.join(directory, ".gitignore")
        if not os.path.lexists(ignore):  # a dangling link would be followed, creating its target
            with open(ignore, "w", encoding="utf-8") as handle:
                handle.write("# Created by wflint: its cache, never to be committed.\n*\n")
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError:
        pass


def read(path: Optional[str], **expected) -> Optional[dict]:
    """The cache file at ``path`` when it parses and its ``expected`` keys
    match (format, versions, settings); None for anything else: a missing,
    corrupt or foreign cache is simply not used."""
    if path is None:
        return None
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None  # wflint writes regular files: a link committed here (to /dev/zero...) is never read
        with open(path, "r", encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or any(data.get(k) != v for k, v in expected.items()):
        return None
    if not isinstance(data.get("files"), dict):
        return None
    return data
