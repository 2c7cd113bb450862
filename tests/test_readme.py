"""The README's rule table is generated from the rules themselves."""

import os
from pathlib import Path

from wflint.run.registry import load_rules

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- rules:start", "<!-- rules:end -->"
SECURITY_START, SECURITY_END = "<!-- security-rules:start", "<!-- security-rules:end -->"


def rule_table() -> str:
    lines = ["| rule | default | on | what it checks |", "| --- | --- | --- | --- |"]
    for rule in load_rules().values():
        if rule.origin != "core" or rule.group == "security":
            continue
        lines.append(f"| `{rule.id}` | {rule.severity} | {'yes' if rule.enabled else 'no'} | {rule.summary} |")
        for check, summary in rule.checks.items():   # its checks, each with an id of its own
            lines.append(f"| ↳ `{rule.id}/{check}` | | | {summary} |")
    return "\n".join(lines)


def security_table() -> str:
    lines = ["| rule | CWE | security-severity | what it checks |", "| --- | --- | --- | --- |"]
    for rule in load_rules().values():
        if rule.origin != "core" or rule.group != "security":
            continue
        cwe = ", ".join(rule.cwe)
        lines.append(f"| `{rule.id}` | {cwe} | {rule.security_severity} | {rule.summary} |")
    return "\n".join(lines)


def _replace(text: str, start: str, end: str, table: str) -> str:
    head, rest = text.split(start, 1)
    marker_line, rest = rest.split("\n", 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}{marker_line}\n{table}\n{end}{tail}"


def test_readme_rule_table_is_current():
    text = README.read_text(encoding="utf-8")
    expected = _replace(text, START, END, rule_table())
    expected = _replace(expected, SECURITY_START, SECURITY_END, security_table())
    if os.environ.get("WFLINT_UPDATE_FIXTURES"):
        README.write_text(expected, encoding="utf-8")
        return
    assert text == expected, "README's rule table is out of date: run WFLINT_UPDATE_FIXTURES=1 pytest tests/test_readme.py"
