"""Resource templates: a valid action, a manifest that parses and can work, conditions that parse."""

import functools
import re

from yaml import MappingNode, ScalarNode

from wflint.k8s import kinds
from wflint.argo import model
from wflint.lang import selector, tags
from wflint.finding import WARNING, finding
from wflint.suggest import did_you_mean

ID = "resource-template"
SEVERITY = "error"
SUMMARY = "Resource templates name a valid action, carry a manifest that parses and can work, and conditions that parse."

ACTIONS = ("get", "create", "apply", "delete", "replace", "patch")
STRATEGIES = ("strategic", "merge", "json")
# Each check has an id of its own (`resource-template/<check>`) and a `### ` section in the rule's doc.
CHECKS = {
    "action": "`action` is get, create, apply, delete, replace or patch.",
    "manifest-source": "The object comes from exactly one of `manifest` and `manifestFrom` (or `flags` for get and "
                       "delete), and `manifestFrom` reads an input artifact.",
    "manifest-yaml": "The manifest is valid YAML holding one object, without duplicate keys.",
    "manifest-object": "The manifest is a Kubernetes object with `apiVersion`, `kind` and the name the action needs.",
    "merge-strategy": "`mergeStrategy` is used with `patch` only, is strategic, merge or json, fits the manifest "
                      "and the kind.",
    "owner-reference": "`setOwnerReference` can work: with an inline manifest, a namespaced object in the "
                       "workflow's namespace.",
    "condition": "`successCondition` and `failureCondition` parse, and Argo can poll the kind.",
    "delete-action": "A `delete` resource has no conditions and no outputs.",
}
# Actions that name an existing object: they need `metadata.name` (or flags).
_BY_NAME = ("get", "apply", "replace", "patch", "delete")
# A `{{...}}` tag on one line; Argo replaces tags before it parses the manifest.
# What a tag becomes while parsing: a printable character no manifest uses,
# valid in plain and quoted scalars, so every tag is one opaque, same-length word.
_MASK = "\ue000"
_CONDITION_HINT = ("Argo reads conditions as Kubernetes label selectors over JSON paths: "
                   "`status.phase == Succeeded`, `status.failed > 0`, `status.phase in (Failed, Error)`")


def check(document, context):
    for at in model.all_templates(document):
        template = at.template
        if "resource" in template and isinstance(template["resource"], dict):
            yield from _check(document, at, template["resource"])


# Conditions are few texts written again and again (`status.phase == Succeeded`): each parsed once.
_parse_condition = functools.lru_cache(maxsize=1024)(selector.parse)


def _dynamic(value) -> bool:
    return isinstance(value, str) and ("{{" in value or _MASK in value)


def _name(at) -> str:
    return f"template `{at.name}`" if at.name else "this inline template"


def _check(document, at, resource):
    base = at.path + ("resource",)
    action = model.as_str(resource.get("action"))
    known = action if action in ACTIONS else None
    if action is not None and known is None and not _dynamic(action):
        shown = f"`{action}` is not a resource action" if action else "`action` is empty"
        yield finding(base + ("action",), f"{shown}: use get, create, apply, delete, replace or patch"
                                          f"{did_you_mean(action, ACTIONS)}", check="action")
    # Argo checks the manifest for every action but get and delete, placeholders included.
    needs_manifest = action is not None and known not in ("get", "delete")
    manifest = resource.get("manifest")
    has_manifest = isinstance(manifest, str) and manifest != ""
    manifest_from = resource.get("manifestFrom")
    flags = [f for f in model.as_list(resource.get("flags")) if isinstance(f, str)]
    strategy = model.as_str(resource.get("mergeStrategy"))
    owner = resource.get("setOwnerReference") is True

    # -- where the object comes from ------------------------------------
    if needs_manifest and not has_manifest and manifest_from is None and (known or _dynamic(action)):
        yield finding(base, f"a `{action}` resource needs a `manifest` or a `manifestFrom`",
                      hint="put the object under `manifest: |`, or read it from an input artifact with "
                           "`manifestFrom: {artifact: {name: ...}}`", check="manifest-source")
    if has_manifest and manifest_from is not None:
        if needs_manifest:
            yield finding(base + ("manifestFrom",), "`manifest` and `manifestFrom` are both set; Argo accepts only one",
                          on_key=True, hint="keep one of them", check="manifest-source")
        else:
            yield finding(base + ("manifestFrom",), "`manifest` is ignored when `manifestFrom` is set",
                          on_key=True, severity=WARNING, hint="keep one of them", check="manifest-source")
    if known in ("get", "delete") and not has_manifest and manifest_from is None and not flags:
        yield finding(base, f"a `{known}` resource without `manifest`, `manifestFrom` or `flags` names no object; "
                            "the step fails with \"Must provide at least one of flags or manifest\"",
                      severity=WARNING,
                      hint="give the object in `manifest`, or name it in `flags` (`flags: [configmap, my-config]`)", check="manifest-source")
    if isinstance(manifest_from, dict):
        yield from _manifest_from(at, base, manifest_from, needs_manifest)
        if owner:
            yield finding(base + ("setOwnerReference",),
                          "`setOwnerReference` is ignored with `manifestFrom`: Argo adds the owner reference only "
                          "to an inline `manifest`", severity=WARNING, on_key=True,
                          hint="use `manifest`, or put the ownerReferences in the artifact yourself", check="owner-reference")

    # -- mergeStrategy ---------------------------------------------------
    if strategy and not _dynamic(strategy):
        if known and known != "patch":
            yield finding(base + ("mergeStrategy",),
                          f"`mergeStrategy` applies only to `action: patch`; it is ignored for `{known}`",
                          severity=WARNING, on_key=True, hint="remove `mergeStrategy`, or use `action: patch`", check="merge-strategy")
        elif strategy not in STRATEGIES:
            yield finding(base + ("mergeStrategy",),
                          f"`{strategy}` is not a merge strategy: kubectl accepts strategic, merge or json"
                          f"{did_you_mean(strategy, STRATEGIES)}", severity=WARNING, check="merge-strategy")

    # -- conditions and outputs -----------------------------------------
    conditions = []
    for field in ("successCondition", "failureCondition"):
        text = resource.get(field)
        if not isinstance(text, str) or not text:
            continue
        if known == "delete":
            yield finding(base + (field,), f"`delete` does not wait: the executor rejects `{field}` for delete "
                                           "(\"successCondition, failureCondition and outputs are not supported "
                                           "for delete action\")", severity=WARNING, on_key=True,
                          hint="remove the condition, or wait with a separate `get` step", check="delete-action")
            continue
        conditions.append(field)
        _, error = _parse_condition(text)
        if error is not None:
            yield finding(base + (field,), f"`{field}` does not parse as a label selector: {error.message}",
                          span=(error.start, error.end), severity=WARNING, hint=_CONDITION_HINT, check="condition")
    if known == "delete" and model.as_list(model.as_dict(at.template.get("outputs")).get("parameters")):
        yield finding(at.path + ("outputs", "parameters"),
                      "a `delete` resource has no outputs: the executor rejects output parameters for delete "
                      "(\"successCondition, failureCondition and outputs are not supported for delete action\")",
                      severity=WARNING, on_key=True, hint="remove the output parameters", check="delete-action")

    # -- the manifest itself --------------------------------------------
    if has_manifest and not manifest.lstrip().startswith("{{"):
        yield from _manifest(document, base, manifest, known, needs_manifest, flags, strategy,
                             owner and manifest_from is None, conditions)


def _manifest_from(at, base, manifest_from, needs_manifest):
    artifact = model.as_dict(manifest_from.get("artifact"))
    name = model.as_str(artifact.get("name"))
    if not name or _dynamic(name):
        return
    inputs = [model.as_str(a.get("name")) for a in
              model.as_list(model.as_dict(at.template.get("inputs")).get("artifacts")) if isinstance(a, dict)]
    if name in inputs:
        return
    yield finding(base + ("manifestFrom", "artifact", "name"),
                  f"`manifestFrom` reads artifact `{name}`, which is not an input artifact of {_name(at)}"
                  f"{did_you_mean(name, [n for n in inputs if n])}",
                  severity=None if needs_manifest else WARNING,
                  hint=f"declare `{name}` under the template's `inputs.artifacts`", check="manifest-source")


def _mask(text: str) -> str:
    """Each one-line `{{...}}` tag replaced by as many mask characters."""
    return tags.mask(text, _MASK, one_line=True)


def _key_offset(parsed_doc, *keys):
    """Offset in the manifest of the deepest of ``keys`` present in a parsed document."""
    offset, node, _ = parsed_doc
    base = offset - node.start_mark.index
    found = None
    for key in keys:
        if node.__class__ is not MappingNode:
            break
        for knode, vnode in node.value:
            if knode.__class__ is ScalarNode and knode.value == key:
                found = base + knode.start_mark.index
                node = vnode
                break
        else:
            break
    return found


def _at(offset, text):
    """A one-character span at ``offset``, kept inside the text."""
    limit = max(len(text.rstrip()) - 1, 0)
    offset = min(max(offset, 0), limit)
    return offset, offset + 1


def _manifest(document, base, text, known, needs_manifest, flags, strategy, owner, conditions):
    where = base + ("manifest",)
    parsed = model.parsed_text(document, _mask(text))
    if parsed.error is not None:
        offset, problem = parsed.error
        first = not parsed.documents
        rejected = needs_manifest and first
        if rejected:
            why = "Argo rejects the workflow (\"manifest must be a valid yaml\")"
        elif needs_manifest:
            why = "Argo checks only the first document, so kubectl fails at run time"
        else:
            why = f"kubectl fails when the `{known or 'resource'}` step runs"
        yield finding(where, f"the manifest is not valid YAML: {problem}; {why}", span=_at(offset, text),
                      severity=None if rejected else WARNING, hint=_syntax_hint(document, where, problem), check="manifest-yaml")
    for offset, key, _ in parsed.duplicates:
        yield finding(where, f"the manifest sets `{key}` twice in the same mapping; the later value silently wins",
                      span=(offset, offset + max(len(key), 1)), severity=WARNING,
                      hint="remove one of them, or merge their contents under one key", check="manifest-yaml")
    documents = [doc for doc in parsed.documents if doc[2] is not None]  # kubectl skips empty documents
    if not documents:
        if parsed.error is None:
            yield finding(where, "the manifest holds no object (it is empty or only comments); kubectl has "
                                 "nothing to act on", severity=WARNING, check="manifest-yaml")
        return
    if len(documents) > 1 and known != "delete":
        yield finding(where, f"the manifest holds {len(documents)} objects; a resource template handles exactly one",
                      span=_at(documents[1][0], text), severity=WARNING,
                      hint="use one resource template per object", check="manifest-yaml")
    doc = documents[0]
    obj = doc[2]
    if known == "patch" and strategy and (_dynamic(strategy) or strategy not in STRATEGIES):
        return  # what the manifest must be depends on a strategy we do not know
    if known == "patch" and strategy == "json":
        if not isinstance(obj, list):
            yield finding(where, "with `mergeStrategy: json` the manifest is a JSON patch: a list of operations "
                                 "such as `- {op: replace, path: /spec/replicas, value: 3}`", severity=WARNING, check="merge-strategy")
        if not flags:
            yield finding(base + ("mergeStrategy",),
                          "with `mergeStrategy: json` Argo gives kubectl only the patch, so nothing names the "
                          "object to patch", severity=WARNING, on_key=True,
                          hint="name the object in `flags`, e.g. `flags: [deployment, my-app]`", check="merge-strategy")
        return
    if not isinstance(obj, dict):
        if not _dynamic(obj):
            what = "a list" if isinstance(obj, list) else "a single value"
            yield finding(where, f"the manifest is {what}, not a Kubernetes object (a mapping with `apiVersion`, "
                                 "`kind` and `metadata`)", severity=WARNING, check="manifest-object")
        return
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    metadata = model.as_dict(obj.get("metadata"))
    # `patch` with flags and no kind: kubectl takes the object from the flags
    # and the manifest is only the patch.
    if known == "patch" and flags and kind in (None, ""):
        return
    missing = [field for field in ("apiVersion", "kind") if obj.get(field) in (None, "")]
    if missing:
        yield finding(where, f"the manifest has no {' or '.join(f'`{m}`' for m in missing)}; kubectl cannot tell "
                             "what kind of object it is", span=_at(doc[0], text), severity=WARNING,
                      hint="start the manifest with `apiVersion:` and `kind:`", check="manifest-object")
    for field in ("apiVersion", "kind"):
        if obj.get(field) not in (None, "") and not isinstance(obj.get(field), str):
            yield finding(where, f"the manifest's `{field}` must be a string", severity=WARNING,
                          span=_at(_key_offset(doc, field) or doc[0], text), check="manifest-object")
    name, generate = metadata.get("name"), metadata.get("generateName")
    name_at = _key_offset(doc, "metadata")
    span = _at(name_at if name_at is not None else doc[0], text)
    if known in _BY_NAME and not flags and name in (None, ""):
        extra = "; `generateName` works only with `create`" if generate not in (None, "") else ""
        yield finding(where, f"`{known}` needs `metadata.name` in the manifest to find the object{extra}",
                      span=span, severity=WARNING, hint="set `metadata.name`, or name the object in `flags`", check="manifest-object")
    elif known == "create" and name in (None, "") and generate in (None, ""):
        yield finding(where, "the manifest has neither `metadata.name` nor `metadata.generateName`",
                      span=span, severity=WARNING, hint="set `metadata.name` or `metadata.generateName`", check="manifest-object")
    if not isinstance(api_version, str) or not isinstance(kind, str) or not api_version or not kind \
            or _dynamic(api_version) or _dynamic(kind):
        return
    info = kinds.lookup(api_version, kind)
    group = kinds.group_of(api_version)
    if known == "patch" and strategy in (None, "", "strategic") and not kinds.is_builtin(api_version, kind):
        yield finding(base + ("mergeStrategy",) if strategy else base + ("action",),
                      f"`patch` uses a strategic merge patch by default, which the API server rejects for custom "
                      f"resources such as `{kind}` (`{group}`)", severity=WARNING,
                      hint="set `mergeStrategy: merge` (or `json` with a JSON patch)", check="merge-strategy")
    if owner:
        namespace = metadata.get("namespace")
        home = document.namespace
        if isinstance(namespace, str) and namespace and not _dynamic(namespace) and isinstance(home, str) \
                and home and not _dynamic(home) and namespace != home:
            yield finding(base + ("setOwnerReference",),
                          f"the manifest creates `{kind}` in namespace `{namespace}`, but the workflow runs in "
                          f"`{home}`: an owner reference cannot cross namespaces, so Kubernetes treats the owner as "
                          "absent and may garbage-collect the object", severity=WARNING, on_key=True,
                          hint="create the object in the workflow's namespace, or drop `setOwnerReference`", check="owner-reference")
        if info is not None and not info.namespaced:
            yield finding(base + ("setOwnerReference",),
                          f"`{kind}` is cluster-scoped and cannot be owned by a Workflow, which is namespaced; "
                          "Kubernetes ignores the owner reference", severity=WARNING, on_key=True,
                          hint="drop `setOwnerReference` and delete the object in an exit handler instead", check="owner-reference")
    if conditions and info is not None:
        naive = kinds.selflink_plural(kind)
        if naive != info.plural:
            yield finding(base + (conditions[0],),
                          f"Argo polls the condition at a URL built with the plural `{naive}`, but `{kind}` "
                          f"(`{group or 'core'}`) is served as `{info.plural}`: every poll gets a 404 and the step "
                          "fails", severity=WARNING, on_key=True,
                          hint="wait for the object another way (a script step with `kubectl wait`), or drop "
                               "the condition", check="condition")


def _syntax_hint(document, where, problem):
    _, node, matched = document.locate(where)
    if matched == len(where) and getattr(node, "style", None) == ">":
        return "a folded block (`>`) joins the manifest's lines into one; write it as a literal block `manifest: |`"
    if "flow mapping" in problem or "flow sequence" in problem:
        return "close the `{` or `[`, or quote a value that starts with one (a `{{...}}` tag may stay unquoted)"
    if "tab character" in problem:
        return "indent with spaces; YAML does not allow tabs for indentation"
    if "mapping values are not allowed" in problem:
        return "quote a value that contains `: `, or check the indentation of the line"
    return "Argo substitutes `{{...}}` before parsing; check indentation and quoting around here"
