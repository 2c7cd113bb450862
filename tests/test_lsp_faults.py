"""A crash inside one request answers that request with an error; the
session goes on. The server is started with its reference resolution
replaced by one that raises (patched in the server process by this test)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")
from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "lsp" / "workspace"
FAULTY = ("import wflint.lsp.navigate as navigate\n"
          "def boom(*args, **kwargs):\n    raise RuntimeError('injected fault')\n"
          "navigate.reference_at = boom\n"
          "from wflint.lsp.server import main\nmain()\n")


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-c", FAULTY]))
async def client(lsp_client: LanguageClient, tmp_path: Path):
    shutil.copytree(FIXTURES, tmp_path / "project")
    lsp_client.root = tmp_path / "project"
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=lsp_client.root.as_uri()))
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_a_crashing_request_gets_an_error_and_the_session_goes_on(client: LanguageClient):
    path = client.root / "pipeline.yaml"
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="yaml", version=1, text=path.read_text())))
    doc = types.TextDocumentIdentifier(uri=uri)
    with pytest.raises(Exception, match="injected fault"):
        await client.text_document_definition_async(types.DefinitionParams(
            text_document=doc, position=types.Position(line=15, character=24)))
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc))
    assert symbols[0].children[0].name == "main"
