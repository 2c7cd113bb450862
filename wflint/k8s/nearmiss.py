"""Documents that look like Argo Workflows objects but are not linted (rule `not-linted`).

wflint lints documents whose `apiVersion` is `argoproj.io/...` and whose
`kind` is Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow.
A document that misses by a typo (`Kind:`, `kind: Workfow`, `argoproj.io/v1aplha1`,
no `apiVersion`) is not an Argo object to wflint, and would pass as "0 Argo
documents"; the cluster rejects it (or applies something else). Such a
document gets one warning saying what to fix. Other kinds (ConfigMap,
Deployment, Argo CD Applications, Rollouts, Argo Events objects, Chaos Mesh
Workflows, ...) are left alone.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from yaml import MappingNode, ScalarNode

from ..source.document import ARGO_KINDS, _distance, close_argo_kind
from ..finding import WARNING, Finding
from .kinds import _TABLE

RULE = "not-linted"
_GROUP = "argoproj.io"
_VERSION = "v1alpha1"
_KNOWN_ARGOPROJ = frozenset(_TABLE["argoproj.io"])
# Keys only an Argo workflow spec has (a document with no apiVersion must show one to count).
_SPEC_KEYS = frozenset({"templates", "entrypoint", "workflowTemplateRef", "workflowSpec", "onExit"})


def _close_kind(kind: str) -> Optional[str]:
    """The Argo kind ``kind`` is a misspelling of, if any."""
    if kind in _KNOWN_ARGOPROJ and kind not in ARGO_KINDS:
        return None
    return close_argo_kind(kind)


def may_warn(kind: str) -> bool:
    """Whether a document whose top-level `kind` (set once) is ``kind`` may
    get the warning, or is linted (an Argo kind): else it gets none, whatever
    its other keys."""
    return _close_kind(kind) is not None


def _scalar(node) -> Optional[str]:
    return node.value if node.__class__ is ScalarNode else None


def findings(document) -> List[Finding]:
    """The `not-linted` warning for a document that is not linted, or nothing."""
    node = document.node
    if node.__class__ is not MappingNode:
        return []
    keys = {}
    for key, value in node.value:
        text = _scalar(key)
        if text is not None:
            keys.setdefault(text, (key, value))
    found = _near_miss(keys)
    if found is None:
        return []
    path, on_key, message, hint = found
    line, column, end_line, end_column = document.span(path, on_key=on_key)
    from ..finding import json_pointer
    return [Finding(rule=RULE, severity=WARNING, path=document.path, line=line, column=column,
                    end_line=end_line, end_column=end_column, message=message, hint=hint,
                    document=document.index, pointer=json_pointer(tuple(document.prefix) + path))]


def _has_spec_keys(keys) -> bool:
    spec = keys.get("spec")
    if spec is None or spec[1].__class__ is not MappingNode:
        return False
    return any(_scalar(k) in _SPEC_KEYS for k, _ in spec[1].value)


def _near_miss(keys) -> Optional[Tuple[tuple, bool, str, Optional[str]]]:
    kind_item = keys.get("kind")
    api_item = keys.get("apiVersion")
    # `Kind:` / `KIND:` / `apiversion:` instead of the exact keys
    if kind_item is None:
        for text, (knode, vnode) in keys.items():
            if text.lower() == "kind" and _close_kind(_scalar(vnode) or "") is not None:
                return ((text,), True, f"`{text}:` is not `kind:` (keys are case-sensitive): this "
                        f"{_scalar(vnode)} is not linted, and Kubernetes rejects it",
                        "write the key as `kind:`")
        return None
    kind = _scalar(kind_item[1])
    if not kind:
        return None
    target = _close_kind(kind)
    if target is None:
        return None
    api = _scalar(api_item[1]) if api_item is not None else None
    if api is None:
        if kind == target and not _has_spec_keys(keys):
            return None
        near = next((text for text in keys if "apiversion" in text.lower()), None)
        if near is not None:
            return ((near,), True, f"`{near}:` is not `apiVersion:`: this {target} is not linted, and `kubectl` "
                    "rejects it", "write the key as `apiVersion:`")
        return (("kind",), False, f"{kind} without `apiVersion`: it is not linted, and `kubectl` rejects it",
                f"add `apiVersion: {_GROUP}/{_VERSION}`")
    group, _, version = api.rpartition("/")
    if group != _GROUP:
        if not group or _distance(group.lower(), _GROUP, 3) > 3:
            return None  # another group's kind (Chaos Mesh has a Workflow too)
        return (("apiVersion",), False, f"`{api}` is not Argo's API group (`{_GROUP}`): this {target} is "
                f"not linted", f"write `apiVersion: {_GROUP}/{_VERSION}`")
    if kind != target:
        how = "kinds are case-sensitive" if kind.lower() == target.lower() else "a typo"
        return (("kind",), False, f"kind `{kind}` is not an Argo kind ({how}): this document is not linted, "
                f"and Kubernetes rejects it; did you mean `{target}`?", f"write `kind: {target}`")
    if version != _VERSION:
        return (("apiVersion",), False, f"`{api}`: Argo serves {target} only as `{_GROUP}/{_VERSION}`; this "
                "document is not linted, and Kubernetes rejects it", f"write `apiVersion: {_GROUP}/{_VERSION}`")
    return None
