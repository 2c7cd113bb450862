"""The service account a workflow runs as may do what its templates need.

The permissions come from `wflint.argo.permissions` (which account Argo uses for
what), the decisions from `wflint.k8s.rbac` (the project's Roles and bindings, as
Kubernetes' RBAC authorizer reads them). Missing permissions are only known
within the project: RBAC applied some other way may grant them, hence a
warning, never an error. Where the project holds no RBAC for an account, one
info finding per resource template lists what it needs.
"""

from typing import Dict, List, Optional, Tuple

from wflint.argo.index import memoized
from wflint.argo import model, permissions as perms
from wflint.finding import INFO, WARNING, finding
from wflint.k8s.rbac import Authorizer

ID = "rbac"
SEVERITY = "warning"
SUMMARY = ("The service account each template runs as is granted what it needs by the project's Roles "
           "and bindings; resource templates say what to grant.")

_PURPOSE = {
    perms.EXECUTOR: "Argo's executor needs to record each step's outputs",
    perms.AGENT: "the agent pod that runs HTTP and plugin templates needs",
    perms.ARTIFACT_GC: "artifact garbage collection needs",
    perms.SECRET: "an HTTP header's `secretKeyRef` needs",
    perms.CONFIGMAP: "an HDFS artifact's `krbConfigConfigMap` needs",
}
GENERATE_HINT = "`wflint rbac PATH` prints a Role and RoleBinding that grant exactly what the workflows need"


def _code(items) -> str:
    return ", ".join(f"`{item}`" for item in items)


def _account(account: str, namespace: Optional[str]) -> str:
    where = f" (namespace `{namespace}`)" if namespace else ""
    if perms.dynamic(account):
        return f"service account `{account}` (set at run time)"
    return f"service account `{account}`{where}"


def _object(need: perms.Need) -> str:
    """`deployments.apps`, with its names, namespace and whether it is a guess."""
    text = f"`{need.label}`"
    if need.resource_names:
        text += " named " + _code(need.resource_names)
    if need.cluster:
        text += " (cluster-wide)"
    elif need.target is not None and need.target != need.namespace:
        text += f" in namespace `{need.target}`"
    if need.guessed:
        text += f" (plural guessed from kind `{need.kind}`)"
    return text


def _requirement(need: perms.Need) -> str:
    return f"{_code(need.verbs)} on {_object(need)}"


def _templates(reasons: List[perms.Reason]) -> str:
    names = []
    for reason in reasons:
        if reason.template not in names:
            names.append(reason.template)
    if len(names) <= 3:
        return ", ".join(names)
    return ", ".join(names[:3]) + f" and {len(names) - 3} more"


def _bound(auth: Authorizer, need: perms.Need, verb: str) -> str:
    name = need.resource_names[0] if need.resource_names and verb in perms.NAMED_VERBS else None
    decision = auth.decide(need.account, need.namespace, verb, need.api_group, need.resource, name,
                           need.target, need.cluster)
    if decision.bound:
        text = "roles bound to it: " + ", ".join(decision.bound)
    elif need.cluster and auth.applicable(need.account, need.namespace, need.namespace):
        local = [b.describe() for b in auth.applicable(need.account, need.namespace, need.namespace)]
        text = ("only RoleBindings bind it (" + ", ".join(local) + "), and they cannot grant cluster-scoped "
                "resources")
    else:
        where = "cluster-wide" if need.cluster else \
            (f"in namespace `{need.target_namespace}`" if need.target_namespace else "")
        text = f"no role is bound to it {where}".rstrip()
    elsewhere = auth.elsewhere(need.account, need.namespace)
    if elsewhere:
        text += " (" + "; ".join(elsewhere) + ")"
    return text


def _purpose(need: perms.Need, missing: List[str]) -> str:
    if need.category == perms.RESOURCE:
        purposes = []
        for verb in missing:
            purpose = need.purposes.get(verb)
            if purpose and purpose not in purposes:
                purposes.append(purpose)
        return "needed for " + " and ".join(purposes) if purposes else "needed by the resource template"
    return "which " + _PURPOSE[need.category]


def _hint(need: perms.Need) -> str:
    if need.cluster:
        return (f"a Role cannot grant cluster-scoped `{need.label}`: grant it with a ClusterRole bound by a "
                "ClusterRoleBinding")
    group = need.api_group or '""'
    return (f"add the verbs for `{need.resource}` in API group `{group}` to a role bound to "
            f"`{need.account}`, or bind one; {GENERATE_HINT}")


def _authorizer(index) -> Authorizer:
    """One Authorizer per index."""
    return memoized(index, ("rbac", "authorizer"), lambda: Authorizer(index))


def check(document, context):
    auth = _authorizer(context.index)
    if not auth.accounts and not auth.bindings:
        # The project holds no ServiceAccount or binding: no account is verifiable, and
        # only the notes on resource templates (`_unverified`) can come out, so only
        # what resource templates need is worked out.
        if _may_run_resource_templates(document, context.index):
            yield from _unverified(perms.compute(document, context.index, resources_only=True), _unverifiable)
        return
    computed = perms.compute(document, context.index)
    covered: Dict[Tuple[str, Optional[str]], bool] = {}

    def verifiable(account: str, namespace: Optional[str]) -> bool:
        key = (account, namespace)
        if key not in covered:
            covered[key] = not perms.dynamic(account) and auth.covers(account, namespace)
        return covered[key]

    # -- relying on `default` -------------------------------------------------
    # Only where the project manages RBAC but not for `default`: without any RBAC in the project the
    # note would fire on nearly every workflow and say nothing about it (`default` may well be bound).
    if computed.default_at is not None and (auth.accounts or auth.bindings) \
            and not verifiable(perms.DEFAULT, computed.namespace):
        yield finding(computed.default_at,
                      "no `serviceAccountName`: the pods run as the namespace's `default` service account, which "
                      "every pod of the namespace shares and which is seldom granted what Argo's executor needs "
                      "(`create`, `patch` on `workflowtaskresults.argoproj.io`)",
                      on_key=True, severity=INFO,
                      hint="give the workflow its own service account in `spec.serviceAccountName`; " + GENERATE_HINT)

    # -- verification: workflow-wide needs, once per account ------------------
    wide = perms.merge(n for n in computed.needs if n.category in perms.WORKFLOW_WIDE)
    for need in wide:
        if not verifiable(need.account, need.namespace):
            continue
        missing = auth.missing(need.account, need.namespace, need.verbs, need.api_group, need.resource,
                               need.resource_names, need.target, need.cluster, named=perms.NAMED_VERBS)
        if missing:
            partial = _partial_view(auth, need)
            yield finding(need.reasons[0].anchor,
                          f"{_account(need.account, need.namespace)} may not {_code(missing)} `{need.label}`, "
                          f"{_purpose(need, missing)} ({_templates(need.reasons)}); "
                          f"{_bound(auth, need, missing[0])}"
                          + ("; none of them is an executor role, so the grant may come from Argo's installation, "
                             "outside the project"
                             if partial else ""),
                          severity=INFO if partial else WARNING, hint=_hint(need))

    # -- verification: per template ---------------------------------------------
    for need in computed.needs:
        if need.category in perms.WORKFLOW_WIDE or not verifiable(need.account, need.namespace):
            continue
        missing = auth.missing(need.account, need.namespace, need.verbs, need.api_group, need.resource,
                               need.resource_names, need.target, need.cluster, named=perms.NAMED_VERBS)
        if missing:
            reason = need.reasons[0]
            prefix = "" if reason.own else f"{reason.template}: "
            yield finding(_point(reason, need),
                          f"{prefix}{_account(need.account, need.namespace)} may not {_code(missing)} "
                          f"{_object(need)}, {_purpose(need, missing)}; {_bound(auth, need, missing[0])}",
                          severity=WARNING, hint=_hint(need))

    # -- token Secrets of accounts Argo mounts itself ------------------------------
    tokens = []
    for need in computed.needs:
        key = (need.account, need.namespace)
        if need.token and key not in tokens and verifiable(*key):
            tokens.append(key)
            if auth.token_missing(need.account, need.namespace):
                who = "the agent pod's" if need.category == perms.AGENT else "an executor"
                yield finding(need.account_at or need.reasons[0].anchor,
                              f"{_account(need.account, need.namespace)} is {who} account, so Argo mounts its "
                              f"long-lived token Secret, but the project has none: no `secrets` on the "
                              f"ServiceAccount and no Secret `{need.account}.service-account-token`",
                              severity=WARNING,
                              hint=f"add a Secret `{need.account}.service-account-token` of type "
                                   "`kubernetes.io/service-account-token` annotated "
                                   f"`kubernetes.io/service-account.name: {need.account}`")

    yield from _unverified(computed, verifiable)


def _unverifiable(account, namespace) -> bool:
    return False


def _may_run_resource_templates(document, index) -> bool:
    """Whether the permissions walk may reach a resource template: one of the
    document's own templates (inline ones included) is one, or the walk may
    enter a workflow hook's inline template, or leave the document (a
    `templateRef`, a `workflowTemplateRef`) for a WorkflowTemplate that may
    hold one. When it cannot, a project without RBAC gets nothing from this
    rule: ``_unverified`` reports only resource needs and what resource
    templates leave unknown (both come from resource templates alone), and
    every other finding needs a ServiceAccount or binding."""
    base, spec = model.spec(document)
    for hook in model.spec_hooks(document):
        if isinstance(hook.body.get("inline"), dict):
            return True
    for at in model.all_templates(document):
        if at.template.get("resource") is not None:
            return True
    ref = spec.get("workflowTemplateRef")
    calls = model.ref_calls(document)
    if ref is None and not calls:
        return False
    holders = _holders_reaching_resources(index)
    if ref is not None and _names_one_of(ref, holders):
        return True
    return any(_names_one_of(call.body.get("templateRef"), holders) for call in calls)


def _names_one_of(ref, names) -> bool:
    """Whether a `templateRef` or `workflowTemplateRef` may name one of ``names``
    (a reference without a plain name resolves to nothing)."""
    name = ref.get("name") if isinstance(ref, dict) else None
    return isinstance(name, str) and name in names



def _holders_reaching_resources(index) -> frozenset:
    """Names of the project's WorkflowTemplates and ClusterWorkflowTemplates
    whose templates may be or call a resource template: those holding a
    `resource` field or a reference to another holder anywhere (a generous
    test), and those known by name only. Once per index."""
    return memoized(index, ("rbac", "reaching-resources"), lambda: _reaching_resources(index))


def _reaching_resources(index) -> frozenset:
    names = set()
    for kind in (("WorkflowTemplate", "ClusterWorkflowTemplate") if index is not None else ()):
        for entry in index.of_kind(kind):
            if entry.data is None or _may_hold_resources(entry.data):
                names.add(entry.name)
    return frozenset(names)


def _may_hold_resources(data) -> bool:
    # Every mapping of the document, looked into without a generator per container (most
    # holders hold none: the whole document is walked).
    stack = [data] if isinstance(data, (dict, list)) else []
    pop, push = stack.pop, stack.append
    while stack:
        item = pop()      # a mapping or a list
        if isinstance(item, dict):
            if item.get("resource") is not None or "templateRef" in item or "workflowTemplateRef" in item:
                return True
            item = item.values()
        for value in item:
            if isinstance(value, (dict, list)):
                push(value)
    return False


def _partial_view(auth: Authorizer, need: perms.Need) -> bool:
    """Whether the project plainly shows only part of the account's RBAC: the namespace's `default`
    account (which Argo's installation manifests bind to the executor Role, e.g. quick-start's
    `executor-default-rolebinding`) misses an executor need, and the roles bound to it here grant
    nothing an executor ever had (not even the pre-3.4 executor's `patch` on pods), e.g. one Role
    for a plugin's Secrets. An account the project names itself keeps the warning."""
    return (need.category == perms.EXECUTOR and need.account == perms.DEFAULT
            and bool(auth.missing(need.account, need.namespace, ["patch"], "", "pods",
                                  target=need.target, cluster=need.cluster)))


def _unverified(computed, verifiable):
    # -- no RBAC to check against: one note per resource template -----------------
    executor = {}
    for need in computed.needs:
        if need.category == perms.EXECUTOR:
            executor.setdefault((need.reasons[0].anchor, need.account), need)
    for need in computed.needs:
        if need.category != perms.RESOURCE or verifiable(need.account, need.namespace):
            continue
        reason = need.reasons[0]
        rules = [_requirement(need)]
        extra = executor.get((reason.anchor, need.account))
        if extra is not None:
            rules.append(_requirement(extra))
        prefix = "" if reason.own else f"{reason.template}: "
        yield finding(_point(reason, need),
                      f"{prefix}this resource template runs as {_account(need.account, need.namespace)}, which "
                      f"needs {' and '.join(rules)}; the project has no RBAC for it to check against",
                      severity=INFO, hint=GENERATE_HINT)

    # -- what cannot be worked out ---------------------------------------------------
    for unknown in computed.unknowns:
        if unknown.category != perms.RESOURCE:
            continue  # templates outside the project: template-ref reports those
        reason = unknown.reason
        prefix = "" if reason.own else f"{reason.template}: "
        yield finding(unknown.anchor or reason.anchor,
                      f"{prefix}wflint cannot tell what this resource template needs of "
                      f"{_account(unknown.account, unknown.namespace)}: {unknown.why}",
                      span=unknown.span, severity=INFO,
                      hint="make sure the account may act on the object; it also needs `create`, `patch` on "
                           "`workflowtaskresults.argoproj.io`")


def _point(reason: perms.Reason, need: perms.Need):
    """Where a resource template's finding goes: its `action` when the template is here."""
    if reason.own and need.category == perms.RESOURCE:
        return reason.anchor + ("resource", "action")
    return reason.anchor
