"""Edge cases of template-name, duplicate-template and unknown-template beyond the fixtures."""

import textwrap

import pytest

from wflint.testing import lint_text

RULES = ("template-name", "duplicate-template", "unknown-template")


def lint(text, rules=RULES):
    report = lint_text(textwrap.dedent(text).lstrip("\n"))
    crashed = [f for f in report.findings if f.rule == "internal-error"]
    assert not crashed, crashed
    return [(f.rule, f.severity, f.line, f.message) for f in report.findings if f.rule in rules]


def wf(body, kind="Workflow", meta="generateName: t-"):
    return f"apiVersion: argoproj.io/v1alpha1\nkind: {kind}\nmetadata:\n  {meta}\n" + textwrap.dedent(body)


@pytest.mark.parametrize("spec", [
    "spec: []\n",
    "spec:\n  templates: oops\n  entrypoint: [a]\n",
    "spec:\n  entrypoint: a\n  templates:\n    - 42\n    - name: a\n      steps: x\n",
    "spec:\n  entrypoint: a\n  templates:\n    - name: a\n      steps: [[1, {name: 7, template: 9}], {}]\n",
    "spec:\n  entrypoint: a\n  hooks: [x]\n  templates:\n    - name: a\n      dag: {tasks: [{name: b, hooks: 1}]}\n",
    "spec:\n  entrypoint: a\n  arguments: {parameters: {a: 1}}\n  templates:\n"
    "    - name: a\n      inputs: {parameters: [x, {name: 1}]}\n      containerSet: {containers: [1]}\n"
    "      container: {image: x}\n",
])
def test_malformed_input_does_not_crash(spec):
    lint(wf(spec))


def test_placeholders_in_step_and_task_names_are_judged_by_their_literal_parts():
    found = lint(wf("""
        spec:
          entrypoint: main
          templates:
            - name: main
              steps:
                - - name: "{{item}}"
                    template: leaf
                    withItems: [a, b]
                  - name: run-{{item}}-x
                    template: leaf
                    withItems: [a, b]
                  - name: -{{item}}
                    template: leaf
                    withItems: [a, b]
            - name: leaf
              container: {image: alpine:3.20}
        """))
    assert [(r, m.split("`")[1]) for r, _, _, m in found] == [("template-name", "-{{item}}")]


def test_templated_global_name_is_not_checked_but_a_spaced_tag_is():
    found = lint(wf("""
        spec:
          entrypoint: main
          templates:
            - name: main
              inputs:
                parameters: [{name: key}]
              outputs:
                parameters:
                  - name: a
                    globalName: "{{inputs.parameters.key}}"
                    valueFrom: {path: /tmp/a}
                  - name: b
                    globalName: "{{ inputs.parameters.key }}"
                    valueFrom: {path: /tmp/b}
              container: {image: alpine:3.20}
        """))
    assert [m.split("`")[3] for _, _, _, m in found] == ["{{ inputs.parameters.key }}"]


def test_metadata_name_limit_counts_bytes():
    name = "é" * 32    # 32 characters, 64 bytes
    found = lint(wf("spec:\n  entrypoint: a\n  templates: [{name: a, suspend: {}}]\n", meta=f"name: {name}"))
    assert len(found) == 1 and "64 bytes long; Argo allows at most 63" in found[0][3]


def test_digit_task_without_dependency_logic_is_fine():
    found = lint(wf("""
        spec:
          entrypoint: d
          templates:
            - name: d
              dag:
                tasks:
                  - {name: 1a, template: leaf}
                  - {name: b, template: leaf, dependencies: [c]}
                  - {name: c, template: leaf}
            - name: leaf
              suspend: {}
        """))
    assert found == []


def test_workflow_template_ref_skips_name_resolution():
    found = lint(wf("""
        spec:
          entrypoint: from-the-template
          onExit: also-from-the-template
          hooks:
            exit: {template: elsewhere}
          workflowTemplateRef: {name: shared}
        """))
    assert found == []


def test_cron_workflow_ref_and_missing_workflow_spec():
    found = lint(wf("""
        spec:
          schedules: ["0 * * * *"]
          workflowSpec:
            workflowTemplateRef: {name: shared}
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: CronWorkflow
        metadata:
          name: no-spec
        spec:
          schedules: ["0 * * * *"]
        """, kind="CronWorkflow", meta="name: by-ref"))
    assert found == []


def test_dynamic_names_and_empty_template_with_ref_are_not_reported():
    found = lint(wf("""
        spec:
          entrypoint: "{{workflow.parameters.start}}"
          arguments:
            parameters: [{name: start, value: main}]
          templates:
            - name: main
              steps:
                - - name: a
                    template: ""
                    templateRef: {name: lib, template: x}
                  - name: b
                    template: "{{workflow.parameters.start}}-leaf"
        """))
    assert found == []


def test_workflow_template_needs_no_entrypoint_but_a_cwt_entrypoint_must_exist():
    found = lint(wf("spec:\n  templates: [{name: a, suspend: {}}]\n", kind="WorkflowTemplate", meta="name: lib")
                 + "---\n"
                 + wf("spec:\n  entrypoint: b\n  templates: [{name: a, suspend: {}}]\n",
                      kind="ClusterWorkflowTemplate", meta="name: lib"))
    assert [(r, m) for r, _, _, m in found] == [
        ("unknown-template", "`entrypoint` names `b`, which is not a template of this ClusterWorkflowTemplate")]


def test_no_templates_is_reported_once():
    found = lint(wf("spec:\n  entrypoint: main\n"))
    assert [m for _, _, _, m in found] == [
        "Workflow has no templates and no `workflowTemplateRef`: there is nothing to run"]


def test_duplicates_ignore_empty_names_and_compare_placeholders_literally():
    found = lint(wf("""
        spec:
          entrypoint: main
          templates:
            - name: main
              steps:
                - - {name: "", template: leaf}
                  - {name: "", template: leaf}
                  - {name: "s-{{item}}", template: leaf, withItems: [1]}
                - - {name: "s-{{item}}", template: leaf, withItems: [2]}
            - name: leaf
              suspend: {}
        """), rules=("duplicate-template",))
    assert [(line, m.split("`")[1]) for _, _, line, m in found] == [(14, "s-{{item}}")]
