"""Names of templates, steps, tasks, containers, parameters and artifacts follow Argo's format and length rules."""

import re

from wflint.finding import WARNING, finding
from wflint.argo import model
from wflint.lang.tags import mask

ID = "template-name"
SEVERITY = "error"
SUMMARY = "Names of templates, steps, tasks, containers, parameters and artifacts follow Argo's format and length rules."

# Argo's two name rules (workflow/validate/validate.go).
FIELD_NAME = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")
FIELD_MAX = 128
PARAM_NAME = re.compile(r"^[-a-zA-Z0-9_]+$")
# A `{{...}}` tag (the first `}}` closes it) and what Argo calls "a parameter"
# when it decides whether a globalName is literal.
PARAMETER_TAG = re.compile(r"\{\{[-a-zA-Z0-9]+(\.[-a-zA-Z0-9_]+)*\}\}")

OBJECT_LIMITS = {"Workflow": 63, "WorkflowTemplate": 63, "ClusterWorkflowTemplate": 63, "CronWorkflow": 52}

FIELD_FORMAT = "only letters, digits and '-' are allowed, and it must start with a letter or digit"
PARAM_FORMAT = "only letters, digits, '_' and '-' are allowed"


def show(name: str, limit: int = 60) -> str:
    """A name for a message, cut short when it is very long."""
    return name if len(name) <= limit else name[:limit - 3] + "..."


def _skeleton(name: str) -> str:
    """The name with each `{{...}}` replaced by a name-safe stand-in: Argo
    substitutes step, task and container names before checking them, so only
    the literal parts can be judged here."""
    return mask(name, "x", keep_length=False)


def _field_name_fix(name: str) -> str:
    fixed = re.sub(r"[^-a-zA-Z0-9]+", "-", name).strip("-")[:FIELD_MAX].rstrip("-")
    return fixed or "my-name"


def _param_name_fix(name: str) -> str:
    return re.sub(r"[^-a-zA-Z0-9_]+", "_", name).strip("_") or "my_param"


def _check_field_name(path, name, what, dynamic):
    """A template/step/task/container name: required, format, length."""
    if name == "":
        yield finding(path, f"{what} name is empty; Argo requires a name", hint="give it a name")
        return
    literal = _skeleton(name) if dynamic else name
    reasons = []
    if not FIELD_NAME.match(literal):
        reasons.append(FIELD_FORMAT)
    length = len(mask(name, "", keep_length=False).encode("utf-8")) if dynamic else len(name.encode("utf-8"))
    if length > FIELD_MAX:
        reasons.append(f"it is {length} characters long and Argo allows at most {FIELD_MAX}")
    if reasons:
        if len(reasons) == 1 and length > FIELD_MAX:
            hint = f"shorten it to {FIELD_MAX} characters or fewer"
        elif dynamic and "{{" in name:
            hint = "rename it: use letters, digits and '-' around the `{{...}}` parts"
        else:
            hint = f"rename it, e.g. `{show(_field_name_fix(name))}`"
        yield finding(path, f"{what} name `{show(name)}` is invalid: " + "; ".join(reasons), hint=hint)


def _check_param_name(path, name, what, dynamic=False):
    if name == "":
        yield finding(path, f"{what} name is empty; Argo requires a name", hint="give it a name")
        return
    literal = _skeleton(name) if dynamic else name
    if not PARAM_NAME.match(literal):
        hint = (f"rename it, e.g. `{show(_param_name_fix(name))}`" if "{{" not in name
                else "rename it: use letters, digits, '_' and '-' around the `{{...}}` parts")
        yield finding(path, f"{what} name `{show(name)}` is invalid: {PARAM_FORMAT}", hint=hint)


def _valid_field_name(name: str) -> bool:
    """A name (without tags) that `_check_field_name` accepts as it is."""
    return "{{" not in name and len(name) <= FIELD_MAX and FIELD_NAME.match(name) is not None


# Names seen to need no check, kept for the whole run: the same few names (`main`, `step-1`,
# `message`) come back in document after document, and a set look-up is cheaper than the
# regular expression. Both tests are pure; the sets are emptied when they grow large.
_PLAIN_FIELD_NAMES: set = set()     # `_valid_field_name`, and not led by a digit (see `_check_dag_digits`)
_PLAIN_PARAM_NAMES: set = set()     # no tag, and PARAM_NAME matches
_KEEP = 50_000


def _plain_field_name(name) -> bool:
    """A template, step or task name with nothing to report, nor a leading digit."""
    try:
        if name in _PLAIN_FIELD_NAMES:
            return True
    except TypeError:       # a list or mapping where the name belongs
        return False
    if not (isinstance(name, str) and _valid_field_name(name) and not name[:1].isdigit()):
        return False
    if len(_PLAIN_FIELD_NAMES) >= _KEEP:
        _PLAIN_FIELD_NAMES.clear()
    _PLAIN_FIELD_NAMES.add(name)
    return True


def _plain_param_name(name: str) -> bool:
    if name in _PLAIN_PARAM_NAMES:
        return True
    if "{{" in name or PARAM_NAME.match(name) is None:
        return False
    if len(_PLAIN_PARAM_NAMES) >= _KEEP:
        _PLAIN_PARAM_NAMES.clear()
    _PLAIN_PARAM_NAMES.add(name)
    return True


def _io_clean(io, output: bool) -> bool:
    """True when `_check_io` has nothing to report: every parameter and artifact
    has a plain valid name (or none) and, in outputs, a valid `globalName` (or none)."""
    items = io.get("parameters")
    if items and type(items) is list and not _items_clean(items, output):
        return False
    items = io.get("artifacts")
    return not (items and type(items) is list and not _items_clean(items, output))


def _items_clean(items, output: bool) -> bool:
    for item in items:
        if type(item) is dict:
            name = item.get("name")
            if type(name) is str and name not in _PLAIN_PARAM_NAMES and not _plain_param_name(name):
                return False
            if output and not _global_name_clean(item.get("globalName")):
                return False
    return True


def _global_name_clean(glob) -> bool:
    """A `globalName` `_check_io` accepts: none, not a text, empty, a placeholder, or a valid name."""
    return not (isinstance(glob, str) and glob) or bool(PARAMETER_TAG.search(glob)) or bool(PARAM_NAME.match(glob))


def _check_io(base, io, direction, dynamic):
    """Parameters and artifacts of an `inputs`, `outputs` or `arguments` block."""
    output = direction == "output"
    for kind in ("parameters", "artifacts"):
        items = io.get(kind)
        if not items or not isinstance(items, list):
            continue
        noun = kind[:-1]
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            name = item.get("name")
            glob = item.get("globalName") if output else None
            if glob is None and isinstance(name, str) and "{{" not in name and PARAM_NAME.match(name):
                continue              # a valid name: nothing to report
            path = base + (kind, i)
            if isinstance(name, str) and not _plain_param_name(name):   # (missing names are the schema's)
                yield from _check_param_name(path + ("name",), name, f"{direction} {noun}", dynamic)
            if direction == "output" and isinstance(glob, str) and glob and not PARAMETER_TAG.search(glob):
                if not PARAM_NAME.match(glob):
                    # Argo takes a globalName as a placeholder only when it holds a tag
                    # like `{{inputs.parameters.x}}` (no spaces); anything else must be a plain name.
                    hint = ("write the tag without spaces, like `{{inputs.parameters.name}}`, or use a plain name"
                            if "{{" in glob else f"rename it, e.g. `{show(_param_name_fix(glob))}`")
                    yield finding(path + ("globalName",),
                                  f"`globalName` `{show(glob)}` of output {noun} is invalid: {PARAM_FORMAT}",
                                  hint=hint)


def _check_metadata(document, data):
    kind = document.kind
    metadata = data.get("metadata")
    meta = model.as_dict(metadata)
    name = meta.get("name")
    generate = meta.get("generateName")
    limit = OBJECT_LIMITS.get(kind)
    if isinstance(name, str) and name and limit:
        size = len(name.encode("utf-8"))
        if size > limit:
            unit = "characters" if name.isascii() else "bytes"
            why = (" (the Workflows it creates get a `-<timestamp>` suffix and must fit in 63)"
                   if kind == "CronWorkflow" else "")
            yield finding(("metadata", "name"),
                          f"{kind} name `{show(name)}` is {size} {unit} long; Argo allows at most {limit}{why}",
                          hint=f"shorten it to {limit} characters or fewer")
    has_name = isinstance(name, str) and name != ""
    has_generate = isinstance(generate, str) and generate != ""
    where = ("metadata",) if isinstance(metadata, dict) else ("kind",)
    if kind in ("Workflow", "CronWorkflow") and not has_name and not has_generate:
        yield finding(where, f"{kind} has neither `metadata.name` nor `metadata.generateName`; "
                             "`kubectl create` and `argo submit` refuse it",
                      hint="add `generateName: <prefix>-` (or a `name:`) under `metadata`",
                      on_key=True, severity=WARNING)
    elif kind in ("WorkflowTemplate", "ClusterWorkflowTemplate") and not has_name:
        if has_generate:
            yield finding(("metadata", "generateName"),
                          f"{kind} has `generateName` but no `metadata.name`; a template needs a fixed name "
                          "(`kubectl apply` rejects `generateName`, and `templateRef` and "
                          "`workflowTemplateRef` refer to templates by name)",
                          hint="replace `generateName` with `name`", on_key=True, severity=WARNING)
        else:
            yield finding(where, f"{kind} has no `metadata.name`; it cannot be created, and "
                                 "`templateRef` and `workflowTemplateRef` refer to templates by name",
                          hint="add `name:` under `metadata`", on_key=True, severity=WARNING)


def _metadata_clean(kind: str, metadata) -> bool:
    """True when `_check_metadata` has nothing to report (the usual case, told without it)."""
    if type(metadata) is not dict:
        return False
    name = metadata.get("name")
    if type(name) is str and name:
        limit = OBJECT_LIMITS.get(kind)
        return not limit or len(name) * 4 <= limit or len(name.encode("utf-8")) <= limit
    if kind in ("Workflow", "CronWorkflow"):
        generate = metadata.get("generateName")
        return type(generate) is str and generate != ""
    return kind not in ("WorkflowTemplate", "ClusterWorkflowTemplate")


def _starts_with_digit(name) -> bool:
    return isinstance(name, str) and name[:1].isdigit()


def _check_dag_digits(at):
    """Task names that the `depends` logic cannot read: Argo rejects a leading
    digit when the DAG uses `depends` or the task itself has `dependencies`;
    a digit-led task merely named in another task's `dependencies` passes the
    validator but breaks the expression Argo builds from them at runtime."""
    tasks = model.tasks(at)
    if not any(_starts_with_digit(c.name) for c in tasks):
        return
    using_depends = any(isinstance(c.body.get("depends"), str) and c.body.get("depends") for c in tasks)
    referenced = {}
    for call in tasks:
        for dep in model.as_list(call.body.get("dependencies")):
            if isinstance(dep, str):
                referenced.setdefault(dep, call.name)
    for call in tasks:
        name = call.name
        if not _starts_with_digit(name):
            continue
        hint = f"rename it to start with a letter, e.g. `task-{show(name)}`, and update the references"
        if using_depends:
            yield finding(call.path + ("name",),
                          f"DAG task name `{show(name)}` starts with a digit, which Argo rejects in a DAG "
                          "that uses `depends`", hint=hint)
        elif model.as_list(call.body.get("dependencies")):
            yield finding(call.path + ("name",),
                          f"DAG task name `{show(name)}` starts with a digit, which Argo rejects on a task "
                          "that has `dependencies`", hint=hint)
        elif name in referenced:
            yield finding(call.path + ("name",),
                          f"DAG task name `{show(name)}` starts with a digit; task `{referenced[name]}` lists it in "
                          "`dependencies`, which Argo turns into a `depends` expression that cannot parse it, "
                          "so that task fails at runtime", hint=hint, severity=WARNING)


def check(document, context):
    data = model.as_dict(document.data)
    metadata = data.get("metadata")
    if not _metadata_clean(document.kind, metadata):
        yield from _check_metadata(document, data)

    base, spec = model.spec(document)
    arguments = spec.get("arguments")
    if arguments and isinstance(arguments, dict) and not _io_clean(arguments, False):
        yield from _check_io(base + ("arguments",), arguments, "workflow argument", dynamic=False)

    # Each test is first made cheaply on names seen before (`_plain_field_name`, `_io_clean`):
    # the full checks run only where there may be something to report.
    for at in model.all_templates(document):
        template = at.template
        if at.owner is None:          # a top-level template (inline ones have no name)
            name = template.get("name")
            if ((type(name) is not str or name not in _PLAIN_FIELD_NAMES) and not _plain_field_name(name)
                    and not (isinstance(name, str) and _valid_field_name(name))):
                if name is None:
                    yield finding(at.path, "template has no `name`; Argo requires one on every template",
                                  hint="add `name:`", on_key=True)
                elif isinstance(name, str):
                    yield from _check_field_name(at.path + ("name",), name, "template", dynamic=False)
        io = template.get("inputs")
        if io and isinstance(io, dict) and not _io_clean(io, False):
            yield from _check_io(at.path + ("inputs",), io, "input", dynamic=False)
        io = template.get("outputs")
        if io and isinstance(io, dict) and not _io_clean(io, True):
            yield from _check_io(at.path + ("outputs",), io, "output", dynamic=True)
        digits = False      # a task name led by a digit (`_check_dag_digits`)
        # (a template without `steps` or `dag`, most of them, has no steps or tasks to look at)
        for calls in (model.steps(at), model.tasks(at)) if "steps" in template or "dag" in template else ():
            for call in calls:
                body = call.body
                name = body.get("name")
                if (type(name) is not str or name not in _PLAIN_FIELD_NAMES) and not _plain_field_name(name):
                    if name is None:
                        if call.kind == "step":   # the schema reports tasks without a name
                            yield finding(call.path, "step has no `name`; Argo requires one on every step",
                                          hint="add `name:`", on_key=True)
                    elif isinstance(name, str):
                        digits = digits or name[:1].isdigit()
                        if not _valid_field_name(name):
                            what = "step" if call.kind == "step" else "DAG task"
                            yield from _check_field_name(call.path + ("name",), name, what, dynamic=True)
                io = body.get("arguments")
                if io and isinstance(io, dict) and not _io_clean(io, False):
                    yield from _check_io(call.path + ("arguments",), io, "argument", dynamic=True)
        if digits and template.get("dag") is not None:
            yield from _check_dag_digits(at)
        container_set = template.get("containerSet")
        if container_set is not None:
            for i, container in enumerate(model.as_list(model.as_dict(container_set).get("containers"))):
                name = model.as_dict(container).get("name")
                if isinstance(name, str) and not _plain_field_name(name):
                    yield from _check_field_name(at.path + ("containerSet", "containers", i, "name"), name,
                                                 "containerSet container", dynamic=True)
