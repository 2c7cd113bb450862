"""wflint.argo.callgraph: callee resolution, reachability, DAG task graphs, and walks that never recurse."""

import subprocess
import sys

from conftest import dedent, project
from wflint.argo import callgraph, model
from wflint.testing import lint_files, lint_text


WORKFLOW = """\
    apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    metadata:
      name: wf
    spec:
      entrypoint: main
      onExit: bye
      hooks:
        started:
          expression: "true"
          template: hooked
      templates:
        - name: main
          steps:
            - - name: local
                template: leaf
                onExit: cleanup
              - name: inline
                inline:
                  container:
                    image: alpine:3.19
              - name: remote
                templateRef:
                  name: lib
                  template: shared
              - name: lost
                templateRef:
                  name: lib
                  template: nope
              - name: later
                template: "{{inputs.parameters.which}}"
        - name: leaf
          container:
            image: alpine:3.19
        - name: cleanup
          container:
            image: alpine:3.19
        - name: bye
          container:
            image: alpine:3.19
        - name: hooked
          container:
            image: alpine:3.19
        - name: orphan
          container:
            image: alpine:3.19
    """

LIBRARY = """\
    apiVersion: argoproj.io/v1alpha1
    kind: WorkflowTemplate
    metadata:
      name: lib
    spec:
      templates:
        - name: shared
          dag:
            tasks:
              - name: a
                template: inner
        - name: inner
          container:
            image: alpine:3.19
        - name: unused-here
          container:
            image: alpine:3.19
    """


def test_targets_of_one_call_in_argo_order():
    index = project(WORKFLOW, LIBRARY)
    graph = callgraph.graph_of(index.documents[0], index)
    main = model.templates(index.documents[0])[0]
    found = {}
    for call in model.steps(main):
        found[call.name] = [(t.how, t.name, t.missing, t.holder.label if t.found else None)
                            for t in graph.targets(graph.own, call.path, call.body)]
    assert found == {
        "local": [("template", "leaf", None, None), ("onExit", "cleanup", None, None)],
        "inline": [("inline", "inline", None, None)],
        "remote": [("templateRef", "shared", None, "WorkflowTemplate `lib`")],
        "lost": [("templateRef", "nope", "unknown", None)],
        "later": [("template", "{{inputs.parameters.which}}", "dynamic", None)],
    }


def test_callee_follows_argos_precedence():
    index = project(WORKFLOW, LIBRARY)
    graph = callgraph.graph_of(index.documents[0], index)
    path = ("spec", "templates", 0, "steps", 0, 0)
    both = {"template": "leaf", "templateRef": {"name": "lib", "template": "shared"},
            "inline": {"container": {"image": "alpine:3.19"}}}
    assert graph.callee(graph.own, path, both).how == "inline"
    del both["inline"]
    found = graph.callee(graph.own, path, both)
    assert (found.how, found.name, found.holder.label) == ("templateRef", "shared", "WorkflowTemplate `lib`")
    del both["templateRef"]
    assert graph.callee(graph.own, path, both).template["name"] == "leaf"
    assert graph.callee(graph.own, path, {"name": "x"}) is None


def test_reachable_across_files_and_unreachable():
    index = project(WORKFLOW, LIBRARY)
    graph = callgraph.graph_of(index.documents[0], index)
    reached = [(h.label, model.as_str(t.get("name"))) for h, _, t in graph.reachable()]
    assert reached == [(None, "main"), (None, "leaf"), (None, "cleanup"), (None, None),
                       ("WorkflowTemplate `lib`", "shared"), ("WorkflowTemplate `lib`", "inner"),
                       (None, "bye"), (None, "hooked")]
    assert [at.name for at in graph.unreachable()] == ["orphan"]
    assert graph is callgraph.graph_of(index.documents[0], index)        # memoized per document and index


def test_a_library_reaches_every_template():
    index = project(LIBRARY)
    graph = callgraph.graph_of(index.documents[0], index)
    assert graph.unreachable() == []


def test_workflow_template_ref_roots_come_from_the_template():
    index = project("""\
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: run
        spec:
          workflowTemplateRef:
            name: lib2
        """, """\
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowTemplate
        metadata:
          name: lib2
        spec:
          entrypoint: go
          templates:
            - name: go
              container:
                image: alpine:3.19
            - name: other
              container:
                image: alpine:3.19
        """)
    graph = callgraph.graph_of(index.documents[0], index)
    assert [model.as_str(t.get("name")) for _, _, t in graph.reachable()] == ["go"]


def dag_of(tasks):
    text = ("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: d\nspec:\n  entrypoint: m\n"
            "  templates:\n    - name: m\n      dag:\n        tasks:\n")
    for name, depends in tasks:
        text += f"          - name: {name}\n            template: m\n"
        if depends:
            text += f"            depends: \"{depends}\"\n"
    index = project(text)
    return callgraph.task_graph(callgraph.dags(index.documents[0])[0])


def test_task_graph_algorithms():
    graph = dag_of([("a", None), ("b", "a"), ("c", "a"), ("d", "b && c.Failed && a"), ("e", None)])
    assert graph.names == ["a", "b", "c", "d", "e"]
    assert graph.deps == [set(), {0}, {0}, {0, 1, 2}, set()]
    assert graph.levels() == [0, 1, 1, 2, 0]
    assert [graph.names[i] for i in graph.critical_path()] == ["a", "b", "d"]
    assert [(graph.names[j], graph.names[i]) for j, i in graph.redundant()] == [("a", "d")]
    assert graph.where(3, "c") == (graph.calls[3].path + ("depends",), (5, 6))


def test_task_graph_with_a_cycle():
    graph = dag_of([("a", "c"), ("b", "a"), ("c", "b"), ("d", None)])
    order, stuck = graph.topological()
    assert order == [3] and stuck == [0, 1, 2]
    assert graph.strongly_connected(stuck) == [[0, 1, 2]]
    assert graph.levels() is None and graph.critical_path() is None and graph.redundant() == []


def test_find_cycles_in_walk_order():
    graph = {"a": ["b"], "b": ["c", "x"], "c": ["a", "b"], "d": ["d"]}
    assert list(callgraph.find_cycles(graph)) == [["a", "b", "c", "a"], ["b", "c", "b"], ["d", "d"]]


# -- large inputs lint without crash (the timing lives in bench/callgraph.py) ------------

def container_set_chain(n):
    lines = ["apiVersion: argoproj.io/v1alpha1", "kind: Workflow", "metadata:", "  name: chain", "spec:",
             "  entrypoint: main", "  templates:", "    - name: main", "      containerSet:", "        containers:"]
    for i in range(n):
        lines += [f"          - name: c{i}", "            image: alpine:3.19"]
        if i:
            lines.append(f"            dependencies: [c{i - 1}]")
    return "\n".join(lines) + "\n"


def big_dag(n):
    lines = ["apiVersion: argoproj.io/v1alpha1", "kind: Workflow", "metadata:", "  name: big", "spec:",
             "  entrypoint: main", "  templates:", "    - name: work", "      container:", "        image: alpine:3.19",
             "    - name: main", "      dag:", "        tasks:"]
    for i in range(n):
        lines += [f"          - name: t{i}", "            template: work"]
        if i:
            lines.append(f"            depends: t{i - 1}" + (f" && t{i // 2}" if i % 3 == 0 else ""))
    return "\n".join(lines) + "\n"


def test_a_6000_container_chain_lints_without_crash():
    report = lint_text(container_set_chain(6000))
    assert not [f for f in report.findings if f.rule == "internal-error"]
    assert not [f for f in report.findings if f.rule.partition("/")[0] == "template-structure"]


def test_a_6000_container_cycle_is_reported_once():
    text = container_set_chain(6000).replace("          - name: c0\n            image: alpine:3.19\n",
                                             "          - name: c0\n            image: alpine:3.19\n"
                                             "            dependencies: [c5999]\n")
    report = lint_text(text)
    assert not [f for f in report.findings if f.rule == "internal-error"]
    cycles = [f for f in report.findings if "in a cycle" in f.message]
    assert len(cycles) == 1 and cycles[0].message.startswith("containerSet containers depend on each other")


def test_a_10000_task_dag_lints_without_crash():
    report = lint_text(big_dag(10000), select=["dag-cycle", "dag-dependency", "unknown-template",
                                               "template-structure", "unused-template"])
    assert not [f for f in report.findings if f.rule == "internal-error"]
    assert not [f for f in report.findings if f.rule in ("dag-cycle", "dag-dependency", "unknown-template")]


def test_a_10000_task_cycle_is_reported():
    text = big_dag(10000).replace("          - name: t0\n            template: work\n",
                                  "          - name: t0\n            template: work\n            depends: t9999\n")
    report = lint_text(text, select=["dag-cycle"])
    assert [f.rule for f in report.findings] == ["dag-cycle"]


def test_check_does_not_import_networkx(tmp_path):
    target = tmp_path / "wf.yaml"
    target.write_text(dedent(WORKFLOW), encoding="utf-8")
    code = ("import sys\nimport wflint.cli.main\n"
            "try:\n    wflint.cli.main.main(['check', '--no-cache', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
            "print('networkx' in sys.modules)\n")
    run = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True, text=True, timeout=120)
    assert run.stdout.strip().splitlines()[-1] == "False", run.stdout + run.stderr


def test_runs_follow_argos_precedence_and_on_exit():
    index = project(WORKFLOW, LIBRARY)
    graph = callgraph.graph_of(index.documents[0], index)
    path = ("spec", "templates", 0, "steps", 0, 0)
    both = {"template": "leaf", "templateRef": {"name": "lib", "template": "shared"}, "onExit": "cleanup"}
    assert [(t.how, t.name) for t in graph.runs(graph.own, path, both)] == [("templateRef", "shared"),
                                                                            ("onExit", "cleanup")]
    assert graph.ref_holder({"name": "lib", "template": "anything"}).name == "lib"
    assert graph.ref_holder({"name": "nope", "template": "x"}) is None


def test_reached_names_stay_in_the_document():
    index = project(WORKFLOW, LIBRARY)
    graph = callgraph.graph_of(index.documents[0], index)
    assert graph.reached_names(["main"]) == {"main", "leaf", "cleanup"}
    assert graph.reached_names(["bye"]) == {"bye"}
    assert graph.reached_names(["no-such-template"]) == frozenset()


def test_a_cluster_workflow_templates_references_resolve_in_any_namespace():
    # Kubernetes ignores `metadata.namespace` on a cluster-scoped object; Argo
    # resolves the reference in the namespace of the Workflow that runs it.
    index = project("""\
        apiVersion: argoproj.io/v1alpha1
        kind: ClusterWorkflowTemplate
        metadata:
          name: shared
          namespace: tools
        spec:
          templates:
            - name: main
              steps:
                - - name: s
                    templateRef:
                      name: lib3
                      template: go
        """, """\
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowTemplate
        metadata:
          name: lib3
          namespace: builds
        spec:
          templates:
            - name: go
              container:
                image: alpine:3.19
        """)
    graph = callgraph.graph_of(index.documents[0], index)
    call = model.steps(model.templates(index.documents[0])[0])[0]
    assert graph.callee(graph.own, call.path, call.body).found


def test_a_3000_template_ref_chain_reads_workflow_parameters_without_crash():
    chain = ["apiVersion: argoproj.io/v1alpha1", "kind: WorkflowTemplate", "metadata:", "  name: deep",
             "spec:", "  templates:"]
    for i in range(3000):
        chain += [f"    - name: t{i}", "      steps:", f"        - - name: s", f"            template: t{i + 1}"]
    chain += ["    - name: t3000", "      container:", "        image: alpine:3.19",
              "        args: [\"{{workflow.parameters.missing}}\"]"]
    workflow = dedent("""\
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          name: caller
        spec:
          entrypoint: main
          arguments:
            parameters:
              - name: present
                value: x
          templates:
            - name: main
              steps:
                - - name: go
                    templateRef:
                      name: deep
                      template: t0
        """)
    report = lint_files({"deep.yaml": "\n".join(chain) + "\n", "wf.yaml": workflow}, select=["variable"])
    assert not [f for f in report.findings if f.rule == "internal-error"]
    assert [f.message.split(",")[0] for f in report.findings if f.rule == "variable"] == [
        "`deep/t0` reads `workflow.parameters.missing`"]


def test_task_graph_ancestors_and_waits_for():
    graph = dag_of([("a", None), ("b", "a"), ("c", "b.Succeeded || a.Failed"), ("d", None)])
    assert graph.ancestors() == [0, 0b1, 0b11, 0]
    assert graph.waits_for(graph.calls[2], "a") and not graph.waits_for(graph.calls[3], "a")
    assert not graph.dynamic
    cyclic = dag_of([("a", "c"), ("b", "a"), ("c", "b")])
    assert cyclic.ancestors() == [0b110, 0, 0b10]        # the edge closing the cycle (b -> a) is ignored
