"""wflint's cache files, kept where the checkout cannot reach them.

Trust model (SECURITY.md): everything in the checkout may be written by the
author of a pull request, so no cache is ever read from it. The caches live in
the invoking user's cache directory (``$WFLINT_CACHE_DIR``, else
``$XDG_CACHE_HOME/wflint``, else ``~/.cache/wflint``), one folder per project
named by a hash of the project's real path, and every file carries a keyed
hash (BLAKE2b, a MAC) made with a secret created once per cache directory
(32 random bytes, mode 0600, created exclusively). A file is used only when
the MAC over its own location and its whole content matches, it is a regular
file no larger than MAX_BYTES, and the caller's shape check accepts every
record. Anything else (missing, foreign, edited, truncated, malformed, a
link, a cache directory inside the project, a directory or secret not owned
by this user or open to others) and the cache is silently not used: a run
without cache is slower, never different.

Writes go to a temporary file created exclusively (O_CREAT|O_EXCL|O_NOFOLLOW,
random name, mode 0600) in the cache folder, then renamed over the target,
which replaces a link rather than following it. A cache that cannot be
written never fails a run.
"""

from __future__ import annotations

import json
import os
import stat
from typing import Callable, Optional

ENV = "WFLINT_CACHE_DIR"
MAX_BYTES = 128 * 1024 * 1024     # a bigger cache is neither written nor read
_MAGIC = b"wflint-cache 2 "
_SECRET = "secret.key"
_SECRET_BYTES = 32
_MAC_HEX = 64
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


# -- where ---------------------------------------------------------------------------------

def base_dir() -> Optional[str]:
    """The user's wflint cache directory (it may not exist yet); None when
    the environment names none."""
    chosen = os.environ.get(ENV)
    if chosen:
        return os.path.abspath(os.path.expanduser(chosen))
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return os.path.join(xdg, "wflint")
    home = os.path.expanduser("~")
    if not home or home == "~" or not os.path.isabs(home):
        return None
    return os.path.join(home, ".cache", "wflint")


def project_key(root: str) -> str:
    """The name of a project's cache folder: a hash of its real path."""
    import hashlib  # (only a run that uses a cache: its OpenSSL set-up costs a few ms of a start)
    return hashlib.blake2b(os.path.realpath(root).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def location(root: Optional[str], name: str) -> Optional[str]:
    """Where the cache file ``name`` of the project at ``root`` lives; None
    when there is no safe place (no project, no cache directory, or a cache
    directory inside the project, where a checkout could have put it)."""
    if root is None:
        return None
    base = base_dir()
    if base is None:
        return None
    real_base = os.path.realpath(base)
    real_root = os.path.realpath(root)
    if _inside(real_base, real_root):
        return None  # the checkout could hold a forged cache, secret included
    return os.path.join(base, "projects", project_key(root), name)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


# -- checks --------------------------------------------------------------------------------

def _private_dir(path: str, follow: bool) -> bool:
    """``path`` is a directory of this user that nobody else may write."""
    try:
        info = os.stat(path) if follow else os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    return os.name == "nt" or not info.st_mode & 0o022


def _ensure_dir(path: str, follow: bool) -> bool:
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return False
    return _private_dir(path, follow)


def _folder(path: str, create: bool) -> Optional[str]:
    """The checked base directory of the cache file ``path`` (made when
    ``create``); None when it, or a folder on the way, is not private."""
    folder = os.path.dirname(path)
    projects = os.path.dirname(folder)
    base = os.path.dirname(projects)
    if create:
        try:
            os.makedirs(os.path.dirname(base) or os.sep, exist_ok=True)
        except OSError:
            return None
        # The base may be a link the user made (their environment is trusted);
        # the folders below it are wflint's own and never links.
        if not (_ensure_dir(base, True) and _ensure_dir(projects, False) and _ensure_dir(folder, False)):
            return None
    elif not (_private_dir(base, True) and _private_dir(projects, False) and _private_dir(folder, False)):
        return None
    return base


def _read_regular(path: str, limit: int) -> Optional[bytes]:
    """The bytes of the regular file at ``path`` (never through a link, never
    more than ``limit``), owned by this user; None for anything else."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _BINARY | _NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
        return data if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _secret(base: str, create: bool) -> Optional[bytes]:
    """The cache directory's secret: created once, exclusively, readable by
    this user alone."""
    path = os.path.join(base, _SECRET)
    data = _read_regular(path, _SECRET_BYTES)
    if data is None and create and not os.path.lexists(path):
        import secrets  # here, as hmac below: a run without caches never needs them
        tmp = _exclusive_temp(base, secrets.token_bytes(_SECRET_BYTES))
        if tmp is not None:
            try:
                os.link(tmp, path)  # atomic, and fails where another run got there first
            except OSError:
                pass
            finally:
                _unlink(tmp)
        data = _read_regular(path, _SECRET_BYTES)
    if data is None or len(data) != _SECRET_BYTES:
        return None
    try:
        if os.name != "nt" and os.lstat(path).st_mode & 0o077:
            return None
    except OSError:
        return None
    return data


def _mac(secret: bytes, path: str, payload: bytes) -> str:
    """The keyed hash of ``payload`` as the content of the cache file at ``path``
    (its folder and name included, so a file is never valid elsewhere)."""
    where = os.path.join(os.path.basename(os.path.dirname(path)), os.path.basename(path))
    import hashlib
    hasher = hashlib.blake2b(key=secret, digest_size=32, person=b"wflint-cache")
    hasher.update(where.encode("utf-8", "surrogateescape") + b"\0")
    hasher.update(payload)
    return hasher.hexdigest()


# -- writing and reading -------------------------------------------------------------------------------

def _exclusive_temp(folder: str, data: bytes) -> Optional[str]:
    """A new file holding ``data``, at a random name in ``folder``, created
    exclusively: never a file that was there (a link included)."""
    import secrets
    tmp = os.path.join(folder, f".tmp-{secrets.token_hex(12)}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, 0o600)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError:
        _unlink(tmp)
        return None
    return tmp


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def write(path: Optional[str], text: str) -> None:
    """Replace the cache file at ``path`` with ``text`` and its MAC; silently
    skipped where it cannot be written safely."""
    if path is None:
        return
    try:
        payload = text.encode("utf-8", "surrogatepass")
        if len(payload) + len(_MAGIC) + _MAC_HEX + 1 > MAX_BYTES:
            return
        base = _folder(path, create=True)
        if base is None:
            return
        secret = _secret(base, create=True)
        if secret is None:
            return
        data = _MAGIC + _mac(secret, path, payload).encode("ascii") + b"\n" + payload
        tmp = _exclusive_temp(os.path.dirname(path), data)
        if tmp is None:
            return
        try:
            os.replace(tmp, path)  # replaces a link at ``path``, never writes through it
        except OSError:
            _unlink(tmp)
    except Exception:  # noqa: BLE001 - a cache never fails a run
        return


def read(path: Optional[str], check: Optional[Callable[[dict], bool]] = None, **expected) -> Optional[dict]:
    """The cache file at ``path`` when its MAC matches, it parses, its
    ``expected`` keys match (format, versions, settings) and ``check`` accepts
    it; None for anything else: a missing, corrupt or foreign cache is simply
    not used."""
    if path is None:
        return None
    try:
        base = _folder(path, create=False)
        if base is None:
            return None
        secret = _secret(base, create=False)
        if secret is None:
            return None
        data = _read_regular(path, MAX_BYTES)
        if data is None or not data.startswith(_MAGIC):
            return None
        head = len(_MAGIC) + _MAC_HEX
        if data[head:head + 1] != b"\n":
            return None
        payload = data[head + 1:]
        import hmac
        if not hmac.compare_digest(data[len(_MAGIC):head], _mac(secret, path, payload).encode("ascii")):
            return None
        loaded = json.loads(payload.decode("utf-8"))
        if not isinstance(loaded, dict) or any(loaded.get(k) != v for k, v in expected.items()):
            return None
        if not isinstance(loaded.get("files"), dict):
            return None
        if check is not None and not check(loaded):
            return None
        return loaded
    except Exception:  # noqa: BLE001 - RecursionError, a bad shape, anything: no cache
        return None


# -- shapes ------------------------------------------------------------------------------------

MAX_DEPTH = 200
_SCALARS = (str, int, float, bool, type(None))


# A file changed this close to a cache's writing may change again within the
# same clock tick unseen: its stamp is not trusted (git's "racy" rule).
RACY_SECONDS = 2.0


def stamp(status: os.stat_result) -> list:
    """What says a file is unchanged, as git reads it: size, modification and
    change time (the latter set by the kernel on every write: a checkout
    cannot choose it) and inode."""
    return [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino]


def valid_stamp(value) -> bool:
    return isinstance(value, list) and len(value) == 4 and all(is_int(n) for n in value)


def settled(status: os.stat_result, written: float) -> bool:
    """Changed long enough before ``written`` (a cache's writing) for its stamp to be trusted."""
    return status.st_ctime_ns / 1e9 < written - RACY_SECONDS


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_json_data(value, depth: int = MAX_DEPTH) -> bool:
    """Plain JSON data no deeper than ``depth`` (checked without recursion)."""
    stack = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, _SCALARS):
            continue
        if level >= depth:
            return False
        if isinstance(item, dict):
            if not all(isinstance(k, str) for k in item):
                return False
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
        else:
            return False
    return True
