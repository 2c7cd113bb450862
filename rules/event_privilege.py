"""A WorkflowTemplate that events start (WorkflowEventBinding, Sensor) runs
with a service account granted no more than its templates need."""

from wflint.argo import model, permissions as perms
from wflint.finding import finding
from wflint.argo.model import as_dict, as_list, as_str
from wflint.k8s.rbac import Authorizer

ID = "event-privilege"
SEVERITY = "warning"
GROUP = "security"
ENABLED = False
CWE = ("CWE-250", "CWE-269")
SECURITY_SEVERITY = 7.7
SUMMARY = ("A WorkflowTemplate started by events (WorkflowEventBinding, Sensor) runs with a service account "
           "granted no more than its templates need.")
KINDS = ("WorkflowTemplate", "ClusterWorkflowTemplate")


def _needed(needs, account):
    """{(group, resource): verbs} the account needs."""
    out = {}
    for need in needs:
        if account is None or need.account == account:
            out.setdefault((need.api_group, need.resource), set()).update(need.verbs + need.optional_verbs)
    return out


def _excess(rules, needed):
    """Grants of ``rules`` that no need covers, as `verb` on `resource` phrases."""
    found = []
    for rule in rules:
        rule = as_dict(rule)
        if as_list(rule.get("nonResourceURLs")):
            continue
        groups = [g for g in as_list(rule.get("apiGroups")) if isinstance(g, str)]
        resources = [r for r in as_list(rule.get("resources")) if isinstance(r, str)]
        verbs = [v for v in as_list(rule.get("verbs")) if isinstance(v, str)]
        for group in groups:
            for resource in resources:
                for verb in verbs:
                    if "*" in (group, resource, verb):
                        phrase = f"`{verb}` on `{perms.resource_label(group, resource) if group != '*' else resource}`"
                        if group == "*":
                            phrase += " in every API group"
                    elif verb in needed.get((group, resource), ()):
                        continue
                    else:
                        phrase = f"`{verb}` on `{perms.resource_label(group, resource)}`"
                    if phrase not in found:
                        found.append(phrase)
    return found


def check(document, context):
    from wflint.argo import taint   # only when the (opt-in) rule runs
    triggers = taint.triggers(document, context.index)
    if not triggers:
        return
    result = perms.compute(document, context.index)
    auth = Authorizer(context.index)
    home = result.namespace
    accounts = []
    for need in result.needs:
        if need.category != perms.ARTIFACT_GC and need.account_known and need.account not in [a for a, _ in accounts]:
            accounts.append((need.account, need.account_at))
    named_by = {}
    for trigger in triggers:
        # A Sensor's Workflow may name its own account, which wins over the template's.
        if trigger.account and trigger.account not in [a for a, _ in accounts]:
            accounts.append((trigger.account, ("metadata", "name")))
            named_by[trigger.account] = f" (named by the Workflow {trigger.label} submits)"
    base, spec = model.spec(document)
    by = ", ".join(t.label for t in triggers[:2]) + (f" and {len(triggers) - 2} more" if len(triggers) > 2 else "")
    for account, at in accounts:
        if not auth.covers(account, home):
            continue      # the project holds no RBAC for it: nothing to compare
        needed = _needed(result.needs, account)
        if not needed:   # an account only a trigger names: it does what the template's accounts do
            needed = _needed(result.needs, None)
        for binding in auth.applicable(account, home, home):
            excess = _excess(auth.role_rules(binding).rules, needed)
            if not excess:
                continue
            shown = ", ".join(excess[:4]) + (f" and {len(excess) - 4} more" if len(excess) > 4 else "")
            where = at or (base + ("serviceAccountName",) if "serviceAccountName" in spec else ("metadata", "name"))
            yield finding(where, f"{document.kind} `{document.name}` is started by events ({by}) and runs as "
                                 f"service account `{account}`{named_by.get(account, '')}, to which {binding.describe()} "
                                 "grants more than "
                                 f"its templates need: {shown}; whoever gets code to run in one of its pods "
                                 "through a crafted event can use all of it",
                          hint="bind the account to a Role granting exactly what the templates need (`wflint "
                               "rbac PATH` prints one), or give the event-started workflow an account of its own")
