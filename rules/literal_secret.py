"""Secrets are not written in the manifest: an env value named like a
password, token or key comes from a Secret."""

import re

from wflint.finding import finding
from wflint.argo.model import as_dict, as_list, as_str
from wflint.lazyre import lazy_compile

ID = "literal-secret"
SEVERITY = "warning"
GROUP = "security"
ENABLED = False
CWE = ("CWE-798",)
SECURITY_SEVERITY = 7.5
SUMMARY = "Environment variables named like passwords, tokens or keys take their value from a Secret, not a literal."

SECRET_NAME = lazy_compile(r"PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|"
                           r"CREDENTIAL|AUTH_?KEY", re.I)
# Names that hold where a secret is, or who it is for, not the secret itself.
NOT_SECRET = lazy_compile(r"(?:_|^)(?:FILE|PATH|DIR|NAME|ID|URL|URI|REF|KEY_?REF|ENDPOINT|HOST|PORT|TYPE|USER|"
                          r"USERNAME|HEADER|LENGTH|TTL|EXPIRY|EXPIRES)$", re.I)


def check(document, context):
    from wflint.argo import pods   # only when the (opt-in) rule runs
    for site in pods.sites(document):
        if site.kind != pods.CONTAINER or "env" not in site.data:
            continue
        for i, env in enumerate(as_list(site.data.get("env"))):
            env = as_dict(env)
            name, value = as_str(env.get("name")), env.get("value")
            if not name or not SECRET_NAME.search(name) or NOT_SECRET.search(name):
                continue
            if not isinstance(value, str) or not value.strip() or "{{" in value or value.startswith("$("):
                continue
            path, span = site.at("env", i, "value")
            yield finding(path, f"env `{name}` of {site.label} is a literal value: the secret is in the manifest, "
                                "so anyone who can read the repository, the workflow object or the Argo UI can "
                                "read it and use it",
                          span=span, hint="store it in a Secret and use `valueFrom: {secretKeyRef: {name: ..., "
                                          "key: ...}}` (and rotate the value that was exposed)")
