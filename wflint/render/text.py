"""Human output: `path:line:col: severity: message [rule]`, the source line
with a caret under the span, the hint, and a one-line summary."""

from __future__ import annotations

import re
from typing import Callable, Dict, List, Optional

_COLORS = {"error": "red", "warning": "yellow", "info": "blue"}
_TAB = "    "


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


# C0 and C1 controls (ESC, CSI...), DEL, and the marks that reorder text
# (bidirectional overrides, "Trojan source") or break lines.
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _safe(text: str) -> str:
    """Control characters from file names or messages must not drive the terminal."""
    return _UNSAFE.sub(_escape, text)


def render(report, color: bool = False, lines: Optional[Callable[[str, int], str]] = None) -> str:
    import click

    def style(text: str, **kw) -> str:
        return click.style(text, **kw) if color else text

    out: List[str] = []
    for f in report.findings:
        head = f"{_safe(f.path)}:{f.line}:{f.column}: "
        sev = style(f.severity, fg=_COLORS.get(f.severity), bold=True)
        out.append(style(head, bold=True) + f"{sev}: {_safe(f.message)} " + style(f"[{f.rule}]", dim=True)
                   + _fixable(f))
        source = lines(f.path, f.line) if lines else ""
        gutter = " " * len(str(f.line))
        if source:
            # Tabs are shown as spaces and controls escaped: the caret must move with them.
            prefix = _safe(source[:max(f.column - 1, 0)].replace("\t", _TAB))
            if f.end_line == f.line and f.end_column > f.column:
                underlined = _safe(source[f.column - 1:f.end_column - 1].replace("\t", _TAB))
            else:
                underlined = _safe(source[f.column - 1:f.column].replace("\t", _TAB))
            shown = _safe(source.replace("\t", _TAB))
            width = max(1, min(len(underlined), max(1, len(shown) - len(prefix))))
            out.append(style(f" {f.line} | ", dim=True) + shown)
            out.append(style(f" {gutter} | ", dim=True) + " " * len(prefix) +
                       style("^" * width, fg=_COLORS.get(f.severity), bold=True))
        if f.hint:
            out.append(style(f" {gutter} = hint: ", fg="cyan") + _safe(f.hint))
        out.append(style(f" {gutter} = see: wflint explain {f.rule}", dim=True))
    out.append(summary(report, style))
    return "\n".join(out) + "\n"


def _fixable(f) -> str:
    """` [*]` after a finding `--fix` corrects (` [*unsafe]`: with --unsafe-fixes)."""
    if f.fix is None or not hasattr(f.fix, "safe"):
        return ""
    return " [*]" if f.fix.safe else " [*unsafe]"


def fixable_summary(report) -> str:
    """"N fixable with --fix (M more with --unsafe-fixes)." or the empty string."""
    safe = sum(1 for f in report.findings if hasattr(f.fix, "safe") and f.fix.safe)
    unsafe = sum(1 for f in report.findings if hasattr(f.fix, "safe") and not f.fix.safe)
    if not (safe or unsafe):
        return ""
    text = f"{safe} fixable with --fix"
    if unsafe:
        text += f" ({unsafe} more with --unsafe-fixes)"
    return " " + text + "."


def summary(report, style=lambda text, **kw: text) -> str:
    errors, warnings, infos = report.count("error"), report.count("warning"), report.count("info")
    scope = f"{_plural(report.files, 'file')}, {_plural(report.documents, 'Argo document')}"
    if not (errors or warnings or infos):
        return style(f"No problems found ({scope}).", fg="green", bold=True)
    counts = [_plural(errors, "error"), _plural(warnings, "warning")]
    if infos:
        counts.append(_plural(infos, "info"))
    text = "Found " + ", ".join(counts) + f" ({scope})." + fixable_summary(report)
    return style(text, fg="red" if errors else "yellow", bold=True)
