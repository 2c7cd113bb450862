"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import json
import os
from typing import Dict
from urllib.parse import quote

from .. import __version__

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
HOME = "https://github.com/wflint/wflint"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _what_it_does(doc: str) -> str:
    from ..rule import doc_sections
    section = doc_sections(doc).get("What it does", "")
    paragraph = section.strip().split("\n\n")[0]
    return " ".join(line.strip() for line in paragraph.splitlines()).strip()


def _rule_entry(rule) -> Dict:
    doc = rule.doc() or ""
    full = _what_it_does(doc) or rule.summary
    entry = {
        "id": rule.id,
        "shortDescription": {"text": _sentence(rule.summary)},
        "fullDescription": {"text": _sentence(full)},
        "helpUri": f"{HOME}/blob/main/rules/{rule.id.replace('-', '_')}.md",
        "help": {"text": doc or rule.summary, "markdown": doc or rule.summary},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"tags": ["argo-workflows"]},
    }
    if getattr(rule, "group", None) == "security":
        # GitHub code scanning ranks alerts by `security-severity` and shows CWE tags.
        tags = entry["properties"]["tags"]
        tags.append("security")
        tags.extend(f"external/cwe/{cwe.lower()}" for cwe in getattr(rule, "cwe", ()))
        if getattr(rule, "security_severity", None) is not None:
            entry["properties"]["security-severity"] = f"{float(rule.security_severity):.1f}"
    return entry


def _uri(path: str) -> str:
    """A URI reference, as SARIF requires: a space, `%`, `#`, `?` or `:` in a
    file name is percent-encoded (a `:` would read as a scheme, a `#` as a fragment)."""
    quoted = quote(path.replace(os.sep, "/"), safe="/!$&'()*+,;=@~", errors="surrogateescape")
    return quoted if not os.path.isabs(path) else "file://" + quoted


def _fix(f) -> Dict:
    """A finding's fix as a SARIF fix: one artifactChange of the file, its
    replacements as line/column regions (an empty region inserts)."""
    location = {"uri": _uri(f.path), **({} if os.path.isabs(f.path) else {"uriBaseId": "%SRCROOT%"})}
    replacements = [{"deletedRegion": {"startLine": e.begin.line, "startColumn": e.begin.column,
                                       "endLine": e.finish.line, "endColumn": e.finish.column},
                     "insertedContent": {"text": e.content}} for e in f.fix.edits]
    safety = "safe" if f.fix.safe else "unsafe: applied with --unsafe-fixes"
    return {"description": {"text": _sentence(f"{f.fix.description} ({safety})")},
            "artifactChanges": [{"artifactLocation": location, "replacements": replacements}]}


def render(report) -> str:
    from ..registry import load_rules
    rules = load_rules()
    # Every rule, so viewers can show what was checked; the opt-in security
    # rules only when the run used them (the default output stays as it was).
    active = set(getattr(report, "active", None) or ()) | {f.rule for f in report.findings}
    ids = sorted(r for r in rules if getattr(rules[r], "group", None) != "security" or r in active)
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    results = []
    for f in report.findings:
        result = {
            "ruleId": f.rule,
            "level": _LEVEL.get(f.severity, "warning"),
            "message": {"text": _sentence(f.message + (f" Hint: {f.hint}" if f.hint else ""))},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(f.path), **({} if os.path.isabs(f.path) else
                                                                 {"uriBaseId": "%SRCROOT%"})},
                    "region": {"startLine": max(f.line, 1), "startColumn": max(f.column, 1),
                               "endLine": max(f.end_line, f.line, 1),
                               "endColumn": max(f.end_column, f.column + 1 if f.end_line == f.line else 1, 1)},
                },
            }],
        }
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        if f.pointer:
            result["locations"][0]["logicalLocations"] = [{"fullyQualifiedName": f.pointer, "kind": "element"}]
        if hasattr(f.fix, "edits"):
            result["fixes"] = [_fix(f)]
        results.append(result)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "wflint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": HOME,
                "rules": [_rule_entry(rules[rule_id]) for rule_id in ids if rule_id in rules],
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": _uri(os.getcwd()).rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
