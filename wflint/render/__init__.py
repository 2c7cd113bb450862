"""Renderers: a Report in, text out. They never change findings."""

FORMATS = ("text", "json", "sarif", "github", "junit", "gitlab")


def render(report, fmt: str, **options) -> str:
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
