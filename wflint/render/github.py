"""GitHub Actions workflow commands: each finding becomes an annotation.

Escaped as GitHub's runner unescapes them, so that no message or path can
end a command early or forge another one: in the message, `%`, CR and LF;
in property values also `:` and `,`.
"""

from __future__ import annotations

_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report) -> str:
    lines = []
    for f in report.findings:
        props = [f"file={escape_property(f.path)}", f"line={f.line}", f"col={f.column}"]
        if f.end_line:
            props.append(f"endLine={f.end_line}")
        if f.end_line == f.line and f.end_column:
            props.append(f"endColumn={f.end_column}")
        props.append(f"title={escape_property(f'wflint {f.rule}')}")
        message = f.message + (f"\n{f.hint}" if f.hint else "") + f"\nSee: wflint explain {f.rule}"
        lines.append(f"::{_COMMAND.get(f.severity, 'warning')} {','.join(props)}::{escape_data(message)}")
    errors, warnings = report.count("error"), report.count("warning")
    lines.append(f"wflint: {errors} errors, {warnings} warnings in {report.files} files")
    return "\n".join(lines) + "\n"
