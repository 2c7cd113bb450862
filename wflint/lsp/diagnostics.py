"""Findings as LSP diagnostics, and the code actions that answer them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Optional

from lsprotocol import types

from ..finding import ERROR, INFO, WARNING, Finding
from ..run.registry import load_rules

SOURCE = "wflint"
_SEVERITY = {ERROR: types.DiagnosticSeverity.Error, WARNING: types.DiagnosticSeverity.Warning,
             INFO: types.DiagnosticSeverity.Information}


def finding_range(item: Finding) -> types.Range:
    """The finding's span (1-based, end exclusive) as an LSP range (0-based)."""
    line = max(item.line - 1, 0)
    column = max(item.column - 1, 0)
    end_line = max(item.end_line - 1, line) if item.end_line else line
    end_column = max(item.end_column - 1, 0) if item.end_column else column + 1
    if (end_line, end_column) < (line, column):
        end_line, end_column = line, column
    return types.Range(start=types.Position(line=line, character=column),
                       end=types.Position(line=end_line, character=end_column))


def rule_doc_uri(rule_id: str) -> Optional[str]:
    from ..ruleids import parent
    rule = load_rules().get(parent(rule_id))   # a check's doc is its rule's
    if rule is None or not rule.doc_file:
        return None
    return Path(rule.doc_file).resolve().as_uri()


def to_diagnostic(item: Finding, uri_of=None) -> types.Diagnostic:
    message = item.message + (f"\nhint: {item.hint}" if item.hint else "")
    doc = rule_doc_uri(item.rule)
    related = None
    extra = getattr(item, "related", None)  # other places of a multi-place finding, when the model has them
    if extra and uri_of is not None:
        related = []
        for other in extra:
            try:
                related.append(types.DiagnosticRelatedInformation(
                    location=types.Location(uri=uri_of(other.path), range=finding_range(other)),
                    message=getattr(other, "message", "") or "related"))
            except Exception:  # a shape this front end does not know: leave it out
                continue
    return types.Diagnostic(
        range=finding_range(item), message=message, severity=_SEVERITY.get(item.severity, types.DiagnosticSeverity.Error),
        code=item.rule, source=SOURCE,
        code_description=types.CodeDescription(href=doc) if doc else None,
        related_information=related or None,
        data={"rule": item.rule, "pointer": item.pointer})


# -- code actions ----------------------------------------------------------------


def _get(obj: Any, name: str, default=None):
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _position(value) -> Optional[types.Position]:
    """A 1-based (line, column) from a fix edit's begin/start: an object or a dict."""
    if value is None:
        return None
    line, column = _get(value, "line"), _get(value, "column")
    if not isinstance(line, int) or not isinstance(column, int):
        return None
    return types.Position(line=max(line - 1, 0), character=max(column - 1, 0))


def fix_edits(fix: Any) -> Optional[List[types.TextEdit]]:
    """A finding's fix object (the autofix branch's ResolvedFix: ``edits`` of
    ``begin``/``finish`` 1-based positions and ``content``; or its JSON form,
    ``start``/``end``/``content``) as LSP text edits; None if it has no text edits."""
    edits = _get(fix, "edits")
    if not edits:
        return None
    out = []
    for edit in edits:
        start = _position(_get(edit, "begin") or (_get(edit, "start") if not isinstance(_get(edit, "start"), int) else None))
        end = _position(_get(edit, "finish") or (_get(edit, "end") if not isinstance(_get(edit, "end"), int) else None))
        content = _get(edit, "content", _get(edit, "text", _get(edit, "replacement")))
        if start is None or end is None or not isinstance(content, str):
            return None  # edits by node path only: not resolved to text, nothing to offer
        out.append(types.TextEdit(range=types.Range(start=start, end=end), new_text=content))
    return out


def fix_action(item: Finding, uri: str, diagnostic: Optional[types.Diagnostic]) -> Optional[types.CodeAction]:
    fix = getattr(item, "fix", None)
    if fix is None:
        return None
    edits = fix_edits(fix)
    if not edits:
        return None
    safe = bool(_get(fix, "safe", True))
    title = _get(fix, "description") or f"Fix {item.rule}"
    if not safe:
        title += " (unsafe: changes what a reference points at)"
    return types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix,
                            diagnostics=[diagnostic] if diagnostic else None, is_preferred=safe,
                            edit=types.WorkspaceEdit(changes={uri: edits}))


_DIRECTIVE = re.compile(r"#\s*wflint:\s*disable\s*=\s*(?P<rules>[A-Za-z0-9_,\s-]+?)\s*(?:--.*)?$")


def disable_action(rule: str, line: int, lines: List[str], uri: str,
                   diagnostic: Optional[types.Diagnostic]) -> Optional[types.CodeAction]:
    """`# wflint: disable=RULE` on the finding's (0-based) line: added to a
    directive already there, else at the end of the line (suppress.py's syntax)."""
    if rule in ("internal-error", "yaml-syntax") or not (0 <= line < len(lines)):
        return None
    text = lines[line].rstrip("\r")
    at = text.find("# wflint:")
    match = _DIRECTIVE.search(text[at:]) if at >= 0 else None
    if match is not None:
        rules = [r.strip() for r in match.group("rules").split(",") if r.strip()]
        if rule in rules:
            return None
        stop = at + match.end("rules")
        edit = types.TextEdit(range=types.Range(start=types.Position(line=line, character=stop),
                                                end=types.Position(line=line, character=stop)),
                              new_text=f",{rule}")
    else:
        end = len(text)
        stripped = text.rstrip()
        if _is_block_scalar_header(stripped) or not stripped:
            return None  # a comment there would end up inside the block, or on nothing
        edit = types.TextEdit(range=types.Range(start=types.Position(line=line, character=len(stripped)),
                                                end=types.Position(line=line, character=end)),
                              new_text=f"  # wflint: disable={rule}")
    return types.CodeAction(title=f"Disable {rule} for this line", kind=types.CodeActionKind.QuickFix,
                            diagnostics=[diagnostic] if diagnostic else None,
                            edit=types.WorkspaceEdit(changes={uri: [edit]}))


def _is_block_scalar_header(text: str) -> bool:
    return bool(re.search(r"[|>][-+0-9]*$", text))


def rule_summary(rule_id: str) -> Optional[str]:
    """The rule's summary and the first paragraph of its doc, for hover."""
    from ..ruleids import parent, split
    rule = load_rules().get(parent(rule_id))
    if rule is None:
        return None
    check = split(rule_id)[1]
    summary = rule.checks.get(check, rule.summary) if check else rule.summary
    text = f"**{rule_id}** ({rule.severity}): {summary}"
    doc = rule.doc()
    if doc:
        # The first paragraph of the doc's opening sections (its title, "What it does").
        sections = re.split(r"(?m)^#+ .*$", doc)
        for section in sections[1:3] if len(sections) > 2 else sections[:1]:
            paragraph = next((p.strip() for p in section.split("\n\n") if p.strip()), "")
            if paragraph:
                text += "\n\n" + paragraph
        uri = rule_doc_uri(rule_id)
        if uri:
            text += f"\n\n[{rule.id} documentation]({uri})"
    return text


def by_rule(findings: List[Finding]) -> Dict[str, List[Finding]]:
    out: Dict[str, List[Finding]] = {}
    for item in findings:
        out.setdefault(item.rule, []).append(item)
    return out
