"""`automountServiceAccountToken: true` only where a template calls the Kubernetes API."""

import re

from wflint.argo import callgraph, model
from wflint.finding import finding
from wflint.argo.model import as_dict, as_list
from wflint.lazyre import lazy_compile

ID = "automount-token"
SEVERITY = "warning"
GROUP = "security"
ENABLED = False
CWE = ("CWE-250",)
SECURITY_SEVERITY = 5.4
SUMMARY = "`automountServiceAccountToken: true` is set only where a template calls the Kubernetes API."

# What suggests a container talks to the Kubernetes API.
API_USE = lazy_compile(r"\b(?:kubectl|helm|kustomize|oc|argo|argocli|argoexec|argocd|kubernetes|k8s|client-go|"
                       r"kubeconfig|KUBERNETES_SERVICE_HOST|serviceaccount/token|kube)\b", re.I)


def needs_api(template) -> bool:
    types = model.template_types(template)
    if "resource" in types or "data" in types:
        return True     # their main container is Argo's executor, which calls the API
    bodies = [template.get(k) for k in ("container", "script")]
    bodies += as_list(as_dict(template.get("containerSet")).get("containers"))
    bodies += as_list(template.get("initContainers")) + as_list(template.get("sidecars"))
    for body in bodies:
        if not isinstance(body, dict):
            continue
        texts = [body.get("image"), body.get("source")] + as_list(body.get("command")) + as_list(body.get("args"))
        if any(isinstance(t, str) and API_USE.search(t) for t in texts):
            return True
    return False


def check(document, context):
    from wflint.argo import pods   # only when the (opt-in) rule runs
    graph = None
    for site in pods.sites(document):
        if site.kind != pods.POD or site.data.get("automountServiceAccountToken") is not True:
            continue
        if site.template is not None:
            if needs_api(site.template) or not model.template_types(site.template):
                continue
            scope = "its pod"
        else:
            graph = graph or callgraph.graph_of(document, context.index)
            reached = graph.reachable()
            if any(needs_api(template) for _, _, template in reached):
                continue
            if any(target.how == "templateRef" and not target.found
                   for event, item in graph.walk(graph.root_items()) if event == "target"
                   for target in [item[2]]):
                continue   # a template elsewhere might need it
            scope = "every pod of the workflow"
        path, span = site.at("automountServiceAccountToken")
        yield finding(path, f"{site.label} sets `automountServiceAccountToken: true`: the service account's token "
                            f"is mounted in {scope}, yet no template there calls the Kubernetes API, so code that "
                            "runs in them (or reads their files) can act as the service account for nothing",
                      span=span, hint="remove it, or set it to `false` with `executor.serviceAccountName` for "
                                      "Argo's executor; mount the token only in the templates that call the API")
