"""Which `{{...}}` values can come from outside the author's control.

Argo substitutes placeholders into a template before its pod starts, so a
value that someone else chooses becomes part of whatever string it lands in.
This module says, for every template a document runs, which of its input
parameters (and which step or task outputs) may carry such a value, and where
it enters:

* workflow arguments (`{{workflow.parameters.x}}`): whoever submits the
  workflow sets them; a WorkflowEventBinding or Sensor of the project may fill
  them from an event's payload;
* workflow annotations (`{{workflow.annotations.x}}`): free text (labels are
  not: Kubernetes restricts their values to letters, digits and `-_.`);
* values supplied when a suspended step is resumed (`valueFrom.supplied`);
* the response of an HTTP template, and the output of a template that reads
  the network (`curl`, `wget`, `git clone`...) or an `http`/`git` artifact;
* and everything computed from those: input parameters passed along the call
  graph (steps, tasks, hooks, inline templates, `templateRef` into the
  project's WorkflowTemplates), loop items of a `withParam` built from them,
  outputs of a template that uses them.

An `enum` on the workflow argument or on the input parameter constrains the
value: it is not followed. The analysis is a fixpoint over the call graph
(``wflint.argo.callgraph``), insensitive to the calling context (a template called
once with an outside value counts as receiving one), computed once per
document (``analysis(document, index)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from . import callgraph, model
from ..lang import tags
from ..finding import NodePath
from .index import visible
from .model import as_dict, as_list, as_str

MAX_PASSES = 8


@dataclass(frozen=True)
class Origin:
    """Where an outside value enters, in words: "workflow argument `repo`,
    which whoever submits the workflow sets"."""

    text: str
    event: bool = False      # filled from an event by a WorkflowEventBinding or Sensor


# -- tags -----------------------------------------------------------------------

_SIMPLE = [
    ("wf", re.compile(r"workflow\.parameters\.(.+)")),
    ("wf-all", re.compile(r"workflow\.parameters")),
    ("annotation", re.compile(r"workflow\.annotations(?:\.(.+))?")),
    ("input", re.compile(r"inputs\.parameters\.(.+)")),
    ("input-all", re.compile(r"inputs\.parameters")),
    ("output", re.compile(r"(?:steps|tasks)\.(.+?)\.outputs\.(?:result|parameters\..+)")),
    ("item", re.compile(r"item(?:\..*)?")),
]
_NAME = r"(?:\.([A-Za-z_][\w]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])"
_EXPR = [
    ("wf", re.compile(r"\bworkflow\.parameters" + _NAME)),
    ("annotation", re.compile(r"\bworkflow\.annotations\b()()")),
    ("input", re.compile(r"\binputs\.parameters" + _NAME)),
    ("output", re.compile(r"\b(?:steps|tasks)" + _NAME + r"\.outputs\b")),
    ("item", re.compile(r"(?<![\w.])item\b()()")),
]
# An expression whose value cannot carry text: a comparison, a number, a length,
# or a choice between two literals.
_LITERAL = r"(?:'[^']*'|\"[^\"]*\"|-?\d+(?:\.\d+)?|true|false|nil)"
_CHOICE = re.compile(r"^[^?]*\?\s*" + _LITERAL + r"\s*:\s*" + _LITERAL + r"\s*$", re.S)
_NUMERIC = re.compile(r"^\s*(?:asInt|asFloat|len|int|float)\s*\(.*\)\s*$", re.S)
_COMPARISON = re.compile(r"==|!=|<=|>=|(?<![-=])>|<|\bin\b|\bmatches\b|\bcontains\b|\bstartsWith\b|\bendsWith\b")


@dataclass
class Env:
    """What the placeholders of one template may hold."""

    analysis: "Analysis"
    inputs: Dict[str, Origin] = field(default_factory=dict)
    outputs: Dict[str, Origin] = field(default_factory=dict)    # step or task name -> origin of its outputs
    item: Optional[Origin] = None

    def with_item(self, item: Optional[Origin]) -> "Env":
        return Env(self.analysis, self.inputs, self.outputs, item)

    def tag(self, tag: tags.Tag) -> Optional[Origin]:
        """Where the value of one tag may come from outside, or None."""
        if tag.nested:
            return None
        if tag.kind == tags.EXPRESSION:
            return self.expression(tag.expression)
        key = tag.key
        for what, pattern in _SIMPLE:
            match = pattern.fullmatch(key)
            if match:
                return self._lookup(what, match.group(1) if match.groups() else None)
        return None

    def expression(self, text: str) -> Optional[Origin]:
        stripped = text.strip()
        if _CHOICE.match(stripped) or _NUMERIC.match(stripped):
            return None
        if _COMPARISON.search(stripped) and "?" not in stripped:
            return None   # true or false
        for what, pattern in _EXPR:
            for match in pattern.finditer(text):
                name = match.group(1) or match.group(2) if match.groups() else None
                found = self._lookup(what, name)
                if found is not None:
                    return found
        return None

    def _lookup(self, what: str, name: Optional[str]) -> Optional[Origin]:
        if what == "wf":
            return self.analysis.workflow_parameter(name)
        if what == "wf-all":
            return self.analysis.any_workflow_parameter()
        if what == "annotation":
            return Origin(f"workflow annotation `{name}`, which whoever submits or edits the workflow sets"
                          if name and name != "json" else
                          "the workflow's annotations, which whoever submits or edits it sets")
        if what == "input":
            return self.inputs.get(name or "")
        if what == "input-all":
            return next(iter(self.inputs.values()), None)
        if what == "output":
            return self.outputs.get(name or "")
        if what == "item":
            return self.item
        return None

    def text(self, value) -> Optional[Origin]:
        """The first outside origin among the tags of a string."""
        if not isinstance(value, str) or "{{" not in value:
            return None
        for tag in tags.scan(value).tags:
            found = self.tag(tag)
            if found is not None:
                return found
        return None

    def tainted_tags(self, value) -> List[Tuple[tags.Tag, Origin]]:
        if not isinstance(value, str) or "{{" not in value:
            return []
        out = []
        for tag in tags.scan(value).tags:
            found = self.tag(tag)
            if found is not None:
                out.append((tag, found))
        return out


# -- events ---------------------------------------------------------------------

@dataclass(frozen=True)
class Trigger:
    """A WorkflowEventBinding or Sensor that submits a WorkflowTemplate."""

    label: str                        # "WorkflowEventBinding `x`", "Sensor `y`"
    where: str                        # "path:line"
    fills: Tuple[Tuple[str, str], ...] = ()   # (parameter, what fills it)
    account: Optional[str] = None     # the service account the submitted Workflow sets, if any


def triggers(document, index) -> List[Trigger]:
    """The project's WorkflowEventBindings and Sensors that submit this
    WorkflowTemplate or ClusterWorkflowTemplate (by `workflowTemplateRef`)."""
    if index is None or document.kind not in callgraph.LIBRARY_KINDS or not document.name:
        return []
    cluster = document.kind == "ClusterWorkflowTemplate"
    out: List[Trigger] = []
    for entry in index.of_kind("WorkflowEventBinding"):
        submit = as_dict(as_dict(as_dict(entry.data).get("spec")).get("submit"))
        if not _names(as_dict(submit.get("workflowTemplateRef")), document, cluster, entry.namespace):
            continue
        fills = []
        for param in as_list(as_dict(submit.get("arguments")).get("parameters")):
            param = as_dict(param)
            event = as_str(as_dict(param.get("valueFrom")).get("event"))
            name = as_str(param.get("name"))
            if name and event:
                shown = " ".join(event.split())
                shown = shown if len(shown) <= 60 else shown[:57] + "..."
                fills.append((name, f"the event's `{shown}`"))
        out.append(Trigger(f"WorkflowEventBinding `{entry.name}`", entry.where, tuple(fills)))
    for entry in index.of_kind("Sensor"):
        for trigger in as_list(as_dict(as_dict(entry.data).get("spec")).get("triggers")):
            template = as_dict(as_dict(trigger).get("template"))
            for key in ("argoWorkflow", "k8s"):
                body = as_dict(template.get(key))
                resource = as_dict(as_dict(body.get("source")).get("resource"))
                if resource.get("kind") != "Workflow":
                    continue
                spec = as_dict(resource.get("spec"))
                if not _names(as_dict(spec.get("workflowTemplateRef")), document, cluster, entry.namespace):
                    continue
                declared = [as_str(as_dict(p).get("name")) for p in as_list(as_dict(spec.get("arguments"))
                                                                            .get("parameters"))]
                fills = []
                for param in as_list(body.get("parameters")) + as_list(as_dict(trigger).get("parameters")):
                    param = as_dict(param)
                    # `dest` is relative to the resource (trigger parameters: to the trigger's template).
                    dest = re.sub(r"^(?:argoWorkflow|k8s)\.source\.resource\.", "", as_str(param.get("dest")) or "")
                    match = re.fullmatch(r"spec\.arguments\.parameters\.(\d+)\.value", dest)
                    if not match or int(match.group(1)) >= len(declared) or not declared[int(match.group(1))]:
                        continue
                    source = as_dict(param.get("src"))
                    dependency = as_str(source.get("dependencyName"))
                    fills.append((declared[int(match.group(1))],
                                  f"event dependency `{dependency}`" if dependency else "an event"))
                account = as_str(spec.get("serviceAccountName"))
                out.append(Trigger(f"Sensor `{entry.name}`", entry.where, tuple(fills),
                                   account if account and "{{" not in account else None))
    return out


def _names(ref: Dict, document, cluster: bool, namespace: Optional[str]) -> bool:
    if as_str(ref.get("name")) != document.name or bool(ref.get("clusterScope")) != cluster:
        return False
    return visible(namespace or None, document.namespace or None, cluster)


# -- the analysis ---------------------------------------------------------------

class Analysis:
    """Outside values of one document, through the call graph."""

    def __init__(self, document, index=None):
        self.document = document
        self.index = index
        self.graph = callgraph.graph_of(document, index)
        self.spec = self.graph.effective_spec()
        self.triggers = triggers(document, index)
        self._params: Dict[str, Dict] = {}
        for param in as_list(as_dict(self.spec.get("arguments")).get("parameters")):
            if isinstance(param, dict) and isinstance(param.get("name"), str):
                self._params.setdefault(param["name"], param)
        self.fills: Dict[str, str] = {}
        for trigger in self.triggers:
            for name, what in trigger.fills:
                self.fills.setdefault(name, f"{trigger.label} fills from {what}")
        self.inputs: Dict[tuple, Dict[str, Origin]] = {}
        self.outputs: Dict[tuple, Optional[Origin]] = {}
        self.anchors: Dict[tuple, Optional[NodePath]] = {}
        self.templates: Dict[tuple, tuple] = {}
        self._run()

    # -- sources ---------------------------------------------------------------

    def workflow_parameter(self, name: Optional[str]) -> Optional[Origin]:
        if not name:
            return None
        if name == "json" and name not in self._params:
            return self.any_workflow_parameter()     # all of them, as a JSON object
        param = self._params.get(name)
        if param is not None:
            if param.get("enum") is not None:
                return None     # the controller rejects any other value at submission
            if as_dict(param.get("valueFrom")).get("configMapKeyRef") is not None and name not in self.fills:
                return None
        fill = self.fills.get(name)
        if fill:
            return Origin(f"workflow argument `{name}`, which {fill}", event=True)
        return Origin(f"workflow argument `{name}`, which whoever submits the workflow sets")

    def any_workflow_parameter(self) -> Optional[Origin]:
        """The workflow's arguments as a whole (`{{workflow.parameters}}`)."""
        for name in self._params:
            found = self.workflow_parameter(name)
            if found is not None:
                return Origin(f"the workflow's arguments (`{name}`...), which whoever submits the workflow sets",
                              event=found.event) if not found.event else found
        return None

    # -- the fixpoint ------------------------------------------------------------

    def env(self, key) -> Env:
        """The environment of a reached template (its inputs, defaults included,
        and its steps' or tasks' outputs)."""
        holder, path, template = self.templates[key]
        env = Env(self, dict(self.inputs.get(key, {})))
        base = Env(self)
        for param in as_list(as_dict(template.get("inputs")).get("parameters")):
            param = as_dict(param)
            name = as_str(param.get("name"))
            if not name:
                continue
            if param.get("enum") is not None:
                env.inputs.pop(name, None)
                continue
            if name not in env.inputs:
                found = base.text(param.get("value")) or base.text(as_dict(param.get("valueFrom")).get("default"))
                if found is not None:
                    env.inputs[name] = found
        for call in self.graph.calls(holder, path, template):
            if call.kind == "hook" or not call.name:
                continue
            for target in self.graph.targets(holder, call.path, call.body):
                if target.found:
                    out = self.outputs.get((id(target.holder), target.path))
                    if out is not None:
                        env.outputs.setdefault(call.name, out)
        return env

    def _run(self):
        order = []
        for holder, path, template in self.graph.reachable():
            key = (id(holder), path)
            if key not in self.templates:
                self.templates[key] = (holder, path, template)
                order.append(key)
        # The entrypoint's inputs are the workflow's arguments of the same names.
        run_holder = self.graph.run_holder()
        entry = self.spec.get("entrypoint")
        if isinstance(entry, str) and entry in run_holder.by_name:
            path, template = run_holder.by_name[entry]
            key = (id(run_holder), path)
            seeded = self.inputs.setdefault(key, {})
            for param in as_list(as_dict(template.get("inputs")).get("parameters")):
                name = as_str(as_dict(param).get("name"))
                found = self.workflow_parameter(name) if name else None
                if found is not None and (name in self._params or name in self.fills):
                    seeded.setdefault(name, found)
        for _ in range(MAX_PASSES):
            changed = False
            for key in order:
                changed |= self._visit(key)
            if not changed:
                break

    def _visit(self, key) -> bool:
        holder, path, template = self.templates[key]
        env = self.env(key)
        changed = False
        anchor = self.anchors.get(key)
        for call in self.graph.calls(holder, path, template):
            body = call.body
            item = env.text(body.get("withParam"))
            if item is None:
                for value in as_list(body.get("withItems")):
                    item = env.text(value) if isinstance(value, str) else None
                    if item is not None:
                        break
            call_env = env.with_item(item)
            for target in self.graph.targets(holder, call.path, body):
                if not target.found:
                    continue
                callee = (id(target.holder), target.path)
                if callee not in self.templates:
                    self.templates[callee] = (target.holder, target.path, target.template)
                if callee not in self.anchors:
                    here = anchor
                    if here is None and holder.own and not target.holder.own:
                        here = target.field
                        for i, param in enumerate(as_list(as_dict(body.get("arguments")).get("parameters"))):
                            if call_env.text(as_dict(param).get("value")) is not None:
                                here = call.path + ("arguments", "parameters", i, "value")
                                break
                    self.anchors[callee] = here
                inputs = self.inputs.setdefault(callee, {})
                for param in as_list(as_dict(body.get("arguments")).get("parameters")):
                    param = as_dict(param)
                    name = as_str(param.get("name"))
                    if not name or name in inputs:
                        continue
                    found = call_env.text(param.get("value"))
                    if found is not None:
                        inputs[name] = found
                        changed = True
        out = self._output(template, env)
        if out is not None and self.outputs.get(key) is None:
            self.outputs[key] = out
            changed = True
        return changed

    def _output(self, template: Dict, env: Env) -> Optional[Origin]:
        """Can the template's outputs carry an outside value?"""
        name = as_str(template.get("name")) or "an inline template"
        if template.get("http") is not None:
            return Origin(f"the HTTP response read by template `{name}`")
        for param in as_list(as_dict(template.get("outputs")).get("parameters")):
            source = as_dict(as_dict(param).get("valueFrom"))
            if source.get("supplied") is not None:
                return Origin(f"output `{as_str(as_dict(param).get('name'))}` of template `{name}`, "
                              "which whoever resumes the suspended step supplies")
            for key in ("parameter", "expression"):
                value = source.get(key)
                found = env.text(value) if key == "parameter" else (
                    env.expression(value) if isinstance(value, str) else None)
                if found is not None:
                    return found
        for artifact in as_list(as_dict(template.get("inputs")).get("artifacts")):
            for source in ("http", "git"):
                if isinstance(as_dict(artifact).get(source), dict):
                    what = "an HTTP download" if source == "http" else "a git repository"
                    return Origin(f"the output of template `{name}`, which reads {what} (input artifact "
                                  f"`{as_str(as_dict(artifact).get('name'))}`)")
        for body in _bodies(template):
            for value in _strings(body, env=False):
                fetch = _FETCH.search(value)
                if fetch:
                    return Origin(f"the output of template `{name}`, which reads data from the network "
                                  f"(`{fetch.group(0).strip()}`)")
        for body in _bodies(template):
            for value in _strings(body):
                found = env.text(value)
                if found is not None:
                    if found.text.startswith("the output"):
                        return found
                    return Origin(f"the output of template `{name}`, which uses {found.text}", found.event)
        return None


# Commands that read data from outside: an HTTP client, a git clone or fetch.
_FETCH = re.compile(r"(?:^|[\s;&|(`$])(?:curl|wget|gh\s+api|git\s+(?:clone|fetch|pull|log|show))\b"
                    r"|\brequests\.(?:get|post)\(|\burlopen\(|\bfetch\(")


def _bodies(template: Dict) -> List[Dict]:
    out = []
    for key in ("container", "script"):
        if isinstance(template.get(key), dict):
            out.append(template[key])
    out.extend(c for c in as_list(as_dict(template.get("containerSet")).get("containers")) if isinstance(c, dict))
    return out


def _strings(body: Dict, env: bool = True) -> List[str]:
    """The strings of a container that reach the program: command, args, script source (and env values)."""
    out = [v for key in ("command", "args") for v in as_list(body.get(key)) if isinstance(v, str)]
    if isinstance(body.get("source"), str):
        out.append(body["source"])
    if env:
        out.extend(as_dict(e).get("value") for e in as_list(body.get("env"))
                   if isinstance(as_dict(e).get("value"), str))
    return out


def analysis(document, index=None) -> Analysis:
    """The document's Analysis, computed once per document and index."""
    memo = document.memo.setdefault(("taint", "analysis"), [])
    for found in memo:
        if found.index is index:
            return found
    found = Analysis(document, index)
    memo.append(found)
    return found
