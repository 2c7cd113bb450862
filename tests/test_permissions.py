"""wflint.argo.permissions: which account Argo uses for what, and the verbs each feature needs."""

import pytest

from conftest import dedent, project
from wflint.argo import permissions as perms



def compute(*texts, **kwargs):
    index = project(*texts)
    return perms.compute(index.documents[0], index, **kwargs)


def workflow(templates, spec="", kind="Workflow", namespace="ci", name="wf"):
    meta = f"  namespace: {namespace}\n" if namespace else ""
    return (f"apiVersion: argoproj.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\n{meta}"
            f"spec:\n{spec}  templates:\n{templates}")


def resource(action="create", manifest=None, extra="", name="r"):
    manifest = manifest or "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"
    body = "".join("        " + line + "\n" for line in manifest.splitlines())
    return (f"    - name: {name}\n{extra}      resource:\n        action: {action}\n        manifest: |\n"
            f"{body.replace('        ', '          ', -1)}")


def needs(result, category=None, resource=None):
    return [n for n in result.needs if (category is None or n.category == category)
            and (resource is None or n.resource == resource)]


CONTAINER = "    - name: main\n      container:\n        image: alpine:3.20\n"


# -- identities ------------------------------------------------------------------------

def test_nothing_named_means_the_namespace_default():
    result = compute(workflow(CONTAINER, "  entrypoint: main\n"))
    [need] = needs(result)
    assert (need.account, need.namespace, need.defaulted) == ("default", "ci", True)
    assert (need.api_group, need.resource, need.verbs) == ("argoproj.io", "workflowtaskresults", ("create", "patch"))
    assert result.default_at == ("spec",)


def test_pod_account_precedence_template_then_defaults_then_spec():
    text = workflow(
        "    - name: main\n      steps:\n        - - {name: a, template: a}\n          - {name: b, template: b}\n"
        "    - name: a\n      serviceAccountName: own\n      container: {image: alpine}\n"
        "    - name: b\n      container: {image: alpine}\n",
        "  entrypoint: main\n  serviceAccountName: spec-sa\n  templateDefaults:\n    serviceAccountName: defaults-sa\n")
    accounts = {n.reasons[0].name: n.account for n in compute(text).needs}
    assert accounts == {"a": "own", "b": "defaults-sa"}
    text = text.replace("  templateDefaults:\n    serviceAccountName: defaults-sa\n", "")
    accounts = {n.reasons[0].name: n.account for n in compute(text).needs}
    assert accounts == {"a": "own", "b": "spec-sa"}
    assert compute(text).default_at is None


def test_executor_account_wins_over_the_pod_account():
    text = workflow(
        "    - name: main\n      steps:\n        - - {name: a, template: a}\n          - {name: b, template: b}\n"
        "    - name: a\n      executor: {serviceAccountName: tmpl-exec}\n      container: {image: alpine}\n"
        "    - name: b\n      serviceAccountName: pod-sa\n      container: {image: alpine}\n",
        "  entrypoint: main\n  executor:\n    serviceAccountName: wf-exec\n")
    found = {n.reasons[0].name: (n.account, n.token, n.account_at) for n in compute(text).needs}
    assert found["a"] == ("tmpl-exec", True, ("spec", "templates", 1, "executor", "serviceAccountName"))
    # the workflow's executor account beats the template's pod account
    assert found["b"] == ("wf-exec", True, ("spec", "executor", "serviceAccountName"))


def test_agent_runs_as_the_workflow_account_only():
    text = workflow("    - name: call\n      serviceAccountName: ignored\n      http: {url: 'https://example.com'}\n",
                    "  entrypoint: call\n  serviceAccountName: caller\n")
    agent = needs(compute(text), perms.AGENT)
    assert {(n.account, n.resource, n.verbs) for n in agent} == {
        ("caller", "workflowtasksets", ("list", "watch")), ("caller", "workflowtasksets/status", ("patch",))}
    assert all(n.token for n in agent)
    # no pod, so no executor
    assert not needs(compute(text), perms.EXECUTOR)


def test_http_header_secret_and_plugin():
    text = workflow(
        "    - name: main\n      steps:\n        - - {name: a, template: a}\n          - {name: b, template: b}\n"
        "    - name: a\n      http:\n        url: https://example.com\n        headers:\n"
        "          - name: Authorization\n            valueFrom: {secretKeyRef: {name: token, key: t}}\n"
        "    - name: b\n      plugin: {hello: {}}\n", "  entrypoint: main\n")
    result = compute(text)
    [secret] = needs(result, perms.SECRET)
    assert (secret.resource, secret.verbs, secret.resource_names, secret.account) == \
        ("secrets", ("get",), ("token",), "default")
    assert {n.reasons[0].name for n in needs(result, perms.AGENT)} == {"a", "b"}


def test_artifact_gc_runs_as_its_own_account_else_default():
    text = workflow(
        "    - name: main\n      container: {image: alpine}\n      outputs:\n        artifacts:\n"
        "          - {name: a, path: /a, s3: {key: a}}\n"
        "          - {name: b, path: /b, s3: {key: b}, artifactGC: {strategy: Never}}\n"
        "          - {name: c, path: /c, s3: {key: c}, artifactGC: {serviceAccountName: gc-c}}\n",
        "  entrypoint: main\n  serviceAccountName: pod-sa\n  artifactGC: {strategy: OnWorkflowDeletion}\n")
    gc = needs(compute(text), perms.ARTIFACT_GC)
    assert {(n.account, n.resource) for n in gc} == {
        ("default", "workflowartifactgctasks"), ("default", "workflowartifactgctasks/status"),
        ("gc-c", "workflowartifactgctasks"), ("gc-c", "workflowartifactgctasks/status")}
    # the artifact-GC pod relying on `default` is not the workflow relying on it
    assert compute(text).default_at is None


def test_hdfs_kerberos_configmap():
    text = workflow("    - name: main\n      container: {image: alpine}\n      inputs:\n        artifacts:\n"
                    "          - {name: a, path: /a, hdfs: {path: /x, krbConfigConfigMap: {name: krb5, key: c}}}\n",
                    "  entrypoint: main\n")
    [need] = needs(compute(text), perms.CONFIGMAP)
    assert (need.resource, need.verbs, need.resource_names) == ("configmaps", ("get",), ("krb5",))


def test_service_account_and_namespace_options():
    text = workflow(CONTAINER, "  entrypoint: main\n", namespace=None)
    [need] = compute(text, namespace="jobs", default_account="runner").needs
    assert (need.account, need.namespace, need.defaulted) == ("runner", "jobs", False)
    [need] = compute(text).needs
    assert (need.account, need.namespace) == ("default", None)
    # a ClusterWorkflowTemplate runs in whichever namespace uses it
    [need] = compute(workflow(CONTAINER, "", kind="ClusterWorkflowTemplate")).needs
    assert need.namespace is None


# -- resource templates ----------------------------------------------------------------------

@pytest.mark.parametrize("action,verbs,optional", [
    ("get", ("get",), ()),
    ("create", ("create",), ()),
    ("apply", ("get", "create", "patch"), ()),
    ("replace", ("get", "update"), ()),
    ("patch", ("patch",), ()),
    ("delete", ("delete",), ("get", "list", "watch")),
])
def test_verbs_per_action(action, verbs, optional):
    [need] = needs(compute(workflow(resource(action), "  entrypoint: r\n")), perms.RESOURCE)
    assert (need.api_group, need.resource, need.verbs, need.optional_verbs) == ("", "configmaps", verbs, optional)
    assert need.resource_names == (() if action == "create" else ("settings",))
    assert need.purposes[verbs[0]] == f"`{action}`"


def test_conditions_outputs_and_flags_add_verbs():
    extra = ("      outputs:\n        parameters:\n          - name: uid\n"
             "            valueFrom: {jsonPath: '{.metadata.uid}'}\n")
    text = workflow(resource("create", extra=extra), "  entrypoint: r\n")
    [need] = needs(compute(text), perms.RESOURCE)
    assert need.verbs == ("get", "create") and need.purposes["get"] == "`outputs`"
    text = workflow(resource("create").replace("        action: create\n", "        action: create\n"
                                               "        successCondition: status.phase == Active\n"),
                    "  entrypoint: r\n")
    [need] = needs(compute(text), perms.RESOURCE)
    assert need.verbs == ("get", "create") and need.purposes["get"] == "`successCondition`"
    # server-side apply: no get; replace --force: delete and create
    for flags, action, verbs in ((["--server-side"], "apply", ("create", "patch")),
                                 (["--force"], "replace", ("create", "delete"))):
        text = workflow(resource(action).replace("        manifest:", f"        flags: {flags}\n        manifest:"),
                        "  entrypoint: r\n")
        [need] = needs(compute(text), perms.RESOURCE)
        assert need.verbs == verbs


def test_flags_name_the_resource():
    def flagged(action, flags, manifest=""):
        text = workflow(f"    - name: r\n      resource:\n        action: {action}\n        flags: {flags}\n"
                        + (f"        mergeStrategy: json\n        manifest: |\n          {manifest}\n" if manifest else ""),
                        "  entrypoint: r\n")
        return needs(compute(text), perms.RESOURCE)

    [need] = flagged("delete", '[configmap, --selector, "app=x"]')
    assert (need.resource, need.verbs, need.resource_names) == ("configmaps", ("list", "delete"), ())
    [need] = flagged("patch", '[pod, "{{pod.name}}"]', "- {op: add, path: /metadata/labels/x, value: y}")
    assert (need.api_group, need.resource, need.verbs, need.resource_names) == ("", "pods", ("patch",), ())
    [need] = flagged("get", "[jobs.batch/nightly, -n, batchjobs]")
    assert (need.api_group, need.resource, need.resource_names, need.target) == \
        ("batch", "jobs", ("nightly",), "batchjobs")
    [need] = flagged("patch", "[workflow, my-wf]", "- {op: add, path: /x, value: y}")
    assert (need.api_group, need.resource) == ("argoproj.io", "workflows")
    result = compute(workflow("    - name: r\n      resource:\n        action: delete\n        flags: [gizmo, x]\n",
                              "  entrypoint: r\n"))
    assert not result.needs[1:] and "gizmo" in result.unknowns[0].why


def test_kind_table_crd_and_guess():
    def resolved(manifest, *more):
        text = workflow(resource("create", manifest), "  entrypoint: r\n")
        [need] = needs(compute(text, *more), perms.RESOURCE)
        return need

    need = resolved("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}")
    assert (need.api_group, need.resource, need.guessed, need.cluster) == ("apps", "deployments", False, False)
    need = resolved("apiVersion: v1\nkind: Namespace\nmetadata: {name: scratch}")
    assert (need.resource, need.cluster, need.target_namespace) == ("namespaces", True, None)
    need = resolved("apiVersion: example.com/v1\nkind: Gizmo\nmetadata: {name: g}")
    assert (need.api_group, need.resource, need.guessed, need.kind) == ("example.com", "gizmos", True, "Gizmo")
    crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: gizmoz.example.com}
        spec:
          group: example.com
          scope: Cluster
          names: {kind: Gizmo, plural: gizmoz}
    """
    need = resolved("apiVersion: example.com/v1\nkind: Gizmo\nmetadata: {name: g}", crd)
    assert (need.resource, need.guessed, need.cluster) == ("gizmoz", False, True)


def test_target_namespace_and_names():
    text = workflow(resource("apply", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: '{{workflow.name}}'\n"
                                      "  namespace: prod"), "  entrypoint: r\n")
    [need] = needs(compute(text), perms.RESOURCE)
    assert (need.namespace, need.target, need.target_namespace, need.resource_names) == ("ci", "prod", "prod", ())
    # unquoted tags in the manifest are read like Argo reads them
    text = workflow(resource("get", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{inputs.parameters.n}}"),
                    "  entrypoint: r\n")
    [need] = needs(compute(text), perms.RESOURCE)
    assert (need.resource, need.resource_names) == ("secrets", ())


def test_what_cannot_be_worked_out():
    broken = workflow(resource("apply", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b\ndata: {}"),
                      "  entrypoint: r\n")
    result = compute(broken)
    [unknown] = result.unknowns
    assert "not valid YAML" in unknown.why
    assert unknown.anchor == ("spec", "templates", 0, "resource", "manifest") and unknown.span is not None
    assert [n.category for n in result.needs] == [perms.EXECUTOR]
    from_artifact = workflow("    - name: r\n      resource:\n        action: create\n"
                             "        manifestFrom: {artifact: {name: m}}\n", "  entrypoint: r\n")
    [unknown] = compute(from_artifact).unknowns
    assert unknown.why == "its manifest comes from an artifact"
    assert unknown.anchor == ("spec", "templates", 0, "resource", "manifestFrom")
    dynamic = workflow(resource("'{{inputs.parameters.action}}'"), "  entrypoint: r\n")
    assert compute(dynamic).unknowns[0].why == "its action is set at run time"


# -- reachability and references ------------------------------------------------------------------

def test_only_reachable_templates_count():
    text = workflow(
        "    - name: main\n      dag:\n        tasks:\n          - name: a\n            template: a\n"
        "            hooks: {exit: {template: hook}}\n"
        "          - name: b\n            inline: {container: {image: alpine}}\n"
        "    - name: a\n      container: {image: alpine}\n"
        "    - name: hook\n      container: {image: alpine}\n"
        "    - name: bye\n      container: {image: alpine}\n"
        "    - name: unused\n      container: {image: alpine}\n",
        "  entrypoint: main\n  onExit: bye\n")
    labels = {n.reasons[0].template for n in compute(text).needs}
    assert labels == {"template `a`", "template `hook`", "template `bye`", "the inline template of `b`"}
    # a WorkflowTemplate: any template may be called by templateRef
    labels = {n.reasons[0].template for n in compute(text.replace("kind: Workflow", "kind: WorkflowTemplate")).needs}
    assert "template `unused`" in labels


def test_template_ref_is_followed_and_anchored_at_the_call():
    library = workflow(resource("delete", name="drop"), "", kind="WorkflowTemplate", name="lib")
    caller = workflow("    - name: main\n      steps:\n        - - name: s\n"
                      "            templateRef: {name: lib, template: drop}\n",
                      "  entrypoint: main\n  serviceAccountName: runner\n")
    index = project(caller, library)
    result = perms.compute(index.documents[0], index)
    [need] = needs(result, perms.RESOURCE)
    assert need.account == "runner"
    [reason] = need.reasons
    assert reason.anchor == ("spec", "templates", 0, "steps", 0, 0, "templateRef") and not reason.own
    assert reason.template == "template `drop` of WorkflowTemplate `lib`"
    # not in the project: noted, not guessed
    result = perms.compute(project(caller).documents[0], project(caller))
    assert result.unknowns[0].category == "reference" and "not in the project" in result.unknowns[0].why


def test_workflow_template_ref_merges_the_spec():
    library = workflow(resource("create", name="make"), "  entrypoint: make\n  serviceAccountName: lib-sa\n",
                       kind="WorkflowTemplate", name="lib")
    caller = ("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: x-, namespace: ci}\n"
              "spec:\n  workflowTemplateRef: {name: lib}\n")
    index = project(caller, library)
    [need] = needs(perms.compute(index.documents[0], index), perms.RESOURCE)
    assert need.account == "lib-sa" and need.reasons[0].anchor == ("spec", "workflowTemplateRef")
    index = project(caller.replace("spec:\n", "spec:\n  serviceAccountName: mine\n"), library)
    [need] = needs(perms.compute(index.documents[0], index), perms.RESOURCE)
    assert need.account == "mine"


def test_cron_workflow_spec():
    text = ("apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\nmetadata: {name: c, namespace: ci}\n"
            "spec:\n  schedules: ['* * * * *']\n  workflowSpec:\n    entrypoint: main\n    templates:\n"
            "      - name: main\n        container: {image: alpine}\n")
    result = compute(text)
    assert result.default_at == ("spec", "workflowSpec")
    assert result.needs[0].reasons[0].anchor == ("spec", "workflowSpec", "templates", 0)


def test_merge_joins_verbs_and_reasons():
    a = perms.Need("sa", "ci", "", "configmaps", ("get",), reasons=[perms.Reason(("x",), "template `a`")])
    b = perms.Need("sa", "ci", "", "configmaps", ("create", "get"), reasons=[perms.Reason(("y",), "template `b`")],
                   optional_verbs=("watch",))
    [merged] = perms.merge([a, b])
    assert merged.verbs == ("get", "create") and merged.optional_verbs == ("watch",)
    assert [r.template for r in merged.reasons] == ["template `a`", "template `b`"]
    assert a.verbs == ("get",)  # inputs untouched
    other = perms.Need("sa", "prod", "", "configmaps", ("get",))
    assert len(perms.merge([a, other])) == 2


def test_resource_label():
    assert perms.resource_label("", "configmaps") == "configmaps"
    assert perms.resource_label("batch", "jobs") == "jobs.batch"
    assert perms.resource_label("argoproj.io", "workflowtasksets/status") == "workflowtasksets.argoproj.io/status"


def test_a_workflow_template_outside_the_project_says_nothing_of_default():
    caller = ("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: x-, namespace: ci}\n"
              "spec:\n  workflowTemplateRef: {name: elsewhere}\n")
    result = compute(caller)
    assert result.needs == [] and result.default_at is None
    assert result.unknowns[0].category == "reference"


# -- what the `rbac` rule asks for where the project holds no RBAC -------------------------

def _resource_view(result):
    """What resource templates need (resource needs, their executors) and leave unknown, comparably."""
    def need(n):
        return (n.category, n.account, n.api_group, n.resource, n.verbs, n.resource_names, n.target, n.cluster,
                n.optional_verbs, tuple(r.anchor for r in n.reasons), tuple(sorted(n.purposes.items())))
    resources = [need(n) for n in result.needs if n.category == perms.RESOURCE]
    anchors = {n.reasons[0].anchor for n in result.needs if n.category == perms.RESOURCE}
    executors = {(n.reasons[0].anchor, n.account) for n in result.needs
                 if n.category == perms.EXECUTOR and n.reasons[0].anchor in anchors}
    unknowns = [(u.account, u.why, u.anchor, u.reason.anchor, u.span) for u in result.unknowns
                if u.category == perms.RESOURCE]
    return resources, executors, unknowns


def test_resources_only_keeps_what_resource_templates_need():
    library = workflow(resource("delete", name="drop") + CONTAINER, "", kind="WorkflowTemplate", name="lib")
    caller = workflow("    - name: main\n      steps:\n        - - name: s\n"
                      "            templateRef: {name: lib, template: drop}\n"
                      "          - {name: t, template: make}\n          - {name: u, template: main2}\n"
                      + resource("apply", name="make", extra="      executor: {serviceAccountName: ex}\n")
                      + CONTAINER.replace("name: main", "name: main2")
                      + "    - name: bad\n      resource: {action: create}\n",
                      "  entrypoint: main\n  serviceAccountName: runner\n  artifactGC: {strategy: OnWorkflowDeletion}\n")
    for texts in ((caller, library), (library,), (caller,)):
        index = project(*texts)
        for document in index.documents:
            full = perms.compute(document, index)
            only = perms.compute(document, index, resources_only=True)
            assert _resource_view(only) == _resource_view(full)
            assert {n.category for n in only.needs} <= {perms.RESOURCE, perms.EXECUTOR}
            assert only.default_at is None


def test_rbac_rule_without_rbac_follows_references_to_resource_templates():
    from wflint.rule import Context
    from wflint.rules import rbac
    inner = workflow(resource("create", name="make"), "", kind="WorkflowTemplate", name="inner")
    outer = workflow("    - name: relay\n      steps:\n        - - name: s\n"
                     "            templateRef: {name: inner, template: make}\n", "",
                     kind="WorkflowTemplate", name="outer")
    plain = workflow(CONTAINER, "", kind="WorkflowTemplate", name="plain")
    caller = workflow("    - name: main\n      steps:\n        - - name: a\n"
                      "            templateRef: {name: outer, template: relay}\n", "  entrypoint: main\n")
    calls_plain = caller.replace("{name: outer, template: relay}", "{name: plain, template: main}")

    def notes(*texts):
        index = project(*texts)
        context = Context(index=index, options={})
        return [f for f in rbac.check(index.documents[0], context)]

    [note] = notes(caller, outer, inner)      # two references away
    assert note.node == ("spec", "templates", 0, "steps", 0, 0, "templateRef")
    assert "configmaps" in note.message
    assert notes(calls_plain, plain, inner) == []
    assert notes(caller) == []                # the reference resolves to nothing
