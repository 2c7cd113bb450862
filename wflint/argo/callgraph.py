"""The Argo call graph of a document: which template every call runs, what is
reachable from where, and one task graph per DAG.

One place answers "which template does this step, task, hook, entrypoint or
`onExit` run": by name among the templates of its holder (the checked
document, or the WorkflowTemplate a `templateRef` or `workflowTemplateRef`
reaches through the project index), inline, or by `templateRef`. Everything
is computed once per document (``graph_of``) and every walk is iterative, so
a 10,000-task DAG or a 6,000-container chain cannot exhaust Python's stack.

* ``CallGraph.callee(holder, path, body)``: the one template a step, task or
  hook runs, by Argo's precedence (`inline`, `templateRef`, `template`).
* ``CallGraph.runs(holder, path, body)``: what Argo runs for one call: its
  callee, then its `onExit` handler.
* ``CallGraph.targets(holder, path, body)``: every template one call's
  fields name (`template`, `inline`, the call's `onExit`, `templateRef`),
  for conservative answers (permissions): the default order of the walks.
* ``CallGraph.workflow_template_ref()``, ``ref_holder(ref)``: the
  WorkflowTemplate a `workflowTemplateRef` or a `templateRef` names. Where:
  the index, in ``index.lookup_namespace(document)`` (the namespace of the
  Workflow that runs; any namespace from a ClusterWorkflowTemplate, whose
  `metadata.namespace` Kubernetes ignores), as Argo's controller does
  (``WorkflowTemplates(wf.Namespace)``); `clusterScope` picks the kind.
* ``CallGraph.roots()``: where a run starts (entrypoint, `onExit`, the
  workflow's hooks), or every template when the document is a library.
* ``CallGraph.walk(roots, follow=...)``: every (call or template) event of a
  depth-first walk from those roots, in the order a recursive walk would
  produce them, following each call's ``targets``, ``runs`` or callee only.
* ``CallGraph.reachable()``: templates reachable from the roots, across files;
  ``reached_names(names)``: the document's own templates that run when the
  named ones run (variable scopes: the exit handler's tree).
* ``called_name(document, call)``: the name of the template a call runs (for display).
* ``task_graph(at)``: the tasks of a DAG template and who waits for whom, with
  `depends` parsed once (`depends` when set, else `dependencies`, as Argo
  reads them); ``TaskGraph`` offers the algorithms (cycles, levels, critical
  path, redundant edges, ancestors: who waits for whom, directly or not).
* ``find_cycles(graph)``: cycles of a small named graph (containerSet containers).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from ..slots import FrozenRecord, Record
from . import model
from ..lang.depends import is_dynamic as _depends_dynamic, references
from ..finding import NodePath
from .model import as_dict, as_list, as_str
from ..lazyre import lazy_compile

LIBRARY_KINDS = ("WorkflowTemplate", "ClusterWorkflowTemplate")
RUNNABLE_KINDS = ("Workflow", "CronWorkflow")


def dynamic(value: Any) -> bool:
    """A name built from placeholders, known only at run time."""
    return isinstance(value, str) and "{{" in value


# -- holders: where templates callable by name live ------------------------------

class Holder:
    """The templates callable by name from a template: those of the checked
    document (``entry`` None), or of a WorkflowTemplate reached by reference."""

    def __init__(self, entry, label: Optional[str], templates: List[Tuple[NodePath, Dict]]):
        self.entry = entry            # the IndexEntry, or None for the checked document
        self.label = label            # None for the checked document; "WorkflowTemplate `lib`" otherwise
        self.ordered = templates      # (path in the holder, template), in file order
        self.by_name: Dict[str, Tuple[NodePath, Dict]] = {}
        by_name = self.by_name
        for item in templates:
            name = item[1].get("name")
            if type(name) is str and name and name not in by_name:
                by_name[name] = item

    @property
    def own(self) -> bool:
        return self.entry is None

    def names(self) -> List[str]:
        return list(self.by_name)


def _entry_templates(entry) -> List[Tuple[NodePath, Dict]]:
    return [(("spec", "templates", i), t) for i, t in enumerate(as_list(entry.spec.get("templates")))
            if isinstance(t, dict)]


class Target(FrozenRecord):
    """What a call (or a root) runs.

    ``how``: "template" (by name), "inline", "onExit" (the call's exit
    handler) or "templateRef". ``field`` is the path of the referring field in
    the document that holds the call. ``holder``/``path``/``template`` locate
    the callee; they are None when it is not found, and then ``missing`` says
    why: "unknown" (no such template), "dynamic" (a name set at run time),
    "opaque" (declared in the config by name only) or "no-index"."""

    __slots__ = ("how", "field", "holder", "path", "template", "name", "missing", "ref")

    how: str
    field: NodePath
    holder: Optional[Holder]
    path: Optional[NodePath]
    template: Optional[Dict]
    name: Optional[str]
    missing: Optional[str]
    ref: Optional[Dict]       # the templateRef mapping, for "templateRef"

    def __init__(self, how, field, holder=None, path=None, template=None, name=None, missing=None, ref=None):
        self.how = how
        self.field = field
        self.holder = holder
        self.path = path
        self.template = template
        self.name = name
        self.missing = missing
        self.ref = ref

    @property
    def found(self) -> bool:
        return self.template is not None


class CallGraph:
    """The call graph of one document, seen through the project index."""

    def __init__(self, document, index=None):
        self.document = document
        self.index = index
        self.base, self.spec = model.spec(document)
        self.own = Holder(None, None, [(at.path, at.template) for at in model.templates(document)])
        self._holders: Dict[int, Holder] = {}
        self._run_holder = None
        self._run_resolved = False

    # -- holders -------------------------------------------------------------

    def holder_of(self, entry) -> Holder:
        """The Holder for an index entry (one per entry, for the whole run)."""
        key = id(entry)
        found = self._holders.get(key)
        if found is None:
            found = self._holders[key] = Holder(entry, f"{entry.kind} `{entry.name}`", _entry_templates(entry))
        return found

    def workflow_template_ref(self):
        """The IndexEntry a `workflowTemplateRef` names, or None (none set, not found, dynamic)."""
        if not self._run_resolved:
            self._run_resolved = True
            ref = self.spec.get("workflowTemplateRef")
            if ref is not None and self.index is not None:
                self._run_holder = self.index.resolve_workflow_template_ref(self.document, ref)
        return self._run_holder

    def effective_spec(self) -> Dict:
        """The spec a run uses: with a `workflowTemplateRef` that resolves, the
        WorkflowTemplate's spec under the document's (the document wins,
        mappings merged), as Argo merges them; else the document's own."""
        found = self.__dict__.get("_effective")
        if found is None:
            entry = self.workflow_template_ref()
            found = self.spec
            if entry is not None and not entry.opaque:
                found = merge_specs(entry.spec, self.spec)
            self._effective = found
        return found

    def run_holder(self) -> Holder:
        """Where entrypoint, `onExit` and hooks look templates up: the
        WorkflowTemplate of a `workflowTemplateRef` when it resolves, else the document."""
        entry = self.workflow_template_ref()
        if entry is not None and not entry.opaque:
            return self.holder_of(entry)
        return self.own

    # -- resolution ------------------------------------------------------------

    def by_name(self, holder: Holder, how: str, name: Any, field: NodePath) -> Target:
        if not isinstance(name, str) or not name:
            return Target(how, field, name=None, missing="unknown")
        if dynamic(name):
            return Target(how, field, name=name, missing="dynamic")
        found = holder.by_name.get(name)
        if found is None:
            return Target(how, field, name=name, missing="unknown")
        return Target(how, field, holder, found[0], found[1], name=name)

    def resolve_ref(self, ref: Any, field: NodePath) -> Target:
        """A `templateRef`, through the project index."""
        ref = as_dict(ref)
        name, template = as_str(ref.get("name")), as_str(ref.get("template"))
        if self.index is None:
            return Target("templateRef", field, name=template, missing="no-index", ref=ref)
        if name and template and (dynamic(name) or dynamic(template)):
            return Target("templateRef", field, name=template, missing="dynamic", ref=ref)
        resolved = self.index.resolve_ref(self.document, ref)
        if resolved is None:
            return Target("templateRef", field, name=template, missing="unknown", ref=ref)
        if resolved.opaque:
            return Target("templateRef", field, name=template, missing="opaque", ref=ref)
        holder = self.holder_of(resolved.entry)
        return Target("templateRef", field, holder, resolved.path, resolved.template, name=template, ref=ref)

    def of_call(self, what: str, holder: Holder, call: model.Call):
        """``targets``, ``runs`` or ``callee`` (``what``) of a ``model.Call``,
        worked out once per call and holder: several rules and walks ask the
        same. Kept on the Call, which the document's memo keeps (like
        ``model.calls``, this holds because the data does not change during a
        run); the holder is kept and compared, so another graph's never
        matches. The answer is shared: do not change the list."""
        memo = call.__dict__.get("_graph_answers")
        if memo is None:
            memo = {}
            object.__setattr__(call, "_graph_answers", memo)
        key = (what, id(holder))
        found = memo.get(key)
        if found is not None and found[0] is holder:
            return found[1]
        answer = getattr(self, what)(holder, call.path, call.body)
        memo[key] = (holder, answer)
        return answer

    def targets(self, holder: Holder, path: NodePath, body: Dict) -> List[Target]:
        """What a step, task or hook at ``path`` (in ``holder``) runs, in Argo's
        order: its `template`, `inline` template, `onExit` handler, `templateRef`.
        Only the fields that are set appear."""
        out = []
        if isinstance(body.get("template"), str):
            out.append(self.by_name(holder, "template", body["template"], path + ("template",)))
        inline = body.get("inline")
        if isinstance(inline, dict):
            out.append(Target("inline", path + ("inline",), holder, path + ("inline",), inline,
                              name=as_str(body.get("name"))))
        on_exit = body.get("onExit")
        if isinstance(on_exit, str):
            out.append(self.by_name(holder, "onExit", on_exit, path + ("onExit",)))
        if "templateRef" in body:
            out.append(self.resolve_ref(body.get("templateRef"), path + ("templateRef",)))
        return out

    def callee(self, holder: Holder, path: NodePath, body: Dict) -> Optional[Target]:
        """The one template a step, task or hook runs, by Argo's precedence
        (templateresolution's GetTemplate): `inline`, else `templateRef`, else
        `template`; None when it names none. (Its `onExit` is a second call:
        see ``targets``.)"""
        inline = body.get("inline")
        if isinstance(inline, dict):
            return Target("inline", path + ("inline",), holder, path + ("inline",), inline,
                          name=as_str(body.get("name")))
        if body.get("templateRef") is not None:
            return self.resolve_ref(body.get("templateRef"), path + ("templateRef",))
        name = body.get("template")
        if isinstance(name, str) and name:
            return self.by_name(holder, "template", name, path + ("template",))
        return None

    def runs(self, holder: Holder, path: NodePath, body: Dict) -> List[Target]:
        """What a step, task or hook at ``path`` runs when Argo runs it: its
        ``callee`` (by Argo's precedence), then its `onExit` handler."""
        out = []
        callee = self.callee(holder, path, body)
        if callee is not None:
            out.append(callee)
        on_exit = body.get("onExit")
        if isinstance(on_exit, str):
            out.append(self.by_name(holder, "onExit", on_exit, path + ("onExit",)))
        return out

    def ref_holder(self, ref: Any) -> Optional[Any]:
        """The IndexEntry of the WorkflowTemplate (or ClusterWorkflowTemplate)
        a `templateRef` names, whatever template it asks for; None when it is
        not found, dynamic, or there is no index."""
        if self.index is None:
            return None
        return self.index.resolve_workflow_template_ref(self.document, ref)

    def calls(self, holder: Holder, path: NodePath, template: Dict) -> List[model.Call]:
        """Steps, tasks and their hooks of a template of ``holder``."""
        return model.calls_of(self.document, path, template)

    def roots(self) -> List[Tuple[str, Any]]:
        """Where a run starts, as ("target", Target) for the entrypoint and
        `onExit`, ("hook", Call) for the workflow's hooks, and ("template",
        (path, template)) for every template of a library (a WorkflowTemplate
        without `workflowTemplateRef`, whose templates others call) or of a
        workflow whose entrypoint does not resolve."""
        holder = self.run_holder()
        spec = self.effective_spec()
        out: List[Tuple[str, Any]] = []
        entry = spec.get("entrypoint")
        library = self.document.kind in LIBRARY_KINDS and self.spec.get("workflowTemplateRef") is None
        if not library and isinstance(entry, str) and entry and not dynamic(entry) and entry in holder.by_name:
            out.append(("target", self.by_name(holder, "entrypoint", entry, self.base + ("entrypoint",))))
        else:
            out.extend(("template", item) for item in holder.ordered)
        on_exit = spec.get("onExit")
        if isinstance(on_exit, str) and on_exit in holder.by_name:
            out.append(("target", self.by_name(holder, "onExit", on_exit, self.base + ("onExit",))))
        for hook in model.hooks(self.base, spec):
            out.append(("hook", hook))
        return out

    # -- walks ---------------------------------------------------------------

    def walk(self, roots: Iterable[Tuple[Holder, str, Any, Any]], descend=None,
             seen_key=None, follow: str = "targets") -> Iterator[Tuple[str, Tuple]]:
        """A depth-first walk without recursion. ``roots``: (holder, kind,
        item, context) with kind "template" (item: (path, template)) or
        "call" (item: a model.Call). Yields, in the order a recursive walk
        would:

        * ("template", (holder, path, template, context)) on entering a
          template not entered before under ``seen_key(holder, path,
          context)`` (default: the holder and path);
        * ("target", (holder, call, target, context)) for each target of
          each call, before the walk enters it.

        ``context`` is the caller's: ``descend(holder, call, target,
        context)`` gives the context of the template a found target enters
        (default: unchanged). ``follow``: "targets" follows every target of a
        call (``targets``: whatever a field names, for conservative answers
        such as permissions); "runs" only what Argo runs (``runs``: the callee
        by precedence and the `onExit` handler); "callee" only the callee."""
        of_call = self.of_call
        if follow == "targets":
            def targets_of(holder, call):
                return of_call("targets", holder, call)
        elif follow == "runs":
            def targets_of(holder, call):
                return of_call("runs", holder, call)
        else:
            def targets_of(holder, call):
                callee = of_call("callee", holder, call)
                return () if callee is None else (callee,)
        seen: Set = set()
        work: List[Tuple] = [(kind, holder, item, context) for holder, kind, item, context in roots]
        work.reverse()
        push, pop, calls_of = work.append, work.pop, self.calls
        while work:
            kind, holder, item, context = pop()
            if kind == "template":
                path, template = item
                key = (id(holder), path) if seen_key is None else seen_key(holder, path, context)
                if key in seen:
                    continue
                seen.add(key)
                yield "template", (holder, path, template, context)
                # The targets of its calls, last first: the same order as stacking the calls and
                # taking each one's targets when it comes up (``targets_of`` is a pure look-up).
                for call in reversed(calls_of(holder, path, template)):
                    for target in reversed(targets_of(holder, call)):
                        push(("target", holder, (call, target), context))
            elif kind == "call":
                for target in reversed(targets_of(holder, item)):
                    push(("target", holder, (item, target), context))
            else:
                call, target = item
                yield "target", (holder, call, target, context)
                if target.template is not None:      # target.found
                    inner = context if descend is None else descend(holder, call, target, context)
                    push(("template", target.holder, (target.path, target.template), inner))

    def root_items(self, context=None) -> List[Tuple[Holder, str, Any, Any]]:
        """``roots()`` as the roots of ``walk``."""
        holder = self.run_holder()
        out = []
        for kind, item in self.roots():
            if kind == "target":
                out.append((holder, "template", (item.path, item.template), context))
            elif kind == "template":
                out.append((holder, "template", item, context))
            else:
                out.append((holder, "call", item, context))
        return out

    def reachable(self) -> List[Tuple[Holder, NodePath, Dict]]:
        """Templates reachable from the roots (entrypoint, `onExit`, the
        workflow's hooks; every template of a library), across files, in walk order."""
        found = self.__dict__.get("_reached")
        if found is None:
            found = self._reached = self._reachable()
        return found

    def _reachable(self):
        return [(h, p, t) for event, (h, p, t, _) in self.walk(self.root_items()) if event == "template"]

    def reached_names(self, roots: Iterable[str]) -> frozenset:
        """Names of the document's own top-level templates that run when the
        templates named ``roots`` run (following ``runs``: callees and `onExit`
        handlers, inline templates included; a `templateRef` leaves the
        document). A root that names no template reaches nothing."""
        items = []
        for name in roots:
            found = self.own.by_name.get(name) if isinstance(name, str) else None
            if found is not None:
                items.append((self.own, "template", found, None))
        top = {at.path for at in model.templates(self.document)}
        out = set()
        for event, (holder, path, template, _) in self.walk(items, follow="runs"):
            if event == "template" and holder is self.own and path in top:
                name = as_str(template.get("name"))
                if name:
                    out.add(name)
        return frozenset(out)

    def unreachable(self) -> List[model.TemplateAt]:
        """Top-level templates of the document no root reaches (only for a
        runnable document whose entrypoint resolves locally)."""
        reached = {p for h, p, _ in self.reachable() if h is self.own}
        return [at for at in model.templates(self.document) if at.path not in reached]


def graph_of(document, index=None) -> CallGraph:
    """The document's CallGraph, built once per document and index."""
    memo = getattr(document, "memo", None)
    if memo is None:        # a stand-in document without a memo
        return CallGraph(document, index)
    graphs = memo.get("callgraph")      # (not a try: the first call for each document would raise)
    if graphs is None:
        graphs = memo["callgraph"] = []
    for graph in graphs:
        if graph.index is index:
            return graph
    graph = CallGraph(document, index)
    graphs.append(graph)
    return graph


def called_name(document, call: model.Call) -> Optional[str]:
    """The name of the template a step, task or hook of ``document``'s own
    templates runs, by Argo's precedence (the `templateRef`'s `template`, else
    `template`), found or not; None for an inline template or none named."""
    graph = graph_of(document)
    target = graph.callee(graph.own, call.path, call.body)
    if target is None or target.how == "inline":
        return None
    return target.name


def merge_specs(base: Dict, top: Dict) -> Dict:
    """A WorkflowTemplate's spec under a Workflow's (the Workflow wins, mappings
    merged), without recursion (the mappings nest as deep as the YAML does)."""
    out = dict(base)
    work = [(out, top)]
    while work:
        target, overlay = work.pop()
        for key, value in overlay.items():
            if isinstance(value, dict) and isinstance(target.get(key), dict):
                merged = target[key] = dict(target[key])
                work.append((merged, value))
            else:
                target[key] = value
    return out


# -- DAG task graphs -------------------------------------------------------------

class TaskGraph(Record):
    """The tasks of one DAG: nodes are task names, numbered in file order (a
    repeated or dynamic name is not a node); ``deps[i]``: the nodes task i
    waits for, as Argo reads them (`depends` when set, else
    `dependencies`); ``after[j]``: the tasks that wait for j."""

    __slots__ = ("calls", "index", "deps", "after", "__dict__")   # (a dict for the memos: ancestors, dynamic)
    _FIELDS = ("calls", "index", "deps", "after")

    calls: List[model.Call]
    index: Dict[str, int]
    deps: List[Set[int]]
    after: List[List[int]]

    def __init__(self, calls, index, deps, after=None):
        self.calls = calls
        self.index = index
        self.deps = deps
        self.after = [] if after is None else after

    @property
    def names(self) -> List[str]:
        return [call.name for call in self.calls]

    def __len__(self) -> int:
        return len(self.calls)

    def where(self, i: int, target: str) -> Tuple[NodePath, Optional[Tuple[int, int]]]:
        """(path, span) of the first place where task i names task ``target``."""
        call = self.calls[i]
        depends = call.body.get("depends")
        if isinstance(depends, str) and depends != "":
            for ref in references(depends):
                if ref.task == target:
                    return call.path + ("depends",), (ref.start, ref.task_end)
        for j, dep in enumerate(model.as_list(call.body.get("dependencies"))):
            if dep == target:
                return call.path + ("dependencies", j), None
        return call.path, None

    def edges(self) -> List[Tuple[int, int]]:
        """(dependency, dependent) pairs, in file order of the dependent."""
        return [(j, i) for i, targets in enumerate(self.deps) for j in sorted(targets)]

    def topological(self) -> Tuple[List[int], List[int]]:
        """Kahn's algorithm: (an order in which the tasks can run, the tasks
        stuck in or behind a cycle)."""
        n = len(self.calls)
        pending = [len(t) for t in self.deps]
        order: List[int] = []
        ready = [i for i in range(n) if pending[i] == 0]
        while ready:
            j = ready.pop()
            order.append(j)
            for i in self.after[j]:
                pending[i] -= 1
                if pending[i] == 0:
                    ready.append(i)
        return order, [i for i in range(n) if pending[i] > 0]

    def strongly_connected(self, nodes: Sequence[int]) -> List[List[int]]:
        return strongly_connected(nodes, self.after, len(self.calls))

    def levels(self) -> Optional[List[int]]:
        """Each task's level (0: waits for nothing; else 1 + its deepest
        dependency's), or None when the DAG has a cycle."""
        order, stuck = self.topological()
        if stuck:
            return None
        level = [0] * len(self.calls)
        for j in _kahn_order(self):
            for i in self.after[j]:
                if level[j] + 1 > level[i]:
                    level[i] = level[j] + 1
        return level

    def critical_path(self) -> Optional[List[int]]:
        """The longest chain of tasks that must run one after another (ties:
        the first in file order), or None when the DAG has a cycle."""
        if not self.calls or self.topological()[1]:
            return None if self.calls else []
        best = [1] * len(self.calls)
        prev: List[Optional[int]] = [None] * len(self.calls)
        for j in _kahn_order(self):
            for i in self.after[j]:
                if best[j] + 1 > best[i] or (best[j] + 1 == best[i] and prev[i] is not None and j < prev[i]):
                    best[i], prev[i] = best[j] + 1, j
        end = max(range(len(best)), key=lambda i: (best[i], -i))
        chain = []
        node: Optional[int] = end
        while node is not None:
            chain.append(node)
            node = prev[node]
        chain.reverse()
        return chain

    def implied(self) -> List[Tuple[int, int, int]]:
        """(j, i, k): task i waits for j directly although it also waits for
        k, which itself waits for j, directly or through other tasks. Only
        where leaving j out cannot change when i runs: i's and every
        intermediate task's condition is a plain conjunction (`a && b`, or
        `dependencies`), so a failed or omitted j stops the chain as surely as
        the direct dependency. Empty when the DAG has a cycle."""
        if all(len(targets) < 2 for targets in self.deps) or self.topological()[1]:
            return []     # (a task that waits for one task only cannot wait for it twice)
        plain = [_plain(call) for call in self.calls]
        order = _kahn_order(self)
        ancestors = [0] * len(self.calls)      # bit sets, through plain tasks only
        for i in order:
            if plain[i]:
                bits = 0
                for j in self.deps[i]:
                    bits |= ancestors[j] | (1 << j)
                ancestors[i] = bits
        out = []
        for i, targets in enumerate(self.deps):
            if len(targets) < 2 or not plain[i]:
                continue
            for j in sorted(targets):
                for k in sorted(targets):
                    if k != j and plain[k] and ancestors[k] >> j & 1:
                        out.append((j, i, k))
                        break
        return out

    def ancestors(self) -> List[int]:
        """Each task's transitive dependencies, as a bit set of node numbers.
        Works with cycles too: one iterative depth-first pass in file order,
        where an edge that closes a cycle is ignored (`dag-cycle` reports it)."""
        found = self.__dict__.get("_ancestors")
        if found is not None:
            return found
        n = len(self.calls)
        deps = [sorted(d) for d in self.deps]
        result = [0] * n
        state = [0] * n          # 0 new, 1 on the stack, 2 done
        for root in range(n):
            if state[root]:
                continue
            stack = [(root, 0)]
            state[root] = 1
            while stack:
                node, i = stack[-1]
                mine = deps[node]
                if i < len(mine):
                    stack[-1] = (node, i + 1)
                    dep = mine[i]
                    if state[dep] == 0:
                        state[dep] = 1
                        stack.append((dep, 0))
                    continue
                bits = 0
                for dep in mine:
                    if state[dep] == 2:
                        bits |= result[dep] | (1 << dep)
                result[node] = bits
                state[node] = 2
                stack.pop()
        self._ancestors = result
        return result

    def waits_for(self, call: model.Call, name: str) -> bool:
        """Does ``call`` (a task of this DAG, a node or not: a repeated name)
        wait, directly or not, for the task named ``name``?"""
        j = self.index.get(name)
        if j is None:
            return False
        ancestors = self.ancestors()
        i = self.index.get(call.name) if call.name is not None else None
        if i is not None and self.calls[i].path == call.path:
            return bool(ancestors[i] >> j & 1)
        return any(k == j or ancestors[k] >> j & 1 for k in task_dependencies(call, self.index))

    @cached_property  # asked once per `tasks.X` reference: at 5,000 tasks a scan each time was quadratic
    def dynamic(self) -> bool:
        """Some task's `depends` is built from placeholders: its edges are unknown."""
        return any(isinstance(c.body.get("depends"), str) and _depends_dynamic(c.body["depends"])
                   for c in self.calls)

    def redundant(self) -> List[Tuple[int, int]]:
        """Edges (j, i) where task i waits for j although another of its
        dependencies already waits (directly or not) for j: the transitive
        reduction drops them. Empty when the DAG has a cycle."""
        order, stuck = self.topological()
        if stuck:
            return []
        order = _kahn_order(self)
        position = {node: k for k, node in enumerate(order)}
        # ancestors[i]: every task i waits for, directly or not (bit sets).
        ancestors = [0] * len(self.calls)
        for i in order:
            bits = 0
            for j in self.deps[i]:
                bits |= ancestors[j] | (1 << j)
            ancestors[i] = bits
        out = []
        for i, targets in enumerate(self.deps):
            if len(targets) < 2:
                continue
            through = 0
            for k in targets:
                through |= ancestors[k]
            for j in sorted(targets, key=lambda t: position[t]):
                if through >> j & 1:
                    out.append((j, i))
        return out


_PLAIN = lazy_compile(r"\s*[A-Za-z0-9_][-A-Za-z0-9_]*(?:\s*&&\s*[A-Za-z0-9_][-A-Za-z0-9_]*)*\s*")


def _plain(call: model.Call) -> bool:
    """A task that runs once all its dependencies have succeeded (or were
    skipped): `depends` a conjunction of bare task names, or `dependencies`."""
    depends = call.body.get("depends")
    if isinstance(depends, str) and depends != "":
        return bool(_PLAIN.fullmatch(depends))
    return True


def _kahn_order(graph: TaskGraph) -> List[int]:
    """A topological order that is stable: ready tasks in file order."""
    import heapq
    pending = [len(t) for t in graph.deps]
    ready = [i for i in range(len(graph.calls)) if pending[i] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        j = heapq.heappop(ready)
        order.append(j)
        for i in graph.after[j]:
            pending[i] -= 1
            if pending[i] == 0:
                heapq.heappush(ready, i)
    return order


def task_dependencies(call: model.Call, index: Dict[str, int]) -> Set[int]:
    """The tasks (node numbers) a task waits for, as Argo reads them:
    `depends` when set, else `dependencies`. Unknown and dynamic names are skipped."""
    body = call.body
    depends = body.get("depends")
    if isinstance(depends, str) and depends != "":
        if _depends_dynamic(depends):
            return set()
        return {index[ref.task] for ref in references(depends) if ref.task in index}
    dependencies = body.get("dependencies")
    if not dependencies or type(dependencies) is not list:
        return set()
    return {index[dep] for dep in dependencies if isinstance(dep, str) and dep in index}


def task_graph(at: model.TemplateAt) -> TaskGraph:
    """The task graph of a DAG template, built once."""
    return model._memo_on(at, "_task_graph", lambda: _task_graph(at))


def _task_graph(at: model.TemplateAt) -> TaskGraph:
    index: Dict[str, int] = {}
    calls: List[model.Call] = []
    for call in model.tasks(at):
        name = call.body.get("name")      # (Call.name, read directly)
        if type(name) is str and name and "{{" not in name and name not in index:
            index[name] = len(calls)
            calls.append(call)
    deps = [task_dependencies(call, index) for call in calls]
    after: List[List[int]] = [[] for _ in calls]
    for i, targets in enumerate(deps):
        for j in targets:
            after[j].append(i)
    return TaskGraph(calls, index, deps, after)


def dags(document) -> List[model.TemplateAt]:
    """The DAG templates of a document, inline ones included (found once per
    document: several rules ask). The list is shared: do not change it."""
    memo = getattr(document, "memo", None)
    found = memo.get("dags") if memo is not None else None
    if found is None:
        found = [at for at in model.all_templates(document) if isinstance(at.template.get("dag"), dict)]
        if memo is not None:
            memo["dags"] = found
    return found


# -- generic graph algorithms (iterative) ---------------------------------------

def strongly_connected(nodes: Sequence[int], after: Sequence[Sequence[int]], n: int) -> List[List[int]]:
    """Tarjan's algorithm without recursion, over ``nodes`` (of 0..n-1) only;
    components sorted, each sorted."""
    allowed = [False] * n
    for node in nodes:
        allowed[node] = True
    number = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: List[int] = []
    components: List[List[int]] = []
    counter = 0
    for root in nodes:
        if number[root] >= 0:
            continue
        work = [(root, 0)]
        while work:
            node, k = work.pop()
            if k == 0:
                number[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack[node] = True
            successors = after[node]
            descended = False
            while k < len(successors):
                nxt = successors[k]
                k += 1
                if not allowed[nxt]:
                    continue
                if number[nxt] < 0:
                    work.append((node, k))
                    work.append((nxt, 0))
                    descended = True
                    break
                if on_stack[nxt] and number[nxt] < low[node]:
                    low[node] = number[nxt]
            if descended:
                continue
            if low[node] == number[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack[member] = False
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
            if work:
                parent = work[-1][0]
                if low[node] < low[parent]:
                    low[parent] = low[node]
    components.sort()
    return components


def find_cycles(graph: Dict[str, List[str]]) -> Iterator[List[str]]:
    """Cycles met by a depth-first walk of ``graph`` (name -> the names it
    points at; names outside the graph are ignored), each as the path
    ``[a, b, ..., a]``, one per set of members, in walk order. Iterative."""
    state: Dict[str, int] = {}
    reported: Set[frozenset] = set()
    for root in graph:
        if state.get(root) is not None:
            continue
        stack: List[str] = [root]
        on_path: Dict[str, int] = {root: 0}
        state[root] = 1
        work = [(root, 0)]
        while work:
            node, k = work[-1]
            successors = graph.get(node, ())
            if k >= len(successors):
                work.pop()
                stack.pop()
                del on_path[node]
                state[node] = 2
                continue
            work[-1] = (node, k + 1)
            dep = successors[k]
            if dep not in graph:
                continue
            seen = state.get(dep)
            if seen == 1:
                cycle = stack[on_path[dep]:] + [dep]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    yield cycle
            elif seen is None:
                state[dep] = 1
                on_path[dep] = len(stack)
                stack.append(dep)
                work.append((dep, 0))
