"""Renderers: a Report in, text out. They never change findings."""

import re

from ..lazyre import lazy_compile

FORMATS = ("text", "json", "sarif", "github", "junit", "gitlab")

# A file name that is not UTF-8 reaches Python with its bad bytes as lone
# surrogates, which no UTF-8 output can carry (writing them raised).
_SURROGATE = re.compile("[\ud800-\udfff]")


# GitHub's runner reads `##[command]data` anywhere in a line of a step's
# output (the legacy form of `::command::data`); where it can occur only
# inside a string, write the bracket so that readers of the format get it
# back unchanged. Text escapes it itself; in `github` output every line is a
# `::command::` line, which the runner parses first.
_LEGACY_COMMAND = {"json": "##\\u005b", "sarif": "##\\u005b", "gitlab": "##\\u005b", "junit": "##&#91;"}


# Line breaks other than CR and LF that some reader of the output splits lines
# at (NEL and the other C1 controls, U+2028, U+2029; Python's splitlines also
# VT, FF and the C0 separators): in JSON, SARIF, GitLab and JUnit (text
# escapes them itself; GitHub's runner splits annotations at LF only, and they
# keep the message as written) they are written as escapes the format's readers turn back into the
# character, so no file name or message can start a line of the raw output.
_BREAKS = lazy_compile("[\x0b\x0c\x1c-\x1e\x80-\x9f\u2028\u2029]")
_BREAK_ESCAPE = {"json": "\\u{:04x}", "sarif": "\\u{:04x}", "gitlab": "\\u{:04x}",
                 "junit": "&#x{:x};"}


def render(report, fmt: str, **options) -> str:
    text = _render(report, fmt, **options)
    if fmt in _LEGACY_COMMAND and "##[" in text:
        text = text.replace("##[", _LEGACY_COMMAND[fmt])
    if fmt in _BREAK_ESCAPE and _BREAKS.search(text):
        pattern = _BREAK_ESCAPE[fmt]
        text = _BREAKS.sub(lambda m: pattern.format(ord(m.group())), text)
    if _SURROGATE.search(text):
        if fmt in ("json", "sarif", "gitlab"):  # only inside strings: a \u escape reads back the same
            text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
        else:
            text = _SURROGATE.sub("\ufffd", text)
    return text


def stream(report, fmt: str, hidden_infos: int = 0, **options):
    """The rendering in pieces: text is produced finding by finding (a huge
    report is never held whole); the other formats come as one piece.
    ``hidden_infos``: info findings left out of text output, for its summary."""
    if fmt != "text":
        yield render(report, fmt)
        return
    from .text import stream as stream_text
    for chunk in stream_text(report, hidden_infos=hidden_infos, **options):
        yield _SURROGATE.sub("\ufffd", chunk) if _SURROGATE.search(chunk) else chunk


def _render(report, fmt: str, **options) -> str:
    if fmt == "text":
        from .text import render as render_text
        return render_text(report, **options)
    if fmt == "json":
        from .json import render as render_json
        return render_json(report)
    if fmt == "sarif":
        from .sarif import render as render_sarif
        return render_sarif(report)
    if fmt == "github":
        from .github import render as render_github
        return render_github(report)
    if fmt == "junit":
        from .junit import render as render_junit
        return render_junit(report)
    if fmt == "gitlab":
        from .gitlab import render as render_gitlab
        return render_gitlab(report)
    raise ValueError(f"unknown format {fmt!r}")
