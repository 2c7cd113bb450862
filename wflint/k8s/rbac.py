"""Kubernetes RBAC, emulated over the project's RBAC objects.

Given the ServiceAccounts, Roles, ClusterRoles, RoleBindings and
ClusterRoleBindings of the project index, decide whether a service account may
do something, the way the API server's RBAC authorizer decides:

* a request is (verb, API group, resource[/subresource], name, namespace or
  cluster scope), made by user `system:serviceaccount:<ns>:<sa>`, member of the
  groups `system:serviceaccounts`, `system:serviceaccounts:<ns>` and
  `system:authenticated`;
* ClusterRoleBindings apply everywhere; RoleBindings only in their own
  namespace, and never to cluster-scoped resources; a RoleBinding's
  ServiceAccount subject without a namespace is in the RoleBinding's namespace;
* `roleRef` names a Role in the binding's namespace or a ClusterRole (a
  ClusterRole bound by a RoleBinding grants only in that namespace);
* a rule matches when its apiGroups, verbs and resources hold the request's
  (or `*`; `*/status` for any status subresource) and its resourceNames are
  empty or hold the name (never for create, list or watch, which have none);
* an aggregated ClusterRole holds the rules of every project ClusterRole its
  selectors match; `cluster-admin` grants everything; `admin`, `edit` and
  `view` grant what Kubernetes' own do on its built-in resources.

A manifest without `metadata.namespace` matches any namespace (kustomize or
`kubectl -n` sets it later). Answers are three-valued: granted, denied, or
unknown where the project does not hold enough to tell (a role it does not
define, an aggregated role that the cluster may extend, a name set at run
time against a rule restricted by resourceNames).
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Tuple

from ..slots import Record
from ..source.coerce import as_dict, as_list, as_str
from ..lazyre import lazy_compile

GRANTED, DENIED, UNKNOWN = True, False, None


class _SomeName:
    """The request names an object, but its name is only known at run time."""

    def __repr__(self):
        return "SOME_NAME"


SOME_NAME = _SomeName()
TOKEN_ANNOTATION = "workflows.argoproj.io/service-account-token.name"
_USER = lazy_compile(r"system:serviceaccount:([^:]+):(.+)")


def ns_match(a: Optional[str], b: Optional[str]) -> bool:
    """Two namespaces that may be the same: equal, or one of them not written down."""
    return a is None or b is None or a == b


# -- Kubernetes' built-in user-facing ClusterRoles (approximate: they are only
# ever used to grant, never to deny) ---------------------------------------------

_READ = ("get", "list", "watch")
_WRITE = ("create", "delete", "deletecollection", "patch", "update")


def _rule(groups, resources, verbs):
    return {"apiGroups": list(groups), "resources": list(resources), "verbs": list(verbs)}


_VIEW = [
    _rule([""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods",
                 "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services",
                 "services/status", "bindings", "events", "limitranges", "namespaces/status", "pods/log",
                 "pods/status", "replicationcontrollers/status", "resourcequotas", "resourcequotas/status",
                 "namespaces"], _READ),
    _rule(["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                     "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets",
                     "statefulsets/scale", "statefulsets/status"], _READ),
    _rule(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], _READ),
    _rule(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], _READ),
    _rule(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], _READ),
    _rule(["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"], _READ),
    _rule(["discovery.k8s.io"], ["endpointslices"], _READ),
]
_EDIT = _VIEW + [
    _rule([""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"], _READ),
    _rule([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], _WRITE),
    _rule([""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers",
                 "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"], _WRITE),
    _rule([""], ["pods/eviction", "serviceaccounts/token"], ["create"]),
    _rule(["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets",
                     "replicasets/scale", "statefulsets", "statefulsets/scale"], _WRITE),
    _rule(["autoscaling"], ["horizontalpodautoscalers"], _WRITE),
    _rule(["batch"], ["cronjobs", "jobs"], _WRITE),
    _rule(["policy"], ["poddisruptionbudgets"], _WRITE),
    _rule(["networking.k8s.io"], ["ingresses", "networkpolicies"], _WRITE),
    _rule(["coordination.k8s.io"], ["leases"], _READ + _WRITE),
]
_ADMIN = _EDIT + [
    _rule(["rbac.authorization.k8s.io"], ["roles", "rolebindings"], _READ + _WRITE),
    _rule(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
]
_AGGREGATE = "rbac.authorization.k8s.io/aggregate-to-"
# name: (rules, complete, labels whose ClusterRoles aggregate into it)
BUILTIN_CLUSTER_ROLES = {
    "cluster-admin": ([_rule(["*"], ["*"], ["*"])], True, ()),
    "admin": (_ADMIN, False, ("admin", "edit", "view")),
    "edit": (_EDIT, False, ("edit", "view")),
    "view": (_VIEW, False, ("view",)),
}


# -- objects -------------------------------------------------------------------

class Binding(Record):
    """A RoleBinding or ClusterRoleBinding: which role it grants to which subjects."""

    __slots__ = ("kind", "name", "namespace", "role_kind", "role_name", "subjects", "where")

    kind: str                 # RoleBinding or ClusterRoleBinding
    name: str
    namespace: Optional[str]  # None for a ClusterRoleBinding, or not written down
    role_kind: Optional[str]
    role_name: Optional[str]
    subjects: List[Dict]
    where: str

    def __init__(self, kind, name, namespace, role_kind, role_name, subjects, where):
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.role_kind = role_kind
        self.role_name = role_name
        self.subjects = subjects
        self.where = where

    @property
    def cluster(self) -> bool:
        return self.kind == "ClusterRoleBinding"

    def subject_namespace(self, subject: Dict) -> Optional[str]:
        namespace = as_str(subject.get("namespace"))
        if namespace:
            return namespace
        return None if self.cluster else self.namespace

    def names_account(self, account: str) -> List[Optional[str]]:
        """Namespaces (None: unwritten) in which this binding names service account ``account``."""
        found = []
        for subject in self.subjects:
            kind, name = subject.get("kind"), as_str(subject.get("name"))
            if kind == "ServiceAccount" and name == account:
                if self.cluster and not as_str(subject.get("namespace")):
                    continue  # invalid: a ClusterRoleBinding's ServiceAccount subject needs a namespace
                found.append(self.subject_namespace(subject))
            elif kind == "User" and name:
                match = _USER.fullmatch(name)
                if match and match.group(2) == account:
                    found.append(match.group(1))
        return found

    def binds(self, account: str, home: Optional[str]) -> bool:
        """Whether the account (in namespace ``home``) is a subject, by name or by group."""
        if any(ns_match(ns, home) for ns in self.names_account(account)):
            return True
        for subject in self.subjects:
            if subject.get("kind") != "Group":
                continue
            name = as_str(subject.get("name")) or ""
            if name in ("system:serviceaccounts", "system:authenticated"):
                return True
            if name.startswith("system:serviceaccounts:") and ns_match(name.split(":", 2)[2], home):
                return True
        return False

    def role_label(self) -> str:
        return f"{self.role_kind or 'role'} `{self.role_name or '?'}`"

    def describe(self) -> str:
        where = f" in namespace `{self.namespace}`" if self.namespace and not self.cluster else ""
        return f"{self.role_label()} via {self.kind} `{self.name}`{where}"


class RoleRules(Record):
    """A role's rules, and whether they are all the cluster has for it."""

    __slots__ = ("rules", "complete", "found")

    rules: List[Dict]
    complete: bool     # False: the cluster may grant more than these rules say
    found: bool        # False: the role is not in the project (nor built in)

    def __init__(self, rules, complete, found=True):
        self.rules = rules
        self.complete = complete
        self.found = found


class Decision(Record):
    """Whether a request is allowed, and by which role."""

    __slots__ = ("allowed", "granted_by", "bound")

    allowed: Optional[bool]    # GRANTED, DENIED or UNKNOWN
    granted_by: Optional[str]
    bound: List[str]           # roles bound to the account that apply to the request

    def __init__(self, allowed, granted_by=None, bound=None):
        self.allowed = allowed
        self.granted_by = granted_by
        self.bound = [] if bound is None else bound


def _label_value(value: Any) -> Optional[str]:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value if isinstance(value, str) else None


def selector_matches(selector: Dict, labels: Dict) -> bool:
    """A label selector (matchLabels, matchExpressions) against labels. An
    empty selector matches everything, as Kubernetes' does."""
    labels = {k: _label_value(v) for k, v in labels.items()}
    for key, value in as_dict(selector.get("matchLabels")).items():
        if labels.get(key) != _label_value(value):
            return False
    for expression in as_list(selector.get("matchExpressions")):
        expression = as_dict(expression)
        key, operator = as_str(expression.get("key")), as_str(expression.get("operator"))
        values = [_label_value(v) for v in as_list(expression.get("values"))]
        if key is None:
            return False
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def _strings(value: Any) -> List[str]:
    return [v for v in as_list(value) if isinstance(v, str)]


def rule_allows(rule: Dict, verb: str, group: str, resource: str, name: Any = None) -> Optional[bool]:
    """Does one PolicyRule allow the request? UNKNOWN when only a name known at
    run time could tell (the rule lists resourceNames)."""
    rule = as_dict(rule)
    verbs, groups, resources = _strings(rule.get("verbs")), _strings(rule.get("apiGroups")), \
        _strings(rule.get("resources"))
    if "*" not in verbs and verb not in verbs:
        return DENIED
    if "*" not in groups and group not in groups:
        return DENIED
    if "*" not in resources and resource not in resources:
        if "/" not in resource or f"*/{resource.split('/', 1)[1]}" not in resources:
            return DENIED
    names = _strings(rule.get("resourceNames"))
    if not names:
        return GRANTED
    if name is None:
        return DENIED           # create, list, watch: no name to match
    if name is SOME_NAME:
        return UNKNOWN
    return GRANTED if name in names else DENIED


class Authorizer:
    """The project's RBAC objects, and decisions over them."""

    def __init__(self, index=None):
        self.roles: List[Any] = []
        self.cluster_roles: List[Any] = []
        self.bindings: List[Binding] = []
        self.accounts: List[Any] = []
        self.secrets: List[Any] = []
        # Answers kept for the run: the index (hence every list above) does not change once
        # rules run, and the rules ask the same questions for document after document.
        self._applicable: Dict[tuple, List[Binding]] = {}
        self._role_rules: Dict[int, Tuple[Binding, RoleRules]] = {}
        self._covers: Dict[tuple, bool] = {}
        self._decisions: Dict[tuple, Decision] = {}
        if index is None:
            return
        self.roles = index.of_kind("Role")
        self.cluster_roles = index.of_kind("ClusterRole")
        self.accounts = index.of_kind("ServiceAccount")
        self.secrets = index.of_kind("Secret")
        for kind in ("RoleBinding", "ClusterRoleBinding"):
            for entry in index.of_kind(kind):
                data = as_dict(entry.data)
                ref = as_dict(data.get("roleRef"))
                self.bindings.append(Binding(
                    kind=kind, name=entry.name or "?", namespace=None if kind == "ClusterRoleBinding" else entry.namespace,
                    role_kind=as_str(ref.get("kind")), role_name=as_str(ref.get("name")),
                    subjects=[s for s in as_list(data.get("subjects")) if isinstance(s, dict)], where=entry.where))

    @property
    def empty(self) -> bool:
        return not (self.roles or self.cluster_roles or self.bindings or self.accounts)

    # -- who is this account -------------------------------------------------

    def covers(self, account: str, home: Optional[str]) -> bool:
        """Does the project hold RBAC objects for this account: the
        ServiceAccount itself, or a binding naming it? For any account but
        `default`, one in another namespace counts (a namespace mismatch is
        worth reporting); every namespace has its own `default`, so for it
        only objects of the workflow's namespace (or of none) count."""
        key = (account, home)
        found = self._covers.get(key)
        if found is None:
            found = self._covers[key] = self._cover(account, home)
        return found

    def _cover(self, account: str, home: Optional[str]) -> bool:
        if account == "default":
            # A manifest without a namespace may be applied anywhere, but a
            # workflow without one is not thereby about every namespace's `default`.
            def here(namespace):
                return namespace is None or namespace == home
        else:
            def here(namespace):
                return True
        for entry in self.accounts:
            if entry.name == account and here(entry.namespace):
                return True
        for binding in self.bindings:
            if any(here(namespace) for namespace in binding.names_account(account)):
                return True
        return False

    def applicable(self, account: str, home: Optional[str], target: Optional[str],
                   cluster: bool = False) -> List[Binding]:
        """Bindings that give the account permissions for a request in namespace
        ``target`` (None: not written down), or cluster-wide."""
        key = (account, home, target, cluster)
        found = self._applicable.get(key)
        if found is None:
            found = self._applicable[key] = self._find_applicable(account, home, target, cluster)
        return list(found)

    def _find_applicable(self, account: str, home: Optional[str], target: Optional[str],
                         cluster: bool) -> List[Binding]:
        found = []
        for binding in self.bindings:
            if not binding.binds(account, home):
                continue
            if binding.cluster or (not cluster and ns_match(binding.namespace, target)):
                found.append(binding)
        return found

    def elsewhere(self, account: str, home: Optional[str]) -> List[str]:
        """Where else the project binds or defines this account: `RoleBinding `x` in namespace `y``."""
        found = []
        for binding in self.bindings:
            for namespace in binding.names_account(account):
                if not ns_match(namespace, home):
                    found.append(f"{binding.kind} `{binding.name}` binds `{namespace}/{account}`")
        for entry in self.accounts:
            if entry.name == account and not ns_match(entry.namespace, home):
                found.append(f"ServiceAccount `{account}` is in namespace `{entry.namespace}`")
        return sorted(set(found))

    # -- roles ---------------------------------------------------------------

    def role_rules(self, binding: Binding) -> RoleRules:
        """The rules the role a binding names grants (the result is shared: do not change it)."""
        found = self._role_rules.get(id(binding))
        if found is not None and found[0] is binding:
            return found[1]
        rules = self._find_role_rules(binding)
        self._role_rules[id(binding)] = (binding, rules)
        return rules

    def _find_role_rules(self, binding: Binding) -> RoleRules:
        name = binding.role_name
        if binding.role_kind == "Role":
            if binding.cluster:
                return RoleRules([], True, found=True)  # invalid: a ClusterRoleBinding cannot name a Role
            found = [e for e in self.roles if e.name == name and ns_match(e.namespace, binding.namespace)]
            if not found:
                return RoleRules([], False, found=False)
            return RoleRules([r for e in found for r in as_list(as_dict(e.data).get("rules"))], True)
        if binding.role_kind == "ClusterRole":
            return self.cluster_role_rules(name)
        return RoleRules([], False, found=False)

    def cluster_role_rules(self, name: Optional[str]) -> RoleRules:
        found = [e for e in self.cluster_roles if e.name == name]
        if not found:
            builtin = BUILTIN_CLUSTER_ROLES.get(name or "")
            if builtin is None:
                return RoleRules([], False, found=False)
            rules, complete, labels = builtin
            rules = list(rules)
            for entry in self.cluster_roles:
                entry_labels = as_dict(as_dict(as_dict(entry.data).get("metadata")).get("labels"))
                if any(_label_value(entry_labels.get(_AGGREGATE + label)) == "true" for label in labels):
                    rules.extend(as_list(as_dict(entry.data).get("rules")))
            return RoleRules(rules, complete)
        rules: List[Dict] = []
        complete = True
        for entry in found:
            data = as_dict(entry.data)
            rules.extend(as_list(data.get("rules")))
            aggregation = data.get("aggregationRule")
            if aggregation is None:
                continue
            complete = False  # the cluster may hold more ClusterRoles with these labels
            selectors = [as_dict(s) for s in as_list(as_dict(aggregation).get("clusterRoleSelectors"))]
            for other in self.cluster_roles:
                if other is entry:
                    continue
                labels = as_dict(as_dict(as_dict(other.data).get("metadata")).get("labels"))
                if any(selector_matches(s, labels) for s in selectors):
                    rules.extend(as_list(as_dict(other.data).get("rules")))
        return RoleRules(rules, complete)

    # -- decisions -------------------------------------------------------------

    def decide(self, account: str, home: Optional[str], verb: str, group: str, resource: str,
               name: Any = None, target: Optional[str] = None, cluster: bool = False) -> Decision:
        """May ``account`` (of namespace ``home``) do ``verb`` on ``resource`` of
        ``group``, named ``name`` (None: no name, as for create and list;
        SOME_NAME: known at run time), in namespace ``target`` (default: ``home``)
        or cluster-wide?"""
        if target is None and not cluster:
            target = home
        key = (account, home, verb, group, resource, name, target, cluster)
        try:
            known = self._decisions.get(key)
        except TypeError:          # an unhashable name: just decide
            key, known = None, None
        if known is None:
            known = self._decide(account, home, verb, group, resource, name, target, cluster)
            if key is not None:
                self._decisions[key] = known
        return Decision(known.allowed, known.granted_by, list(known.bound))

    def _decide(self, account: str, home: Optional[str], verb: str, group: str, resource: str,
                name: Any, target: Optional[str], cluster: bool) -> Decision:
        bindings = self.applicable(account, home, target, cluster)
        decision = Decision(DENIED, bound=[b.describe() for b in bindings])
        maybe = False
        for binding in bindings:
            rules = self.role_rules(binding)
            for rule in rules.rules:
                allowed = rule_allows(rule, verb, group, resource, name)
                if allowed is GRANTED:
                    decision.allowed = GRANTED
                    decision.granted_by = binding.describe()
                    return decision
                if allowed is UNKNOWN:
                    maybe = True
            if not rules.complete:
                maybe = True
        if maybe:
            decision.allowed = UNKNOWN
        return decision

    def missing(self, account: str, home: Optional[str], verbs: Iterable[str], group: str, resource: str,
                names: Tuple[str, ...] = (), target: Optional[str] = None, cluster: bool = False,
                named: Iterable[str] = ()) -> List[str]:
        """The verbs of ``verbs`` that are surely denied. Verbs in ``named``
        act on one object: each name of ``names`` (or an unknown one) is asked for."""
        named = set(named)
        denied = []
        for verb in verbs:
            if verb in named:
                asks = list(names) or [SOME_NAME]
            else:
                asks = [None]
            for name in asks:
                if self.decide(account, home, verb, group, resource, name, target, cluster).allowed is DENIED:
                    denied.append(verb)
                    break
        return denied

    # -- token Secrets -----------------------------------------------------------

    def token_missing(self, account: str, home: Optional[str]) -> Optional[bool]:
        """For an executor or agent account: True when its ServiceAccount is in
        the project and nothing gives it the long-lived token Argo mounts (its
        `secrets`, the token-name annotation, or a Secret `<sa>.service-account-token`);
        None when its ServiceAccount is not in the project."""
        found = [e for e in self.accounts if e.name == account and ns_match(e.namespace, home)]
        if not found:
            return None
        for entry in found:
            data = as_dict(entry.data)
            annotations = as_dict(as_dict(data.get("metadata")).get("annotations"))
            if as_list(data.get("secrets")) or as_str(annotations.get(TOKEN_ANNOTATION)):
                return False
        wanted = f"{account}.service-account-token"
        return not any(e.name == wanted and ns_match(e.namespace, home) for e in self.secrets)
