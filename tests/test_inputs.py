"""Manifests that used to be skipped: Sensors, Lists, JSON, Helm chart
templates (for the index), kustomize patches, big non-Argo documents."""

import json
import os

import pytest

from wflint.argo import helm
from wflint.source import loader
from wflint.k8s.kustomize import PatchFinder
from wflint.source.files import SourceFile
from wflint.testing import lint_files, lint_text, short

BROKEN_WF = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: x-
spec:
  entrypoint: mian
  serviceAccountName: runner
  templates:
    - name: main
      container: {image: alpine}
"""


def _indent(text, spaces):
    return "".join(" " * spaces + line + "\n" for line in text.splitlines())


def sensor(resource_key="argoWorkflow", extra=""):
    return ("apiVersion: argoproj.io/v1alpha1\nkind: Sensor\nmetadata:\n  name: s\nspec:\n  triggers:\n"
            "    - template:\n        name: t\n        " + resource_key + ":\n          source:\n"
            "            resource:\n" + _indent(BROKEN_WF, 14) + extra)


def test_a_workflow_in_a_sensor_is_linted_at_the_lines_of_the_file():
    for key in ("argoWorkflow", "k8s"):
        report = lint_text(sensor(key))
        assert [short(f, path=False) for f in report.findings if f.severity != "info"] == [
            "17:29: error: `entrypoint` names `mian`, which is not a template of this Workflow; did you mean "
            "`main`? [unknown-template]"]
        assert report.findings[0].pointer == f"/spec/triggers/0/template/{key}/source/resource/spec/entrypoint"


def test_suppressions_of_the_outer_file_apply():
    text = sensor().replace("entrypoint: mian", "entrypoint: mian  # wflint: disable=unknown-template")
    assert not [f for f in lint_text(text).findings if f.severity != "info"]


def test_list_items_are_linted_and_other_items_left_alone():
    text = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: c}\n" \
           "    data: {a: 1, a: 2}\n  - " + _indent(BROKEN_WF, 4)[4:]
    got = [short(f, path=False) for f in lint_text(text).findings]
    assert got == ["13:19: error: `entrypoint` names `mian`, which is not a template of this Workflow; did you "
                   "mean `main`? [unknown-template]"]


def test_json_manifests_are_linted_at_their_lines_and_other_json_skipped():
    wf = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"generateName": "j-"},
          "spec": {"entrypoint": "mian", "serviceAccountName": "r",
                   "templates": [{"name": "main", "container": {"image": "a"}}]}}
    report = lint_files({"wf.json": json.dumps(wf, indent=2), "package.json": '{"name": "x"}',
                         "tsconfig.json": '{\n  // no\n  "a": 1\n}', "dash.json": '{"panels": [], "kind": 1}'})
    assert [short(f) for f in report.findings] == [
        "wf.json:8:19: error: `entrypoint` names `mian`, which is not a template of this Workflow; did you "
        "mean `main`? [unknown-template]"]
    # a .json file named that is not a manifest: nothing to say
    assert lint_text('{\n  // comment\n}', path="tsconfig.json").findings == []


def _crd(rows):
    head = ("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: foos.ex.com\n"
            "spec:\n  group: ex.com\n  names:\n    kind: Foo\n    plural: foos\n  scope: Namespaced\n  versions:\n")
    body = "".join(f"  - name: v{i}\n    schema:\n      openAPIV3Schema:\n        description: 'row {i}'\n"
                   for i in range(rows))
    return head + body + "  conversion: {strategy: None}\n"


def test_big_crds_are_composed_without_their_schemas():
    text = _crd(3000) + "---\n" + BROKEN_WF
    docs, findings = loader.load(SourceFile(path="crd.yaml", text=text))
    assert not findings
    crd, wf = docs
    loader.convert(crd)
    assert crd.data["spec"] == {"group": "ex.com", "names": {"kind": "Foo", "plural": "foos"},
                                "scope": "Namespaced", "conversion": {"strategy": "None"}}
    assert wf.node.start_mark.line + wf.line_offset + 1 == text[:text.index("apiVersion: argoproj")].count("\n") + 1


def test_big_documents_of_other_kinds_are_not_composed_and_findings_are_unchanged():
    big = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    metadata:\n" \
          "      annotations:\n" + "".join(f"        k{i}: v{i}\n" for i in range(6000))
    text = big + "---\n" + BROKEN_WF
    docs, _ = loader.load(SourceFile(path="d.yaml", text=text))
    assert [d.kind for d in docs] == ["Workflow"] and docs[0].index == 1
    assert [short(f) for f in lint_text(text).findings] == [
        short(f) for f in lint_text("\n" * big.count("\n") + "---\n" + BROKEN_WF).findings]
    # a big document of a needed kind, or one that looks like an Argo one, is composed
    for kind in ("Workflow", "Workfow", "List", "ServiceAccount"):
        docs, _ = loader.load(SourceFile(path="d.yaml", text=big.replace("Deployment", kind)))
        assert len(docs) == 1


def test_helm_actions_are_neutralised_line_for_line():
    text = ('{{- if .Values.on }}\nkind: WorkflowTemplate\nmetadata:\n  name: {{ .Release.Name }}-x\n'
            '  labels:\n    {{- include "l" . | nindent 4 }}\nspec:\n  args: ["{{ "{{inputs.parameters.a}}" }}", '
            '"{{`{{workflow.name}}`}}"]\n{{/* a\ncomment */}}\n{{- end }}\n')
    out = helm.neutralise(text)
    assert out.count("\n") == text.count("\n")
    lines = out.split("\n")
    assert lines[0] == "" and lines[5] == "" and lines[9] == ""
    assert lines[3] == "  name: helm{{value}}-x"
    assert lines[7] == '  args: ["{{inputs.parameters.a}}", "{{workflow.name}}"]'


# The Helm neutraliser's time in the size of its input: tests/test_linear.py.


def test_chart_templates_feed_the_index_and_unknowable_names_soften_missing_refs():
    chart = {"chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 1.0.0\n",
             "chart/templates/lib.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata:\n"
                                         "  name: lib\n  labels: {{ toYaml .Values.l | nindent 4 }}\nspec:\n"
                                         "  templates:\n    - name: echo\n      container: {image: a}\n"}
    caller = BROKEN_WF.replace("entrypoint: mian", "entrypoint: main").replace(
        "      container: {image: alpine}\n",
        "      steps:\n        - - name: a\n            templateRef: {name: lib, template: echo}\n"
        "        - - name: b\n            templateRef: {name: other, template: echo}\n")
    report = lint_files({**chart, "wf.yaml": caller})
    assert [(f.rule, f.severity, f.line) for f in report.findings if f.rule == "template-ref"] == [
        ("template-ref", "warning", 14)]   # `other` is like no template of the project: installed elsewhere
    templated = chart["chart/templates/lib.yaml"].replace("name: lib", "name: {{ .Release.Name }}-lib")
    report = lint_files({**chart, "chart/templates/lib.yaml": templated, "wf.yaml": caller})
    assert [(f.severity, f.line) for f in report.findings if f.rule == "template-ref"] == [
        ("info", 12), ("info", 14)]


def test_kustomize_patches_are_found_from_overlays(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # wflint runs in the checkout: the search never goes above it
    (tmp_path / "patches").mkdir()
    (tmp_path / "overlays" / "prod").mkdir(parents=True)
    (tmp_path / "patches" / "p.yaml").write_text("a: 1\n")
    (tmp_path / "patches" / "other.yaml").write_text("a: 1\n")
    (tmp_path / "overlays" / "prod" / "kustomization.yaml").write_text(
        "patches:\n  - path: ../../patches/p.yaml\n  - patch: |-\n      inline\n")
    finder = PatchFinder()
    assert finder.is_patch(str(tmp_path / "patches" / "p.yaml"))
    assert not finder.is_patch(str(tmp_path / "patches" / "other.yaml"))
    assert not finder.is_patch("<stdin>")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_patches_are_found_alike_from_known_real_paths(tmp_path, monkeypatch):
    """Discovery gives the pipeline each file's real path (spares an lstat
    each): the answers are those of a finder that looks for itself, for
    plain files, files in a linked folder and links to a patch."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "patches").mkdir()
    (tmp_path / "overlay").mkdir()
    (tmp_path / "patches" / "p.yaml").write_text("a: 1\n")
    (tmp_path / "patches" / "other.yaml").write_text("a: 1\n")
    (tmp_path / "overlay" / "kustomization.yaml").write_text("patches:\n  - path: ../patches/p.yaml\n")
    os.symlink("patches/p.yaml", "link.yaml")
    os.symlink("patches", "linked")
    asked = ["patches/p.yaml", "patches/other.yaml", "link.yaml", "linked/p.yaml", "linked/other.yaml",
             "overlay/kustomization.yaml"]
    known = PatchFinder()
    known.know({path: os.path.realpath(path) for path in asked})
    assert [known.is_patch(path) for path in asked] == [PatchFinder().is_patch(path) for path in asked] == [
        True, False, True, True, False, False]


def test_a_kustomize_patch_is_linted_for_what_it_sets_only():
    patch = ("apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata:\n  name: wt\nspec:\n"
             "  parallelism: two\n  templates:\n    - name: main\n      steps: [[{name: a, template: gone}]]\n")
    report = lint_files({"kustomization.yaml": "resources: [base.yaml]\npatchesStrategicMerge: [patch.yaml]\n",
                         "patch.yaml": patch, "base.yaml": BROKEN_WF.replace("Workflow\n", "WorkflowTemplate\n")
                         .replace("generateName: x-", "name: wt").replace("mian", "main")})
    assert [(f.path, f.rule) for f in report.findings if f.severity != "info"] == [("patch.yaml", "schema")]


def test_sensor_resources_that_only_name_an_object_are_not_linted():
    for key, operation in (("argoWorkflow", "resubmit"), ("argoWorkflow", "submit-from"), ("k8s", "patch"),
                           ("k8s", "delete")):
        text = sensor(key).replace(f"        {key}:\n", f"        {key}:\n          operation: {operation}\n")
        assert lint_text(text).findings == [], (key, operation)


def test_sensor_dests_fill_fields_unless_the_trigger_rewrites_them():
    wf = BROKEN_WF.replace("mian", "main").replace("generateName: x-", "labels: {a: b}") + \
        "  arguments:\n    parameters:\n      - name: p\n"
    text = ("apiVersion: argoproj.io/v1alpha1\nkind: Sensor\nmetadata:\n  name: s\nspec:\n  triggers:\n"
            "    - template:\n        name: t\n        k8s:\n          source:\n            resource:\n"
            + _indent(wf, 14) + "          parameters:\n            - src: {dependencyName: d, dataKey: a}\n"
            "              dest: spec.arguments.parameters.0.value\n            - src: {dependencyName: d}\n"
            "              dest: metadata.generateName\n")
    assert [f.rule for f in lint_text(text).findings if f.severity != "info"] == []
    rewritten = text + ("      parameters:\n        - src: {dependencyName: d, dataKey: b}\n"
                        "          dest: k8s.parameters.0.dest\n")
    assert sorted(f.rule for f in lint_text(rewritten).findings if f.severity != "info") == [
        "parameter", "template-name"]


def test_a_kustomize_patch_without_apiversion_is_not_a_near_miss():
    patch = "kind: Workflow\nmetadata:\n  name: wf\nspec:\n  templates: []\n"
    files = {"patch.yaml": patch}
    assert [f.rule for f in lint_files(files).findings] == ["not-linted"]
    files["kustomization.yaml"] = "patches:\n  - path: patch.yaml\n    target: {kind: Workflow}\n"
    assert lint_files(files).findings == []
