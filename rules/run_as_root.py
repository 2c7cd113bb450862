"""Containers and pods do not run as root: no `runAsUser: 0`, no `runAsNonRoot: false`."""

from wflint.finding import finding
from wflint.argo.model import as_dict

ID = "run-as-root"
SEVERITY = "warning"
GROUP = "security"
ENABLED = False
CWE = ("CWE-250",)
SECURITY_SEVERITY = 6.5
SUMMARY = "Containers and pods do not ask to run as root (`runAsUser: 0`, `runAsNonRoot: false`)."

HINT = ("run as an unprivileged user: `runAsUser: 1000` (or any non-zero id) and `runAsNonRoot: true`, as the "
        "Pod Security Standards' restricted profile requires")


def check(document, context):
    from wflint.argo import pods   # only when the (opt-in) rule runs
    for site in pods.sites(document):
        if "securityContext" not in site.data:
            continue   # most sites have none, and every check reads it
        security = as_dict(site.data.get("securityContext"))
        if pods.is_zero(security.get("runAsUser")):
            path, span = site.at("securityContext", "runAsUser")
            who = "its containers run" if site.kind == pods.POD else "it runs"
            yield finding(path, f"{site.label} sets `runAsUser: 0`: {who} as root, so code that runs there is "
                                "root in the container, and a container escape or a writable host mount makes it "
                                "root on the node", span=span, hint=HINT)
        if security.get("runAsNonRoot") is False:
            path, span = site.at("securityContext", "runAsNonRoot")
            yield finding(path, f"{site.label} sets `runAsNonRoot: false`: Kubernetes starts the image as root "
                                "when that is its user, and code that runs there is then root in the container",
                          span=span, hint=HINT)
