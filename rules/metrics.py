"""Prometheus metrics have valid names and label keys, a help string, one type with a value, and gauges Argo can update."""

import re

from wflint.argo import model
from wflint.finding import WARNING, finding
from wflint.suggest import did_you_mean

from ._helpers import label, version_flags

ID = "metrics"
SEVERITY = "error"
SUMMARY = ("Prometheus metrics have valid names and label keys, a help string, one type with a value, and gauges "
           "Argo can update.")

# Prometheus' legacy name rule, without the `:` Argo also refuses.
NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
TYPES = ("gauge", "counter", "histogram")
OPERATIONS = ("Set", "Add", "Sub")
MAX_METRICS = 100
MAX_GAUGE_VALUE = 256
# Each check has an id of its own (`metrics/<check>`) and a `### ` section in the rule's doc.
CHECKS = {
    "metric-count": "A template or workflow defines at most the 100 metrics the Argo 4 CRD allows.",
    "name": "Metric names and label keys are valid Prometheus names.",
    "help": "A metric's `help` is not empty.",
    "type": "A metric has exactly one type (gauge, counter or histogram).",
    "empty-value": "A metric's `value` is not empty.",
    "realtime-gauge": "A real-time gauge does not use `resourcesDuration`, which is known only when the step ends.",
    "gauge-value-length": "A gauge value is at most the 256 characters the Argo 4 CRD allows.",
    "gauge-operation": "A gauge's `operation` is Set, Add or Sub.",
    "histogram-buckets": "A histogram has buckets, in increasing order.",
    "name-conflict": "Metrics sharing a name share their type and help.",
}


def check(document, context):
    v4 = version_flags(context.argo_version)[0]
    base, spec = model.spec(document)
    seen = {}
    for at in model.all_templates(document):
        if at.template.get("metrics") is None:
            continue          # nothing to check
        owner = label(at)
        yield from _metrics(at.path + ("metrics",), at.template.get("metrics"), owner, True, v4, seen)
    if spec.get("metrics") is not None:
        yield from _metrics(base + ("metrics",), spec.get("metrics"), "the workflow", False, v4, seen)


def _metrics(path, metrics, owner, validated, v4, seen):
    """Argo's validator checks template metrics and rejects the manifest;
    workflow-level metrics it never checks, so there the same mistakes only
    surface when the controller fails to emit the metric (warnings)."""
    listed = model.as_list(model.as_dict(metrics).get("prometheus"))
    if v4 and len(listed) > MAX_METRICS:
        yield finding(path + ("prometheus",),
                      f"{owner} defines {len(listed)} metrics; the CRD Argo 4 installs allows at "
                      f"most {MAX_METRICS}", on_key=True,
                      hint="drop some, or tell them apart with labels", check="metric-count")
    severity = None if validated else WARNING
    outcome = "Argo rejects it" if validated else ("Argo does not check workflow-level metrics, and the controller "
                                                   "cannot emit it")
    for i, metric in enumerate(listed):
        if not isinstance(metric, dict):
            continue
        here = path + ("prometheus", i)
        name = metric.get("name")
        shown = f"metric `{name}`" if isinstance(name, str) and name else "a metric"
        if isinstance(name, str) and not NAME.match(name):
            fixed = re.sub(r"[^a-zA-Z0-9_]", "_", name)
            if not fixed or fixed[0].isdigit():
                fixed = "_" + fixed
            yield finding(here + ("name",),
                          f"metric name `{name}` is invalid: Prometheus names use letters, digits and "
                          f"`_`, and do not start with a digit; {outcome}",
                          hint=f"rename it, e.g. `{fixed}`", severity=severity, check="name")
        for j, label in enumerate(model.as_list(metric.get("labels"))):
            key = model.as_dict(label).get("key")
            if isinstance(key, str) and not NAME.match(key):
                yield finding(here + ("labels", j, "key"),
                              f"label key `{key}` of {shown} is invalid: label keys use letters, digits and `_`, and "
                              f"do not start with a digit; {outcome}",
                              hint=f"rename it, e.g. `{re.sub(r'[^a-zA-Z0-9_]', '_', key) or 'label'}`",
                              severity=severity, check="name")
        if metric.get("help") == "":
            yield finding(here + ("help",), f"{shown} has an empty `help`; {outcome}",
                          hint="describe what the metric measures", severity=severity, check="help")
        types = [t for t in TYPES if metric.get(t) is not None]
        if not types:
            yield finding(here, f"{shown} has no type: Argo accepts it, but never emits it",
                          hint="add one of `gauge`, `counter` or `histogram`, each with a `value`", on_key=True,
                          severity=WARNING, check="type")
        elif len(types) > 1:
            yield finding(here + (types[1],), f"{shown} has more than one type ({', '.join(types)}); Argo emits it as "
                                              "only one of them", hint="split it into one metric per type",
                          on_key=True, severity=WARNING, check="type")
        for kind in types:
            body = model.as_dict(metric.get(kind))
            if body.get("value") == "":
                yield finding(here + (kind, "value"), f"{kind} of {shown} has an empty `value`; {outcome}",
                              hint="give the value, e.g. `\"{{duration}}\"` or `\"1\"`", severity=severity, check="empty-value")
        gauge = model.as_dict(metric.get("gauge"))
        value = gauge.get("value")
        if gauge.get("realtime") is True and isinstance(value, str) and "resourcesDuration." in value:
            yield finding(here + ("gauge", "value"),
                          f"real-time gauge {shown} uses `resourcesDuration`, which is only known when the step "
                          f"ends; {outcome}",
                          hint="set `realtime: false`, or use `{{duration}}`", severity=severity, check="realtime-gauge")
        if v4 and isinstance(value, str) and len(value) > MAX_GAUGE_VALUE:
            yield finding(here + ("gauge", "value"), f"gauge value of {shown} is {len(value)} characters long; the CRD "
                                                     f"Argo 4 installs allows at most {MAX_GAUGE_VALUE}",
                          hint="compute it in a step and emit the result", check="gauge-value-length")
        operation = gauge.get("operation")
        if isinstance(operation, str) and operation and operation not in OPERATIONS:
            mean = did_you_mean(operation, OPERATIONS)
            if v4:
                yield finding(here + ("gauge", "operation"),
                              f"`{operation}` is not a gauge operation: use Set, Add or Sub; the CRD Argo 4 installs "
                              f"rejects it{mean}", check="gauge-operation")
            else:
                yield finding(here + ("gauge", "operation"),
                              f"`{operation}` is not a gauge operation: use Set, Add or Sub; Argo cannot update the "
                              f"gauge{mean}", severity=WARNING, check="gauge-operation")
        buckets = model.as_dict(metric.get("histogram")).get("buckets")
        numbers = [b for b in model.as_list(buckets) if isinstance(b, (int, float)) and not isinstance(b, bool)]
        if isinstance(buckets, list) and not buckets:
            yield finding(here + ("histogram", "buckets"), f"histogram {shown} has no buckets: Argo accepts it, but "
                                                           "cannot emit it", hint="list the bucket bounds, e.g. "
                                                                                  "`[1, 10, 60, 300]`",
                          severity=WARNING, check="histogram-buckets")
        elif len(numbers) == len(model.as_list(buckets)) and any(b >= a for a, b in zip(numbers[1:], numbers)):
            yield finding(here + ("histogram", "buckets"),
                          f"histogram buckets of {shown} are not in increasing order: Argo accepts them, but the "
                          "metric cannot be created", hint="list each bound once, smallest first",
                          severity=WARNING, check="histogram-buckets")
        yield from _consistent(here, metric, name, types, shown, seen)


def _consistent(here, metric, name, types, shown, seen):
    """Metrics sharing a name must share type and help (a Prometheus rule
    Argo's docs repeat): the second definition fails to be emitted."""
    if not isinstance(name, str) or not name or len(types) != 1:
        return
    help_text = metric.get("help")
    first = seen.get(name)
    if first is None:
        seen[name] = (types[0], help_text)
        return
    kind, first_help = first
    if kind != types[0]:
        yield finding(here + (types[0],), f"{shown} is a {types[0]} here and a {kind} elsewhere in this workflow: "
                                          "Argo accepts it, but a metric name keeps one type, so this one is not "
                                          "emitted", hint="give it a name of its own", on_key=True, severity=WARNING, check="name-conflict")
    elif isinstance(help_text, str) and isinstance(first_help, str) and help_text != first_help:
        yield finding(here + ("help",),
                      f"{shown} has another `help` here than elsewhere in this workflow: Argo accepts "
                      "it, but metrics sharing a name must share their help, so this one is not "
                      "emitted", hint="use the same help text, or another name", severity=WARNING, check="name-conflict")
