"""Every template a workflow names (entrypoint, steps, tasks, onExit, hooks) exists."""

from wflint.finding import WARNING, finding
from wflint.argo import callgraph, model
from wflint import fix as fixes
from wflint.suggest import closest, did_you_mean

ID = "unknown-template"
SEVERITY = "error"
SUMMARY = "Every template a workflow names (entrypoint, steps, tasks, onExit, hooks) exists."

RUNNABLE = ("Workflow", "CronWorkflow")


def _hint(names):
    if not names:
        return "define the template under `templates`"
    listed = ", ".join(f"`{n}`" for n in names[:8]) + (", ..." if len(names) > 8 else "")
    return f"use one of the templates defined here: {listed}"


def _dynamic(name: str) -> bool:
    return "{{" in name


def _call_label(call, owner=None) -> str:
    name = call.name
    if call.kind == "step":
        return f"step `{name}`" if name else "a step"
    if call.kind == "task":
        return f"DAG task `{name}`" if name else "a DAG task"
    hook = call.path[-1]
    if owner is None:
        return f"workflow hook `{hook}`"
    return f"hook `{hook}` of {_call_label(owner)}"


def _missing(name, what, names, document, severity=None, path=None, tail=""):
    message = (f"{what} `{name}`, which is not a template of this {document.kind}{tail}"
               + did_you_mean(name, names))
    match = closest(name, names)
    fix = fixes.rename_reference(f"name `{match}` instead", path, match) if match else None
    return finding(path, message, hint=_hint(names), severity=severity, fix=fix)


def _check_holder(call, names, document, resolve, owner=None):
    """A step, task or hook: it must name a template one way or another,
    and a plain `template` name must exist."""
    body = call.body
    label = _call_label(call, owner)
    template = body.get("template")
    has_template = isinstance(template, str) and template != ""
    has_ref = "templateRef" in body
    has_inline = call.kind != "hook" and "inline" in body
    # Argo validates steps and tasks; hooks only fail when they run.
    severity = WARNING if call.kind == "hook" else None
    if has_template and has_ref:
        extra = ("; Argo rejects this" if severity is None
                 else "; Argo ignores `template` and runs the `templateRef`")
        yield finding(call.path + ("templateRef",), f"{label} sets both `template` and `templateRef`{extra}",
                      hint="keep only one of them", on_key=True, severity=severity)
        return
    if not (has_template or has_ref or has_inline):
        if "template" in body and not isinstance(template, str):
            return    # a wrong type: the schema reports it
        fields = "`template` or `templateRef`" if call.kind == "hook" else "`template`, `templateRef` or `inline`"
        tail = ("; Argo rejects it (\"failed to get a template\")" if severity is None
                else "; it fails when it runs")
        yield finding(call.path, f"{label} names no template{tail}", hint=f"add {fields}",
                      on_key=call.kind == "hook", severity=severity)
        return
    if has_template and resolve and not _dynamic(template) and template not in names:
        tail = "" if severity is None else " (Argo does not check hooks: it fails when it runs)"
        yield _missing(template, f"{label} calls template", names, document, severity,
                       path=call.path + ("template",), tail=tail)
    on_exit = body.get("onExit")
    if (call.kind != "hook" and resolve and isinstance(on_exit, str) and on_exit and not _dynamic(on_exit)
            and on_exit not in names):
        yield _missing(on_exit, f"`onExit` of {label} names", names, document, WARNING,
                       path=call.path + ("onExit",),
                       tail=" (Argo does not check it: the exit handler fails when it runs)")


def _quiet(body, known, resolve) -> bool:
    """True when `_check_holder` has nothing to say about a step or task (the
    usual case, told without building its label): a `template` that names a
    template here, or a `templateRef` or `inline` alone, and an `onExit`, if
    any, that names a template here."""
    template = body.get("template")
    if isinstance(template, str) and template:
        if "templateRef" in body or not (template in known or not resolve or _dynamic(template)):
            return False
    elif not ("templateRef" in body or "inline" in body):
        return False
    if "onExit" not in body:
        return True
    on_exit = body["onExit"]
    return not (resolve and isinstance(on_exit, str) and on_exit and not _dynamic(on_exit) and on_exit not in known)


def check(document, context):
    base, spec = model.spec(document)
    if not spec:          # (a spec with keys is a mapping: no need to look)
        data = model.as_dict(document.data)
        top = model.as_dict(data.get("spec"))
        holder = top.get("workflowSpec") if document.kind == "CronWorkflow" else data.get("spec")
        if not isinstance(holder, dict):
            return    # the schema reports a missing or malformed spec
    tops = model.templates(document)
    # The names templates can be called by (the first template of each name); ``names()``, the
    # list for messages, is made only for a finding.
    known = callgraph.graph_of(document, context.index).own.by_name

    def names():
        return document.memoize(("unknown-template", "names"), lambda: model.template_names(document))

    by_ref = "workflowTemplateRef" in spec
    # With a workflowTemplateRef, entrypoint, onExit and hooks name templates of the
    # referenced WorkflowTemplate, which lives in another document.
    resolve = not by_ref
    runnable = document.kind in RUNNABLE

    if runnable and not by_ref and not tops:
        templates_path = base + ("templates",) if "templates" in spec else base
        yield finding(templates_path, f"{document.kind} has no templates and no `workflowTemplateRef`: "
                                      "there is nothing to run",
                      hint="add `templates:`, or run a WorkflowTemplate with `workflowTemplateRef`", on_key=True)

    entrypoint = spec.get("entrypoint")
    if runnable and not by_ref and (entrypoint is None or entrypoint == ""):
        path = base + ("entrypoint",) if "entrypoint" in spec else base
        suggestion = f"add `entrypoint: {names()[0]}` (the template to start with)" if names() else \
            "add `entrypoint:` naming the template to start with"
        yield finding(path, f"{document.kind} has no `entrypoint`; Argo requires one to know which template to run",
                      hint=suggestion, on_key=True)
    # (a runnable document without templates is reported once, above)
    checkable = resolve and (bool(tops) or not runnable)
    # (a name neither known nor built from placeholders: what CallGraph.by_name calls "unknown")
    if isinstance(entrypoint, str) and entrypoint and checkable:
        if entrypoint not in known and not _dynamic(entrypoint):
            yield _missing(entrypoint, "`entrypoint` names", names(), document, path=base + ("entrypoint",))

    on_exit = spec.get("onExit")
    if isinstance(on_exit, str) and on_exit and checkable:
        if on_exit not in known and not _dynamic(on_exit):
            yield _missing(on_exit, "`onExit` names", names(), document, path=base + ("onExit",))

    for hook in model.spec_hooks(document):
        yield from _check_holder(hook, names(), document, resolve)

    owner = None
    for _, call in model.all_calls(document):    # every step and task, each followed by its hooks
        if call.kind == "hook":
            yield from _check_holder(call, names(), document, resolve, owner=owner)
            continue
        owner = call
        body = call.body
        template = body.get("template")
        # (the most common case first: a template of this document, nothing else named)
        if not (type(template) is str and template in known and "templateRef" not in body
                and "onExit" not in body) and not _quiet(body, known, resolve):
            yield from _check_holder(call, names(), document, resolve)
