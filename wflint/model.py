"""Walking an Argo document's data: the shapes every rule needs, each with its path.

Input may be any YAML at all, so every accessor tolerates the wrong type
where a mapping or list belongs (the `schema` rule reports those) and simply
yields nothing for it. Paths are tuples of keys and indexes, the form rules
give to ``wflint.finding``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Tuple

from .finding import NodePath

TEMPLATE_TYPES = ("container", "containerSet", "script", "resource", "suspend", "steps", "dag",
                  "data", "http", "plugin")
# Templates that run a pod (and so an executor).
POD_TYPES = frozenset({"container", "containerSet", "script", "resource", "data"})
LEAF_TYPES = frozenset({"container", "containerSet", "script", "resource", "data", "http", "plugin"})
LOOP_KEYS = ("withItems", "withParam", "withSequence")


def as_dict(value: Any) -> Dict:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> List:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None


def spec(document) -> Tuple[NodePath, Dict]:
    """The workflow spec: `spec`, or a CronWorkflow's `spec.workflowSpec`."""
    data = as_dict(document.data)
    top = as_dict(data.get("spec"))
    if document.kind == "CronWorkflow":
        return ("spec", "workflowSpec"), as_dict(top.get("workflowSpec"))
    return ("spec",), top


def template_type(template: Dict) -> Optional[str]:
    """The first type a template declares (`container`, `steps`, ...), or None.
    `steps: []` counts (Argo treats an explicit empty list as a steps template)."""
    for key in TEMPLATE_TYPES:
        if template.get(key) is not None:
            return key
    return None


def template_types(template: Dict) -> List[str]:
    return [key for key in TEMPLATE_TYPES if template.get(key) is not None]


@dataclass(frozen=True)
class TemplateAt:
    """A template and where it is: top level (``spec.templates[i]``) or inline
    in a step or task (``...inline``), in which case ``owner`` is that step's path."""

    path: NodePath
    template: Dict
    owner: Optional[NodePath] = None

    @property
    def name(self) -> Optional[str]:
        return as_str(self.template.get("name"))

    @property
    def inline(self) -> bool:
        return self.owner is not None


@dataclass(frozen=True)
class Call:
    """A step, a DAG task or a hook: something that invokes a template."""

    path: NodePath
    body: Dict
    kind: str           # "step", "task" or "hook"
    group: int = -1     # step group index for steps

    @property
    def name(self) -> Optional[str]:
        return as_str(self.body.get("name"))


def templates(document) -> Iterator[TemplateAt]:
    """Top-level templates of the workflow spec, in order."""
    base, body = spec(document)
    for i, template in enumerate(as_list(body.get("templates"))):
        if isinstance(template, dict):
            yield TemplateAt(base + ("templates", i), template)


def all_templates(document) -> Iterator[TemplateAt]:
    """Top-level templates and every inline template inside them, depth first."""
    base, body = spec(document)
    stack = [TemplateAt(base + ("templates", i), t)
             for i, t in reversed(list(enumerate(as_list(body.get("templates"))))) if isinstance(t, dict)]
    while stack:
        at = stack.pop()
        yield at
        inner = []
        for call in calls(at):
            inline = call.body.get("inline")
            if isinstance(inline, dict):
                inner.append(TemplateAt(call.path + ("inline",), inline, owner=call.path))
        stack.extend(reversed(inner))


def steps(at: TemplateAt) -> Iterator[Call]:
    """Every step of a steps template, with its group index."""
    for g, group in enumerate(as_list(at.template.get("steps"))):
        for s, step in enumerate(as_list(group)):
            if isinstance(step, dict):
                yield Call(at.path + ("steps", g, s), step, "step", g)


def tasks(at: TemplateAt) -> Iterator[Call]:
    """Every task of a DAG template."""
    dag = as_dict(at.template.get("dag"))
    for t, task in enumerate(as_list(dag.get("tasks"))):
        if isinstance(task, dict):
            yield Call(at.path + ("dag", "tasks", t), task, "task")


def hooks(owner_path: NodePath, owner: Dict) -> Iterator[Call]:
    """Lifecycle hooks of a workflow spec, a step or a task."""
    for name, hook in as_dict(owner.get("hooks")).items():
        if isinstance(hook, dict):
            yield Call(owner_path + ("hooks", name), hook, "hook")


def calls(at: TemplateAt) -> Iterator[Call]:
    """Steps and tasks of a template, and the hooks on each of them."""
    for call in list(steps(at)) + list(tasks(at)):
        yield call
        yield from hooks(call.path, call.body)


def all_calls(document) -> Iterator[Tuple[TemplateAt, Call]]:
    """Every step, task and step/task hook in the document, with its template;
    workflow-level hooks are reported by ``spec_hooks``."""
    for at in all_templates(document):
        for call in calls(at):
            yield at, call


def spec_hooks(document) -> Iterator[Call]:
    base, body = spec(document)
    yield from hooks(base, body)


def template_names(document) -> List[str]:
    """Names of the document's top-level templates (inline ones have no name to call)."""
    return [at.name for at in templates(document) if at.name]
