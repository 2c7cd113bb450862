"""`wflint schema export`: wflint's own strict schemas (schemas/argo-*.json),
as one self-contained JSON Schema per kind for editors without an LSP client
(yaml-language-server, VS Code `yaml.schemas`, JetBrains schema mappings).

What the export adds to the schema the `schema` rule validates with:
* every definition a kind reaches is inlined under ``definitions``, so one
  file stands alone;
* strings Argo substitutes may be written as `{{…}}`: string fields with an
  enum or a pattern also accept a string holding `{{` (fields typed
  int-or-string already take any string);
* ``description`` (and ``title`` for the kinds) for hover, written for
  wflint in its own words for the fields people write most.
Unknown fields stay rejected wherever Argo has fixed fields
(``additionalProperties: false``), as in the schema rule.
"""

from __future__ import annotations

import copy
import json
from typing import Dict, List, Optional, Sequence, Tuple

from .schema import DEFAULT_VERSION, SUPPORTED_VERSIONS, _schema

KINDS = ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow")
_PLACEHOLDER = {"type": "string", "pattern": r"\{\{"}

KIND_DESCRIPTIONS = {
    "Workflow": "An Argo Workflow: a run of templates (steps, a DAG, containers...) starting at `spec.entrypoint`.",
    "WorkflowTemplate": "A namespaced library of templates that Workflows run by `workflowTemplateRef` or call "
                        "step by step with `templateRef`.",
    "ClusterWorkflowTemplate": "A cluster-wide WorkflowTemplate; references to it set `clusterScope: true`.",
    "CronWorkflow": "A Workflow started on a schedule (`spec.schedules`), with `spec.workflowSpec` as the Workflow's spec.",
}

# (definition, field) -> description. wflint's own words, for hover and completion.
DESCRIPTIONS: Dict[Tuple[str, str], str] = {
    ("WorkflowSpec", "entrypoint"): "The template the workflow starts with (a name from `templates`).",
    ("WorkflowSpec", "templates"): "The templates of this workflow: each a container, script, resource, steps, "
                                   "dag, suspend, data, http or plugin template with a unique `name`.",
    ("WorkflowSpec", "arguments"): "Workflow parameters and artifacts, read as `{{workflow.parameters.NAME}}`.",
    ("WorkflowSpec", "onExit"): "A template run when the workflow ends, whatever its outcome.",
    ("WorkflowSpec", "serviceAccountName"): "The Kubernetes service account the workflow's pods run as.",
    ("WorkflowSpec", "workflowTemplateRef"): "Run a WorkflowTemplate (or ClusterWorkflowTemplate) as this "
                                             "workflow's spec.",
    ("WorkflowSpec", "parallelism"): "How many pods of this workflow may run at the same time.",
    ("WorkflowSpec", "volumes"): "Volumes the workflow's templates may mount.",
    ("WorkflowSpec", "volumeClaimTemplates"): "PersistentVolumeClaims created for the workflow and deleted after it.",
    ("WorkflowSpec", "activeDeadlineSeconds"): "Seconds the workflow may run before it is failed.",
    ("WorkflowSpec", "ttlStrategy"): "When to delete the finished Workflow object.",
    ("WorkflowSpec", "podGC"): "When to delete the workflow's pods.",
    ("WorkflowSpec", "synchronization"): "Mutexes and semaphores that limit concurrent workflows.",
    ("WorkflowSpec", "hooks"): "Lifecycle hooks: templates run when an expression becomes true or on exit.",
    ("WorkflowSpec", "templateDefaults"): "Fields every template inherits unless it sets them.",
    ("Template", "name"): "The template's name: what `template:`, `entrypoint` and `templateRef.template` name.",
    ("Template", "inputs"): "Parameters and artifacts the template takes: `{{inputs.parameters.NAME}}`.",
    ("Template", "outputs"): "Parameters, artifacts and the result the template produces.",
    ("Template", "container"): "Run one container.",
    ("Template", "script"): "Run `source` as a script in a container; its standard output becomes "
                            "`outputs.result`.",
    ("Template", "resource"): "Create, apply, patch or delete a Kubernetes resource.",
    ("Template", "steps"): "Lists of steps: the inner lists run in parallel, the outer list in sequence.",
    ("Template", "dag"): "Tasks run as a directed acyclic graph, ordered by `depends`.",
    ("Template", "suspend"): "Pause the workflow until resumed or for a duration.",
    ("Template", "containerSet"): "Several containers in one pod, ordered by their `dependencies`.",
    ("Template", "data"): "Read and transform data from an artifact source.",
    ("Template", "http"): "Make an HTTP request.",
    ("Template", "retryStrategy"): "How often and when to retry the template.",
    ("Template", "when"): "Run the template only when this expression is true.",
    ("Template", "activeDeadlineSeconds"): "Seconds the template may run before it is failed.",
    ("Template", "timeout"): "How long the template may take (a duration such as `10m`).",
    ("Template", "nodeSelector"): "Node labels the template's pod must be scheduled on.",
    ("Template", "metadata"): "Labels and annotations for the template's pod.",
    ("DAGTemplate", "tasks"): "The tasks of the DAG.",
    ("DAGTemplate", "target"): "Tasks to run (with what they depend on); default: all.",
    ("DAGTemplate", "failFast"): "Stop scheduling tasks after the first failure (default true).",
    ("DAGTask", "name"): "The task's name, unique in the DAG: named by `depends` and `{{tasks.NAME...}}`.",
    ("DAGTask", "template"): "The template this task runs (a template of this workflow).",
    ("DAGTask", "templateRef"): "Run a template of a WorkflowTemplate or ClusterWorkflowTemplate.",
    ("DAGTask", "inline"): "A template written in place.",
    ("DAGTask", "depends"): "The tasks this task waits for, as an expression: `a && (b.Succeeded || c.Failed)`.",
    ("DAGTask", "dependencies"): "Tasks this task waits for to succeed (older form of `depends`; do not mix them).",
    ("DAGTask", "arguments"): "Values for the template's inputs.",
    ("DAGTask", "when"): "Run the task only when this expression is true.",
    ("DAGTask", "withItems"): "Run the task once per item: `{{item}}`.",
    ("DAGTask", "withParam"): "Run the task once per element of a JSON list: `{{item}}`.",
    ("DAGTask", "withSequence"): "Run the task once per number of a sequence: `{{item}}`.",
    ("DAGTask", "continueOn"): "Let the DAG go on when this task fails or errors.",
    ("DAGTask", "hooks"): "Lifecycle hooks of this task.",
    ("WorkflowStep", "name"): "The step's name: named by `{{steps.NAME...}}`.",
    ("WorkflowStep", "template"): "The template this step runs (a template of this workflow).",
    ("WorkflowStep", "templateRef"): "Run a template of a WorkflowTemplate or ClusterWorkflowTemplate.",
    ("WorkflowStep", "inline"): "A template written in place.",
    ("WorkflowStep", "arguments"): "Values for the template's inputs.",
    ("WorkflowStep", "when"): "Run the step only when this expression is true.",
    ("WorkflowStep", "withItems"): "Run the step once per item: `{{item}}`.",
    ("WorkflowStep", "withParam"): "Run the step once per element of a JSON list: `{{item}}`.",
    ("TemplateRef", "name"): "The WorkflowTemplate (or ClusterWorkflowTemplate) holding the template.",
    ("TemplateRef", "template"): "The template's name inside it.",
    ("TemplateRef", "clusterScope"): "True: `name` is a ClusterWorkflowTemplate.",
    ("WorkflowTemplateRef", "name"): "The WorkflowTemplate (or ClusterWorkflowTemplate) to run.",
    ("WorkflowTemplateRef", "clusterScope"): "True: `name` is a ClusterWorkflowTemplate.",
    ("Parameter", "name"): "The parameter's name.",
    ("Parameter", "value"): "The parameter's value (a string; `{{...}}` is substituted).",
    ("Parameter", "default"): "The value used when none is given.",
    ("Parameter", "enum"): "The values the parameter may take.",
    ("Parameter", "valueFrom"): "Where an output parameter's value comes from (a file, a JSON path, ...).",
    ("Parameter", "globalName"): "Also export the parameter as `{{workflow.outputs.parameters.NAME}}`.",
    ("Inputs", "parameters"): "Input parameters: `{{inputs.parameters.NAME}}`.",
    ("Inputs", "artifacts"): "Input artifacts, placed at their `path`.",
    ("Outputs", "parameters"): "Output parameters: `{{tasks.T.outputs.parameters.NAME}}` for later tasks.",
    ("Outputs", "artifacts"): "Output artifacts collected from the container.",
    ("Arguments", "parameters"): "Parameter values passed in.",
    ("Arguments", "artifacts"): "Artifacts passed in.",
    ("CronWorkflowSpec", "schedules"): "Cron schedules (`0 * * * *`) the workflow starts on.",
    ("CronWorkflowSpec", "workflowSpec"): "The spec of the Workflows this CronWorkflow starts.",
    ("CronWorkflowSpec", "timezone"): "The IANA time zone of the schedules (default: the controller's).",
    ("CronWorkflowSpec", "concurrencyPolicy"): "Allow, Forbid or Replace runs that overlap.",
    ("CronWorkflowSpec", "suspend"): "True: do not start new runs.",
    ("Workflow", "spec"): "The workflow's spec.",
    ("WorkflowTemplate", "spec"): "The template's spec: templates, arguments, defaults.",
    ("ObjectMeta", "name"): "The object's name.",
    ("ObjectMeta", "generateName"): "A prefix Kubernetes completes into a unique name.",
    ("ObjectMeta", "namespace"): "The namespace (may be set later by kubectl -n or kustomize).",
}


def _definitions(version: str) -> Dict:
    return _schema(version)["definitions"]


def _reachable(definitions: Dict, start: str) -> List[str]:
    seen, stack = [], [start]
    while stack:
        name = stack.pop()
        if name in seen or name not in definitions:
            continue
        seen.append(name)
        for ref in _refs(definitions[name]):
            stack.append(ref)
    return seen


def _refs(node) -> List[str]:
    out = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/definitions/"):
                out.append(ref[len("#/definitions/"):])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return out


def _allow_placeholders(node, top: bool = True):
    """String schemas narrowed by enum, pattern or format also accept `{{…}}`."""
    if isinstance(node, list):
        return [_allow_placeholders(item, False) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: (_allow_placeholders(value, False) if key not in ("enum", "const", "required") else value)
           for key, value in node.items()}
    if out.get("type") == "string" and any(k in out for k in ("enum", "pattern", "format")):
        narrowed = {k: v for k, v in out.items() if k != "description"}
        kept = {k: v for k, v in out.items() if k == "description"}
        return dict(kept, anyOf=[narrowed, dict(_PLACEHOLDER)])
    return out


def export(kind: str, version: str = DEFAULT_VERSION) -> Dict:
    """The JSON Schema (draft 7) of ``kind`` for Argo ``version``, standing alone."""
    if kind not in KINDS:
        raise ValueError(f"no kind {kind!r}; one of {', '.join(KINDS)}")
    if version not in SUPPORTED_VERSIONS:
        raise ValueError(f"no Argo version {version!r}; one of {', '.join(SUPPORTED_VERSIONS)}")
    definitions = _definitions(version)
    names = _reachable(definitions, kind)
    defs = {}
    for name in sorted(names):
        body = copy.deepcopy(definitions[name])
        if name == kind:
            continue
        defs[name] = _describe(name, body)
    root = _describe(kind, copy.deepcopy(definitions[kind]))
    for name in defs:
        defs[name] = _allow_placeholders(defs[name])
    root = _allow_placeholders(root)
    # apiVersion keeps its pattern and kind its constant: they say which schema applies.
    root["properties"]["apiVersion"] = {"type": "string", "pattern": "^argoproj\\.io/",
                                        "description": "argoproj.io/v1alpha1"}
    root["properties"]["kind"] = {"const": kind, "description": KIND_DESCRIPTIONS[kind]}
    return {"$schema": "http://json-schema.org/draft-07/schema#",
            "$id": f"https://wflint.invalid/schemas/argo-{version}/{kind}.json",
            "title": f"Argo {kind} ({version}), strict (wflint)",
            "description": KIND_DESCRIPTIONS[kind] + " Unknown fields are rejected.",
            **{k: v for k, v in root.items()},
            "definitions": defs}


def _describe(name: str, body: Dict) -> Dict:
    for field, schema in (body.get("properties") or {}).items():
        text = DESCRIPTIONS.get((name, field))
        if text and isinstance(schema, dict):
            schema["description"] = text
    return body


def render(kind: str, version: str = DEFAULT_VERSION) -> str:
    return json.dumps(export(kind, version), indent=2, sort_keys=False) + "\n"


# -- fields at a place, for completion ----------------------------------------------


def _resolve(node, definitions):
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 50:
        node = definitions.get(node["$ref"].rsplit("/", 1)[-1], {})
        seen += 1
    return node if isinstance(node, dict) else {}


def _name_of(node, definitions) -> Optional[str]:
    if isinstance(node, dict) and "$ref" in node:
        return node["$ref"].rsplit("/", 1)[-1]
    return None


def fields_at(kind: str, path: Sequence[str], version: str = DEFAULT_VERSION) -> List[Tuple[str, Optional[str]]]:
    """(field, description) of the mapping at ``path`` (keys, `[]` for list
    items) in a ``kind`` document; empty where the schema has no fixed fields."""
    definitions = _definitions(version)
    if kind not in definitions:
        return []
    name: Optional[str] = kind
    node = definitions[kind]
    for part in path:
        node = _resolve(node, definitions)
        if part == "[]":
            child = node.get("items")
        else:
            child = (node.get("properties") or {}).get(part)
            if child is None and isinstance(node.get("additionalProperties"), dict):
                child = node["additionalProperties"]
        if child is None:
            return []
        name = _name_of(child, definitions) or name
        node = child
    if isinstance(node, dict) and node.get("type") == "array" and "items" in node:
        name = _name_of(node["items"], definitions) or name
        node = node["items"]
    name = _name_of(node, definitions) or name
    node = _resolve(node, definitions)
    properties = node.get("properties") or {}
    return [(field, DESCRIPTIONS.get((name, field))) for field in sorted(properties)]
