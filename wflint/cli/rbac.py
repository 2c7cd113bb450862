"""`wflint rbac PATH...`: the Roles and RoleBindings the workflows under PATH need.

For every service account (per namespace) that the workflows run as, it
prints YAML ready for `kubectl apply -f -`: the ServiceAccount (unless it is
the namespace's `default`), a Role with exactly the rules the workflows need
(each commented with the templates that need it) and a RoleBinding; a Role and
RoleBinding in each other namespace a resource template acts in; a ClusterRole
and ClusterRoleBinding for cluster-scoped resources; and the long-lived token
Secret Argo mounts for executor and agent accounts. Linting the workflows
together with this output leaves no `rbac` finding.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Tuple

import yaml

from .. import __version__
from ..argo import permissions as perms

RBAC_API = "rbac.authorization.k8s.io/v1"
# Plain scalars: ASCII only, starting with a letter (so never a number in any
# YAML version: go-yaml v2 reads `1e3` as a float), and no character with a
# meaning in block or flow context. Everything else is double-quoted.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9._/-]*\Z")
# Words some YAML reader (YAML 1.1, go-yaml v2 as in kubectl) takes for a
# boolean or null, in any case.
_RESERVED = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})
_PRINTABLE = re.compile(r"[ -~]*\Z")   # printable ASCII: what comments and quoted scalars may hold
_UNPRINTABLE = re.compile(r"[^ -~]")
MAX_REASONS = 6


# -- YAML text ------------------------------------------------------------------------
#
# No text taken from the input (file names, workflow, template and account
# names) may change the structure of the output: YAML readers disagree on what
# breaks a line (libyaml and go-yaml, so kubectl, also break at U+0085, U+2028
# and U+2029), so everything written is printable ASCII. Names are plain only
# when they cannot read as anything but themselves, else double-quoted with
# every other character escaped; comments escape what is not printable ASCII.

def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def scalar(text: str) -> str:
    """A string as a YAML scalar that reads back as the same string in YAML 1.1
    and 1.2 (PyYAML, libyaml, go-yaml): printable ASCII only."""
    text = str(text)
    if _PLAIN.match(text) and text.lower() not in _RESERVED:
        return text
    body = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _UNPRINTABLE.sub(lambda m: _escape(m.group()), body) + '"'


def flow(items: Sequence[str]) -> str:
    return "[" + ", ".join(scalar(i) for i in items) + "]"


def comment(text: str) -> str:
    """A comment line: printable ASCII, anything else escaped (\\xNN, \\uNNNN)."""
    return _UNPRINTABLE.sub(lambda m: _escape(m.group()), str(text)).rstrip()


# -- gathering --------------------------------------------------------------------------

@dataclasses.dataclass
class Account:
    name: str
    namespace: Optional[str]
    needs: List[perms.Need] = dataclasses.field(default_factory=list)
    unknowns: List[perms.Unknown] = dataclasses.field(default_factory=list)
    defaulted: bool = False


def _where(document) -> str:
    return f"{document.path}: {document.kind} `{document.display_name}`"


def gather(documents, index, namespace: Optional[str] = None,
           service_account: Optional[str] = None) -> Tuple[Dict[Tuple[str, Optional[str]], Account], List[str]]:
    """Needs of every document, by (account, namespace); and notes on what was left out."""
    accounts: Dict[Tuple[str, Optional[str]], Account] = {}
    notes: List[str] = []
    for document in documents:
        computed = perms.compute(document, index, namespace=namespace, default_account=service_account)
        where = _where(document)

        def relabel(reason: perms.Reason) -> perms.Reason:
            return reason.replace(template=f"{where}, {reason.template}")

        for need in computed.needs:
            need = need.replace(reasons=[relabel(r) for r in need.reasons])
            if not need.account_known:
                notes.append(f"{need.reasons[0].template}: runs as service account `{need.account}`, set at run "
                             f"time; grant it {', '.join(need.verbs)} on {need.label} yourself")
                continue
            account = accounts.setdefault((need.account, need.namespace), Account(need.account, need.namespace))
            account.needs.append(need)
            account.defaulted = account.defaulted or need.defaulted
        for unknown in computed.unknowns:
            label = relabel(unknown.reason).template
            notes.append(f"{label}: not included, {unknown.why}")
    return accounts, notes


# -- rules ----------------------------------------------------------------------------------

_HEADINGS = {
    perms.EXECUTOR: "Argo's executor records the outputs of every template that runs a pod:",
    perms.AGENT: "the agent pod runs the HTTP and plugin templates:",
    perms.ARTIFACT_GC: "artifact garbage collection deletes the output artifacts of:",
    perms.SECRET: "HTTP headers read from secrets:",
    perms.CONFIGMAP: "HDFS artifacts read their Kerberos configuration:",
}


@dataclasses.dataclass
class Rule:
    group: str
    resource: str
    names: Tuple[str, ...]
    verbs: Tuple[str, ...] = ()
    optional: Tuple[str, ...] = ()
    guessed: Optional[str] = None              # the kind whose plural was guessed
    categories: List[str] = dataclasses.field(default_factory=list)
    reasons: List[Tuple[str, perms.Reason]] = dataclasses.field(default_factory=list)

    def add(self, verbs, category: str, reasons: Sequence[perms.Reason]):
        self.verbs = perms.sort_verbs(self.verbs + tuple(verbs))
        if category not in self.categories:
            self.categories.append(category)
        for reason in reasons:
            if (category, reason) not in self.reasons:
                self.reasons.append((category, reason))


def rules_of(needs: Sequence[perms.Need]) -> List[Rule]:
    """PolicyRules granting exactly ``needs``: verbs on one object by name
    restricted with resourceNames where every use names it; create, list and
    watch (which carry no name) never restricted."""
    rules: Dict[tuple, Rule] = {}
    for need in needs:
        if need.resource_names:
            named = [v for v in need.verbs if v in perms.NAMED_VERBS]
            unnamed = [v for v in need.verbs if v not in perms.NAMED_VERBS]
        else:
            named, unnamed = [], list(need.verbs)
        for verbs, names in ((named, need.resource_names), (unnamed, ())):
            if not verbs:
                continue
            key = (need.api_group, need.resource, names)
            rule = rules.setdefault(key, Rule(need.api_group, need.resource, names))
            rule.add(verbs, need.category, need.reasons)
            if need.guessed:
                rule.guessed = need.kind
        for verb in need.optional_verbs:
            names = need.resource_names if verb in perms.NAMED_VERBS else ()
            key = (need.api_group, need.resource, names)
            rule = rules.setdefault(key, Rule(need.api_group, need.resource, names))
            rule.optional = perms.sort_verbs(rule.optional + (verb,))
            rule.add((), need.category, need.reasons)
    # A verb granted on every name makes the same verb on some names redundant.
    for (group, resource, names), rule in list(rules.items()):
        if names:
            broad = rules.get((group, resource, ()))
            if broad is not None:
                rule.verbs = tuple(v for v in rule.verbs if v not in broad.verbs)
                if not rule.verbs:
                    for category, reason in rule.reasons:
                        broad.add((), category, [reason])
                    del rules[(group, resource, names)]
    for (group, resource, names), rule in rules.items():
        broad = rules.get((group, resource, ()))
        granted = set(rule.verbs) | set(broad.verbs if broad is not None else ())
        rule.optional = tuple(v for v in rule.optional if v not in granted)
    ordered = [r for r in rules.values() if r.verbs or r.optional]
    ordered.sort(key=lambda r: (r.group, r.resource, r.names))
    return ordered


def _rule_text(rule: Rule) -> List[str]:
    lines = []
    shown = 0
    for category in rule.categories:
        reasons = [r for c, r in rule.reasons if c == category]
        heading = _HEADINGS.get(category)
        if heading:
            lines.append(f"  # {heading}")
        for reason in reasons:
            shown += 1
            if shown > MAX_REASONS:
                continue
            detail = f": {reason.detail}" if reason.detail and category == perms.RESOURCE else ""
            lines.append(comment(f"  # {'  ' if heading else ''}{reason.template}{detail}"))
    if shown > MAX_REASONS:
        lines.append(f"  #   ... and {shown - MAX_REASONS} more")
    if rule.guessed:
        lines.append(comment(f"  # `{rule.resource}` is guessed from kind `{rule.guessed}`: check it with "
                             f"`kubectl api-resources --api-group={rule.group}`"))
    if rule.optional:
        lines.append(comment(f"  # also used, not required: {', '.join(rule.optional)} "
                             "(kubectl waits for deleted objects to go)"))
    if not rule.verbs:
        return lines
    lines.append(f"  - apiGroups: {flow([rule.group])}")
    lines.append(f"    resources: {flow([rule.resource])}")
    if rule.names:
        lines.append(f"    resourceNames: {flow(rule.names)}")
    lines.append(f"    verbs: {flow(rule.verbs)}")
    return lines


# -- objects ----------------------------------------------------------------------------------

def _metadata(name: str, namespace: Optional[str], extra: Sequence[str] = ()) -> List[str]:
    lines = ["metadata:", f"  name: {scalar(name)}"]
    if namespace:
        lines.append(f"  namespace: {scalar(namespace)}")
    lines.extend(extra)
    return lines


def _role(kind: str, name: str, namespace: Optional[str], rules: List[Rule]) -> List[str]:
    lines = [f"apiVersion: {RBAC_API}", f"kind: {kind}"] + _metadata(name, namespace)
    body = [line for rule in rules for line in _rule_text(rule)]
    if not any(rule.verbs for rule in rules):
        return lines + body + ["rules: []"]
    return lines + ["rules:"] + body


def _binding(kind: str, name: str, namespace: Optional[str], role_kind: str, role: str, account: str,
             account_namespace: Optional[str]) -> List[str]:
    lines = [f"apiVersion: {RBAC_API}", f"kind: {kind}"] + _metadata(name, namespace)
    lines += ["roleRef:", "  apiGroup: rbac.authorization.k8s.io", f"  kind: {role_kind}", f"  name: {scalar(role)}",
              "subjects:", "  - kind: ServiceAccount", f"    name: {scalar(account)}"]
    if account_namespace:
        lines.append(f"    namespace: {scalar(account_namespace)}")
    return lines


def _name(*parts: Optional[str]) -> str:
    return "-".join(p for p in parts if p) + "-argo-workflows"


def render_account(account: Account, service_account: Optional[str] = None) -> List[List[str]]:
    """The documents for one account, each a list of lines (comments included)."""
    docs: List[List[str]] = []
    name, home = account.name, account.namespace
    by_scope: Dict[Tuple[bool, Optional[str]], List[perms.Need]] = defaultdict(list)
    for need in account.needs:
        scope = (True, None) if need.cluster else (False, need.target if need.target not in (None, home) else None)
        by_scope[scope].append(need)
    where = f"namespace `{home}`" if home else "the namespace you apply this to (`kubectl apply -n ...`)"
    header = [comment(f"# Service account `{name}` in {where}.")]
    if name == perms.DEFAULT:
        header.append("# `default` is the namespace's shared account: a dedicated one is safer (set "
                      "spec.serviceAccountName, or run `wflint rbac --service-account NAME`).")
    elif service_account and name == service_account:
        header.append(comment(f"# Workflows that name no account must run as `{name}`: set "
                              f"spec.serviceAccountName: {name} (or `argo submit --serviceaccount {name}`)."))
    if name != perms.DEFAULT:
        docs.append(header + ["apiVersion: v1", "kind: ServiceAccount"] + _metadata(name, home))
        header = []
    token = any(n.token for n in account.needs)
    if token:
        secret = f"{name}.service-account-token"
        docs.append(header + [
            "# Argo mounts this long-lived token for executor and agent (HTTP, plugin) accounts;",
            "# Kubernetes >= 1.24 no longer creates it.",
            "apiVersion: v1", "kind: Secret"] + _metadata(secret, home, [
                "  annotations:", f"    kubernetes.io/service-account.name: {scalar(name)}"]) + [
            "type: kubernetes.io/service-account-token"])
        header = []
    home_rules = rules_of(by_scope.pop((False, None), []))
    if home_rules:
        role = _name(name)
        docs.append(header + _role("Role", role, home, home_rules))
        docs.append(_binding("RoleBinding", role, home, "Role", role, name, home))
        header = []
    for (cluster, target), needs in sorted(by_scope.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        rules = rules_of(needs)
        if not rules:
            continue
        if cluster:
            role = _name(home, name)
            docs.append(header + [comment(f"# Cluster-scoped resources: only a ClusterRole bound by a "
                                          f"ClusterRoleBinding grants them.")] + _role("ClusterRole", role, None, rules))
            subject_ns = home or "default"
            binding = _binding("ClusterRoleBinding", role, None, "ClusterRole", role, name, subject_ns)
            if not home:
                binding.insert(0, "# The account's namespace is not set in the manifests: correct `namespace` "
                                  "below (or pass --namespace).")
            docs.append(binding)
        else:
            role = _name(home, name)
            docs.append(header + [comment(f"# Resources in namespace `{target}`: a Role and RoleBinding there.")]
                        + _role("Role", role, target, rules))
            binding = _binding("RoleBinding", role, target, "Role", role, name, home or "default")
            if not home:
                binding.insert(0, "# The account's namespace is not set in the manifests: correct `namespace` "
                                  "below (or pass --namespace).")
            docs.append(binding)
        header = []
    return docs


def render(accounts: Dict[Tuple[str, Optional[str]], Account], notes: Sequence[str], paths: Sequence[str],
           service_account: Optional[str] = None) -> str:
    lines = [comment(f"# RBAC for the Argo workflows in {', '.join(paths)}"),
             f"# Written by `wflint rbac` {__version__}: what each service account needs (Argo >= 3.4), and no more.",
             "# Review, then `kubectl apply -f` it."]
    for note in notes:
        lines.append(comment(f"# NOTE {note}"))
    docs: List[List[str]] = []
    for key in sorted(accounts, key=lambda k: (k[1] or "", k[0])):
        docs.extend(render_account(accounts[key], service_account))
    if not docs:
        lines.append("# Nothing to grant: no workflow here needs Kubernetes permissions.")
        return _checked("\n".join(lines) + "\n")
    out = lines[:]
    for doc in docs:
        out.append("---")
        out.extend(doc)
    return _checked("\n".join(out) + "\n")


def _checked(text: str) -> str:
    """The output, proven to be printable ASCII lines: no reader can find a
    line break, control or quote in it that the code above did not write."""
    if not all(_PRINTABLE.match(line) for line in text.split("\n")):
        raise RuntimeError("wflint rbac: unescaped text in the output")  # a bug: exit 3, print nothing
    return text


# -- the command --------------------------------------------------------------------------------

def load(paths: Sequence[str], options) -> Tuple[list, object, List[str]]:
    """The Argo documents under ``paths``, the project index around them, and
    problems reading them: the pipeline's phase one, as `wflint check` reads
    the same files (Lists, Sensors, kustomize patches and chart templates alike)."""
    from ..run.pipeline import Pipeline

    pipeline = Pipeline(options)
    documents, index, unreadable, found = pipeline.load_documents(paths)
    problems = [f"{f.path}: {f.message}" for f in unreadable if pipeline.severity_of(f) == "error"]
    problems.extend(f"{e.path}:{e.line}: {e.message}" for e in found if pipeline.severity_of(e) == "error")
    return documents, index, problems


def run(paths: Sequence[str], namespace: Optional[str] = None, service_account: Optional[str] = None,
        exclude: Sequence[str] = (), config=None, template_paths: Sequence[str] = (), use_cache: bool = True,
        out=None, err=None) -> int:
    from ..run.options import resolve
    out = out or sys.stdout
    err = err or sys.stderr
    # No rule runs (select=[]), but the rest is `wflint check`'s: max-file-size, exclude, index.
    options = resolve(config, exclude=exclude, select=[], template_paths=template_paths, no_cache=not use_cache)
    paths = list(paths) or ["."]
    documents, index, problems = load(paths, options)
    for problem in problems:
        err.write(comment(f"wflint rbac: skipped {problem}") + "\n")
    accounts, notes = gather(documents, index, namespace=namespace, service_account=service_account)
    out.write(render(accounts, notes, paths, service_account))
    return 0
