"""Rules the engine reports itself, while reading files: they have no check
function, but are declared like every rule so that they can be listed,
explained, selected, ignored and given another severity."""

import os

from wflint.rule import Rule

_HERE = os.path.dirname(__file__)  # (os.path: pathlib would import urllib and ipaddress at start-up)


def _declare(rule_id: str, severity: str, summary: str) -> Rule:
    return Rule(id=rule_id, severity=severity, summary=summary,
                doc_file=os.path.join(_HERE, rule_id.replace("-", "_") + ".md"))


RULES = [
    _declare("yaml-syntax", "error", "The file is not valid YAML (or not text at all)."),
    _declare("duplicate-key", "error", "A mapping sets the same key twice; the later value silently wins."),
    _declare("input-limit", "error", "A file or document is too large or too deeply nested to lint."),
    _declare("read-error", "error", "A file named for linting cannot be read."),
    _declare("not-linted", "warning", "A document looks like an Argo Workflows object but is not one, so it is not linted."),
    _declare("helm-chart", "info", "Helm chart templates with template actions are not linted (only indexed): they are not YAML until rendered."),
    _declare("internal-error", "error", "A rule crashed; its findings for the document are missing."),
    _declare("unused-suppression", "warning", "A `# wflint: disable=` comment that suppresses nothing."),
    _declare("stale-baseline", "info", "A baseline entry whose finding is gone."),
]
