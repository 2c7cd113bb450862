"""`wflint rbac`: the YAML it prints is valid RBAC, and grants exactly what the workflows need."""

import shutil
from pathlib import Path

import pytest
import yaml

from conftest import HELLO, dedent
from wflint.run.engine import Options
from wflint.cli.rbac import flow, scalar
from wflint.testing import lint_path

FIXTURES = Path(__file__).parent / "fixtures" / "rbac"
# Workflows (without their RBAC) that between them use every kind of need:
# each action, conditions, outputs, resource names, another namespace, a
# cluster-scoped kind, a guessed plural, executor overrides, the agent,
# templateRef and workflowTemplateRef.
WORKFLOWS = {
    "actions.yaml": "ok/actions/workflow.yaml",
    "agent.yaml": "ok/agent/workflow.yaml",
    "executor.yaml": "ok/executor-override/workflow.yaml",
    "aggregated.yaml": "ok/aggregated/workflow.yaml",
    "cluster.yaml": "fail/clusterrole-rolebinding/workflow.yaml",
    "wildcard.yaml": "fail/wildcard-role/workflow.yaml",
    "default.yaml": "fail/default-bound/workflow.yaml",
    "library.yaml": "fail/template-ref/library.yaml",
    "callers.yaml": "fail/template-ref/workflows.yaml",
}


@pytest.fixture
def workflows(tmp_path):
    for name, source in WORKFLOWS.items():
        shutil.copy(FIXTURES / source, tmp_path / name)
    return tmp_path


def rbac_findings(folder):
    report = lint_path(str(folder), Options())
    return [f"{f.path}:{f.line}: {f.severity}: {f.message}" for f in report.findings if f.rule == "rbac"]


def generate(run_cli, *args):
    result = run_cli("rbac", *map(str, args))
    assert result.exit_code == 0, result.output
    return result.output


def check_valid_rbac(text):
    """Every document is a valid object, and every binding names a role that is there."""
    documents = [d for d in yaml.safe_load_all(text) if d is not None]
    assert documents
    roles = set()
    for doc in documents:
        assert set(doc) >= {"apiVersion", "kind", "metadata"}
        assert isinstance(doc["metadata"]["name"], str) and doc["metadata"]["name"]
        if doc["kind"] in ("Role", "ClusterRole"):
            assert doc["apiVersion"] == "rbac.authorization.k8s.io/v1"
            roles.add((doc["kind"], doc["metadata"]["name"], doc["metadata"].get("namespace")))
            for rule in doc["rules"]:
                assert set(rule) <= {"apiGroups", "resources", "resourceNames", "verbs"}
                for key, values in rule.items():
                    assert isinstance(values, list) and all(isinstance(v, str) for v in values), (key, values)
                assert rule["verbs"] and rule["resources"] and rule["apiGroups"]
        elif doc["kind"] in ("RoleBinding", "ClusterRoleBinding"):
            ref = doc["roleRef"]
            assert ref["apiGroup"] == "rbac.authorization.k8s.io"
            namespace = doc["metadata"].get("namespace") if ref["kind"] == "Role" else None
            assert (ref["kind"], ref["name"], namespace) in roles
            for subject in doc["subjects"]:
                assert subject["kind"] == "ServiceAccount" and isinstance(subject["name"], str)
                if doc["kind"] == "ClusterRoleBinding":
                    assert subject.get("namespace")
        elif doc["kind"] == "Secret":
            assert doc["type"] == "kubernetes.io/service-account-token"
            assert doc["metadata"]["annotations"]["kubernetes.io/service-account.name"]
        else:
            assert doc["kind"] == "ServiceAccount" and doc["apiVersion"] == "v1"
    return documents


def test_round_trip_leaves_no_rbac_finding(run_cli, workflows):
    before = rbac_findings(workflows)
    assert any("info" in f for f in before)
    text = generate(run_cli, workflows)
    documents = check_valid_rbac(text)
    kinds = {(d["kind"], d["metadata"].get("namespace")) for d in documents}
    assert ("ClusterRole", None) in kinds                   # cluster-scoped kinds
    assert ("Role", "prod") in kinds                        # a resource in another namespace
    assert ("Secret", "ops") in kinds and ("Secret", "jobs") in kinds   # agent and executor tokens
    (workflows / "rbac.yaml").write_text(text)
    assert rbac_findings(workflows) == []


def test_round_trip_without_namespaces(run_cli, write, tmp_path):
    write("hello.yaml", HELLO.replace("  serviceAccountName: runner\n", ""))
    write("jobs.yaml", """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: jobs-
        spec:
          entrypoint: main
          serviceAccountName: runner
          templates:
            - name: main
              resource:
                action: apply
                manifest: |
                  apiVersion: v1
                  kind: Namespace
                  metadata:
                    name: scratch
    """)
    text = generate(run_cli, tmp_path)
    documents = check_valid_rbac(text)
    # left to `kubectl apply -n`
    assert all("namespace" not in d["metadata"] for d in documents if d["kind"] != "ClusterRoleBinding")
    assert "correct `namespace`" in text
    (tmp_path / "rbac.yaml").write_text(text)
    assert rbac_findings(tmp_path) == []
    # with --namespace, everything lands in it
    text = generate(run_cli, tmp_path / "hello.yaml", tmp_path / "jobs.yaml", "--namespace", "team")
    documents = check_valid_rbac(text)
    assert {d["metadata"].get("namespace") for d in documents if d["kind"] in ("Role", "RoleBinding")} == {"team"}
    (tmp_path / "rbac.yaml").write_text(text)
    # `runner` is checked and granted; the namespace's `default` of a workflow
    # without a namespace is not taken to be `team`'s (the lint has no --namespace)
    assert [f for f in rbac_findings(tmp_path) if "runner" in f or "warning" in f] == []


def test_output_comments_name_the_templates(run_cli, workflows, monkeypatch):
    monkeypatch.chdir(workflows)
    text = generate(run_cli, "actions.yaml")
    assert "# Service account `deployer` in namespace `ci`." in text
    assert "#   actions.yaml: Workflow `every-action-*`, template `get-config`" in text
    assert "# actions.yaml: Workflow `every-action-*`, template `apply-deployment`: apply" in text
    assert "# also used, not required: list, watch" in text     # the named `get` is granted already
    documents = check_valid_rbac(text)
    [role] = [d for d in documents if d["kind"] == "Role"]
    rules = {(r["apiGroups"][0], r["resources"][0], tuple(r.get("resourceNames", ()))): r["verbs"]
             for r in role["rules"]}
    assert rules == {
        ("", "configmaps", ()): ["create"],
        ("", "configmaps", ("settings",)): ["get", "delete"],
        ("", "services", ("api",)): ["get", "update"],
        ("apps", "deployments", ()): ["create"],
        ("apps", "deployments", ("api",)): ["get", "patch"],
        ("argoproj.io", "workflowtaskresults", ()): ["create", "patch"],
        ("batch", "jobs", ()): ["get", "create"],
    }


def test_guesses_and_what_is_left_out_are_said(run_cli, tmp_path, monkeypatch):
    shutil.copy(FIXTURES / "fail/no-rbac/workflows.yaml", tmp_path / "etl.yaml")
    monkeypatch.chdir(tmp_path)
    text = generate(run_cli, ".")
    check_valid_rbac(text)
    assert "`sparkapplications` is guessed from kind `SparkApplication`" in text
    assert "# NOTE etl.yaml: Workflow `etl-*`, template `from-artifact`: not included, its manifest comes from " \
           "an artifact" in text
    assert "set at run time" in text and "{{workflow.parameters.publisher}}" not in \
        "".join(line for line in text.splitlines() if not line.startswith("#"))


def test_service_account_option(run_cli, write, tmp_path):
    write("hello.yaml", HELLO.replace("  serviceAccountName: runner\n", ""))
    text = generate(run_cli, tmp_path, "--service-account", "hello-runner")
    documents = check_valid_rbac(text)
    assert {d["kind"] for d in documents} == {"ServiceAccount", "Role", "RoleBinding"}
    assert [d["metadata"]["name"] for d in documents if d["kind"] == "ServiceAccount"] == ["hello-runner"]
    assert "set spec.serviceAccountName: hello-runner" in text


def test_nothing_to_grant(run_cli, write, tmp_path):
    write("config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    text = generate(run_cli, tmp_path)
    assert "Nothing to grant" in text and list(yaml.safe_load_all(text)) == []


@pytest.mark.parametrize("value", ["", "yes", "on", "null", "1", "0755", "1e3", "a: b", "-x", "{x}", "*/status",
                                   "x y", "#x", "é", "jobs.batch", "argoproj.io"])
def test_scalars_read_back(value):
    assert yaml.safe_load(f"v: {scalar(value)}")["v"] == value
    assert yaml.safe_load(f"v: {flow([value, 'x'])}")["v"] == [value, "x"]


def test_plain_where_safe():
    assert scalar("argoproj.io") == "argoproj.io" and scalar("") == '""' and scalar("yes") == '"yes"'
