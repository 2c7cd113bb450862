"""The kind table and the two plural guesses."""

from wflint.k8s import kinds


def test_lookup_by_group_and_kind():
    pod = kinds.lookup("v1", "Pod")
    assert (pod.group, pod.plural, pod.namespaced, pod.builtin) == ("", "pods", True, True)
    job = kinds.lookup("batch/v1", "Job")
    assert (job.group, job.plural, job.namespaced) == ("batch", "jobs", True)
    assert kinds.lookup("v1", "Namespace").cluster_scoped
    assert kinds.lookup("rbac.authorization.k8s.io/v1", "ClusterRole").cluster_scoped
    assert kinds.lookup("argoproj.io/v1alpha1", "ClusterWorkflowTemplate").cluster_scoped
    # the version does not matter, the group does
    assert kinds.lookup("apps/v1beta2", "Deployment").plural == "deployments"
    assert kinds.lookup("v1", "Deployment") is None
    assert kinds.lookup("example.com/v1", "Widget") is None
    assert kinds.lookup(None, "Pod") is None and kinds.lookup("v1", None) is None


def test_same_kind_in_different_groups():
    assert kinds.lookup("argoproj.io/v1alpha1", "EventBus").plural == "eventbus"
    assert kinds.lookup("eventbridge.services.k8s.aws/v1alpha1", "EventBus") is None
    assert kinds.lookup("argoproj.io/v1alpha1", "Workflow").plural == "workflows"
    assert kinds.lookup("chaos-mesh.org/v1alpha1", "Workflow").plural == "workflows"
    assert kinds.lookup("chaos-mesh.org/v1alpha1", "NetworkChaos").plural == "networkchaos"


def test_group_of():
    assert kinds.group_of("v1") == ""
    assert kinds.group_of("apps/v1") == "apps"
    assert kinds.group_of("gateway.networking.k8s.io/v1") == "gateway.networking.k8s.io"
    assert kinds.group_of("") is None and kinds.group_of(3) is None


def test_builtin_is_decided_by_the_group():
    assert kinds.is_builtin("v1", "ConfigMap")
    assert kinds.is_builtin("apps/v1", "Deployment")
    assert kinds.is_builtin("v1", "SomethingNew")  # a core kind the table does not list
    assert not kinds.is_builtin("argoproj.io/v1alpha1", "Rollout")
    assert not kinds.is_builtin("gateway.networking.k8s.io/v1", "HTTPRoute")  # a CRD in a k8s.io group
    assert not kinds.lookup("gateway.networking.k8s.io/v1", "Gateway").builtin
    assert not kinds.is_builtin(None, "Pod")


def test_kubectl_guess():
    assert kinds.guess_plural("Widget") == "widgets"
    assert kinds.guess_plural("Ingress") == "ingresses"
    assert kinds.guess_plural("Policy") == "policies"
    assert kinds.guess_plural("Gateway") == "gatewaies"  # kubectl's guess ignores vowels
    assert kinds.guess_plural("Endpoints") == "endpoints"
    assert kinds.guess_plural("MyEndpoints") == "myendpoints"
    assert kinds.plural("v1", "Service") == ("services", True)
    assert kinds.plural("example.com/v1", "Widget") == ("widgets", False)


def test_selflink_guess():
    assert kinds.selflink_plural("Pod") == "pods"
    assert kinds.selflink_plural("Ingress") == "ingresses"
    assert kinds.selflink_plural("Box") == "boxes"
    assert kinds.selflink_plural("NetworkPolicy") == "networkpolicies"
    assert kinds.selflink_plural("Gateway") == "gateways"
    assert kinds.selflink_plural("Batch") == "batches"
    assert kinds.selflink_plural("Graph") == "graphs"
    assert kinds.selflink_plural("Knife") == "knives"
    assert kinds.selflink_plural("Leaf") == "leaves"
    assert kinds.selflink_plural("X") == "x"
    # where the naive plural is wrong
    assert kinds.selflink_plural("Endpoints") == "endpointses"
    assert kinds.selflink_plural("EventBus") == "eventbuses"
    assert kinds.selflink_plural("NetworkChaos") == "networkchaoses"


def test_table_plurals_differ_from_the_naive_guess_only_where_expected():
    odd = {(group, kind) for group, table in kinds._TABLE.items() for kind, (plural, _) in table.items()
           if kinds.selflink_plural(kind) != plural}
    assert ("", "Endpoints") in odd and ("argoproj.io", "EventBus") in odd
    assert ("chaos-mesh.org", "NetworkChaos") in odd
    assert ("", "Pod") not in odd and ("networking.k8s.io", "Ingress") not in odd
    assert all(group in ("", "argoproj.io", "chaos-mesh.org") for group, _ in odd)
