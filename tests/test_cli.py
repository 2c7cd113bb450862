"""The command line: outputs, exit codes, stdin, options."""

import json
import os
import subprocess
import sys

from conftest import HELLO, dedent

TYPO = HELLO.replace("entrypoint: main", "entrypoint: main\n  serviceAcountName: argo")


def test_clean_file_exits_0(run_cli, write):
    path = write("wf.yaml", HELLO)
    result = run_cli("check", str(path))
    assert result.exit_code == 0, result.output
    assert "No problems found (1 file, 1 Argo document)." in result.output


def test_findings_exit_1_with_position_caret_and_hint(run_cli, write, tmp_path, monkeypatch):
    write("wf.yaml", TYPO)
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "wf.yaml")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == ("wf.yaml:7:3: error: unknown field `serviceAcountName` in the workflow spec; "
                        "did you mean `serviceAccountName`? [schema]")
    assert lines[1] == " 7 |   serviceAcountName: argo"
    assert lines[2] == "   |   ^^^^^^^^^^^^^^^^^"
    assert lines[3] == "   = hint: rename it to `serviceAccountName`"
    assert lines[4] == "   = see: wflint explain schema"
    assert len(lines) == 6
    assert lines[-1] == "Found 1 error, 0 warnings (1 file, 1 Argo document)."


def test_json_output_shape(run_cli, write, tmp_path, monkeypatch):
    write("dir/wf.yaml", TYPO)
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "--format", "json", "dir")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["version"] == 1
    assert data["summary"] == {"files": 1, "documents": 1, "errors": 1, "warnings": 0, "infos": 0}
    assert data["diagnostics"] == [{
        "rule": "schema", "severity": "error",
        "message": "unknown field `serviceAcountName` in the workflow spec; did you mean `serviceAccountName`?",
        "path": "dir/wf.yaml", "line": 7, "column": 3, "end_line": 7, "end_column": 20,
        "pointer": "/spec/serviceAcountName", "hint": "rename it to `serviceAccountName`"}]


def test_default_path_is_the_current_folder(run_cli, write, tmp_path, monkeypatch):
    write("a/wf.yaml", TYPO)
    monkeypatch.chdir(tmp_path)
    data = json.loads(run_cli("check", "--format", "json").output)
    assert [d["path"] for d in data["diagnostics"]] == ["a/wf.yaml"]


def test_stdin_with_a_name(run_cli):
    result = run_cli("check", "--format", "json", "--stdin-filename", "rendered.yaml", "-", input=TYPO)
    data = json.loads(result.output)
    assert result.exit_code == 1
    assert data["diagnostics"][0]["path"] == "rendered.yaml"
    assert data["summary"]["files"] == 1


def test_stdin_binary_is_a_finding(run_cli):
    result = run_cli("check", "-", input=b"\x00\xff\xfe\x00")
    assert result.exit_code == 1
    assert "[yaml-syntax]" in result.output


def test_missing_path_and_unknown_flag_exit_2(run_cli, tmp_path):
    assert run_cli("check", str(tmp_path / "nope.yaml")).exit_code == 2
    assert run_cli("check", "--nope").exit_code == 2
    assert run_cli("check", "--format", "xml").exit_code == 2


def test_fail_on_warning(run_cli, write):
    path = write("wf.yaml", HELLO + "# wflint: disable-file=cron\n")  # an unused suppression: a warning
    base = run_cli("check", str(path))
    assert "warning" in base.output
    assert base.exit_code == 0
    assert run_cli("check", "--fail-on", "warning", str(path)).exit_code == 1


def test_text_hides_infos_but_counts_them(run_cli, write, tmp_path):
    write("chart/Chart.yaml", "name: c\n")
    write("chart/templates/wf.yaml", "{{ .Values.x }}\n")
    default = run_cli("check", str(tmp_path)).output
    assert "[helm-chart]" not in default
    assert default.splitlines() == ["No problems found (1 file, 0 Argo documents; 1 info hidden, "
                                    "--show-info shows them)."]
    shown = run_cli("check", "--show-info", str(tmp_path)).output
    assert "[helm-chart]" in shown and "hidden" not in shown and "Found 0 errors, 0 warnings, 1 info" in shown
    # Machine formats keep them; --quiet drops them everywhere, without a count.
    as_json = json.loads(run_cli("check", "--format", "json", str(tmp_path)).output)
    assert [d["rule"] for d in as_json["diagnostics"]] == ["helm-chart"]
    assert json.loads(run_cli("check", "--format", "json", "-q", str(tmp_path)).output)["diagnostics"] == []
    quiet = run_cli("check", "--quiet", "--show-info", str(tmp_path)).output
    assert "[helm-chart]" not in quiet and "hidden" not in quiet


def test_show_info_config_key(run_cli, write, tmp_path):
    write("chart/Chart.yaml", "name: c\n")
    write("chart/templates/wf.yaml", "{{ .Values.x }}\n")
    write(".wflint.yaml", "show-info: true\n")
    assert "[helm-chart]" in run_cli("check", "--config", str(tmp_path / ".wflint.yaml"), str(tmp_path)).output
    write(".wflint.yaml", "show-info: yes please\n")
    bad = run_cli("check", "--config", str(tmp_path / ".wflint.yaml"), str(tmp_path))
    assert bad.exit_code == 2 and "`show-info` must be true or false" in bad.output


def test_color_only_when_asked_for_a_terminal(run_cli, write):
    path = write("wf.yaml", TYPO)
    assert "\x1b[" not in run_cli("check", str(path)).output  # not a TTY
    assert "\x1b[" not in run_cli("check", "--no-color", str(path)).output


def test_version(run_cli):
    from wflint import __version__
    result = run_cli("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_python_dash_m_and_no_color_env(tmp_path):
    (tmp_path / "wf.yaml").write_text(TYPO)
    env = dict(os.environ, NO_COLOR="1")
    proc = subprocess.run([sys.executable, "-m", "wflint", "check", "wf.yaml"], cwd=tmp_path,
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 1
    assert proc.stdout.startswith("wf.yaml:7:3: error:")
    assert "\x1b[" not in proc.stdout


def test_yaml_error_and_schema_error_in_one_run(run_cli, write, tmp_path, monkeypatch):
    write("good.yaml", HELLO)
    write("bad-yaml.yaml", "a: [1, 2\n")
    write("bad-schema.yaml", HELLO.replace("command: [echo, hello]", "command: echo hello"))
    monkeypatch.chdir(tmp_path)
    data = json.loads(run_cli("check", "--format", "json", ".").output)
    found = sorted((d["path"], d["line"], d["rule"]) for d in data["diagnostics"])
    assert found == [("bad-schema.yaml", 12, "schema"), ("bad-yaml.yaml", 1, "yaml-syntax")]
    assert data["summary"]["files"] == 3


def test_rules_and_explain(run_cli):
    listing = run_cli("rules").output
    assert "schema" in listing and "duplicate-key" in listing
    assert run_cli("explain", "schema").output.startswith("# schema")
    missing = run_cli("explain", "schemaa")
    assert missing.exit_code == 2 and "did you mean `schema`" in missing.output


def test_argo_version_switches_the_schema(run_cli, write):
    cron = write("cron.yaml", """
        apiVersion: argoproj.io/v1alpha1
        kind: CronWorkflow
        metadata:
          name: nightly
        spec:
          schedule: "0 1 * * *"
          workflowSpec:
            entrypoint: main
            templates:
              - name: main
                container:
                  image: alpine:3.20
    """)
    assert "`schedule`" in run_cli("check", str(cron)).output
    old = run_cli("check", "--argo-version", "3.7", str(cron))
    assert "unknown field `schedule`" not in old.output


def test_internal_error_keeps_other_findings(write):
    from wflint.run.engine import Engine, Options
    from wflint.rule import Rule
    path = write("wf.yaml", TYPO)

    def boom(document, context):
        raise RuntimeError("kaput")
        yield

    broken = Rule(id="always-crashes", severity="error", summary="crashes", check=boom)
    engine = Engine(Options())
    engine.rules = engine.rules + [broken]
    engine._by_id[broken.id] = broken
    report = engine.run([str(path)])
    rules = sorted(f.rule for f in report.findings)
    assert rules == ["internal-error", "schema"]
    assert report.internal_errors == 1
    assert "always-crashes" in [f for f in report.findings if f.rule == "internal-error"][0].message
