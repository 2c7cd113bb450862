"""`wflint graph`: the graphs of a workflow, built with networkx from the call graph.

For each Argo document: the template call graph (what the entrypoint,
`onExit`, the workflow's hooks, every step, task and hook run, across files
through `templateRef`), each DAG's task graph and each steps template's
groups; and, on request, statistics (depth, widest level, critical path,
unreachable templates, redundant dependencies).

networkx is imported here only: this module is loaded by the `graph`
command, never on the `check` path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import networkx as nx

from . import callgraph, model

RUNNABLE = ("Workflow", "CronWorkflow")


class GraphError(Exception):
    """A usage problem (`--template` names no template)."""


@dataclass
class TaskGraphView:
    """One DAG: its tasks (node id -> label) and dependencies, in file order."""

    template: str               # how the DAG's template is named
    graph: Any                  # nx.DiGraph: dependency -> dependent
    cyclic: bool = False
    tasks: Any = None           # the callgraph.TaskGraph it is drawn from


@dataclass
class StepsView:
    template: str
    groups: List[List[str]]     # step names (or labels), group by group


@dataclass
class DocumentGraph:
    prefix: str                 # unique per document: node ids start with it
    title: str
    file: str
    line: int
    kind: str
    name: Optional[str]
    calls: Any                  # nx.DiGraph of templates: node attrs label, kind; edge attr how
    dags: List[TaskGraphView] = field(default_factory=list)
    steps: List[StepsView] = field(default_factory=list)
    unreachable: List[str] = field(default_factory=list)
    check_reach: bool = False   # whether unreachable templates are meaningful here


def _template_label(holder, path, template, target=None) -> str:
    name = model.as_str(template.get("name"))
    if holder.own:
        if name:
            return name
        owner = target.name if target is not None else None
        return f"inline in {owner}" if owner else "inline template"
    if name:
        return f"{name} ({holder.label})"
    return f"inline template ({holder.label})"


def _missing_label(target) -> str:
    if target.how == "templateRef":
        ref = target.ref or {}
        shown = f"{ref.get('name')}/{ref.get('template')}"
        why = {"dynamic": "set at run time", "opaque": "declared, not in the project"}.get(target.missing, "not found")
        return f"{shown} ({why})"
    if target.missing == "dynamic":
        return f"{target.name} (set at run time)"
    return f"{target.name or '?'} (not found)"


def build(document, index, prefix: str, template: Optional[str] = None) -> DocumentGraph:
    """The graphs of one document (``template``: start from that template only)."""
    graph = callgraph.graph_of(document, index)
    calls = nx.DiGraph()
    ids: Dict[Any, str] = {}

    def node(key, label, kind) -> str:
        found = ids.get(key)
        if found is None:
            found = ids[key] = f"{prefix}n{len(ids)}"
            calls.add_node(found, label=label, kind=kind)
        return found

    def template_node(holder, path, tmpl, target=None) -> str:
        kind = "template" if holder.own else "reference"
        return node((id(holder), path), _template_label(holder, path, tmpl, target), kind)

    name = document.name or getattr(document, "generate_name", None)
    title = f"{document.kind} {name}" if name else document.kind
    root = node("root", title, "workflow")
    roots = []
    holder = graph.run_holder()
    if template is not None:
        found = graph.own.by_name.get(template)
        if found is None:
            from ..suggest import did_you_mean
            raise GraphError(f"{document.path}: no template `{template}` in {title}"
                             + did_you_mean(template, graph.own.names()))
        roots.append((graph.own, "template", found, template_node(graph.own, *found)))
        calls.add_edge(root, roots[0][3], how="template")
    else:
        for kind, item in graph.roots():
            if kind == "target":
                target_id = template_node(holder, item.path, item.template)
                calls.add_edge(root, target_id, how=item.how)
                roots.append((holder, "template", (item.path, item.template), target_id))
            elif kind == "template":
                roots.append((holder, "template", item, template_node(holder, *item)))
            else:
                roots.append((holder, "call", item, root))

    def descend(holder, call, target, context):
        return template_node(target.holder, target.path, target.template, target)

    walked = []
    for event, item in graph.walk(roots, descend=descend):
        if event == "template":
            walked.append(item)
            continue
        caller_holder, call, target, caller = item
        if target.found:
            callee = template_node(target.holder, target.path, target.template, target)
        else:
            callee = node(("missing", call.path, target.how), _missing_label(target), "missing")
        how = target.how
        if call.kind == "hook":
            how = f"hook {call.path[-1]}" if how == "template" or how == "templateRef" else how
        if not calls.has_edge(caller, callee):
            calls.add_edge(caller, callee, how=how)
        else:   # called several ways: the edge names each once
            edge = calls.edges[caller, callee]
            if how not in edge["how"].split(", "):
                edge["how"] += f", {how}"

    out = DocumentGraph(prefix=prefix, title=title, file=document.path,
                        line=document.node.start_mark.line + document.line_offset + 1,
                        kind=document.kind, name=document.name, calls=calls)
    spec = graph.effective_spec()
    out.check_reach = (template is None and document.kind in RUNNABLE and graph.run_holder() is graph.own
                       and isinstance(spec.get("entrypoint"), str) and spec.get("entrypoint") in graph.own.by_name)
    if out.check_reach:
        reached = {p for h, p, _t, _c in walked if h is graph.own}
        out.unreachable = [at.name or "?" for at in model.templates(document) if at.path not in reached]

    # DAGs and steps of the document's own templates the walk reached (all of them for a library).
    seen = set()
    order = [(p, t) for h, p, t, _c in walked if h is graph.own]
    by_path = {at.path: at for at in model.all_templates(document)}
    for path, tmpl in order:
        if path in seen:
            continue
        seen.add(path)
        at = by_path.get(path)
        if at is None:
            continue
        label = _template_label(graph.own, path, tmpl, None) if at.name else f"inline template at {_dotted(path)}"
        if isinstance(tmpl.get("dag"), dict):
            out.dags.append(_dag_view(at, label))
        if isinstance(tmpl.get("steps"), list):
            groups = [[model.as_str(step.body.get("name")) or f"step {step.path[-1]}" for step in model.steps(at)
                       if step.group == g] for g, _ in enumerate(tmpl["steps"])]
            out.steps.append(StepsView(label, groups))
    return out


def _dotted(path) -> str:
    return ".".join(str(p) for p in path)


def _dag_view(at, label) -> TaskGraphView:
    tasks = callgraph.task_graph(at)
    dag = nx.DiGraph()
    for i, name in enumerate(tasks.names):
        body = tasks.calls[i].body
        dag.add_node(i, label=name, template=model.as_str(body.get("template")))
    for j, i in tasks.edges():
        dag.add_edge(j, i)
    return TaskGraphView(label, dag, cyclic=not nx.is_directed_acyclic_graph(dag), tasks=tasks)


# -- statistics --------------------------------------------------------------------

def dag_stats(view: TaskGraphView) -> Dict[str, Any]:
    dag = view.graph
    names = {n: dag.nodes[n]["label"] for n in dag.nodes}
    if view.cyclic:
        return {"template": view.template, "tasks": dag.number_of_nodes(), "cycle": True}
    levels = list(nx.topological_generations(dag))
    widest = max(levels, key=len) if levels else []
    critical = nx.dag_longest_path(dag, topo_order=_stable_topo(dag)) if dag.number_of_nodes() else []
    # The edges nx.transitive_reduction drops, from ancestor bit sets: it is
    # quadratic in nodes, minutes on a 10,000-task chain.
    redundant = sorted(view.tasks.redundant(), key=lambda e: (e[1], e[0]))
    return {"template": view.template, "tasks": dag.number_of_nodes(), "cycle": False,
            "depth": len(levels), "widest_level": len(widest),
            "widest_tasks": [names[n] for n in sorted(widest)],
            "critical_path": [names[n] for n in critical],
            "redundant_dependencies": [{"task": names[i], "dependency": names[j]} for j, i in redundant]}


def _stable_topo(dag) -> List[int]:
    return list(nx.lexicographical_topological_sort(dag))


def call_stats(doc: DocumentGraph) -> Dict[str, Any]:
    calls = doc.calls
    acyclic = nx.is_directed_acyclic_graph(calls)
    stats: Dict[str, Any] = {"templates": sum(1 for _, k in calls.nodes(data="kind") if k != "workflow"),
                             "recursive": not acyclic}
    if acyclic:
        root = f"{doc.prefix}n0"
        depth = nx.dag_longest_path_length(calls.subgraph(nx.descendants(calls, root) | {root}))
        stats["depth"] = depth
    if doc.check_reach:
        stats["unreachable_templates"] = list(doc.unreachable)
    return stats


def stats_of(doc: DocumentGraph) -> Dict[str, Any]:
    return {"calls": call_stats(doc), "dags": [dag_stats(v) for v in doc.dags],
            "steps": [{"template": s.template, "groups": len(s.groups),
                       "widest_group": max((len(g) for g in s.groups), default=0)} for s in doc.steps]}
