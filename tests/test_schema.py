"""The schema rule: each mistake once, at its own line, with a useful message."""

import pytest

from wflint.run.engine import Options
from wflint.testing import lint_files, lint_text
from conftest import HELLO, dedent


def schema_findings(text, **kw):
    return [(f.line, f.column, f.message) for f in lint_text(dedent(text), **kw).findings if f.rule == "schema"]


DAG = """
    apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    metadata:
      generateName: dag-
    spec:
      entrypoint: main
      parallelism: two
      templates:
        - name: main
          inputs:
            parmeters:
              - name: x
          dag:
            tasks:
              - name: a
                template: leaf
              - name: b
                template: leaf
                dependancies: [a]
        - name: leaf
          container:
            image: alpine:3.20
            command: echo hi
            resources:
              limits: {cpu: 1, memory: 1Gi}
          retryStrategy:
            limit: 3
          activeDeadlineSeconds: 10
"""


def test_each_typo_and_wrong_type_at_its_own_line():
    assert schema_findings(DAG) == [
        (7, 16, '`parallelism` must be an integer, not the string "two"'),
        (11, 9, "unknown field `parmeters` in inputs; did you mean `parameters`?"),
        (19, 13, "unknown field `dependancies` in a DAG task; did you mean `dependencies`?"),
        (23, 18, '`command` must be a list, not the string "echo hi"'),
    ]


def test_hints_say_how_to_fix():
    report = lint_text(dedent(DAG))
    hints = {f.line: f.hint for f in report.findings if f.rule == "schema"}
    assert hints[23] == 'write a list, one item per argument: ["echo", "hi"]'
    assert hints[19] == "rename it to `dependencies`"


@pytest.mark.parametrize("kind,extra", [
    ("WorkflowTemplate", ""), ("ClusterWorkflowTemplate", ""),
])
def test_every_kind_is_validated_by_its_own_schema(kind, extra):
    text = HELLO.replace("kind: Workflow", f"kind: {kind}").replace("generateName: hello-", "name: hello")
    assert schema_findings(text) == []
    typo = text.replace("entrypoint: main", "entrypont: main")
    assert [m for _, _, m in schema_findings(typo)] == [
        "unknown field `entrypont` in the workflow spec; did you mean `entrypoint`?"]


def test_cron_workflow_spec_is_nested():
    text = """
        apiVersion: argoproj.io/v1alpha1
        kind: CronWorkflow
        metadata:
          name: nightly
        spec:
          schedules: ["0 1 * * *"]
          concurrencyPolicy: Forbid
          workflowSpec:
            entrypoint: main
            templates:
              - name: main
                container:
                  image: alpine:3.20
                  imagePullPolicy: 7
    """
    assert schema_findings(text) == [(14, 28, "`imagePullPolicy` must be a string, not the number 7")]


def test_int_or_string_quantity_and_any_string_values_are_accepted():
    text = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: ok-
        spec:
          entrypoint: main
          arguments:
            parameters:
              - name: count
                value: 5
              - name: flag
                value: true
          templates:
            - name: main
              retryStrategy: {limit: "2"}
              container:
                image: alpine:3.20
                resources: {requests: {cpu: 0.5, memory: "64Mi"}}
                readinessProbe:
                  httpGet: {port: 8080, path: /}
    """
    assert schema_findings(text) == []


def test_missing_spec_and_wrong_api_version():
    text = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: nothing
    """
    assert schema_findings(text) == [(2, 1, "missing required field `spec` in a Workflow")]  # at `kind`
    wrong = HELLO.replace("argoproj.io/v1alpha1", "argoproj.io/v1")
    assert schema_findings(wrong) == []  # v1 is still argoproj.io: only the prefix is required


def test_spec_of_the_wrong_type():
    text = """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: listy
        spec:
          - entrypoint: main
    """
    assert schema_findings(text) == [(5, 1, "`spec` must be a mapping, not a list")]


def test_v41_fields_exist_only_in_41():
    text = HELLO + "      pendingTimeout: 5m\n"
    assert schema_findings(text) == []
    from wflint.run.engine import Options
    assert [m for _, _, m in schema_findings(text, options=Options(argo_version="3.7"))] == [
        "unknown field `pendingTimeout` in a template"]


def test_no_cascade_of_any_of_noise():
    text = HELLO.replace("image: alpine:3.20", "image: [alpine]")
    found = schema_findings(text)
    assert len(found) == 1 and "`image` must be a string" in found[0][2]


V3_CRON = """\
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  workflowSpec:
    entrypoint: main
    serviceAccountName: runner
    podPriority: 3
    synchronization:
      mutex:
        name: lock
    templates:
      - name: main
        priority: 2
        synchronization:
          semaphore:
            configMapKeyRef: {name: limits, key: main}
        memoize:
          key: "k"
          maxAge: 1h
          cache:
            configMap: {name: cache, key: k}
        container:
          image: alpine:3.20
"""


def _loud(report):
    return sorted((f.line, f.column, f.rule, f.severity) for f in report.findings if f.severity != "info")


def test_a_removed_field_gets_one_finding_with_the_migration_advice():
    report = lint_files({"cron.yaml": V3_CRON})
    assert _loud(report) == [
        (6, 3, "cron", "error"),                    # schedule (no `missing schedules` besides)
        (10, 5, "workflow-spec/removed-field", "error"),    # podPriority
        (12, 7, "workflow-spec/synchronization", "error"),  # mutex
        (16, 9, "template-structure/removed-field", "error"),  # template priority
        (18, 11, "workflow-spec/synchronization", "error"),  # semaphore
        (24, 38, "template-structure/removed-field", "error"),  # memoize.cache.configMap.key
    ]


def test_fields_that_4_0_removes_are_deprecation_warnings_under_3_7():
    report = lint_files({"cron.yaml": V3_CRON}, options=Options(argo_version="3.7"))
    found = {(f.line, f.rule): (f.severity, f.message) for f in report.findings if f.severity != "info"}
    for line in (6, 12, 18):
        severity, message = found[(line, "cron" if line == 6 else "workflow-spec/synchronization")]
        assert severity == "warning" and "removed in 4.0" in message and "instead" in message
    assert not any(rule == "schema" for _, rule in found)
