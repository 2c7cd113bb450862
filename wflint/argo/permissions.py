"""What Kubernetes permissions a workflow needs, and for which service account.

Pure computation over one Argo document (plus the project index, to follow
`workflowTemplateRef` and `templateRef`): no RBAC object is read here. The
`rbac` rule checks the result against the project's Roles and bindings
(``wflint.k8s.rbac``); `wflint rbac` prints a Role granting it.

Identities, as Argo picks them (controller `workflowpod.go`, `agent.go`,
`artifact_gc.go`):

* pod account: the template's `serviceAccountName`, else `templateDefaults`',
  else `spec.serviceAccountName`, else none (Kubernetes puts the namespace's
  `default`);
* executor account (the `init`/`wait` containers, and `main` of resource and
  data templates, which run `argoexec`): the template's
  `executor.serviceAccountName`, else `templateDefaults`', else
  `spec.executor.serviceAccountName`, else the pod account;
* agent account (HTTP and plugin templates): `spec.serviceAccountName` only;
* artifact-GC account: the artifact's `artifactGC.serviceAccountName`, else
  `spec.artifactGC.serviceAccountName`, else the namespace's `default`.

What each identity needs (Argo >= 3.4):

* every pod template (container, containerSet, script, resource, data):
  executor: `create`, `patch` on `workflowtaskresults.argoproj.io`;
* resource templates: executor: the action's verbs on the manifest's resource
  (get: get; create: create; apply: get, create, patch; replace: get, update;
  patch: patch; delete: delete, and get/list/watch used but optional), `get`
  for a success/failure condition or a jsonPath/jqFilter output, `list` for a
  selector in `flags`;
* HTTP and plugin templates: agent: `list`, `watch` on
  `workflowtasksets.argoproj.io`, `patch` on `workflowtasksets/status`; `get`
  on the secrets HTTP headers read through `secretKeyRef`;
* output artifacts with an artifact-GC strategy: artifact-GC account: `list`,
  `watch` on `workflowartifactgctasks`, `patch` on `workflowartifactgctasks/status`;
* HDFS artifacts with `krbConfigConfigMap`: executor: `get` on that ConfigMap.

Reachable templates only: from the entrypoint, `onExit` and the workflow's
hooks, through steps, tasks, their hooks, inline templates and templateRefs
(every template of a WorkflowTemplate, which others may call by templateRef).
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from ..slots import FrozenRecord, Record
from . import callgraph, model
from ..k8s import kinds
from ..finding import NodePath
from .model import as_dict, as_list, as_str
from .index import memoized
from ..lang.tags import mask

ARGO = "argoproj.io"
DEFAULT = "default"
# Verbs in the order Kubernetes lists them.
VERB_ORDER = ("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection")
# Verbs that act on one named object (a rule's resourceNames can restrict them).
NAMED_VERBS = frozenset({"get", "update", "patch", "delete"})

# Categories of needs: the first three are the workflow's as a whole (reported
# once per account), the others belong to one template.
EXECUTOR, AGENT, ARTIFACT_GC = "executor", "agent", "artifact-gc"
RESOURCE, SECRET, CONFIGMAP = "resource", "secret", "configmap"
WORKFLOW_WIDE = (EXECUTOR, AGENT, ARTIFACT_GC)

ACTIONS = {
    # action: (required verbs, used but optional verbs)
    "get": (("get",), ()),
    "create": (("create",), ()),
    "apply": (("get", "create", "patch"), ()),
    "replace": (("get", "update"), ()),
    "patch": (("patch",), ()),
    "delete": (("delete",), ("get", "list", "watch")),
}
# kubectl flags that take a value as the next item (when not written `--flag=value`).
_VALUE_FLAGS = frozenset({"-n", "--namespace", "-l", "--selector", "--field-selector", "-o", "--output",
                          "--type", "-p", "--patch", "--patch-file", "-f", "--filename", "--timeout",
                          "--grace-period", "--cascade", "--field-manager", "-k", "--kustomize",
                          "--context", "--cluster", "--user", "-s", "--server", "--subresource",
                          "--template", "--dry-run"})
_SELECTOR_FLAGS = ("-l", "--selector", "--field-selector", "--all")
_MASK = "\ue000"


_VERB_RANK = {v: i for i, v in enumerate(VERB_ORDER)}
_SORTED_VERBS: Dict[Tuple[str, ...], Tuple[str, ...]] = {}


def sort_verbs(verbs: Iterable[str]) -> Tuple[str, ...]:
    if type(verbs) is list:
        verbs = tuple(verbs)   # the few lists of verbs (a resource template's) share the cache
    if type(verbs) is tuple:
        found = _SORTED_VERBS.get(verbs)
        if found is not None:
            return found
    rank, last = _VERB_RANK, len(_VERB_RANK)
    out = tuple(sorted(set(verbs), key=lambda v: (rank.get(v, last), v)))
    if type(verbs) is tuple and len(_SORTED_VERBS) < 4096 and all(type(v) is str for v in verbs):
        _SORTED_VERBS[verbs] = out
    return out


def dynamic(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or _MASK in value)


def resource_label(group: str, resource: str) -> str:
    """`jobs.batch`, `configmaps` (core), as kubectl and API errors name them."""
    if "/" in resource:
        base, sub = resource.split("/", 1)
        return f"{base}.{group}/{sub}" if group else resource
    return f"{resource}.{group}" if group else resource


class Reason(FrozenRecord):
    """Why a permission is needed: a template, and where the checked document
    reaches it (``anchor``: the template itself, or the step, task or
    workflowTemplateRef through which it is called from another document)."""

    __slots__ = ("anchor", "template", "detail", "own", "name")

    anchor: NodePath
    template: str        # "template `deploy`", "template `deploy` of WorkflowTemplate `lib`"
    detail: str          # "apply", "get: successCondition", ...
    own: bool            # the template is in the checked document (anchor is the template)
    name: Optional[str]  # the template's name, if it has one

    def __init__(self, anchor, template, detail="", own=True, name=None):
        self.anchor = anchor
        self.template = template
        self.detail = detail
        self.own = own
        self.name = name

    def describe(self) -> str:
        return f"{self.template} ({self.detail})" if self.detail else self.template


class Need(Record):
    """Verbs an account needs on a resource. ``namespace`` is the account's
    (the workflow's; None when the manifests do not say); ``target`` where the
    resource lives (None: the account's namespace), and ``cluster`` for a
    cluster-scoped resource. ``resource_names`` is empty when any name may be
    used (create, list, a name set at run time). ``guessed``: the resource's
    plural was guessed from an unknown kind."""

    __slots__ = ("account", "namespace", "api_group", "resource", "verbs", "resource_names", "guessed", "reasons",
                 "category", "optional_verbs", "target", "cluster", "defaulted", "kind", "purposes", "token",
                 "account_at")

    account: str
    namespace: Optional[str]
    api_group: str
    resource: str
    verbs: Tuple[str, ...]
    resource_names: Tuple[str, ...]
    guessed: bool
    reasons: List[Reason]
    category: str
    optional_verbs: Tuple[str, ...]
    target: Optional[str]
    cluster: bool
    defaulted: bool                  # the account is the namespace's `default`, because nothing named one
    kind: Optional[str]              # the manifest's kind, for resource needs
    purposes: Dict[str, str]         # verb -> what needs it (`apply`, `successCondition`)
    token: bool                      # Argo mounts this account's long-lived token Secret (executor override, agent)
    account_at: Optional[NodePath]   # where the checked document names the account, if it does

    def __init__(self, account, namespace, api_group, resource, verbs, resource_names=(), guessed=False, reasons=None,
                 category=RESOURCE, optional_verbs=(), target=None, cluster=False, defaulted=False, kind=None,
                 purposes=None, token=False, account_at=None):
        self.account = account
        self.namespace = namespace
        self.api_group = api_group
        self.resource = resource
        self.verbs = verbs
        self.resource_names = resource_names
        self.guessed = guessed
        self.reasons = [] if reasons is None else reasons
        self.category = category
        self.optional_verbs = optional_verbs
        self.target = target
        self.cluster = cluster
        self.defaulted = defaulted
        self.kind = kind
        self.purposes = {} if purposes is None else purposes
        self.token = token
        self.account_at = account_at

    @property
    def account_known(self) -> bool:
        return bool(self.account) and not dynamic(self.account)

    @property
    def target_namespace(self) -> Optional[str]:
        return None if self.cluster else (self.target if self.target is not None else self.namespace)

    @property
    def label(self) -> str:
        return resource_label(self.api_group, self.resource)

    def key(self):
        return (self.account, self.namespace, self.category, self.api_group, self.resource, self.resource_names,
                self.target_namespace, self.cluster)


class Unknown(Record):
    """Something whose permissions cannot be worked out statically."""

    __slots__ = ("account", "namespace", "reason", "why", "span", "anchor", "category", "defaulted")

    account: str
    namespace: Optional[str]
    reason: Reason
    why: str                         # "its manifest comes from an artifact", ...
    span: Optional[Tuple[int, int]]  # inside the anchor's string (a manifest's syntax error)
    anchor: Optional[NodePath]       # where to point, when not the reason's anchor
    category: str                    # RESOURCE, or "reference" for templates not in the project
    defaulted: bool

    def __init__(self, account, namespace, reason, why, span=None, anchor=None, category=RESOURCE, defaulted=False):
        self.account = account
        self.namespace = namespace
        self.reason = reason
        self.why = why
        self.span = span
        self.anchor = anchor
        self.category = category
        self.defaulted = defaulted


class Permissions(Record):
    """Everything one document needs: ``needs`` one per (template, resource),
    in document order; ``unknowns``; and ``default_at``, the path to point at
    when some pod of the document runs as the namespace's `default` account."""

    __slots__ = ("document", "needs", "unknowns", "default_at", "namespace")

    document: Any
    needs: List[Need]
    unknowns: List[Unknown]
    default_at: Optional[NodePath]
    namespace: Optional[str]

    def __init__(self, document, needs=None, unknowns=None, default_at=None, namespace=None):
        self.document = document
        self.needs = [] if needs is None else needs
        self.unknowns = [] if unknowns is None else unknowns
        self.default_at = default_at
        self.namespace = namespace

    def accounts(self) -> List[Tuple[str, Optional[str]]]:
        seen = []
        for item in list(self.needs) + list(self.unknowns):
            key = (item.account, item.namespace)
            if key not in seen:
                seen.append(key)
        return seen


def merge(needs: Iterable[Need]) -> List[Need]:
    """Needs with the same account, resource, names and scope joined: verbs and reasons united."""
    merged: Dict[tuple, Need] = {}
    for need in needs:
        key = need.key()
        have = merged.get(key)
        if have is None:
            merged[key] = need.replace(reasons=list(need.reasons), purposes=dict(need.purposes))
            continue
        have.verbs = sort_verbs(have.verbs + need.verbs)
        have.optional_verbs = tuple(v for v in sort_verbs(have.optional_verbs + need.optional_verbs)
                                    if v not in have.verbs)
        have.guessed = have.guessed or need.guessed
        have.token = have.token or need.token
        for verb, purpose in need.purposes.items():
            have.purposes.setdefault(verb, purpose)
        have.defaulted = have.defaulted and need.defaulted
        for reason in need.reasons:
            if reason not in have.reasons:
                have.reasons.append(reason)
    return list(merged.values())


# -- identities ---------------------------------------------------------------

class Identity(FrozenRecord):
    """The service account a pod runs as, and whether it was named or defaulted."""

    __slots__ = ("account", "defaulted", "token", "at")

    account: str
    defaulted: bool         # nothing named an account: the namespace's `default`
    token: bool             # Argo mounts its token Secret itself (an executor account, the agent's)
    at: Optional[NodePath]  # where the checked document names it

    def __init__(self, account, defaulted, token=False, at=None):
        self.account = account
        self.defaulted = defaulted
        self.token = token
        self.at = at


class _Walker:
    def __init__(self, document, index, namespace: Optional[str], default_account: Optional[str],
                 resources_only: bool = False):
        self.document = document
        self.index = index
        self.resources_only = resources_only
        self.namespace = namespace
        self.default_account = default_account
        self.result = Permissions(document=document, namespace=namespace)
        self.base, self.spec = model.spec(document)
        self.defaults = as_dict(self.spec.get("templateDefaults"))
        self.crds = _crd_table(index)
        self.own_spec = True     # False when the spec is merged with a WorkflowTemplate's
        self._fallbacks = None   # (executor, pod) identities when a template names none

    # -- identities --------------------------------------------------------

    def _sources(self, template: Dict, path: Optional[NodePath]):
        """Where an account may be named, most specific first, with the path of each in the checked document."""
        spec_at = self.base if self.own_spec else None
        return ((template, path), (self.defaults, spec_at + ("templateDefaults",) if spec_at else None),
                (self.spec, spec_at))

    def _fallback(self) -> Tuple[Optional[Identity], Identity]:
        """The executor identity (None: the pod's) and the pod identity of a
        template that names no account itself: from `templateDefaults` and the spec."""
        found = self._fallbacks
        if found is None:
            sources = self._sources({}, None)[1:]
            executor = None
            for source, at in sources:
                name = as_str(as_dict(source.get("executor")).get("serviceAccountName"))
                if name:
                    executor = Identity(name, False, token=True,
                                        at=at + ("executor", "serviceAccountName") if at else None)
                    break
            pod = None
            for source, at in sources:
                name = as_str(source.get("serviceAccountName"))
                if name:
                    pod = Identity(name, False, at=at + ("serviceAccountName",) if at else None)
                    break
            if pod is None:
                pod = Identity(self.default_account, False) if self.default_account else Identity(DEFAULT, True)
            found = self._fallbacks = (executor, pod)
        return found

    def pod_identity(self, template: Dict, path: Optional[NodePath] = None) -> Identity:
        name = as_str(template.get("serviceAccountName"))
        if name:
            return Identity(name, False, at=path + ("serviceAccountName",) if path else None)
        return self._fallback()[1]

    def executor_identity(self, template: Dict, path: Optional[NodePath] = None) -> Identity:
        executor = template.get("executor")
        if executor is not None:
            name = as_str(as_dict(executor).get("serviceAccountName"))
            if name:
                return Identity(name, False, token=True,
                                at=path + ("executor", "serviceAccountName") if path else None)
        fallback = self._fallback()
        if fallback[0] is not None:
            return fallback[0]
        return self.pod_identity(template, path)

    def agent_identity(self) -> Identity:
        name = as_str(self.spec.get("serviceAccountName"))
        if name:
            at = self.base + ("serviceAccountName",) if self.own_spec else None
            return Identity(name, False, token=True, at=at)
        if self.default_account:
            return Identity(self.default_account, False, token=True)
        return Identity(DEFAULT, True, token=True)

    def gc_identity(self, artifact: Dict) -> Identity:
        for source in (as_dict(artifact.get("artifactGC")), as_dict(self.spec.get("artifactGC"))):
            name = as_str(source.get("serviceAccountName"))
            if name:
                return Identity(name, False)
        return Identity(DEFAULT, True)

    # -- the walk ----------------------------------------------------------

    def run(self) -> Permissions:
        document = self.document
        anchor_all: Optional[NodePath] = None
        ref = self.spec.get("workflowTemplateRef")
        graph = callgraph.graph_of(document, self.index)
        if ref is not None and self.index is not None:
            holder = graph.workflow_template_ref()
            at = self.base + ("workflowTemplateRef",)
            if holder is None or holder.opaque:
                name = as_str(as_dict(ref).get("name")) or "?"
                self._unknown_ref(at, f"WorkflowTemplate `{name}`", "its templates are not in the project")
                self._mark_default_from_spec()
                return self.result
            if any(k in holder.spec for k in ("serviceAccountName", "executor", "templateDefaults")):
                self.own_spec = False
            self.spec = graph.effective_spec()
            self.defaults = as_dict(self.spec.get("templateDefaults"))
            self._fallbacks = None
            anchor_all = at
        self.walk(graph, graph.root_items(context=(anchor_all, None)))
        if not self.resources_only:
            self._mark_default_from_spec()
        return self.result

    def _mark_default_from_spec(self):
        if any(n.defaulted and n.category != ARTIFACT_GC for n in self.result.needs) or \
                any(u.defaulted and u.category == RESOURCE for u in self.result.unknowns):
            self.result.default_at = self.base

    def walk(self, graph, roots):
        """Every template reachable from ``roots``, once per (holder, path, anchor), in call order."""
        for event, item in graph.walk(roots, descend=self._descend, seen_key=_seen_key):
            if event == "template":
                self.visit(*item)
            else:
                self.follow(*item)

    def visit(self, holder, path: NodePath, template: Dict, context):
        if self.resources_only and template.get("resource") is None:
            return
        anchor, owner_label = context
        name = as_str(template.get("name"))
        if holder.own:
            label = f"template `{name}`" if name else (owner_label or "an inline template")
        else:
            label = (f"template `{name}` of {holder.label}" if name else
                     f"{owner_label or 'an inline template'} of {holder.label}")
        own = holder.own and anchor is None
        reason_anchor = path if own else anchor
        self.needs_of(template, Reason(reason_anchor, label, own=own, name=name), path if own else None)

    @staticmethod
    def _here(holder, call, anchor):
        return anchor if anchor is not None else (call.path if holder.own else None)

    def _descend(self, holder, call, target, context):
        """The (anchor, inline label) of the template a call's target enters."""
        anchor = context[0]
        if target.how == "templateRef":
            here = self._here(holder, call, anchor)
            return (here + ("templateRef",) if here == call.path else here), None
        if target.how == "inline":
            return anchor, f"the inline template of `{target.name}`" if target.name else None
        return anchor, None

    def follow(self, holder, call, target, context):
        """A templateRef that does not resolve: what it needs is unknown."""
        if target.how != "templateRef" or target.found or target.missing == "no-index" or self.resources_only:
            return
        here = self._here(holder, call, context[0])
        ref_at = here + ("templateRef",) if here == call.path else here
        ref = target.ref
        name, tmpl = as_str(ref.get("name")), as_str(ref.get("template"))
        if name and tmpl:
            self._unknown_ref(ref_at, f"template `{tmpl}` of WorkflowTemplate `{name}`",
                              "it is set at run time" if dynamic(name) or dynamic(tmpl)
                              else "it is not in the project")

    def _unknown_ref(self, anchor: NodePath, label: str, why: str):
        identity = self.pod_identity({})
        self.result.unknowns.append(Unknown(identity.account, self.namespace, Reason(anchor, label, own=False),
                                            why, category="reference", defaulted=identity.defaulted))

    # -- needs of one template ---------------------------------------------

    def add(self, identity: Identity, reason: Reason, category: str, group: str, resource: str,
            verbs: Sequence[str], **extra):
        extra.setdefault("purposes", {verb: reason.detail for verb in verbs})
        self.result.needs.append(Need(
            account=identity.account, namespace=self.namespace, api_group=group, resource=resource,
            verbs=sort_verbs(verbs), reasons=[reason], category=category, defaulted=identity.defaulted,
            token=identity.token and category in (EXECUTOR, AGENT), account_at=identity.at, **extra))

    def needs_of(self, template: Dict, reason: Reason, path: Optional[NodePath]):
        kinds_here = model.template_types(template)
        executor = self.executor_identity(template, path)
        if any(k in model.POD_TYPES for k in kinds_here):
            self.add(executor, _with(reason, "the executor reports outputs"), EXECUTOR, ARGO,
                     "workflowtaskresults", ("create", "patch"))
        if self.resources_only:
            if "resource" in kinds_here:
                self.resource_needs(template, executor, reason, path)
            return
        if "http" in kinds_here or "plugin" in kinds_here:
            agent = self.agent_identity()
            what = "HTTP" if "http" in kinds_here else "plugin"
            detail = f"the agent pod runs {what} templates"
            self.add(agent, _with(reason, detail), AGENT, ARGO, "workflowtasksets", ("list", "watch"))
            self.add(agent, _with(reason, detail), AGENT, ARGO, "workflowtasksets/status", ("patch",))
            for i, header in enumerate(as_list(as_dict(template.get("http")).get("headers"))):
                ref = as_dict(as_dict(as_dict(header).get("valueFrom")).get("secretKeyRef"))
                secret = as_str(ref.get("name"))
                if secret:
                    names = () if dynamic(secret) else (secret,)
                    self.add(agent, _with(reason, "an HTTP header from a secret"), SECRET, "", "secrets", ("get",),
                             resource_names=names)
        if "resource" in kinds_here:
            self.resource_needs(template, executor, reason, path)
        self.artifact_needs(template, executor, reason)

    def artifact_needs(self, template: Dict, executor: Identity, reason: Reason):
        inputs = as_list(as_dict(template.get("inputs")).get("artifacts"))
        outputs = as_list(as_dict(template.get("outputs")).get("artifacts"))
        if not inputs and not outputs:
            return
        for artifact in inputs + outputs:
            krb = as_dict(as_dict(as_dict(artifact).get("hdfs")).get("krbConfigConfigMap"))
            name = as_str(krb.get("name"))
            if name:
                self.add(executor, _with(reason, "HDFS krbConfigConfigMap"), CONFIGMAP, "", "configmaps", ("get",),
                         resource_names=() if dynamic(name) else (name,))
        default_strategy = as_str(as_dict(self.spec.get("artifactGC")).get("strategy")) or ""
        for artifact in outputs:
            artifact = as_dict(artifact)
            strategy = as_str(as_dict(artifact.get("artifactGC")).get("strategy")) or default_strategy
            if strategy and strategy != "Never":
                gc = self.gc_identity(artifact)
                detail = "artifact garbage collection"
                self.add(gc, _with(reason, detail), ARTIFACT_GC, ARGO, "workflowartifactgctasks", ("list", "watch"))
                self.add(gc, _with(reason, detail), ARTIFACT_GC, ARGO, "workflowartifactgctasks/status", ("patch",))

    def resource_needs(self, template: Dict, executor: Identity, reason: Reason, path: Optional[NodePath]):
        resource = as_dict(template.get("resource"))
        action = as_str(resource.get("action"))

        def unknown(why, span=None, anchor=None, field=None):
            if anchor is None and field is not None and path is not None and field in resource:
                anchor = path + ("resource", field)
            self.result.unknowns.append(Unknown(executor.account, self.namespace, reason, why, span=span,
                                                anchor=anchor, defaulted=executor.defaulted))

        if action is None or dynamic(action) or action not in ACTIONS:
            if action is None or dynamic(action):
                unknown("its action is set at run time" if action else "it has no action", field="action")
            return  # an invalid action is the resource-template rule's
        required, optional = ACTIONS[action]
        required, optional = list(required), list(optional)
        flags = [f for f in as_list(resource.get("flags")) if isinstance(f, str)]
        options, positional = _split_flags(flags)
        if action == "apply" and "--server-side" in options:
            required = ["create", "patch"]
        if action == "replace" and ("--force" in options):
            required, optional = ["create", "delete"], ["get", "list", "watch"]
        selector = any(o in options for o in _SELECTOR_FLAGS)
        if selector:
            required.append("list")
        details = [action]
        purposes = {verb: f"`{action}`" for verb in required}
        if action != "delete":
            conditions = [f for f in ("successCondition", "failureCondition")
                          if isinstance(resource.get(f), str) and resource.get(f)]
            outputs = [p for p in as_list(as_dict(template.get("outputs")).get("parameters"))
                       if isinstance(p, dict) and (as_dict(p.get("valueFrom")).get("jsonPath") is not None
                                                   or as_dict(p.get("valueFrom")).get("jqFilter") is not None)]
            why_get = conditions + (["outputs"] if outputs else [])
            if why_get and "get" not in required:
                required.append("get")
                details.append("get: " + ", ".join(why_get))
                purposes["get"] = " and ".join(f"`{w}`" for w in why_get)
        if selector:
            details.append("list: selector")
            purposes["list"] = "a selector in `flags`"

        manifest = resource.get("manifest")
        manifest_from = resource.get("manifestFrom")
        obj: Optional[Dict] = None
        if isinstance(manifest, str) and manifest.strip() and manifest_from is None:
            if manifest.lstrip().startswith("{{"):
                unknown("its manifest is set at run time", field="manifest")
                return
            parsed = model.parsed_text(self.document, mask(manifest, _MASK, one_line=True))
            if parsed.error is not None and not parsed.documents:
                offset, problem = parsed.error
                limit = max(len(manifest.rstrip()) - 1, 0)
                offset = min(max(offset, 0), limit)
                unknown(f"its manifest is not valid YAML ({problem})", span=(offset, offset + 1) if path else None,
                        anchor=path + ("resource", "manifest") if path else None)
                return
            if parsed.documents:
                first = parsed.documents[0][2]
                if isinstance(first, dict):
                    obj = first
        elif manifest_from is not None and not flags:
            unknown("its manifest comes from an artifact", field="manifestFrom")
            return

        api_version = as_str(obj.get("apiVersion")) if obj else None
        kind = as_str(obj.get("kind")) if obj else None
        metadata = as_dict(obj.get("metadata")) if obj else {}
        use_flags = not kind or (action == "patch" and as_str(resource.get("mergeStrategy")) == "json")
        group = plural = None
        namespaced, guessed = True, False
        name: Optional[str] = None
        if not use_flags:
            if not api_version or dynamic(api_version) or dynamic(kind):
                unknown("its manifest's apiVersion or kind is set at run time" if api_version or kind
                        else "its manifest has no apiVersion", field="manifest")
                return
            group, plural, namespaced, guessed = self.resolve_kind(api_version, kind)
            name = as_str(metadata.get("name"))
        else:
            if not positional:
                if manifest_from is not None:
                    unknown("its manifest comes from an artifact", field="manifestFrom")
                else:
                    unknown("neither its manifest nor its flags name a kind",
                            field="manifest" if "manifest" in resource else "flags")
                return
            found = self.resolve_flag(positional[0])
            if found is None:
                unknown(f"wflint does not know the resource `{positional[0]}` its flags name", field="flags")
                return
            group, plural, namespaced, kind, guessed = found
            if "/" in positional[0]:
                name = positional[0].split("/", 1)[1]
            elif len(positional) > 1:
                name = positional[1]
        target = None
        flag_namespace = options.get("-n") or options.get("--namespace")
        manifest_namespace = as_str(metadata.get("namespace"))
        cluster = not namespaced
        if "-A" in options or "--all-namespaces" in options:
            cluster = True
        elif namespaced:
            chosen = manifest_namespace or flag_namespace
            if chosen and not dynamic(chosen):
                target = chosen
            elif chosen:
                details.append("namespace set at run time")
        names: Tuple[str, ...] = ()
        if name and not dynamic(name) and not selector and action != "create":
            names = (name,)
        self.add(executor, _with(reason, "; ".join(details)), RESOURCE, group, plural, required,
                 optional_verbs=tuple(v for v in sort_verbs(optional) if v not in required),
                 resource_names=names, guessed=guessed, target=target, cluster=cluster, kind=kind,
                 purposes=purposes)

    def resolve_kind(self, api_version: str, kind: str):
        """(group, plural, namespaced, guessed) for a manifest's kind: the kind
        table, a CustomResourceDefinition of the project, else kubectl's guess."""
        group = kinds.group_of(api_version) or ""
        found = self.crds.get((group, kind))
        if found is not None:
            return group, found[0], found[1], False
        info = kinds.lookup(api_version, kind)
        if info is not None:
            return info.group, info.plural, info.namespaced, False
        return group, kinds.guess_plural(kind), True, True

    def resolve_flag(self, text: str):
        """What a kubectl resource argument (`configmap`, `jobs.batch`, `pod/name`) names:
        (group, plural, namespaced, kind, guessed), or None."""
        word = text.split("/", 1)[0].lower()
        if not word or dynamic(word):
            return None
        wanted_group = None
        if "." in word:
            word, wanted_group = word.split(".", 1)
        for group, kind, plural, namespaced in _flag_candidates(self.index, self.crds):
            if wanted_group is not None and group != wanted_group:
                continue
            if word in (plural, kind.lower()):
                return group, plural, namespaced, kind, False
        return None


def _seen_key(holder, path, context):
    return (id(holder), path, context[0])


def _with(reason: Reason, detail: str) -> Reason:
    return Reason(reason.anchor, reason.template, detail, reason.own, reason.name)


def _split_flags(flags: List[str]) -> Tuple[Dict[str, Optional[str]], List[str]]:
    """kubectl flags: ({option: value or ""}, positional arguments)."""
    options: Dict[str, Optional[str]] = {}
    positional: List[str] = []
    i = 0
    while i < len(flags):
        item = flags[i].strip()
        if item.startswith("-") and len(item) > 1:
            if "=" in item:
                key, value = item.split("=", 1)
                options[key] = value
            elif item in _VALUE_FLAGS and i + 1 < len(flags):
                options[item] = flags[i + 1]
                i += 1
            elif item.startswith("-n") and len(item) > 2 and not item.startswith("--"):
                options["-n"] = item[2:]
            else:
                options[item] = ""
        elif item:
            positional.append(item)
        i += 1
    return options, positional


def _crd_table(index) -> Dict[Tuple[str, str], Tuple[str, bool]]:
    """(group, kind) -> (plural, namespaced) from the project's CustomResourceDefinitions:
    once per index, not once per document."""
    return memoized(index, ("permissions", "crds"), lambda: _build_crd_table(index))


def _flag_candidates(index, crds) -> List[Tuple[str, str, str, bool]]:
    """(group, kind, plural, namespaced) of every kind a kubectl resource argument may
    name: the project's CRDs and the kind table, built-in groups first, then Argo's.
    Once per index, like the CRD table it starts from."""
    return memoized(index, ("permissions", "flag-candidates"), lambda: _build_flag_candidates(crds))


def _build_flag_candidates(crds) -> List[Tuple[str, str, str, bool]]:
    candidates = [(group, kind, plural, namespaced) for (group, kind), (plural, namespaced) in crds.items()]
    table = getattr(kinds, "_TABLE", {})
    for group, entries in table.items():
        for kind, (plural, namespaced) in entries.items():
            candidates.append((group, kind, plural, namespaced))

    def rank(item):
        group = item[0]
        return (0 if group in kinds.BUILTIN_GROUPS else 1 if group == ARGO else 2)

    candidates.sort(key=rank)
    return candidates


def _build_crd_table(index) -> Dict[Tuple[str, str], Tuple[str, bool]]:
    table: Dict[Tuple[str, str], Tuple[str, bool]] = {}
    if index is None:
        return table
    for entry in index.of_kind("CustomResourceDefinition"):
        spec = entry.spec
        names = as_dict(spec.get("names"))
        group, kind, plural = as_str(spec.get("group")), as_str(names.get("kind")), as_str(names.get("plural"))
        if group and kind and plural:
            table.setdefault((group, kind), (plural, as_str(spec.get("scope")) != "Cluster"))
    return table


def compute(document, index=None, namespace: Optional[str] = None,
            default_account: Optional[str] = None, resources_only: bool = False) -> Permissions:
    """The permissions ``document`` (a Workflow, WorkflowTemplate,
    ClusterWorkflowTemplate or CronWorkflow) needs. ``namespace`` stands for a
    document without `metadata.namespace`; ``default_account`` for a workflow
    that names no service account (instead of the namespace's `default`).

    ``resources_only``: only what resource templates need (each one's
    executor and resource needs, and what cannot be worked out about it),
    all the `rbac` rule reports where the project holds no RBAC; the other
    templates are still walked through but not looked into, and `default_at`
    is then unset."""
    home = document.namespace
    if document.kind == "ClusterWorkflowTemplate":
        home = None  # runs in the namespace of whichever workflow uses it
    if not home or dynamic(home):
        home = namespace
    return _Walker(document, index, home, default_account, resources_only).run()
