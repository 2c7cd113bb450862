"""Each template has exactly one type, and only the fields, containers, deadlines, timeouts and retry settings Argo allows for it."""

import re

from wflint.argo import callgraph, model
from wflint.lang import durations
from wflint import fix as fixes
from wflint.finding import WARNING, finding
from wflint.suggest import did_you_mean

from ._helpers import (POD_RESOURCE_KEYS, RETRY_POLICIES, label, minimum_parallelism,  # noqa: F401
                       pod_resources, retry_strategy)
from ._helpers import tagged as _as, version_flags

ID = "template-structure"
SEVERITY = "error"
SUMMARY = ("Each template has exactly one type, and only the fields, containers, deadlines, timeouts and "
           "retry settings Argo allows for it.")

TYPE_LIST = "container, containerSet, script, resource, steps, dag, suspend, data, http or plugin"
NON_LEAF = ("steps", "dag")
# Argo 4.1 reserves these names for its own containers (common.IsArgoSidecar).
RESERVED_EXACT = ("wait", "supervisor")
RESERVED_PREFIX = "artifact-plugin-"
# Containers Argo adds to every pod: a user container of the same name makes
# Kubernetes reject the pod (names are unique across containers and init containers).
ARGO_INIT = "init"
MAIN = "main"
MAX_DAG_TASKS = 200
# Each check has an id of its own (`template-structure/<check>`), so a user can
# turn off one without the others; each has a `### ` section in the rule's doc.
CHECKS = {
    "template-type": "A template has exactly one type, and a plugin template names exactly one plugin.",
    "parallelism": "`parallelism` is set only on steps and dag templates, and is at least 1.",
    "deadline": "`activeDeadlineSeconds` is set only on leaf templates and is a whole number of seconds above 0, "
                "also once input parameters are put in.",
    "timeout": "`timeout` and `pendingTimeout` are set only on leaf templates and are Go durations with a unit, "
               "also once input parameters are put in.",
    "retry-strategy": "A retryStrategy (a template's or `templateDefaults`') uses settings Argo accepts.",
    "removed-field": "A template uses no field Argo removed (`priority`, `template`/`templateRef` on a template, "
                     "`memoize.cache.configMap.key`).",
    "memoize-max-age": "`memoize.maxAge` is a Go duration.",
    "suspend-duration": "A suspend template's `duration` is a number of seconds or a Go duration.",
    "missing-image": "Every container (template, sidecar, init container, containerSet container, and templates "
                     "called by templateRef or workflowTemplateRef) has an image.",
    "duplicate-volume-mount": "A container, script or containerSet mounts at most one volume at each path.",
    "artifact-path-conflict": "An input artifact is not loaded at a volume mount's path or another artifact's path.",
    "container-name": "A user container's name is not empty, not reserved by Argo and not the name of a container "
                      "Argo adds to the pod.",
    "container-set": "A containerSet has containers, and a `main` container when the template has outputs or "
                     "input artifacts.",
    "container-dependency": "containerSet containers depend only on containers of the set, without a cycle.",
    "pod-resources": "`podResources` and `resourceClaims` are set only on templates that make a pod, with valid "
                     "values.",
    "dag-size": "A dag has at least one task, and at most the 200 the Argo 4 CRD allows.",
    "input-parameter-count": "A template declares at most the 500 input parameters the Argo 4 CRD allows.",
    "loop": "A step or task loops with one of withItems, withParam and withSequence, and withSequence numbers "
            "are whole.",
    "hook-expression": "A step's or task's hook (other than `exit`) has an `expression`.",
}
MAX_INPUT_PARAMETERS = 500


def check(document, context):
    v4, v41 = version_flags(context.argo_version)
    base, spec = model.spec(document)
    defaults = model.as_dict(spec.get("templateDefaults"))
    substituted = False
    for at in model.all_templates(document):
        found = _template(document, at, defaults, v4, v41)
        if found:
            yield from found
        template = at.template
        if not substituted and ("timeout" in template or "activeDeadlineSeconds" in template):
            substituted = _input_tagged(template)
    strategy = defaults.get("retryStrategy")
    if strategy:
        yield from _as("retry-strategy", retry_strategy(base + ("templateDefaults", "retryStrategy"), strategy,
                                                        "`templateDefaults`", validated=False, v4=v4))
    if spec.get("workflowTemplateRef") is not None or model.ref_calls(document):
        yield from _images_of_references(document, context)
    if substituted:
        yield from _substituted(document)


def _dynamic(value) -> bool:
    return isinstance(value, str) and "{{" in value


_TYPE_KEYS = frozenset(model.TEMPLATE_TYPES)
# Fields that only the less common checks of `_template` read: a template with none of
# them (nearly all) skips those checks with one test.
_RARE_KEYS = frozenset({"plugin", "parallelism", "activeDeadlineSeconds", "timeout", "pendingTimeout",
                        "retryStrategy", "priority", "template", "templateRef", "memoize", "sidecars",
                        "initContainers", "podResources", "resourceClaims"})
# The fields of a step or task that `_loops` and `_call_hooks` read.
_CALL_KEYS = frozenset({"withItems", "withParam", "withSequence", "hooks"})


def _types(template):
    """``model.template_types(template)``, read from the template's few keys
    when it names a single type (nearly always) instead of testing all ten."""
    found = [key for key in template if key in _TYPE_KEYS]
    if len(found) == 1 and template[found[0]] is not None:
        return found
    return model.template_types(template) if found else found


def _template(document, at, defaults, v4, v41) -> list:
    """The findings of one template, as a list: most templates have none, and a
    plain call costs less than a generator for each of them."""
    template = at.template
    out = []
    types = _types(template)
    ttype = types[0] if types else None
    if len(types) != 1:
        out.extend(_type_count(at, types))
    rare = not _RARE_KEYS.isdisjoint(template)
    # `name` (how messages call the template) only when a check below may need it.
    name = label(at) if rare or ttype in ("suspend", "containerSet", "dag") else None
    if rare:
        out.extend(_rare_fields(at, ttype, name, v4, v41))
    if ttype == "suspend":
        out.extend(_suspend(at, name))
    elif ttype == "container" or ttype == "script":
        body = template[ttype]
        if isinstance(body, dict):
            image = body.get("image")
            if not (isinstance(image, str) and image) and not _default_image(defaults, ttype):
                out.append(_no_image(at, ttype))
        if _may_share_a_path(template, body, ttype):
            out.extend(_mounts(at, label(at)) if ttype == "container" else _script_mounts(at, label(at)))
    elif ttype == "containerSet":
        out.extend(_container_set(at, name, v41))
    if rare:
        out.extend(_rare_containers(at, ttype, name, v41))
    if ttype == "dag":
        out.extend(_dag_size(at, name, v4))
    if v4:
        inputs = template.get("inputs")
        if isinstance(inputs, dict):
            params = inputs.get("parameters")
            if isinstance(params, list) and len(params) > MAX_INPUT_PARAMETERS:
                out.append(finding(at.path + ("inputs", "parameters"),
                                   f"{label(at)} declares {len(params)} input parameters; the CRD Argo 4 installs "
                                   f"allows at most {MAX_INPUT_PARAMETERS}, so the API server rejects the manifest",
                                   hint="pass related values together, e.g. as one JSON parameter",
                                   check="input-parameter-count"))
    # Only a steps (or dag) template has steps (or tasks): `steps(at)` is empty unless `steps` is a type.
    if "steps" in types:
        _calls(model.steps(at), out)
    if "dag" in types:
        _calls(model.tasks(at), out)
    return out


def _calls(calls, out):
    """The loops and hooks of steps or tasks, into ``out``."""
    for call in calls:
        if not _CALL_KEYS.isdisjoint(call.body):
            body = call.body
            if "withItems" in body or "withParam" in body or "withSequence" in body:
                out.extend(_loops(call))
            if "hooks" in body:
                out.extend(_call_hooks(call))


def _may_share_a_path(template, body, ttype) -> bool:
    """Whether a container (or script) template has two volumeMounts, or input
    artifacts and volumeMounts, that could be at one path (else `_mounts` finds nothing)."""
    mounts = body.get("volumeMounts") if isinstance(body, dict) else None
    count = len(mounts) if isinstance(mounts, list) else 0
    if ttype == "container" and count < 2:
        inputs = template.get("inputs")
        if isinstance(inputs, dict) and "artifacts" in inputs:
            artifacts = inputs["artifacts"]
            count += len(artifacts) if isinstance(artifacts, list) else 0
    return count > 1


def _type_count(at, types):
    """A template with no type, or with more than one."""
    name = label(at)
    if len(types) > 1:
        shown = ", ".join(f"`{t}`" for t in types)
        yield finding(at.path + (types[1],),
                      f"{name} has more than one type ({shown}); Argo rejects a template that is not exactly one "
                      f"of {TYPE_LIST}",
                      hint="keep one type and move the other into a template of its own", on_key=True,
                      check="template-type")
    elif not types:
        yield finding(at.path, f"{name} has no type: Argo rejects it (\"template type is unknown\"); give it one of "
                               f"{TYPE_LIST}", hint="add a `container:` (or `script:`, `steps:`, `dag:`, ...) section",
                      on_key=True, check="template-type")


def _rare_fields(at, ttype, name, v4, v41):
    """The checks of fields few templates set (`_RARE_KEYS`)."""
    template = at.template
    plugin = template.get("plugin")
    if isinstance(plugin, dict) and len(plugin) != 1:
        keys = ", ".join(f"`{k}`" for k in plugin)
        got = f"it names {len(plugin)} ({keys})" if plugin else "it is empty"
        yield finding(at.path + ("plugin",), f"a plugin template names exactly one plugin; {got}, and Argo rejects it "
                                             f"(\"expected exactly one key, got {len(plugin)}\")",
                      hint="write `plugin: {<plugin-name>: {...}}` with a single plugin", on_key=True,
                      check="template-type")
    get = template.get
    if get("parallelism") is not None:
        yield from _parallelism(at, ttype, name, v4)
    if get("activeDeadlineSeconds") is not None:
        yield from _deadline(at, ttype, name)
    if "timeout" in template or "pendingTimeout" in template:
        yield from _timeouts(at, ttype, name, v41)
    if get("retryStrategy"):
        yield from _as("retry-strategy", retry_strategy(at.path + ("retryStrategy",), get("retryStrategy"), name,
                                                        validated=True, v4=v4))
    if "priority" in template or "template" in template or "templateRef" in template or "memoize" in template:
        yield from _removed_fields(at, name, v4)
    if "memoize" in template:
        yield from _memoize(at, name)


def _rare_containers(at, ttype, name, v41):
    """The checks of sidecars, init containers and pod-level resources (`_RARE_KEYS`)."""
    template = at.template
    get = template.get
    if "sidecars" in template:
        yield from _sidecars(at, name, v41)
    if "initContainers" in template:
        yield from _init_containers(at, name)
    if v41 and (get("podResources") is not None or get("resourceClaims") is not None):
        yield from _pod_level(at, ttype, name)


# -- fields only some types allow --------------------------------------------


def _parallelism(at, ttype, name, v4):
    value = at.template.get("parallelism")
    if value is None or ttype is None:
        return
    path = at.path + ("parallelism",)
    if ttype not in NON_LEAF:
        yield finding(path, f"`parallelism` is only valid on steps and dag templates; Argo rejects it on {name}, "
                            f"a {ttype} template",
                      hint="remove it, or set `parallelism` on the steps or dag template that runs this one",
                      on_key=True, check="parallelism")
    elif isinstance(value, int) and not isinstance(value, bool) and value < 1:
        yield from _as("parallelism", minimum_parallelism(path, value, v4, "the template never starts a step"))


def _deadline(at, ttype, name):
    value = at.template.get("activeDeadlineSeconds")
    if value is None or ttype is None:
        return
    path = at.path + ("activeDeadlineSeconds",)
    if ttype in NON_LEAF:
        yield finding(path, f"`activeDeadlineSeconds` is only valid on leaf templates; Argo rejects it on {name}, "
                            f"a {ttype} template",
                      hint="set it on the templates this one calls, or set `activeDeadlineSeconds` on the workflow "
                           "spec", on_key=True, check="deadline")
        return
    number = None
    if isinstance(value, bool):
        return  # the schema reports the type
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        number = durations.go_int(value)
        if number is None:
            if "{{" in value:
                return  # substituted before Argo checks it
            yield finding(path, f"`activeDeadlineSeconds: {value}` is neither a whole number of seconds nor a "
                                "`{{...}}` variable; Argo rejects it",
                          hint="write the number of seconds, e.g. `300`", check="deadline")
            return
    if number is None:
        return
    if number < 0:
        yield finding(path, f"`activeDeadlineSeconds: {value}` is negative; Argo rejects it",
                      hint="use the number of seconds the template may run, e.g. `300`", check="deadline")
    elif number == 0:
        yield finding(path, "`activeDeadlineSeconds: 0` gives the template no time to run: Argo accepts it, but the "
                            "step fails as soon as it starts (Kubernetes also refuses a pod deadline below 1)",
                      hint="use the number of seconds the template may run, or remove it", severity=WARNING, check="deadline")


def _timeouts(at, ttype, name, v41):
    if ttype is None:
        return
    for key in ("timeout", "pendingTimeout"):
        if key == "pendingTimeout" and not v41:
            continue  # the schema reports the field
        value = at.template.get(key)
        if not isinstance(value, str) or value == "":
            continue
        path = at.path + (key,)
        if ttype not in model.LEAF_TYPES:
            yield finding(path, f"`{key}` is only valid on leaf templates (container, containerSet, script, resource, "
                                f"data, http, plugin); Argo rejects it on {name}, a {ttype} template",
                          hint="set it on the templates this one calls" + (
                              ", or use `activeDeadlineSeconds` on a suspend template" if ttype == "suspend" else ""),
                          on_key=True, check="timeout")
            continue
        if "{{" in value:
            continue
        if key == "timeout" and durations.go_int(value) is not None:
            yield finding(path, f"`timeout: \"{value}\"` has no unit; Argo rejects a bare number",
                          hint=f"write `{value.lstrip('+')}s` for seconds", check="timeout")
            continue
        why = durations.go_duration_problem(value)
        if why:
            yield finding(path, f"`{key}: {value}` is not a Go duration ({why}): Argo accepts the manifest, but the "
                                "step fails when it starts", hint="write it like " + durations.EXAMPLES,
                          severity=WARNING, check="timeout")


def _removed_fields(at, name, v4):
    template = at.template
    if "priority" in template:
        yield finding(at.path + ("priority",), "template `priority` was removed in Argo 3.7: `argo lint` rejects the "
                                               "unknown field and the API server drops it",
                      hint="set `priorityClassName` to a PriorityClass instead", on_key=True, check="removed-field")
    for key in ("template", "templateRef"):
        if key in template:
            yield finding(at.path + (key,), f"a template cannot call another template with `{key}` since Argo 3.0: "
                                            "`argo lint` rejects the unknown field and the API server drops it",
                          hint=f"call it from a step or task: `steps: [[{{name: run, {key}: ...}}]]`", on_key=True, check="removed-field")
    memo = model.as_dict(template.get("memoize"))
    config_map = model.as_dict(model.as_dict(memo.get("cache")).get("configMap"))
    if v4 and "key" in config_map:
        yield finding(at.path + ("memoize", "cache", "configMap", "key"),
                      "`memoize.cache.configMap.key` was removed in Argo 4.0: the cache is the whole ConfigMap named "
                      "by `name`, and the API server rejects the unknown field", hint="delete `key:`", on_key=True, check="removed-field",
                      fix=fixes.fix("delete `key`: Argo 3 ignored it, Argo 4 rejects it",
                                    fixes.delete_key(at.path + ("memoize", "cache", "configMap", "key")),
                                    priority=fixes.MIGRATION))


def _memoize(at, name):
    memo = model.as_dict(at.template.get("memoize"))
    age = memo.get("maxAge")
    if isinstance(age, str) and age and not _dynamic(age):
        why = durations.go_duration_problem(age)
        if why:
            yield finding(at.path + ("memoize", "maxAge"),
                          f"`maxAge: {age}` is not a Go duration ({why}): Argo accepts it, but the step fails "
                          "when it looks up its cache", hint="write it like " + durations.EXAMPLES, severity=WARNING, check="memoize-max-age")


def _suspend(at, name):
    duration = model.as_dict(at.template.get("suspend")).get("duration")
    if isinstance(duration, str) and duration and not _dynamic(duration):
        why = durations.seconds_or_duration_problem(duration)
        if why:
            yield finding(at.path + ("suspend", "duration"),
                          f"suspend `duration: {duration}` is neither a number of seconds nor a Go duration ({why}): "
                          "Argo accepts it, but the suspend step errors when it starts",
                          hint="write it like `30`, " + durations.EXAMPLES, severity=WARNING, check="suspend-duration")


# -- containers ----------------------------------------------------------------


def _default_image(spec_or_defaults, ttype) -> bool:
    image = model.as_dict(model.as_dict(spec_or_defaults).get(ttype)).get("image")
    return isinstance(image, str) and image != ""


def _has_image(template, ttype) -> bool:
    image = model.as_dict(template.get(ttype)).get("image")
    return isinstance(image, str) and image != ""


def _no_image(at, ttype):
    """A container or script template without an image, none given by `templateDefaults` either."""
    return finding(at.path + (ttype,), f"{label(at)} has no `{ttype}.image` and `templateDefaults.{ttype}.image` gives "
                                       "none; Argo rejects it",
                   hint=f"add `image:` under `{ttype}:`, or set `templateDefaults.{ttype}.image` in the spec",
                   on_key=True, check="missing-image")


def _images_of_references(document, context):
    """Templates called by templateRef run with the *caller's* templateDefaults,
    while Argo's validator looks at the referenced WorkflowTemplate's (and, for
    a ClusterWorkflowTemplate, at none). Called only when the document has a
    `templateRef` or a `workflowTemplateRef`."""
    base, spec = model.spec(document)
    calls = model.ref_calls(document)
    wft = spec.get("workflowTemplateRef")
    runtime_kind = document.kind in ("Workflow", "CronWorkflow")
    caller_defaults = model.as_dict(spec.get("templateDefaults"))
    holder_of_run = None
    if wft is not None:
        holder_of_run = context.index.resolve_workflow_template_ref(document, wft)
    for call in calls:
        ref = call.body.get("templateRef")
        if not isinstance(ref, dict) or call.body.get("template") is not None:
            continue
        resolved = context.index.resolve_ref(document, ref)
        if resolved is None or resolved.opaque:
            continue
        ttype = model.template_type(resolved.template)
        if ttype not in ("container", "script") or len(model.template_types(resolved.template)) != 1:
            continue
        if _has_image(resolved.template, ttype) or not isinstance(resolved.template.get(ttype), dict):
            continue
        holder = resolved.entry
        what = f"template `{ref.get('template')}` of {holder.kind} `{holder.name}` ({holder.where}) has no " \
               f"`{ttype}.image`"
        holder_default = _default_image(holder.spec.get("templateDefaults"), ttype)
        mine = _default_image(caller_defaults, ttype) or (
            holder_of_run is not None and not holder_of_run.opaque
            and _default_image(holder_of_run.spec.get("templateDefaults"), ttype))
        where = call.path + ("templateRef",)
        fix = f"set `image:` in that template's `{ttype}`"
        if call.kind == "hook":
            # Argo's validator does not look at hook templates; only the run time counts.
            if runtime_kind and not mine:
                yield finding(where, f"{what}, and this workflow's `templateDefaults` (which a template called by "
                                     "`templateRef` runs with) set none: the hook's pod has no image and is rejected",
                              hint=fix, severity=WARNING, check="missing-image")
        elif holder.kind == "ClusterWorkflowTemplate":
            why = (", and Argo ignores a ClusterWorkflowTemplate's `templateDefaults` for templates called by "
                   "`templateRef`" if holder_default else "")
            yield finding(where, f"{what}{why}; Argo rejects this call", hint=fix, check="missing-image")
        elif not holder_default:
            yield finding(where, f"{what} and that WorkflowTemplate sets no `templateDefaults.{ttype}.image`; Argo "
                                 "rejects this call", hint=fix, check="missing-image")
        elif runtime_kind and not mine:
            yield finding(where, f"{what}: Argo accepts the call because that WorkflowTemplate sets "
                                 f"`templateDefaults.{ttype}.image`, but a template called by `templateRef` runs with "
                                 "the calling workflow's `templateDefaults`, which set none, so its pod has no image "
                                 "and is rejected",
                          hint=f"{fix}, or set `templateDefaults.{ttype}.image` in this workflow", severity=WARNING, check="missing-image")
    if holder_of_run is not None and not holder_of_run.opaque and document.kind in ("Workflow", "CronWorkflow"):
        missing = []
        for template in holder_of_run.templates():
            ttype = model.template_type(template)
            if ttype not in ("container", "script") or not isinstance(template.get(ttype), dict):
                continue
            if _has_image(template, ttype):
                continue
            cluster = holder_of_run.kind == "ClusterWorkflowTemplate"
            if cluster or not _default_image(holder_of_run.spec.get("templateDefaults"), ttype):
                missing.append(f"`{template.get('name')}`")
        if missing:
            cluster = holder_of_run.kind == "ClusterWorkflowTemplate"
            why = ("Argo validates them with the ClusterWorkflowTemplate as their base, ignoring its "
                   "`templateDefaults`" if cluster else "it sets no `templateDefaults` image for them")
            yield finding(base + ("workflowTemplateRef",),
                          f"{holder_of_run.kind} `{holder_of_run.name}` ({holder_of_run.where}) has templates without "
                          f"an image ({', '.join(missing)}): {why}; Argo rejects this workflow",
                          hint="set `image:` in those templates", check="missing-image")


def reserved(name: str) -> bool:
    return name in RESERVED_EXACT or name.startswith(RESERVED_PREFIX)


def _reserved_name(path, cname, what, v41, clashes):
    """A user container whose name Argo reserves (4.1) or uses for a container
    of its own in the same pod (Kubernetes then rejects the pod)."""
    if not isinstance(cname, str) or _dynamic(cname):
        return
    if v41 and reserved(cname):
        yield finding(path, f"{what} name `{cname}` is reserved for Argo's own containers (`wait`, `supervisor`, "
                            "`artifact-plugin-*`); Argo rejects it", hint="rename the container", check="container-name")
    elif cname in clashes:
        yield finding(path, f"{what} name `{cname}` is the name of a container Argo adds to the pod: Argo accepts it, "
                            "but Kubernetes rejects the pod for the duplicate name",
                      hint="rename the container", severity=WARNING, check="container-name")


def _missing_image(path, container, what):
    image = container.get("image")
    if not (isinstance(image, str) and image):
        yield finding(path, f"{what} has no `image`: Argo accepts it, but Kubernetes rejects the pod",
                      hint="add `image:`", on_key=True, severity=WARNING, check="missing-image")


def _sidecars(at, name, v41):
    for i, sidecar in enumerate(model.as_list(at.template.get("sidecars"))):
        if not isinstance(sidecar, dict):
            continue
        path = at.path + ("sidecars", i)
        cname = sidecar.get("name")
        what = f"sidecar `{cname}`" if isinstance(cname, str) and cname else "a sidecar"
        yield from _reserved_name(path + ("name",), cname, "sidecar", v41, ("wait", ARGO_INIT, MAIN))
        if cname == "":
            yield finding(path + ("name",), "sidecar name is empty: Argo accepts it, but Kubernetes rejects the pod",
                          hint="give the sidecar a name", severity=WARNING, check="container-name")
        yield from _missing_image(path, sidecar, f"{what} of {name}")


def _init_containers(at, name):
    for i, container in enumerate(model.as_list(at.template.get("initContainers"))):
        if not isinstance(container, dict):
            continue
        path = at.path + ("initContainers", i)
        cname = container.get("name")
        if cname == "":
            yield finding(path + ("name",), f"an init container of {name} has an empty name; Argo rejects it "
                                            "(\"initContainers must all have container name\")",
                          hint="give the init container a name", check="container-name")
        yield from _reserved_name(path + ("name",), cname, "init container", False, ("wait", ARGO_INIT, MAIN))
        what = f"init container `{cname}`" if isinstance(cname, str) and cname else "an init container"
        yield from _missing_image(path, container, f"{what} of {name}")


def _mounts(at, name):
    """Argo rejects a container template that mounts two volumes at one path,
    or whose input artifact path is a mount path or another artifact's path
    (exact string comparison)."""
    seen = {}
    yield from _repeated_mounts(at, "container", seen,
                                "; Argo rejects a container that mounts two volumes at one path", None)
    inputs = model.as_dict(at.template.get("inputs"))
    for i, artifact in enumerate(model.as_list(inputs.get("artifacts"))):
        artifact = model.as_dict(artifact)
        where = artifact.get("path")
        if not isinstance(where, str) or where == "":
            continue
        if where in seen:
            yield finding(at.path + ("inputs", "artifacts", i, "path"),
                          f"input artifact `{artifact.get('name')}` of {name} is loaded at `{where}`, which is already "
                          f"used by {seen[where]}; Argo rejects it",
                          hint="load the artifact into a path inside the volume, e.g. "
                               f"`{where.rstrip('/')}/{artifact.get('name') or 'artifact'}`, or mount the volume "
                               "elsewhere", check="artifact-path-conflict")
        else:
            seen[where] = f"input artifact `{artifact.get('name')}`"


def _script_mounts(at, name):
    yield from _repeated_mounts(at, "script", {}, ": Argo accepts it, but Kubernetes rejects a container that "
                                "mounts two volumes at one path", WARNING)


def _repeated_mounts(at, key, seen, consequence, severity):
    """Two volumeMounts of the `container` or `script` at one path; ``seen``
    (mount path -> what uses it) is filled for the caller's further checks."""
    body = model.as_dict(at.template.get(key))
    for i, mount in enumerate(model.as_list(body.get("volumeMounts"))):
        mount = model.as_dict(mount)
        where = mount.get("mountPath")
        if not isinstance(where, str):
            continue
        if where in seen:
            yield finding(at.path + (key, "volumeMounts", i, "mountPath"),
                          f"`{where}` is already mounted by {seen[where]}{consequence}",
                          hint="mount the volume at another path, or use `subPath`", severity=severity, check="duplicate-volume-mount")
        else:
            seen[where] = f"volumeMount `{mount.get('name')}`"


def _container_set(at, name, v41):
    template = at.template
    body = model.as_dict(template.get("containerSet"))
    base = at.path + ("containerSet",)
    containers = body.get("containers")
    listed = [(i, c) for i, c in enumerate(model.as_list(containers)) if isinstance(c, dict)]
    if isinstance(containers, list) and not containers:
        yield finding(base + ("containers",),
                      f"the containerSet of {name} has no containers; Argo requires at least one",
                      hint="add a container named `main`", check="container-set")
    seen = {}
    for i, mount in enumerate(model.as_list(body.get("volumeMounts"))):
        mount = model.as_dict(mount)
        where = mount.get("mountPath")
        if not isinstance(where, str):
            continue
        if where in seen:
            yield finding(base + ("volumeMounts", i, "mountPath"),
                          f"`{where}` is already mounted by volumeMount `{seen[where]}`; Argo rejects a containerSet "
                          "that mounts two volumes at one path", hint="mount the volume at another path",
                          check="duplicate-volume-mount")
        else:
            seen[where] = mount.get("name")
    names = [c.get("name") for _, c in listed if isinstance(c.get("name"), str)]
    known = set(names)
    for i, container in listed:
        cname = container.get("name")
        path = base + ("containers", i)
        yield from _reserved_name(path + ("name",), cname, "containerSet container", v41, ("wait", ARGO_INIT))
        what = f"containerSet container `{cname}`" if isinstance(cname, str) and cname else "a containerSet container"
        yield from _missing_image(path, container, f"{what} of {name}")
        for j, dep in enumerate(model.as_list(container.get("dependencies"))):
            if isinstance(dep, str) and not _dynamic(dep) and dep not in known:
                yield finding(path + ("dependencies", j),
                              f"containerSet container `{cname}` depends on `{dep}`, which is not a container of this "
                              f"containerSet; Argo rejects it{did_you_mean(dep, names)}",
                              hint="name one of: " + ", ".join(f"`{n}`" for n in names), check="container-dependency")
    yield from _container_cycles(base, listed)
    inputs = model.as_dict(template.get("inputs"))
    outputs = model.as_dict(template.get("outputs"))
    needs = [what for what, value in (("input artifacts", inputs.get("artifacts")),
                                      ("output parameters", outputs.get("parameters")),
                                      ("output artifacts", outputs.get("artifacts"))) if model.as_list(value)]
    if needs and listed and MAIN not in names and not any(_dynamic(n) for n in names):
        yield finding(base + ("containers",),
                      f"{name} has {' and '.join(needs)}, so its containerSet needs a container named `main` (the one "
                      "whose files Argo reads and writes); Argo rejects it",
                      hint="rename the container that produces or consumes them to `main`", on_key=True,
                      check="container-set")


def _container_cycles(base, listed):
    graph = {}
    where = {}
    for i, container in listed:
        cname = container.get("name")
        if not isinstance(cname, str):
            continue
        where.setdefault(cname, i)
        graph.setdefault(cname, [])
        graph[cname].extend(d for d in model.as_list(container.get("dependencies")) if isinstance(d, str))
    for cycle in callgraph.find_cycles(graph):
        # Point at the dependency that closes the circle: the last edge.
        closer, target = cycle[-2], cycle[-1]
        deps = model.as_list(dict(listed)[where[closer]].get("dependencies"))
        index = deps.index(target) if target in deps else 0
        yield finding(base + ("containers", where[closer], "dependencies", index),
                      "containerSet containers depend on each other in a cycle: "
                      + " -> ".join(f"`{c}`" for c in reversed(cycle)) + "; Argo rejects it",
                      hint=f"remove one of the dependencies, e.g. `{target}` of `{closer}`", check="container-dependency")


def _pod_level(at, ttype, name):
    template = at.template
    resources = template.get("podResources")
    if resources is not None and ttype in ("http", "plugin"):
        yield finding(at.path + ("podResources",), f"`podResources` is not supported on {name}, an {ttype} template: "
                                                   "it runs in Argo's agent pod; Argo rejects it",
                      hint="remove it", on_key=True, check="pod-resources")
    elif resources is not None:
        yield from _as("pod-resources", pod_resources(at.path + ("podResources",), resources))
    claims = template.get("resourceClaims")
    if claims is not None and ttype is not None and ttype not in model.POD_TYPES:
        yield finding(at.path + ("resourceClaims",), f"`resourceClaims` is not supported on {name}, a {ttype} "
                                                     "template, which creates no pod of its own; Argo rejects it",
                      hint="set it on the container, script or resource templates this one runs", on_key=True, check="pod-resources")


def _dag_size(at, name, v4):
    tasks = model.as_dict(at.template.get("dag")).get("tasks")
    if isinstance(tasks, list) and not tasks:
        yield finding(at.path + ("dag", "tasks"), f"the dag of {name} has no tasks; Argo requires at least one",
                      hint="add a task, or remove the template", check="dag-size")
    elif v4 and isinstance(tasks, list) and len(tasks) > MAX_DAG_TASKS:
        yield finding(at.path + ("dag", "tasks"), f"the dag of {name} has {len(tasks)} tasks; the CRD Argo 4 installs "
                                                  f"allows at most {MAX_DAG_TASKS}, so the API server rejects it",
                      hint="split it into nested dags, or loop over one task with `withItems`/`withParam`",
                      on_key=True, check="dag-size")


# -- values that come from input parameters --------------------------------------

INPUT_TAG = re.compile(r"^\{\{\s*inputs\.parameters\.([-a-zA-Z0-9_]+)\s*\}\}$")


def _input_tagged(template) -> bool:
    """Whether a template's `timeout` or `activeDeadlineSeconds` is one input-parameter tag."""
    return any(isinstance(template.get(key), str) and INPUT_TAG.match(template.get(key))
               for key in ("timeout", "activeDeadlineSeconds"))


def _substituted(document):
    """`timeout` and `activeDeadlineSeconds` written as one input-parameter tag
    are checked by Argo after the caller's argument (or the input's default)
    is put in: a step passing `"30"` to a `timeout` is rejected like a literal.
    Called only when some template has such a tag (`_input_tagged`)."""
    base, spec = model.spec(document)
    local = {at.name: at for at in model.templates(document) if at.name}
    reported = set()
    callers = []
    for at in model.all_templates(document):
        for call in list(model.steps(at)) + list(model.tasks(at)):
            inline = call.body.get("inline")
            if isinstance(inline, dict):
                callee = model.TemplateAt(call.path + ("inline",), inline, owner=call.path)
            else:
                callee = local.get(call.body.get("template")) if isinstance(call.body.get("template"), str) else None
            what = "step" if call.kind == "step" else "task"
            callers.append((callee, call.path + ("arguments",), model.as_dict(call.body.get("arguments")),
                            f"{what} `{call.name}`"))
    entry = spec.get("entrypoint")
    if document.kind in ("Workflow", "CronWorkflow") and isinstance(entry, str) and entry in local:
        callers.append((local[entry], base + ("arguments",), model.as_dict(spec.get("arguments")), "the workflow"))
    for callee, args_path, arguments, caller in callers:
        if callee is None or model.template_type(callee.template) not in model.LEAF_TYPES:
            continue  # non-leaf templates may not have these fields at all
        for key in ("timeout", "activeDeadlineSeconds"):
            field = callee.template.get(key)
            match = INPUT_TAG.match(field) if isinstance(field, str) else None
            if not match:
                continue
            param = match.group(1)
            value, where, given = _argument(arguments, args_path, param)
            if not given:
                value = _input_value(callee.template, param)
                where = callee.path + (key,)
            if isinstance(value, bool) or not isinstance(value, (str, int)) or "{{" in str(value):
                continue
            text = str(value)
            problem = None
            if key == "timeout" and durations.go_int(text) is not None:
                problem = "a bare number, which Argo rejects as a timeout"
            elif key == "activeDeadlineSeconds":
                number = durations.go_int(text)
                if number is None:
                    problem = "not a whole number of seconds, which Argo rejects as a deadline"
                elif number < 0:
                    problem = "negative, which Argo rejects as a deadline"
            if problem is None or (where, key) in reported:
                continue
            reported.add((where, key))
            source = f"{caller} passes `{param}: {text}`" if given else f"input `{param}` defaults to `{text}`"
            # Argo checks `timeout` on every call, but the deadline only the first
            # time it validates the template: for a step that is with placeholder
            # arguments, so only the entrypoint's real arguments reach the check.
            checked = key == "timeout" or caller == "the workflow"
            if checked:
                message = f"`{key}: \"{field}\"` of {label(callee)} becomes `{text}` ({source}): {problem}"
            else:
                unchecked = problem.replace("which Argo rejects", "which Argo does not check for a step but cannot use")
                message = (f"`{key}: \"{field}\"` of {label(callee)} becomes `{text}` ({source}): {unchecked}, so the "
                           "step fails")
            yield finding(where, message, severity=None if checked else WARNING,
                          hint="pass a duration with a unit, e.g. `30s`" if key == "timeout"
                          else "pass the number of seconds, e.g. `300`",
                          check="timeout" if key == "timeout" else "deadline")


def _argument(arguments, path, name):
    for i, parameter in enumerate(model.as_list(arguments.get("parameters"))):
        parameter = model.as_dict(parameter)
        if parameter.get("name") == name:
            if "value" in parameter:
                return parameter.get("value"), path + ("parameters", i, "value"), True
            return None, None, True
    return None, None, False


def _input_value(template, name):
    for parameter in model.as_list(model.as_dict(template.get("inputs")).get("parameters")):
        parameter = model.as_dict(parameter)
        if parameter.get("name") == name:
            return parameter.get("value", parameter.get("default"))
    return None


# -- steps and tasks -----------------------------------------------------------


def _loops(call):
    body = call.body
    used = []
    if model.as_list(body.get("withItems")):
        used.append("withItems")
    if isinstance(body.get("withParam"), str) and body.get("withParam"):
        used.append("withParam")
    if body.get("withSequence") is not None:
        used.append("withSequence")
    what = "step" if call.kind == "step" else "task"
    if len(used) > 1:
        yield finding(call.path + (used[1],), f"{what} `{call.name}` loops with both `{used[0]}` and `{used[1]}`; Argo "
                                              "accepts only one of withItems, withParam and withSequence",
                      hint="keep one of them", on_key=True, check="loop")
    sequence = model.as_dict(body.get("withSequence"))
    if sequence.get("count") is not None and sequence.get("end") is not None:
        yield finding(call.path + ("withSequence", "end"),
                      f"`withSequence` of {what} `{call.name}` sets both `count` and `end`; Argo accepts only one",
                      hint="use `count` (how many numbers) or `start`/`end` (a range), not both", on_key=True, check="loop")
    for key in ("count", "start", "end"):
        value = sequence.get(key)
        if isinstance(value, str) and not _dynamic(value) and durations.go_int(value) is None:
            yield finding(call.path + ("withSequence", key),
                          f"`withSequence.{key}: {value}` is not a whole number: Argo accepts it, but the {what} "
                          "fails when it expands the loop", hint="write a whole number, e.g. `5`", severity=WARNING, check="loop")


def _call_hooks(call):
    for name, hook in model.as_dict(call.body.get("hooks")).items():
        if name == "exit" or not isinstance(hook, dict):
            continue
        expression = hook.get("expression")
        if isinstance(expression, str) and expression.strip():
            continue
        what = "step" if call.kind == "step" else "task"
        path = call.path + ("hooks", name)
        if call.kind == "step":
            yield finding(path, f"hook `{name}` of step `{call.name}` has no `expression`; Argo rejects every hook but "
                                "`exit` without one (\"Expression required\")",
                          hint="add `expression:` saying when it runs, e.g. `steps[\"x\"].status == \"Running\"`, or "
                               "name the hook `exit` to run it when the step ends", on_key=True, check="hook-expression")
        else:
            yield finding(path, f"hook `{name}` of {what} `{call.name}` has no `expression`: Argo accepts it, but the "
                                "task errors when the hook is due (\"Expression required\")",
                          hint="add `expression:` saying when it runs, or name the hook `exit`", on_key=True,
                          severity=WARNING, check="hook-expression")
