"""The one model every rule, the engine and every renderer share."""

from __future__ import annotations

from typing import Any, Optional, Tuple, Union

from .slots import FrozenRecord

PathElement = Union[str, int]
NodePath = Tuple[PathElement, ...]

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)
_RANK = {ERROR: 0, WARNING: 1, INFO: 2}


def severity_rank(severity: str) -> int:
    """0 for error, 1 for warning, 2 for info: lower is louder."""
    return _RANK[severity]


class Finding(FrozenRecord):
    """One problem in one file.

    A rule fills in only what it knows: ``message``, ``node`` (the path of the
    offending node inside its document), and optionally ``hint``, ``on_key``
    (point at the mapping key rather than its value), ``span`` (a character
    range inside a string value) and ``severity`` (when a rule reports at more
    than one level). The engine stamps ``rule``, ``severity``, ``path`` and
    turns ``node`` into ``line``/``column``/``end_line``/``end_column`` and
    ``pointer``. Lines and columns are 1-based; ``end_column`` is exclusive.
    """

    __slots__ = ("message", "rule", "severity", "path", "line", "column", "end_line", "end_column", "pointer", "hint",
                 "node", "on_key", "span", "document", "fix", "check")

    message: str
    rule: str
    severity: Optional[str]
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    pointer: str
    hint: Optional[str]
    # Where the finding points, before the engine resolves it.
    node: NodePath
    on_key: bool
    span: Optional[Tuple[int, int]]
    document: int
    # A rule's wflint.fix.Fix (edits by node path); the engine resolves it
    # into a wflint.fix.ResolvedFix (text edits), or None when it cannot.
    fix: Any
    # The rule's sub-check that found it (see wflint.ruleids); the engine
    # reports the finding as `<rule>/<check>`.
    check: Optional[str]

    def __init__(self, message, rule="", severity=None, path="", line=0, column=0, end_line=0, end_column=0,
                 pointer="", hint=None, node=(), on_key=False, span=None, document=0, fix=None, check=None):
        self.message = message
        self.rule = rule
        self.severity = severity
        self.path = path
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column
        self.pointer = pointer
        self.hint = hint
        self.node = node
        self.on_key = on_key
        self.span = span
        self.document = document
        self.fix = fix
        self.check = check

    @property
    def sort_key(self):
        return (self.path, self.line, self.column, self.rule, self.message)

    def to_json(self) -> dict:
        shown = {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "pointer": self.pointer,
            "hint": self.hint,
        }
        if hasattr(self.fix, "to_record"):  # a resolved fix: `fix` appears only on fixable findings
            shown["fix"] = self.fix.to_json()
        return shown


def finding(node: NodePath, message: str, *, hint: Optional[str] = None,
            on_key: bool = False, span: Optional[Tuple[int, int]] = None,
            severity: Optional[str] = None, fix: Any = None, check: Optional[str] = None) -> Finding:
    """What a rule yields: a message about the node at ``node``, optionally a
    ``fix`` (wflint.fix.Fix) that corrects it, and ``check``: the rule's
    sub-check that found it, one of the rule's CHECKS."""
    return Finding(message=message, node=tuple(node), hint=hint, on_key=on_key,
                   span=span, severity=severity, fix=fix, check=check)


class SpanError(ValueError):
    """Text that does not parse (an expression, a `depends`...): ``start`` and
    ``end`` are the character range of the offending token within it, so a
    rule can point there with ``finding(..., span=(error.start, error.end))``."""

    def __init__(self, message: str, start: int, end: int):
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = max(end, start + 1)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, {self.start}, {self.end})"


def json_pointer(node: NodePath) -> str:
    """RFC 6901 pointer for a node path: ("spec", "templates", 0) -> /spec/templates/0."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in node)
