"""The language server's pieces without a client: the workspace analysis,
fix objects as edits, the disable directive, the indentation path used by
completion; and that `wflint check` never imports the LSP libraries."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from wflint.run.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures" / "lsp" / "workspace"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES, root)
    monkeypatch.chdir(root)
    return root


def test_lint_matches_check(project):
    from wflint.run.engine import Engine, Options
    workspace = Workspace(str(project))
    got = [f.to_json() for f in workspace.lint("broken.yaml").findings]
    report = Engine(Options(use_cache=False, jobs=1)).run(["broken.yaml"])
    assert got == [f.to_json() for f in report.findings]
    assert [f["rule"] for f in got] == ["schema", "unknown-template"]


def test_an_unsaved_buffer_overrides_the_file_for_the_index(project):
    workspace = Workspace(str(project))
    assert workspace.lint("pipeline.yaml").findings == []
    text = (project / "shared-steps.yaml").read_text().replace("name: compile", "name: compiler")
    workspace.update("shared-steps.yaml", text)
    assert [f.rule for f in workspace.lint("pipeline.yaml").findings] == ["template-ref"]
    workspace.close("shared-steps.yaml")
    assert workspace.lint("pipeline.yaml").findings == []


def test_config_applies_as_in_check(project):
    (project / ".wflint.yaml").write_text("rules:\n  schema:\n    enabled: false\nexclude: [ignored/]\n")
    (project / "ignored").mkdir()
    shutil.copy(project / "broken.yaml", project / "ignored" / "broken.yaml")
    workspace = Workspace(str(project))
    assert [f.rule for f in workspace.lint("broken.yaml").findings] == ["unknown-template"]
    assert workspace.lint("ignored/broken.yaml").findings == []


def test_half_typed_yaml_keeps_the_last_good_documents(project):
    workspace = Workspace(str(project))
    good = workspace.lint("pipeline.yaml")
    assert good.parsed and good.documents
    bad = workspace.lint("pipeline.yaml", (project / "pipeline.yaml").read_text() + "  oops: [\n")
    assert not bad.parsed and [f.rule for f in bad.findings] == ["yaml-syntax"]
    assert bad.documents == good.documents


def test_check_imports_no_lsp_library(project):
    """The language server's libraries stay off `wflint check`'s path."""
    code = ("import sys; from wflint.cli.main import main\n"
            "try:\n    main(['check', '--no-cache', 'pipeline.yaml'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol', 'cattrs')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr


# -- pieces that need lsprotocol ---------------------------------------------------------

lsprotocol = pytest.importorskip("lsprotocol")


@dataclass(frozen=True)
class _Position:
    line: int
    column: int


@dataclass(frozen=True)
class _Edit:
    begin: _Position
    finish: _Position
    content: str


@dataclass(frozen=True)
class _Fix:
    description: str
    safe: bool
    edits: tuple


def test_fix_objects_become_workspace_edits():
    from wflint.finding import Finding
    from wflint.lsp import diagnostics
    fix = _Fix("rename `serviceAcountName` to `serviceAccountName`", True,
               (_Edit(_Position(7, 3), _Position(7, 20), "serviceAccountName"),))
    item = Finding(message="unknown field", rule="schema", severity="error", path="a.yaml", line=7, column=3,
                   end_line=7, end_column=20)
    object.__setattr__(item, "fix", fix)  # the autofix branch gives Finding a `fix` field; set it either way
    action = diagnostics.fix_action(item, "file:///a.yaml", None)
    assert action.title == fix.description and action.kind == "quickfix" and action.is_preferred
    (edit,) = action.edit.changes["file:///a.yaml"]
    assert (edit.range.start.line, edit.range.start.character, edit.range.end.character) == (6, 2, 19)
    assert edit.new_text == "serviceAccountName"
    # The JSON form (`check --format json`'s "fix") works the same.
    as_json = {"safe": False, "description": "point at `compile`",
               "edits": [{"start": {"line": 2, "column": 5}, "end": {"line": 2, "column": 9}, "content": "x"}]}
    (edit,) = diagnostics.fix_edits(as_json)
    assert (edit.range.start.line, edit.range.start.character, edit.new_text) == (1, 4, "x")
    # Edits by node path only (not resolved to text): nothing to offer.
    assert diagnostics.fix_edits({"edits": [{"op": "rename", "path": ["spec"]}]}) is None


def test_disable_directive():
    from wflint.lsp import diagnostics
    lines = ["spec:", "  serviceAcountName: x", "  a: b  # wflint: disable=schema", "  script: |"]
    action = diagnostics.disable_action("schema", 1, lines, "file:///a.yaml", None)
    (edit,) = action.edit.changes["file:///a.yaml"]
    assert edit.new_text == "  # wflint: disable=schema" and edit.range.start.character == len(lines[1])
    added = diagnostics.disable_action("variable", 2, lines, "file:///a.yaml", None).edit.changes["file:///a.yaml"][0]
    assert added.new_text == ",variable" and added.range.start.character == lines[2].index("schema") + len("schema")
    assert diagnostics.disable_action("schema", 2, lines, "file:///a.yaml", None) is None
    assert diagnostics.disable_action("schema", 3, lines, "file:///a.yaml", None) is None  # a block scalar header
    from wflint.run import suppress
    fixed = lines[1] + edit.new_text
    (directive,) = suppress.parse(fixed)
    assert directive.rules == ["schema"] and directive.target == 1


def test_key_path_from_indentation():
    from wflint.lsp.completion import key_path
    lines = ["spec:", "  templates:", "    - name: a", "      dag:", "        tasks:", "          - name: t",
             "            arg", "  entry"]
    assert key_path(lines, 6, 12) == ["spec", "templates", "[]", "dag", "tasks", "[]"]
    assert key_path(lines, 7, 2) == ["spec"]
    assert key_path(["spec:", "  templates:", "  - name: a", "    cont"], 3, 4) == ["spec", "templates", "[]"]


def test_raw_stdio_session_speaks_only_protocol(project):
    """As a raw client sees it: every byte on stdout is a framed JSON-RPC
    message; shutdown then exit ends the process with status 0."""
    pytest.importorskip("pygls")
    import json
    process = subprocess.Popen([sys.executable, "-m", "wflint", "lsp"], cwd=project, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def send(message):
        body = json.dumps(dict(message, jsonrpc="2.0")).encode()
        process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        process.stdin.flush()

    uri = (project / "broken.yaml").as_uri()
    send({"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": project.as_uri(),
                                                      "capabilities": {}}})
    send({"method": "initialized", "params": {}})
    send({"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "yaml", "version": 1, "text": (project / "broken.yaml").read_text()}}})
    send({"id": 2, "method": "shutdown", "params": None})
    send({"method": "exit", "params": None})
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err.decode()
    messages, rest = [], out
    while rest:
        header, _, rest = rest.partition(b"\r\n\r\n")
        assert header.startswith(b"Content-Length: "), rest[:200]
        fields = dict(line.split(b": ", 1) for line in header.split(b"\r\n"))
        assert set(fields) <= {b"Content-Length", b"Content-Type"}
        length = int(fields[b"Content-Length"])
        messages.append(json.loads(rest[:length]))
        rest = rest[length:]
    init = next(m for m in messages if m.get("id") == 1)["result"]
    assert init["capabilities"]["textDocumentSync"]["change"] == 2
    published = [m for m in messages if m.get("method") == "textDocument/publishDiagnostics"]
    assert {d["code"] for d in published[0]["params"]["diagnostics"]} == {"schema", "unknown-template"}
    assert any(m.get("id") == 2 for m in messages)
