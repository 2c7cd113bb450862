"""`templateRef` and `workflowTemplateRef` must name WorkflowTemplates (or
ClusterWorkflowTemplates) and templates that exist in the project, where
Argo will look for them."""


from wflint.argo import callgraph, model
from wflint.finding import INFO, WARNING, finding
from wflint.argo.index import is_dynamic, lookup_namespace, memoized
from wflint import fix as fixes
from wflint.suggest import closest, did_you_mean

ID = "template-ref"
SEVERITY = "error"
SUMMARY = "templateRef and workflowTemplateRef name WorkflowTemplates and templates that exist."

_WT, _CWT = "WorkflowTemplate", "ClusterWorkflowTemplate"
DECLARE_HINT = ("if it lives outside this project (another repository, a Helm release, the cluster), "
                "declare it in .wflint.yaml under `templates:` or give a stub file under `stubs:`")


def check(document, context):
    index = context.index
    # The steps, tasks and their hooks, then the workflow's hooks, that have a templateRef.
    calls = model.ref_calls(document)
    if calls:
        # (name, template, clusterScope, namespace) of the references seen to resolve: many
        # workflows name the same few templates; each is checked once.
        resolved = memoized(index, ("template-ref", "resolved"), dict)
        namespace = lookup_namespace(document)
    for call in calls:
        ref = call.body["templateRef"]
        key = _key(ref, namespace)
        if key is not None and key in resolved:
            continue
        found = False
        for item in _template_ref(document, index, call.path + ("templateRef",), ref):
            found = True
            yield item
        if key is not None and not found:
            resolved[key] = True
    base, spec = model.spec(document)
    if "workflowTemplateRef" in spec:
        yield from _workflow_template_ref(document, index, base, spec)


def _key(ref, namespace):
    """What `_template_ref`'s verdict depends on, or None when it is not simply a name and a template."""
    if type(ref) is not dict:
        return None
    name, template = ref.get("name"), ref.get("template")
    if type(name) is not str or type(template) is not str:
        return None
    return name, template, bool(ref.get("clusterScope")), namespace


def _kind(cluster_scope) -> str:
    return _CWT if cluster_scope else _WT


def _holder_missing(document, index, at, name, cluster_scope):
    """The finding for a WorkflowTemplate or ClusterWorkflowTemplate that is
    not where Argo will look for it."""
    kind = _kind(cluster_scope)
    namespace = lookup_namespace(document)
    other = index.holder(name, not cluster_scope, namespace)
    if other is not None:
        if cluster_scope:
            return finding(at, f"`{name}` is a WorkflowTemplate ({other.where}), not a ClusterWorkflowTemplate",
                           hint="remove `clusterScope: true`: Argo looks for a ClusterWorkflowTemplate because of it")
        return finding(at, f"`{name}` is a ClusterWorkflowTemplate ({other.where}), not a WorkflowTemplate",
                       hint="add `clusterScope: true` to the reference")
    elsewhere = index.find(kind, name)
    if elsewhere and namespace is not None:
        spaces = ", ".join(sorted({f"`{e.namespace}`" for e in elsewhere if e.namespace}))
        return finding(at, f"WorkflowTemplate `{name}` is in namespace {spaces}, not in this workflow's "
                           f"namespace `{namespace}`, where Argo looks for it",
                       hint="Argo resolves templateRef in the workflow's own namespace; move one of them, "
                            "or use a ClusterWorkflowTemplate")
    suggestion = did_you_mean(name, index.names(kind))
    unknowable = index.unknowable(kind)
    if unknowable and not suggestion:
        # Some WorkflowTemplate of the project has a name known only once Helm
        # renders it: this one may be it. Not an error, only a note.
        where = ", ".join(e.where for e in unknowable[:3]) + (", ..." if len(unknowable) > 3 else "")
        return finding(at, f"{kind} `{name}` not found in the project; it may be one whose name is set "
                           f"when Helm renders it ({where})", severity=INFO, hint=DECLARE_HINT)
    message = f"no {kind} named `{name}` in the project{suggestion}"
    split = bool(index.names(_WT) or index.names(_CWT))
    if split and (not suggestion or _variant(name, closest(name, index.names(kind)))):
        # The project holds templates of its own, and none is close to this name, or only one it
        # extends by whole segments (`build-s3` for `build`): most likely one of a template set
        # installed from elsewhere (another repository, the cluster), not a typo. Any other close
        # name keeps the error, so typos are not lost; so does a project with no template at all,
        # where nothing shows a split set and Argo's own verdict ("not found") stands.
        return finding(at, f"no {kind} named `{name}` in the project: Argo fails the workflow unless the "
                           f"cluster has it{suggestion}", hint=DECLARE_HINT, severity=WARNING)
    return finding(at, message, hint=DECLARE_HINT, fix=_rename(at, name, index.names(kind)))


def _rename(at, name, names):
    """The unsafe fix: name the single close match instead."""
    match = closest(name, names)
    return fixes.rename_reference(f"name `{match}` instead", at, match) if match else None


def _variant(name, near) -> bool:
    """Whether ``name`` is ``near`` with whole `-`/`.` segments added before or after it."""
    return bool(near) and any(name.startswith(near + sep) or name.endswith(sep + near) for sep in "-.")


def _template_ref(document, index, at, ref):
    if not isinstance(ref, dict):
        return  # the schema rule reports the type
    name, template = ref.get("name"), ref.get("template")
    if not isinstance(name, str) or not name.strip():
        yield finding(at, "templateRef needs a `name`: the WorkflowTemplate to look in",
                      on_key=True, hint="add `name: <WorkflowTemplate name>`")
        return
    if not isinstance(template, str) or not template.strip():
        yield finding(at, "templateRef needs a `template`: the template to run from "
                          f"`{name}`", on_key=True, hint="add `template: <template name>`")
        return
    if is_dynamic(name) or is_dynamic(template):
        return  # resolved at run time from parameters
    cluster_scope = bool(ref.get("clusterScope"))
    holder = index.holder(name, cluster_scope, lookup_namespace(document))
    if holder is None:
        yield _holder_missing(document, index, at + ("name",), name, cluster_scope)
        return
    if holder.template(template) is None:
        known = holder.template_names()
        unknown = [n for n in known if is_dynamic(n)]
        known = [n for n in known if not is_dynamic(n)]
        if unknown and not did_you_mean(template, known):
            yield finding(at + ("template",), f"{holder.kind} `{name}` ({holder.where}) has no template named "
                          f"`{template}` that can be known before Helm renders it", severity=INFO,
                          hint="its literal templates: " + ", ".join(known) if known else None)
            return
        yield finding(at + ("template",),
                      f"{holder.kind} `{name}` ({holder.where}) has no template `{template}`"
                      f"{did_you_mean(template, known)}",
                      hint="its templates: " + ", ".join(known) if known else None,
                      fix=_rename(at + ("template",), template, known))


def _workflow_template_ref(document, index, base, spec):
    ref = spec["workflowTemplateRef"]
    at = base + ("workflowTemplateRef",)
    if model.as_list(spec.get("templates")):
        yield finding(base + ("templates",), "a workflow with `workflowTemplateRef` cannot define its own "
                      "`templates`: Argo rejects it", on_key=True,
                      hint="move these templates into the WorkflowTemplate, or drop `workflowTemplateRef`")
    if not isinstance(ref, dict):
        return
    name = ref.get("name")
    if not isinstance(name, str) or not name.strip():
        yield finding(at, "workflowTemplateRef needs a `name`", on_key=True,
                      hint="add `name: <WorkflowTemplate name>`")
        return
    if is_dynamic(name):
        return
    cluster_scope = bool(ref.get("clusterScope"))
    holder = callgraph.graph_of(document, index).workflow_template_ref()
    if holder is None:
        yield _holder_missing(document, index, at + ("name",), name, cluster_scope)
        return
    if holder.opaque:
        return
    names = holder.template_names()
    entrypoint = spec.get("entrypoint")
    if entrypoint is None:
        entrypoint = holder.spec.get("entrypoint")
        if entrypoint is None:
            yield finding(at + ("name",), f"no entrypoint: neither this workflow nor {holder.kind} `{name}` "
                          f"({holder.where}) sets `entrypoint`",
                          hint="set `spec.entrypoint` to one of: " + ", ".join(names) if names else None)
    elif isinstance(entrypoint, str) and not is_dynamic(entrypoint) and entrypoint not in names:
        yield finding(base + ("entrypoint",), f"entrypoint `{entrypoint}` is not a template of {holder.kind} "
                      f"`{name}` ({holder.where}){did_you_mean(entrypoint, names)}",
                      fix=_rename(base + ("entrypoint",), entrypoint, names))
    on_exit = spec.get("onExit")
    if isinstance(on_exit, str) and not is_dynamic(on_exit) and on_exit not in names:
        yield finding(base + ("onExit",), f"onExit `{on_exit}` is not a template of {holder.kind} `{name}` "
                      f"({holder.where}){did_you_mean(on_exit, names)}",
                      fix=_rename(base + ("onExit",), on_exit, names))
    for hook in model.hooks(base, spec):
        target = hook.body.get("template")
        if isinstance(target, str) and not is_dynamic(target) and target not in names:
            yield finding(hook.path + ("template",), f"hook template `{target}` is not a template of "
                          f"{holder.kind} `{name}` ({holder.where}){did_you_mean(target, names)}",
                          fix=_rename(hook.path + ("template",), target, names))
