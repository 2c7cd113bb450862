"""A baseline: today's findings, recorded so that only new ones are reported.

Entries are matched by rule, file, document and node (the JSON pointer), not
by line, so edits elsewhere in a file do not bring them back. Two identical
findings need two entries (a count). Entries for files that were linted but
matched nothing are stale: the problem is gone, and the run says so.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Dict, Iterable, List, Tuple

from ..finding import INFO, Finding
from ..ruleids import lineage

FORMAT = 1


class BaselineError(Exception):
    pass


def _quote(path: str) -> str:
    import shlex  # here: only a stale baseline is reported with it
    return shlex.quote(path)


def _key(f: Finding, base: str) -> Tuple[str, str, int, str]:
    path = os.path.relpath(os.path.abspath(f.path), base).replace(os.sep, "/")
    anchor = f.pointer or f"message:{f.message}"
    return f.rule, path, f.document, anchor


def write(path: str, findings: Iterable[Finding], protected: Iterable[str] = ()) -> int:
    """Record ``findings`` in ``path`` (through a temporary file and a rename;
    never through a link nor over one of the ``protected`` files: raises
    safewrite.UnsafeTarget). Returns how many were recorded."""
    base = os.path.dirname(os.path.abspath(path))
    counts = Counter()
    messages = {}
    for f in findings:
        key = _key(f, base)
        counts[key] += 1
        messages.setdefault(key, f.message)
    entries = [{"rule": rule, "path": file, "document": document,
                "pointer": "" if anchor.startswith("message:") else anchor,
                "message": messages[(rule, file, document, anchor)], "count": count}
               for (rule, file, document, anchor), count in sorted(counts.items())]
    from . import safewrite

    def produce(handle):
        json.dump({"format": FORMAT, "tool": "wflint", "findings": entries}, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    safewrite.write(path, produce, protected)
    return sum(counts.values())


def read(path: str) -> Dict[Tuple[str, str, int, str], int]:
    try:
        with open(path, "r", encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}")
    except ValueError as exc:
        raise BaselineError(f"baseline {path} is not valid JSON: {exc}")
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path} is not a wflint baseline (write one with --write-baseline)")
    entries: Dict[Tuple[str, str, int, str], int] = Counter()
    for item in data["findings"]:
        try:
            anchor = item["pointer"] or f"message:{item['message']}"
            entries[(item["rule"], item["path"], int(item["document"]), anchor)] += int(item.get("count", 1))
        except (KeyError, TypeError, ValueError):
            raise BaselineError(f"baseline {path} has a malformed entry: {item!r}")
    return entries


def apply(path: str, findings: List[Finding], linted: Iterable[str]) -> List[Finding]:
    """Hide findings the baseline at ``path`` records; report stale entries."""
    base = os.path.dirname(os.path.abspath(path))
    remaining = read(path)
    kept = []
    for f in findings:
        key = _key(f, base)
        # an entry recorded with the rule's id (before its checks had ids of
        # their own) still matches the check's finding
        for rule in lineage(f.rule):
            key = (rule,) + key[1:]
            if remaining.get(key, 0) > 0:
                remaining[key] -= 1
                break
        else:
            kept.append(f)
    linted_rel = {os.path.relpath(os.path.abspath(p), base).replace(os.sep, "/"): p for p in linted}
    for (rule, file, document, anchor), count in sorted(remaining.items()):
        if count <= 0 or file not in linted_rel:
            continue  # matched, or a file this run did not look at
        where = anchor if not anchor.startswith("message:") else f"“{anchor[8:]}”"
        kept.append(Finding(
            rule="stale-baseline", severity=INFO, path=linted_rel[file], line=1, column=1, end_line=1, end_column=2,
            document=document,
            message=f"baseline entry `{rule}` at {where} (document {document + 1}) no longer matches: "
                    "the problem is gone",
            hint=f"refresh the baseline: wflint check --write-baseline {_quote(os.path.relpath(path))}"))
    return kept
