"""One pipeline: every way of running wflint says the same about the same tree.

A mixed tree (Argo documents, a List, a Sensor carrying a Workflow, a
kustomize patch, RBAC objects, a near-miss and a kind wflint does not lint)
linted in one process, on two processes, with a cold and a warm results cache,
and file by file through standard input gives byte-identical output; and
`wflint rbac` reads the same documents `wflint check` lints.
"""

import json
import subprocess

import pytest

from wflint.run import config as configuration, options as run_options, parallel
from wflint.run.engine import Engine
from wflint.run.pipeline import Pipeline, Run
from wflint.render import render

from conftest import dedent

FILES = {
    "lib.yaml": """
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowTemplate
        metadata:
          name: lib
        spec:
          templates:
            - name: build
              inputs:
                parameters:
                  - name: repo
              container:
                image: golang:1.23
                command: [go, build, "{{inputs.parameters.repo}}"]
    """,
    "caller.yaml": """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: caller-
        spec:
          entrypoint: main
          serviceAccountName: runner
          templates:
            - name: main
              dag:
                tasks:
                  - name: build
                    templateRef: {name: lib, template: biuld}
                  - name: after
                    depends: buld
                    template: echo
            - name: echo
              container:
                image: alpine:3.20
                command: [echo, done]
    """,
    "list.yaml": """
        apiVersion: v1
        kind: List
        items:
          - apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata:
              name: listed
            spec:
              entrypoint: main
              templates:
                - name: main
                  steps:
                    - - name: one
                        templateRef: {name: lib, template: build}
                        arguments:
                          parameters:
                            - name: rep
                              value: x
          - apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata:
              name: listed-role
            rules: []
    """,
    "sensor.yaml": """
        apiVersion: argoproj.io/v1alpha1
        kind: Sensor
        metadata:
          name: on-push
        spec:
          dependencies:
            - name: push
              eventSourceName: git
              eventName: push
          triggers:
            - template:
                name: run
                k8s:
                  operation: create
                  source:
                    resource:
                      apiVersion: argoproj.io/v1alpha1
                      kind: Workflow
                      metadata:
                        generateName: pushed-
                      spec:
                        entrypoint: mian
                        templates:
                          - name: main
                            container:
                              image: alpine:3.20
                              args: ["{{workflow.parameters.nope}}"]
    """,
    "overlay/kustomization.yaml": """
        resources: [../lib.yaml]
        patches:
          - path: patch.yaml
    """,
    "overlay/patch.yaml": """
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowTemplate
        metadata:
          name: lib
        spec:
          templates:
            - name: build
              container:
                image: golang:1.24
                comand: [go, build]
    """,
    "rbac.yaml": """
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: runner
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: executor
        rules:
          - apiGroups: [argoproj.io]
            resources: [workflowtaskresults]
            verbs: [create, patch]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata:
          name: runner-executor
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: executor}
        subjects:
          - {kind: ServiceAccount, name: runner}
    """,
    "other.yaml": """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
        data:
          a: "1"
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: Workflw
        metadata:
          name: typo
        spec: {}
    """,
    "broken.yaml": "a: [1\n",
}


@pytest.fixture
def tree(tmp_path, monkeypatch):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(parallel, "WORK_PER_PROCESS", 1)   # workers even for a small tree
    return tmp_path


def lint(jobs=1, use_cache=False, fmt="json"):
    options = run_options.resolve(configuration.Config(), jobs=jobs, no_cache=not use_cache)
    return render(Engine(options).run(["."]), fmt)


def test_every_way_of_running_gives_the_same_output(tree):
    single = lint()
    data = json.loads(single)
    rules = {d["rule"] for d in data["diagnostics"]}
    assert {"template-ref", "dag-dependency", "yaml-syntax", "parameter"} <= rules, rules
    paths = {d["file"] if "file" in d else d.get("path") for d in data["diagnostics"]}
    assert any("sensor" in str(p) for p in paths) and any("patch" in str(p) for p in paths)
    for fmt in ("json", "text"):
        expected = lint(fmt=fmt)
        assert lint(jobs=2, fmt=fmt) == expected
        assert lint(jobs=1, use_cache=True, fmt=fmt) == expected    # writes the results cache
        assert lint(jobs=1, use_cache=True, fmt=fmt) == expected    # reads it
        assert lint(jobs=2, use_cache=True, fmt=fmt) == expected


def _diagnostics(report_json, path):
    return [d for d in json.loads(report_json)["diagnostics"] if path in json.dumps(d)]


def test_standard_input_says_what_the_file_run_says(tree):
    whole = lint()
    options = run_options.resolve(configuration.Config(), jobs=1, no_cache=True)
    for name in ("caller.yaml", "list.yaml", "sensor.yaml", "overlay/patch.yaml", "other.yaml", "broken.yaml"):
        stdin = (tree / name).read_bytes()
        alone = render(Engine(options).run([], stdin=stdin, stdin_name=name), "json")
        assert _diagnostics(alone, name) == _diagnostics(whole, name), name


def test_rbac_reads_what_check_lints(tree):
    from wflint.cli.rbac import load
    options = run_options.resolve(configuration.Config(), select=[], no_cache=True)
    documents, index, problems = load(["."], options)
    seen = {(d.path, d.kind, d.display_name) for d in documents}
    kinds = sorted(kind for _, kind, _ in seen)
    # the Workflows of the file, of the List and of the Sensor, the template; never the patch
    assert kinds == ["Workflow", "Workflow", "Workflow", "WorkflowTemplate"], kinds
    assert not any("patch" in path for path, _, _ in seen)
    assert any("broken.yaml" in p for p in problems)
    parsed = Pipeline(options).parse(Pipeline(options).read(sorted(str(p.relative_to(tree)) for p in tree.rglob(
        "*.yaml") if ".git" not in p.parts))[0])
    linted = {(d.path, d.kind, d.display_name) for d in parsed.documents if d.is_argo and not d.partial}
    assert seen == linted


def test_the_run_record_is_checked_when_it_crosses_the_pipe():
    assert Run().validate() == Run()
    with pytest.raises(ValueError):
        Run(findings=[("a", 1)]).validate()
    with pytest.raises(ValueError):
        Run(documents={"a.yaml": "1"}).validate()


def test_options_resolve_flags_over_the_configuration(tmp_path):
    (tmp_path / ".wflint.yaml").write_text("argo-version: '3.7'\nmax-file-size: 2\nshow-info: true\n"
                                           "baseline: base.json\nfail-on: warning\n")
    config = configuration.load(str(tmp_path / ".wflint.yaml"))
    resolved = run_options.resolve(config)
    assert resolved.argo_version == "3.7" and resolved.max_file_size == 2 * 1024 * 1024
    assert resolved.show_info and resolved.fail_on == "warning"
    assert resolved.baseline == str(tmp_path / "base.json")
    assert run_options.resolve(config, baseline_if_present=True).baseline is None
    flagged = run_options.resolve(config, argo_version="4.1", max_file_size=5, quiet=True, fail_on="error")
    assert flagged.argo_version == "4.1" and flagged.max_file_size == 5
    assert not flagged.show_info and flagged.fail_on == "error"
    assert run_options.resolve().argo_version == run_options.Options().argo_version
