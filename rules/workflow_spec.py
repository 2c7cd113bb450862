"""Workflow-level settings are valid: pod GC, TTL, executor plugins, synchronization, hooks, deadlines and service-account tokens."""

from wflint.argo import callgraph, model
from wflint.lang import durations, selector
from wflint import fix as fixes
from wflint.finding import WARNING, finding
from wflint.suggest import did_you_mean

from . import _helpers
from ._helpers import GC_STRATEGIES, gc_strategy, tagged, version_flags

ID = "workflow-spec"
SEVERITY = "error"
SUMMARY = ("Workflow-level settings are valid: pod GC, TTL, executor plugins, synchronization, hooks, deadlines "
           "and service-account tokens.")

POD_GC = ("OnPodCompletion", "OnPodSuccess", "OnWorkflowCompletion", "OnWorkflowSuccess")
VOLUME_CLAIM_GC = ("OnWorkflowCompletion", "OnWorkflowSuccess")
OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
MAX_TEMPLATES = 200
# Each check has an id of its own (`workflow-spec/<check>`) and a `### ` section in the rule's doc.
CHECKS = {
    "pod-gc": "`podGC` names a known strategy, a valid label selector and a readable `deleteDelayDuration`.",
    "ttl": "`ttlStrategy` durations are not negative.",
    "hook-expression": "A workflow hook (other than `exit`) has an `expression`.",
    "parallelism": "The workflow's `parallelism` is at least 1.",
    "deadline": "The workflow's `activeDeadlineSeconds` is above 0.",
    "template-count": "A workflow has at most the 200 templates the Argo 4 CRD allows.",
    "retry-strategy": "The workflow's retryStrategy uses settings Argo accepts.",
    "artifact-gc": "`artifactGC.strategy` is a known strategy.",
    "volume-claim-gc": "`volumeClaimGC.strategy` is a known strategy.",
    "synchronization": "`synchronization` uses the lists (`mutexes`, `semaphores`), and a semaphore names its "
                       "ConfigMap key or database.",
    "removed-field": "The spec uses no field Argo removed (`ttlSecondsAfterFinished`, `podPriority`).",
    "executor-plugin": "An executor plugin has a name, and its sidecar ports, resources and a securityContext.",
    "pod-resources": "The workflow's `podResources` hold only what Argo accepts.",
    "service-account-token": "`automountServiceAccountToken: false` comes with an executor service account.",
}


# The spec fields `_fields` and `_late_fields` read, each only when it is there.
_FIELDS = frozenset({"podGC", "ttlStrategy", "hooks", "parallelism", "activeDeadlineSeconds", "retryStrategy",
                     "artifactGC", "volumeClaimGC", "synchronization", "ttlSecondsAfterFinished", "podPriority",
                     "executorPlugins", "podResources"})


def check(document, context):
    v4, v41 = version_flags(context.argo_version)
    base, spec = model.spec(document)
    if not spec:
        return
    # Each check reads one or two fields most specs leave out: most specs have none of them.
    fields = not _FIELDS.isdisjoint(spec)
    templates = spec.get("templates")
    if fields or (v4 and isinstance(templates, list) and len(templates) > MAX_TEMPLATES):
        yield from _fields(base, spec, v4)
    for at in model.all_templates(document):
        if at.template.get("synchronization") is not None:
            owner = _helpers.label(at)
            yield from tagged("synchronization", _synchronization(at.path + ("synchronization",),
                                                                  at.template.get("synchronization"), owner, v4))
    if fields:
        yield from _late_fields(base, spec, v41)
    if _may_turn_off_tokens(document, spec):
        yield from tagged("service-account-token", _service_account_tokens(document, context, base, spec))


def _fields(base, spec, v4):
    """The checks of the spec's own fields, each when its field is there (and the count of templates)."""
    if "podGC" in spec:
        yield from tagged("pod-gc", _pod_gc(base, spec))
    if "ttlStrategy" in spec:
        yield from tagged("ttl", _ttl(base, spec))
    if "hooks" in spec:
        yield from tagged("hook-expression", _hooks(base, spec))
    templates = spec.get("templates")
    if "parallelism" in spec or "activeDeadlineSeconds" in spec or (
            v4 and isinstance(templates, list) and len(templates) > MAX_TEMPLATES):
        yield from _limits(base, spec, v4)
    if "retryStrategy" in spec:
        yield from tagged("retry-strategy", _helpers.retry_strategy(base + ("retryStrategy",),
                                                                    spec.get("retryStrategy"), "the workflow",
                                                                    validated=False, v4=v4))
    if "artifactGC" in spec:
        gc = model.as_dict(spec.get("artifactGC")).get("strategy")
        if isinstance(gc, str) and gc and gc not in GC_STRATEGIES:
            yield from tagged("artifact-gc", gc_strategy(base + ("artifactGC", "strategy"), gc, v4))
    if "volumeClaimGC" in spec:
        claim_gc = model.as_dict(spec.get("volumeClaimGC")).get("strategy")
        if isinstance(claim_gc, str) and claim_gc and claim_gc not in VOLUME_CLAIM_GC:
            yield finding(base + ("volumeClaimGC", "strategy"),
                          f"`{claim_gc}` is not a volume claim GC strategy: use OnWorkflowCompletion or "
                          f"OnWorkflowSuccess; Argo accepts it, but never deletes the claims"
                          f"{did_you_mean(claim_gc, VOLUME_CLAIM_GC)}", severity=WARNING, check="volume-claim-gc")
    if "synchronization" in spec:
        yield from tagged("synchronization", _synchronization(base + ("synchronization",),
                                                              spec.get("synchronization"), "the workflow", v4))


def _late_fields(base, spec, v41):
    """The checks of the spec's fields that come after those of the templates."""
    if "ttlSecondsAfterFinished" in spec or "podPriority" in spec:
        yield from tagged("removed-field", _removed(base, spec))
    if v41:
        if "executorPlugins" in spec:
            yield from tagged("executor-plugin", _executor_plugins(base, spec))
        if spec.get("podResources") is not None:
            yield from tagged("pod-resources", _helpers.pod_resources(base + ("podResources",),
                                                                      spec.get("podResources")))


# -- pod GC, TTL, hooks ----------------------------------------------------------


def _pod_gc(base, spec):
    gc = spec.get("podGC")
    if not isinstance(gc, dict):
        return
    path = base + ("podGC",)
    strategy = gc.get("strategy")
    if isinstance(strategy, str) and strategy and strategy not in POD_GC:
        yield finding(path + ("strategy",),
                      f"`{strategy}` is not a pod GC strategy: use OnPodCompletion, OnPodSuccess, OnWorkflowCompletion "
                      f"or OnWorkflowSuccess; Argo rejects it{did_you_mean(strategy, POD_GC)}")
    selector_ = gc.get("labelSelector")
    if isinstance(selector_, dict):
        yield from label_selector(path + ("labelSelector",), selector_, "the pod GC label selector")
    delay = gc.get("deleteDelayDuration")
    if isinstance(delay, str) and delay and "{{" not in delay:
        why = durations.seconds_or_duration_problem(delay)
        if why:
            yield finding(path + ("deleteDelayDuration",),
                          f"`deleteDelayDuration: {delay}` is neither a number of seconds nor a Go duration ({why}): "
                          "Argo accepts it, but cannot garbage-collect the pods", hint="write it like "
                                                                                      + durations.EXAMPLES,
                          severity=WARNING)


def label_selector(path, value, what):
    """A Kubernetes LabelSelector, as `metav1.LabelSelectorAsSelector` reads it."""
    for key, label in model.as_dict(value.get("matchLabels")).items():
        problem = selector.key_problem(key) if isinstance(key, str) else None
        if problem:
            yield finding(path + ("matchLabels", key),
                          f"`{key}` in {what} is not a label key: {problem}; Argo rejects it",
                          on_key=True)
        elif isinstance(label, str):
            problem = selector.value_problem(label)
            if problem:
                yield finding(path + ("matchLabels", key), f"`{label}` in {what} is not a label value: {problem}; "
                                                           "Argo rejects it")
    for i, expression in enumerate(model.as_list(value.get("matchExpressions"))):
        expression = model.as_dict(expression)
        here = path + ("matchExpressions", i)
        operator = expression.get("operator")
        if isinstance(operator, str) and operator not in OPERATORS:
            yield finding(here + ("operator",),
                          f"`{operator}` is not a label selector operator: use In, NotIn, Exists or "
                          f"DoesNotExist; Argo rejects it{did_you_mean(operator, OPERATORS)}")
            continue
        key = expression.get("key")
        if isinstance(key, str):
            problem = selector.key_problem(key)
            if problem:
                yield finding(here + ("key",), f"`{key}` in {what} is not a label key: {problem}; Argo rejects it")
                continue
        values = model.as_list(expression.get("values"))
        if operator in ("In", "NotIn") and not values:
            yield finding(here, f"`{operator}` in {what} needs at least one value; Argo rejects it",
                          hint="add `values: [...]`", on_key=True)
        elif operator in ("Exists", "DoesNotExist") and values:
            yield finding(here + ("values",), f"`{operator}` in {what} takes no values; Argo rejects it",
                          hint="remove `values`, or use `In`", on_key=True)
        else:
            for j, item in enumerate(values):
                problem = selector.value_problem(item) if isinstance(item, str) else None
                if problem:
                    yield finding(here + ("values", j), f"`{item}` in {what} is not a label value: {problem}; Argo "
                                                        "rejects it")


def _ttl(base, spec):
    ttl = model.as_dict(spec.get("ttlStrategy"))
    for key, value in ttl.items():
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            yield finding(base + ("ttlStrategy", key),
                          f"`{key}: {value}` is negative: Argo deletes the workflow as soon "
                          "as it finishes", hint="use 0 or more seconds",
                          severity=WARNING)


def _hooks(base, spec):
    for name, hook in model.as_dict(spec.get("hooks")).items():
        if name == "exit" or not isinstance(hook, dict):
            continue
        expression = hook.get("expression")
        if isinstance(expression, str) and expression.strip():
            continue
        yield finding(base + ("hooks", name),
                      f"workflow hook `{name}` has no `expression`; Argo rejects every hook but "
                      "`exit` without one (\"Expression required\")",
                      hint="add `expression:` saying when it runs, e.g. `workflow.status == \"Running\"`, or name "
                           "the hook `exit` to run it when the workflow ends", on_key=True)


def _limits(base, spec, v4):
    parallelism = spec.get("parallelism")
    if isinstance(parallelism, int) and not isinstance(parallelism, bool) and parallelism < 1:
        yield from tagged("parallelism", _helpers.minimum_parallelism(base + ("parallelism",), parallelism, v4,
                                                                      "the workflow never starts a pod"))
    deadline = spec.get("activeDeadlineSeconds")
    if isinstance(deadline, int) and not isinstance(deadline, bool) and deadline <= 0:
        yield finding(base + ("activeDeadlineSeconds",),
                      f"`activeDeadlineSeconds: {deadline}` gives the workflow no time: Argo accepts it, but stops the "
                      "workflow as soon as it starts", hint="use the number of seconds the workflow may run, or remove "
                                                            "it", severity=WARNING, check="deadline")
    templates = spec.get("templates")
    if v4 and isinstance(templates, list) and len(templates) > MAX_TEMPLATES:
        yield finding(base + ("templates",), f"the workflow has {len(templates)} templates; the CRD Argo 4 installs "
                                             f"allows at most {MAX_TEMPLATES}",
                      hint="move some into WorkflowTemplates and call them with `templateRef`", on_key=True,
                      check="template-count")


# -- synchronization ---------------------------------------------------------------


def _synchronization(path, sync, owner, v4):
    sync = model.as_dict(sync)
    for single, plural, example in (("mutex", "mutexes", "mutexes: [{name: my-lock}]"),
                                    ("semaphore", "semaphores",
                                     "semaphores: [{configMapKeyRef: {name: my-config, key: my-key}}]")):
        if single not in sync:
            continue
        if v4:
            migrate = None
            if plural not in sync:
                migrate = fixes.fix(f"turn `{single}: X` into `{plural}: [X]`",
                                    fixes.wrap_in_list(path + (single,), plural), priority=fixes.MIGRATION)
            yield finding(path + (single,), f"`synchronization.{single}` of {owner} was removed in Argo 4.0: it is "
                                            f"dropped, and {owner} runs without the lock",
                          hint=f"use a list: `{example}`", on_key=True, fix=migrate)
        else:
            yield finding(path + (single,), f"`synchronization.{single}` of {owner} is deprecated since Argo 3.6 and "
                                            f"removed in 4.0, which drops it: write `{plural}`, a list, instead",
                          hint=f"use a list: `{example}`", on_key=True,
                          severity=WARNING)
    for index, body in _entries(sync, "semaphores", "semaphore", v4):
        if body.get("configMapKeyRef") is None and body.get("database") is None:
            yield finding(path + index, f"a semaphore of {owner} names no `configMapKeyRef` (or `database`): Argo "
                                        f"accepts it, but fails to acquire it when {owner} runs",
                          hint="add `configMapKeyRef: {name: my-config, key: my-key}`", on_key=True,
                          severity=WARNING)


def _entries(sync, plural, single, v4):
    for i, item in enumerate(model.as_list(sync.get(plural))):
        if isinstance(item, dict):
            yield (plural, i), item
    if not v4 and isinstance(sync.get(single), dict):
        yield (single,), sync.get(single)


def _removed(base, spec):
    if "ttlSecondsAfterFinished" in spec:
        yield finding(base + ("ttlSecondsAfterFinished",),
                      "`ttlSecondsAfterFinished` was removed in Argo 3.0: `argo lint` rejects the unknown field and "
                      "the API server drops it", hint="use `ttlStrategy: {secondsAfterCompletion: N}`", on_key=True)
    if "podPriority" in spec:
        yield finding(base + ("podPriority",), "`podPriority` was removed in Argo 3.7: `argo lint` rejects the unknown "
                                               "field and the API server drops it",
                      hint="set `podPriorityClassName` to a PriorityClass instead", on_key=True)


# -- executor plugins, service accounts ------------------------------------------


def _executor_plugins(base, spec):
    """Argo 4.1 checks each workflow-level executor plugin's sidecar."""
    for i, plugin in enumerate(model.as_list(spec.get("executorPlugins"))):
        if not isinstance(plugin, dict):
            continue
        here = base + ("executorPlugins", i)
        name = model.as_dict(plugin.get("metadata")).get("name")
        if not (isinstance(name, str) and name):
            yield finding(here, "executor plugin has no `metadata.name`; Argo rejects it",
                          hint="add `metadata: {name: my-plugin}`", on_key=True)
            continue
        what = f"executor plugin `{name}`"
        container_path = here + ("spec", "sidecar", "container")
        container = model.as_dict(model.as_dict(model.as_dict(plugin.get("spec")).get("sidecar")).get("container"))
        where = container_path if container else here
        if not model.as_list(container.get("ports")):
            yield finding(where, f"the sidecar container of {what} has no `ports`; Argo rejects it: the agent talks to "
                                 "the plugin over HTTP", hint="add `ports: [{containerPort: 4355}]`", on_key=True)
        resources = model.as_dict(container.get("resources"))
        for part in ("requests", "limits"):
            if not model.as_dict(resources.get(part)):
                yield finding(where, f"the sidecar container of {what} has no resource {part}; Argo rejects it",
                              hint=f"add `resources: {{{part}: {{cpu: 100m, memory: 64Mi}}}}`", on_key=True)
        if container.get("securityContext") is None:
            yield finding(where, f"the sidecar container of {what} has no `securityContext`; Argo rejects it",
                          hint="add `securityContext: {runAsNonRoot: true, allowPrivilegeEscalation: false}`",
                          on_key=True)


def _may_turn_off_tokens(document, spec) -> bool:
    """Whether `_service_account_tokens` has anything to look at: a
    `workflowTemplateRef`, or `automountServiceAccountToken` on the spec or a template."""
    if spec.get("workflowTemplateRef") is not None or "automountServiceAccountToken" in spec:
        return True
    for at in model.all_templates(document):
        if "automountServiceAccountToken" in at.template:
            return True
    return False


def _service_account_tokens(document, context, base, spec):
    """`automountServiceAccountToken: false` (the template's value wins over the
    workflow's) needs an executor service account: Argo checks it only when it
    creates the pod, and fails the step with "executor.serviceAccountName must
    not be empty if automountServiceAccountToken is false"."""
    ref = spec.get("workflowTemplateRef")      # (called only when `_may_turn_off_tokens`)
    sources = [spec]
    if ref is not None:
        holder = callgraph.graph_of(document, context.index).workflow_template_ref()
        if holder is None or holder.opaque:
            return
        sources.append(holder.spec)

    def first(key, sub=None):
        for source in sources:
            value = source.get(key)
            if sub is not None:
                value = model.as_dict(value).get(sub)
            if value is not None:
                return value
        return None

    spec_automount = first("automountServiceAccountToken")
    spec_executor = first("executor", "serviceAccountName")
    spec_has_executor = isinstance(spec_executor, str) and spec_executor != ""
    flagged_spec = False
    for at in model.all_templates(document):
        own = at.template.get("automountServiceAccountToken")
        effective = own if own is not None else spec_automount
        if effective is not False:
            continue
        ttype = model.template_type(at.template)
        if ttype not in model.POD_TYPES:
            continue
        executor = model.as_dict(at.template.get("executor")).get("serviceAccountName")
        if (isinstance(executor, str) and executor) or spec_has_executor:
            continue
        hint = ("set `executor: {serviceAccountName: ...}` (on the template or the workflow), or remove "
                "`automountServiceAccountToken: false`")
        if own is not None:
            yield finding(at.path + ("automountServiceAccountToken",),
                          f"{_helpers.label(at)} sets `automountServiceAccountToken: false` without an "
                          "executor service account: Argo accepts it, but cannot create the pod "
                          "(\"executor.serviceAccountName must not be empty if automountServiceAccountToken is "
                          "false\")", hint=hint, severity=WARNING)
        elif not flagged_spec and "automountServiceAccountToken" in spec:
            flagged_spec = True
            yield finding(base + ("automountServiceAccountToken",),
                          "`automountServiceAccountToken: false` without an executor service account: Argo accepts "
                          "it, but cannot create the pods of this workflow (\"executor.serviceAccountName must not be "
                          "empty if automountServiceAccountToken is false\")", hint=hint, severity=WARNING)
