"""Validation of a document against Argo's types, one validator per kind and
version, built on first use and kept for the life of the process."""

from __future__ import annotations

import functools
import json
import os
from typing import Dict, Iterator, List, Optional, Tuple

from .version import DEFAULT, SUPPORTED
from ..finding import Finding, finding
from .. import fix as fixes
from ..suggest import closest, did_you_mean, matches

SUPPORTED_VERSIONS, DEFAULT_VERSION = SUPPORTED, DEFAULT  # the one list and default, in argo_version

# How a schema definition reads in a message.
_FRIENDLY = {
    "Workflow": "a Workflow", "WorkflowTemplate": "a WorkflowTemplate",
    "ClusterWorkflowTemplate": "a ClusterWorkflowTemplate", "CronWorkflow": "a CronWorkflow",
    "WorkflowSpec": "the workflow spec", "CronWorkflowSpec": "the CronWorkflow spec",
    "WorkflowTemplateSpec": "the workflow spec", "ObjectMeta": "metadata",
    "Template": "a template", "DAGTemplate": "a dag", "DAGTask": "a DAG task",
    "WorkflowStep": "a step", "Container": "a container", "UserContainer": "a container",
    "ScriptTemplate": "a script template", "ResourceTemplate": "a resource template",
    "Inputs": "inputs", "Outputs": "outputs", "Arguments": "arguments",
    "Parameter": "a parameter", "Artifact": "an artifact", "ValueFrom": "valueFrom",
    "RetryStrategy": "retryStrategy", "TemplateRef": "templateRef",
    "WorkflowTemplateRef": "workflowTemplateRef", "Metadata": "template metadata",
    "SuspendTemplate": "a suspend template", "HTTP": "an http template",
    "ContainerSetTemplate": "a containerSet", "ContainerNode": "a containerSet container",
    "LifecycleHook": "a hook", "Sequence": "withSequence", "EnvVar": "an env var",
    "VolumeMount": "a volumeMount", "Volume": "a volume", "Prometheus": "a metric",
}
_TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
               "number": "a number", "boolean": "true or false", "null": "null"}


@functools.lru_cache(maxsize=None)
def _schema(version: str) -> dict:
    from .. import schemas
    name = f"argo-{version}.json"
    try:  # the installed file itself: importlib.resources would add its imports to every start
        with open(os.path.join(os.path.dirname(schemas.__file__), name), encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, TypeError):  # a zipped install, say
        from importlib.resources import files
        text = files("wflint.schemas").joinpath(name).read_text(encoding="utf-8")
    return json.loads(text)


@functools.lru_cache(maxsize=None)
def _names(version: str) -> Dict[int, str]:
    """id(definition body) -> its name, to say where an error is."""
    return {id(body): name for name, body in _schema(version)["definitions"].items()}


def validator(version: str, kind: str):
    """The jsonschema validator of ``kind``; ``version`` a string or an ArgoVersion."""
    return _validator(str(version), kind)


# The caches below are keyed by the plain text of the version: an lru_cache
# keys the str "4.1" and ArgoVersion("4.1") apart, and _names() must see the
# very definitions the validator reports.
@functools.lru_cache(maxsize=None)
def _validator(version: str, kind: str):
    import jsonschema
    schema = _schema(version)
    root = {"$ref": schema["kinds"][kind], "definitions": schema["definitions"]}
    return jsonschema.Draft7Validator(root)


def _describe(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {json.dumps(shown)}"
    if isinstance(value, (int, float)):
        return f"the number {value:g}" if isinstance(value, float) else f"the number {value}"
    return repr(value)


def _expected(types) -> str:
    if isinstance(types, str):
        types = [types]
    names = [_TYPE_NAMES.get(t, t) for t in types]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _where(error, version: str, path: Tuple) -> str:
    name = _names(version).get(id(error.schema))
    if name in _FRIENDLY:
        return _FRIENDLY[name]
    for part in reversed(path):
        if isinstance(part, str):
            return f"`{part}`"
    return name or "the document"


def _field(path: Tuple) -> str:
    for part in reversed(path):
        if isinstance(part, str):
            return part
    return "value"


def _type_hint(expected, value) -> Optional[str]:
    expected = [expected] if isinstance(expected, str) else list(expected)
    if "array" in expected and isinstance(value, str):
        words = value.split()
        if len(words) > 1:
            return "write a list, one item per argument: [" + ", ".join(json.dumps(w) for w in words) + "]"
        return f"write a list: [{json.dumps(value)}]"
    if "string" in expected and isinstance(value, bool):
        return "quote it: YAML reads unquoted yes/no/on/off/true/false/y/n as booleans"
    if "string" in expected and isinstance(value, (int, float)):
        return "quote it, so YAML reads it as a string (unquoted 0755 is the octal number 493)"
    if "integer" in expected and isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return "remove the quotes to make it a number"
    return None


@functools.lru_cache(maxsize=None)
def _fast(version: str):
    from .fastschema import compile_kinds
    return compile_kinds(_schema(version))


def is_valid(data, kind: str, version: str = DEFAULT_VERSION) -> bool:
    """True when ``data`` matches the schema of ``kind`` (the fast path)."""
    return _fast(str(version))[kind](data)


def check(data, kind: str, version: str = DEFAULT_VERSION) -> Iterator[Finding]:
    """Findings for every way ``data`` breaks the schema of ``kind``. Valid
    documents (nearly all) are recognised by the compiled checker; only the
    others pay for jsonschema's detailed errors."""
    version = str(version)
    if is_valid(data, kind, version):
        return
    seen = set()
    for error in validator(version, kind).iter_errors(data):
        for found in _findings(error, version):
            key = (found.node, found.message)
            if key not in seen:
                seen.add(key)
                yield found


# Removed fields another rule reports with the migration advice (one finding for one field):
# (schema definition, field) -> the rule. `cron` (`schedule`), `workflow-spec` (`mutex`, `semaphore`,
# `podPriority`), `template-structure` (template `priority`, `template`, `templateRef`, and
# `memoize.cache.configMap.key`, checked by path below).
EXPLAINED = frozenset({("CronWorkflowSpec", "schedule"), ("Synchronization", "mutex"),
                       ("Synchronization", "semaphore"), ("WorkflowSpec", "podPriority"),
                       ("Template", "priority"), ("Template", "template"), ("Template", "templateRef")})


def _explained(error, version: str, path: Tuple, key: str) -> bool:
    """Whether another rule reports this unknown field, with what to write instead."""
    name = _names(version).get(id(error.schema)) or ""
    if (name.rsplit(".", 1)[-1], key) in EXPLAINED:
        return True
    return key == "key" and path[-3:] == ("memoize", "cache", "configMap")


def _edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (an adjacent swap counts once)."""
    previous2, previous = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _safe_rename(key: str, match: str, error, version: str) -> bool:
    """Whether renaming ``key`` to ``match`` is certain enough to be a safe fix:
    a slip of the keyboard (case, one letter in a short word, at most two in
    a longer one), and not a field
    that another Argo release has at this place (`podResources` under 3.7 is
    a newer field, not a misspelt `resource`)."""
    if key.lower() != match.lower() and (len(key) < 3 or _edit_distance(key, match) > (1 if len(key) < 5 else 2)):
        return False
    name = _names(version).get(id(error.schema))
    for other in SUPPORTED_VERSIONS:
        body = _schema(other)["definitions"].get(name) if name else None
        if other != version and isinstance(body, dict) and key in (body.get("properties") or {}):
            return False
    return True


def _findings(error, version: str) -> List[Finding]:
    path = tuple(error.absolute_path)
    keyword = error.validator
    instance = error.instance
    if keyword == "additionalProperties" and isinstance(instance, dict):
        known = list((error.schema.get("properties") or {}).keys())
        where = _where(error, version, path)
        out = []
        for key in instance:
            if key in known or _explained(error, version, path, key):
                continue
            match = closest(key, known)
            message = f"unknown field `{key}` in {where}"
            fix = None
            if match:
                message += f"; did you mean `{match}`?"
                hint = f"rename it to `{match}`"
                if match not in instance and _safe_rename(key, match, error, version):
                    fix = fixes.fix(f"rename `{key}` to `{match}`", fixes.rename_key(path + (key,), match))
            elif matches(key, known):
                message += did_you_mean(key, known)
                hint = "rename it to the field you meant"
            else:
                hint = "remove it; known fields here: " + ", ".join(sorted(known)[:30]) + \
                    (", ..." if len(known) > 30 else "")
            out.append(finding(path + (key,), message, hint=hint, on_key=True, fix=fix))
        return out
    if keyword == "required" and isinstance(instance, dict):
        out = []
        where = _where(error, version, path)
        for name in error.validator_value:
            if name == "schedules":
                continue      # the `cron` rule reports it: the removed `schedule`, or no schedule at all
            if name not in instance:
                node = path if path else ("kind",)
                out.append(finding(node, f"missing required field `{name}` in {where}", on_key=True,
                                   hint=f"add `{name}:`"))
        return out
    if keyword == "type":
        field = _field(path)
        message = f"`{field}` must be {_expected(error.validator_value)}, not {_describe(instance)}"
        fix = None
        if "string" in error.validator_value and isinstance(instance, (bool, int, float)):
            fix = fixes.fix("quote it, so YAML reads it as the string it is written as", fixes.quote(path),
                            priority=fixes.QUOTING)
        return [finding(path, message, hint=_type_hint(error.validator_value, instance), fix=fix)]
    if keyword == "enum":
        options = [str(o) for o in error.validator_value]
        match = closest(str(instance), options)
        message = f"`{_field(path)}` must be one of {', '.join(options)}; got {_describe(instance)}"
        if match:
            message += f"; did you mean `{match}`?"
        return [finding(path, message)]
    if keyword == "const":
        return [finding(path, f"`{_field(path)}` must be {json.dumps(error.validator_value)}, "
                              f"not {_describe(instance)}")]
    if keyword == "pattern" and path == ("apiVersion",):
        return [finding(path, f"apiVersion {_describe(instance)} is not an Argo API version",
                        hint="use `apiVersion: argoproj.io/v1alpha1`")]
    if keyword in ("anyOf", "oneOf") and error.context:
        import jsonschema.exceptions
        best = jsonschema.exceptions.best_match(error.context)
        if best is not None and best is not error:
            return _findings(best, version)
    return [finding(path, f"`{_field(path)}`: {error.message}")]
