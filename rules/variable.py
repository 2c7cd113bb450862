"""Every `{{...}}` placeholder, `{{=...}}` expression and `when` condition
resolves where Argo evaluates it."""

import re
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple

from wflint.argo.index import memoized
from wflint.lang import tags, when
from wflint.argo import model
from wflint import fix as fixes
from wflint.finding import finding
from wflint.argo.model import as_dict, as_list, as_str
from wflint.argo.scope import (BODY, CRON, HTTP, METRICS, OUTPUTS, RETRY, ROOTS, SPEC, SPEC_METRICS,
                          STEP, TARGET, TASK, DocScope, Place, TemplateScope)
from wflint.suggest import closest
from wflint.lazyre import lazy_compile

ID = "variable"
SEVERITY = "error"
SUMMARY = "Every `{{...}}` placeholder, `{{=...}}` expression and `when` resolves where Argo evaluates it."

ERROR, WARNING, INFO = "error", "warning", "info"
# Spec fields that hold no placeholders of their own, or are checked elsewhere.
SPEC_SKIP = frozenset({"templates", "templateDefaults", "entrypoint", "onExit", "workflowTemplateRef"})
# Fields of a step or task checked by other rules (`depends`) or walked separately.
CALL_SKIP = frozenset({"inline", "depends", "dependencies"})


def _expr():
    """wflint.lang.expr, imported when a document first holds an expression:
    many runs meet none, and its parser's classes cost start-up time."""
    from wflint.lang import expr
    return expr


@lru_cache(maxsize=4096)
def _reads_of(source: str):
    """``expr.reads(source)`` of an expression that parses, once per distinct source (each copy of
    a file repeats them); the answer is only read."""
    return _expr().reads(source)


def check(document, context):
    checker = _Checker(document, DocScope(document, context.index))
    try:
        checker.run()
    finally:
        # (also what was found before a crash, as if each finding had been yielded when found)
        yield from checker.found


class _Checker:
    def __init__(self, document, doc: DocScope):
        self.document = document
        self.doc = doc
        self.call_places: Dict[tuple, Place] = {}      # step/task path -> its place, for inline templates
        # The findings, in order. The checks add to it rather than yield: a generator per field and
        # string, nested five deep, cost more than the checks themselves.
        self.found: List = []
        # Strings whose tags are all `workflow.*` variables that resolve: they resolve in any place of the
        # document (what `workflow.*` means does not depend on the template or step, `workflow.failures`
        # aside), so another copy (a parameter passed to every step) is not checked again.
        self.resolved_anywhere = set()

    def _report(self, path, message: str, **details) -> None:
        self.found.append(finding(path, message, **details))

    # -- the document --------------------------------------------------------

    def run(self) -> None:
        if _may_hold_checks(self.document):
            self._own_fields()
        self._referenced_parameters()

    def _own_fields(self) -> None:
        doc = self.doc
        base, spec = doc.base, doc.spec
        top_level = model.templates(self.document)
        for at in model.all_templates(self.document):
            # Most templates hold no tag, no condition and no brace-less expression: the pre-test skips
            # them; one that declares inputs nearly always reads them, so the test would only cost there.
            if "inputs" not in at.template and _nothing_to_check(at.template):
                continue
            position = at.path[len(base) + 1]
            top = top_level[position].name if isinstance(position, int) and position < len(top_level) else None
            self._template(TemplateScope(doc, at, top))
        self._spec(base, spec)
        if self.document.kind == "CronWorkflow":
            self._cron()

    # -- workflow parameters read by templates of other documents ---------------

    def _referenced_parameters(self) -> None:
        """A template reached through `templateRef` reads `workflow.parameters`
        of the *calling* workflow; one reached through `workflowTemplateRef`
        of the merged arguments."""
        doc = self.doc
        if doc.template_kind:
            return
        calls = model.ref_calls(self.document)
        if not calls and doc.referenced is None:
            return            # (most documents: nothing read from elsewhere)
        if doc.any_parameters:
            return
        self._uses_cache: Dict[int, Tuple[Dict, frozenset]] = {}
        self._direct_uses = _reads_cache(doc.index)
        graph = doc.graph
        for call in calls:
            ref = call.body.get("templateRef")
            if ref is None:
                continue
            target = graph.of_call("callee", graph.own, call)    # (kept on the Call: other rules ask it too)
            if target is None or target.how != "templateRef":      # an inline template goes first
                target = graph.resolve_ref(ref, call.path + ("templateRef",))
            if not target.found:
                continue   # not found, dynamic, or declared by name only (nothing known inside)
            ref = as_dict(ref)
            label = f"`{ref.get('name')}/{ref.get('template')}`"
            uses = self._uses(target.holder, target.path, target.template)
            self._missing(uses, call.path + ("templateRef",),
                          f"{label} reads `workflow.parameters.{{name}}`, which this workflow's "
                          f"arguments do not declare (through `templateRef`, the WorkflowTemplate's "
                          f"own `spec.arguments` do not apply)")
        if doc.referenced is not None:
            uses = set()
            holder = graph.holder_of(doc.referenced)
            for path, template in holder.ordered:
                uses |= self._uses(holder, path, template)
            self._missing(frozenset(uses), doc.base + ("workflowTemplateRef",),
                          f"WorkflowTemplate `{doc.referenced.name}` reads "
                          f"`workflow.parameters.{{name}}`, which neither its arguments nor this "
                          f"workflow's declare")

    def _missing(self, uses, path, message: str) -> None:
        reported = set()
        for name, simple in sorted(uses, key=lambda u: (u[0], not u[1])):
            if name in self.doc.parameters or name == "json" or name in reported:
                continue
            reported.add(name)
            mean = _mean(name, self.doc.parameters)
            self._report(path, message.format(name=name) + mean,
                         hint=f"add `{name}` to `spec.arguments.parameters`",
                         severity=ERROR if simple else WARNING)

    def _uses(self, holder, path, template: Dict) -> frozenset:
        """(name, from a simple tag) of every `workflow.parameters.NAME` that
        ``template`` (at ``path`` in ``holder``) and the templates it runs read
        (the call graph's callees, across files)."""
        cached = self._uses_cache.get(id(template))
        if cached is not None:
            return cached[1]
        found = set()
        graph = self.doc.graph
        for event, item in graph.walk([(holder, "template", (path, template), None)], follow="callee"):
            if event == "template":
                found |= self._reads(item[2])
        result = frozenset(found)
        self._uses_cache[id(template)] = (template, result)
        return result

    def _reads(self, template: Dict) -> frozenset:
        """(name, from a simple tag) of every `workflow.parameters.NAME` in ``template`` itself."""
        cached = self._direct_uses.get(id(template))
        if cached is not None:
            return cached[1]
        found = set()
        stack = [template]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, str) and "{{" in node:
                for tag in tags.scan(node).tags:
                    if tag.kind == tags.SIMPLE and tag.key.startswith("workflow.parameters."):
                        found.add((tag.key[len("workflow.parameters."):], True))
                    elif tag.kind == tags.EXPRESSION and _expr().check(tag.expression) is None:
                        for reference in _reads_of(tag.expression).references:
                            names = reference.names
                            if len(names) > 2 and names[:2] == ("workflow", "parameters") and not reference.guarded:
                                found.add((names[2], False))
        result = frozenset(found)
        self._direct_uses[id(template)] = (template, result)
        return result

    def _spec(self, base, spec: Dict) -> None:
        self._fields(spec, base, Place(self.doc, None, SPEC, checked=False), _SPEC_FIELDS, SPEC_SKIP)

    def _spec_hooks(self, hooks, path, place: Place) -> None:
        for name, hook in as_dict(hooks).items():
            hook_place = Place(self.doc, None, SPEC, checked=False, in_hook=True, exit_hook=name == "exit")
            self._fields(as_dict(hook), path + (name,), hook_place, _HOOK_FIELDS)

    def _spec_metrics(self, metrics, path, place: Place) -> None:
        self._metrics(metrics, path, Place(self.doc, None, SPEC_METRICS, checked=False))

    def _spec_volumes(self, volumes, path, place: Place) -> None:
        # substituted again for each step, task and pod, in its scope
        self._walk(volumes, path, Place(self.doc, None, SPEC, checked=False, per_pod=True))

    def _workflow_metadata(self, value, path, place: Place) -> None:
        for label, source in as_dict(as_dict(value).get("labelsFrom")).items():
            expression = as_dict(source).get("expression")
            self._bare(expression, path + ("labelsFrom", label, "expression"), place)
        for sub in ("labels", "annotations"):
            self._walk(as_dict(value).get(sub), path + (sub,), place)

    def _cron(self) -> None:
        spec = as_dict(as_dict(self.document.data).get("spec"))
        place = Place(self.doc, None, CRON, checked=False)
        if "when" in spec:
            self._when(spec["when"], ("spec", "when"), place, bare_words=False)
        stop = as_dict(spec.get("stopStrategy"))
        if "expression" in stop:
            self._bare(stop["expression"], ("spec", "stopStrategy", "expression"), place)
        meta = spec.get("workflowMetadata")
        self._walk(meta, ("spec", "workflowMetadata"), Place(self.doc, None, SPEC, checked=False))

    # -- templates -------------------------------------------------------------

    def _template(self, ts: TemplateScope) -> None:
        outer = self.call_places.get(ts.at.owner) if ts.at.inline else None
        body = Place(self.doc, ts, BODY, checked=ts.checked_body, outer=outer)
        self._fields(ts.template, ts.at.path, body, _TEMPLATE_FIELDS)

    # Each gets the field's value and path, and the template's `body` place (whose
    # `template` is the TemplateScope and `outer` the step that holds an inline template).

    def _steps(self, value, path, body: Place) -> None:
        ts = body.template
        if ts.steps is None:      # `steps` beside the template's type: plain fields
            self._walk(value, path, body)
            return
        for member in ts.steps.order:
            place = Place(self.doc, ts, STEP, checked=True, member=member)
            self.call_places[member.path] = place
            self._fields(member.body, member.path, place, _CALL_FIELDS, CALL_SKIP)

    def _dag(self, dag, path, body: Place) -> None:
        ts = body.template
        if ts.dag is None:
            self._walk(dag, path, body)
            return
        dag = as_dict(dag)
        for member in ts.dag.order:
            place = Place(self.doc, ts, TASK, checked=True, member=member)
            self.call_places[member.path] = place
            self._fields(member.body, member.path, place, _CALL_FIELDS, CALL_SKIP)
        if "target" in dag:
            self._walk(dag["target"], path + ("target",), Place(self.doc, ts, TARGET, checked=True))

    def _template_outputs(self, outputs, path, body: Place) -> None:
        self._outputs(outputs, path, Place(self.doc, body.template, OUTPUTS, checked=True,
                                           outer=body.outer))

    def _template_metrics(self, metrics, path, body: Place) -> None:
        self._metrics(metrics, path, Place(self.doc, body.template, METRICS, checked=body.checked,
                                           outer=body.outer))

    def _retry_strategy(self, retry, path, body: Place) -> None:
        for sub, item in as_dict(retry).items():
            if sub == "expression":
                self._bare(item, path + (sub,), Place(self.doc, body.template, RETRY, checked=False,
                                                      outer=body.outer))
            else:
                self._walk(item, path + (sub,), body)

    def _resource(self, value, path, body: Place) -> None:
        if not (isinstance(value, dict) and _child_workflow(value.get("manifest"))):
            self._walk(value, path, body)
            return
        child = Place(self.doc, body.template, BODY, checked=body.checked, child_manifest=True, outer=body.outer)
        for sub, item in value.items():
            self._walk(item, path + (sub,), child if sub == "manifest" else body)

    def _http(self, value, path, body: Place) -> None:
        for sub, item in as_dict(value).items():
            if sub == "successCondition":
                self._bare(item, path + (sub,), Place(self.doc, body.template, HTTP, checked=False,
                                                      outer=body.outer))
            else:
                self._walk(item, path + (sub,), body)

    # -- steps, tasks and hooks ----------------------------------------------------

    def _call_hooks(self, hooks, path, place: Place) -> None:
        """A step's or task's hooks: each sees the call itself."""
        for name, hook in as_dict(hooks).items():
            hook_place = Place(place.doc, place.template, place.section, place.checked, member=place.member,
                               in_hook=True)
            self._fields(as_dict(hook), path + (name,), hook_place, _HOOK_FIELDS)

    def _fields(self, mapping: Dict, path, place: Place, handlers: Dict, skip=frozenset()) -> None:
        """Each field of ``mapping`` (at ``path``), in order, but those in
        ``skip``: a field ``handlers`` names goes to its handler, as
        ``handler(self, value, path + (key,), place)``, whatever its value
        (each yields nothing for a value not of its shape, so that is sound);
        any other field is walked, when it may hold a tag at all."""
        for key, value in mapping.items():
            if key in skip:
                continue
            handler = handlers.get(key)
            if handler is not None:
                handler(self, value, path + (key,), place)
            elif value.__class__ is str or isinstance(value, str):
                if "{{" in value:
                    self._string(value, path + (key,), place)
            elif isinstance(value, _CONTAINERS):
                self._walk(value, path + (key,), place)

    def _arguments(self, arguments, path, place: Place) -> None:
        for key, value in as_dict(arguments).items():
            if key not in ("parameters", "artifacts"):
                self._walk(value, path + (key,), place)
                continue
            for i, item in enumerate(as_list(value)):
                if type(item) is not dict:
                    continue
                for field, text in item.items():
                    if field == "fromExpression":
                        self._bare(text, path + (key, i, field), place)
                        continue
                    if isinstance(text, str):
                        if "{{" not in text:
                            continue          # nothing to check in it
                    elif not isinstance(text, (dict, list)):
                        continue
                    where = path + (key, i, field)
                    if (field == "value" and key == "parameters") or (field == "from" and key == "artifacts"):
                        # Argo's validator demands an ancestor for a value that starts `{{tasks.`
                        first = isinstance(text, str) and text.startswith("{{tasks.")
                        if isinstance(text, str):
                            self._string(text, where, place, _strict(place) if first else None)
                        else:
                            self._walk(text, where, place)
                    else:
                        self._walk(text, where, place)

    def _outputs(self, outputs, path, place: Place) -> None:
        for key, value in as_dict(outputs).items():
            if key != "parameters":
                self._walk(value, path + (key,), place)
                continue
            for i, parameter in enumerate(as_list(value)):
                for field, item in as_dict(parameter).items():
                    if field == "valueFrom" and isinstance(item, dict) and "expression" in item:
                        where = path + (key, i, field)
                        for sub, text in item.items():
                            if sub == "expression":
                                self._bare(text, where + (sub,), place)
                            else:
                                self._walk(text, where + (sub,), place)
                    else:
                        self._walk(item, path + (key, i, field), place)

    def _metrics(self, metrics, path, place: Place) -> None:
        for key, value in as_dict(metrics).items():
            if key != "prometheus":
                self._walk(value, path + (key,), place)
                continue
            for i, metric in enumerate(as_list(value)):
                for field, item in as_dict(metric).items():
                    where = path + (key, i, field)
                    if field == "when":
                        self._when(item, where, place)
                    else:
                        self._walk(item, where, place)

    # -- strings -----------------------------------------------------------------

    def _walk(self, node, path, place: Place) -> None:
        """Every string under ``node`` that holds a tag (depth first, last child
        first; nodes that hold nothing to check are never stacked). A stacked
        node comes with its parent's entry and its key, and its path is
        spelled out only for a string that holds a tag: most containers hold none."""
        if isinstance(node, str):
            if "{{" in node:
                self._string(node, path, place)
            return
        if not isinstance(node, _CONTAINERS):
            return
        stack = [(node, None, path)]        # (node, parent entry, key); the root: (node, None, its path)
        push, pop = stack.append, stack.pop
        while stack:
            entry = pop()
            node = entry[0]
            if isinstance(node, str):
                self._string(node, _path_of(entry), place)
                continue
            for key, value in (node.items() if isinstance(node, dict) else enumerate(node)):
                kind = value.__class__
                if kind is str:                 # (the common cases first, without a call)
                    if "{{" in value:
                        push((value, entry, key))
                elif kind is dict or kind is list or isinstance(value, _CONTAINERS) or (
                        isinstance(value, str) and "{{" in value):
                    push((value, entry, key))

    def _string(self, text: str, path, place: Place, strict_first: Optional[Place] = None,
                in_when: bool = False) -> None:
        if text in self.resolved_anywhere:
            return
        scan, plan, global_only = _plan(text)
        anywhere = global_only            # so far, each tag resolves wherever it is in the document
        if scan.unclosed is not None:
            self._report(path, "`{{` is never closed: Argo cannot substitute this string",
                         hint="close the tag with `}}`; a literal `{{` cannot be escaped",
                         span=(scan.unclosed, scan.unclosed + 2),
                         severity=ERROR if place.checked else WARNING)
        first = True
        for tag, action, parts, argo_root in plan:
            if action is _NESTED:
                continue          # its key depends on the inner tag's value
            here = strict_first if (first and strict_first is not None) else place
            first = False
            if action is _NAME:
                miss = here.resolve(parts)
                if miss is not None:
                    anywhere = False
                if in_when and not argo_root and (miss is None or miss.severity == INFO):
                    self.found.append(_literal_in_when(path, tag, miss))
                    continue
                if miss is None:
                    continue
                key = tag.key
                severity = miss.severity or (ERROR if miss.rejected and here.rejected_here(key) else WARNING)
                message, hint = miss.message, miss.hint
                if here.child_manifest:
                    if severity != ERROR:
                        continue      # left in the manifest for the child workflow to resolve
                    message += ("; Argo substitutes the tags of `resource.manifest` with this template's "
                                "variables, and refuses those it cannot resolve, even when meant for the "
                                "workflow the manifest creates")
                    hint = ("create the child from a WorkflowTemplate (`workflowTemplateRef`) and pass values "
                            "as its arguments")
                self._report(path, f"`{{{{{key}}}}}`: {message}", hint=hint,
                             span=(tag.key_start, tag.key_end), severity=severity,
                             fix=_rename_fix(path, text, tag, miss))
            elif action is _EXPRESSION:
                if here.child_manifest:
                    continue          # evaluated with this template's variables, or left for the child
                self._expression(tag.expression, tag.expression_start, path, here)
            elif action is _SPACED:
                self._report(path, f"`{{{{{tag.text}}}}}` is not an expression to Argo: with a space before "
                                   f"`=` it is a simple tag that never resolves and stays in the text",
                             hint=f"write `{{{{={tag.expression.strip()}}}}}`",
                             span=(tag.start, tag.end), severity=WARNING)
            elif action is _EMPTY:
                self._report(path, "empty tag `{{}}`: Argo leaves it in the text", span=(tag.start, tag.end),
                             severity=WARNING)
            elif action is _FOREIGN:
                if in_when:
                    self.found.append(_literal_in_when(path, tag))
                # else not Argo's (Go, Helm, Vault, Kubeflow templates): Argo leaves it as it is
            else:                     # _NOT_A_NAME
                key = tag.key
                self._report(path, f"`{{{{{key}}}}}` is not a variable name: simple tags are looked up "
                                   f"as written, and only expression tags (`{{{{=...}}}}`) understand "
                                   f"`[...]`, calls and operators",
                             hint=f"write `{{{{={key}}}}}`, or the plain name such as "
                                  f"`{{{{{_plain(key)}}}}}`",
                             span=(tag.key_start, tag.key_end),
                             severity=ERROR if here.rejected_here(key) else WARNING)
        if anywhere:
            self.resolved_anywhere.add(text)

    def _expression(self, source: str, offset: int, path, place: Place, placeholders: bool = False) -> None:
        error = _expr().check(source)
        if error is not None:
            hint = "Argo leaves the tag unresolved and the step fails when it runs"
            hyphens = _expr().hyphenated_names(source)
            if hyphens:
                written, bracketed = hyphens[0]
                hint = f"names with `-` need index syntax: write `{bracketed}` for `{written}`"
            elif not placeholders and source.count("{") > source.count("}"):
                hint = "the first `}}` ends a tag, even inside the expression: write `} }` for nested braces"
            self._report(path, f"expression does not parse: {error.message}", hint=hint,
                         span=(offset + error.start, offset + error.end), severity=WARNING)
            return
        reads = _reads_of(source)
        for hyphen in reads.hyphens:
            spaced = source[hyphen.start:hyphen.end].replace("-", " - ")
            span = (offset + hyphen.start, offset + hyphen.end)
            miss = None if hyphen.guarded else place.resolve(hyphen.parts, expression=True)
            if miss is not None and place.resolve(_before_hyphen(hyphen.parts), expression=True) is None:
                # `inputs.parameters.count-1` where `count` exists: perhaps meant as arithmetic
                self._report(path, f"`{hyphen.written}` in an expression is read as `{spaced}`; if it names "
                                   f"a variable, {miss.message}",
                             hint=f"write `{spaced}` with spaces for a subtraction (of numbers: `asInt(...)`), "
                                  f"or `{hyphen.bracketed}` for a name", span=span, severity=WARNING)
                continue
            also = f"; besides, {miss.message}" if miss is not None else ""
            self._report(path, f"`{hyphen.written}` in an expression is a subtraction: expr reads "
                               f"`{spaced}`{also}", hint=f"write `{hyphen.bracketed}`", span=span,
                         severity=ERROR)
        for reference in reads.references:
            if reference.guarded or (placeholders and set(reference.parts[0].name) == {"_"}):
                continue
            miss = place.resolve(reference.names, expression=True)
            if miss is not None:
                text = _expr_text(reference)
                self._report(path, f"`{text}` in an expression: {miss.message}", hint=miss.hint,
                             span=(offset + reference.start, offset + reference.end),
                             severity=INFO if miss.severity == INFO else WARNING)
        for use in reads.functions:
            self._function(use, offset, path)

    def _function(self, use: "expr.FunctionUse", offset: int, path) -> None:
        span = (offset + use.start, offset + use.end)
        if use.namespace == "sprig":
            if use.name in ("env", "expandenv"):
                self._report(path, f"`sprig.{use.name}` is removed from Argo's expressions", span=span,
                             severity=WARNING)
            elif use.name not in _expr().SPRIG:
                match = closest(use.name, _expr().SPRIG)
                if match:
                    self._report(path, f"`sprig.{use.name}` is not a Sprig function; did you mean "
                                       f"`sprig.{match}`?", span=span, severity=WARNING)
            return
        if use.name in _expr().FUNCTIONS:
            return
        match = closest(use.name, _expr().FUNCTIONS)
        mean = f"; did you mean `{match}`?" if match else ""
        self._report(path, f"`{use.name}` is not a function of expr or Argo{mean}",
                     hint="Sprig's functions are called as `sprig.NAME(...)`", span=span, severity=WARNING)

    def _bare(self, value, path, place: Place) -> None:
        """A field that holds an expr-lang expression without braces (after its
        tags, if any, are substituted)."""
        if not isinstance(value, str):
            return
        scan = tags.scan(value)
        if scan.tags or scan.unclosed is not None:
            self._string(value, path, place)
        if scan.unclosed is not None:
            return
        source = tags.substitute(value, scan.tags)
        self._expression(source, 0, path, place, placeholders=True)

    def _when(self, value, path, place: Place, bare_words: bool = True) -> None:
        if not isinstance(value, str):
            self._walk(value, path, place)
            return
        scan = tags.scan(value)
        if scan.tags or scan.unclosed is not None:
            self._string(value, path, place, in_when=place.section != CRON)
        if scan.unclosed is not None:
            return
        outer = _outer(scan.tags)
        holes = [(t.start, t.end) for t in outer]
        for problem in when.check(value, holes, bare_words=bare_words):
            what = {"syntax": "does not parse", "type": "cannot be evaluated",
                    "trap": "will not compare what it looks like"}[problem.kind]
            self._report(path, f"`when` {what}: {problem.message}",
                         hint=problem.hint or "Argo fails the step when it evaluates this condition",
                         span=(problem.start, problem.end), severity=WARNING)
        self._when_values(value, outer, holes, path, place)

    def _when_values(self, text: str, outer, holes, path, place: Place) -> None:
        """An unquoted tag whose value is known not to be one word for govaluate."""
        suspects = []
        for tag in outer:
            if tag.kind == tags.SIMPLE:
                bad = [v for v in _known_values(tag.key, place, self.doc) if not when.value_is_word(v)]
                if bad:
                    suspects.append((tag, bad))
        if not suspects:
            return
        try:
            tokens = when.tokenize(text, holes)
        except when.WhenError:
            return
        bare = {(t.start, t.end) for t in tokens if t.kind == when.PLACEHOLDER}
        for tag, values in suspects:
            if (tag.start, tag.end) not in bare:
                continue
            self._report(path, f"`{{{{{tag.key}}}}}` is not quoted, and its value (such as `{values[0]}`) "
                               f"is not one word to govaluate",
                         hint=f"quote it: '{{{{{tag.key}}}}}'", span=(tag.start, tag.end), severity=WARNING)


# What `_fields` hands to a method rather than walking, per kind of mapping.
_SPEC_FIELDS = {"hooks": _Checker._spec_hooks, "metrics": _Checker._spec_metrics,
                "volumes": _Checker._spec_volumes, "workflowMetadata": _Checker._workflow_metadata}
_TEMPLATE_FIELDS = {"steps": _Checker._steps, "dag": _Checker._dag, "outputs": _Checker._template_outputs,
                    "metrics": _Checker._template_metrics, "retryStrategy": _Checker._retry_strategy,
                    "resource": _Checker._resource, "http": _Checker._http}
_CALL_FIELDS = {"when": _Checker._when, "arguments": _Checker._arguments, "hooks": _Checker._call_hooks}
_HOOK_FIELDS = {"expression": _Checker._bare, "arguments": _Checker._arguments}


# Fields checked even when they hold no tag: conditions and brace-less expressions.
_CHECKED_KEYS = frozenset({"when", "expression", "fromExpression", "successCondition"})
_CONTAINERS = (dict, list)


def _may_hold_checks(document) -> bool:
    """Whether the document's own fields may give this rule anything to
    check: its file's text holds a `{{` or a field name checked without one
    (``_CHECKED_KEYS``; `xpression` stands for both expression fields), or a
    backslash, through which an escape could spell either. A third of real
    workflows hold none: a few substring searches spare them every walk."""
    text = getattr(getattr(document, "source", None), "text", None)
    if not isinstance(text, str):
        return True
    return ("{{" in text or "\\" in text or "when" in text or "xpression" in text
            or "successCondition" in text)


def _nothing_to_check(node) -> bool:
    """No string under ``node`` holds `{{` and no mapping has a field
    checked without one: nothing there can yield a finding. A plain walk
    that stops at the first hit, far cheaper than the scopes and paths the
    checks build (most templates hold nothing to check)."""
    stack = [node]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        if isinstance(node, dict):
            if not _CHECKED_KEYS.isdisjoint(node):
                return False
            node = node.values()
        for value in node:
            kind = value.__class__
            if kind is str:                 # (the common cases first, without a call: a plain string,
                if "{{" in value:           # a mapping, a list)
                    return False
            elif kind is dict or kind is list or isinstance(value, _CONTAINERS):
                push(value)
            elif isinstance(value, str) and "{{" in value:
                return False
    return True


def _global(key: str) -> bool:
    """A simple tag's key whose meaning depends on the document alone: `workflow.X...`, but
    `workflow.failures` (set for exit handlers) and anything written as an expression."""
    return (key.startswith("workflow.") and not key.startswith("workflow.failures")
            and not _looks_like_expression(key))


# What ``_Checker._string`` does with a tag (see ``_plan``).
_NESTED, _NAME, _EXPRESSION, _SPACED, _EMPTY, _FOREIGN, _NOT_A_NAME = (
    "nested", "name", "expression", "spaced", "empty", "foreign", "not-a-name")


@lru_cache(maxsize=16384)
def _plan(text: str):
    """(scan, steps, global_only) for a string holding a tag, worked out once per distinct
    string: the same strings recur (a parameter passed to every step, each copy of a file).
    ``steps``: (tag, action, the names of a plain tag's key, whether its key starts with a root
    Argo knows (``ROOTS``)) for each tag; ``global_only``:
    the string is closed and all its tags are `workflow.*` variables whose meaning does not
    depend on the place (``_global``)."""
    scan = tags.scan(text)
    steps = []
    global_only = scan.unclosed is None
    for tag in scan.tags:
        parts, argo_root = None, False
        if tag.nested:
            action = _NESTED
            global_only = False
        else:
            key = tag.key
            if not (tag.kind == tags.SIMPLE and _global(key)):
                global_only = False
            if tag.spaced_expression:
                action = _SPACED
            elif tag.kind == tags.EXPRESSION:
                action = _EXPRESSION
            elif not key:
                action = _EMPTY
            elif _looks_like_expression(key):
                action = _NOT_A_NAME if _root(key) in ROOTS else _FOREIGN
            else:
                action = _NAME
                parts = tuple(key.split("."))
                argo_root = _root(key) in ROOTS
        steps.append((tag, action, parts, argo_root))
    return scan, tuple(steps), global_only


def _path_of(entry) -> tuple:
    """The path of a ``_Checker._walk`` stack entry."""
    keys = []
    while entry[1] is not None:
        keys.append(entry[2])
        entry = entry[1]
    keys.reverse()
    return entry[2] + tuple(keys)


def _reads_cache(index) -> Dict[int, Tuple[Dict, frozenset]]:
    """``_Checker._reads`` of each template (kept with it, so that its id stays
    its own), shared by every document of the run: many workflows reference
    the same WorkflowTemplates. It depends on the template alone."""
    return memoized(index, ("variable", "reads"), dict)


def _strict(place: Place) -> Place:
    """``place`` for an argument value that starts `{{tasks.`."""
    return Place(place.doc, place.template, place.section, place.checked, member=place.member,
                 in_hook=place.in_hook, exit_hook=place.exit_hook,
                 strict_tasks=place.section == TASK and not place.in_hook, outer=place.outer)


_CHILD_KIND = lazy_compile(r"^[ \t]*kind:\s*[\"']?(Workflow|WorkflowTemplate|ClusterWorkflowTemplate|CronWorkflow)"
                           r"[\"']?\s*$", re.MULTILINE)


def _child_workflow(manifest) -> bool:
    """A resource manifest that creates an Argo workflow, with placeholders of its own."""
    return isinstance(manifest, str) and _CHILD_KIND.search(manifest) is not None


_ROOT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _root(key: str) -> str:
    """The first name of a tag's key (`inputs` of `inputs.parameters['x']`); empty when the key does
    not start with a name (`.Values.x`, `- if`, `$.inputs...`)."""
    match = _ROOT.match(key)
    return match.group(0) if match else ""


def _literal_in_when(path, tag, miss=None):
    """A tag Argo does not know in a `when`: left in the text, where govaluate cannot parse it."""
    return finding(path, f"`{{{{{tag.text}}}}}` is not an Argo variable: Argo leaves the tag in the condition, "
                         f"which then does not parse, and the step fails with an error"
                         + (f" ({miss.message})" if miss is not None else ""),
                   hint="use an Argo variable, or an expression tag `{{=...}}`", span=(tag.start, tag.end),
                   severity=WARNING)


_EXPRESSION_CHARS = re.compile(r"[\[\]()'\"\s+*<>=!&|?]")


def _looks_like_expression(key: str) -> bool:
    return _EXPRESSION_CHARS.search(key) is not None


def _plain(key: str) -> str:
    """`inputs.parameters['a-b']` written as a simple tag key: `inputs.parameters.a-b`."""
    return re.sub(r"\[\s*['\"]([^'\"]*)['\"]\s*\]", r".\1", key).replace(" ", "")


def _rename_fix(path, text: str, tag, miss):
    """The unsafe fix for `{{steps.X...}}` / `{{tasks.X...}}` naming no step or
    task: name the single close match instead."""
    if miss.rename is None:
        return None
    old, new = miss.rename
    root = tag.key.split(".", 1)[0]
    start = tag.key_start + len(root) + 1
    if root not in ("steps", "tasks") or text[start:start + len(old)] != old:
        return None
    return fixes.rename_reference(f"name {root[:-1]} `{new}` instead", path, new, span=(start, start + len(old)))


def _mean(name: str, candidates) -> str:
    match = closest(name, candidates)
    return f"; did you mean `{match}`?" if match else ""


def _before_hyphen(parts: Sequence[str]) -> Tuple[str, ...]:
    """The names expr reads before the first `-`: `a.b-c.d` -> `a.b`."""
    for i, part in enumerate(parts):
        if "-" in part:
            return tuple(parts[:i]) + (part.split("-")[0],)
    return tuple(parts)


def _outer(all_tags):
    """The tags not inside a nested tag (one that starts before it and ends
    after it), in one pass: tags come in order of their start."""
    out = []
    reach = -1           # the furthest end of a nested tag that starts before this one
    reach_start = None
    for tag in all_tags:
        if not (reach_start is not None and reach_start < tag.start < reach):
            out.append(tag)
        if tag.nested and tag.end > reach:
            reach, reach_start = tag.end, tag.start
    return out


def _expr_text(reference: "expr.Reference") -> str:
    out = reference.parts[0].name
    for part in reference.parts[1:]:
        out += f".{part.name}" if part.dotted else f"['{part.name}']"
    return out


# What generated values look like: none of them is one word to govaluate.
_SAMPLES = {"uid": "7d0c0e6a-2c1b-4e8f-9c1d-0a1b2c3d4e5f", "creationTimestamp": "2024-06-01T09:30:00Z",
            "startedAt": "2024-06-01T09:30:00Z", "finishedAt": "2024-06-01T09:31:00Z", "ip": "10.244.1.7",
            "id": "release-x7k2p-1234567890"}


def _known_values(key: str, place: Place, doc: DocScope) -> List[str]:
    """Values a simple tag is known to take (for `when` traps): literal loop
    items, parameter values, defaults and enums, and generated names."""
    parts = key.split(".")
    root = parts[0]
    if key == "item" and place.member is not None:
        return list(place.member.loop.values)
    if key in ("workflow.name", "pod.name", "node.name"):
        metadata = as_dict(as_dict(doc.document.data).get("metadata"))
        name = as_str(metadata.get("name"))
        if key == "workflow.name" and name:
            return [name]
        return [(as_str(metadata.get("generateName")) or name or "workflow-") + "x7k2p"]
    if key in ("workflow.uid", "workflow.creationTimestamp"):
        return [_SAMPLES[parts[1]]]
    if root in ("steps", "tasks") and len(parts) == 3 and parts[2] in _SAMPLES:
        return [_SAMPLES[parts[2]]]
    if root == "inputs" and len(parts) == 3 and parts[1] == "parameters" and place.template is not None:
        return _parameter_values(as_dict(place.template.template.get("inputs")).get("parameters"), parts[2],
                                 ("value", "default"))
    if root == "workflow" and len(parts) == 3 and parts[1] == "parameters":
        return _parameter_values(as_dict(doc.spec.get("arguments")).get("parameters"), parts[2], ("value",))
    return []


def _parameter_values(parameters, name: str, fields: Sequence[str]) -> List[str]:
    for parameter in as_list(parameters):
        parameter = as_dict(parameter)
        if parameter.get("name") != name:
            continue
        values = []
        for field in fields:
            value = parameter.get(field)
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                if not (isinstance(value, str) and "{{" in value):
                    values.append(str(value))
        values.extend(str(v) for v in as_list(parameter.get("enum")) if isinstance(v, (str, int, float)))
        return values
    return []
