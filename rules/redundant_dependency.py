"""A DAG task waits for a task it already waits for through another of its dependencies."""

from wflint.argo import callgraph
from wflint.finding import finding

ID = "redundant-dependency"
SEVERITY = "info"
SUMMARY = "A DAG task waits for a task it already waits for through another of its dependencies."
ENABLED = False     # harmless, and sometimes written on purpose to document an order: opt-in
KINDS = ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow")


def check(document, context):
    for at in callgraph.dags(document):
        graph = callgraph.task_graph(at)
        if len(graph) < 3:
            continue
        implied = graph.implied()
        names = graph.names if implied else None
        for j, i, k in implied:
            path, span = graph.where(i, names[j])
            yield finding(path, f"task `{names[i]}` waits for `{names[j]}`, which it already waits for through "
                                f"`{names[k]}`: the dependency changes nothing",
                          span=span, hint=f"remove `{names[j]}` from the dependencies of `{names[i]}`")
