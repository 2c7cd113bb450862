"""GitLab Code Quality report (JSON), with a fingerprint per finding that
survives unrelated edits: it hashes what the finding is about (rule, file,
document, node, message), not where the lines happen to be."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def fingerprint(f, occurrence: int = 0) -> str:
    anchor = f.pointer or f"line {f.line}"
    key = "\0".join([f.rule, f.path, str(f.document), anchor, f.message, str(occurrence)])
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def render(report) -> str:
    seen = Counter()
    issues = []
    for f in report.findings:
        base = (f.rule, f.path, f.document, f.pointer or f.line, f.message)
        occurrence = seen[base]
        seen[base] += 1
        issues.append({
            "type": "issue",
            "check_name": f.rule,
            "description": f.message + (f" ({f.hint})" if f.hint else ""),
            "categories": ["Bug Risk"],
            "severity": _SEVERITY.get(f.severity, "minor"),
            "fingerprint": fingerprint(f, occurrence),
            "location": {"path": f.path, "positions": {"begin": {"line": f.line, "column": f.column},
                                                        "end": {"line": f.end_line or f.line,
                                                                "column": f.end_column or f.column}}},
        })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
