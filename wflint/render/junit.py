"""JUnit XML, as CI dashboards read it: a testcase per linted file, a failure per finding."""

from __future__ import annotations

import re
from collections import defaultdict
from xml.sax.saxutils import quoteattr, escape

# XML 1.0 cannot carry most control characters, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _text(text: str) -> str:
    """Element text: line breaks as character references (an XML reader gets
    them back), so that no file name or message starts a line of the raw
    output, where a CI runner would read `::command::` lines."""
    return escape(_clean(text), {"\n": "&#10;", "\r": "&#13;"})


def render(report) -> str:
    by_file = defaultdict(list)
    for f in report.findings:
        by_file[f.path].append(f)
    paths = list(dict.fromkeys(list(report.linted) + list(by_file)))
    failing = [f for f in report.findings if f.severity in ("error", "warning")]
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name="wflint" tests="{len(paths)}" failures="{len(failing)}" errors="0">',
           f'  <testsuite name="wflint" tests="{len(paths)}" failures="{len(failing)}" errors="0" skipped="0">']
    for path in paths:
        findings = by_file.get(path, [])
        out.append(f"    <testcase classname={quoteattr(_clean('wflint'))} name={quoteattr(_clean(path))}>")
        for f in findings:
            where = f"{f.path}:{f.line}:{f.column}"
            text = f"{where}: {f.severity}: {f.message} [{f.rule}]" + (f"\nhint: {f.hint}" if f.hint else "")
            tag = "failure" if f.severity in ("error", "warning") else "system-out"
            if tag == "failure":
                out.append(f"      <failure message={quoteattr(_clean(f.message))} "
                           f"type={quoteattr(_clean(f'{f.severity} {f.rule}'))}>{_text(text)}</failure>")
            else:
                out.append(f"      <system-out>{_text(text)}</system-out>")
        out.append("    </testcase>")
    out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"
