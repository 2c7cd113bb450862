"""Reading a file once, into text and lines, or into a finding that says why not."""

from __future__ import annotations

import codecs
import os
import stat
from typing import List, Optional

from ..finding import Finding
from ..slots import Record

DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024


class SourceFile(Record):
    """One input: its path as the user gave it, its decoded text, and the
    digest of the bytes read (for the results cache; "" without it)."""

    __slots__ = ("path", "text", "_lines", "digest")
    _FIELDS = ("path", "text", "digest")

    def __init__(self, path: str, text: str, _lines: Optional[List[str]] = None, digest: str = ""):
        self.path = path
        self.text = text
        self._lines = _lines
        self.digest = digest

    @property
    def lines(self) -> List[str]:
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    def line(self, number: int) -> str:
        """The text of 1-based line ``number`` (empty past the end)."""
        lines = self.lines
        return lines[number - 1].rstrip("\r") if 0 < number <= len(lines) else ""


def _problem(path: str, rule: str, message: str, hint: Optional[str] = None,
             line: int = 1, column: int = 1) -> Finding:
    return Finding(message=message, rule=rule, path=path, line=line, column=column,
                   end_line=line, end_column=column, hint=hint)


def decode(path: str, data: bytes, digest: bool = True):
    """Bytes to a SourceFile, or a finding. UTF-8 (with or without a BOM) and
    UTF-16/32 with a BOM are read, as libyaml and Kubernetes read them.
    ``digest``: give the SourceFile the digest of ``data`` (only the results
    cache reads it)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
        encoding = "utf-8"
    elif data.startswith(codecs.BOM_UTF32_LE) or data.startswith(codecs.BOM_UTF32_BE):
        encoding = "utf-32"
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding != "utf-8":
            return _problem(path, "yaml-syntax", f"file starts with a {encoding.upper()} byte-order mark "
                            f"but is not valid {encoding.upper()}: {exc.reason}")
        before = data[:exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        bad = data[exc.start:exc.start + 1].hex()
        looks_binary = b"\0" in data[:8192]
        what = "a binary file, not YAML" if looks_binary else f"not valid UTF-8 (byte 0x{bad})"
        return _problem(path, "yaml-syntax", f"file is {what}",
                        hint="save the file as UTF-8 text", line=line, column=column)
    if encoding != "utf-8" and text.startswith("\ufeff"):
        text = text[1:]
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        column = nul - (text.rfind("\n", 0, nul) + 1) + 1
        return _problem(path, "yaml-syntax", "file contains a NUL byte: it looks binary, not YAML",
                        line=line, column=column)
    if not digest:
        return SourceFile(path=path, text=text)
    import hashlib  # only the results cache reads digests (its OpenSSL set-up is a few ms of every start)
    return SourceFile(path=path, text=text, digest=hashlib.blake2b(data, digest_size=16).hexdigest())


def decode_capped(path: str, data: bytes, max_size: int = DEFAULT_MAX_FILE_SIZE):
    """decode(), after the size cap that read() applies to files: for standard
    input, which the command line reads no further than ``max_size`` + 1 bytes."""
    if len(data) > max_size:
        return _problem(path, "input-limit", f"input is over the {max_size / 1048576:g} MB size cap; not linted",
                        hint="raise the cap with --max-file-size (or `max-file-size` in the config)")
    return decode(path, data)


# Opening a FIFO with O_NONBLOCK returns at once rather than waiting for a
# writer; the file is then looked at (fstat) before anything is read from it.
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_BINARY", 0))
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def read(path: str, max_size: int = DEFAULT_MAX_FILE_SIZE, digest: bool = True, walked: bool = False):
    """Read ``path`` (never opening a FIFO or a device): a SourceFile or a
    finding. ``digest``: as decode() says.

    A file a walk found (``walked``: a regular file, not a link, when the walk
    saw it) is opened at once, never through a link, and looked at (fstat)
    before it is read: one open, one fstat, one read and one close, once per
    linted file. Any other path (named on the command line: perhaps a link
    to a FIFO or a device, which opening alone could block or set off) is
    looked at before it is opened."""
    fd = -1
    if walked:
        try:
            fd = os.open(path, _OPEN_FLAGS | _NOFOLLOW)
        except OSError:
            fd = -1    # (no longer a regular file, perhaps: the careful way says what it is)
    if fd < 0:
        try:
            st = os.stat(path)
        except OSError as exc:
            return _problem(path, "read-error", f"cannot read file: {exc.strerror or exc}")
        if not stat.S_ISREG(st.st_mode):
            return _problem(path, "read-error", "not a regular file; only files can be linted")
        try:
            fd = os.open(path, _OPEN_FLAGS)
        except OSError as exc:
            return _problem(path, "read-error", f"cannot read file: {exc.strerror or exc}")
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return _problem(path, "read-error", "not a regular file; only files can be linted")
        if st.st_size > max_size:
            return _problem(path, "input-limit",
                            f"file is {st.st_size / 1048576:.1f} MB, over the {max_size / 1048576:g} MB size cap; not linted",
                            hint="raise the cap with --max-file-size (or `max-file-size` in the config), or exclude the file")
        data = _read_fd(fd, max_size + 1, st.st_size)
    except OSError as exc:
        return _problem(path, "read-error", f"cannot read file: {exc.strerror or exc}")
    finally:
        os.close(fd)
    if len(data) > max_size:  # grew between fstat and read
        return _problem(path, "input-limit", f"file is over the {max_size / 1048576:g} MB size cap; not linted")
    return decode(path, data, digest)


def _read_fd(fd: int, limit: int, size: int) -> bytes:
    """The bytes of open file ``fd`` up to its end or ``limit``, whichever
    comes first. The first read asks for its ``size`` plus one: a regular
    file that returns less has ended (reads of regular files are short only
    at the end), so a file under the cap takes one call."""
    want = min(size + 1, limit)
    data = os.read(fd, want)
    if len(data) < want:
        return data
    parts = [data]
    total = len(data)
    while total < limit:
        piece = os.read(fd, limit - total)
        if not piece:
            break
        parts.append(piece)
        total += len(piece)
    return b"".join(parts)


def read_bytes(path: str, limit: int, size: Optional[int] = None) -> bytes:
    """The bytes of file ``path`` up to its end or ``limit``, whichever comes
    first (more than ``limit`` - 1 bytes: it is bigger than the cap), as
    _read_fd reads them; ``size`` is the file's from its stat (else fstat
    says it). Opened as read() opens files: a FIFO does not block it.
    Raises OSError."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        return _read_fd(fd, limit, os.fstat(fd).st_size if size is None else size)
    finally:
        os.close(fd)
