"""Every output format, from the same findings, and escaping of hostile text."""

import json
import xml.etree.ElementTree as ET

import pytest

from wflint.run.engine import Report
from wflint.finding import Finding
from wflint.render import render
from wflint.render.github import escape_data, escape_property
from wflint.render.gitlab import fingerprint


def finding(**kw):
    base = dict(rule="schema", severity="error", message="unknown field `x`", path="wf.yaml", line=7, column=3,
                end_line=7, end_column=5, pointer="/spec/x", hint="remove it", document=0)
    base.update(kw)
    return Finding(**base)


def report(*findings, linted=("wf.yaml", "clean.yaml")):
    return Report(findings=list(findings), files=len(linted), documents=len(linted), linted=list(linted))


HOSTILE = "50% done,\nreally: ::error file=x::forged\r\u0007<b>&</b>"


def test_json_is_stable():
    data = json.loads(render(report(finding()), "json"))
    assert data["diagnostics"][0] == {"rule": "schema", "severity": "error", "message": "unknown field `x`",
                                      "path": "wf.yaml", "line": 7, "column": 3, "end_line": 7, "end_column": 5,
                                      "pointer": "/spec/x", "hint": "remove it"}
    assert json.loads(render(report(finding(message=HOSTILE, path=HOSTILE)), "json"))["diagnostics"][0][
        "message"] == HOSTILE


def test_github_commands():
    out = render(report(finding(), finding(severity="info", rule="helm-chart", line=1)), "github").splitlines()
    assert out[0] == ("::error file=wf.yaml,line=7,col=3,endLine=7,endColumn=5,title=wflint schema::"
                      "unknown field `x`%0Aremove it%0ASee: wflint explain schema")
    assert out[1].startswith("::notice file=wf.yaml,line=1,")


def test_github_escaping_cannot_forge_or_end_a_command():
    assert escape_data("a%b\r\nc") == "a%25b%0D%0Ac"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    line = render(report(finding(message=HOSTILE, path="evil,name:x.yaml", hint=None)), "github").splitlines()[0]
    assert "\n" not in line and "\r" not in line
    empty, command, data = line.split("::", 2)
    # The command and its properties cannot be cut short or extended: no raw
    # `:` or `,` from the path, and the rest of the line is data, never a new command.
    assert empty == "" and command.startswith("error file=evil%2Cname%3Ax.yaml,line=7,")
    assert ":" not in command
    assert data.startswith("50%25 done,%0Areally")


def test_junit_one_testcase_per_file_and_a_failure_per_finding():
    xml = render(report(finding(), finding(line=9), finding(severity="info", rule="helm-chart")), "junit")
    root = ET.fromstring(xml)
    cases = root.findall(".//testcase")
    assert [c.get("name") for c in cases] == ["wf.yaml", "clean.yaml"]
    assert len(cases[0].findall("failure")) == 2 and not cases[1].findall("failure")
    assert root.get("failures") == "2"


def test_junit_survives_hostile_text():
    xml = render(report(finding(message=HOSTILE, path=HOSTILE, hint=HOSTILE), linted=[HOSTILE]), "junit")
    root = ET.fromstring(xml)  # parses: control characters replaced, markup escaped
    failure = root.find(".//failure")
    assert "<b>&</b>" in failure.get("message")


def test_gitlab_code_quality():
    issues = json.loads(render(report(finding(), finding(severity="warning", rule="parameter")), "gitlab"))
    assert issues[0]["check_name"] == "schema" and issues[0]["severity"] == "major"
    assert issues[1]["severity"] == "minor"
    assert issues[0]["location"] == {"path": "wf.yaml", "positions": {"begin": {"line": 7, "column": 3},
                                                                      "end": {"line": 7, "column": 5}}}
    assert len({i["fingerprint"] for i in issues}) == 2


def test_gitlab_fingerprints_survive_line_moves_and_separate_twins():
    assert fingerprint(finding(line=7)) == fingerprint(finding(line=40))
    assert fingerprint(finding(), 0) != fingerprint(finding(), 1)
    twins = json.loads(render(report(finding(), finding()), "gitlab"))
    assert twins[0]["fingerprint"] != twins[1]["fingerprint"]


def test_sarif_structure():
    data = json.loads(render(report(finding(), finding(severity="info", rule="helm-chart")), "sarif"))
    assert data["version"] == "2.1.0"
    run = data["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "wflint" and driver["version"]
    rules = {r["id"]: r for r in driver["rules"]}
    assert rules["schema"]["defaultConfiguration"]["level"] == "error"
    assert rules["schema"]["help"]["markdown"].startswith("# schema")
    first, second = run["results"]
    assert first["ruleId"] == "schema" and first["level"] == "error"
    assert driver["rules"][first["ruleIndex"]]["id"] == "schema"
    assert first["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 7, "startColumn": 3, "endLine": 7, "endColumn": 5}
    assert second["level"] == "note"


def test_text_escapes_control_characters():
    out = render(report(finding(message=HOSTILE, path="a\x1b[31m.yaml")), "text")
    assert "\x1b" not in out and "\u0007" not in out and "\r" not in out


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit", "gitlab"])
def test_every_format_from_the_cli(run_cli, write, fmt):
    path = write("wf.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: a-}\n"
                            "spec: {entrypoint: m, templates: [{name: m, container: {image: a:1}}], x: 1}\n")
    result = run_cli("check", "--format", fmt, str(path))
    assert result.exit_code == 1 and result.output


def test_github_is_the_default_on_github_actions(run_cli, write):
    path = write("wf.yaml", "a: [\n")
    result = run_cli("check", str(path), env={"GITHUB_ACTIONS": "true"})
    assert result.output.startswith("::error ")


def test_output_file(run_cli, write, tmp_path):
    path = write("wf.yaml", "a: [\n")
    target = tmp_path / "out.sarif"
    result = run_cli("check", "--format", "sarif", "-o", str(target), str(path))
    assert result.exit_code == 1
    assert json.loads(target.read_text())["version"] == "2.1.0"
    assert "Found 1 error" in result.output
