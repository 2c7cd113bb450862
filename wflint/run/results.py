"""The results cache: what linting each file found, reused while nothing it
depends on has changed.

A file's findings depend on its bytes, on the settings of the run, on the
code of wflint and its rules, and (through templateRef, RBAC and duplicate
checks) on every other file's index entries. So a cached result is reused
only when all of these match: the file's content hash, a fingerprint of the
settings and of the code, and a fingerprint of the whole index. Anything
else, and the file is linted again. Findings are stored as rules produced
them, before suppressions, the baseline and severities are applied, so
changing those never needs a fresh lint.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from stat import S_ISREG
from typing import Dict, Iterable, List, Optional

from .. import __version__
from ..finding import SEVERITIES, Finding
from ..source.cachefile import settled, stamp, valid_stamp

FORMAT = 2  # 2: each file's stamp, and whether its text names a directive
FILE = "results.json"

_FIELDS = ("message", "rule", "severity", "path", "line", "column", "end_line", "end_column", "pointer",
           "hint", "document")


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _code_signature(rules) -> List:
    """Which code produced the findings: every module of wflint and of the
    rules, by path, size and modification time."""
    import sys
    files = set()
    package = os.path.dirname(os.path.abspath(__file__))
    for folder, _, names in os.walk(package):
        files.update(os.path.join(folder, n) for n in names if n.endswith((".py", ".json")))
    for rule in rules:
        module = sys.modules.get(getattr(rule.check, "__module__", "") or "")
        path = getattr(module, "__file__", None)
        if path:
            files.add(os.path.abspath(path))
    signature = []
    for path in sorted(files):
        try:
            stat = os.stat(path)
        except OSError:
            continue
        signature.append((path, stat.st_size, stat.st_mtime_ns))
    return signature


def settings_fingerprint(options, rules) -> str:
    config = options.config
    data = {
        "wflint": __version__,
        "argo": options.argo_version,
        "max": options.max_file_size,
        "rules": sorted((r.id, r.origin) for r in rules),
        "options": {rule_id: setting.options for rule_id, setting in sorted(config.rules.items())},
        "code": _code_signature(rules),
    }
    return digest(json.dumps(data, sort_keys=True, default=str).encode())


def index_fingerprint(entries: Iterable) -> str:
    """Everything cross-file rules may read from other files."""
    hasher = hashlib.blake2b(digest_size=16)
    for entry in sorted(entries, key=lambda e: (e.kind, e.name or "", e.path, e.document)):
        item = [entry.kind, entry.name, entry.namespace, entry.path, entry.document, entry.line, entry.stub,
                entry.declared, entry.data]
        hasher.update(json.dumps(item, sort_keys=True, default=str).encode())
        hasher.update(b"\0")
    return hasher.hexdigest()


def finding_to_json(f: Finding) -> dict:
    record = {name: getattr(f, name) for name in _FIELDS}
    if f.fix is not None:
        record["fix"] = f.fix.to_record()
    return record


def finding_from_json(item: dict) -> Finding:
    found = Finding(**{name: item.get(name) for name in _FIELDS if name in item})
    if item.get("fix") is not None:
        from ..fix import ResolvedFix
        found = found.replace(fix=ResolvedFix.from_record(item["fix"]))
    return found


def _valid_finding(item) -> bool:
    from ..source.cachefile import is_int
    if not isinstance(item, dict) or not set(item) <= set(_FIELDS) | {"fix"} or \
            not isinstance(item.get("message"), str):
        return False
    if item.get("fix") is not None:
        from ..fix import valid_record
        if not valid_record(item["fix"]):
            return False
    for name in ("rule", "path", "pointer"):
        if not isinstance(item.get(name, ""), str):
            return False
    for name in ("line", "column", "end_line", "end_column", "document"):
        if not is_int(item.get(name, 0)):
            return False
    return item.get("severity") in (None,) + SEVERITIES and isinstance(item.get("hint"), (str, type(None)))


def valid(data: dict) -> bool:
    """Every record of a results cache has the shape `_store` writes."""
    from ..source.cachefile import is_int
    from ..argo.project import valid_entry
    written = data.get("written")
    if not isinstance(data.get("index"), str) or not isinstance(written, (int, float)) or isinstance(written, bool):
        return False
    for path, record in data["files"].items():
        if not isinstance(record, dict) or not isinstance(record.get("digest"), str):
            return False
        if record.get("stamp") is not None and not valid_stamp(record["stamp"]):
            return False
        if not isinstance(record.get("directives", True), bool):
            return False
        documents, entries, findings = record.get("documents"), record.get("entries"), record.get("findings")
        if not is_int(documents) or documents < 0 or not isinstance(entries, list) or not isinstance(findings, list):
            return False
        if not all(valid_entry(e) for e in entries) or not all(_valid_finding(f) for f in findings):
            return False
    return True


class ResultsCache:
    def __init__(self, path: Optional[str], settings: str):
        self.path = path
        self.settings = settings
        self.files: Dict[str, dict] = {}
        self.index = None
        self.written = 0.0
        from ..source.cachefile import read
        data = read(path, check=valid, format=FORMAT, settings=settings)
        if data is not None:
            self.files = data["files"]
            self.index = data.get("index")
            self.written = float(data["written"])

    def get(self, path: str, file_digest: str) -> Optional[dict]:
        record = self.files.get(path)
        if record is not None and record.get("digest") == file_digest:
            return record
        return None

    def unchanged(self, path: str, stat) -> Optional[dict]:
        """The record of ``path`` when its stamp says the file is the one
        linted, so that it need not even be read: a regular file (a link's own
        stamp says nothing of its target), the same size, modification and
        change time and inode (the change time is the kernel's, set on every
        write: a checkout cannot choose it), changed long enough before the
        cache was written, and with no `wflint:` directive to read."""
        record = self.files.get(path)
        if record is None or record.get("directives", True) or stat is None or not S_ISREG(stat.st_mode):
            return None
        if record.get("stamp") != stamp(stat) or not settled(stat, self.written):
            return None
        return record

    def save(self, files: Dict[str, dict], index: str) -> None:
        if self.path is not None:
            from ..source.cachefile import write
            write(self.path, json.dumps({"format": FORMAT, "settings": self.settings, "index": index,
                                         "written": time.time(), "files": files},
                                        separators=(",", ":")))  # dumps: the C encoder
