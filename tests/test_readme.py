"""The README's rule table is generated from the rules themselves."""

import os
from pathlib import Path

from wflint.registry import load_rules

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- rules:start", "<!-- rules:end -->"


def rule_table() -> str:
    lines = ["| rule | default | on | what it checks |", "| --- | --- | --- | --- |"]
    for rule in load_rules().values():
        if rule.origin != "core":
            continue
        lines.append(f"| `{rule.id}` | {rule.severity} | {'yes' if rule.enabled else 'no'} | {rule.summary} |")
    return "\n".join(lines)


def test_readme_rule_table_is_current():
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    marker_line, rest = rest.split("\n", 1)
    _, tail = rest.split(END, 1)
    expected = f"{head}{START}{marker_line}\n{rule_table()}\n{END}{tail}"
    if os.environ.get("WFLINT_UPDATE_FIXTURES"):
        README.write_text(expected, encoding="utf-8")
        return
    assert text == expected, "README's rule table is out of date: run WFLINT_UPDATE_FIXTURES=1 pytest tests/test_readme.py"
