"""Renderers: a Report in, text out. They never change findings."""

FORMATS = ("text", "json")


def render(report, fmt: str, **options) -> str:
    if fmt == "json":
        from .json import render as render_json
        return render_json(report)
    from .text import render as render_text
    return render_text(report, **options)
