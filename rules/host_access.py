"""Pods do not share the node's network, process or IPC namespaces, nor mount
its files with `hostPath` volumes."""

from wflint.finding import finding
from wflint.argo.model import as_dict, as_list, as_str

ID = "host-access"
SEVERITY = "warning"
GROUP = "security"
ENABLED = False
CWE = ("CWE-668",)
SECURITY_SEVERITY = 8.1
SUMMARY = ("Pods do not use the node's network, process or IPC namespaces or its ports, nor mount its files "
           "(`hostPath`).")

NAMESPACES = {
    "hostNetwork": ("the node's network", "reach services listening on the node's localhost (the kubelet, "
                                          "cloud metadata endpoints) and see the node's traffic",
                    "remove it; reach what the pod needs through a Service"),
    "hostPID": ("the node's process namespace", "see and signal every process of the node and read their "
                                                "environments and memory (other pods' secrets)",
                "remove it; a pod that must watch node processes belongs in a hardened DaemonSet, not a "
                "workflow"),
    "hostIPC": ("the node's IPC namespace", "read and write the shared memory of every process of the node",
                "remove it"),
}

_POD_KEYS = frozenset(NAMESPACES) | {"volumes"}


def check(document, context):
    from wflint.argo import pods   # only when the (opt-in) rule runs
    sites = pods.sites(document)
    for site in sites:
        if site.kind != pods.CONTAINER or "ports" not in site.data:
            continue
        for i, port in enumerate(as_list(site.data.get("ports"))):
            host = as_dict(port).get("hostPort")
            if isinstance(host, int) and not isinstance(host, bool) and host > 0:
                path, span = site.at("ports", i, "hostPort")
                yield finding(path, f"{site.label} binds port {host} of the node (`hostPort`): it listens on the "
                                    "node's own address, outside the pod network's policies, and only one such pod "
                                    "fits on a node", span=span,
                              hint="remove `hostPort`; reach the pod through a Service")
    for site in sites:
        data = site.data
        if site.kind != pods.POD or _POD_KEYS.isdisjoint(data):
            continue   # none of the fields checked below (most templates)
        for key, (what, gain, hint) in NAMESPACES.items():
            if data.get(key) is True:
                path, span = site.at(key)
                yield finding(path, f"{site.label} sets `{key}: true`: its pods share {what}, so code that runs "
                                    f"in them can {gain}", span=span, hint=hint)
        for i, volume in enumerate(as_list(data.get("volumes"))):
            host = as_dict(volume).get("hostPath")
            if host is None:
                continue
            name = as_str(as_dict(volume).get("name"))
            shown = as_str(as_dict(host).get("path"))
            path, span = site.at("volumes", i, "hostPath")
            what = f"`{shown}` of the node" if shown else "a directory of the node"
            yield finding(path, f"volume{f' `{name}`' if name else ''} of {site.label} mounts {what} "
                                "(`hostPath`): code in the pod can read or change the node's files, and "
                                "through a socket or a system directory take over the node",
                          span=span, hint="use an `emptyDir`, a PersistentVolumeClaim, a ConfigMap or Secret "
                                          "volume, or pass files as artifacts")
