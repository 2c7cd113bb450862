"""Scopes as Argo builds them (wflint.argo.scope), and the `variable` rule's speed."""


import pytest

from wflint.source import loader
from wflint.argo import model
from wflint.argo.index import ProjectIndex
from wflint.argo.scope import (BODY, METRICS, OUTPUTS, STEP, TASK, DocScope, Place, TemplateScope, loop_info,
                          producer_of)
from wflint.source.files import SourceFile
from wflint.testing import lint_text

WORKFLOW = """
apiVersion: argoproj.io/v1alpha1
kind: {kind}
metadata:
  name: demo
  labels: {{team: data}}
spec:
  entrypoint: main
  onExit: bye
  arguments:
    parameters:
      - {{name: env, value: prod}}
  templates:
    - name: main
      inputs:
        parameters: [{{name: size}}]
      steps:
        - - {{name: a, template: work}}
          - {{name: b, template: work}}
        - - name: c
            template: work
            withItems: [{{k: 1}}, {{k: 2}}]
        - - {{name: d, template: work, withParam: "[]"}}
          - {{name: e, template: work}}
    - name: flow
      dag:
        tasks:
          - {{name: tx, template: work}}
          - {{name: ty, template: work, depends: tx}}
          - {{name: tz, template: work, depends: "ty && tx"}}
          - {{name: tw, template: work}}
    - name: work
      retryStrategy: {{limit: 2}}
      script: {{image: alpine, command: [sh], source: echo}}
      outputs:
        parameters:
          - {{name: out, valueFrom: {{path: /tmp/out}}}}
    - name: bye
      container: {{image: alpine}}
"""


def load(kind="Workflow", text=None):
    source = SourceFile(path="t.yaml", text=text or WORKFLOW.format(kind=kind))
    docs, _ = loader.load(source)
    for doc in docs:
        loader.convert(doc)
    return docs[0], DocScope(docs[0], ProjectIndex(docs))


def template(doc_scope, name):
    for at in model.templates(doc_scope.document):
        if at.name == name:
            return TemplateScope(doc_scope, at, name)
    raise KeyError(name)


def place(kind="Workflow", name="main", section=BODY, member=None, **kw):
    _, doc = load(kind)
    ts = template(doc, name)
    index = ts.steps or ts.dag
    found = index.find(member) if member and index else None
    return Place(doc, ts, section, checked=True, member=found, **kw)


def resolve(where, key, expression=False):
    miss = where.resolve(key.split("."), expression)
    return None if miss is None else ("rejected" if miss.rejected else "runtime")


# -- globals -------------------------------------------------------------------

@pytest.mark.parametrize("key, verdict", [
    ("workflow.name", None), ("workflow.uid", None), ("workflow.status", None), ("workflow.duration", None),
    ("workflow.creationTimestamp.Y", None), ("workflow.creationTimestamp.RFC3339", None),
    ("workflow.creationTimestamp.year", "runtime"), ("workflow.parameters.env", None),
    ("workflow.parameters.json", None), ("workflow.parameters", None), ("workflow.parameters.nope", "rejected"),
    ("workflow.labels.team", None), ("workflow.labels.json", None), ("workflow.labels.other", "runtime"),
    ("workflow.priority", "rejected"), ("workflow.nmae", "rejected"), ("workflow.outputs.parameters.g", "rejected"),
    ("workflow.scheduledTime", "runtime"), ("workflow.failures", "rejected"),
])
def test_workflow_globals(key, verdict):
    assert resolve(place(name="work"), key) == verdict


def test_workflow_templates_are_lenient_about_what_callers_supply():
    where = place(kind="WorkflowTemplate", name="work")
    for key in ("workflow.parameters.anything", "workflow.labels.anything", "workflow.scheduledTime",
                "workflow.outputs.parameters.anything"):
        assert resolve(where, key) is None, key
    assert resolve(where, "workflow.priority") == "runtime"


def test_failures_only_in_the_exit_handler():
    assert resolve(place(name="bye"), "workflow.failures") is None
    assert resolve(place(name="main"), "workflow.failures") == "rejected"


# -- template ------------------------------------------------------------------

@pytest.mark.parametrize("name, key, verdict", [
    ("main", "inputs.parameters.size", None), ("main", "inputs.parameters", None),
    ("main", "inputs.parameters.sise", "rejected"), ("main", "inputs.artifacts.x", "rejected"),
    ("work", "retries", None), ("work", "lastRetry.exitCode", None), ("main", "retries", "runtime"),
    ("work", "pod.name", None), ("main", "pod.name", "rejected"), ("bye", "node.name", None),
    ("work", "outputs.parameters.out.path", None), ("work", "outputs.parameters.nope.path", "runtime"),
    ("work", "outputs.parameters.out", "runtime"), ("work", "status", "runtime"),
    ("work", "steps.a.id", "rejected"), ("work", "steps.name", None), ("work", "tasks.name", None),
    ("work", "item", "runtime"), ("work", "item.k", "rejected"), ("work", "user.name", None),
])
def test_template_variables(name, key, verdict):
    assert resolve(place(name=name), key) == verdict


def test_metric_variables_inside_metrics():
    where = place(name="work", section=METRICS)
    for key in ("status", "duration", "exitCode", "resourcesDuration.cpu", "outputs.result",
                "outputs.parameters.out"):
        assert resolve(where, key) is None, key


def test_expressions_read_maps():
    where = place(name="main")
    assert resolve(where, "inputs.parameters", expression=True) is None
    assert resolve(where, "inputs", expression=True) is None
    assert resolve(where, "workflow", expression=True) is None


# -- steps ---------------------------------------------------------------------

@pytest.mark.parametrize("member, key, verdict", [
    ("c", "steps.a.outputs.result", None), ("c", "steps.a.outputs.parameters.out", None),
    ("c", "steps.a.exitCode", None), ("c", "steps.a.ip", "rejected"),
    ("b", "steps.a.outputs.result", "runtime"),          # same group, earlier: Argo's validator allows it
    ("a", "steps.b.outputs.result", "rejected"),         # same group, later
    ("a", "steps.c.id", "rejected"),                     # later group
    ("a", "steps.a.status", "runtime"), ("a", "steps.a.id", "rejected"),
    ("c", "steps.aa.id", "rejected"), ("c", "steps.namer.id", None),
    ("c", "item.k", None), ("c", "item.j", "rejected"), ("c", "item", None),
    ("e", "item.k", "runtime"),                          # leaked from earlier loops by the validator
    ("d", "item.anything", None),
    ("e", "steps.c.outputs.parameters", None), ("e", "steps.a.outputs.parameters", "rejected"),
])
def test_steps_scope(member, key, verdict):
    where = place(name="main", section=STEP, member=member)
    got = resolve(where, key)
    if key == "steps.namer.id":
        assert got == "runtime"      # Argo's validator exempts `steps.name*` by prefix
        assert not where.rejected_here(key)
        return
    assert got == verdict


def test_steps_outputs_see_every_step():
    where = place(name="main", section=OUTPUTS)
    assert resolve(where, "steps.e.outputs.result") is None


def test_hooks_see_their_own_step():
    where = place(name="main", section=STEP, member="a", in_hook=True)
    assert resolve(where, "steps.a.outputs.result") is None


# -- DAG -----------------------------------------------------------------------

@pytest.mark.parametrize("member, key, verdict", [
    ("ty", "tasks.tx.outputs.result", None), ("tz", "tasks.tx.outputs.result", None),
    ("tz", "tasks.ty.status", None), ("ty", "tasks.tw.outputs.result", "runtime"),
    ("ty", "tasks.tw.status", "rejected"), ("tx", "tasks.ty.id", "runtime"), ("ty", "tasks.tq.id", "rejected"),
    ("ty", "tasks.ty.status", "rejected"), ("ty", "tasks.ty.id", "runtime"),
])
def test_dag_scope(member, key, verdict):
    assert resolve(place(name="flow", section=TASK, member=member), key) == verdict


def test_strict_argument_values_need_an_ancestor():
    where = place(name="flow", section=TASK, member="ty", strict_tasks=True)
    assert resolve(where, "tasks.tw.outputs.result") == "rejected"


# -- producers and loops ---------------------------------------------------------

@pytest.mark.parametrize("body, result", [
    ({"container": {}}, True), ({"script": {}}, True), ({"resource": {}}, False), ({"steps": []}, False),
    ({"dag": {}}, False), ({"suspend": {}}, False), ({"http": {}}, True),
    ({"containerSet": {"containers": [{"name": "main"}]}}, True),
    ({"containerSet": {"containers": [{"name": "a"}]}}, False),
])
def test_which_templates_produce_a_result(body, result):
    assert producer_of(body, "t").result is result


def test_loop_items():
    assert loop_info({"withItems": [{"a": 1}, {"b": 2}]}).keys == {"a", "b"}
    assert loop_info({"withItems": ["x", 1, True]}).values == ("x", "1", "true")
    assert loop_info({"withParam": "{{x}}"}).any_keys
    assert loop_info({"withSequence": {"count": 3}}).kind == "withSequence"
    assert loop_info({}).kind is None


# -- speed -----------------------------------------------------------------------

def big_dag(n):
    lines = ["apiVersion: argoproj.io/v1alpha1", "kind: Workflow", "metadata: {generateName: big-}", "spec:",
             "  entrypoint: main", "  arguments: {parameters: [{name: p, value: x}]}", "  templates:",
             "    - name: main", "      dag:", "        tasks:"]
    for i in range(n):
        lines.append(f"          - name: t{i}")
        lines.append("            template: work")
        if i:
            lines.append(f"            depends: \"t{i - 1}" + (f" && t{i // 2}\"" if i > 2 else "\""))
            lines.append(f"            when: \"{{{{tasks.t{i - 1}.outputs.result}}}} == ok\"")
        value = (f"{{{{tasks.t0.outputs.result}}}}-{{{{tasks.t{max(i - 1, 0)}.outputs.parameters.out}}}} "
                 f"{{{{=workflow.parameters.p}}}}") if i else "{{workflow.parameters.p}}"
        lines.append(f"            arguments: {{parameters: [{{name: in, value: \"{value}\"}}]}}")
    lines += ["    - name: work", "      inputs: {parameters: [{name: in}]}",
              "      script: {image: alpine, command: [sh], source: 'echo {{inputs.parameters.in}}'}",
              "      outputs: {parameters: [{name: out, valueFrom: {path: /tmp/out}}]}"]
    return "\n".join(lines) + "\n"


def test_a_5000_task_dag_is_checked_without_findings():
    # Speed is measured by bench/run.py, never by a timed test (a loaded CI machine makes them flaky).
    from wflint.rules import variable as rule
    document, doc = load(text=big_dag(5000))

    class Context:
        index = doc.index
        options = {}
        argo_version = "4.1"

    found = list(rule.check(document, Context()))
    assert found == []


def test_the_rule_reports_at_the_tag():
    report = lint_text("""apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: x-}
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: alpine
        args: ["echo {{inputs.parameters.nope}}", "{{=1 +}}"]
""", select=["variable"])
    assert [(f.line, f.column, f.end_column, f.severity) for f in report.findings] == [
        (10, 24, 46, "error"), (10, 58, 59, "warning")]


def test_a_template_reached_by_name_and_by_reference_is_named_as_the_first_call_names_it():
    # Producers are worked out lazily, in whatever order strings ask; messages still name the
    # template the way the first step (in document order) that runs it does.
    report = lint_text("""apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: lib}
spec:
  templates:
    - name: main
      steps:
        - - name: a
            template: work
        - - name: b
            templateRef: {name: lib, template: work}
        - - name: c
            template: work
            arguments:
              parameters:
                - {name: x, value: "{{steps.b.outputs.parameters.nope}}"}
    - name: work
      inputs:
        parameters: [{name: x, value: "1"}]
      container: {image: alpine}
""", select=["variable"])
    messages = [f.message for f in report.findings if f.rule == "variable"]
    assert any("`work` (run by step `b`) has no output parameter `nope`" in m for m in messages), messages


def test_quiet_templates_are_skipped_but_conditions_without_tags_are_checked():
    report = lint_text("""apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: x-}
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: a
            template: work
            when: "1 =="
    - name: work
      retryStrategy: {limit: 1, expression: "lastRetry.nope == 1"}
      container: {image: alpine, args: [plain]}
""", select=["variable"])
    messages = [f.message for f in report.findings if f.rule == "variable"]
    assert any(m.startswith("`when` does not parse") for m in messages), messages
    assert any("lastRetry.nope" in m for m in messages), messages
