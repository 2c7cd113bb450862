"""Kubernetes kinds: API group, resource plural and scope, and the two plural guesses.

Keyed by (group, kind), never by kind alone: `EventBus` is `eventbus` in
`argoproj.io` but `eventbuses` in `eventbridge.services.k8s.aws`. The group is
the part of `apiVersion` before `/`; a bare version (`v1`) is the core group `""`.

Two guesses matter when a kind is not in the table:

* ``guess_plural`` is kubectl's fallback (apimachinery
  ``UnsafeGuessKindToResource``), the best offline answer for RBAC rules;
* ``selflink_plural`` is the naive English plural (gengo's lowercase plural
  namer) Argo's executor uses to build the URL it polls for
  `successCondition` / `failureCondition`. Where it differs from the real
  plural, that polling gets a 404 whatever RBAC allows.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple

from ..slots import FrozenRecord


class KindInfo(FrozenRecord):
    """A resource kind: its API group, plural name and scope."""

    __slots__ = ("group", "kind", "plural", "namespaced", "builtin")

    group: str        # "" for the core group
    kind: str
    plural: str       # the resource name in URLs and RBAC rules
    namespaced: bool
    builtin: bool     # served by Kubernetes itself rather than by a CustomResourceDefinition

    def __init__(self, group, kind, plural, namespaced, builtin):
        self.group = group
        self.kind = kind
        self.plural = plural
        self.namespaced = namespaced
        self.builtin = builtin

    @property
    def cluster_scoped(self) -> bool:
        return not self.namespaced


# API groups served by the Kubernetes API server itself. Other groups, even
# `*.k8s.io` ones like `gateway.networking.k8s.io` or `snapshot.storage.k8s.io`,
# are CustomResourceDefinitions.
BUILTIN_GROUPS = frozenset({
    "", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "discovery.k8s.io",
    "coordination.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io", "scheduling.k8s.io",
    "apiextensions.k8s.io", "admissionregistration.k8s.io", "certificates.k8s.io", "node.k8s.io",
    "events.k8s.io", "flowcontrol.apiserver.k8s.io", "authentication.k8s.io", "authorization.k8s.io",
    "apiregistration.k8s.io", "resource.k8s.io", "internal.apiserver.k8s.io", "storagemigration.k8s.io",
})

_N, _C = True, False

# group -> {kind: (plural, namespaced)}
_TABLE: Dict[str, Dict[str, Tuple[str, bool]]] = {
    "": {
        "Pod": ("pods", _N), "Service": ("services", _N), "ConfigMap": ("configmaps", _N),
        "Secret": ("secrets", _N), "ServiceAccount": ("serviceaccounts", _N),
        "PersistentVolumeClaim": ("persistentvolumeclaims", _N), "Endpoints": ("endpoints", _N),
        "Event": ("events", _N), "LimitRange": ("limitranges", _N), "ResourceQuota": ("resourcequotas", _N),
        "ReplicationController": ("replicationcontrollers", _N), "PodTemplate": ("podtemplates", _N),
        "Binding": ("bindings", _N),
        "Namespace": ("namespaces", _C), "Node": ("nodes", _C), "PersistentVolume": ("persistentvolumes", _C),
    },
    "apps": {
        "Deployment": ("deployments", _N), "StatefulSet": ("statefulsets", _N), "DaemonSet": ("daemonsets", _N),
        "ReplicaSet": ("replicasets", _N), "ControllerRevision": ("controllerrevisions", _N),
    },
    "batch": {"Job": ("jobs", _N), "CronJob": ("cronjobs", _N)},
    "autoscaling": {"HorizontalPodAutoscaler": ("horizontalpodautoscalers", _N)},
    "policy": {"PodDisruptionBudget": ("poddisruptionbudgets", _N)},
    "networking.k8s.io": {
        "Ingress": ("ingresses", _N), "NetworkPolicy": ("networkpolicies", _N),
        "IngressClass": ("ingressclasses", _C),
    },
    "discovery.k8s.io": {"EndpointSlice": ("endpointslices", _N)},
    "coordination.k8s.io": {"Lease": ("leases", _N)},
    "events.k8s.io": {"Event": ("events", _N)},
    "rbac.authorization.k8s.io": {
        "Role": ("roles", _N), "RoleBinding": ("rolebindings", _N),
        "ClusterRole": ("clusterroles", _C), "ClusterRoleBinding": ("clusterrolebindings", _C),
    },
    "storage.k8s.io": {
        "StorageClass": ("storageclasses", _C), "VolumeAttachment": ("volumeattachments", _C),
        "CSIDriver": ("csidrivers", _C), "CSINode": ("csinodes", _C),
        "CSIStorageCapacity": ("csistoragecapacities", _N),
    },
    "scheduling.k8s.io": {"PriorityClass": ("priorityclasses", _C)},
    "node.k8s.io": {"RuntimeClass": ("runtimeclasses", _C)},
    "certificates.k8s.io": {"CertificateSigningRequest": ("certificatesigningrequests", _C)},
    "apiextensions.k8s.io": {"CustomResourceDefinition": ("customresourcedefinitions", _C)},
    "apiregistration.k8s.io": {"APIService": ("apiservices", _C)},
    "admissionregistration.k8s.io": {
        "ValidatingWebhookConfiguration": ("validatingwebhookconfigurations", _C),
        "MutatingWebhookConfiguration": ("mutatingwebhookconfigurations", _C),
        "ValidatingAdmissionPolicy": ("validatingadmissionpolicies", _C),
        "ValidatingAdmissionPolicyBinding": ("validatingadmissionpolicybindings", _C),
    },
    # Custom resources people drive from workflows.
    "argoproj.io": {
        # Argo Workflows
        "Workflow": ("workflows", _N), "WorkflowTemplate": ("workflowtemplates", _N),
        "CronWorkflow": ("cronworkflows", _N), "WorkflowEventBinding": ("workfloweventbindings", _N),
        "WorkflowTaskResult": ("workflowtaskresults", _N), "WorkflowTaskSet": ("workflowtasksets", _N),
        "WorkflowArtifactGCTask": ("workflowartifactgctasks", _N),
        "ClusterWorkflowTemplate": ("clusterworkflowtemplates", _C),
        # Argo CD
        "Application": ("applications", _N), "AppProject": ("appprojects", _N),
        "ApplicationSet": ("applicationsets", _N),
        # Argo Rollouts
        "Rollout": ("rollouts", _N), "AnalysisRun": ("analysisruns", _N),
        "AnalysisTemplate": ("analysistemplates", _N), "Experiment": ("experiments", _N),
        "ClusterAnalysisTemplate": ("clusteranalysistemplates", _C),
        # Argo Events
        "Sensor": ("sensors", _N), "EventSource": ("eventsources", _N), "EventBus": ("eventbus", _N),
    },
    "gateway.networking.k8s.io": {
        "Gateway": ("gateways", _N), "HTTPRoute": ("httproutes", _N), "GatewayClass": ("gatewayclasses", _C),
    },
    # Chaos Mesh: the plural of every *Chaos kind is the kind in lower case.
    "chaos-mesh.org": {
        **{kind: (kind.lower(), _N) for kind in (
            "AWSChaos", "AzureChaos", "BlockChaos", "DNSChaos", "GCPChaos", "HTTPChaos", "IOChaos",
            "JVMChaos", "KernelChaos", "NetworkChaos", "PhysicalMachineChaos", "PodChaos", "PodHttpChaos",
            "PodIOChaos", "PodNetworkChaos", "StressChaos", "TimeChaos")},
        "Schedule": ("schedules", _N), "Workflow": ("workflows", _N), "WorkflowNode": ("workflownodes", _N),
        "StatusCheck": ("statuschecks", _N),
    },
}


def group_of(api_version) -> Optional[str]:
    """The API group of an `apiVersion`: `apps/v1` -> `apps`, `v1` -> `""`; None if not a string."""
    if not isinstance(api_version, str) or not api_version:
        return None
    return api_version.rsplit("/", 1)[0] if "/" in api_version else ""


def lookup(api_version, kind) -> Optional[KindInfo]:
    """What the table knows about ``kind`` in the group of ``api_version``, or None."""
    group = group_of(api_version)
    if group is None or not isinstance(kind, str):
        return None
    found = _TABLE.get(group, {}).get(kind)
    if found is None:
        return None
    plural, namespaced = found
    return KindInfo(group=group, kind=kind, plural=plural, namespaced=namespaced,
                    builtin=group in BUILTIN_GROUPS)


def is_builtin(api_version, kind) -> bool:
    """Whether the Kubernetes API server serves this kind itself (not a CRD).
    Decided by the group: any kind of a built-in group counts, listed or not."""
    group = group_of(api_version)
    return group is not None and group in BUILTIN_GROUPS


def guess_plural(kind: str) -> str:
    """kubectl's fallback plural for a kind it cannot discover: lower case;
    names ending in `endpoints` unchanged; `s` -> `+es`; `y` -> `ies`; else `+s`."""
    singular = kind.lower()
    if not singular:
        return singular
    if singular.endswith("endpoints"):
        return singular
    if singular.endswith("s"):
        return singular + "es"
    if singular.endswith("y"):
        return singular[:-1] + "ies"
    return singular + "s"


_CONSONANTS = frozenset("bcdfghjklmnpqrstvwxyz")


def selflink_plural(kind: str) -> str:
    """The plural Argo's executor builds the condition-polling URL with: gengo's
    lowercase plural namer without exceptions (s/x/z -> +es; consonant+y -> ies,
    else y -> ys; ch/sh -> +es; fe/f -> ves; else +s), tested on the kind as written."""
    if len(kind) < 2:
        return kind.lower()
    last, before = kind[-1], kind[-2]
    if last in "sxz":
        plural = kind + "es"
    elif last == "y":
        plural = kind[:-1] + "ies" if before in _CONSONANTS else kind + "s"
    elif last == "h":
        plural = kind + "es" if before in "cs" else kind + "s"
    elif last == "e":
        plural = kind[:-2] + "ves" if before == "f" else kind + "s"
    elif last == "f":
        plural = kind[:-1] + "ves"
    else:
        plural = kind + "s"
    return plural.lower()


def plural(api_version, kind: str) -> Tuple[str, bool]:
    """(plural, known): the table's plural, or kubectl's guess with known=False."""
    info = lookup(api_version, kind)
    if info is not None:
        return info.plural, True
    return guess_plural(kind), False
