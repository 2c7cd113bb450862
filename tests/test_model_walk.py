"""wflint.argo.model's shared walk: one pass gives templates, all_templates,
all_calls, spec_hooks and ref_calls, and each template's steps, tasks and
calls, exactly as the accessors define them one by one."""

import types

from conftest import project
from wflint.argo import model

WORKFLOW = """\
    apiVersion: argoproj.io/v1alpha1
    kind: {kind}
    metadata:
      name: walked
    spec:
      {nest}hooks:
      {nest}  running:
      {nest}    expression: "true"
      {nest}    templateRef: {{name: lib, template: watch}}
      {nest}  broken: not-a-mapping
      {nest}templates:
      {nest}  - name: main
      {nest}    steps:
      {nest}      - - name: first
      {nest}          template: leaf
      {nest}          hooks:
      {nest}            exit: {{template: leaf}}
      {nest}            ref: {{templateRef: {{name: lib, template: probe}}}}
      {nest}        - not-a-step
      {nest}        - name: inline-dag
      {nest}          inline:
      {nest}            dag:
      {nest}              tasks:
      {nest}                - name: deep
      {nest}                  inline:
      {nest}                    container: {{image: alpine:3.20}}
      {nest}                - name: remote
      {nest}                  templateRef: {{name: lib, template: fetch}}
      {nest}      - not-a-group
      {nest}      - - name: second
      {nest}          templateRef: {{name: lib, template: store}}
      {nest}  - name: graph
      {nest}    dag:
      {nest}      tasks:
      {nest}        - name: a
      {nest}          template: leaf
      {nest}          hooks:
      {nest}            done: {{expression: "true", template: leaf}}
      {nest}        - just-text
      {nest}  - name: leaf
      {nest}    container: {{image: alpine:3.20}}
      {nest}  - not-a-template
      {nest}  - name: empty-steps
      {nest}    steps: []
"""


def _document(kind="Workflow"):
    nest = "  " if kind == "CronWorkflow" else ""
    text = WORKFLOW.format(kind=kind, nest=nest)
    if kind == "CronWorkflow":
        text = text.replace("    spec:\n", "    spec:\n      schedule: '* * * * *'\n      workflowSpec:\n", 1)
    return project(text).documents[0]


# The accessors as they were defined one by one, before the shared walk: what it must give.
def _steps(at):
    return [model.Call(at.path + ("steps", g, s), step, "step", g)
            for g, group in enumerate(model.as_list(at.template.get("steps")))
            for s, step in enumerate(model.as_list(group)) if isinstance(step, dict)]


def _tasks(at):
    return [model.Call(at.path + ("dag", "tasks", t), task, "task")
            for t, task in enumerate(model.as_list(model.as_dict(at.template.get("dag")).get("tasks")))
            if isinstance(task, dict)]


def _calls(at):
    out = []
    for call in _steps(at) + _tasks(at):
        out.append(call)
        if call.body.get("hooks") is not None:
            out.extend(model.hooks(call.path, call.body))
    return out


def _expected(document):
    base, body = model._spec(document)
    tops = [model.TemplateAt(base + ("templates", i), t)
            for i, t in enumerate(model.as_list(body.get("templates"))) if isinstance(t, dict)]
    everything = []
    stack = list(reversed(tops))
    while stack:
        at = stack.pop()
        everything.append(at)
        inner = [model.TemplateAt(c.path + ("inline",), c.body["inline"], owner=c.path)
                 for c in _calls(at) if isinstance(c.body.get("inline"), dict)]
        stack.extend(reversed(inner))
    pairs = [(at, call) for at in everything for call in _calls(at)]
    spec_hooks = tuple(model.hooks(base, body)) if body.get("hooks") is not None else ()
    refs = [c for _, c in pairs if "templateRef" in c.body] + [h for h in spec_hooks if "templateRef" in h.body]
    return tops, everything, pairs, spec_hooks, refs


def _walked(document):
    return (model.templates(document), model.all_templates(document), model.all_calls(document),
            model.spec_hooks(document), model.ref_calls(document))


def test_the_walk_gives_what_each_accessor_defines():
    for kind in ("Workflow", "CronWorkflow"):
        document = _document(kind)
        expected = _expected(document)
        assert _walked(document) == expected
        assert len(expected[1]) == 6 and len(expected[2]) == 9 and len(expected[4]) == 4
        for at in model.all_templates(document):
            assert (model.steps(at), model.tasks(at), model.calls(at)) == (_steps(at), _tasks(at), _calls(at))


def test_the_walk_runs_once_per_document_whichever_accessor_comes_first():
    for first in (model.ref_calls, model.spec_hooks, model.all_calls, model.templates, model.all_templates):
        document = _document()
        first(document)
        walked = _walked(document)
        assert all(a is b for a, b in zip(walked, _walked(document)))
        tops = [at for at in model.all_templates(document) if not at.inline]
        assert len(tops) == len(walked[0]) and all(a is b for a, b in zip(tops, walked[0]))


def test_a_template_built_elsewhere_gets_its_calls_on_first_use():
    document = _document()
    main = model.templates(document)[0]
    fresh = model.TemplateAt(main.path, main.template)
    assert model.calls(fresh) == _calls(fresh) and model.steps(fresh) == _steps(fresh)
    fresh = model.TemplateAt(main.path, main.template)
    assert model.tasks(fresh) == [] and model.steps(fresh) == _steps(fresh)


def test_a_stand_in_document_without_a_memo_is_walked_each_time():
    document = _document()
    stand_in = types.SimpleNamespace(data=document.data, kind=document.kind)
    assert _walked(stand_in) == _expected(document)
    assert model.all_templates(stand_in) is not model.all_templates(stand_in)
