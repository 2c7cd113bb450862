"""Fixes: what a rule proposes to change, independent of how it is applied.

A rule attaches a ``Fix`` to a finding: a short description, whether it is
safe, and edits expressed against the *document* by node path (rename a key,
quote a scalar, put a value into a one-item list, replace a scalar with a new
string). The engine resolves those edits into ``TextEdit``s on the file's
original text (character ranges with 1-based line/column, and replacement
text), exactly as it turns node paths into positions. The resolved fix is
what every consumer sees: the JSON and SARIF renderers, `check --fix` and
`--diff` (wflint/run/fixer.py), and an editor's quick fix.

Safe: the fix cannot change what the manifest means beyond what the finding
says is wrong (a misspelt field with exactly one close valid key, quoting a
scalar YAML 1.1 would read as a boolean or number where Argo wants a string,
a mechanical Argo 4 migration). Unsafe: it changes what a reference points at
(a template, task or step name renamed to its single close match).
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

from .finding import NodePath
from .slots import FrozenRecord

# Edit operations a rule may ask for.
RENAME_KEY = "rename-key"          # the key at `path` becomes `value` (a string)
QUOTE = "quote"                    # the scalar at `path` is quoted, keeping the text it is written as
REPLACE_STRING = "replace-string"  # the scalar at `path` becomes the string `value`
WRAP_IN_LIST = "wrap-in-list"      # the value at `path` becomes a one-item list; the key becomes `value` if given
REPLACE_SPAN = "replace-span"      # characters [start, end) of the string at `path` become `text`: value (start, end, text)
DELETE_KEY = "delete-key"          # the mapping entry at `path` goes (with its line, when it has one to itself)
OPERATIONS = (RENAME_KEY, QUOTE, REPLACE_STRING, WRAP_IN_LIST, REPLACE_SPAN, DELETE_KEY)

# Which fix wins when two overlap: lower first.
MIGRATION, QUOTING, SPELLING, REFERENCE = 0, 1, 2, 3


class Edit(FrozenRecord):
    """One change to a document, by node path."""

    __slots__ = ("op", "path", "value")

    op: str
    path: NodePath
    value: Any

    def __init__(self, op, path, value=None):
        self.op = op
        self.path = path
        self.value = value


def rename_key(path: NodePath, new: str) -> Edit:
    return Edit(RENAME_KEY, tuple(path), new)


def quote(path: NodePath) -> Edit:
    return Edit(QUOTE, tuple(path))


def replace_string(path: NodePath, new: str) -> Edit:
    return Edit(REPLACE_STRING, tuple(path), new)


def replace_span(path: NodePath, start: int, end: int, new: str) -> Edit:
    return Edit(REPLACE_SPAN, tuple(path), (start, end, new))


def delete_key(path: NodePath) -> Edit:
    return Edit(DELETE_KEY, tuple(path))


def wrap_in_list(path: NodePath, new_key: Optional[str] = None) -> Edit:
    return Edit(WRAP_IN_LIST, tuple(path), new_key)


class Fix(FrozenRecord):
    """What a rule proposes: edits by node path, before the engine resolves them."""

    __slots__ = ("description", "edits", "safe", "priority")

    description: str
    edits: Tuple[Edit, ...]
    safe: bool
    priority: int

    def __init__(self, description, edits, safe=True, priority=SPELLING):
        self.description = description
        self.edits = edits
        self.safe = safe
        self.priority = priority


def rename_reference(description: str, path: NodePath, new: str, span=None) -> Fix:
    """An unsafe fix: the reference at ``path`` (or the ``span`` of it) now names ``new``."""
    edit = replace_string(path, new) if span is None else replace_span(path, span[0], span[1], new)
    return Fix(description=description, edits=(edit,), safe=False, priority=REFERENCE)


def fix(description: str, *edits: Edit, safe: bool = True, priority: int = SPELLING) -> Fix:
    return Fix(description=description, edits=tuple(edits), safe=safe, priority=priority)


class Position(FrozenRecord):
    """1-based line and column (in characters) of a place in the file."""

    __slots__ = ("line", "column")

    line: int
    column: int

    def __init__(self, line, column):
        self.line = line
        self.column = column

    def to_json(self) -> dict:
        return {"line": self.line, "column": self.column}


class TextEdit(FrozenRecord):
    """Replace the characters [start, end) of the file's text (as decoded,
    without a byte-order mark) with ``content``. ``begin``/``finish`` are the
    same places as 1-based line and column; the end is exclusive."""

    __slots__ = ("start", "end", "begin", "finish", "content")

    start: int
    end: int
    begin: Position
    finish: Position
    content: str

    def __init__(self, start, end, begin, finish, content):
        self.start = start
        self.end = end
        self.begin = begin
        self.finish = finish
        self.content = content

    def to_json(self) -> dict:
        return {"start": self.begin.to_json(), "end": self.finish.to_json(), "content": self.content,
                "offset": self.start, "length": self.end - self.start}


class ResolvedFix(FrozenRecord):
    """A fix as text edits on one file, plus what the edits mean to the data
    (``changes``: the document index and the edits by path, so the applier can
    check that the edited text reads back as intended)."""

    __slots__ = ("description", "safe", "edits", "priority", "document", "changes", "expected")

    description: str
    safe: bool
    edits: Tuple[TextEdit, ...]
    priority: int
    document: int
    changes: Tuple[Edit, ...]
    expected: Tuple[Any, ...]    # per change: the source text a QUOTE keeps

    def __init__(self, description, safe, edits, priority=SPELLING, document=0, changes=(), expected=()):
        self.description = description
        self.safe = safe
        self.edits = edits
        self.priority = priority
        self.document = document
        self.changes = changes
        self.expected = expected

    def to_json(self) -> dict:
        return {"safe": self.safe, "description": self.description,
                "edits": [edit.to_json() for edit in self.edits]}

    def to_record(self) -> dict:
        """Everything, for the results cache."""
        return {"description": self.description, "safe": self.safe, "priority": self.priority,
                "document": self.document,
                "edits": [[e.start, e.end, e.begin.line, e.begin.column, e.finish.line, e.finish.column, e.content]
                          for e in self.edits],
                "changes": [[c.op, list(c.path), c.value] for c in self.changes],
                "expected": list(self.expected)}

    @classmethod
    def from_record(cls, item: dict) -> "ResolvedFix":
        return cls(description=item["description"], safe=bool(item["safe"]), priority=int(item["priority"]),
                   document=int(item["document"]),
                   edits=tuple(TextEdit(e[0], e[1], Position(e[2], e[3]), Position(e[4], e[5]), e[6])
                               for e in item["edits"]),
                   changes=tuple(Edit(c[0], tuple(c[1]), tuple(c[2]) if isinstance(c[2], list) else c[2])
                                 for c in item["changes"]),
                   expected=tuple(item.get("expected", ())))


def valid_record(item) -> bool:
    """The shape `to_record` writes (the results cache is read defensively)."""
    try:
        ResolvedFix.from_record(item)
    except (KeyError, TypeError, ValueError, IndexError):
        return False
    return (isinstance(item.get("description"), str)
            and all(isinstance(e[6], str) and all(isinstance(n, int) for n in e[:6]) for e in item["edits"])
            and all(c[0] in OPERATIONS for c in item["changes"]))
