"""Kubernetes objects written inside other objects, linted as documents of their own.

Two holders carry whole objects:

* `kind: List` (and `*List` kinds, as `kubectl apply` reads them): each of
  `items[]` is an object;
* Argo Events Sensors: a trigger's `template.k8s.source.resource` and
  `template.argoWorkflow.source.resource` hold the object the trigger creates
  (usually a Workflow), also under a trigger's `dlqTrigger`, when the
  operation creates it (`submit`; `create` or `update`): for `submit-from`,
  `resubmit`, `delete`, `patch`... the resource only names or patches an object.

An embedded object becomes a Document whose node is the object's node inside
the holder's tree: positions come from the same libyaml marks, so findings
land on the lines of the outer file and the file's suppressions apply. Its
``prefix`` is the object's path in the holder, for JSON pointers.

A Sensor's `parameters[].dest` fills a field of the object at trigger time
(an sjson path such as `spec.arguments.parameters.0.value` or
`metadata.name`): a field it fills is not missing, so such fields are set, in
the embedded document's own copy of the data, where the object leaves them out.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Iterator, List, Optional, Tuple

from yaml import MappingNode

from ..source.document import Document, _child

# Where a trigger template keeps the object it creates, and where a trigger's
# own `parameters` (whose dest is relative to the template) reach into it.
_TRIGGER_SOURCES = (("k8s", "source", "resource"), ("argoWorkflow", "source", "resource"))
# Operations whose resource is a whole object to create (the default first).
_WHOLE_OBJECT = {"argoWorkflow": (None, "submit"), "k8s": (None, "create", "update")}
FILLED = "sensor-parameter"  # the value a `dest` is assumed to give where no default says more


def is_holder(document) -> bool:
    """A document whose data holds whole objects: a List or an Argo Events Sensor."""
    kind, api = document.kind, document.api_version
    if not isinstance(kind, str):
        return False
    if kind == "Sensor":
        return isinstance(api, str) and api.startswith("argoproj.io/")
    return kind == "List" or (kind.endswith("List") and isinstance(api, str))


def may_hold(kind: str) -> bool:
    """Whether a document of ``kind`` may be a holder (is_holder), whatever its apiVersion."""
    return kind == "Sensor" or kind.endswith("List")


def embedded(document) -> Iterator[Document]:
    """The objects a converted holder document carries, as Documents with data."""
    data = document.data
    if not isinstance(data, dict):
        return
    if document.kind == "Sensor":
        yield from _sensor(document, data)
        return
    items = data.get("items")
    if not isinstance(items, list):
        return
    for i, item in enumerate(items):
        if isinstance(item, dict):
            made = _make(document, ("items", i), item, ())
            if made is not None:
                yield made


def _sensor(document, data) -> Iterator[Document]:
    triggers = _get(data, ("spec", "triggers"))
    if not isinstance(triggers, list):
        return
    for i, trigger in enumerate(triggers):
        if not isinstance(trigger, dict):
            continue
        for base in (("spec", "triggers", i), ("spec", "triggers", i, "dlqTrigger")):
            holder = _get(data, base)
            if not isinstance(holder, dict):
                continue
            template = holder.get("template")
            if not isinstance(template, dict):
                continue
            for where in _TRIGGER_SOURCES:
                resource = _get(template, where)
                if not isinstance(resource, dict):
                    continue
                operation = _get(template, where[:1] + ("operation",))
                if operation not in _WHOLE_OBJECT[where[0]]:
                    continue  # the resource only names an object (resubmit, delete...) or patches it
                prefix = ".".join(where) + "."
                own = where[0] + ".parameters"
                rewritten = any(isinstance(p, dict) and isinstance(p.get("dest"), str) and p["dest"].startswith(own)
                                for p in _list(holder.get("parameters")))
                dests = []
                if not rewritten:  # else the trigger's parameters rewrite these dests: unknown until then
                    for param in _list(_get(template, where[:1] + ("parameters",))):
                        dests.append(_dest(param, None))
                for param in _list(holder.get("parameters")):
                    dests.append(_dest(param, prefix))
                made = _make(document, base + ("template",) + where, resource,
                             tuple(d for d in dests if d is not None))
                if made is not None:
                    yield made


def _dest(param, prefix: Optional[str]) -> Optional[Tuple[List[str], Any]]:
    """(sjson path parts, the value assumed) of a trigger parameter whose dest
    reaches into the object; None otherwise."""
    if not isinstance(param, dict):
        return None
    dest = param.get("dest")
    if not isinstance(dest, str) or not dest:
        return None
    if prefix is not None:
        if not dest.startswith(prefix):
            return None
        dest = dest[len(prefix):]
    parts = [p.replace("\\.", ".") for p in re.split(r"(?<!\\)\.", dest)]
    if not all(parts):
        return None
    src = param.get("src")
    default = src.get("value") if isinstance(src, dict) else None
    value = default if isinstance(default, str) and default else FILLED
    return parts, value


def _make(holder, path: tuple, data: dict, dests) -> Optional[Document]:
    node = holder.node
    for part in path:
        found = _child(node, part)
        if found is None:
            return None
        node = found[1]
    if node.__class__ is not MappingNode:
        return None
    document = Document(holder.source, holder.index, node, holder.line_offset)
    document.prefix = tuple(holder.prefix) + path
    if dests:
        data = copy.deepcopy(data)
        for parts, value in dests:
            _fill(data, parts, value)
    document.data = data
    return document


def _fill(data, parts: List[str], value) -> None:
    """Set the field at an sjson path where the object does not set it."""
    here = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        index = _index(part)
        if isinstance(here, list):
            if index is None:
                return
            if index == -1 or index == len(here):
                here.append(value if last else ({} if _index(parts[i + 1]) is None else []))
                index = len(here) - 1
            elif not 0 <= index < len(here):
                return
            if last:
                return  # an item that exists is left as written
            here = here[index]
        elif isinstance(here, dict):
            if last:
                if here.get(part) is None:
                    here[part] = value
                return
            if here.get(part) is None:
                here[part] = {} if _index(parts[i + 1]) is None else []
            here = here[part]
        else:
            return


def _index(part: str) -> Optional[int]:
    if part == "-1":
        return -1
    return int(part) if part.isdigit() else None


def _get(data, path: tuple):
    for part in path:
        if isinstance(data, dict) and isinstance(part, str):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


def _list(value) -> list:
    return value if isinstance(value, list) else []

