"""wflint.k8s.rbac: Kubernetes' RBAC authorizer, emulated over the project's RBAC objects."""

import pytest

from test_permissions import project
from wflint.k8s.rbac import DENIED, GRANTED, SOME_NAME, UNKNOWN, Authorizer, rule_allows, selector_matches


def authorizer(*docs):
    return Authorizer(project("---\n".join(docs)))


def role(name="r", namespace="ci", rules="[{apiGroups: [''], resources: [configmaps], verbs: [get]}]",
         kind="Role"):
    ns = f"\n  namespace: {namespace}" if namespace and kind == "Role" else ""
    return f"apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata:\n  name: {name}{ns}\nrules: {rules}\n"


def binding(role_name="r", namespace="ci", subjects="[{kind: ServiceAccount, name: sa}]", role_kind="Role",
            kind="RoleBinding", name="b"):
    ns = f"\n  namespace: {namespace}" if namespace and kind == "RoleBinding" else ""
    return (f"apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata:\n  name: {name}{ns}\n"
            f"roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {role_kind}, name: {role_name}}}\n"
            f"subjects: {subjects}\n")


def allowed(auth, verb="get", group="", resource="configmaps", name=None, account="sa", home="ci", target=None,
            cluster=False):
    return auth.decide(account, home, verb, group, resource, name, target, cluster).allowed


# -- one rule ---------------------------------------------------------------------------------

@pytest.mark.parametrize("rule,request_,expected", [
    ({"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}, ("get", "", "pods"), GRANTED),
    ({"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}, ("list", "", "pods"), DENIED),
    ({"apiGroups": ["apps"], "resources": ["pods"], "verbs": ["get"]}, ("get", "", "pods"), DENIED),
    ({"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, ("delete", "batch", "jobs"), GRANTED),
    ({"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, ("patch", "x.io", "things/status"), GRANTED),
    ({"apiGroups": ["argoproj.io"], "resources": ["*/status"], "verbs": ["patch"]},
     ("patch", "argoproj.io", "workflowtasksets/status"), GRANTED),
    ({"apiGroups": ["argoproj.io"], "resources": ["*/status"], "verbs": ["patch"]},
     ("patch", "argoproj.io", "workflowtasksets"), DENIED),
    ({"apiGroups": ["argoproj.io"], "resources": ["workflowtasksets"], "verbs": ["patch"]},
     ("patch", "argoproj.io", "workflowtasksets/status"), DENIED),
])
def test_rule_match(rule, request_, expected):
    assert rule_allows(rule, *request_) is expected


def test_resource_names():
    rule = {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["*"], "resourceNames": ["a"]}
    assert rule_allows(rule, "get", "", "configmaps", "a") is GRANTED
    assert rule_allows(rule, "get", "", "configmaps", "b") is DENIED
    assert rule_allows(rule, "create", "", "configmaps", None) is DENIED     # create carries no name
    assert rule_allows(rule, "get", "", "configmaps", SOME_NAME) is UNKNOWN  # known at run time only


def test_malformed_rules_grant_nothing():
    assert rule_allows({"apiGroups": "*", "resources": ["*"], "verbs": ["*"]}, "get", "", "pods") is DENIED
    assert rule_allows("not a rule", "get", "", "pods") is DENIED


# -- bindings and subjects -------------------------------------------------------------------------

def test_role_binding_subject_namespace_defaults_to_the_binding():
    auth = authorizer(role(), binding())
    assert allowed(auth) is GRANTED
    assert allowed(auth, home="other") is DENIED
    # a RoleBinding grants only in its own namespace
    assert allowed(auth, target="prod") is DENIED


def test_subject_as_user_or_group():
    users = binding(subjects="[{kind: User, name: 'system:serviceaccount:ci:sa'}]")
    assert allowed(authorizer(role(), users)) is GRANTED
    assert allowed(authorizer(role(), users), account="other") is DENIED
    group = binding(subjects="[{kind: Group, name: 'system:serviceaccounts:ci'}]")
    assert allowed(authorizer(role(), group), account="anyone") is GRANTED
    assert allowed(authorizer(role(), group), home="elsewhere", target="ci") is DENIED
    everyone = binding(subjects="[{kind: Group, name: 'system:authenticated'}]")
    assert allowed(authorizer(role(), everyone), account="anyone") is GRANTED


def test_role_must_live_in_the_binding_namespace():
    auth = authorizer(role(namespace="other"), binding())
    assert allowed(auth) is UNKNOWN   # Role `r` is not in `ci`: not in the project, cannot tell


def test_cluster_role_bound_by_a_role_binding_grants_in_that_namespace_only():
    cluster_role = role(kind="ClusterRole", rules="[{apiGroups: [''], resources: [configmaps, namespaces], "
                                                  "verbs: [get, create]}]")
    auth = authorizer(cluster_role, binding(role_kind="ClusterRole"))
    assert allowed(auth) is GRANTED
    assert allowed(auth, target="prod") is DENIED
    assert allowed(auth, "create", resource="namespaces", cluster=True) is DENIED
    crb = binding(role_kind="ClusterRole", kind="ClusterRoleBinding",
                  subjects="[{kind: ServiceAccount, name: sa, namespace: ci}]")
    auth = authorizer(cluster_role, crb)
    assert allowed(auth, target="prod") is GRANTED
    assert allowed(auth, "create", resource="namespaces", cluster=True) is GRANTED
    # a ClusterRoleBinding's ServiceAccount subject needs a namespace
    auth = authorizer(cluster_role, binding(role_kind="ClusterRole", kind="ClusterRoleBinding"))
    assert allowed(auth) is DENIED


def test_manifests_without_a_namespace_match_any():
    auth = authorizer(role(namespace=None), binding(namespace=None))
    assert allowed(auth) is GRANTED
    assert allowed(auth, home=None) is GRANTED
    assert allowed(authorizer(role(), binding()), home=None, target=None) is GRANTED


# -- roles -----------------------------------------------------------------------------------------------

def test_aggregated_cluster_roles():
    aggregate = ("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: agg}\n"
                 "aggregationRule:\n  clusterRoleSelectors:\n    - matchLabels: {team: data}\n"
                 "    - matchExpressions: [{key: tier, operator: In, values: [gold]}]\nrules: []\n")
    by_label = ("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
                "metadata: {name: a, labels: {team: data}}\n"
                "rules: [{apiGroups: [''], resources: [configmaps], verbs: [get]}]\n")
    by_expression = ("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
                     "metadata: {name: b, labels: {tier: gold}}\n"
                     "rules: [{apiGroups: [batch], resources: [jobs], verbs: [create]}]\n")
    auth = authorizer(aggregate, by_label, by_expression, binding("agg", role_kind="ClusterRole"))
    assert allowed(auth) is GRANTED
    assert allowed(auth, "create", "batch", "jobs") is GRANTED
    # not found in the project: the cluster may hold more labelled ClusterRoles
    assert allowed(auth, "delete") is UNKNOWN


def test_selector_matches():
    assert selector_matches({}, {"a": "b"})
    assert selector_matches({"matchLabels": {"x": "true"}}, {"x": True})
    assert not selector_matches({"matchLabels": {"x": "1"}}, {})
    assert selector_matches({"matchExpressions": [{"key": "x", "operator": "NotIn", "values": ["a"]}]}, {})
    assert selector_matches({"matchExpressions": [{"key": "x", "operator": "Exists"}]}, {"x": ""})
    assert not selector_matches({"matchExpressions": [{"key": "x", "operator": "DoesNotExist"}]}, {"x": ""})


def test_built_in_cluster_roles():
    def bound_to(name):
        return authorizer(binding(name, role_kind="ClusterRole"))

    assert allowed(bound_to("cluster-admin"), "delete", "x.io", "anything") is GRANTED
    assert allowed(bound_to("edit"), "create", "batch", "jobs") is GRANTED
    assert allowed(bound_to("view"), "get", "apps", "deployments") is GRANTED
    # never a denial: the cluster's edit may hold Argo's aggregated rules
    assert allowed(bound_to("view"), "create", "batch", "jobs") is UNKNOWN
    assert allowed(bound_to("edit"), "create", "argoproj.io", "workflowtaskresults") is UNKNOWN
    # the project's ClusterRoles labelled to aggregate into edit count
    label = ("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: argo-edit\n"
             "  labels: {rbac.authorization.k8s.io/aggregate-to-edit: 'true'}\n"
             "rules: [{apiGroups: [argoproj.io], resources: [workflowtaskresults], verbs: [create, patch]}]\n")
    auth = authorizer(label, binding("admin", role_kind="ClusterRole"))
    assert allowed(auth, "create", "argoproj.io", "workflowtaskresults") is GRANTED
    # a role nowhere to be found
    assert allowed(authorizer(binding("missing")), "get") is UNKNOWN


# -- what the rule asks -------------------------------------------------------------------------------------

def test_missing_verbs_by_name():
    rules = "[{apiGroups: [''], resources: [configmaps], verbs: [get, delete], resourceNames: [a]}]"
    auth = authorizer(role(rules=rules), binding())
    named = {"get", "update", "patch", "delete"}
    assert auth.missing("sa", "ci", ("get", "delete"), "", "configmaps", ("a",), named=named) == []
    assert auth.missing("sa", "ci", ("get", "create"), "", "configmaps", ("b",), named=named) == ["get", "create"]
    # a name known only at run time against a rule with resourceNames: cannot tell
    assert auth.missing("sa", "ci", ("get",), "", "configmaps", (), named=named) == []


def test_covers_and_elsewhere():
    sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: builder, namespace: build}\n"
    auth = authorizer(sa, binding(namespace="build", subjects="[{kind: ServiceAccount, name: builder}]"))
    assert auth.covers("builder", "ci")          # in another namespace: worth a warning
    assert not auth.covers("other", "ci")
    assert auth.elsewhere("builder", "ci") == ["RoleBinding `b` binds `build/builder`",
                                               "ServiceAccount `builder` is in namespace `build`"]
    assert auth.elsewhere("builder", "build") == []
    # every namespace has its own `default`
    auth = authorizer(binding(namespace="argo", subjects="[{kind: ServiceAccount, name: default}]"))
    assert auth.covers("default", "argo")
    assert not auth.covers("default", "ci") and not auth.covers("default", None)
    auth = authorizer(binding(namespace=None, subjects="[{kind: ServiceAccount, name: default}]"))
    assert auth.covers("default", "ci") and auth.covers("default", None)


def test_token_secret():
    sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ex, namespace: ci}\n"
    assert authorizer(sa).token_missing("ex", "ci") is True
    assert authorizer().token_missing("ex", "ci") is None
    assert authorizer(sa + "secrets: [{name: t}]\n").token_missing("ex", "ci") is False
    annotated = sa.replace("namespace: ci}", "namespace: ci, annotations: "
                                             "{workflows.argoproj.io/service-account-token.name: t}}")
    assert authorizer(annotated).token_missing("ex", "ci") is False
    secret = ("apiVersion: v1\nkind: Secret\nmetadata: {name: ex.service-account-token, namespace: ci}\n"
              "type: kubernetes.io/service-account-token\n")
    assert authorizer(sa, secret).token_missing("ex", "ci") is False
