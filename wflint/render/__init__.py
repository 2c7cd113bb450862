"""Renderers: a Report in, text out. They never change findings."""

import re

FORMATS = ("text", "json", "sarif", "github", "junit", "gitlab")

# A file name that is not UTF-8 reaches Python with its bad bytes as lone
# surrogates, which no UTF-8 output can carry (writing them raised).
_SURROGATE = re.compile("[\ud800-\udfff]")


def render(report, fmt: str, **options) -> str:
    text = _render(report, fmt, **options)
    if _SURROGATE.search(text):
        if fmt in ("json", "sarif", "gitlab"):  # only inside strings: a \u escape reads back the same
            text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
        else:
            text = _SURROGATE.sub("\ufffd", text)
    return text


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
