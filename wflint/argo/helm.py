"""Helm chart templates read as YAML, for the index only.

A file in a chart's `templates/` is a Go template, not YAML, until `helm
template` renders it; it is not linted. But a `templateRef` elsewhere in the
repository often names a WorkflowTemplate it defines, so the index reads it
with the template actions neutralised:

* a line that holds only actions (`{{- if .Values.x }}`, `{{ end }}`,
  `{{- range }}`, `{{ include "x" . | nindent 4 }}`) becomes an empty line;
* an action that is a string literal (`{{ "{{inputs.parameters.x}}" }}`, or
  with backquotes: how charts write Argo's own tags) becomes that text;
* any other action becomes a placeholder that holds `{{`, so that a name built
  from one (`name: {{ .Release.Name }}-build`) is known to be unknowable.

Line numbers are kept. The scan is linear: one pass, quotes inside actions
skipped.
"""

from __future__ import annotations

from typing import List

from ..lazyre import lazy_compile

PLACEHOLDER = "helm{{value}}"   # is_dynamic() sees a name built from it as unknowable
_ONLY_ACTIONS = lazy_compile(r"^[ \t]*(?:\x00[ \t]*)+\r?$")
_LITERAL = lazy_compile(r'^"((?:[^"\\\n]|\\.)*)"$|^`([^`]*)`$')


def _actions(text: str):
    """(start, end) of each `{{ ... }}` action, quotes inside skipped; an
    action never closed runs to the end of the text."""
    i = 0
    n = len(text)
    while True:
        start = text.find("{{", i)
        if start < 0:
            return
        j = start + 2
        end = n
        while j < n:
            char = text[j]
            if char == '"':
                j += 1
                while j < n and text[j] not in '"\n':
                    j += 2 if text[j] == "\\" else 1
                j += 1
            elif char == "`":
                close = text.find("`", j + 1)
                j = n if close < 0 else close + 1
            elif char == "}" and text.startswith("}}", j):
                end = j + 2
                break
            else:
                j += 1
        yield start, min(end, n)
        i = end


def _replacement(action: str) -> str:
    inner = action[2:-2] if action.endswith("}}") else action[2:]
    inner = inner.strip()
    if inner.startswith("-"):
        inner = inner[1:]
    if inner.endswith("-"):
        inner = inner[:-1]
    inner = inner.strip()
    if inner.startswith("/*"):
        return "\x00"  # a comment
    literal = _LITERAL.match(inner)
    if literal:
        text = literal.group(1)
        if text is not None:
            text = text.replace('\\"', '"').replace("\\\\", "\\")
        else:
            text = literal.group(2)
        return text if "\n" not in text else "\x00"
    return "\x00"


def neutralise(text: str) -> str:
    """The chart template's text with its actions neutralised (see the module doc)."""
    if "{{" not in text:
        return text
    out: List[str] = []
    last = 0
    for start, end in _actions(text):
        out.append(text[last:start])
        action = text[start:end]
        replacement = _replacement(action)
        # keep the line count of actions that span lines
        out.append(replacement + "\n" * action.count("\n") if "\n" in action else replacement)
        last = end
    out.append(text[last:])
    lines = "".join(out).split("\n")
    for i, line in enumerate(lines):
        if "\x00" in line:
            lines[i] = "" if _ONLY_ACTIONS.match(line) else line.replace("\x00", PLACEHOLDER)
    return "\n".join(lines)


def entries(path: str, max_size: int):
    """The index entries of a chart template file (WorkflowTemplates,
    ClusterWorkflowTemplates and the other indexed kinds), read as above."""
    import os
    import stat as stat_module

    from ..source import files as sources
    from .index import entry_of
    try:
        status = os.stat(path)
        if not stat_module.S_ISREG(status.st_mode):
            return []
        data = sources.read_bytes(path, max_size + 1, status.st_size)
    except OSError:
        return []
    if len(data) > max_size or b"WorkflowTemplate" not in data:
        return []
    source = sources.decode(path, data)
    if not isinstance(source, sources.SourceFile):
        return []
    source = sources.SourceFile(path=source.path, text=neutralise(source.text), digest=source.digest)
    from .documents import load_file
    # The one reading of a file (documents.py), keeping what the index keeps.
    return [entry_of(doc) for doc in load_file(source, index_only=True).documents]
