"""Writing a report or a baseline without following what the checkout planted.

In CI the folder wflint writes into is a pull request's checkout: the file
named by `--output` or `--write-baseline` may be a committed symbolic link
(to `~/.bashrc`, say), or one of the manifests being linted. The text goes to
a temporary file created exclusively (never an existing name, never through a
link) in the target's folder, which then replaces the target in one rename: a
link at the target's name is replaced, never followed, and a reader never
sees half a file.
"""

from __future__ import annotations

import os
import stat
from typing import Callable, Iterable, TextIO


class UnsafeTarget(Exception):
    """The target must not be written; the message says why."""


def _links_below(directory: str, base: str) -> str:
    """The first component of ``directory`` below ``base`` that is a symbolic link, or ''."""
    rel = os.path.relpath(directory, base)
    if rel == os.curdir or rel.startswith(os.pardir + os.sep) or rel == os.pardir or os.path.isabs(rel):
        return ""
    current = base
    for part in rel.split(os.sep):
        current = os.path.join(current, part)
        if os.path.islink(current):
            return current
    return ""


def check_target(path: str, protected: Iterable[str] = ()) -> None:
    """Raise UnsafeTarget when ``path`` is a symbolic link, not a regular file,
    one of the ``protected`` files (the files linted), or lies below a link
    inside the working directory."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise UnsafeTarget(f"cannot check it: {exc.strerror or exc}")
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            fix = "leave --output out to write to standard output" if path.startswith("/dev/") else \
                "remove the link or choose another file"
            raise UnsafeTarget(f"it is a symbolic link; wflint does not write through links ({fix})")
        if stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode):
            return  # /dev/null, a pipe: written in place (git cannot commit these)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeTarget("it is not a regular file")
        for other in protected:
            try:
                seen = os.stat(other)
            except (OSError, ValueError):
                continue
            if (seen.st_dev, seen.st_ino) == (info.st_dev, info.st_ino):
                raise UnsafeTarget("it is one of the files being linted; choose another file")
    folder = os.path.dirname(os.path.abspath(path))
    try:
        link = _links_below(folder, os.getcwd())
    except (OSError, ValueError):
        link = ""
    if link:
        raise UnsafeTarget(f"its folder goes through the symbolic link {os.path.relpath(link)}; "
                           "wflint does not write through links")


def write(path: str, produce: Callable[[TextIO], None], protected: Iterable[str] = ()) -> None:
    """Write what ``produce(handle)`` writes to ``path``, atomically (a
    character device or a pipe, such as /dev/null, is written in place).
    Raises UnsafeTarget or OSError."""
    check_target(path, protected)
    try:
        info = os.lstat(path)
    except OSError:
        info = None
    if info is not None and (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        descriptor = os.open(path, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            produce(handle)
        return
    folder = os.path.dirname(os.path.abspath(path))
    import tempfile  # here: only a run that writes a file needs it
    descriptor, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(descriptor, 0o666 & ~umask)
    except (AttributeError, OSError):
        pass
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            produce(handle)
            handle.flush()
        check_target(path, protected)  # once more, as late as possible
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
