"""Callers supply every required input parameter, and only parameters the callee declares."""

from typing import Dict, List, Optional, Tuple

from wflint.argo import callgraph, model
from wflint import fix as fixes
from wflint.finding import NodePath, finding
from wflint.source.scalars import key_text
from wflint.suggest import did_you_mean

ID = "parameter"
SEVERITY = "error"
SUMMARY = "Callers supply every required input parameter, and only parameters the callee declares."
# `undeclared-arguments: false` turns off the warning for arguments the callee does not declare
# (Argo ignores them; some generators pass extra ones to every template).
OPTIONS = {"undeclared-arguments": True}

TEMPLATE_KINDS = ("WorkflowTemplate", "ClusterWorkflowTemplate")
# Artifact fields that give an artifact a location (or a key in the default repository).
LOCATIONS = ("s3", "gcs", "git", "http", "artifactory", "hdfs", "raw", "oss", "azure", "plugin")
# valueFrom sources an argument may use (with `default` beside them), and those it may not.
ARGUMENT_SOURCES = ("configMapKeyRef", "event", "supplied")
NOT_FOR_ARGUMENTS = ("path", "jsonPath", "parameter", "expression")
OUTPUT_SOURCES = ("path", "jqFilter", "jsonPath", "parameter", "expression", "supplied")
# Which valueFrom source each template type's outputs need.
OUTPUT_NEEDS = {
    "container": ("path",), "containerSet": ("path",), "script": ("path",),
    "resource": ("jqFilter", "jsonPath"),
    "steps": ("parameter", "expression"), "dag": ("parameter", "expression"),
}


class _Inputs:
    """A template's named input parameters and artifacts, worked out once per template."""

    __slots__ = ("parameters", "artifacts", "declared", "declared_artifacts", "required", "required_artifacts",
                 "enums")

    def __init__(self, template: Dict):
        inputs = template.get("inputs")
        if isinstance(inputs, dict):
            self.parameters = _named(inputs.get("parameters"))
            self.artifacts = _named(inputs.get("artifacts"))
        else:
            self.parameters = self.artifacts = []
        self.declared = {p["name"]: p for _, p in self.parameters}
        self.declared_artifacts = {a["name"] for _, a in self.artifacts}
        # What a caller must pass (for ``_quiet_call``): the parameters without a value of their own,
        # the artifacts without a location that are not optional, and the parameters with an `enum`
        # an argument's value is compared with.
        self.required = {p["name"] for _, p in self.parameters if not _has_own_value(p)}
        self.required_artifacts = {a["name"] for _, a in self.artifacts if not _located(a)}
        self.enums = {name for name, p in self.declared.items() if _enum_list(p.get("enum"))}


# What a template without `inputs` declares (most callees): nothing, one shared value.
# Read only, like every _Inputs.
_NO_INPUTS = _Inputs({})


def _inputs(template: Dict, cache: Dict[int, _Inputs]) -> _Inputs:
    """``_Inputs(template)``, once per template in ``cache`` (one per check of a document)."""
    if type(template.get("inputs")) is not dict:
        return _NO_INPUTS   # (fast path) two thirds of the templates called declare no inputs
    io = cache.get(id(template))
    if io is None:
        io = cache[id(template)] = _Inputs(template)
    return io


class Callee:
    """The template a step, task, hook, entrypoint or exit handler runs, as far
    as its inputs go. ``label`` names it in messages."""

    __slots__ = ("template", "label", "_io", "_cache")

    def __init__(self, template: Dict, label: str, cache: Optional[Dict[int, "_Inputs"]] = None):
        self.template = template
        self.label = label
        self._io: Optional[_Inputs] = None
        self._cache = cache          # id(template) -> _Inputs, for one check of a document

    def relabel(self, label: str) -> "Callee":
        return Callee(self.template, label, self._cache)

    @property
    def inputs(self) -> Dict:
        return model.as_dict(self.template.get("inputs"))

    def io(self) -> _Inputs:
        io = self._io
        if io is None:
            io = self._io = _Inputs(self.template) if self._cache is None else _inputs(self.template, self._cache)
        return io

    def parameters(self) -> List[Tuple[int, Dict]]:
        return self.io().parameters

    def artifacts(self) -> List[Tuple[int, Dict]]:
        return self.io().artifacts


def check(document, context):
    base, spec = model.spec(document)
    graph = callgraph.graph_of(document, context.index if context is not None else None)
    # id(template) -> _Inputs, for this check (no other rule reads it; a memo entry per document
    # cost more than it saved)
    cache: Dict[int, _Inputs] = {}
    # templateDefaults may add inputs to every template: then what a callee declares is unknown.
    defaults = spec.get("templateDefaults")
    uncertain = type(defaults) is dict and bool(model.as_dict(defaults.get("inputs")))
    options = getattr(context, "options", None) or {}
    undeclared = options.get("undeclared-arguments", True) is not False

    # Values YAML reads as numbers are looked for in the same walk, list by list: the workflow's
    # arguments, then per template its inputs, its outputs and the arguments of each of its calls.
    spec_arguments = spec.get("arguments")
    given = _plain_arguments(spec_arguments)     # plain values: nothing for these two to find
    if given is None or "workflowTemplateRef" in spec:
        yield from _spec_arguments(document, base, spec, context)
        if type(spec_arguments) is dict:
            yield from _read_as_numbers(document, base + ("arguments", "parameters"),
                                        spec_arguments.get("parameters"))

    of_call, own = graph.of_call, graph.own
    for at in model.all_templates(document):
        template = at.template
        inputs, outputs = template.get("inputs"), template.get("outputs")
        if type(inputs) is dict and "parameters" in inputs:
            yield from _read_as_numbers(document, at.path + ("inputs", "parameters"), inputs["parameters"])
        if outputs is not None:
            if type(outputs) is dict and "parameters" in outputs:
                yield from _read_as_numbers(document, at.path + ("outputs", "parameters"), outputs["parameters"])
            yield from _outputs(at)
        for call in model.calls(at):
            arguments = call.body.get("arguments")
            # Most calls pass plain values to a template that declares them all: a look at the
            # names tells, without the checks below (which find nothing then).
            if _quiet_call(call, arguments, graph, cache, uncertain):
                continue
            if type(arguments) is dict:
                yield from _read_as_numbers(document, call.path + ("arguments", "parameters"),
                                            arguments.get("parameters"))
            label = None
            # the named argument parameters, read once for the three checks of a call
            named = _named(arguments.get("parameters")) if type(arguments) is dict else []
            if named and call.kind != "hook":
                # (_argument_values checks only named parameters; without them it finds nothing)
                label = _call_label(call)
                yield from _argument_values(call.path + ("arguments",), arguments, label, empty_ok=False,
                                            named=named)
            callee = _callee(of_call("callee", own, call), cache)
            if callee is not None and not uncertain:
                yield from _call(call, callee, label, named, undeclared)

    for hook in model.spec_hooks(document):
        callee = _callee(graph.callee(graph.own, hook.path, hook.body), cache)
        if callee is not None and not uncertain:
            yield from _call(hook, callee, undeclared=undeclared)

    if uncertain:
        return
    if spec.get("workflowTemplateRef") is not None:
        yield from _workflow_template_ref(document, context, base, spec)
        return
    arguments = model.as_dict(spec_arguments)
    entrypoint = model.as_str(spec.get("entrypoint"))
    # (``given``: as for calls, most entrypoints take nothing the workflow does not pass)
    if entrypoint and document.kind not in TEMPLATE_KINDS and not _quiet_root(entrypoint, given, own, cache):
        callee = _callee(graph.by_name(graph.own, "entrypoint", entrypoint, base + ("entrypoint",)), cache)
        if callee is not None:
            callee = callee.relabel(f"the entrypoint {callee.label}")
            yield from _supplied(base + ("entrypoint",), arguments, callee, "the workflow",
                                 "the workflow's `arguments.parameters`", "error")
    on_exit = model.as_str(spec.get("onExit"))
    if on_exit and not _quiet_root(on_exit, given, own, cache):
        callee = _callee(graph.by_name(graph.own, "onExit", on_exit, base + ("onExit",)), cache)
        if callee is not None:
            callee = callee.relabel(f"the exit handler {callee.label}")
            yield from _supplied(base + ("onExit",), arguments, callee, "the workflow",
                                 "the workflow's `arguments.parameters`", "error")


def _workflow_template_ref(document, context, base, spec):
    """A workflow run from a WorkflowTemplate: its arguments, merged with the
    template's, must supply the inputs of the entrypoint it runs."""
    if document.kind in TEMPLATE_KINDS:
        return
    holder = callgraph.graph_of(document, context.index).workflow_template_ref()
    if holder is None or holder.opaque:
        return
    entrypoint = model.as_str(spec.get("entrypoint")) or model.as_str(holder.spec.get("entrypoint"))
    found = holder.template(entrypoint) if entrypoint else None
    if found is None:
        return  # template-ref reports a missing entrypoint
    arguments = _merged_arguments(model.as_dict(spec.get("arguments")), model.as_dict(holder.spec.get("arguments")))
    callee = Callee(found[1], f"the entrypoint `{entrypoint}` of {holder.kind} `{holder.name}` ({holder.where})")
    at = base + ("entrypoint",) if "entrypoint" in spec else base + ("workflowTemplateRef",)
    yield from _supplied(at, arguments, callee, "the workflow",
                         "the workflow's `arguments.parameters` (merged with the template's)", "error")


# -- the calls with nothing to report, told cheaply -----------------------------


def _plain_arguments(arguments) -> Optional[Tuple[set, set]]:
    """The names of the parameters and artifacts ``arguments`` passes, when
    every parameter has a text `value` and no `valueFrom`, `enum` or
    `default`: then the argument checks find nothing (nor does
    ``_read_as_numbers``), and what is left to check is only which names are
    passed. None when a parameter needs the full checks."""
    if type(arguments) is not dict:
        return _NOTHING_GIVEN if arguments is None else None
    names = set()
    parameters = arguments.get("parameters")
    if parameters:
        if type(parameters) is not list:
            return None
        for item in parameters:
            if type(item) is dict:
                # (a value YAML may have read as a number, or a `default`, is for ``_read_as_numbers``)
                if type(item.get("value")) is not str or "valueFrom" in item or "enum" in item or "default" in item:
                    return None
                name = item.get("name")
                if type(name) is str:
                    names.add(name)
    artifacts = arguments.get("artifacts")
    if not artifacts:
        return names, _NO_NAMES
    if type(artifacts) is not list:
        return None
    return names, {item["name"] for item in artifacts if type(item) is dict and type(item.get("name")) is str}


_NO_NAMES: frozenset = frozenset()
_NOTHING_GIVEN = (_NO_NAMES, _NO_NAMES)


def _quiet_call(call, arguments, graph, cache, uncertain) -> bool:
    """True when a step, task or hook certainly has nothing to report: plain
    argument values (``_plain_arguments``), and either no callee whose inputs
    count (``uncertain``, or none known statically) or one that declares every
    name passed, has no `enum` on them, and gets every input it needs.
    Anything else takes the full checks."""
    given = _NOTHING_GIVEN if arguments is None else _plain_arguments(arguments)
    if given is None:
        return False
    if uncertain:
        return True
    # The callee, by Argo's precedence (CallGraph.callee): `inline`, `templateRef`, `template`.
    body = call.body
    inline = body.get("inline") if "inline" in body else None
    if inline is not None:
        if type(inline) is not dict:
            return False
        template = inline
    elif "templateRef" in body:
        target = graph.of_call("callee", graph.own, call)
        if target is None or target.template is None:
            return True       # not found, or known only at run time: nothing more to check
        template = target.template
    else:
        name = body.get("template")
        if not isinstance(name, str) or "{{" in name:
            return True       # no callee known before run time
        found = graph.own.by_name.get(name)
        if found is None:
            return True       # unknown-template reports it
        template = found[1]
    return _passes(_inputs(template, cache), given)


def _passes(io: _Inputs, given: Tuple[set, set]) -> bool:
    parameters, artifacts = given
    if io.required and not io.required <= parameters:
        return False
    if io.required_artifacts and not io.required_artifacts <= artifacts:
        return False
    if parameters:
        if not io.enums.isdisjoint(parameters):
            return False
        # every name passed is declared (a `{{...}}` name cannot be judged: it passes too)
        declared = io.declared
        if not all(name in declared or "{{" in name for name in parameters):
            return False
    return not artifacts or all(name in io.declared_artifacts or "{{" in name for name in artifacts)


def _quiet_root(name: str, given, own, cache) -> bool:
    """The same for the workflow's entrypoint or exit handler (only what it must be given counts)."""
    if given is None or "{{" in name:
        return False
    found = own.by_name.get(name)
    if found is None:
        return True       # not found: nothing to check (unknown-template reports it)
    io = _inputs(found[1], cache)
    return io.required <= given[0] and io.required_artifacts <= given[1]


# -- callees ------------------------------------------------------------------


def _callee(target: Optional[callgraph.Target], cache: Optional[Dict[int, _Inputs]] = None) -> Optional[Callee]:
    """The template a call runs (``target``, from the call graph), or None when
    it cannot be known statically: a name with `{{...}}`, a missing template
    (`unknown-template` and `template-ref` report those), a template declared
    in the configuration by name only."""
    if target is None or not target.found:
        return None
    if target.how == "inline":
        return Callee(target.template, "its inline template", cache)
    if target.how == "templateRef":
        ref = target.ref
        return Callee(target.template, f"`{ref['name']}.{ref['template']}` ({target.holder.entry.where})", cache)
    return Callee(target.template, f"`{target.name}`", cache)


def _merged_arguments(own: Dict, inherited: Dict) -> Dict:
    """A workflow's arguments over its WorkflowTemplate's: merged by name, the workflow's win."""
    merged = {}
    for kind in ("parameters", "artifacts"):
        items = {}
        for source in (inherited, own):
            for item in model.as_list(source.get(kind)):
                if isinstance(item, dict) and isinstance(item.get("name"), str):
                    items[item["name"]] = item
        merged[kind] = list(items.values())
    return merged


# -- callers supply the callee's inputs ----------------------------------------


def _call_label(call) -> str:
    name = call.name or call.path[-1]
    return f"{call.kind} `{name}`"


def _call(call, callee: Callee, label: Optional[str] = None, named=None, undeclared: bool = True):
    body = call.body
    arguments = model.as_dict(body.get("arguments"))
    io = callee.io()
    if io.parameters or io.artifacts:
        if label is None:
            label = _call_label(call)
        where = call.path + (("inline",) if isinstance(body.get("inline"), dict)
                             else ("templateRef",) if "templateRef" in body else ("template",))
        # Argo checks steps and tasks when it validates; a hook's template fails only when it runs.
        severity = "warning" if call.kind == "hook" else "error"
        yield from _supplied(where, arguments, callee, label, f"{label}'s arguments", severity, named)
    if arguments.get("parameters") or arguments.get("artifacts"):
        if label is None:
            label = _call_label(call)
        yield from _unknown_arguments(call.path + ("arguments",), arguments, callee, label, named, undeclared)


def _supplied(where, arguments: Dict, callee: Callee, caller: str, source: str, severity: str, named=None):
    """Every input parameter without a value of its own, and every input artifact
    without a location that is not optional, must come from ``arguments``."""
    given: Dict[str, Dict] = {}
    for _, arg in (_named(arguments.get("parameters")) if named is None else named):
        given.setdefault(arg["name"], arg)  # Argo takes the first of a name
    for _, param in callee.parameters():
        name = param["name"]
        arg = given.get(name)
        if arg is None:
            if not _has_own_value(param):
                yield finding(where, f"{caller} does not supply input parameter `{name}` of {callee.label}, "
                                     "which has no `value` or `default`",
                              hint=f"pass `{name}` in {source}, or give the input a `default`",
                              severity=severity)
            continue
        if arg.get("value") is not None:
            continue      # passed with a value (_argument_only_from: None)
        only = _argument_only_from(arg)
        if only:
            # The argument's valueFrom replaces the input's value and default, and
            # only a configMapKeyRef turns into a value.
            yield finding(where, f"{caller} passes input parameter `{name}` of {callee.label} only through "
                                 f"`valueFrom.{only}`, which cannot give a template input its value: "
                                 "Argo reports it as not supplied",
                          hint="pass a `value`, or use `valueFrom.configMapKeyRef`", severity=severity)
    given_artifacts = {a["name"] for _, a in _named(arguments.get("artifacts"))}
    for _, artifact in callee.artifacts():
        name = artifact["name"]
        if _located(artifact):
            continue
        if name not in given_artifacts:
            yield finding(where, f"{caller} does not supply input artifact `{name}` of {callee.label}, "
                                 "which has no location and is not `optional`",
                          hint=f"pass `{name}` in {source} (with `from:` or a location), "
                               "or mark the input `optional: true`",
                          severity=severity)


def _located(artifact: Dict) -> bool:
    """An input artifact the caller need not pass: `optional`, or with a location of its own."""
    return artifact.get("optional") is True or any(artifact.get(k) is not None for k in LOCATIONS)


def _enum_list(enum) -> bool:
    """An `enum` an argument's value is compared with (``_unknown_arguments``)."""
    return bool(enum) and type(enum) is list


def _has_own_value(param: Dict) -> bool:
    if param.get("value") is not None or param.get("default") is not None:
        return True
    return model.as_dict(param.get("valueFrom")).get("configMapKeyRef") is not None


def _argument_only_from(arg: Dict) -> Optional[str]:
    """`supplied` or `event` when that is all an argument's valueFrom gives a
    template input (Argo then has no value to pass); None otherwise."""
    if arg.get("value") is not None:
        return None
    value_from = arg.get("valueFrom")
    if not isinstance(value_from, dict) or value_from.get("configMapKeyRef") is not None:
        return None
    if any(value_from.get(k) not in (None, "") for k in NOT_FOR_ARGUMENTS):
        return None  # an invalid valueFrom: reported as such
    if value_from.get("supplied") is not None:
        return "supplied"
    if value_from.get("event"):
        return "event"
    return None


def _unknown_arguments(path, arguments: Dict, callee: Callee, caller: str, named=None, undeclared: bool = True):
    """Arguments the callee does not declare are silently dropped by Argo: one
    finding per call, naming them all (unless the option turns it off)."""
    io = callee.io()
    declared = io.declared
    unknown: List[Tuple[int, str]] = []
    for i, arg in (_named(arguments.get("parameters")) if named is None else named):
        name = arg["name"]
        if "{{" in name:
            continue
        param = declared.get(name)
        if param is None:
            unknown.append((i, name))
            continue
        enum = param.get("enum")
        if not enum or type(enum) is not list:
            continue      # nothing to compare the value with
        value = _text(arg.get("value"))
        if enum and value is not None and "{{" not in value and value not in _texts(enum):
            yield finding(path + ("parameters", i, "value"),
                          f"{caller} passes `{value}` for `{name}`, which is not one of the values "
                          f"{callee.label} allows ({_listing(enum)})",
                          hint="pass one of the `enum` values, or add this one to the input's `enum`",
                          severity="warning")
    declared_artifacts = io.declared_artifacts
    unknown_artifacts = [(i, arg["name"]) for i, arg in _named(arguments.get("artifacts"))
                         if "{{" not in arg["name"] and arg["name"] not in declared_artifacts]
    if not undeclared:
        return
    for kind, items, known in (("parameter", unknown, declared), ("artifact", unknown_artifacts,
                                                                  declared_artifacts)):
        if not items:
            continue
        names = [name for _, name in items]
        if len(names) == 1:
            what = f"{kind} `{names[0]}`, which {callee.label} does not declare"
            mean = did_you_mean(names[0], known)
        else:
            what = f"{kind}s {_names(names)}, which {callee.label} does not declare"
            mean = ""
        yield finding(path + (kind + "s", items[0][0], "name"),
                      f"{caller} passes {what}: Argo ignores {'it' if len(names) == 1 else 'them'}{mean}",
                      hint=f"declare {'it' if len(names) == 1 else 'them'} in the template's `inputs.{kind}s`, "
                           f"or remove the argument{'s' if len(names) > 1 else ''} (or turn this check off: "
                           f"`rules: {{parameter: {{undeclared-arguments: false}}}}`)",
                      severity="warning")


def _names(names: List[str]) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:8])
    return shown + (f" and {len(names) - 8} more" if len(names) > 8 else "")


# -- argument values, as Argo validates them -----------------------------------


def _spec_arguments(document, base, spec, context=None):
    kind = document.kind
    # Argo lets a WorkflowTemplate's arguments go without values (the Workflow
    # that references it, or the submitter, gives them). A Workflow passes
    # `argo lint` without one but not `argo submit` (nor the controller's check)
    # unless `-p` supplies it: a warning. A CronWorkflow is always validated as
    # a submission: an error.
    empty_ok = kind in TEMPLATE_KINDS
    yield from _argument_values(base + ("arguments",), spec.get("arguments"), None, empty_ok=empty_ok,
                                kind=kind)
    if empty_ok or spec.get("workflowTemplateRef") is None or context is None:
        return
    # Arguments of the referenced WorkflowTemplate that have no value and that this workflow does
    # not supply: Argo merges the two lists (the workflow's first) and validates the result.
    holder = callgraph.graph_of(document, context.index).workflow_template_ref()
    if holder is None or holder.opaque:
        return
    own = {p["name"] for _, p in _named(model.as_dict(spec.get("arguments")).get("parameters"))}
    for _, param in _named(model.as_dict(holder.spec.get("arguments")).get("parameters")):
        name = param["name"]
        if name in own or param.get("value") is not None or param.get("valueFrom") is not None:
            continue
        what = f"workflow parameter `{name}` of {holder.kind} `{holder.name}` ({holder.where})"
        yield _no_value(base + ("workflowTemplateRef",), what, name, None, kind, on_ref=True)


def _argument_values(path, arguments, caller: Optional[str], empty_ok: bool, kind: str = "", named=None):
    """What Argo's validateArgumentsValues checks, for `spec.arguments`
    (``caller`` None) and a step's or task's `arguments`."""
    arguments = model.as_dict(arguments)
    for i, param in (_named(arguments.get("parameters")) if named is None else named):
        value, value_from, enum = param.get("value"), param.get("valueFrom"), param.get("enum")
        if value is not None and value_from is None and enum is None:
            continue      # a plain value: none of the checks below applies
        at = path + ("parameters", i)
        name = param["name"]
        what = f"workflow parameter `{name}`" if caller is None else f"argument `{name}` of {caller}"
        if value is None and value_from is None:
            if not empty_ok:
                yield _no_value(at + ("name",), what, name, caller, kind)
        elif value is not None and value_from is not None:
            yield finding(at + ("valueFrom",),
                          f"{what} has both `value` and `valueFrom`: Argo uses only one of them",
                          hint="remove one of the two", on_key=True, severity="warning")
        if isinstance(value_from, dict):
            yield from _argument_value_from(at + ("valueFrom",), value_from, what, caller)
        if isinstance(enum, list):
            if not enum:
                yield finding(at + ("enum",), f"{what} has an empty `enum`: Argo requires at least one value",
                              hint="list the allowed values, or remove `enum`", on_key=True)
            elif value is None:
                if value_from is not None and not empty_ok:
                    lint_ok = caller is None and kind == "Workflow"   # `argo lint` accepts it, submit does not
                    yield finding(at + ("enum",), f"{what} has an `enum` but no `value`: Argo requires "
                                                  "a value from the list"
                                  + (" when the Workflow is submitted or created" if lint_ok else ""),
                                  hint=f"add `value:` with one of {_listing(enum)}"
                                  + (f", or supply it with `argo submit -p {name}=VALUE`" if lint_ok else ""),
                                  on_key=True, severity="warning" if lint_ok else None)
            else:
                text = _text(value)
                if text is not None and "{{" not in text and text not in _texts(enum):
                    yield finding(at + ("value",), f"{what}: `{text}` is not in its `enum` ({_listing(enum)})",
                                  hint="use one of the listed values, or add this one to `enum`")


def _no_value(at, what, name, caller, kind, on_ref=False):
    if caller is not None:
        return finding(at, f"{what} has no `value` or `valueFrom`",
                       hint="give it a `value`, e.g. `value: \"{{inputs.parameters." + name + "}}\"`")
    if kind == "CronWorkflow":
        return finding(at, f"{what} has no `value`: Argo validates a CronWorkflow as a "
                           "submission, where every workflow parameter needs a `value` or "
                           "`valueFrom`",
                       hint=f"give it a `value` in this CronWorkflow's `spec.arguments.parameters`"
                       if on_ref else "give it a `value`")
    return finding(at, f"{what} has no `value`: `argo lint` accepts that, but Argo rejects the "
                       f"Workflow when it is submitted or created unless a value is supplied",
                   hint=f"supply it on submission with `argo submit -p {name}=VALUE`, or give it a `value`"
                        + (" in this Workflow's `spec.arguments.parameters`" if on_ref else ""),
                   severity="warning")


def _argument_value_from(at, value_from: Dict, what: str, caller: Optional[str]):
    bad = [k for k in NOT_FOR_ARGUMENTS if value_from.get(k) not in (None, "")]
    if bad:
        hint = ("pass the value directly, e.g. `value: \"{{steps.NAME.outputs.parameters.NAME}}\"`"
                if caller is not None else "use `configMapKeyRef`, `event` or `supplied`, or a `value`")
        yield finding(at + (bad[0],), f"{what} uses `valueFrom.{bad[0]}`, which arguments do not allow: "
                                      "only `configMapKeyRef`, `event` or `supplied` (with `default`)",
                      hint=hint, on_key=True)
        return
    if not any(value_from.get(k) not in (None, "") for k in ARGUMENT_SOURCES):
        lone_default = "default" in value_from
        yield finding(at, f"{what} has a `valueFrom` without `configMapKeyRef`, `event` or `supplied`"
                          + (": Argo rejects a lone `default`" if lone_default else ""),
                      hint="write `value:` instead" if lone_default else
                      "add `configMapKeyRef`, or give the parameter a `value`",
                      on_key=True)
        return
    if value_from.get("jqFilter") not in (None, ""):
        yield finding(at + ("jqFilter",), f"{what}: `valueFrom.jqFilter` does nothing in arguments; "
                                          "Argo ignores it", hint="remove it", on_key=True,
                      severity="warning")


# -- output parameters ---------------------------------------------------------


def _outputs(at):
    outputs = model.as_dict(at.template.get("outputs"))
    kind = model.template_type(at.template)
    for i, param in _named(outputs.get("parameters")):
        problem = _output_problem(param, kind)
        if problem is not None:     # (the path and the label only for a finding)
            tail, what, hint = problem
            label = f"template `{at.name}`" if at.name else "the inline template"
            yield finding(at.path + ("outputs", "parameters", i) + tail,
                          f"output parameter `{param['name']}` of {label} {what}", hint=hint,
                          on_key=tail != ("name",))


def _output_problem(param: Dict, kind: Optional[str]) -> Optional[Tuple[NodePath, str, str]]:
    """(path below the parameter, what is wrong, hint) for an output parameter, or None."""
    value, value_from = param.get("value"), param.get("valueFrom")
    if value is not None and value_from is not None:
        return ("valueFrom",), "has both `value` and `valueFrom`; Argo requires one", "remove one of the two"
    if value is not None:
        return None
    if value_from is None:
        return ("name",), "has neither `value` nor `valueFrom`", _output_hint(kind)
    if not isinstance(value_from, dict):
        return None
    sources = [k for k in OUTPUT_SOURCES
               if (value_from.get(k) is not None if k == "supplied" else value_from.get(k) not in (None, ""))]
    if not sources:
        alone = " (a `default` alone is not one)" if "default" in value_from else ""
        return ("valueFrom",), f"has a `valueFrom` with no source{alone}", _output_hint(kind)
    if len(sources) > 1:
        listed = ", ".join(f"`{s}`" for s in sources)
        return ("valueFrom",), f"has several `valueFrom` sources ({listed}); Argo requires exactly one", \
            "keep one of them"
    if kind in OUTPUT_NEEDS and sources[0] not in OUTPUT_NEEDS[kind]:
        needs = " or ".join(f"`valueFrom.{s}`" for s in OUTPUT_NEEDS[kind])
        return (("valueFrom", sources[0]), f"uses `valueFrom.{sources[0]}`, but a {kind} template's outputs "
                                           f"need {needs}", _output_hint(kind))
    return None


def _output_hint(kind: Optional[str]) -> str:
    return {
        "container": "read it from a file: `valueFrom: {path: /tmp/out.txt}`",
        "containerSet": "read it from a file: `valueFrom: {path: /tmp/out.txt}`",
        "script": "read it from a file: `valueFrom: {path: /tmp/out.txt}`",
        "resource": "read it from the resource: `valueFrom: {jsonPath: '{.metadata.name}'}`",
        "steps": "take it from a step: `valueFrom: {parameter: '{{steps.NAME.outputs.parameters.NAME}}'}`",
        "dag": "take it from a task: `valueFrom: {parameter: '{{tasks.NAME.outputs.parameters.NAME}}'}`",
        "suspend": "let the user supply it: `valueFrom: {supplied: {}}`",
    }.get(kind or "", "give it a `value` or a `valueFrom` source")


# -- values YAML reads as numbers or booleans -----------------------------------


def _read_as_numbers(document, path, items):
    """A parameter `value`, `default` or `enum` item written unquoted that YAML
    reads as a number or boolean Argo then passes in another form: `1.10` is
    the number 1.1 and reaches the template as `1.1`, `yes` as `true`, `0755`
    as `493`. Quoting it keeps the text as written. ``items``: one parameter
    list, at ``path``."""
    if type(items) is not list:
        return
    for i, item in enumerate(items):
        if type(item) is not dict:
            continue
        value = item.get("value")
        if value is not None and type(value) is not str and isinstance(value, _SCALARS):
            yield from _changed_by_yaml(document, path + (i, "value"), value)
        if "default" in item and isinstance(item["default"], _SCALARS):
            yield from _changed_by_yaml(document, path + (i, "default"), item["default"])
        enum = item.get("enum") if "enum" in item else None
        if type(enum) is list:
            for j, v in enumerate(enum):
                if isinstance(v, _SCALARS):
                    yield from _changed_by_yaml(document, path + (i, "enum", j), v)


_SCALARS = (bool, int, float)   # what YAML may have read from a text meant as a string


def _changed_by_yaml(document, path, value):
    _, node, matched = document.locate(path)
    written = getattr(node, "value", None)
    if matched != len(path) or not isinstance(written, str) or getattr(node, "style", None) not in (None, ""):
        return
    passed = key_text(value)
    if written == passed:
        return
    what = "a boolean" if isinstance(value, bool) else "a number"
    yield finding(path, f"`{written}` is read by YAML as {what}, so Argo passes `{passed}`, not `{written}`",
                  hint=f"quote it: \"{written}\"", severity="warning",
                  fix=fixes.fix("quote it, so YAML reads it as the string it is written as", fixes.quote(path),
                                priority=fixes.QUOTING))


# -- helpers -------------------------------------------------------------------


def _named(items) -> List[Tuple[int, Dict]]:
    """(index, item) of the mappings in a list that have a string `name`."""
    if not items or type(items) is not list:
        return []
    return [(i, item) for i, item in enumerate(items)
            if type(item) is dict and type(item.get("name")) is str]


def _text(value) -> Optional[str]:
    """A parameter value as Argo's AnyString holds it (numbers and booleans as written in JSON)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return key_text(value)
    return None


def _texts(values) -> set:
    return {t for t in (_text(v) for v in values) if t is not None}


def _listing(values) -> str:
    texts = [t for t in (_text(v) for v in values) if t is not None]
    shown = ", ".join(f"`{t}`" for t in texts[:6])
    return shown + (", ..." if len(texts) > 6 else "")
