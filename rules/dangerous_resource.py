"""Resource templates do not grant permissions (RBAC objects, `cluster-admin`,
roles with `*`), delete cluster-scoped objects, or build manifests from
outside values."""

import re

from wflint.k8s import kinds
from wflint.argo import model
from wflint.finding import finding
from wflint.argo.model import as_dict, as_list, as_str
from wflint.lazyre import lazy_compile

ID = "dangerous-resource"
SEVERITY = "warning"
GROUP = "security"
ENABLED = False
CWE = ("CWE-269", "CWE-732")
SECURITY_SEVERITY = 8.0
SUMMARY = ("Resource templates do not create or change RBAC objects, delete cluster-scoped objects, or build "
           "manifests from outside values.")

RBAC = ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")
WRITES = ("create", "apply", "patch", "replace")
_TAG = lazy_compile(r"\{\{.*?\}\}", re.S)
_MASK = "\ue000"
DOES = {"create": "creates", "apply": "applies", "patch": "patches", "replace": "replaces"}


def _child(node, key):
    from wflint.argo.pods import _child as child
    return child(node, key)


def _span(node, *keys):
    for key in keys:
        found = _child(node, key) if node is not None else None
        if found is None:
            break
        node = found
    if node is None:
        return None
    return node.start_mark.index, max(node.end_mark.index, node.start_mark.index + 1)


def _wildcard(rules, node):
    """(where, field) of the first `*` in a role's rules."""
    for i, rule in enumerate(as_list(rules)):
        for key in ("verbs", "resources", "apiGroups"):
            for j, value in enumerate(as_list(as_dict(rule).get(key))):
                if value == "*":
                    return _span(node, "rules", i, key, j), key
    return None


def check(document, context):
    from wflint.argo import taint   # only when the (opt-in) rule runs
    analysis = None
    for at in model.all_templates(document):
        if "resource" not in at.template:
            continue   # not a resource template: nothing to check
        resource = as_dict(at.template.get("resource"))
        manifest = resource.get("manifest")
        action = as_str(resource.get("action"))
        if action == "delete" and not isinstance(manifest, str):
            yield from _delete_by_flags(at, resource)
        if not isinstance(manifest, str) or not resource:
            continue
        where = at.path + ("resource", "manifest")
        label = f"template `{at.name}`" if at.name else "an inline template"
        # Outside values in the manifest.
        if "{{" in manifest:   # else no value can be spliced in
            analysis = analysis or taint.analysis(document, context.index)
            key = (id(analysis.graph.own), at.path)
            env = analysis.env(key) if key in analysis.templates else None
            for tag, origin in env.tainted_tags(manifest) if env is not None else ():
                yield finding(where, f"`{{{{{tag.text}}}}}` is spliced into the manifest {label} sends to the "
                                     f"Kubernetes API, and its value can come from outside: {origin.text}; a "
                                     "crafted value (a line break and more YAML) can change the object's kind, "
                                     "namespace or spec, and the executor applies it with the service account's "
                                     "permissions",
                              span=(tag.start, tag.end),
                              hint="keep the manifest's structure fixed: restrict the parameter with an `enum`, "
                                   "or pass the value as data the object does not interpret (a ConfigMap "
                                   "value written by a script that quotes it)")
        masked = _TAG.sub(lambda m: _MASK * len(m.group()), manifest) if "{{" in manifest else manifest
        parsed = model.parsed_text(document, masked)
        if not parsed.documents:
            continue
        _, node, obj = parsed.documents[0]
        if not isinstance(obj, dict):
            continue
        kind, api = as_str(obj.get("kind")), as_str(obj.get("apiVersion"))
        if kind in RBAC and action in WRITES and (api or "").startswith("rbac.authorization.k8s.io/"):
            role = as_dict(obj.get("roleRef"))
            if kind.endswith("Binding") and role.get("name") == "cluster-admin":
                yield finding(where, f"{label} {DOES[action]} a {kind} to `cluster-admin`: its subjects get full "
                                     "control of the whole cluster, and the workflow's own service account must "
                                     "already hold cluster-admin to grant it",
                              span=_span(node, "roleRef", "name"),
                              hint="bind a Role that grants only what the subjects need, in their namespace, "
                                   "and create RBAC objects with your deployment tooling, not from a workflow")
                continue
            wild = _wildcard(obj.get("rules"), node) if kind in ("Role", "ClusterRole") else None
            if wild is not None:
                span, field = wild
                scope = "the whole cluster" if kind == "ClusterRole" else "its namespace"
                yield finding(where, f"{label} {DOES[action]} a {kind} with `*` in `{field}`: whoever it is bound to "
                                     f"may do anything of that kind in {scope}, including what Kubernetes adds "
                                     "later",
                              span=span, hint="list the verbs, resources and API groups the subjects need")
                continue
            yield finding(where, f"{label} {DOES[action]} a {kind}: the workflow's service account must be allowed to "
                                 "write RBAC objects, and whoever runs code with it (an injected parameter, a "
                                 "poisoned image) can grant any permission it holds, to anyone",
                          span=_span(node, "kind"),
                          hint="create RBAC objects with your deployment tooling (reviewed, applied once), not "
                               "from a workflow")
        if action == "delete" and kind and api and "{{" not in kind:
            info = kinds.lookup(api, kind)
            if info is not None and not info.namespaced:
                yield finding(at.path + ("resource", "action"),
                              f"{label} deletes a cluster-scoped {kind}: its service account needs `delete` on "
                              f"{kind} objects cluster-wide, and a wrong or injected name removes one for the "
                              "whole cluster (a Namespace takes everything in it along)",
                              hint="delete namespaced objects only, or restrict the grant to the objects' names "
                                   "(`resourceNames`) in a ClusterRole of its own")


def _cluster_scoped(word: str):
    """The cluster-scoped kind a kubectl resource argument (`namespace`, `nodes`, `crd/x`) names, or None."""
    word = word.split("/", 1)[0].lower()
    aliases = {"ns": "namespaces", "no": "nodes", "pv": "persistentvolumes", "crd": "customresourcedefinitions",
               "crds": "customresourcedefinitions", "sc": "storageclasses", "pc": "priorityclasses"}
    word = aliases.get(word, word)
    for group in ("", "rbac.authorization.k8s.io", "apiextensions.k8s.io", "storage.k8s.io",
                  "scheduling.k8s.io", "admissionregistration.k8s.io"):
        for kind, (plural, namespaced) in getattr(kinds, "_TABLE", {}).get(group, {}).items():
            if not namespaced and word in (plural, kind.lower()):
                return kind
    return None


def _delete_by_flags(at, resource):
    """`action: delete` with the object named in `flags` (`[namespace, scratch]`)."""
    flags = [f for f in as_list(resource.get("flags")) if isinstance(f, str)]
    positional = [f for f in flags if not f.startswith("-")]
    if not positional or "{{" in positional[0]:
        return
    kind = _cluster_scoped(positional[0])
    if kind is None:
        return
    label = f"template `{at.name}`" if at.name else "an inline template"
    index = flags.index(positional[0])
    yield finding(at.path + ("resource", "flags", index),
                  f"{label} deletes a cluster-scoped {kind}: its service account needs `delete` on {kind} objects "
                  "cluster-wide, and a wrong or injected name removes one for the whole cluster (a Namespace "
                  "takes everything in it along)",
                  hint="delete namespaced objects only, or restrict the grant to the objects' names "
                       "(`resourceNames`) in a ClusterRole of its own")
