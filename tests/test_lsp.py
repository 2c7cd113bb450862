"""`wflint lsp` end to end: a pytest-lsp client drives the server over stdio,
as an editor does. One server for the module (starting one costs a second)."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")
from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "lsp" / "workspace"
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("lsp") / "project"
    shutil.copytree(FIXTURES, root)
    return root


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=[sys.executable, "-m", "wflint", "lsp"]))
async def client(lsp_client: LanguageClient, workspace: Path):
    result = await lsp_client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(),
        root_uri=workspace.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="project")]))
    lsp_client.init_result = result
    yield
    await lsp_client.shutdown_session()


# -- helpers -----------------------------------------------------------------------


def _text(workspace: Path, name: str) -> str:
    return (workspace / name).read_text()


def _pos(text: str, needle: str, offset: int = 0, occurrence: int = 0) -> types.Position:
    at = -1
    for _ in range(occurrence + 1):
        at = text.index(needle, at + 1)
    at += offset
    line = text.count("\n", 0, at)
    return types.Position(line=line, character=at - (text.rfind("\n", 0, at) + 1))


async def _open(client: LanguageClient, workspace: Path, name: str, text: str | None = None) -> str:
    uri = (workspace / name).as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="yaml", version=1, text=text if text is not None else _text(workspace, name))))
    await _diagnostics(client, uri)
    return uri


async def _diagnostics(client: LanguageClient, uri: str, until=None, timeout: float = 10.0):
    """Wait until diagnostics for ``uri`` arrive (and satisfy ``until``)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        found = client.diagnostics.get(uri)
        if found is not None and (until is None or until(found)):
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"no diagnostics for {uri} matching the condition; last: {client.diagnostics.get(uri)}")


def _change(client: LanguageClient, uri: str, version: int, start: types.Position, end: types.Position, text: str):
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(range=types.Range(start=start, end=end), text=text)]))


def _replace(client, uri, version, text, old, new, occurrence=0):
    start = _pos(text, old, occurrence=occurrence)
    end = _pos(text, old, len(old), occurrence=occurrence)
    _change(client, uri, version, start, end, new)
    at = -1
    for _ in range(occurrence + 1):
        at = text.index(old, at + 1)
    return text[:at] + new + text[at + len(old):]


def _codes(diagnostics) -> list:
    return sorted((d.code, d.range.start.line) for d in diagnostics)


# -- the session ---------------------------------------------------------------------


async def test_capabilities(client: LanguageClient):
    caps = client.init_result.capabilities
    sync = caps.text_document_sync
    assert sync.open_close and sync.change == types.TextDocumentSyncKind.Incremental
    assert sync.save is not None and sync.save is not False
    assert caps.definition_provider and caps.references_provider and caps.hover_provider
    assert caps.document_symbol_provider and caps.completion_provider and caps.code_action_provider
    assert client.init_result.server_info.name == "wflint"


async def test_diagnostics_on_open_match_check(client: LanguageClient, workspace: Path):
    uri = await _open(client, workspace, "broken.yaml")
    found = client.diagnostics[uri]
    assert _codes(found) == [("schema", 6), ("unknown-template", 11)]
    # The same spans as `wflint check --format json`, 0-based.
    out = subprocess.run([sys.executable, "-m", "wflint", "check", "--format", "json", "--no-cache", "broken.yaml"],
                         cwd=workspace, capture_output=True, text=True)
    expected = {(d["rule"], d["line"] - 1, d["column"] - 1, d["end_line"] - 1, d["end_column"] - 1)
                for d in json.loads(out.stdout)["diagnostics"]}
    assert {(d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character)
            for d in found} == expected
    schema = next(d for d in found if d.code == "schema")
    assert schema.severity == types.DiagnosticSeverity.Error and schema.source == "wflint"
    assert schema.code_description.href.startswith("file:") and schema.code_description.href.endswith("schema.md")
    assert "serviceAccountName" in schema.message


async def test_positions_count_utf16_units(client: LanguageClient, workspace: Path):
    text = _text(workspace, "broken.yaml").replace("broken-", "wide-").replace(
        "        - - name: first\n            template: missing-one\n",
        '        - [{name: "\U0001F600 first", template: missing-one}]\n').replace("serviceAcountName", "serviceAccountName")
    (workspace / "wide.yaml").write_text(text, encoding="utf-8")
    uri = await _open(client, workspace, "wide.yaml", text)
    found = next(d for d in client.diagnostics[uri] if d.code == "unknown-template")
    line = text.split("\n")[found.range.start.line]
    at = line.index("missing-one")
    assert found.range.start.character == at + 1  # the emoji is 2 UTF-16 units
    target = await client.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=found.range.start.line, character=line.index("first") + 1)))
    assert target is None  # a step name is not a reference; the request works on the wide line


async def test_change_updates_then_clears(client: LanguageClient, workspace: Path):
    text = _text(workspace, "broken.yaml").replace("broken-", "broken-two-")
    (workspace / "broken-two.yaml").write_text(text)
    uri = await _open(client, workspace, "broken-two.yaml", text)
    text = _replace(client, uri, 2, text, "serviceAcountName", "serviceAccountName")
    found = await _diagnostics(client, uri, until=lambda d: len(d) == 1)
    assert _codes(found) == [("unknown-template", 11)]
    text = _replace(client, uri, 3, text, "missing-one", "main")
    # a step calling its own template is a cycle for other rules: call a leaf instead
    text = _replace(client, uri, 4, text, "    - name: main\n", "    - name: leaf\n      suspend: {}\n    - name: main\n")
    text = _replace(client, uri, 5, text, "template: main", "template: leaf")
    found = await _diagnostics(client, uri, until=lambda d: len(d) == 0)
    assert list(found) == []


async def test_unsaved_change_in_another_file(client: LanguageClient, workspace: Path):
    pipeline = await _open(client, workspace, "pipeline.yaml")
    assert list(client.diagnostics[pipeline]) == []
    shared_text = _text(workspace, "shared-steps.yaml")
    shared = await _open(client, workspace, "shared-steps.yaml")
    client.diagnostics.pop(pipeline, None)
    _replace(client, shared, 2, shared_text, "name: compile", "name: compiler")
    found = await _diagnostics(client, pipeline, until=lambda d: any(x.code == "template-ref" for x in d))
    line = _pos(_text(workspace, "pipeline.yaml"), "template: compile").line
    assert [(d.code, d.range.start.line) for d in found] == [("template-ref", line)]
    # Closing the buffer without saving: the file on disk counts again.
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=shared)))
    await _diagnostics(client, pipeline, until=lambda d: len(d) == 0)


async def test_quick_fix_disable_for_this_line(client: LanguageClient, workspace: Path):
    text = _text(workspace, "broken.yaml")
    (workspace / "broken-three.yaml").write_text(text)
    uri = await _open(client, workspace, "broken-three.yaml", text)
    schema = next(d for d in client.diagnostics[uri] if d.code == "schema")
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=schema.range,
        context=types.CodeActionContext(diagnostics=[schema])))
    disable = next(a for a in actions if a.title == "Disable schema for this line")
    assert disable.kind == types.CodeActionKind.QuickFix
    (edit,) = disable.edit.changes[uri]
    assert edit.new_text == "  # wflint: disable=schema" and edit.range.start.line == schema.range.start.line
    _change(client, uri, 2, edit.range.start, edit.range.end, edit.new_text)
    found = await _diagnostics(client, uri, until=lambda d: all(x.code != "schema" for x in d))
    assert _codes(found) == [("unknown-template", 11)]


async def test_definition(client: LanguageClient, workspace: Path):
    text = _text(workspace, "pipeline.yaml")
    uri = await _open(client, workspace, "pipeline.yaml")

    async def definition(needle, offset=2, occurrence=0):
        found = await client.text_document_definition_async(types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=_pos(text, needle, offset, occurrence)))
        assert found, needle
        return found[0]

    local = await definition("template: fetch-data", len("template: f"))
    assert local.uri == uri and local.range.start == _pos(text, "name: fetch-data", len("name: "))
    across = await definition("template: compile", len("template: c"))
    shared = _text(workspace, "shared-steps.yaml")
    assert across.uri == (workspace / "shared-steps.yaml").as_uri()
    assert across.range.start == _pos(shared, "name: compile", len("name: "))
    holder = await definition("name: shared-steps", len("name: s"))
    assert holder.uri == across.uri and holder.range.start == _pos(shared, "name: shared-steps", len("name: "))
    depends = await definition("depends: fetch", len("depends: f"))
    assert depends.range.start == _pos(text, "name: fetch\n", len("name: "))
    in_expression = await definition('depends: "build && fetch"', len('depends: "bu'))
    assert in_expression.range.start == _pos(text, "name: build", len("name: "))
    dependencies = await definition("dependencies: [one]", len("dependencies: [o"))
    assert dependencies.range.start == _pos(text, "name: one", len("name: "))
    task = await definition("{{tasks.fetch", len("{{tasks.fe"))
    assert task.range.start == _pos(text, "name: fetch\n", len("name: "))
    parameter = await definition("{{inputs.parameters.where}}", 5)
    assert parameter.range.start == _pos(text, "- name: where", len("- name: "), occurrence=1)
    workflow = await definition("{{workflow.parameters.region}}", 5)
    assert workflow.range.start == _pos(text, "name: region", len("name: "))


async def test_references_across_files(client: LanguageClient, workspace: Path):
    shared_text = _text(workspace, "shared-steps.yaml")
    uri = (workspace / "shared-steps.yaml").as_uri()
    found = await client.text_document_references_async(types.ReferenceParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=_pos(shared_text, "name: compile", 8),
        context=types.ReferenceContext(include_declaration=False)))
    pipeline = _text(workspace, "pipeline.yaml")
    assert [(r.uri, r.range.start) for r in found] == [
        ((workspace / "pipeline.yaml").as_uri(), _pos(pipeline, "template: compile", len("template: ")))]


async def test_hover(client: LanguageClient, workspace: Path):
    text = _text(workspace, "pipeline.yaml")
    uri = (workspace / "pipeline.yaml").as_uri()
    found = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=_pos(text, "{{workflow.parameters.region}}", 6)))
    assert "workflow parameter `region`" in found.contents.value and "eu-west-1" in found.contents.value
    broken = await _open(client, workspace, "broken.yaml")
    on_finding = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=broken),
        position=_pos(_text(workspace, "broken.yaml"), "serviceAcountName", 3)))
    assert "**schema**" in on_finding.contents.value


async def _complete(client, uri, text, needle, offset):
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=_pos(text, needle, offset)))
    return [item.label for item in result.items]


async def test_completion(client: LanguageClient, workspace: Path):
    text = _text(workspace, "pipeline.yaml")
    (workspace / "typing.yaml").write_text(text)
    uri = await _open(client, workspace, "typing.yaml", text)
    labels = await _complete(client, uri, text, "template: fetch-data", len("template: "))
    assert {"main", "fetch-data", "announce", "legacy"} <= set(labels)
    assert await _complete(client, uri, text, "name: shared-steps", len("name: ")) == ["relay", "shared-steps"]
    assert await _complete(client, uri, text, "template: compile", len("template: ")) == ["compile", "package"]
    labels = await _complete(client, uri, text, 'depends: "build', len('depends: "'))
    assert set(labels) == {"fetch", "build"}
    labels = await _complete(client, uri, text, "{{tasks.fetch", 2)
    assert "tasks.fetch.outputs.result" in labels and "workflow.parameters.region" in labels
    assert "tasks.build.outputs.result" not in labels  # the task the expression is in
    # Half-typed: a new key in a template, in text that does not parse yet.
    typed = text.replace("    - name: announce\n", "    - name: announce\n      retr\n      bad: [\n")
    _change(client, uri, 2, types.Position(line=0, character=0),
            types.Position(line=len(text.split("\n")), character=0), typed)
    await _diagnostics(client, uri, until=lambda d: any(x.code == "yaml-syntax" for x in d))
    labels = await _complete(client, uri, typed, "      retr\n", len("      retr"))
    assert "retryStrategy" in labels and "name" not in labels
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert symbols and [c.name for c in symbols[0].children] == ["main", "fetch-data", "announce", "legacy"]


async def test_document_symbols(client: LanguageClient, workspace: Path):
    uri = await _open(client, workspace, "pipeline.yaml")
    (doc,) = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert doc.name == "Workflow pipeline-*"
    main = doc.children[0]
    assert main.name == "main" and main.detail == "dag"
    assert [c.name for c in main.children] == ["fetch", "build", "report"]
    assert main.children[1].detail == "task → compile"


async def test_hostile_input_never_ends_the_session(client: LanguageClient, workspace: Path):
    junk = "kind: Workflow\napiVersion: argoproj.io/v1alpha1\nspec:\n  templates:\n" + "  - [" * 50 + "\n\t{{\n"
    uri = await _open(client, workspace, "junk.yaml", junk)
    assert any(d.code == "yaml-syntax" for d in client.diagnostics[uri])
    for line in range(0, 8):
        position = types.Position(line=line, character=3)
        doc = types.TextDocumentIdentifier(uri=uri)
        await client.text_document_definition_async(types.DefinitionParams(text_document=doc, position=position))
        await client.text_document_hover_async(types.HoverParams(text_document=doc, position=position))
        await client.text_document_completion_async(types.CompletionParams(text_document=doc, position=position))
    await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    # ...and the session goes on.
    pipeline = (workspace / "pipeline.yaml").as_uri()
    assert await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=pipeline)))



async def test_config_change_applies(client: LanguageClient, workspace: Path):
    text = _text(workspace, "broken.yaml").replace("broken-", "configured-")
    (workspace / "configured.yaml").write_text(text)
    uri = await _open(client, workspace, "configured.yaml", text)
    assert {d.code for d in client.diagnostics[uri]} == {"schema", "unknown-template"}
    config = workspace / ".wflint.yaml"
    config.write_text("rules:\n  schema:\n    enabled: false\n")
    try:
        client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
            types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Created)]))
        found = await _diagnostics(client, uri, until=lambda d: {x.code for x in d} == {"unknown-template"})
        assert len(found) == 1
    finally:
        config.unlink()
        client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
            types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Deleted)]))
        await _diagnostics(client, uri, until=lambda d: len(d) == 2)


async def test_related_information_for_multi_place_findings(client: LanguageClient, workspace: Path):
    text = (FIXTURES.parent / "cycle.yaml").read_text()
    uri = await _open(client, workspace, "cycle.yaml", text)
    found = {d.code: d for d in client.diagnostics[uri]}
    cycle = found["dag-cycle"].related_information
    assert [r.location.range.start for r in cycle] == [
        _pos(text, f"name: {task}\n", len("name: ")) for task in "abc"]
    (first,) = found["duplicate-template"].related_information
    assert first.location.uri == uri and first.location.range.start == _pos(text, "name: leaf", len("name: "))


async def test_steps_and_local_references(client: LanguageClient, workspace: Path):
    text = _text(workspace, "relay.yaml")
    uri = await _open(client, workspace, "relay.yaml")
    assert list(client.diagnostics[uri]) == []
    doc = types.TextDocumentIdentifier(uri=uri)
    (step,) = await client.text_document_definition_async(types.DefinitionParams(
        text_document=doc, position=_pos(text, "{{steps.first", len("{{steps.fi"))))
    assert step.range.start == _pos(text, "name: first", len("name: "))
    (parameter,) = await client.text_document_definition_async(types.DefinitionParams(
        text_document=doc, position=_pos(text, "{{inputs.parameters.text}}", 4)))
    assert parameter.range.start == _pos(text, "- name: text", len("- name: "), occurrence=2)
    callers = await client.text_document_references_async(types.ReferenceParams(
        text_document=doc, position=_pos(text, "name: say", len("name: s")),
        context=types.ReferenceContext(include_declaration=True)))
    assert sorted(r.range.start.line for r in callers) == sorted(
        [_pos(text, "name: say").line] + [_pos(text, "template: say", occurrence=i).line for i in (0, 1)])
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=doc, position=_pos(text, "{{steps.first", 4)))
    assert "step `first` of template `relay`" in hover.contents.value


async def test_references_to_a_task(client: LanguageClient, workspace: Path):
    text = _text(workspace, "pipeline.yaml")
    uri = await _open(client, workspace, "pipeline.yaml")
    found = await client.text_document_references_async(types.ReferenceParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=_pos(text, "name: fetch\n", len("name: f")),
        context=types.ReferenceContext(include_declaration=False)))
    assert sorted((r.range.start.line, r.range.start.character) for r in found) == sorted(
        (p.line, p.character) for p in (_pos(text, "depends: fetch", len("depends: ")),
                                        _pos(text, '"build && fetch"', len('"build && ')),
                                        _pos(text, "{{tasks.fetch", len("{{tasks."))))
