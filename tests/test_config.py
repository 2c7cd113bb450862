"""Configuration files and the flags that override them."""

import json

import pytest

from conftest import HELLO

TYPO = HELLO.replace("entrypoint: main", "entrypoint: main\n  serviceAcountName: argo")


def rules_of(result):
    return sorted({d["rule"] for d in json.loads(result.output)["diagnostics"]})


@pytest.fixture
def project(write, tmp_path, monkeypatch):
    write("wf.yaml", TYPO)
    write("dup.yaml", HELLO.replace("  generateName: hello-\n", "  generateName: a-\n  generateName: b-\n"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_without_config_everything_default(run_cli, project):
    assert rules_of(run_cli("check", "--format", "json")) == ["duplicate-key", "schema"]


def test_wflint_yaml_is_found_from_a_subfolder(run_cli, project, write, monkeypatch):
    write(".wflint.yaml", "rules:\n  duplicate-key: off\n")
    (project / "sub").mkdir()
    monkeypatch.chdir(project / "sub")
    assert rules_of(run_cli("check", "--format", "json", "..")) == ["schema"]


def test_severity_and_pyproject(run_cli, project, write):
    write("pyproject.toml", '[project]\nname = "x"\n\n[tool.wflint.rules]\nschema = "warning"\n')
    result = run_cli("check", "--format", "json")
    severities = {d["rule"]: d["severity"] for d in json.loads(result.output)["diagnostics"]}
    assert severities == {"schema": "warning", "duplicate-key": "error"}


def test_wflint_yaml_wins_over_pyproject_in_the_same_folder(run_cli, project, write):
    write("pyproject.toml", '[tool.wflint]\nignore = ["schema"]\n')
    write(".wflint.yaml", "ignore: [duplicate-key]\n")
    assert rules_of(run_cli("check", "--format", "json")) == ["schema"]


def test_select_ignore_and_excludes(run_cli, project, write):
    write(".wflint.yaml", "select: [schema, duplicate-key]\nexclude: [dup.yaml]\nfail-on: warning\n")
    assert rules_of(run_cli("check", "--format", "json")) == ["schema"]
    assert rules_of(run_cli("check", "--format", "json", "--ignore", "schema")) == []
    assert rules_of(run_cli("check", "--format", "json", "--select", "duplicate-key", "dup.yaml")) == []


def test_cli_flags_override_the_file(run_cli, project, write):
    write(".wflint.yaml", "ignore: [schema]\nargo-version: '3.7'\n")
    assert rules_of(run_cli("check", "--format", "json", "--select", "schema,duplicate-key")) == [
        "duplicate-key"]  # the config's ignore still applies


def test_explicit_config_and_rule_options_are_checked(run_cli, project, write):
    bad = write("custom.yaml", "rules:\n  schema:\n    severity: loud\n")
    result = run_cli("check", "--config", str(bad))
    assert result.exit_code == 2
    assert "custom.yaml" in result.output and "loud" in result.output


@pytest.mark.parametrize("text,needle", [
    ("rulez: {}\n", "unknown key `rulez`; did you mean `rules`?"),
    ("rules:\n  shema: off\n", "no rule `shema`; did you mean `schema`?"),
    ("rules:\n  schema: {colour: red}\n", "rule `schema` has no option `colour`"),
    ("argo-version: '2.0'\n", "`argo-version` must be one of"),
    ("fail-on: never\n", "`fail-on` must be error or warning"),
    ("exclude: 3\n", "`exclude` must be a list of strings"),
    ("- just\n- a list\n", "must be a mapping"),
    ("a: [\n", "not valid YAML"),
    ("template-paths: [/]\n", "outside the folder of the configuration file"),
    ("stubs: [../elsewhere]\n", "outside the folder of the configuration file"),
])
def test_bad_config_exits_2_naming_the_file_and_reason(run_cli, project, write, text, needle):
    write(".wflint.yaml", text)
    result = run_cli("check")
    assert result.exit_code == 2, result.output
    assert ".wflint.yaml" in result.output and needle in result.output


def test_bad_pyproject_exits_2(run_cli, project, write):
    write("pyproject.toml", "[tool.wflint\nx = 1\n")
    result = run_cli("check")
    assert result.exit_code == 2 and "pyproject.toml" in result.output


def test_unknown_rule_on_the_command_line_exits_2(run_cli, project):
    result = run_cli("check", "--select", "shema")
    assert result.exit_code == 2 and "did you mean `schema`" in result.output


def test_rules_listing_reflects_the_config(run_cli, project, write):
    write(".wflint.yaml", "rules:\n  schema: warning\n  duplicate-key: off\n")
    listing = {r["id"]: r for r in json.loads(run_cli("rules", "--format", "json").output)}
    assert listing["schema"]["severity"] == "warning" and listing["schema"]["enabled"]
    assert not listing["duplicate-key"]["enabled"]


def test_config_of_the_linted_folder_when_none_governs_the_working_directory(run_cli, tmp_path, write,
                                                                              monkeypatch):
    write("project/.wflint.yaml", "ignore: [schema]\n")
    write("project/wf.yaml", TYPO)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert rules_of(run_cli("check", "--format", "json", str(tmp_path / "project"))) == []


def test_parameter_option_turns_off_undeclared_arguments(run_cli, write, tmp_path, monkeypatch):
    write("wf.yaml", """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: extra-
spec:
  entrypoint: main
  serviceAccountName: runner
  templates:
    - name: main
      steps:
        - - name: run
            template: leaf
            arguments:
              parameters:
                - name: condition
                  value: "true"
    - name: leaf
      container:
        image: alpine:3.20
""")
    monkeypatch.chdir(tmp_path)
    assert "parameter" in rules_of(run_cli("check", "--format", "json"))
    write(".wflint.yaml", "rules:\n  parameter:\n    undeclared-arguments: false\n")
    assert "parameter" not in rules_of(run_cli("check", "--format", "json"))
