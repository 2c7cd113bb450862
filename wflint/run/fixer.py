"""Applying fixes: `wflint check --fix` and `--diff`.

Each round lints the files (in memory), takes the fixes of the findings that
remain after configuration, suppressions and the baseline, applies those that
do not overlap (in a fixed order: migrations, then quoting, then spelling,
then references; by position within each) as text edits on the current text,
and checks with ruamel.yaml's round-trip loader that the edited text reads
back as the intended data and keeps every comment. Rounds repeat until
nothing changes (at most MAX_ROUNDS): a fix may reveal the next. Nothing but
the edits' characters changes, so line endings, the byte-order mark,
indentation, quoting and the other documents stay as they were.

Files are written atomically (a temporary file created exclusively in the
same folder, then renamed over the original), never through a symbolic link,
with the original's permission bits, and only if the file still holds the
bytes that were read. ruamel.yaml is imported here only: `check` without
`--fix` never loads it.
"""

from __future__ import annotations

import codecs
import difflib
import os
import secrets
import stat
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from .. import fix as fixes
from ..source import loader, files as sources
from ..finding import Finding

MAX_ROUNDS = 10


@dataclass
class FileState:
    path: str
    data: bytes                 # as read
    bom: bytes
    codec: str
    original: str               # the decoded text, as the engine reads it
    text: str                   # after the fixes so far
    applied: List[str] = field(default_factory=list)


@dataclass
class Outcome:
    report: object                                        # the engine's Report on the final text
    files: Dict[str, FileState] = field(default_factory=dict)
    skipped: List[Tuple[Finding, str]] = field(default_factory=list)   # fixes that could not be applied
    written: List[str] = field(default_factory=list)
    refused: List[Tuple[str, str]] = field(default_factory=list)     # (path, why it was not written)
    rounds: int = 0

    @property
    def changed(self) -> List[FileState]:
        return [state for state in self.files.values() if state.text != state.original]

    def fixed_count(self) -> int:
        return sum(len(state.applied) for state in self.changed)


def _encoding(data: bytes) -> Tuple[bytes, str]:
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                       (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return bom, codec
    return b"", "utf-8"


def _read(path: str, max_size: int):
    """(FileState, SourceFile) or a Finding saying why the file cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return sources.read(path, max_size)  # a link, a FIFO...: read (and report) as `check` does
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return sources.read(path, max_size)
        with os.fdopen(fd, "rb") as handle:
            fd = None
            data = handle.read(max_size + 1)
    finally:
        if fd is not None:
            os.close(fd)
    decoded = sources.decode_capped(path, data, max_size)
    if isinstance(decoded, Finding):
        return decoded
    bom, codec = _encoding(data)
    state = FileState(path=path, data=data, bom=bom, codec=codec, original=decoded.text, text=decoded.text)
    return state, decoded


def run(engine, paths: Sequence[str], unsafe: bool = False, write: bool = True) -> Outcome:
    """Fix the files ``paths`` name (as `check` finds them), round after
    round; write them when ``write``. The outcome's report is `check`'s
    report on the final text."""
    from ..source.discovery import discover
    options = engine.options
    found = discover(paths, options.excluder())
    states: Dict[str, FileState] = {}
    unreadable: List[Finding] = list(found.findings)
    unfixable = set()
    for path in found.files:
        read = _read(path, options.max_file_size)
        if isinstance(read, Finding):
            unreadable.append(read)
        elif isinstance(read, sources.SourceFile):  # a symbolic link: linted, never fixed
            unfixable.add(path)
            states[path] = FileState(path=path, data=b"", bom=b"", codec="", original=read.text, text=read.text)
        else:
            states[path] = read[0]
    entries = engine.project_entries(paths, list(states))
    outcome = Outcome(report=None, files=states)
    last_skipped: List[Tuple[Finding, str]] = []
    for round_number in range(1, MAX_ROUNDS + 2):
        files = [sources.SourceFile(path=s.path, text=s.text) for s in states.values()]
        report = engine.lint(files, findings=list(unreadable), file_count=len(found.files), entries=entries)
        outcome.report = report
        outcome.rounds = round_number
        if round_number > MAX_ROUNDS:
            break
        by_path: Dict[str, List[Finding]] = {}
        for item in report.findings:
            if item.fix is not None and (item.fix.safe or unsafe) and item.path in states:
                by_path.setdefault(item.path, []).append(item)
        for path in list(by_path):
            if path in unfixable:
                del by_path[path]
                if round_number == 1:
                    outcome.refused.append((path, "it is a symbolic link; fix the file it points to by its own name"))
        changed = False
        last_skipped = []
        for path, items in by_path.items():
            state = states[path]
            new_text, applied, skipped = apply(state.text, items)
            last_skipped.extend(skipped)
            if new_text != state.text:
                state.text = new_text
                state.applied.extend(applied)
                changed = True
        if not changed:
            break
    outcome.skipped = last_skipped
    if write:
        for state in outcome.changed:
            why = write_file(state)
            if why is None:
                outcome.written.append(state.path)
            else:
                outcome.refused.append((state.path, why))
    return outcome


def _ranges(resolved) -> List[Tuple[int, int]]:
    return [(e.start, e.end) for e in resolved.edits]


def _overlaps(a: List[Tuple[int, int]], b: List[Tuple[int, int]]) -> bool:
    for s1, e1 in a:
        for s2, e2 in b:
            if s1 < e2 and s2 < e1:
                return True
            if s1 == s2 or (s1 == e1 and s1 in (s2, e2)) or (s2 == e2 and s2 in (s1, e1)):
                return True  # two edits at one place: their order would be a guess
    return False


def apply(text: str, items: Sequence[Finding]) -> Tuple[str, List[str], List[Tuple[Finding, str]]]:
    """Apply the fixes of ``items`` to ``text`` that do not overlap, in a fixed
    order; returns (new text, descriptions applied, (finding, why) skipped)."""
    order = sorted(items, key=lambda f: (f.fix.priority, f.fix.edits[0].start if f.fix.edits else 0,
                                         f.rule, f.fix.description))
    chosen: List[Finding] = []
    taken: List[Tuple[int, int]] = []
    skipped: List[Tuple[Finding, str]] = []
    seen = set()
    for item in order:
        key = tuple((e.start, e.end, e.content) for e in item.fix.edits)
        if key in seen:
            continue  # the same fix offered by two findings
        seen.add(key)
        ranges = _ranges(item.fix)
        if not ranges or any(e.end > len(text) for e in item.fix.edits):
            skipped.append((item, "its edits do not fit the file"))
            continue
        if _overlaps(ranges, taken):
            skipped.append((item, "it overlaps a fix applied first"))
            continue
        chosen.append(item)
        taken.extend(ranges)
    if not chosen:
        return text, [], skipped
    new = _edit(text, [e for item in chosen for e in item.fix.edits])
    if verify(text, new, [item.fix for item in chosen]) is None:
        return new, [_describe(item) for item in chosen], skipped
    # Together they do not read back as intended: keep those that do, one by one.
    current, applied = text, []
    for item in chosen:
        shifted = _shift(current, text, item.fix)
        attempt = _edit(current, shifted) if shifted is not None else None
        why = verify(current, attempt, [item.fix], shifted) if attempt is not None else "the text moved"
        if why is None:
            current = attempt
            applied.append(_describe(item))
        else:
            skipped.append((item, why))
    return current, applied, skipped


def _shift(current: str, original: str, resolved):
    """Edits made for ``original`` that still apply to ``current`` (only when
    nothing changed yet: fixes applied one by one restart from the top)."""
    return list(resolved.edits) if current == original else None


def _describe(item: Finding) -> str:
    return f"{item.line}:{item.column}: {item.fix.description} [{item.rule}]"


def _edit(text: str, edits) -> str:
    out = text
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        out = out[:e.start] + e.content + out[e.end:]
    return out


# -- checking the result with ruamel.yaml -------------------------------------------


def _yaml():
    from ruamel.yaml import YAML
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = True
    return yaml


def _plain(value):
    """ruamel's round-trip objects as plain data."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
    if isinstance(value, (dict, CommentedMap)):
        return {str(_plain(k)) if not isinstance(k, str) else str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, CommentedSeq)):
        return [_plain(v) for v in value]
    if isinstance(value, TaggedScalar):
        return str(value.value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def _comments(value, out: List[str]) -> List[str]:
    """Every comment ruamel attached anywhere in ``value`` (each token once:
    ruamel may attach one token to two nodes)."""
    from ruamel.yaml.comments import CommentedBase
    stack = [value]
    seen = set()
    tokens: Dict[int, object] = {}
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CommentedBase) and hasattr(node, "ca"):
            _tokens(node.ca.comment, tokens)
            for item in node.ca.items.values():
                _tokens(item, tokens)
            _tokens(getattr(node.ca, "end", None), tokens)
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    for token in tokens.values():
        out.extend(line.strip() for line in token.value.split("\n") if line.strip())
    return out


def _tokens(item, tokens: Dict[int, object]) -> None:
    if item is None:
        return
    if isinstance(item, list):
        for sub in item:
            _tokens(sub, tokens)
        return
    if isinstance(getattr(item, "value", None), str):
        tokens[id(item)] = item


def _documents(text: str):
    """(chunk index, chunk text, first wflint document index) of each chunk."""
    chunks = []
    index = 0
    for number, (_, chunk) in enumerate(loader._chunks(text)):
        chunks.append((number, chunk, index))
        try:
            for _ in loader._nodes(chunk):
                index += 1
        except Exception:
            index += 1
    return chunks


def verify(before: str, after: str, resolved: Sequence["fixes.ResolvedFix"], edits=None) -> Optional[str]:
    """None when ``after`` reads back as ``before`` with the fixes' changes
    made, every comment kept; else why not."""
    import ruamel.yaml
    old_chunks, new_chunks = _documents(before), _documents(after)
    if len(old_chunks) != len(new_chunks):
        return "it would change where documents begin"
    for (number, old, first), (_, new, new_first) in zip(old_chunks, new_chunks):
        if old == new:
            continue
        if first != new_first:
            return "it would change the documents"
        try:
            old_docs = list(_yaml().load_all(old))
            new_docs = list(_yaml().load_all(new))
        except ruamel.yaml.YAMLError as exc:
            return f"the edited text does not parse ({str(exc).splitlines()[0] if str(exc) else 'YAML error'})"
        except Exception as exc:  # ruamel may refuse what libyaml reads
            return f"ruamel.yaml cannot read the edited text ({type(exc).__name__})"
        if len(old_docs) != len(new_docs):
            return "it would change the number of documents"
        expected = [_plain(d) for d in old_docs]
        for item in resolved:
            position = item.document - first
            if 0 <= position < len(expected):
                expected[position] = _change(expected[position], item)
        if [_plain(d) for d in new_docs] != expected:
            return "the edited text does not read back as the intended data"
        if sorted(_comments(old_docs, [])) != sorted(_comments(new_docs, [])):
            return "it would lose or change a comment"
    return None


def _change(data, item: "fixes.ResolvedFix"):
    """``data`` (plain) with the fix's changes made."""
    import copy
    data = copy.deepcopy(data)
    for edit, expected in zip(item.changes, item.expected):
        parent = data
        for part in edit.path[:-1]:
            parent = parent[part] if isinstance(parent, dict) or isinstance(part, int) else parent[str(part)]
        last = edit.path[-1]
        if edit.op == fixes.RENAME_KEY:
            parent[edit.value] = parent.pop(last)
        elif edit.op == fixes.QUOTE:
            parent[last] = expected
        elif edit.op == fixes.REPLACE_STRING:
            parent[last] = edit.value
        elif edit.op == fixes.REPLACE_SPAN:
            parent[last] = expected
        elif edit.op == fixes.DELETE_KEY:
            parent.pop(last, None)
        elif edit.op == fixes.WRAP_IN_LIST:
            value = parent.pop(last)
            parent[edit.value or last] = [value]
    return data


# -- writing ---------------------------------------------------------------------------


def encode(state: FileState) -> Optional[bytes]:
    """The new text in the file's own encoding and byte-order mark; None when
    the original bytes would not come back the same way (never guess)."""
    try:
        if state.bom + state.original.encode(state.codec) != state.data:
            return None
        return state.bom + state.text.encode(state.codec)
    except (UnicodeEncodeError, LookupError):
        return None


def write_file(state: FileState) -> Optional[str]:
    """Write ``state.text`` over ``state.path`` atomically; None, or why not."""
    data = encode(state)
    if data is None:
        return "its encoding cannot be written back byte for byte"
    path = state.path
    try:
        st = os.lstat(path)
    except OSError as exc:
        return f"cannot read it again: {exc.strerror or exc}"
    if stat.S_ISLNK(st.st_mode):
        return "it is a symbolic link; fix the file it points to by its own name"
    if not stat.S_ISREG(st.st_mode):
        return "it is not a regular file"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            now = handle.read(len(state.data) + 1)
    except OSError as exc:
        return f"cannot read it again: {exc.strerror or exc}"
    if now != state.data:
        return "it changed on disk after it was read; not overwritten"
    folder = os.path.dirname(path) or "."
    temp = None
    for _ in range(10):
        candidate = os.path.join(folder, f".{os.path.basename(path)}.wflint-{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            return f"cannot create a temporary file beside it: {exc.strerror or exc}"
        temp = candidate
        break
    if temp is None:
        return "cannot create a temporary file beside it"
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, stat.S_IMODE(st.st_mode))
        again = os.lstat(path)
        if (again.st_ino, again.st_size, again.st_mtime_ns) != (st.st_ino, st.st_size, st.st_mtime_ns):
            os.unlink(temp)
            return "it changed on disk after it was read; not overwritten"
        os.replace(temp, path)
    except OSError as exc:
        try:
            os.unlink(temp)
        except OSError:
            pass
        return f"cannot write it: {exc.strerror or exc}"
    return None


def unified_diff(outcome: Outcome) -> str:
    """What the fixes change, file by file (line endings shown as they are)."""
    out = []
    for state in outcome.changed:
        before = state.original.splitlines(keepends=True)
        after = state.text.splitlines(keepends=True)
        for line in difflib.unified_diff(before, after, fromfile=state.path, tofile=state.path):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def announce(outcome: Outcome, echo, diff: bool = False) -> None:
    """What was fixed, and what could not be, on standard error."""
    from ..render.text import _safe
    verb = "would fix" if diff else "fixed"
    for state in outcome.changed:
        if diff or state.path in outcome.written:
            count = len(state.applied)
            echo(f"wflint: {verb} {count} problem{'s' if count != 1 else ''} in {_safe(state.path)}", err=True)
    for item, why in outcome.skipped:
        echo(f"wflint: not fixed: {_safe(item.path)}:{item.line}:{item.column}: {item.fix.description} "
             f"[{item.rule}]: {why}", err=True)
    for path, why in outcome.refused:
        echo(f"wflint: not written: {_safe(path)}: {why}", err=True)
    if outcome.rounds > MAX_ROUNDS and any(f.fix is not None for f in outcome.report.findings):
        echo(f"wflint: stopped after {MAX_ROUNDS} rounds of fixes; run again to continue", err=True)
