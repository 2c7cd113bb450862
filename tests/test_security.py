"""The security group: off by default, selected by group name, SARIF ranking, and what is (not) reported."""

import json

import pytest

from wflint.run.config import ConfigError, check_against_rules, parse
from wflint.run.engine import Engine, Options, active_rules
from wflint.run.registry import expand, groups, load_rules
from wflint.render import render
from wflint.source.files import SourceFile
from wflint.testing import lint_text

SECURITY = sorted(r.id for r in load_rules().values() if r.group == "security")

VULNERABLE = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: vulnerable-
spec:
  entrypoint: main
  arguments:
    parameters:
      - name: branch
        value: main
  templates:
    - name: main
      inputs:
        parameters:
          - name: branch
      container:
        image: alpine
        command: [sh, -c]
        args: ["git checkout {{inputs.parameters.branch}}"]
        securityContext:
          privileged: true
          runAsUser: 0
        env:
          - name: API_TOKEN
            value: abc123
"""


def _rules(report):
    return sorted({f.rule for f in report.findings})


def test_the_security_rules_are_a_group_off_by_default():
    assert len(SECURITY) == 9
    rules = load_rules()
    assert all(not rules[r].enabled for r in SECURITY)
    assert all(rules[r].cwe and rules[r].security_severity for r in SECURITY)
    assert groups(rules)["security"] == [r for r in rules if r in SECURITY]
    assert rules["schema"].group == "correctness"
    assert not {r.id for r in active_rules(Options())} & set(SECURITY)


def test_no_security_finding_without_extend_select():
    assert not set(_rules(lint_text(VULNERABLE))) & set(SECURITY)


def test_extend_select_adds_the_group_to_the_defaults():
    report = lint_text(VULNERABLE, options=Options(extend_select=["security"]))
    found = _rules(report)
    assert {"template-injection", "privileged-container", "run-as-root", "mutable-image",
            "literal-secret"} <= set(found)
    assert set(_rules(lint_text(VULNERABLE))) <= set(found)   # the default rules still run
    assert {"schema", "variable", "rbac"} <= set(report.active)


def test_select_by_group_runs_only_the_group():
    found = _rules(lint_text(VULNERABLE, options=Options(select=["security"])))
    assert found and set(found) <= set(SECURITY)


def test_ignore_by_group_and_by_rule():
    found = _rules(lint_text(VULNERABLE, options=Options(extend_select=["security"], ignore=["mutable-image"])))
    assert "mutable-image" not in found and "privileged-container" in found
    assert not set(_rules(lint_text(VULNERABLE, options=Options(select=["security", "schema"],
                                                                  ignore=["security"])))) & set(SECURITY)


def test_config_extend_select_and_group_severity():
    rules = load_rules()
    config = parse({"extend-select": ["security"], "rules": {"security": "error", "run-as-root": "info"}})
    check_against_rules(config, rules)
    report = Engine(Options(config=config)).lint([SourceFile(path="wf.yaml", text=VULNERABLE)])
    severity = {f.rule: f.severity for f in report.findings}
    assert severity["privileged-container"] == "error" and severity["run-as-root"] == "info"
    with pytest.raises(ConfigError, match="no rule `securty`"):
        check_against_rules(parse({"extend-select": ["securty"]}), rules)
    with pytest.raises(ConfigError, match="options belong to a rule"):
        check_against_rules(parse({"rules": {"security": {"foo": 1}}}), rules)


def test_expand_keeps_rule_ids_and_opens_groups():
    rules = load_rules()
    assert expand(["schema", "security"], rules)[:2] == ["schema", "template-injection"]
    assert expand(["nothing-like-it"], rules) == ["nothing-like-it"]


def test_cli_extend_select_and_rules_listing(run_cli, write, tmp_path, monkeypatch):
    write("wf.yaml", VULNERABLE)
    monkeypatch.chdir(tmp_path)
    plain = run_cli("check", "--format", "json", "wf.yaml")
    assert not {d["rule"] for d in json.loads(plain.output)["diagnostics"]} & set(SECURITY)
    extended = run_cli("check", "--format", "json", "--extend-select", "security", "wf.yaml")
    assert {d["rule"] for d in json.loads(extended.output)["diagnostics"]} & set(SECURITY)
    wrong = run_cli("check", "--extend-select", "securty", "wf.yaml")
    assert wrong.exit_code == 2 and "did you mean `security`" in wrong.output
    listing = {r["id"]: r for r in json.loads(run_cli("rules", "--format", "json").output)}
    assert listing["template-injection"]["group"] == "security"
    assert not listing["template-injection"]["enabled"]
    assert "security" in run_cli("rules").output


def test_sarif_carries_security_severity_and_cwe_tags():
    report = lint_text(VULNERABLE, options=Options(extend_select=["security"]))
    log = json.loads(render(report, "sarif"))
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    injection = rules["template-injection"]["properties"]
    assert injection["security-severity"] == "9.0"
    assert "security" in injection["tags"] and "external/cwe/cwe-78" in injection["tags"]
    assert "security-severity" not in rules["schema"]["properties"]
    # Without the group, the catalog is what it was before the security rules existed.
    default = json.loads(render(lint_text(VULNERABLE), "sarif"))
    assert not {r["id"] for r in default["runs"][0]["tool"]["driver"]["rules"]} & set(SECURITY)


HARDENED = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: hardened-
spec:
  entrypoint: main
  serviceAccountName: runner
  securityContext:
    runAsNonRoot: true
    runAsUser: 1000
  arguments:
    parameters:
      - name: branch
        value: main
  templates:
    - name: main
      inputs:
        parameters:
          - name: branch
      container:
        image: alpine/git:2.45.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
        command: [sh, -c, 'git checkout "$BRANCH" && git log -1 "$1"', sh, "{{inputs.parameters.branch}}"]
        env:
          - name: BRANCH
            value: "{{inputs.parameters.branch}}"
          - name: API_TOKEN
            valueFrom:
              secretKeyRef: {name: api, key: token}
        securityContext:
          allowPrivilegeEscalation: false
          capabilities:
            drop: [ALL]
"""


def test_hardened_workflow_has_no_security_finding():
    report = lint_text(HARDENED, options=Options(select=["security"]))
    assert report.findings == []


def test_non_argo_kinds_have_no_security_finding():
    pod = VULNERABLE.replace("apiVersion: argoproj.io/v1alpha1\nkind: Workflow", "apiVersion: v1\nkind: Pod")
    assert lint_text(pod, options=Options(select=["security"])).findings == []


def test_a_directive_may_name_the_group():
    text = VULNERABLE.replace("          privileged: true\n", "          privileged: true  # wflint: disable=security\n")
    report = lint_text(text, options=Options(extend_select=["security"]))
    assert not [f for f in report.findings if f.line == 21 and f.rule in SECURITY]
    assert not [f for f in report.findings if f.rule == "unused-suppression"]
    unused = lint_text(VULNERABLE.replace("  entrypoint: main\n", "  entrypoint: main  # wflint: disable=security\n"),
                       options=Options(extend_select=["security"]))
    assert [f.message for f in unused.findings if f.rule == "unused-suppression"] == [
        "`security` reports nothing on line 6, so this suppression is unused"]


@pytest.mark.parametrize("argv,expected", [
    (["sh", "-c", "x"], 2),
    (["/bin/bash", "-euo", "pipefail", "-c", "x"], 4),
    (["bash", "-ec", "x"], 2),
    (["busybox", "sh", "-c", "x"], 3),
    (["env", "-i", "sh", "-c", "x"], 4),
    (["python3", "-u", "-c", "x"], 3),
    (["node", "--eval", "x"], 2),
    (["sh", "script.sh", "-c"], None),
    (["sh", "-c"], None),
    (["echo", "-c", "x"], None),
    (["kubectl", "exec", "pod", "--", "sh", "-c", "x"], None),
])
def test_where_a_command_line_holds_code(argv, expected):
    from wflint.rules.template_injection import code_element
    found = code_element(argv)
    assert (found[0] if found else None) == expected


def test_the_same_security_findings_with_one_or_many_processes_and_the_cache(tmp_path, monkeypatch):
    import subprocess
    from wflint.run import parallel
    root = tmp_path / "tree"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    fixtures = __import__("pathlib").Path(__file__).parent / "fixtures"
    for rule in ("template-injection", "event-privilege"):
        for case in sorted((fixtures / rule / "fail").iterdir()):
            if case.is_dir():
                for item in case.iterdir():
                    (root / f"{rule}-{case.name}-{item.name}").write_text(item.read_text())
    (root / "lib-caller.yaml").write_text(VULNERABLE)
    monkeypatch.chdir(root)
    monkeypatch.setattr(parallel, "WORK_PER_PROCESS", 1)

    def lint(jobs, cache):
        options = Options(jobs=jobs, use_cache=cache, extend_select=["security"])
        return render(Engine(options).run(["."]), "json")

    single = lint(1, False)
    found = {d["rule"] for d in json.loads(single)["diagnostics"]}
    assert {"template-injection", "event-privilege", "privileged-container"} <= found
    assert lint(2, False) == single
    assert lint(1, True) == single      # writes the caches
    assert lint(1, True) == single      # reads them
    assert lint(2, True) == single
