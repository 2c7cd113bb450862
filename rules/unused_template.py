"""Every template of a Workflow is run from the entrypoint, `onExit` or a hook."""

import itertools

from wflint.argo import callgraph, model
from wflint.finding import finding

ID = "unused-template"
SEVERITY = "warning"
SUMMARY = "Every template of a Workflow is run from the entrypoint, `onExit` or a hook."
ENABLED = False     # opt-in: dead code, but Argo runs the workflow all the same
# A WorkflowTemplate's templates may be called from other workflows by templateRef: never unused.
KINDS = ("Workflow", "CronWorkflow")


def check(document, context):
    graph = callgraph.graph_of(document, context.index)
    if graph.spec.get("workflowTemplateRef") is not None:
        return      # entrypoint, onExit and hooks name the WorkflowTemplate's templates
    entrypoint = graph.spec.get("entrypoint")
    if not isinstance(entrypoint, str) or entrypoint not in graph.own.by_name:
        return      # unknown-template reports it; every template might be the one meant
    unused = [at for at in graph.unreachable() if at.name]
    if not unused or _dynamic_calls(document):
        return      # (dynamic calls: a template named at run time could be any of them)
    for at in unused:
        yield finding(at.path + ("name",), f"template `{at.name}` is never run: it is not the entrypoint, "
                                           "`onExit` or a hook's, and nothing they run calls it",
                      hint="remove it, or call it from a step or task; templates meant to be shared belong "
                           "in a WorkflowTemplate")


def _dynamic_calls(document) -> bool:
    """Does a step, task or hook name its template (or onExit) at run time?"""
    for call in itertools.chain((call for _, call in model.all_calls(document)), model.spec_hooks(document)):
        body = call.body
        if callgraph.dynamic(body.get("template")) or callgraph.dynamic(body.get("onExit")):
            return True
    return callgraph.dynamic(model.spec(document)[1].get("onExit"))
