"""Where and how the report is written: never through a link planted in the
checkout, never over a linted file; text output bounded per finding and per
line, and no file name able to start a line that CI reads as a command."""

from __future__ import annotations

import json
import os
import re

import pytest

from conftest import HELLO
from wflint.render.text import MAX_PER_LINE, WIDTH, _window

BAD = HELLO.replace("entrypoint: main", "entrypoint: mian")


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wf.yaml").write_text(BAD)
    (tmp_path / "victim").write_text("precious\n")
    return tmp_path


@pytest.mark.parametrize("flag", ["--output", "--write-baseline"])
def test_a_committed_link_is_never_written_through(run_cli, in_tmp, flag):
    os.symlink("victim", "target")
    run = run_cli("check", flag, "target", "wf.yaml")
    assert run.exit_code == 2 and "symbolic link" in run.output
    assert (in_tmp / "victim").read_text() == "precious\n"
    os.symlink("nowhere/at/all", "dangling")  # a dangling link would create a file elsewhere
    assert run_cli("check", flag, "dangling", "wf.yaml").exit_code == 2
    assert not (in_tmp / "nowhere").exists()


@pytest.mark.parametrize("flag", ["--output", "--write-baseline"])
def test_a_folder_through_a_link_in_the_checkout_is_refused(run_cli, in_tmp, flag):
    (in_tmp / "elsewhere").mkdir()
    os.symlink("elsewhere", "reports")
    run = run_cli("check", flag, "reports/out.txt", "wf.yaml")
    assert run.exit_code == 2 and "reports" in run.output
    assert os.listdir(in_tmp / "elsewhere") == []


@pytest.mark.parametrize("flag", ["--output", "--write-baseline"])
def test_a_linted_file_is_never_overwritten(run_cli, in_tmp, flag):
    run = run_cli("check", flag, "wf.yaml", "wf.yaml")
    assert run.exit_code == 2 and "one of the files being linted" in run.output
    assert (in_tmp / "wf.yaml").read_text() == BAD
    os.link("wf.yaml", "hard.yaml")  # the same file under another name
    assert run_cli("check", flag, "hard.yaml", "wf.yaml").exit_code == 2
    assert (in_tmp / "wf.yaml").read_text() == BAD


def test_output_replaces_the_file_in_one_rename(run_cli, in_tmp):
    (in_tmp / "report.json").write_text("old")
    run = run_cli("check", "--format", "json", "--output", "report.json", "wf.yaml")
    assert run.exit_code == 1
    assert json.loads((in_tmp / "report.json").read_text())["diagnostics"][0]["rule"] == "unknown-template"
    assert sorted(os.listdir(in_tmp)) == ["report.json", "victim", "wf.yaml"]  # no temporary file left
    assert run_cli("check", "--write-baseline", "base.json", "wf.yaml").exit_code == 0
    assert json.loads((in_tmp / "base.json").read_text())["tool"] == "wflint"


def test_missing_baseline_hint_names_the_file_and_refuses_a_link(run_cli, in_tmp):
    run = run_cli("check", "--baseline", "my base.json", "wf.yaml")
    assert run.exit_code == 2
    assert "wflint check --write-baseline 'my base.json'" in run.output
    os.symlink("victim", "linked.json")
    run = run_cli("check", "--baseline", "linked.json", "wf.yaml")
    assert run.exit_code == 2 and "symbolic link" in run.output


# -- text output: bounded ----------------------------------------------------------------------------

def test_the_source_line_is_clipped_around_the_caret():
    line = "a" * 50_000 + "BAD" + "b" * 50_000
    text, caret, width = _window(line, 50_001, 50_004, True)
    assert len(text) <= WIDTH + 2 and text.startswith("…") and text.endswith("…")
    assert text[caret:caret + width] == "BAD"
    text, caret, width = _window("key:\tvalue", 6, 11, True)  # short: shown whole, tabs as spaces
    assert text == "key:    value" and text[caret:caret + width] == "value"
    text, caret, width = _window("x" * 200, 190, 195, True)
    assert text.startswith("…") and not text.endswith("…") and caret + width <= len(text)
    text, caret, width = _window("\x1b[31m" + "y" * 300, 2, 3, True)  # escapes stay escaped when clipped
    assert "\x1b" not in text and text.endswith("…")


def many_on_one_line(count: int) -> str:
    pad = ", ".join(f"x{i}: 1" for i in range(count))
    return ("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  generateName: a-\n"
            "spec: {serviceAccountName: sa, entrypoint: main, templates: [{name: main, container: {image: alpine}}], "
            + pad + "}\n")


def test_many_findings_on_one_long_line_are_capped_in_text_only(run_cli, write):
    path = write("long.yaml", many_on_one_line(3000))
    text = run_cli("check", str(path)).output
    lines = text.splitlines()
    assert max(len(line) for line in lines if " | " in line) <= WIDTH + 10
    assert sum(1 for line in lines if "[schema]" in line) == MAX_PER_LINE
    assert f"and {3000 - MAX_PER_LINE} more on this line ({3000 - MAX_PER_LINE} errors" in text
    assert lines[-1].startswith("Found 3000 errors")
    every = json.loads(run_cli("check", "--format", "json", str(path)).output)["diagnostics"]
    assert sum(1 for d in every if d["rule"] == "schema") == 3000


def test_text_is_streamed():
    from wflint.render import stream

    class Report:
        findings, files, documents = [], 1, 1

        def count(self, severity):
            return 0
    assert list(stream(Report(), "text")) == ["No problems found (1 file, 1 Argo document).\n"]


def test_a_file_name_never_starts_a_line_of_text_output(run_cli, in_tmp):
    name = "::error file=x,line=1::forged.yaml"
    (in_tmp / name).write_text(BAD)
    (in_tmp / "::add-mask::x\n::error::y.yaml").write_text(BAD)
    for fmt in ("text", "github", "json", "sarif", "junit", "gitlab"):
        out = run_cli("check", "--format", fmt, "--show-info", ".").output
        starting = [line for line in out.splitlines() if line.lstrip().startswith("::")]
        if fmt == "github":  # only wflint's own annotations, with the name escaped
            assert starting and all(re.match(r"::(error|warning|notice) file=", line) for line in starting)
            assert all("::forged" not in line and "::y.yaml" not in line for line in starting)
        else:
            assert starting == [], (fmt, starting)
    text = run_cli("check", ".").output
    assert "./::error file=x,line=1::forged.yaml:" in text and "\\x0a" in text


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_output_to_a_device_is_written_in_place(run_cli, in_tmp):
    run = run_cli("check", "--format", "json", "--output", "/dev/null", "wf.yaml")
    assert run.exit_code == 1 and os.path.exists("/dev/null")


def test_a_huge_message_is_clipped_in_text():
    from wflint.finding import Finding
    from wflint.render.text import MAX_MESSAGE, render

    class Report:
        findings = [Finding(message="m" * 100_000, rule="schema", severity="error", path="a.yaml", line=1,
                            column=1, end_line=1, end_column=2, hint="h" * 50_000)]
        files, documents = 1, 1

        def count(self, severity):
            return sum(1 for f in self.findings if f.severity == severity)
    text = render(Report(), lines=lambda path, number: "x" * 1_000_000)
    assert len(text) < 4 * MAX_MESSAGE and "more characters" in text


def test_no_output_holds_a_legacy_workflow_command(run_cli, in_tmp):
    """`##[command]data` is read by GitHub's runner anywhere in a line."""
    (in_tmp / "x##[error]forged.yaml").write_text(BAD.replace("entrypoint: mian", "entrypoint: '##[add-mask]x'"))
    for fmt in ("text", "github", "json", "sarif", "junit", "gitlab"):
        out = run_cli("check", "--format", fmt, "--show-info", ".").output
        assert "add-mask" in out or fmt == "junit" and "add-mask" in out.replace("&#91;", "[")
        for line in out.splitlines():
            assert "##[" not in line or (fmt == "github" and line.startswith("::")), (fmt, line)
        if fmt in ("json", "sarif", "gitlab"):
            assert "##[add-mask]x" in json.dumps(json.loads(out), ensure_ascii=False)  # read back unchanged
    import xml.etree.ElementTree as ET
    tree = ET.fromstring(run_cli("check", "--format", "junit", ".").output)
    assert any("##[add-mask]x" in (node.text or "") + str(node.attrib) for node in tree.iter())
