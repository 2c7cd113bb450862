"""Checks that several rules share, kept out of any one rule (a rule module
never imports another rule module): how a message names a template, and the
checks of fields that appear both on templates and on the workflow spec
(retryStrategy, parallelism, podResources, artifact GC strategy)."""

from wflint.lang import durations
from wflint.argo import model
from wflint.finding import WARNING, finding
from wflint.suggest import did_you_mean

RETRY_POLICIES = ("Always", "OnFailure", "OnError", "OnTransientError")
POD_RESOURCE_KEYS = ("cpu", "memory")
GC_STRATEGIES = ("OnWorkflowCompletion", "OnWorkflowDeletion", "Never")


def dynamic(value) -> bool:
    """A field still holding an Argo `{{...}}` tag: its value is known only at run time."""
    return isinstance(value, str) and "{{" in value


def label(at) -> str:
    """How a message names a template."""
    if at.name:
        return f"template `{at.name}`"
    return "this inline template" if at.inline else "an unnamed template"


def minimum_parallelism(path, value, v4, consequence):
    if v4:
        yield finding(path, f"`parallelism: {value}` must be at least 1: the CRD Argo 4 installs rejects it",
                      hint="use 1 or more, or remove it for no limit")
    else:
        yield finding(path, f"`parallelism: {value}` lets nothing run: {consequence}",
                      hint="use 1 or more, or remove it for no limit", severity=WARNING)


def retry_strategy(path, strategy, owner, validated, v4):
    """A retryStrategy: Argo's validator checks `retryPolicy` on templates; the
    Argo 4 CRD checks it everywhere. The rest is read when a step fails."""
    strategy = model.as_dict(strategy)
    if not strategy:
        return
    policy = strategy.get("retryPolicy")
    if isinstance(policy, str) and policy and policy not in RETRY_POLICIES:
        where = "Argo rejects it" if validated else (
            "the CRD Argo 4 installs rejects it" if v4 else "Argo accepts it there, but cannot apply it when a "
                                                             "step fails")
        yield finding(path + ("retryPolicy",),
                      f"`{policy}` is not a retry policy: use Always, OnFailure, OnError or OnTransientError; "
                      f"{where}{did_you_mean(policy, RETRY_POLICIES)}",
                      severity=None if (validated or v4) else WARNING)
    limit = strategy.get("limit")
    if isinstance(limit, str) and not dynamic(limit) and durations.go_int(limit) is None:
        yield finding(path + ("limit",), f"retry `limit: {limit}` is not a whole number: Argo accepts it, but cannot "
                                         "read it when the step fails, so the step errors instead of retrying",
                      hint="write the number of retries, e.g. `3`", severity=WARNING)
    number = limit if isinstance(limit, int) and not isinstance(limit, bool) else (
        durations.go_int(limit) if isinstance(limit, str) else None)
    if number is not None and number < 0:
        yield finding(path + ("limit",), f"retry `limit: {limit}` is negative: Argo never retries",
                      hint="write the number of retries, e.g. `3`, or remove `retryStrategy`", severity=WARNING)
    backoff = model.as_dict(strategy.get("backoff"))
    for key in ("duration", "maxDuration"):
        value = backoff.get(key)
        if isinstance(value, str) and value and not dynamic(value):
            why = durations.seconds_or_duration_problem(value)
            if why:
                yield finding(path + ("backoff", key),
                              f"backoff `{key}: {value}` is neither a number of seconds nor a Go duration ({why}): "
                              "Argo accepts it, but the retry fails when it is scheduled",
                              hint="write it like " + durations.EXAMPLES, severity=WARNING)
    factor = backoff.get("factor")
    if isinstance(factor, str) and not dynamic(factor) and durations.go_int(factor) is None:
        yield finding(path + ("backoff", "factor"),
                      f"backoff `factor: {factor}` is not a whole number: Argo cannot read it when it retries",
                      hint="write a whole number, e.g. `2`", severity=WARNING)


def pod_resources(path, resources):
    """Pod-level resources (Argo 4.1): only cpu, memory and hugepages-*, and no claims."""
    resources = model.as_dict(resources)
    if "claims" in resources:
        yield finding(path + ("claims",), "pod-level resources cannot have `claims`; Argo rejects them",
                      hint="request devices with `resourceClaims` and each container's `resources.claims`",
                      on_key=True)
    for part in ("limits", "requests"):
        for key in model.as_dict(resources.get(part)):
            if key in POD_RESOURCE_KEYS or (isinstance(key, str) and key.startswith("hugepages-")):
                continue
            yield finding(path + (part, key), f"`{key}` is not a pod-level resource: only cpu, memory and "
                                              "hugepages-* are; Argo rejects it",
                          hint="set it in the container's `resources` instead", on_key=True)


def gc_strategy(path, value, v4):
    message = f"`{value}` is not an artifact GC strategy: use OnWorkflowCompletion, OnWorkflowDeletion or Never"
    mean = did_you_mean(value, GC_STRATEGIES)
    if v4:
        yield finding(path, message + "; the CRD Argo 4 installs rejects it" + mean)
    else:
        yield finding(path, message + "; Argo never collects the artifact" + mean, severity=WARNING)


def tagged(check, findings):
    """Findings of a shared helper, tagged with the caller's check (see
    wflint.ruleids) unless they name one already."""
    for item in findings:
        yield item if item.check else item.replace(check=check)


_VERSION_FLAGS: dict = {}


def version_flags(version) -> tuple:
    """(Argo 4 or later, 4.1 or later) for the run's `--argo-version`: the same
    for every document, so worked out once per version text."""
    found = _VERSION_FLAGS.get(version)
    if found is None:
        from wflint.argo.version import ArgoVersion
        parsed = ArgoVersion(version)
        found = _VERSION_FLAGS[str(parsed)] = _VERSION_FLAGS[str(version)] = (parsed.major >= 4, parsed >= "4.1")
    return found
