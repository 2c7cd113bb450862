"""Which variables a string in an Argo document can use, as Argo builds them.

A **Place** is where a string sits: a document (its globals), a template (its
inputs, outputs, type, retry strategy), a section of the template (body,
outputs, metrics) and, for strings inside a step or DAG task, that call (the
steps or tasks it can see, its loop). ``Place.resolve(parts)`` answers for
one variable (`("inputs", "parameters", "x")`) with None when it resolves, or
a ``Miss`` saying why not and whether Argo's own validator would refuse it
too (``rejected``) or it only fails at run time.

Scopes follow the Argo runtime (reference notes §3.2):

* globals: `workflow.name|namespace|uid|serviceAccountName|mainEntrypoint|status`,
  `workflow.duration`, `workflow.creationTimestamp[.s|.RFC3339|.<c>]`,
  `workflow.scheduledTime` (only when a CronWorkflow creates the run),
  `workflow.priority` (with `spec.priority`), `workflow.parameters[.json|.X]`
  (X among the (merged) workflow arguments; any X in WorkflowTemplates, whose
  callers supply them), `workflow.labels|annotations[.json|.K]`,
  `workflow.outputs.parameters|artifacts.G` (literal `globalName`s; any when
  one is templated), `workflow.failures` (the exit handler's tree);
* per template: `inputs.parameters[.X]`, `inputs.artifacts.X[.path]`,
  `outputs.parameters|artifacts.X.path` (leaf templates), `pod.name` (pod
  templates), `node.name`, `steps.name`, `tasks.name`, `retries` and
  `lastRetry.*` (with a `retryStrategy`), the metric variables inside
  `metrics`;
* per call: `steps.S.*` for steps of earlier groups, `tasks.T.*` for the
  task's ancestors (the call's own in its hooks), `item[.K]` under a loop.

``rejected`` mirrors Argo's validator (reference §8): it checks only simple
tags starting `item.`, `steps.`, `inputs.`, `outputs.`, `pod.`, `workflow.`,
`tasks.`, only in leaf templates, steps, DAG tasks, `target` and outputs; it
sees later siblings of a step group, every task of a DAG (only `.status` and
argument values starting `{{tasks.` need ancestry), and leaks loop keys to
later steps.
"""

from __future__ import annotations

import weakref
from typing import Dict, FrozenSet, List, Optional, Set, Tuple

from . import callgraph, model
from .model import as_dict, as_list, as_str
from ..slots import FrozenRecord, Record
from ..suggest import closest

TEMPLATE_KINDS = ("WorkflowTemplate", "ClusterWorkflowTemplate")
CHECKED_PREFIXES = ("item.", "steps.", "inputs.", "outputs.", "pod.", "workflow.", "tasks.")
EXEMPT_PREFIXES = ("workflow.creationTimestamp", "workflow.scheduledTime", "workflow.duration",
                   "tasks.name", "steps.name", "node.name")
# Templates whose main container output gives `outputs.result` and `exitCode`.
RESULT_TYPES = frozenset({"container", "script", "data", "http", "plugin"})
NODE_FIELDS = ("id", "status", "startedAt", "finishedAt", "hostNodeName", "ip", "exitCode", "outputs")
WORKFLOW_FIELDS = ("name", "namespace", "uid", "serviceAccountName", "mainEntrypoint", "status",
                   "duration", "creationTimestamp", "scheduledTime", "priority", "parameters", "labels",
                   "annotations", "outputs", "failures")
WORKFLOW_PLAIN = frozenset({"name", "namespace", "uid", "serviceAccountName", "mainEntrypoint", "status"})
LAST_RETRY = ("exitCode", "status", "duration", "message")
METRIC_VARIABLES = frozenset({"status", "duration", "exitCode", "resourcesDuration"})
# Workflow-level metrics are computed in the root node's scope (steps.go prepareMetricScope), where
# these are always set; `exitCode` only when the entrypoint has one.
SPEC_METRIC_VARIABLES = frozenset({"status", "duration", "resourcesDuration"})
CRON_FIELDS = ("name", "namespace", "labels", "annotations", "failed", "succeeded", "lastScheduledTime")
HTTP_ROOTS = frozenset({"request", "response"})
# `spec.volumes` is substituted in the scope of each step or task (`steps.*`, `tasks.*`) and of each
# pod (`inputs.parameters.*`, `pod.name`) it is mounted in (operator.go substituteParamsInVolumes,
# workflowpod.go substitutePodParams).
PER_POD_ROOTS = frozenset({"inputs", "steps", "tasks", "pod"})
# Sections where Argo substitutes with unresolved tags refused (template.Replace(..., false)): metrics
# and a CronWorkflow's `when`; there a tag Argo does not know breaks the metric or the schedule.
STRICT_SECTIONS = frozenset({"metrics", "spec-metrics", "cron"})
ROOTS = ("inputs", "outputs", "workflow", "steps", "tasks", "item", "pod", "node", "retries", "lastRetry",
         "status", "duration", "exitCode", "resourcesDuration", "cronworkflow")
SCHEDULED_ANNOTATION = "workflows.argoproj.io/scheduled-time"


class Miss(FrozenRecord):
    """Why a variable does not resolve. ``rejected``: Argo's validator refuses
    it as well (where it checks); otherwise Argo accepts the manifest and the
    tag stays unresolved at run time. ``severity`` overrides the choice.
    ``rename``: (step or task name written, its single close match)."""

    __slots__ = ("message", "hint", "rejected", "severity", "rename")

    def __init__(self, message: str, hint: Optional[str] = None, rejected: bool = False,
                 severity: Optional[str] = None, rename: Optional[Tuple[str, str]] = None):
        self.message = message
        self.hint = hint
        self.rejected = rejected
        self.severity = severity
        self.rename = rename


def _mean(word: str, candidates) -> str:
    match = closest(word, candidates)
    return f"; did you mean `{match}`?" if match else ""


def _names(items, key: str = "name") -> Tuple[Set[str], bool]:
    """Names of a list of named things, and whether some name is templated."""
    names, dynamic = set(), False
    if not isinstance(items, list):
        return names, dynamic
    for item in items:
        if isinstance(item, dict):
            name = item.get(key)
            if isinstance(name, str):
                if "{{" in name:
                    dynamic = True
                names.add(name)
    return names, dynamic


# ---------------------------------------------------------------------------
# What a step or task exposes

class Producer(FrozenRecord):
    """What `steps.S.*` / `tasks.T.*` give, from the template S or T runs.
    ``known`` is False when that template is not in the run (templateRef to
    an absent WorkflowTemplate, a templated name): then anything goes.
    ``loop``: withItems / withParam / withSequence of the call."""

    __slots__ = ("label", "known", "result", "daemon", "parameters", "artifacts", "any_outputs", "loop")

    def __init__(self, label: str = "", known: bool = False, result: bool = False, daemon: bool = False,
                 parameters: FrozenSet[str] = frozenset(), artifacts: FrozenSet[str] = frozenset(),
                 any_outputs: bool = False, loop: Optional[str] = None):
        self.label = label
        self.known = known
        self.result = result
        self.daemon = daemon
        self.parameters = parameters
        self.artifacts = artifacts
        self.any_outputs = any_outputs
        self.loop = loop


UNKNOWN = Producer()


def producer_of(template: Dict, label: str) -> Producer:
    ttype = model.template_type(template)
    outputs = as_dict(template.get("outputs"))
    parameters, dyn_p = _names(outputs.get("parameters"))
    artifacts, dyn_a = _names(outputs.get("artifacts"))
    result = ttype in RESULT_TYPES
    if ttype == "containerSet":
        containers = as_list(as_dict(template.get("containerSet")).get("containers"))
        result = any(as_dict(c).get("name") == "main" for c in containers)
    return Producer(label=label, known=True, result=result, daemon=template.get("daemon") is True,
                    parameters=frozenset(parameters), artifacts=frozenset(artifacts),
                    any_outputs=dyn_p or dyn_a)


def loop_of(call: Dict) -> Optional[str]:
    for key in model.LOOP_KEYS:
        if call.get(key) is not None:
            return key
    return None


class Loop(FrozenRecord):
    """The `item` a call's loop gives: ``kind`` (None: no loop); ``keys``:
    withItems of maps, their keys; ``maps``/``lists``: some withItems are
    maps/lists; ``any_keys``: withParam, any item.*; ``values``: withItems
    scalars, as text (for `when` traps)."""

    __slots__ = ("kind", "keys", "maps", "lists", "any_keys", "values")

    def __init__(self, kind: Optional[str] = None, keys: FrozenSet[str] = frozenset(), maps: bool = False,
                 lists: bool = False, any_keys: bool = False, values: Tuple[str, ...] = ()):
        self.kind = kind
        self.keys = keys
        self.maps = maps
        self.lists = lists
        self.any_keys = any_keys
        self.values = values


NO_LOOP = Loop()


def loop_info(call: Dict) -> Loop:
    kind = loop_of(call)
    if kind is None:
        return NO_LOOP
    if kind == "withParam":
        return Loop(kind, any_keys=True)
    if kind == "withSequence":
        return Loop(kind)
    keys: Set[str] = set()
    maps = lists = False
    values = []
    for item in as_list(call.get("withItems")):
        if isinstance(item, dict):
            maps = True
            keys.update(str(k) for k in item)
        elif isinstance(item, list):
            lists = True
        elif isinstance(item, bool):
            values.append("true" if item else "false")
        elif isinstance(item, (int, float, str)):
            values.append(str(item))
    if not isinstance(call.get("withItems"), list):
        return Loop(kind, any_keys=True)
    return Loop(kind, frozenset(keys), maps, lists, values=tuple(values))


# ---------------------------------------------------------------------------
# The document

class DocScope:
    """Globals of one document, and what its templates call."""

    def __init__(self, document, index):
        self.document = document
        self.index = index
        self.kind = document.kind
        self.base, self.spec = model.spec(document)
        spec = self.spec
        self.template_kind = self.kind in TEMPLATE_KINDS
        self.graph = graph = callgraph.graph_of(document, index)
        referenced = None
        self.ref_unknown = False
        if spec.get("workflowTemplateRef") is not None:
            referenced = graph.workflow_template_ref()
            self.ref_unknown = referenced is None
        self.referenced = referenced
        ref_spec = referenced.spec if referenced is not None else {}
        self.loose_metadata = self.template_kind or self.ref_unknown

        defaults = spec.get("templateDefaults")
        if defaults is None:
            self.default_retry = self.default_inputs = False
        else:
            defaults = as_dict(defaults)
            self.default_retry = defaults.get("retryStrategy") is not None
            self.default_inputs = bool(as_dict(defaults.get("inputs")))

        self._producers: Dict[int, Tuple[Dict, Producer]] = {}
        self._first_labels: Optional[Dict[int, Tuple[Dict, str]]] = None
        self._ref_spec = ref_spec
        # the rest is computed on first use (see __getattr__)

    def __getattr__(self, name):
        """What only some strings need, worked out when first asked."""
        build = DocScope._LAZY.get(name)
        if build is None:
            raise AttributeError(name)
        build(self)
        return self.__dict__[name]

    def _metadata_keys(self) -> None:
        data = as_dict(self.document.data)
        metadata = as_dict(data.get("metadata"))
        spec, ref_spec = self.spec, self._ref_spec
        labels: Set[str] = set()
        annotations: Set[str] = set()
        if self.kind != "CronWorkflow":
            labels.update(str(k) for k in as_dict(metadata.get("labels")))
            annotations.update(str(k) for k in as_dict(metadata.get("annotations")))
        metas = [as_dict(spec.get("workflowMetadata")), as_dict(ref_spec.get("workflowMetadata"))]
        if self.kind == "CronWorkflow":
            metas.append(as_dict(as_dict(data.get("spec")).get("workflowMetadata")))
        for meta in metas:
            labels.update(str(k) for k in as_dict(meta.get("labels")))
            labels.update(str(k) for k in as_dict(meta.get("labelsFrom")))
            annotations.update(str(k) for k in as_dict(meta.get("annotations")))
        self.labels, self.annotations = labels, annotations
        self.scheduled = (self.kind == "CronWorkflow" or self.template_kind
                          or SCHEDULED_ANNOTATION in annotations or self.ref_unknown)

    def _parameters(self) -> None:
        params, dyn = _names(as_dict(self.spec.get("arguments")).get("parameters"))
        ref_params, ref_dyn = _names(as_dict(self._ref_spec.get("arguments")).get("parameters"))
        self.parameters = params | ref_params
        self.any_parameters = self.template_kind or self.ref_unknown or dyn or ref_dyn
        self.has_parameters = bool(self.parameters) or self.any_parameters

    def _priority(self) -> None:
        self.priority = self.spec.get("priority") is not None or self._ref_spec.get("priority") is not None

    def _target(self, call: Dict, at: Optional[model.Call] = None):
        """The template ``call`` (the body of ``at``, when given) runs and the
        call graph's Target, or None when not known. With ``at``, the answer
        the graph keeps on the Call (other rules ask it too)."""
        graph = self.graph
        target = graph.callee(graph.own, (), call) if at is None else graph.of_call("callee", graph.own, at)
        if target is None:
            return None
        if target.how == "templateRef" and target.missing == "opaque":
            return {"name": target.name}, target     # declared in the config by name only: nothing inside
        return (target.template, target) if target.found else None

    @staticmethod
    def _label(target) -> str:
        """How messages name the template a call graph Target reaches."""
        if target.how == "inline":
            return "the inline template"
        if target.how == "templateRef":
            ref = target.ref
            return f"`{ref.get('name')}/{ref.get('template')}`"
        return f"`{target.name}`"

    def callee(self, call: Dict, at: Optional[model.Call] = None) -> Producer:
        """What a step/task calling ``call`` (the body of ``at``, when given) exposes (before its loop)."""
        found = self._target(call, at)
        if found is None:
            return UNKNOWN
        template, target = found
        cached = self._producers.get(id(template))
        if cached is None:
            cached = self._producers[id(template)] = (template, producer_of(template, self._label(target)))
        return cached[1]

    def member_producer(self, call: Dict, at: Optional[model.Call] = None) -> Producer:
        """``callee(call, at)`` for a step or task, computed when first needed. Its
        ``label`` is that of whichever call first asked: messages name the
        template with ``member_label`` instead."""
        return self.callee(call, at)

    def member_label(self, call: Dict, producer: Producer, at: Optional[model.Call] = None) -> str:
        """How messages name the template a step or task ``call`` runs: as the
        first call in document order that reaches it does (a template reached
        both by name and through `templateRef` has one name throughout).
        Worked out only when a message needs it."""
        if self._first_labels is None:
            first: Dict[int, Tuple[Dict, str]] = {}
            for held in model.all_templates(self.document):
                ttype = model.template_type(held.template)
                if ttype == "steps":
                    calls = model.steps(held)
                elif ttype == "dag":
                    calls = model.tasks(held)
                else:
                    continue
                for call_at in calls:
                    found = self._target(call_at.body, call_at)
                    if found is not None and id(found[0]) not in first:
                        # (the template is kept, so that its id stays its own)
                        first[id(found[0])] = (found[0], self._label(found[1]))
            self._first_labels = first
        found = self._target(call, at)
        if found is None:
            return producer.label
        kept = self._first_labels.get(id(found[0]))
        return kept[1] if kept is not None else self._label(found[1])

    # -- global outputs ----------------------------------------------------

    def _global_outputs(self) -> None:
        params: Set[str] = set()
        artifacts: Set[str] = set()
        any_params = any_artifacts = False
        seen_refs = set()
        sources: List[Dict] = [at.template for at in model.all_templates(self.document)]
        if self.referenced is not None:
            sources.extend(self.referenced.templates())
        if self.ref_unknown or self.template_kind:
            any_params = any_artifacts = True
        i = 0
        while i < len(sources):
            template = sources[i]
            i += 1
            outputs = as_dict(template.get("outputs"))
            p, dp = _names(outputs.get("parameters"), "globalName")
            a, da = _names(outputs.get("artifacts"), "globalName")
            params |= p
            artifacts |= a
            any_params = any_params or dp
            any_artifacts = any_artifacts or da
            for call in _template_calls(template):
                ref = call.get("templateRef")
                if ref is None:
                    continue
                key = (as_str(as_dict(ref).get("name")), bool(as_dict(ref).get("clusterScope")))
                if key in seen_refs:
                    continue
                seen_refs.add(key)
                holder = self.graph.ref_holder(ref)
                if holder is None:
                    any_params = any_artifacts = True
                else:
                    sources.extend(holder.templates())
        self.global_parameters, self.any_global_parameters = params, any_params
        self.global_artifacts, self.any_global_artifacts = artifacts, any_artifacts

    # -- which templates run where -------------------------------------------

    def _reachability(self) -> None:
        ref_spec = self._ref_spec
        spec = self.spec
        on_exit = as_str(spec.get("onExit")) or as_str(ref_spec.get("onExit"))
        self.has_on_exit = bool(on_exit)
        exit_hook = as_str(as_dict(as_dict(spec.get("hooks")).get("exit")).get("template"))
        entry = as_str(spec.get("entrypoint")) or as_str(ref_spec.get("entrypoint"))
        reach = self.graph.reached_names
        self.exit_tree = reach([on_exit] if on_exit else [])
        self.hook_exit_tree = reach([exit_hook] if exit_hook else [])
        self.main_tree = reach([entry] if entry else [])


DocScope._LAZY = {
    **dict.fromkeys(("parameters", "any_parameters", "has_parameters"), DocScope._parameters),
    **dict.fromkeys(("labels", "annotations", "scheduled"), DocScope._metadata_keys),
    "priority": DocScope._priority,
    **dict.fromkeys(("global_parameters", "any_global_parameters", "global_artifacts", "any_global_artifacts"),
                    DocScope._global_outputs),
    **dict.fromkeys(("has_on_exit", "exit_tree", "hook_exit_tree", "main_tree"), DocScope._reachability),
}


def _template_calls(template: Dict):
    for g in as_list(template.get("steps")):
        for step in as_list(g):
            if isinstance(step, dict):
                yield step
                for hook in as_dict(step.get("hooks")).values():
                    if isinstance(hook, dict):
                        yield hook
    for task in as_list(as_dict(template.get("dag")).get("tasks")):
        if isinstance(task, dict):
            yield task
            for hook in as_dict(task.get("hooks")).values():
                if isinstance(hook, dict):
                    yield hook


# ---------------------------------------------------------------------------
# A template

class _lazy:
    """An attribute computed on first read, then kept in the instance (a
    non-data descriptor: later reads find the value in ``__dict__``)."""

    def __init__(self, compute):
        self.compute = compute
        self.name = compute.__name__

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = self.compute(obj)
        obj.__dict__[self.name] = value
        return value


class TemplateScope:
    def __init__(self, doc: DocScope, at: model.TemplateAt, top_name: Optional[str]):
        self.doc = doc
        self.at = at
        template = at.template
        self.template = template
        self.name = as_str(template.get("name"))
        self.top_name = top_name
        ttype = self.type = model.template_type(template)
        self.pod = ttype in model.POD_TYPES
        self.leaf = ttype in model.LEAF_TYPES
        self.checked_body = ttype != "steps" and ttype != "dag"
        self.retry = template.get("retryStrategy") is not None or doc.default_retry
        self.steps: Optional[StepsIndex] = StepsIndex(doc, at) if ttype == "steps" else None
        self.dag: Optional[DagIndex] = DagIndex(doc, at) if ttype == "dag" else None

    # What only some strings need, worked out on first use.

    @_lazy
    def label(self) -> str:
        return f"`{self.name}`" if self.name else "the inline template"

    @_lazy
    def named(self) -> str:
        return f"template `{self.name}`" if self.name else "the inline template"

    def _input_names(self):
        inputs = as_dict(self.template.get("inputs"))
        names, dyn_i = _names(inputs.get("parameters"))
        artifacts, dyn_a = _names(inputs.get("artifacts"))
        return names, artifacts, dyn_i or dyn_a or self.doc.default_inputs

    @_lazy
    def inputs(self) -> Set[str]:
        names, self.input_artifacts, self.any_inputs = self._input_names()
        return names

    @_lazy
    def input_artifacts(self) -> Set[str]:
        self.inputs, artifacts, self.any_inputs = self._input_names()
        return artifacts

    @_lazy
    def any_inputs(self) -> bool:
        self.inputs, self.input_artifacts, any_inputs = self._input_names()
        return any_inputs

    @_lazy
    def output_parameters(self) -> Dict[str, bool]:
        """name -> has valueFrom.path"""
        out: Dict[str, bool] = {}
        for p in as_list(as_dict(self.template.get("outputs")).get("parameters")):
            name = as_str(as_dict(p).get("name"))
            if name is not None:
                out[name] = bool(as_dict(as_dict(p).get("valueFrom")).get("path"))
        return out

    @_lazy
    def output_artifacts(self) -> Dict[str, bool]:
        out: Dict[str, bool] = {}
        for a in as_list(as_dict(self.template.get("outputs")).get("artifacts")):
            name = as_str(as_dict(a).get("name"))
            if name is not None:
                out[name] = bool(as_dict(a).get("path"))
        return out

    @_lazy
    def any_outputs(self) -> bool:
        return any("{{" in n for n in list(self.output_parameters) + list(self.output_artifacts))

    @_lazy
    def produces(self) -> Producer:
        return producer_of(self.template, self.label)

    @_lazy
    def in_exit(self) -> bool:
        return self.top_name in self.doc.exit_tree

    @_lazy
    def in_exit_hook(self) -> bool:
        return self.top_name in self.doc.hook_exit_tree

    @_lazy
    def in_main(self) -> bool:
        return self.top_name in self.doc.main_tree


# ---------------------------------------------------------------------------
# Steps and DAG tasks

class Member:
    """A step or task: its name, position and what it exposes."""

    __slots__ = ("name", "path", "body", "group", "position", "_loop", "_leaked", "_steps", "_doc", "_producer",
                 "_call")

    def __init__(self, name: str, path: tuple, body: Dict, doc: "DocScope", group: int = 0, position: int = 0,
                 loop: Optional[Loop] = None, leaked: Optional[Loop] = NO_LOOP, steps=None,
                 call: Optional[model.Call] = None):
        self.name = name
        self.path = path
        self.body = body
        self._call = call           # the model.Call, when known: the call graph keeps its answers there
        self.group = group          # steps: group index
        self.position = position    # steps: index in the group; tasks: index in the DAG
        self._loop = loop           # None: worked out when first asked (most strings never ask)
        self._leaked = leaked       # None: ask ``steps`` (a weak reference to a StepsIndex), which works out every step's
        self._steps = steps
        self._doc = doc
        self._producer: Optional[Producer] = None

    @property
    def loop(self) -> Loop:
        """The `item` its loop gives."""
        loop = self._loop
        if loop is None:
            loop = self._loop = loop_info(self.body)
        return loop

    @property
    def leaked(self) -> Loop:
        """Steps: loop keys Argo's validator carries over from earlier steps."""
        if self._leaked is None:
            self._steps()._leaks()
        return self._leaked

    @property
    def producer(self) -> Producer:
        """What the template it runs exposes (with its loop), worked out when first asked."""
        producer = self._producer
        if producer is None:
            producer = self._doc.member_producer(self.body, self._call)
            kind = self.loop.kind
            if kind is not None and producer.loop != kind:
                producer = _with_loop(producer, kind)
            self._producer = producer
        return producer


def _dynamic_pattern(names: Sequence[str]):
    """A test for names that one of ``names`` with tags can become at run
    time (each tag: one or more characters), or None. Linear in the name
    tested (a regex of `.+` pieces backtracks exponentially)."""
    if not any("{{" in name for name in names):
        return None          # (nearly always: skip the imports below)
    from ..source.globmatch import wildcard_matcher
    from ..lang.tags import scan
    matchers = []
    for name in names:
        if "{{" not in name:
            continue
        pieces, pos = [], 0
        for tag in scan(name).tags:
            if tag.nested or tag.start < pos:
                continue
            pieces.append(name[pos:tag.start])
            pos = tag.end
        pieces.append(name[pos:])
        matchers.append(wildcard_matcher(pieces))
    if not matchers:
        return None
    return _AnyOf(matchers)


class _AnyOf:
    def __init__(self, matchers):
        self._matchers = matchers

    def match(self, name: str) -> bool:
        return any(m(name) for m in self._matchers)


_NO_LEAK = Loop("leak", frozenset(), False, any_keys=False)


class StepsIndex:
    def __init__(self, doc: DocScope, at: model.TemplateAt):
        self.members: Dict[str, Member] = {}
        self.order: List[Member] = []
        members, append = self.members, self.order.append
        group, position = None, 0
        # Each step reaches back to this index only to work out the loop keys
        # leaked to it, through a weak reference: a cycle would keep every
        # streamed document alive until a garbage collection, which a check
        # run never makes.
        index = weakref.ref(self)
        for call in model.steps(at):
            body = call.body
            name = body.get("name")
            if not isinstance(name, str):
                name = ""
            position = position + 1 if call.group == group else 0
            group = call.group
            member = Member(name, call.path, body, doc, group, position, None, None, index, call)
            append(member)
            if name and name not in members:
                members[name] = member

    @_lazy
    def dynamic(self):
        """A test for the names of steps written with tags, or None (most templates)."""
        return _dynamic_pattern([m.name for m in self.order])

    def _leaks(self) -> None:
        """Each step's ``leaked``: the loop keys of the steps before it."""
        keys: Set[str] = set()
        any_keys = maps = False
        leaked = _NO_LEAK     # Loop is frozen: one object serves until a loop adds to it
        for member in self.order:
            if leaked is None:
                leaked = Loop("leak", frozenset(keys), maps, any_keys=any_keys)
            member._leaked = leaked
            loop = member.loop
            if loop is not NO_LOOP:
                if loop.kind == "withParam":
                    any_keys = True
                keys |= loop.keys
                maps = maps or loop.maps or loop.lists
                leaked = None

    def find(self, name: str) -> Optional[Member]:
        return self.members.get(name)


def _with_loop(producer: Producer, loop: str) -> Producer:
    return producer.replace(loop=loop)


class DagIndex:
    def __init__(self, doc: DocScope, at: model.TemplateAt):
        self.members: Dict[str, Member] = {}
        self.order: List[Member] = []
        members, append = self.members, self.order.append
        for i, call in enumerate(model.tasks(at)):
            body = call.body
            name = body.get("name")
            if not isinstance(name, str):
                name = ""
            member = Member(name, call.path, body, doc, 0, i, call=call)
            append(member)
            if name and name not in members:
                members[name] = member
        self.at = at

    @_lazy
    def dynamic(self):
        """A test for the names of tasks written with tags, or None (most templates)."""
        return _dynamic_pattern([m.name for m in self.order])

    def find(self, name: str) -> Optional[Member]:
        return self.members.get(name)

    def waits_for(self, here: "Member", member: "Member") -> bool:
        """Does task ``here`` wait, directly or not, for ``member``? From the
        DAG's task graph (``callgraph.task_graph``: `depends` parsed once);
        when some `depends` is built from placeholders, its edges are unknown: yes."""
        graph = callgraph.task_graph(self.at)
        if graph.dynamic:
            return True
        return graph.waits_for(here, member.name)


# ---------------------------------------------------------------------------
# A place

BODY, OUTPUTS, METRICS, STEP, TASK, TARGET, SPEC, RETRY, CRON, HTTP, SPEC_METRICS = (
    "body", "outputs", "metrics", "step", "task", "target", "spec", "retry", "cron", "http", "spec-metrics")


class Place(Record):
    """Where a string is checked: its document, template, section and what that place can see.

    member          the step or task the string is in
    in_hook         a hook of that step/task (sees the call itself)
    exit_hook       a workflow-level exit hook
    strict_tasks    an argument value starting `{{tasks.`: Argo wants an ancestor
    child_manifest  inside a `resource.manifest` that creates a workflow
    outer           an inline template: the step or task that holds it
    per_pod         `spec.volumes`: substituted again for each pod, in its node's scope
    """

    __slots__ = ("doc", "template", "section", "checked", "member", "in_hook", "exit_hook", "strict_tasks",
                 "child_manifest", "outer", "per_pod")

    def __init__(self, doc: "DocScope", template: Optional["TemplateScope"], section: str, checked: bool,
                 member: Optional["Member"] = None, in_hook: bool = False, exit_hook: bool = False,
                 strict_tasks: bool = False, child_manifest: bool = False, outer: Optional["Place"] = None,
                 per_pod: bool = False):
        self.doc = doc
        self.template = template
        self.section = section
        self.checked = checked
        self.member = member
        self.in_hook = in_hook
        self.exit_hook = exit_hook
        self.strict_tasks = strict_tasks
        self.child_manifest = child_manifest
        self.outer = outer
        self.per_pod = per_pod

    # -- entry point ---------------------------------------------------------

    def resolve(self, parts: Sequence[str], expression: bool = False) -> Optional[Miss]:
        """None when the variable ``parts`` resolves here; in an expression,
        a prefix of a variable (a map) resolves too."""
        if not parts:
            return None
        if self.per_pod and parts[0] in PER_POD_ROOTS:
            return None          # Argo substitutes workflow volumes per step/task and per pod
        miss = self._resolve(parts, expression)
        if miss is not None and self.outer is not None:
            # Argo substitutes the step (inline template included) with the step's scope first;
            # what resolves there works, unless Argo's validator checks the inline template alone
            key = ".".join(parts)
            if self.outer.resolve(parts, expression) is None:
                if expression or not (miss.rejected and self.rejected_here(key)):
                    return None
                return Miss(f"`{key}` is a variable of the step that holds this inline template, not of the "
                            f"inline template, which Argo's validator checks on its own", rejected=True,
                            hint="declare an input parameter in the inline template and pass the value as an "
                                 "argument of the step")
        return miss

    def _resolve(self, parts: Sequence[str], expression: bool) -> Optional[Miss]:
        root = parts[0]
        handler = _RESOLVERS.get(root)
        if handler is None:
            if self.section == HTTP and root in HTTP_ROOTS:
                return None
            return self._unknown_root(parts, expression)
        return handler(self, list(parts[1:]), expression)

    def rejected_here(self, key: str) -> bool:
        """Whether Argo's validator checks a simple tag with this key here."""
        return (self.checked and key.startswith(CHECKED_PREFIXES)
                and not key.startswith(EXEMPT_PREFIXES))

    # -- helpers -------------------------------------------------------------

    @property
    def in_template(self) -> bool:
        return self.template is not None

    def _unknown_root(self, parts, expression) -> Optional[Miss]:
        root = parts[0]
        text = ".".join(parts)
        match = closest(root, ROOTS + ("sprig",) if expression else ROOTS)
        if expression:
            mean = f"; did you mean `{'.'.join([match] + list(parts[1:]))}`?" if match else ""
            return Miss(f"`{root}` is not a variable Argo defines{mean}",
                        hint="expression tags can read `inputs`, `outputs`, `workflow`, `steps`, `tasks`, "
                             "`item`, `retries`, `lastRetry`, `pod`, `node`")
        # A simple tag Argo does not know: its validator skips it and Argo leaves it in the text as
        # written (template.Replace allows unresolved tags), except where unresolved tags are refused.
        if self.section in STRICT_SECTIONS:
            where = "the CronWorkflow's `when`" if self.section == CRON else "the metric"
            return Miss(f"`{text}` is not an Argo variable: Argo refuses unresolved tags here, so "
                        f"{where} fails when it is evaluated", severity="warning",
                        hint=f"use an Argo variable such as `{'.'.join([match] + list(parts[1:]))}`" if match
                        else "remove the tag")
        if match:
            better = ".".join([match] + list(parts[1:]))
            return Miss(f"`{text}` is not an Argo variable; did you mean `{better}`?",
                        hint=f"Argo leaves `{{{{{text}}}}}` in the text unchanged", severity="info")
        return None              # another tool's template (Go, Helm, Vault, Kubeflow): left as it is

    # -- workflow.* ------------------------------------------------------------

    def _r_workflow(self, rest, expression) -> Optional[Miss]:
        doc = self.doc
        if not rest:
            return None if expression else Miss("`workflow` alone is not a variable", rejected=True)
        head = rest[0]
        key = "workflow." + ".".join(rest)
        if head in WORKFLOW_PLAIN:
            return self._leaf(rest[1:], key, expression)
        if head == "failures":
            return self._failures(expression)
        if head == "duration":
            return self._leaf(rest[1:], key, expression, rejected=False)
        if head == "creationTimestamp":
            if len(rest) == 1 or (len(rest) == 2 and (len(rest[1]) == 1 or rest[1] in ("s", "RFC3339"))):
                return None
            return Miss(f"`{key}` is not a creation-time format: use `workflow.creationTimestamp`, `.s`, "
                        f"`.RFC3339` or one strftime letter such as `.Y`")
        if head == "scheduledTime":
            miss = self._leaf(rest[1:], key, expression, rejected=False)
            if miss is None and not doc.scheduled:
                return Miss("`workflow.scheduledTime` is only set when a CronWorkflow creates the "
                            "workflow; in this Workflow it stays unresolved",
                            hint="read it from a CronWorkflow, or use `workflow.creationTimestamp`")
            return miss
        if head == "priority":
            miss = self._leaf(rest[1:], key, expression)
            if miss is None and not doc.priority:
                return Miss("`workflow.priority` is only defined when `spec.priority` is set",
                            hint="set `spec.priority`", rejected=not doc.template_kind)
            return miss
        if head == "parameters":
            return self._workflow_parameters(rest[1:], expression)
        if head in ("labels", "annotations"):
            return self._metadata(head, rest[1:], expression)
        if head == "outputs":
            return self._workflow_outputs(rest[1:], expression)
        return Miss(f"`{key}` is not a workflow variable{_mean(head, WORKFLOW_FIELDS)}", rejected=True)

    def _leaf(self, extra, key, expression, rejected=True) -> Optional[Miss]:
        if not extra:
            return None
        if expression:
            return None      # a member of a string: a runtime error, not a missing variable
        return Miss(f"`{key}` is not a variable: `{key.rsplit('.', len(extra))[0]}` has no `{extra[0]}`",
                    rejected=rejected)

    def _failures(self, expression) -> Optional[Miss]:
        """Set at run time for the exit handlers (`spec.onExit`, `hooks.exit`);
        Argo's validator adds it only while it checks the `spec.onExit` tree, and
        keeps the verdict of templates it checked before (the entrypoint's)."""
        template = self.template
        if self.exit_hook:
            return None          # arguments of `spec.hooks.exit`: never validated
        if template is None:
            return Miss("`workflow.failures` is only set for the exit handler (`spec.onExit`) and the "
                        "templates it calls")
        doc = self.doc
        rejected = not doc.has_on_exit or template.in_main
        runs_on_exit = (template.in_exit or template.in_exit_hook) and not template.in_main
        if runs_on_exit and (not rejected or expression):
            return None
        if runs_on_exit:
            return Miss("`workflow.failures` is set when the `hooks.exit` handler runs, but Argo's validator "
                        "only accepts it in the templates of `spec.onExit`", rejected=True,
                        hint="name the handler in `spec.onExit`, or read it in an expression tag "
                             "(`{{=workflow.failures}}`), which the validator does not check")
        return Miss("`workflow.failures` is only set for the exit handler (`spec.onExit`) and the templates it "
                    "calls", rejected=rejected and not expression,
                    hint="read it in the template `spec.onExit` names")

    def _workflow_parameters(self, rest, expression) -> Optional[Miss]:
        doc = self.doc
        if not rest:
            if expression or doc.has_parameters:
                return None
            return Miss("`workflow.parameters` is only defined when the workflow has arguments",
                        rejected=True, hint="declare `spec.arguments.parameters`")
        name = rest[0] if expression else ".".join(rest)
        if doc.any_parameters or name in doc.parameters:
            return None
        if name == "json" and doc.has_parameters:
            return None
        where = "the workflow's arguments"
        if doc.referenced is not None:
            where = "the arguments of the workflow or of the WorkflowTemplate it references"
        return Miss(f"`workflow.parameters.{name}` is not among {where}{_mean(name, doc.parameters)}",
                    rejected=True, hint=f"declare `{name}` under `spec.arguments.parameters`")

    def _metadata(self, head, rest, expression) -> Optional[Miss]:
        doc = self.doc
        if not rest or doc.loose_metadata:
            return None
        key = rest[0] if expression else ".".join(rest)
        known = doc.labels if head == "labels" else doc.annotations
        if key == "json" or key in known:
            return None
        where = "metadata" if doc.kind != "CronWorkflow" else "the CronWorkflow's `workflowMetadata`"
        return Miss(f"`workflow.{head}.{key}` is not a {head[:-1]} set in the {where} or "
                    f"`workflowMetadata`{_mean(key, known)}",
                    hint=_metadata_hint(head, key))

    def _workflow_outputs(self, rest, expression) -> Optional[Miss]:
        doc = self.doc
        if not rest:
            return None if expression else Miss("`workflow.outputs` alone is not a variable", rejected=True)
        kind = rest[0]
        if kind not in ("parameters", "artifacts"):
            return Miss(f"`workflow.outputs.{kind}` is not a variable{_mean(kind, ('parameters', 'artifacts'))}",
                        rejected=True)
        if len(rest) == 1:
            return None if expression else Miss(f"`workflow.outputs.{kind}` alone is not a variable",
                                                rejected=True)
        name = rest[1] if expression else ".".join(rest[1:])
        known = doc.global_parameters if kind == "parameters" else doc.global_artifacts
        loose = doc.any_global_parameters if kind == "parameters" else doc.any_global_artifacts
        if loose or name in known:
            return None
        return Miss(f"no template declares an output {kind[:-1]} with `globalName: {name}`"
                    f"{_mean(name, known)}", rejected=True,
                    hint=f"give the producing output `globalName: {name}`")

    # -- inputs.* / outputs.* ----------------------------------------------------

    def _r_inputs(self, rest, expression) -> Optional[Miss]:
        template = self.template
        if template is None:
            return Miss("`inputs` are a template's; there is no template here", rejected=False)
        if not rest:
            return None if expression else Miss("`inputs` alone is not a variable", rejected=True)
        kind = rest[0]
        if kind not in ("parameters", "artifacts"):
            return Miss(f"`inputs.{kind}` is not a variable{_mean(kind, ('parameters', 'artifacts'))}",
                        rejected=True)
        if template.any_inputs:
            return None
        if kind == "parameters":
            if len(rest) == 1:
                return None      # always set: the JSON list of the inputs (`null` when there are none)
            name = rest[1] if expression else ".".join(rest[1:])
            if name in template.inputs:
                return None
            inline = self._inline_inputs()
            if name in inline:
                return Miss(f"`inputs.parameters.{name}` is an input of the inline template, not of "
                            f"{template.named} whose step this is",
                            hint="reference the inline template's inputs inside it")
            return Miss(f"{template.named} has no input parameter `{name}`"
                        f"{_mean(name, template.inputs)}", rejected=True,
                        hint=f"declare `{name}` under the template's `inputs.parameters`")
        # artifacts
        if len(rest) == 1:
            return None if expression else Miss("`inputs.artifacts` alone is not a variable", rejected=True)
        if expression:
            name, tail = rest[1], rest[2:]
        else:
            joined = ".".join(rest[1:])
            name, tail = joined, []
            if joined not in template.input_artifacts and joined.endswith(".path"):
                name, tail = joined[:-5], ["path"]
        if name not in template.input_artifacts:
            return Miss(f"{template.named} has no input artifact `{name}`"
                        f"{_mean(name, template.input_artifacts)}", rejected=True,
                        hint=f"declare `{name}` under the template's `inputs.artifacts`")
        if tail and tail[0] == "path" and not template.leaf:
            return Miss(f"`inputs.artifacts.{name}.path` is only defined in container, script and other "
                        f"leaf templates", rejected=True)
        if tail and tail[0] != "path" and not expression:
            return Miss(f"`inputs.artifacts.{name}.{'.'.join(tail)}` is not a variable: use "
                        f"`inputs.artifacts.{name}` or `.path`", rejected=True)
        return None

    def _inline_inputs(self) -> Set[str]:
        member = self.member
        if member is None:
            return set()
        inline = as_dict(member.body.get("inline"))
        return _names(as_dict(inline.get("inputs")).get("parameters"))[0]

    def _r_outputs(self, rest, expression) -> Optional[Miss]:
        template = self.template
        if template is None or not rest or template.any_outputs:
            return None
        kind = rest[0]
        after_run = self.section in (METRICS, OUTPUTS) or self.in_hook
        if kind == "result" or kind == "exitCode":
            if len(rest) > 1 and not expression:
                return Miss(f"`outputs.{kind}` has no `{rest[1]}`")
            if not template.produces.result:
                return Miss(f"{template.named} ({template.type}) has no `outputs.{kind}`")
            if not after_run:
                return Miss(f"`outputs.{kind}` is only known after the template ran: read it in the "
                            f"template's `metrics`")
            return None
        if kind not in ("parameters", "artifacts"):
            return Miss(f"`outputs.{kind}` is not a variable"
                        f"{_mean(kind, ('result', 'parameters', 'artifacts', 'exitCode'))}")
        if len(rest) == 1:
            return None
        declared = template.output_parameters if kind == "parameters" else template.output_artifacts
        if expression:
            name, tail = rest[1], rest[2:]
        else:
            joined = ".".join(rest[1:])
            name, tail = joined, []
            if joined not in declared and joined.endswith(".path"):
                name, tail = joined[:-5], ["path"]
        if name not in declared:
            return Miss(f"{template.named} has no output {kind[:-1]} `{name}`"
                        f"{_mean(name, declared)}",
                        hint=f"declare `{name}` under the template's `outputs.{kind}`")
        if tail and tail[0] == "path":
            if not template.leaf or not declared[name]:
                what = "`valueFrom.path`" if kind == "parameters" else "`path`"
                return Miss(f"`outputs.{kind}.{name}.path` is only defined for outputs with a {what} in "
                            f"leaf templates")
            return None
        if tail and not expression:
            return Miss(f"`outputs.{kind}.{name}.{'.'.join(tail)}` is not a variable")
        if not after_run:
            return Miss(f"`outputs.{kind}.{name}` is only known after the template ran: read it in the "
                        f"template's `metrics`, or use `outputs.{kind}.{name}.path` to write it")
        return None

    # -- steps.* / tasks.* -------------------------------------------------------

    def _r_steps(self, rest, expression) -> Optional[Miss]:
        return self._node(rest, expression, "steps")

    def _r_tasks(self, rest, expression) -> Optional[Miss]:
        return self._node(rest, expression, "tasks")

    def _node(self, rest, expression, root) -> Optional[Miss]:
        template = self.template
        noun = "step" if root == "steps" else "task"
        if rest and rest[0] == "name" and len(rest) == 1:
            return None if template is not None else Miss(f"`{root}.name` is only set inside templates")
        index = None
        if template is not None:
            index = template.steps if root == "steps" else template.dag
        exempt = bool(rest) and rest[0].startswith("name")
        if index is None:
            kind = "steps" if root == "steps" else "DAG"
            return Miss(f"`{root}.*` is only available inside a {kind} template", rejected=not exempt,
                        hint=f"pass the value to this template as an input parameter")
        if not rest:
            return None if expression else Miss(f"`{root}` alone is not a variable", rejected=True)
        name = rest[0]
        member = index.find(name)
        if member is None:
            if index.dynamic is not None and index.dynamic.match(name):
                return None
            names = [m.name for m in index.order if m.name]
            match = closest(name, names)
            return Miss(f"there is no {noun} `{name}` in {template.named}{_mean(name, names)}",
                        rejected=not exempt, rename=(name, match) if match else None)
        attr = rest[1:]
        miss = self._attribute(member, attr, expression, root, noun) or self._visible(member, root, attr)
        if miss is not None and exempt and miss.rejected:
            return Miss(miss.message, miss.hint, False)
        return miss

    def _visible(self, member: Member, root: str, attr) -> Optional[Miss]:
        """Whether the step/task ``member`` has run when this string is used."""
        here = self.member
        if self.section in (OUTPUTS, TARGET) or here is None:
            return None      # the template's outputs: every step/task has run
        if self.in_hook and member is here:
            return None
        status = attr[:1] == ["status"]
        if root == "steps":
            if member.group < here.group:
                return None
            if member is here:
                exit_hook = "exit" in as_dict(here.body.get("hooks")) or bool(here.body.get("onExit"))
                return Miss(f"step `{member.name}` reads its own `{'.'.join(attr) or 'results'}`, which is "
                            f"only set after it ran", rejected=not status and not exit_hook,
                            hint="read them in a later step group, or in a hook of this step")
            if member.group == here.group:
                return Miss(f"step `{member.name}` runs in parallel with `{here.name}` (both in group "
                            f"{here.group}): its results are not set yet",
                            rejected=member.position > here.position,
                            hint=f"move `{here.name}` to a later group (a new `- -` list item)")
            return Miss(f"step `{member.name}` runs after `{here.name}` (group {member.group}, not before "
                        f"group {here.group})", rejected=True,
                        hint="only steps of earlier groups can be referenced")
        hooks = bool(as_dict(here.body.get("hooks")))
        if member is here:
            return Miss(f"task `{member.name}` reads its own `{'.'.join(attr) or 'results'}`, which is only "
                        f"set after it ran", rejected=self.strict_tasks or (status and not hooks),
                        hint="read them in a dependent task, or in a hook of this task")
        if self.template.dag.waits_for(here, member):
            return None
        return Miss(f"task `{member.name}` is not an ancestor of `{here.name}` in `depends`/`dependencies`: "
                    f"its results are not available to `{here.name}`",
                    rejected=self.strict_tasks or status,
                    hint=f"make `{here.name}` depend on `{member.name}`")

    def _label(self, member: Member, producer: Producer) -> str:
        return self.doc.member_label(member.body, producer, member._call)

    def _attribute(self, member: Member, attr, expression, root, noun) -> Optional[Miss]:
        producer = member.producer
        ref = f"{root}.{member.name}"
        if not attr:
            return None if expression else Miss(f"`{ref}` alone is not a variable; use "
                                                f"`{ref}.outputs.result`, `.status`...", rejected=True)
        head = attr[0]
        if head in ("id", "status", "startedAt", "finishedAt", "hostNodeName"):
            return self._leaf(attr[1:], f"{ref}.{head}", expression)
        if head == "ip":
            if producer.known and not producer.daemon:
                return Miss(f"`{ref}.ip` is only set for daemon templates; {self._label(member, producer)} is not "
                            f"`daemon: true`", rejected=True)
            return self._leaf(attr[1:], f"{ref}.ip", expression)
        if head == "exitCode":
            if producer.known and not producer.result:
                return Miss(f"{noun} `{member.name}` runs {self._label(member, producer)}, which has no exit code of "
                            f"its own", rejected=True)
            return self._leaf(attr[1:], f"{ref}.exitCode", expression)
        if head != "outputs":
            return Miss(f"`{ref}.{head}` is not a variable{_mean(head, NODE_FIELDS)}", rejected=True)
        out = attr[1:]
        if not out:
            return None if expression else Miss(f"`{ref}.outputs` alone is not a variable", rejected=True)
        kind = out[0]
        if kind == "result":
            if producer.known and not producer.result:
                return Miss(f"{noun} `{member.name}` runs {self._label(member, producer)}, which produces no "
                            f"`outputs.result` (only container, script, data, http and plugin templates do)",
                            rejected=True, hint="declare an output parameter in it and read that")
            return self._leaf(out[1:], f"{ref}.outputs.result", expression)
        if kind not in ("parameters", "artifacts"):
            return Miss(f"`{ref}.outputs.{kind}` is not a variable"
                        f"{_mean(kind, ('result', 'parameters', 'artifacts'))}", rejected=True)
        if len(out) == 1:
            if expression:
                return None
            if kind == "parameters" and member.loop.kind in ("withItems", "withParam"):
                return None
            if kind == "parameters" and member.loop.kind == "withSequence":
                return Miss(f"`{ref}.outputs.parameters` (all iterations' parameters) is only available "
                            f"for `withItems` and `withParam` loops", rejected=True)
            return Miss(f"`{ref}.outputs.{kind}` alone is not a variable; name one: "
                        f"`{ref}.outputs.{kind}.NAME`", rejected=True)
        if not producer.known or producer.any_outputs:
            return None
        name = out[1] if expression else ".".join(out[1:])
        declared = producer.parameters if kind == "parameters" else producer.artifacts
        if name in declared:
            return None
        return Miss(f"{self._label(member, producer)} (run by {noun} `{member.name}`) has no output {kind[:-1]} "
                    f"`{name}`{_mean(name, declared)}", rejected=True,
                    hint=f"declare `{name}` under its `outputs.{kind}`")

    # -- item, retries, pod, node, metrics, cron ------------------------------------

    def _r_item(self, rest, expression) -> Optional[Miss]:
        member = self.member
        loop = member.loop if member is not None else NO_LOOP
        if loop.kind is None:
            leaked = member.leaked if member is not None else NO_LOOP
            where = ("this step has no `withItems`, `withParam` or `withSequence`" if member is not None
                     else "`item` is only set in the step or task that has the loop, not in the template it "
                          "calls")
            hint = ("pass it to the template as an argument: `value: \"{{item}}\"`" if member is None
                    else "add a loop to the step, or remove the reference")
            if not rest:
                return Miss(f"`item` outside a loop: {where}", hint=hint)
            # Argo's validator carries item keys over from earlier loop steps
            key = ".".join(rest)
            leak_ok = leaked.any_keys or rest[0] in leaked.keys or (leaked.maps and key.startswith("["))
            return Miss(f"`item.{key}` outside a loop: {where}", hint=hint,
                        rejected=not leak_ok and not expression)
        if not rest:
            return None
        key = ".".join(rest)
        if loop.any_keys:
            return None
        if loop.kind == "withSequence":
            return Miss(f"`withSequence` items are numbers: `item.{key}` does not exist; use `item`",
                        rejected=True)
        if expression:
            if rest[0] in loop.keys:
                return None
        elif key in loop.keys:
            return None
        if not loop.maps:
            if loop.lists:
                return Miss(f"the `withItems` entries are lists: only `item` (the list as JSON) exists")
            return Miss(f"the `withItems` entries are not maps: `item.{key}` does not exist; use `item`",
                        rejected=True)
        return Miss(f"no `withItems` entry has the key `{key}`{_mean(key, loop.keys)}", rejected=True)

    def _r_retries(self, rest, expression) -> Optional[Miss]:
        if self.section == RETRY or (self.template is not None and self.template.retry):
            return self._leaf(rest, "retries", expression, rejected=False)
        return Miss("`retries` is only set in templates with a `retryStrategy`",
                    hint="add a `retryStrategy` to the template")

    def _r_lastRetry(self, rest, expression) -> Optional[Miss]:
        if rest and rest[0] not in LAST_RETRY:
            match = closest(rest[0], LAST_RETRY)
            mean = f"; did you mean `lastRetry.{match}`?" if match else ""
            return Miss(f"`lastRetry.{'.'.join(rest)}` is not a variable{mean}")
        if not rest and not expression:
            return Miss("`lastRetry` alone is not a variable; use `lastRetry.exitCode`, `.status`, "
                        "`.duration` or `.message`")
        if self.section == RETRY or (self.template is not None and self.template.retry):
            return None
        return Miss("`lastRetry.*` is only set in templates with a `retryStrategy`",
                    hint="add a `retryStrategy` to the template")

    def _r_pod(self, rest, expression) -> Optional[Miss]:
        if rest[:1] != ["name"]:
            return Miss(f"`pod.{'.'.join(rest)}` is not a variable; did you mean `pod.name`?", rejected=True)
        template = self.template
        if template is None:
            return Miss("`pod.name` is only set inside templates that run a pod")
        if not template.pod:
            return Miss(f"`pod.name` is only set in templates that run a pod (container, script, resource, "
                        f"containerSet, data); {template.named} is a {template.type or 'template'} "
                        f"template", rejected=True)
        return self._leaf(rest[1:], "pod.name", expression)

    def _r_node(self, rest, expression) -> Optional[Miss]:
        if rest[:1] != ["name"]:
            return Miss(f"`node.{'.'.join(rest)}` is not a variable; did you mean `node.name`?")
        return self._leaf(rest[1:], "node.name", expression, rejected=False)

    def _metric(self, name, rest, expression) -> Optional[Miss]:
        if self.section == METRICS or (self.section == SPEC_METRICS and name in SPEC_METRIC_VARIABLES):
            if name == "resourcesDuration" and not rest and not expression:
                return Miss("`resourcesDuration` alone is not a variable; use `resourcesDuration.cpu` or "
                            "`.memory`")
            return None
        where = "workflow-level metrics use `workflow.status` and `workflow.duration`" \
            if self.section == SPEC_METRICS else "it is only set inside a template's `metrics`"
        full = ".".join([name] + list(rest))
        return Miss(f"`{full}` is a metric variable: {where}")

    def _r_status(self, rest, expression):
        return self._metric("status", rest, expression)

    def _r_duration(self, rest, expression):
        return self._metric("duration", rest, expression)

    def _r_exitCode(self, rest, expression):
        return self._metric("exitCode", rest, expression)

    def _r_resourcesDuration(self, rest, expression):
        return self._metric("resourcesDuration", rest, expression)

    def _r_cronworkflow(self, rest, expression) -> Optional[Miss]:
        if self.section != CRON:
            return Miss(f"`cronworkflow.*` is only set in a CronWorkflow's `spec.when` and "
                        f"`spec.stopStrategy.expression`")
        if rest and rest[0] not in CRON_FIELDS:
            match = closest(rest[0], CRON_FIELDS)
            mean = f"; did you mean `cronworkflow.{match}`?" if match else ""
            return Miss(f"`cronworkflow.{rest[0]}` is not a variable{mean}")
        return None


# root -> Place._r_<root>, the method that resolves variables under it
_RESOLVERS = {root: getattr(Place, "_r_" + root) for root in ROOTS if hasattr(Place, "_r_" + root)}


def _metadata_hint(head: str, key: str) -> str:
    """What to do about a `workflow.labels.X` / `workflow.annotations.X` the manifest does not set."""
    if head == "labels":
        # The label is often added by whoever submits it: `argo submit -l KEY=VALUE` (or a Sensor, or CI).
        return (f"if the submitter sets it, that is fine (`argo submit -l {key}=VALUE`); otherwise add `{key}` "
                f"to `spec.workflowMetadata.labels` (or the controller's defaults must set it)")
    return f"add `{key}` to `spec.workflowMetadata.{head}` (or the controller's defaults must set it)"
