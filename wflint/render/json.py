"""The JSON report: a stable shape that CI integrations rely on."""

import json


def render(report) -> str:
    return json.dumps({
        "version": 1,
        "summary": {
            "files": report.files,
            "documents": report.documents,
            "errors": report.count("error"),
            "warnings": report.count("warning"),
            "infos": report.count("info"),
        },
        "diagnostics": [f.to_json() for f in report.findings],
    }, indent=2, ensure_ascii=False) + "\n"
