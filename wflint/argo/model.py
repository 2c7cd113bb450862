"""Walking an Argo document's data: the shapes every rule needs, each with its path.

Input may be any YAML at all, so every accessor tolerates the wrong type
where a mapping or list belongs (the `schema` rule reports those) and simply
yields nothing for it. Paths are tuples of keys and indexes, the form rules
give to ``wflint.finding``.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Tuple

from ..source.coerce import as_dict, as_list, as_str  # noqa: F401  (rules read them here)
from ..finding import NodePath
from ..slots import Record

TEMPLATE_TYPES = ("container", "containerSet", "script", "resource", "suspend", "steps", "dag",
                  "data", "http", "plugin")
# Templates that run a pod (and so an executor).
POD_TYPES = frozenset({"container", "containerSet", "script", "resource", "data"})
LEAF_TYPES = frozenset({"container", "containerSet", "script", "resource", "data", "http", "plugin"})
LOOP_KEYS = ("withItems", "withParam", "withSequence")


def _memo(document, key, build):
    """``build()``, computed once per document: every rule walks the same shapes.
    Rules and plugins use the public ``document.memoize(key, build)``; this
    also accepts stand-in documents without a memo (computed every time)."""
    memoize = getattr(document, "memoize", None)
    return build() if memoize is None else memoize(key, build)


# The accessors every rule calls many times per document (``spec``,
# ``templates``, ``all_templates``, ``all_calls``, ...) first look in
# ``document.memo`` directly, where ``document.memoize`` keeps its values: a
# dictionary look-up in a ``try`` (free when it succeeds) instead of calls.
# One walk (``_walked``) puts five of them there at once.
_NOT_YET = (AttributeError, KeyError, TypeError)   # no memo (a stand-in document), or not computed yet


def _memo_on(at, key, build):
    """The same, kept on a TemplateAt, which the document's memo keeps alive."""
    found = at.__dict__.get(key)
    if found is None:
        found = build()
        at.__dict__[key] = found
    return found


def spec(document) -> Tuple[NodePath, Dict]:
    """The workflow spec: `spec`, or a CronWorkflow's `spec.workflowSpec`."""
    try:
        return document.memo["spec"]
    except _NOT_YET:
        pass
    memo = getattr(document, "memo", None)
    if type(memo) is not dict:
        return _memo(document, "spec", lambda: _spec(document))
    found = memo["spec"] = _spec(document)
    return found


_SPEC = ("spec",)
_CRON_SPEC = ("spec", "workflowSpec")


def _spec(document) -> Tuple[NodePath, Dict]:
    data = document.data
    top = data.get("spec") if isinstance(data, dict) else None
    if not isinstance(top, dict):
        top = {}
    if document.kind == "CronWorkflow":
        return _CRON_SPEC, as_dict(top.get("workflowSpec"))
    return _SPEC, top


def template_type(template: Dict) -> Optional[str]:
    """The first type a template declares (`container`, `steps`, ...), or None.
    `steps: []` counts (Argo treats an explicit empty list as a steps template)."""
    for key in TEMPLATE_TYPES:
        if template.get(key) is not None:
            return key
    return None


def template_types(template: Dict) -> List[str]:
    return [key for key in TEMPLATE_TYPES if template.get(key) is not None]


class TemplateAt(Record):
    """A template and where it is: top level (``spec.templates[i]``) or inline
    in a step or task (``...inline``), in which case ``owner`` is that step's path.
    Built by the thousand per run, so a Record (a frozen dataclass's
    ``__init__`` costs five times as much). Never change one: the document's
    memo shares them between rules."""

    # the walk sets _steps, _tasks and _calls; the __dict__ holds what _memo_on keeps
    __slots__ = ("path", "template", "owner", "_steps", "_tasks", "_calls", "__dict__")
    _FIELDS = ("path", "template", "owner")

    def __init__(self, path: NodePath, template: Dict, owner: Optional[NodePath] = None):
        self.path = path
        self.template = template
        self.owner = owner

    @property
    def name(self) -> Optional[str]:
        return as_str(self.template.get("name"))

    @property
    def inline(self) -> bool:
        return self.owner is not None


class Call(Record):
    """A step, a DAG task or a hook: something that invokes a template.
    ``kind`` is "step", "task" or "hook"; ``group`` the step group's index
    (-1 for tasks and hooks). Shared like TemplateAt."""

    # the __dict__ holds the call graph's answers (callgraph.of_call)
    __slots__ = ("path", "body", "kind", "group", "__dict__")
    _FIELDS = ("path", "body", "kind", "group")

    def __init__(self, path: NodePath, body: Dict, kind: str, group: int = -1):
        self.path = path
        self.body = body
        self.kind = kind
        self.group = group

    @property
    def name(self) -> Optional[str]:
        return as_str(self.body.get("name"))


def templates(document) -> List[TemplateAt]:
    """Top-level templates of the workflow spec, in order."""
    try:
        return document.memo["templates"]
    except _NOT_YET:
        return _walked(document)[0]


def all_templates(document) -> List[TemplateAt]:
    """Top-level templates and every inline template inside them, depth first."""
    try:
        return document.memo["all_templates"]
    except _NOT_YET:
        return _walked(document)[1]


def all_calls(document) -> List[Tuple[TemplateAt, Call]]:
    """Every step, task and step/task hook in the document, with its template;
    workflow-level hooks are reported by ``spec_hooks``."""
    try:
        return document.memo["all_calls"]
    except _NOT_YET:
        return _walked(document)[2]


def _walked(document):
    """``templates``, ``all_templates``, ``all_calls``, ``spec_hooks`` and
    ``ref_calls`` of ``document``, from one walk of its templates, kept in the
    memo under those keys (a stand-in document without ``memo`` keeps them
    through ``memoize``, if it has one)."""
    memo = getattr(document, "memo", None)
    if type(memo) is not dict:
        return _memo(document, "walk", lambda: _walk(spec(document)))
    located = memo.get("spec")       # (often not read yet: then without `spec`'s KeyError)
    if located is None:
        located = memo["spec"] = _spec(document)
    found = _walk(located)
    memo["templates"], memo["all_templates"], memo["all_calls"], memo["spec_hooks"], memo["ref_calls"] = found
    return found


def _walk(located: Tuple[NodePath, Dict]):
    """The one walk every rule shares: the top-level templates, then each
    template (depth first, an inline template after the call holding it) with
    its steps, tasks and hooks, which are kept on its TemplateAt for
    ``steps``, ``tasks`` and ``calls`` (so each is built once, here); then the
    workflow's hooks, and the calls among all those that have a templateRef.
    ``located`` is ``spec(document)``."""
    base, body = located
    listed = body.get("templates")
    if isinstance(listed, list) and listed:
        where = base + ("templates",)
        tops = [TemplateAt(where + (i,), template) for i, template in enumerate(listed) if isinstance(template, dict)]
    else:
        tops = []
    everything = []
    pairs = []
    refs = []
    stack = tops[::-1]
    while stack:
        at = stack.pop()
        everything.append(at)
        found = _fill(at)
        if found:
            inner = None
            for call in found:
                pairs.append((at, call))
                call_body = call.body
                if "templateRef" in call_body:
                    refs.append(call)
                inline = call_body.get("inline")
                if inline is not None and isinstance(inline, dict):
                    if inner is None:
                        inner = []
                    inner.append(TemplateAt(call.path + ("inline",), inline, owner=call.path))
            if inner:
                stack.extend(reversed(inner))
    if body.get("hooks") is not None:
        workflow_hooks = tuple(hooks(base, body))
        refs.extend(hook for hook in workflow_hooks if "templateRef" in hook.body)
    else:
        workflow_hooks = ()
    return tops, everything, pairs, workflow_hooks, refs


def _fill(at: TemplateAt) -> List[Call]:
    """Builds a template's steps, tasks and calls (see ``steps``, ``tasks``,
    ``calls``) at once, keeps them on ``at`` and returns the calls."""
    template = at.template
    groups = template.get("steps")
    dag = template.get("dag")
    if groups is None and dag is None:
        # A leaf template (most are): no steps, tasks or hooks; one empty list serves as all three.
        at._steps = at._tasks = at._calls = found = []
        return found
    steps = []
    if groups is not None and isinstance(groups, list):
        where = at.path + ("steps",)
        for g, group in enumerate(groups):
            if isinstance(group, list):
                for s, step in enumerate(group):
                    if isinstance(step, dict):
                        steps.append(Call(where + (g, s), step, "step", g))
    listed = dag.get("tasks") if dag is not None and isinstance(dag, dict) else None
    if listed and isinstance(listed, list):
        where = at.path + ("dag", "tasks")
        tasks = [Call(where + (t,), task, "task") for t, task in enumerate(listed) if isinstance(task, dict)]
    else:
        tasks = []
    found = steps + tasks
    if found and any(call.body.get("hooks") is not None for call in found):
        found = _with_hooks(found)
    at._steps = steps
    at._tasks = tasks
    at._calls = found
    return found


def _with_hooks(found: List[Call]) -> List[Call]:
    out = []
    for call in found:
        out.append(call)
        if call.body.get("hooks") is not None:
            out.extend(hooks(call.path, call.body))
    return out


def steps(at: TemplateAt) -> List[Call]:
    """Every step of a steps template, with its group index."""
    try:
        return at._steps      # kept by the walk (a try costs nothing when it succeeds)
    except AttributeError:
        _fill(at)
        return at._steps


def tasks(at: TemplateAt) -> List[Call]:
    """Every task of a DAG template."""
    try:
        return at._tasks
    except AttributeError:
        _fill(at)
        return at._tasks


def hooks(owner_path: NodePath, owner: Dict) -> Iterator[Call]:
    """Lifecycle hooks of a workflow spec, a step or a task."""
    for name, hook in as_dict(owner.get("hooks")).items():
        if isinstance(hook, dict):
            yield Call(owner_path + ("hooks", name), hook, "hook")


def calls(at: TemplateAt) -> List[Call]:
    """Steps and tasks of a template, and the hooks on each of them."""
    try:
        return at._calls
    except AttributeError:
        return _fill(at)


def calls_of(document, path: NodePath, template: Dict) -> List[Call]:
    """``calls(TemplateAt(path, template))``, memoized in ``document`` for
    templates that are not the document's own (reached through a reference)."""
    try:
        own = document.memo["templates_by_path"]
    except _NOT_YET:
        own = _memo(document, "templates_by_path", lambda: {at.path: at for at in all_templates(document)})
    at = own.get(path)
    if at is not None and at.template is template:
        return calls(at)     # one of the document's own: share its walk
    key = ("calls", id(template), path)
    try:
        return document.memo[key]
    except _NOT_YET:
        return _memo(document, key, lambda: calls(TemplateAt(path, template)))


def ref_calls(document) -> List[Call]:
    """The steps, tasks and hooks (``all_calls``, then ``spec_hooks``) that have
    a `templateRef`, in that order: the few calls that reach other documents."""
    try:
        return document.memo["ref_calls"]
    except _NOT_YET:
        return _walked(document)[4]


def spec_hooks(document) -> Tuple[Call, ...]:
    """The workflow's lifecycle hooks (worked out once per document)."""
    try:
        return document.memo["spec_hooks"]
    except _NOT_YET:
        return _walked(document)[3]


def parsed_text(document, text: str):
    """``loader.parse_text(text)``, once per document and text: the
    `resource-template` and `rbac` rules both read each resource manifest
    (masked the same way). The result is shared: never change it."""
    from ..source.loader import parse_text
    return _memo(document, ("parse_text", text), lambda: parse_text(text))


def template_names(document) -> List[str]:
    """Names of the document's top-level templates (inline ones have no name to call)."""
    return [at.name for at in templates(document) if at.name]
