"""Human output: `path:line:col: severity: message [rule]`, the source line
with a caret under the span, the hint, and a one-line summary."""

from __future__ import annotations

from typing import Callable, Iterator, Optional

from ..escape import shown

_COLORS = {"error": "red", "warning": "yellow", "info": "blue"}
_TAB = "    "


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _safe(text: str) -> str:
    """Text from file names or messages, safe for a terminal and a CI log
    (tabs kept: they are part of the source lines shown)."""
    return shown(text, keep_tabs=True)


# The source shown under a finding: at most this many columns, around the caret.
WIDTH = 120
# Findings shown for one source line; the rest are counted in one line.
MAX_PER_LINE = 10


def _window(source: str, column: int, end_column: int, same_line: bool):
    """(text shown, caret offset, caret width) for a finding on ``source``:
    tabs as spaces, controls escaped, clipped to WIDTH columns around the
    caret with … where text is left out. Only a slice of the line near the
    caret is ever looked at, so a 10 MB line costs what a short one does."""
    start = max(column - 1, 0)
    stop = end_column - 1 if same_line and end_column > column else start + 1
    stop = min(stop, start + WIDTH)
    low, high = max(0, start - WIDTH), min(len(source), start + 2 * WIDTH)
    prefix = _safe(source[low:start].replace("\t", _TAB))
    underlined = _safe(source[start:stop].replace("\t", _TAB))
    shown = _safe(source[low:high].replace("\t", _TAB))
    offset, width = len(prefix), max(1, len(underlined))
    cut_left, cut_right = low > 0, high < len(source)
    if len(shown) <= WIDTH and not cut_left and not cut_right:
        begin, end = 0, len(shown)
    else:
        if offset + min(width, WIDTH // 2) < WIDTH and not cut_left:
            begin = 0
        else:
            begin = max(0, min(offset - WIDTH // 3, len(shown) - WIDTH))
        end = min(len(shown), begin + WIDTH)
    left, right = cut_left or begin > 0, cut_right or end < len(shown)
    text = ("…" if left else "") + shown[begin:end] + ("…" if right else "")
    caret = offset - begin + (1 if left else 0)
    width = max(1, min(width, end - offset, max(1, len(shown) - offset)))
    return text, caret, width


# Messages and hints may quote text from the file: at most this much is shown.
MAX_MESSAGE = 1000


def _clip(text: str) -> str:
    if len(text) <= MAX_MESSAGE:
        return _safe(text)
    return _safe(text[:MAX_MESSAGE]) + f"… ({len(text) - MAX_MESSAGE} more characters; --format json has it all)"


def _shown_path(path: str) -> str:
    """A file name as the start of a line: escaped, and never able to look
    like a CI workflow command (`::error::…`) or an option."""
    shown = _safe(path)
    return "./" + shown if shown.lstrip().startswith(":") else shown  # the runner trims leading spaces


def render(report, color: bool = False, lines: Optional[Callable[[str, int], str]] = None) -> str:
    return "".join(stream(report, color=color, lines=lines))


def stream(report, color: bool = False, lines: Optional[Callable[[str, int], str]] = None,
           hidden_infos: int = 0) -> Iterator[str]:
    """The report a piece at a time (each ending with a newline), so that a
    huge report is written as it is made instead of held in memory."""
    import click

    def style(text: str, **kw) -> str:
        return click.style(text, **kw) if color else text

    at, shown_here, rest = None, 0, []
    for f in list(report.findings) + [None]:
        where = (f.path, f.line) if f is not None else None
        if where != at:
            if rest:
                yield _more(rest, at[1], style)
            at, shown_here, rest = where, 0, []
        if f is None:
            break
        if shown_here >= MAX_PER_LINE:
            rest.append(f)
            continue
        shown_here += 1
        out = []
        head = f"{_shown_path(f.path)}:{f.line}:{f.column}: "
        sev = style(f.severity, fg=_COLORS.get(f.severity), bold=True)
        out.append(style(head, bold=True) + f"{sev}: {_clip(f.message)} " + style(f"[{f.rule}]", dim=True)
                   + _fixable(f))
        source = lines(f.path, f.line) if lines else ""
        gutter = " " * len(str(f.line))
        if source:
            text, caret, width = _window(source, f.column, f.end_column, f.end_line == f.line)
            out.append(style(f" {f.line} | ", dim=True) + text)
            out.append(style(f" {gutter} | ", dim=True) + " " * caret +
                       style("^" * width, fg=_COLORS.get(f.severity), bold=True))
        if f.hint:
            out.append(style(f" {gutter} = hint: ", fg="cyan") + _clip(f.hint))
        out.append(style(f" {gutter} = see: wflint explain {f.rule}", dim=True))
        yield "\n".join(out) + "\n"
    yield summary(report, style, hidden_infos=hidden_infos) + "\n"


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


def _more(rest, line: int, style) -> str:
    counts = [_plural(n, word) for n, word in
              ((sum(1 for f in rest if f.severity == sev), sev) for sev in ("error", "warning", "info")) if n]
    gutter = " " * len(str(line))
    return style(f" {gutter} = and {len(rest)} more on this line ({', '.join(counts)}; "
                 "--format json lists every one)", bold=True) + "\n"


def summary(report, style=lambda text, **kw: text, hidden_infos: int = 0) -> str:
    """One line of counts; ``hidden_infos``: infos left out of this output."""
    errors, warnings, infos = report.count("error"), report.count("warning"), report.count("info")
    scope = f"{_plural(report.files, 'file')}, {_plural(report.documents, 'Argo document')}"
    hidden = f"; {_plural(hidden_infos, 'info')} hidden, --show-info shows them" if hidden_infos else ""
    if not (errors or warnings or infos):
        return style(f"No problems found ({scope}{hidden}).", fg="green", bold=True)
    counts = [_plural(errors, "error"), _plural(warnings, "warning")]
    if infos:
        counts.append(_plural(infos, "info"))
    text = "Found " + ", ".join(counts) + f" ({scope}{hidden})." + fixable_summary(report)
    return style(text, fg="red" if errors else "yellow", bold=True)
