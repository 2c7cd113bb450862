"""Streaming in `Pipeline.lint_share`: files that cannot hold an indexed
document are parsed, checked and let go one at a time. The split must be
exact (`index.may_hold_indexed`), and what is let go must really be freed."""

from __future__ import annotations

import gc
import json

import pytest

from wflint.argo.index import INDEXED_KINDS, may_hold_indexed
from wflint.run.pipeline import Pipeline
from wflint.run.options import Options
from wflint.source.document import Document
from wflint.source.files import SourceFile
from wflint.source import loader


def _spellings(kind: str):
    """Every way a YAML or JSON document can say `kind: <kind>`, letters apart or not."""
    first, rest = kind[0], kind[1:]
    half = len(kind) // 2
    yield f"kind: {kind}\n"
    yield f"kind: '{kind}'\n"
    yield f'kind: "{kind}"\n'
    yield f'kind: "\\x{ord(first):02x}{rest}"\n'
    yield f'kind: "\\u{ord(first):04x}{rest}"\n'
    yield f'kind: "\\U{ord(first):08x}{rest}"\n'
    yield f'kind: "{kind[:half]}\\\n  {kind[half:]}"\n'
    yield f'kind: "{kind[:half]}\\\r\n\t{kind[half:]}"\n'
    yield f'kind: "{kind[:half]}\\\x85{kind[half:]}"\n'
    yield f"kind: !!str {kind}\n"
    yield f"kind: |-\n  {kind}\n"
    yield f"base: &k {kind}\nkind: *k\n"
    yield json.dumps({"kind": kind}) + "\n"
    yield '{"kind": "' + "".join(f"\\u{ord(c):04x}" for c in kind) + '"}\n'


@pytest.mark.parametrize("kind", sorted(INDEXED_KINDS))
def test_every_spelling_of_an_indexed_kind_is_foreseen(kind):
    for text in _spellings(kind):
        docs, _ = loader.load(SourceFile(path="x.yaml", text=text, digest="0"))
        assert docs and docs[0].kind == kind, text  # the spelling really says this kind
        assert may_hold_indexed(text), text
        for encoding in ("utf-8", "utf-16", "utf-32"):  # the project scan asks before decoding
            assert may_hold_indexed(text.encode(encoding)), (encoding, text)


def test_plain_workflows_are_not_held_back():
    assert may_hold_indexed(f"<<: {{kind: Role}}\n")  # a merge key: the letters stand together
    assert not may_hold_indexed("kind: Workflow\nspec:\n  templates: [{name: a, script: {source: |\n"
                                "      make Ro \\\n        le\n}}]\n")  # a line continuation joins no kind
    assert not may_hold_indexed("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec:\n"
                                "  templates: [{name: a, script: {image: x, source: \"echo a\\nb\\t\"}}]\n")


def _tree(tmp_path, workflows: int):
    (tmp_path / "templates.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: lib}\n"
        "spec:\n  templates:\n  - name: hello\n    container: {image: alpine:3.20}\n")
    for i in range(workflows):  # steps, a DAG, tags, a loop and a `when`: what every rule builds its structures for
        (tmp_path / f"wf-{i:03}.yaml").write_text(
            f"apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {{name: wf-{i}}}\n"
            "spec:\n  entrypoint: main\n  arguments: {parameters: [{name: who, value: x}]}\n  templates:\n"
            "  - name: main\n    steps:\n"
            "    - - name: a\n        templateRef: {name: lib, template: helo}\n"
            "    - - name: b\n        template: echo\n        when: \"{{steps.a.status}} == Succeeded\"\n"
            "        arguments: {parameters: [{name: msg, value: \"{{workflow.parameters.who}}\"}]}\n"
            "      - name: c\n        template: d\n"
            "  - name: d\n    dag:\n      tasks:\n"
            "      - {name: x, template: echo, withItems: [1, 2], arguments: {parameters: [{name: msg, value: \"{{item}}\"}]}}\n"
            "      - {name: y, template: echo, depends: x, arguments: {parameters: [{name: msg, value: \"{{tasks.x.status}}\"}]}}\n"
            "  - name: echo\n    inputs: {parameters: [{name: msg}]}\n"
            "    container: {image: alpine:3.20, args: [\"{{inputs.parameters.msg}}\"]}\n")
    return sorted(str(p) for p in tmp_path.iterdir())


def test_streamed_documents_are_freed_and_findings_kept(tmp_path):
    paths = _tree(tmp_path, 40)
    pipeline = Pipeline(Options(use_cache=False))
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()  # as during a run: only reference counting frees what is let go
    try:
        before = sum(isinstance(o, Document) for o in gc.get_objects())
        run = pipeline.lint_share(paths, lambda own: [])
        alive = sum(isinstance(o, Document) for o in gc.get_objects()) - before
    finally:
        if enabled:
            gc.enable()
    assert alive <= 1  # the WorkflowTemplate's document, parsed first; none of the 40 Workflows
    assert run.linted == paths  # in the order given, whatever order they were checked in
    assert sum(run.documents.values()) == 41
    missing = [f for f in run.findings if "helo" in f.message]
    assert len(missing) == 40 and all("hello" in f.message for f in missing)  # the index was complete
