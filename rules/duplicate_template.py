"""Templates, steps, tasks, parameters and artifacts are not defined twice under one name."""

import os

from wflint.argo.index import memoized
from wflint.finding import finding
from wflint.argo import model

ID = "duplicate-template"
SEVERITY = "error"
SUMMARY = "Templates, steps, tasks, parameters and artifacts are not defined twice under one name."


def where(path) -> str:
    """A node path as people write it: spec.templates[1].steps[0][2]."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _duplicates(items):
    """(path, name, first path) for every item whose name an earlier item already has.
    ``items`` are (path of the item, name); empty and non-string names are skipped
    (`template-name` and `schema` report those)."""
    seen = {}
    for path, name in items:
        if not isinstance(name, str) or name == "":
            continue
        if name in seen:
            yield path, name, seen[name]
        else:
            seen[name] = path


def _report(items, message, hint):
    for path, name, first in _duplicates(items):
        yield finding(path + ("name",), message.format(name=name, first=where(first)), hint=hint)


def _repeats_a_name(io) -> bool:
    """Whether an `inputs`, `outputs` or `arguments` block lists two parameters,
    or two artifacts, of one name (what `_io` reports; most list one or none)."""
    if not isinstance(io, dict):
        return False
    parameters, artifacts = io.get("parameters"), io.get("artifacts")
    return ((isinstance(parameters, list) and len(parameters) > 1 and _items_repeat(parameters))
            or (isinstance(artifacts, list) and len(artifacts) > 1 and _items_repeat(artifacts)))


def _items_repeat(listed) -> bool:
    return _names_repeat([item.get("name") for item in listed if isinstance(item, dict)])


def _io(base, io, direction, verb="declared"):
    for kind in ("parameters", "artifacts"):
        listed = io.get(kind)
        if not isinstance(listed, list) or len(listed) < 2:
            continue
        noun = kind[:-1]
        items = [(base + (kind, i), item.get("name"))
                 for i, item in enumerate(listed) if isinstance(item, dict)]
        yield from _report(items, f"{direction} {noun} `{{name}}` is {verb} twice (first at `{{first}}`)",
                           hint=f"rename or remove one of the two {kind}")


def _same_object(document, context):
    """Another WorkflowTemplate (or ClusterWorkflowTemplate) of this name, in
    this namespace, elsewhere in the project: applying both, one replaces the other.

    Whether both reach the same namespace of one cluster is guessed from where
    they are: in one file (applied together), an error; in one folder (often
    applied together, `kubectl apply -f DIR`, but also a folder of examples or
    test data), a warning; in different folders (tests and deploy, two
    overlays, two environments of a monorepo), a warning when both name the
    same namespace (or are cluster-scoped) or when they hold different
    templates (not copies), and nothing for copies without a namespace."""
    if document.kind not in ("WorkflowTemplate", "ClusterWorkflowTemplate") or not document.name:
        return
    cluster = document.kind == "ClusterWorkflowTemplate"
    others = context.index.find(document.kind, document.name)
    if len(others) == 1 and others[0].path == document.path and others[0].document == document.index:
        return  # only this document has the name
    here = os.path.abspath(document.path)
    here_folder = os.path.dirname(here)
    namespace = document.namespace
    mine = None
    warned = folder = None
    scope = "" if cluster else \
        (f" in namespace `{namespace}`" if namespace else " (both without a namespace)")
    for other, there, there_folder, names in _others(context.index, document.kind, document.name, others):
        if not cluster and other.namespace != namespace:
            continue
        if other.path == document.path and other.document == document.index:
            continue
        if there == here:
            yield finding(("metadata", "name"), f"{document.kind} `{document.name}` is also defined in "
                          f"{other.where}{scope}: applying the file, the later one silently replaces the other, "
                          "and templateRefs cannot tell them apart",
                          hint="rename one of them, or delete the copy")
            return
        if folder is None and there_folder == here_folder:
            folder = other
        if warned is None:
            if cluster or namespace:
                warned = other
            else:
                if mine is None:
                    mine = _template_names(document)
                if names is not None and mine != names:
                    # (two WorkflowTemplates of one name that hold different templates: not copies of one
                    # template for different places, but two templates that took the same name)
                    warned = other
    if folder is not None:
        yield finding(("metadata", "name"), f"{document.kind} `{document.name}` is also defined in "
                      f"{folder.where}, in the same folder{scope}: applied together, the later one silently "
                      "replaces the other, and templateRefs cannot tell them apart",
                      hint="rename one of them, or delete the copy (two versions of one template for "
                           "different clusters belong in different folders)",
                      severity="warning")
    elif warned is not None:
        where = " (cluster-scoped)" if cluster else f", for the same namespace `{document.namespace}`" \
            if document.namespace else ", with other templates in it (not a copy)"
        yield finding(("metadata", "name"), f"{document.kind} `{document.name}` is also defined in "
                      f"{warned.where}{where}: if both are applied to one cluster, the later one silently "
                      "replaces the other",
                      hint="rename one of them, or keep one copy (two copies for different clusters are fine)",
                      severity="warning")


def _others(index, kind, name, others) -> list:
    """(entry, absolute path, its folder, its set of template names or None when opaque) of
    each entry of ``others`` (``index.find(kind, name)``) that is not a stub, worked out once
    per name and index: a project with many copies of one template compares every copy with
    every other."""
    def build():
        rows = []
        for other in others:
            if not other.stub:
                there = os.path.abspath(other.path)
                names = None if other.opaque else set(other.template_names())
                rows.append((other, there, os.path.dirname(there), names))
        return rows
    return memoized(index, ("duplicate-template", "others", kind, name), build)


def _template_names(document) -> set:
    return {t.get("name") for t in model.as_list(model.spec(document)[1].get("templates")) if isinstance(t, dict)}


def check(document, context):
    if document.kind in ("WorkflowTemplate", "ClusterWorkflowTemplate"):
        yield from _same_object(document, context)
    base, spec = model.spec(document)
    io = spec.get("arguments")
    if _repeats_a_name(io):
        yield from _io(base + ("arguments",), io, "workflow argument")

    # Each template's own findings (rare) come after those of the top-level templates' names.
    later = []
    for at in model.all_templates(document):
        found = _template(at)
        if found:
            later.extend(found)
    tops = model.templates(document)
    if len(tops) > 1 and _names_repeat([at.template.get("name") for at in tops]):
        yield from _report([(at.path, at.template.get("name")) for at in tops],
                           "template `{name}` is defined twice (first at `{first}`); Argo rejects duplicate "
                           "template names", hint="rename or remove one of the two templates")
    yield from later


def _template(at) -> list:
    """The findings of one template (its inputs, outputs, steps, tasks and
    containers), as a list: most templates have none."""
    out = []
    template = at.template
    io = template.get("inputs")
    if io is not None and _repeats_a_name(io):
        out.extend(_io(at.path + ("inputs",), io, "input"))
    io = template.get("outputs")
    if io is not None and _repeats_a_name(io):
        out.extend(_io(at.path + ("outputs",), io, "output"))

    # Only a steps (or dag) template has steps (or tasks) to compare.
    steps = model.steps(at) if "steps" in template else ()
    if len(steps) > 1 and _repeats(steps):
        out.extend(_report([(c.path, c.name) for c in steps],
                           "step name `{name}` is used twice in one steps template (first at `{first}`); step "
                           "names must be unique across all its step groups",
                           hint="rename one of the two steps (and the `steps.<name>` references to it)"))
    tasks = model.tasks(at) if "dag" in template else ()
    if len(tasks) > 1 and _repeats(tasks):
        out.extend(_report([(c.path, c.name) for c in tasks],
                           "DAG task `{name}` is defined twice (first at `{first}`)",
                           hint="rename or remove one of the two tasks"))
    for calls in (steps, tasks):
        for call in calls:
            io = call.body.get("arguments")
            if io is not None and _repeats_a_name(io):
                out.extend(_io(call.path + ("arguments",), io, "argument", verb="passed"))

    container_set = template.get("containerSet")
    if container_set is not None:
        containers = model.as_list(model.as_dict(container_set).get("containers"))
        out.extend(_report([(at.path + ("containerSet", "containers", i), c.get("name"))
                            for i, c in enumerate(containers) if isinstance(c, dict)],
                           "containerSet container `{name}` is defined twice (first at `{first}`)",
                           hint="rename or remove one of the two containers"))
    return out


def _repeats(calls) -> bool:
    """Whether two steps (or tasks) share a name (as `_duplicates` counts names)."""
    return _names_repeat([c.body.get("name") for c in calls])


def _names_repeat(names) -> bool:
    """Whether two of ``names`` are one name (as `_duplicates` counts names)."""
    try:
        if len(set(names)) == len(names):
            return False   # all different (the usual case), so also those `_duplicates` counts
    except TypeError:
        pass   # a name that is a mapping or a list
    names = [n for n in names if isinstance(n, str) and n != ""]
    return len(set(names)) != len(names)
