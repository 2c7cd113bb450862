"""wflint.api: everything a rule or plugin author imports, in one place."""

import textwrap

import wflint.api as api
from wflint.source import loader, files as sources


def test_every_public_name_is_there():
    for name in api.__all__:
        assert getattr(api, name) is not None, name
    assert api.ArgoVersion("4.10") > api.DEFAULT_VERSION and api.DEFAULT_VERSION in api.SUPPORTED_VERSIONS


def test_a_rule_written_against_the_api_runs():
    calls = []

    def check(document, context):
        names = document.memoize(("api-test", "names"),
                                 lambda: calls.append(1) or [at.name for at in api.model.all_templates(document)])
        if api.ArgoVersion(context.argo_version).major >= 4 and "bad" in names:
            at = next(at for at in api.model.all_templates(document) if at.name == "bad")
            yield api.finding(at.path + ("name",), "template `bad` is bad: rename it", severity=api.WARNING)

    rule = api.Rule(id="api-test", severity="error", summary="A test rule.", check=check)
    text = textwrap.dedent("""\
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {generateName: x-}
        spec:
          entrypoint: bad
          templates:
          - name: bad
            container: {image: alpine}
        """)
    source = sources.decode("w.yaml", text.encode())
    documents, problems = loader.load(source)
    assert not problems and not loader.convert(documents[0])
    context = api.Context(index=None, options={})
    found = list(rule.check(documents[0], context)) + list(rule.check(documents[0], context))
    assert [(f.node, f.severity) for f in found] == [(("spec", "templates", 0, "name"), "warning")] * 2
    assert calls == [1]  # memoized once for the document
