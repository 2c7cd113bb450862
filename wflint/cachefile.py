"""Writing wflint's cache files: in `.wflint_cache/` at the project root,
atomically, never committed, and never failing a run."""

from __future__ import annotations

import os


def write(path: str, text: str) -> None:
    """Replace the cache file at ``path`` with ``text``; silently skipped
    where it cannot be written (a read-only checkout runs without a cache)."""
    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, exist_ok=True)
        ignore = os.path.join(directory, ".gitignore")
        if not os.path.exists(ignore):
            with open(ignore, "w", encoding="utf-8") as handle:
                handle.write("# Created by wflint: its cache, never to be committed.\n*\n")
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError:
        pass
