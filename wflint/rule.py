"""The rule-plugin contract.

A rule is a module (or a ``Rule`` built by hand) that declares::

    ID = "dag-cycle"                  # kebab-case, unique, part of the public interface
    SEVERITY = "error"                # error | warning | info
    SUMMARY = "one line shown by `wflint rules`"
    KINDS = ("Workflow", ...)         # optional; default: the four Argo kinds
    OPTIONS = {"name": default}       # optional; settable in the config
    CHECKS = {"name": "summary"}      # optional; sub-checks, reported as `<ID>/<name>`
    ENABLED = True                    # optional; False makes the rule opt-in
    GROUP = "security"                # optional; default "correctness"
    CWE = ("CWE-78",)                 # optional; weaknesses the rule finds (SARIF tags)
    SECURITY_SEVERITY = 8.8           # optional; CVSS-like 0-10 score for code scanning

    def check(document, context):     # yields Findings made with wflint.finding()
        ...

and keeps its documentation in a Markdown file of the same name beside it.
A rule never parses, prints or computes positions: it reads ``document.data``
and ``context`` and points at nodes by path. Rules whose ``check`` is None are
reported by the engine itself (YAML syntax, duplicate keys, ...); they are
declared the same way so they can be listed, explained, selected and ignored.
"""

from __future__ import annotations

import os
import re
from types import ModuleType
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional

from .argo.version import DEFAULT, ArgoVersion
from .source.document import ARGO_KINDS
from .finding import SEVERITIES
from .slots import FrozenRecord, Record

RULE_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
# A rule's group when it names none. A group name selects, ignores or extends
# with every rule of the group wherever a rule id is accepted.
DEFAULT_GROUP = "correctness"


class RuleError(ValueError):
    """A rule declaration that breaks the contract."""


class Rule(FrozenRecord):
    """A rule as the registry holds it: its id, defaults and check (see the module's docstring)."""

    __slots__ = ("id", "severity", "summary", "check", "kinds", "options", "enabled", "doc_file", "origin", "group",
                 "cwe", "security_severity", "checks")

    id: str
    severity: str
    summary: str
    check: Optional[Callable[..., Iterable[Any]]]
    kinds: frozenset
    options: Mapping[str, Any]
    enabled: bool
    doc_file: Optional[str]
    origin: str
    group: str
    cwe: tuple
    security_severity: Optional[float]
    # Sub-checks: name -> one-line summary; a finding tagged `check="name"` is
    # reported as `<id>/<name>` (see wflint.ruleids).
    checks: Mapping[str, str]

    def __init__(self, id, severity, summary, check=None, kinds=frozenset(ARGO_KINDS), options=None, enabled=True,
                 doc_file=None, origin="core", group=DEFAULT_GROUP, cwe=(), security_severity=None, checks=None):
        self.id = id
        self.severity = severity
        self.summary = summary
        self.check = check
        self.kinds = kinds
        self.options = {} if options is None else options
        self.enabled = enabled
        self.doc_file = doc_file
        self.origin = origin
        self.group = group
        self.cwe = cwe
        self.security_severity = security_severity
        self.checks = {} if checks is None else checks
        self._check_contract()

    def _check_contract(self):
        if not isinstance(self.id, str) or not RULE_ID.match(self.id):
            raise RuleError(f"rule id {self.id!r} is not kebab-case (like `dag-cycle`)")
        if self.severity not in SEVERITIES:
            raise RuleError(f"rule {self.id}: severity {self.severity!r} is not one of {', '.join(SEVERITIES)}")
        if not isinstance(self.summary, str) or not self.summary.strip():
            raise RuleError(f"rule {self.id}: a one-line SUMMARY is required")
        if self.check is not None and not callable(self.check):
            raise RuleError(f"rule {self.id}: check must be callable")
        if not isinstance(self.group, str) or not RULE_ID.match(self.group):
            raise RuleError(f"rule {self.id}: group {self.group!r} is not kebab-case (like `security`)")
        for check, summary in dict(self.checks).items():
            if not isinstance(check, str) or not RULE_ID.match(check):
                raise RuleError(f"rule {self.id}: check {check!r} is not kebab-case (like `duplicate-volume-mount`)")
            if not isinstance(summary, str) or not summary.strip():
                raise RuleError(f"rule {self.id}: check `{check}` needs a one-line summary")

    @classmethod
    def from_module(cls, module: ModuleType, origin: str = "core") -> "Rule":
        try:
            rule_id = module.ID
            severity = module.SEVERITY
            summary = module.SUMMARY
        except AttributeError as exc:
            raise RuleError(f"module {module.__name__} lacks {exc.name}: a rule needs ID, SEVERITY, SUMMARY")
        doc = None
        if getattr(module, "__file__", None):
            candidate = os.path.splitext(module.__file__)[0] + ".md"
            if os.path.isfile(candidate):
                doc = candidate
        return cls(
            id=rule_id, severity=severity, summary=summary,
            check=getattr(module, "check", None),
            kinds=frozenset(getattr(module, "KINDS", ARGO_KINDS)),
            options=dict(getattr(module, "OPTIONS", {})),
            enabled=bool(getattr(module, "ENABLED", True)),
            doc_file=doc, origin=origin, group=getattr(module, "GROUP", DEFAULT_GROUP),
            cwe=tuple(getattr(module, "CWE", ())), security_severity=getattr(module, "SECURITY_SEVERITY", None),
            checks=dict(getattr(module, "CHECKS", {})),
        )

    @property
    def engine_reported(self) -> bool:
        return self.check is None

    def doc(self) -> Optional[str]:
        if self.doc_file:
            try:
                with open(self.doc_file, encoding="utf-8") as handle:
                    return handle.read()
            except OSError:
                return None
        return None


class Context(Record):
    """What a rule may read besides its document."""

    __slots__ = ("index", "options", "argo_version", "config")

    index: Any                  # wflint.argo.index.ProjectIndex
    options: Mapping[str, Any]  # this rule's options, defaults merged with the config
    argo_version: ArgoVersion   # compare it as a number: see wflint.argo.version
    config: Any

    def __init__(self, index, options, argo_version=DEFAULT, config=None):
        self.index = index
        self.options = options
        self.argo_version = argo_version
        self.config = config


def doc_sections(markdown: str) -> Dict[str, str]:
    """A rule doc's `## ` sections by heading."""
    sections: Dict[str, List[str]] = {}
    current = None
    for line in markdown.splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    return {k: "\n".join(v) for k, v in sections.items()}
