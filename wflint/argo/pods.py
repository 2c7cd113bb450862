"""Every place an Argo document sets container or pod fields, with its path.

Argo builds each pod from several places, and a setting is as effective in
one as in another: a template's `container`, `script`, `containerSet`
containers, `initContainers` and `sidecars`; the template's pod-level fields
(`securityContext`, `volumes`, `automountServiceAccountToken`); the same in
`spec.templateDefaults` (merged into every template); the workflow's own
pod-level fields (`spec.securityContext`, `spec.hostNetwork`, `spec.volumes`...);
and `podSpecPatch` strings (on the spec, in `templateDefaults` and on each
template), a YAML or JSON patch of the pod spec applied last.

``sites(document)`` lists them once each, where they are written: a setting of
`templateDefaults` is one site, not one per template that inherits it. A site
from a `podSpecPatch` points into the string: ``Site.at(keys)`` gives the
path of the `podSpecPatch` field and the character range of the value inside
it. Used by the security rules; no rule logic here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from yaml import MappingNode, ScalarNode, SequenceNode

from . import model
from ..finding import NodePath
from .model import as_dict, as_list, as_str

CONTAINER, POD = "container", "pod"
_TAG = re.compile(r"\{\{.*?\}\}", re.S)
_MASK = "\ue000"


@dataclass(frozen=True)
class Site:
    """A mapping of container fields (``kind`` CONTAINER) or pod fields (POD).

    ``path``: the mapping's path in the document, or for a site inside a
    `podSpecPatch`, the path of the `podSpecPatch` field itself (``node`` is
    then the mapping's node in the parsed patch). ``template``: the template
    the site belongs to (None for the spec and `templateDefaults`).
    ``defaults``: the site is in `templateDefaults` (every template inherits it)."""

    kind: str
    data: Dict
    path: NodePath
    label: str
    template: Optional[Dict] = None
    template_path: Optional[NodePath] = None
    node: Any = None
    defaults: bool = False

    @property
    def patch(self) -> bool:
        return self.node is not None

    def at(self, *keys) -> Tuple[NodePath, Optional[Tuple[int, int]]]:
        """(path, span) of the value at ``keys`` below the site: a plain path,
        or inside a `podSpecPatch`, the field's path and the value's character
        range in the string (None when it cannot be found)."""
        if self.node is None:
            return self.path + tuple(keys), None
        node = self.node
        for key in keys:
            node = _child(node, key)
            if node is None:
                return self.path, None
        start, end = node.start_mark.index, node.end_mark.index
        if end <= start:
            end = start + 1
        return self.path, (start, end)


def _child(node, key):
    if node.__class__ is MappingNode and isinstance(key, str):
        for k, v in node.value:
            if k.__class__ is ScalarNode and k.value == key:
                return v
    elif node.__class__ is SequenceNode and isinstance(key, int) and 0 <= key < len(node.value):
        return node.value[key]
    return None


def _name(container: Dict) -> str:
    name = as_str(container.get("name"))
    return f" `{name}`" if name else ""


def template_label(at) -> str:
    return f"template `{at.name}`" if at.name else "an inline template"


def _containers(owner: Dict, path: NodePath, where: str, template=None, template_path=None,
                defaults=False) -> List[Site]:
    """The container sites of a template (or of `templateDefaults`)."""
    out = []
    for key, what in (("container", "container"), ("script", "script")):
        body = owner.get(key)
        if isinstance(body, dict):
            out.append(Site(CONTAINER, body, path + (key,), f"the {what} of {where}", template, template_path,
                            defaults=defaults))
    for i, body in enumerate(as_list(as_dict(owner.get("containerSet")).get("containers"))):
        if isinstance(body, dict):
            out.append(Site(CONTAINER, body, path + ("containerSet", "containers", i),
                            f"container{_name(body)} of {where}", template, template_path, defaults=defaults))
    for key, what in (("initContainers", "init container"), ("sidecars", "sidecar")):
        for i, body in enumerate(as_list(owner.get(key))):
            if isinstance(body, dict):
                out.append(Site(CONTAINER, body, path + (key, i), f"{what}{_name(body)} of {where}", template,
                                template_path, defaults=defaults))
    return out


def _patch_sites(owner: Dict, path: NodePath, where: str, template=None, template_path=None,
                 defaults=False, document=None) -> List[Site]:
    text = owner.get("podSpecPatch")
    if not isinstance(text, str) or not text.strip():
        return []
    parsed = parse_patch(document, text)
    if parsed is None:
        return []
    node, data = parsed
    at = path + ("podSpecPatch",)
    label = f"the podSpecPatch of {where}"
    out = [Site(POD, data, at, label, template, template_path, node=node, defaults=defaults)]
    for key, what in (("containers", "container"), ("initContainers", "init container"),
                      ("ephemeralContainers", "ephemeral container")):
        items = data.get(key)
        items_node = _child(node, key)
        for i, body in enumerate(as_list(items)):
            body_node = _child(items_node, i) if items_node is not None else None
            if isinstance(body, dict) and body_node is not None:
                out.append(Site(CONTAINER, body, at, f"{what}{_name(body)} in {label}", template, template_path,
                                node=body_node, defaults=defaults))
    return out


def parse_patch(document, text: str) -> Optional[Tuple[Any, Dict]]:
    """(node, data) of a `podSpecPatch` string's mapping, placeholders masked
    so that `{"limits": {{inputs.parameters.r}}}` still parses; None when it
    does not parse or is not a mapping."""
    masked = _TAG.sub(lambda m: _MASK * len(m.group()), text)
    parsed = model.parsed_text(document, masked) if document is not None else None
    if parsed is None:
        from ..source.loader import parse_text
        parsed = parse_text(masked)
    if not parsed.documents:
        return None
    _, node, data = parsed.documents[0]
    if not isinstance(data, dict) or node.__class__ is not MappingNode:
        return None
    return node, data


def sites(document) -> List[Site]:
    """Every container and pod site of the document, in document order."""
    return model._memo(document, ("pods", "sites"), lambda: _sites(document))


def _sites(document) -> List[Site]:
    base, spec = model.spec(document)
    out: List[Site] = [Site(POD, spec, base, "the workflow spec")]
    out.extend(_patch_sites(spec, base, "the workflow spec", document=document))
    defaults = spec.get("templateDefaults")
    if isinstance(defaults, dict):
        at = base + ("templateDefaults",)
        where = "`spec.templateDefaults`"
        out.append(Site(POD, defaults, at, where, defaults=True))
        out.extend(_containers(defaults, at, where, defaults=True))
        out.extend(_patch_sites(defaults, at, where, defaults=True, document=document))
    for at in model.all_templates(document):
        where = template_label(at)
        out.append(Site(POD, at.template, at.path, where, at.template, at.path))
        out.extend(_containers(at.template, at.path, where, at.template, at.path))
        out.extend(_patch_sites(at.template, at.path, where, at.template, at.path, document=document))
    return out


def containers(document) -> List[Site]:
    return [s for s in sites(document) if s.kind == CONTAINER]


def pods(document) -> List[Site]:
    return [s for s in sites(document) if s.kind == POD]


def is_true(value: Any) -> bool:
    return value is True


def is_false(value: Any) -> bool:
    return value is False


def is_zero(value: Any) -> bool:
    return value == 0 and not isinstance(value, bool) and isinstance(value, (int, float))
