"""Containers do not run privileged, allow privilege escalation or add Linux
capabilities beyond the Pod Security Standards' baseline."""

from wflint.finding import finding
from wflint.argo.model import as_dict, as_list

ID = "privileged-container"
SEVERITY = "warning"
GROUP = "security"
ENABLED = False
CWE = ("CWE-250",)
SECURITY_SEVERITY = 8.8
SUMMARY = ("Containers do not run privileged, allow privilege escalation, add capabilities or lift the seccomp "
           "and /proc protections the Pod Security Standards' baseline requires.")

# What the Pod Security Standards' baseline profile lets a container add.
BASELINE_CAPABILITIES = frozenset({"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                                   "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"})
GAINS = {
    "ALL": "every capability, as good as `privileged: true`",
    "SYS_ADMIN": "mounts, namespaces and most of root's powers over the kernel: a well-known way out of the "
                 "container onto the node",
    "NET_ADMIN": "control of the pod's network: rewrite routes and firewall rules, intercept and redirect traffic",
    "NET_RAW": "raw sockets: forge and sniff packets on the pod network",
    "SYS_PTRACE": "reading and changing the memory of other processes in the pod",
    "SYS_MODULE": "loading kernel modules, that is, the node itself",
    "DAC_READ_SEARCH": "reading any file the kernel can reach, bypassing permissions (a known container escape)",
    "BPF": "loading eBPF programs into the node's kernel",
    "SYS_RAWIO": "raw access to the node's devices and memory",
}


def _unconfined(site):
    security = as_dict(site.data.get("securityContext"))
    if as_dict(security.get("seccompProfile")).get("type") == "Unconfined":
        path, span = site.at("securityContext", "seccompProfile", "type")
        yield finding(path, f"{site.label} sets `seccompProfile: Unconfined`: its processes may make any system "
                            "call, so code that runs there can reach the whole attack surface of the node's kernel",
                      span=span, hint="remove it, or use `type: RuntimeDefault` (the Pod Security Standards' "
                                      "restricted profile requires RuntimeDefault or Localhost)")


def check(document, context):
    from wflint.argo import pods   # only when the (opt-in) rule runs
    sites = pods.sites(document)
    # Every check reads a `securityContext`, which most sites do not have.
    for site in sites:
        if site.kind == pods.POD and "securityContext" in site.data:
            yield from _unconfined(site)
    for site in sites:
        if site.kind != pods.CONTAINER or "securityContext" not in site.data:
            continue
        yield from _unconfined(site)
        security = as_dict(site.data.get("securityContext"))
        if security.get("procMount") == "Unmasked":
            path, span = site.at("securityContext", "procMount")
            yield finding(path, f"{site.label} sets `procMount: Unmasked`: the node's /proc is not masked, so code "
                                "that runs there reads and writes kernel settings other containers cannot",
                          span=span, hint="remove it (the default mask is what the Pod Security Standards' "
                                          "baseline requires)")
        if security.get("privileged") is True:
            path, span = site.at("securityContext", "privileged")
            yield finding(path, f"{site.label} runs privileged (`privileged: true`): it sees every device of the "
                                "node and holds every capability, so whoever gets code to run in it (a poisoned "
                                "image, an injected parameter) controls the node",
                          span=span, hint="remove `privileged: true`; add the one capability the program needs "
                                          "instead, and for image builds use a rootless builder (BuildKit "
                                          "rootless, kaniko)")
        if security.get("allowPrivilegeEscalation") is True:
            path, span = site.at("securityContext", "allowPrivilegeEscalation")
            yield finding(path, f"{site.label} sets `allowPrivilegeEscalation: true`: a process in it can gain "
                                "more privileges than its parent (setuid binaries, file capabilities), so code "
                                "that runs in it can become root in the container",
                          span=span, hint="set `allowPrivilegeEscalation: false` (the Pod Security Standards' "
                                          "restricted profile requires it)")
        added = as_list(as_dict(security.get("capabilities")).get("add"))
        for i, capability in enumerate(added):
            if not isinstance(capability, str) or "{{" in capability:
                continue
            name = capability.upper()
            name = name[4:] if name.startswith("CAP_") else name
            if name in BASELINE_CAPABILITIES:
                continue
            gain = GAINS.get(name, "a privilege containers do not have by default")
            path, span = site.at("securityContext", "capabilities", "add", i)
            yield finding(path, f"{site.label} adds capability `{capability}`, which the Pod Security Standards' "
                                f"baseline forbids: code that runs in it gains {gain}",
                          span=span, hint="remove it; drop every capability (`drop: [ALL]`) and add back only "
                                          "what the program needs, such as `NET_BIND_SERVICE`")
