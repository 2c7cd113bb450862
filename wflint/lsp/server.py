"""The language server: pygls wiring over wflint.run.workspace (analysis) and
wflint.lsp.navigate (references). Started by `wflint lsp` on stdio; only
protocol messages go to stdout, logs go to stderr."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Dict, List, Optional
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from .. import __version__
from ..finding import Finding
from ..argo.schema import SUPPORTED_VERSIONS
from ..run.workspace import Analysis, Workspace
from . import completion, diagnostics, navigate, symbols

log = logging.getLogger("wflint.lsp")
DEBOUNCE_SECONDS = 0.1


def uri_to_path(uri: str) -> str:
    parsed = urlparse(uri)
    if parsed.scheme not in ("file", ""):
        return uri
    path = unquote(parsed.path)
    if os.name == "nt" and path.startswith("/") and len(path) > 2 and path[2] == ":":
        path = path[1:]
    return os.path.abspath(path)


def path_to_uri(path: str) -> str:
    from pathlib import Path
    return Path(os.path.abspath(path)).as_uri()


class WflintServer(LanguageServer):
    def __init__(self):
        super().__init__("wflint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.project: Optional[Workspace] = None
        self.analyses: Dict[str, Analysis] = {}      # absolute path -> last lint
        self.pending: Dict[str, asyncio.TimerHandle] = {}
        self.debounce = DEBOUNCE_SECONDS
        self.settings: Dict[str, object] = {}        # initializationOptions: argoVersion, config

    # -- the workspace -----------------------------------------------------------

    def ensure_project(self) -> Workspace:
        if self.project is None:
            folders = getattr(self.workspace, "folders", None) or {}
            root = None
            for folder in folders.values():
                root = uri_to_path(folder.uri)
                break
            if root is None:
                root = uri_to_path(self.workspace.root_uri) if self.workspace.root_uri else os.getcwd()
            config = self.settings.get("config")
            version = self.settings.get("argoVersion")
            self.project = Workspace(root, config_path=config if isinstance(config, str) and config else None,
                                     argo_version=version if version in SUPPORTED_VERSIONS else None)
            if self.project.config_error:
                self.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning,
                                                                 message=f"wflint: {self.project.config_error}"))
        return self.project

    def text_of(self, uri: str) -> str:
        return self.workspace.get_text_document(uri).source

    # -- diagnostics ------------------------------------------------------------

    def lint_now(self, uri: str) -> None:
        project = self.ensure_project()
        path = uri_to_path(uri)
        try:
            analysis = project.lint(path)
        except Exception as exc:  # never die on input: say so, keep the session
            log.exception("linting %s failed", path)
            self.window_log_message(types.LogMessageParams(type=types.MessageType.Error,
                                                           message=f"wflint: linting {path} failed: {exc!r}"))
            return
        self.analyses[path] = analysis
        lines = analysis.text.split("\n")
        items = []
        for item in analysis.findings:
            diagnostic = diagnostics.to_diagnostic(item, uri_of=path_to_uri)
            diagnostic.range = self.client_range(lines, diagnostic.range)
            if diagnostic.related_information is None:
                diagnostic.related_information = self.related(analysis, item) or None
            items.append(diagnostic)
        version = self.workspace.get_text_document(uri).version
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=items,
                                                                              version=version))

    def schedule(self, uri: str, everything: bool = False) -> None:
        """Lint ``uri`` (and, after a change that may touch the index, every open
        document) once typing pauses for ``debounce`` seconds."""
        targets = [uri]
        if everything:
            targets += [u for u in self.open_uris() if u != uri]
        loop = asyncio.get_event_loop()
        for target in targets:
            handle = self.pending.pop(target, None)
            if handle is not None:
                handle.cancel()
            self.pending[target] = loop.call_later(self.debounce, self._fire, target)

    def _fire(self, uri: str) -> None:
        self.pending.pop(uri, None)
        if uri in self.workspace.text_documents:
            self.lint_now(uri)

    def open_uris(self) -> List[str]:
        return list(self.workspace.text_documents.keys())

    def related(self, analysis: Analysis, item: Finding) -> List[types.DiagnosticRelatedInformation]:
        """The other places of a multi-place finding (a duplicate's first
        definition, every task of a cycle), found by what the finding names."""
        doc = next((d for d in analysis.documents if d.index == item.document and d.is_argo), None)
        if doc is None or item.rule not in _MULTI_PLACE:
            return []
        try:
            found = navigate.related(doc, item, self.ensure_project().root)
        except Exception:  # a message this does not understand: no related places, never an error
            log.exception("related places of %s", item.rule)
            return []
        return [types.DiagnosticRelatedInformation(location=_location(self, where), message=message)
                for where, message in found]

    # -- positions: wflint counts characters; the client may count UTF-16 units ------

    def _codec(self):
        codec = getattr(self.workspace, "position_codec", None)
        if codec is None or str(getattr(self.workspace, "position_encoding", "")).endswith("32"):
            return None
        return codec

    def lines_of(self, path: str) -> List[str]:
        return (self.ensure_project().text(path) or "").split("\n")

    def client_position(self, lines: List[str], position: types.Position) -> types.Position:
        codec = self._codec()
        if codec is None or position.line >= len(lines) or lines[position.line].isascii():
            return position
        return codec.position_to_client_units(lines, position)

    def client_range(self, lines: List[str], rng: types.Range) -> types.Range:
        return types.Range(start=self.client_position(lines, rng.start), end=self.client_position(lines, rng.end))

    def server_position(self, uri: str, position: types.Position) -> types.Position:
        codec = self._codec()
        lines = self.text_of(uri).split("\n")
        if codec is None or position.line >= len(lines) or lines[position.line].isascii():
            return position
        found = codec.position_from_client_units(lines, position)
        return types.Position(line=found.line, character=found.character)

    def finding_at(self, path: str, line: int, character: int) -> List[Finding]:
        analysis = self.analyses.get(path)
        if analysis is None:
            return []
        out = []
        for item in analysis.findings:
            rng = diagnostics.finding_range(item)
            if (rng.start.line, rng.start.character) <= (line, character) <= (rng.end.line, rng.end.character):
                out.append(item)
        return out


server = WflintServer()
# Rules whose findings name other places (a first definition, the rest of a cycle).
_MULTI_PLACE = frozenset({"duplicate-template", "dag-cycle"})


def _touches_index(text: str) -> bool:
    return "WorkflowTemplate" in text


@server.feature(types.INITIALIZE)
def initialize(ls: WflintServer, params: types.InitializeParams):
    """Client settings, all optional: `{"argoVersion": "3.7", "config": "/path/.wflint.yaml"}`
    (otherwise the configuration decides, as for `check`)."""
    if isinstance(params.initialization_options, dict):
        ls.settings = dict(params.initialization_options)


def _is_config(path: str) -> bool:
    from ..run.config import CONFIG_FILES
    return os.path.basename(path) in CONFIG_FILES + ("pyproject.toml",)


def _reload(ls: WflintServer) -> None:
    """The configuration changed: a new workspace (config, index), every open document linted again."""
    old = ls.project
    ls.project = None
    project = ls.ensure_project()
    project.index_project()
    if old is not None:
        for path in old.open_paths:
            text = old.text(path)
            if text is not None:
                project.open(path, text)
    for uri in ls.open_uris():
        ls.schedule(uri)


@server.feature(types.INITIALIZED)
async def initialized(ls: WflintServer, params: types.InitializedParams):
    project = ls.ensure_project()
    try:
        count = project.index_project()
        log.info("wflint: indexed %d entries under %s", count, project.root)
    except Exception:
        log.exception("indexing the workspace failed")
    watching = ls.client_capabilities.workspace and ls.client_capabilities.workspace.did_change_watched_files
    if watching and watching.dynamic_registration:
        watchers = [types.FileSystemWatcher(glob_pattern=pattern)
                    for pattern in ("**/*.yaml", "**/*.yml", "**/.wflint.yaml", "**/pyproject.toml")]
        try:
            await ls.client_register_capability_async(types.RegistrationParams(registrations=[types.Registration(
                id="wflint-watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))]))
        except Exception:
            log.warning("the client did not accept file watching; files changed outside the editor "
                        "count once saved in it")


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: WflintServer, params: types.DidOpenTextDocumentParams):
    project = ls.ensure_project()
    path = uri_to_path(params.text_document.uri)
    project.open(path, params.text_document.text)
    ls.lint_now(params.text_document.uri)
    if _touches_index(params.text_document.text):
        ls.schedule(params.text_document.uri, everything=True)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: WflintServer, params: types.DidChangeTextDocumentParams):
    project = ls.ensure_project()
    uri = params.text_document.uri
    text = ls.text_of(uri)  # pygls has applied the (incremental) changes
    before = project.text(uri_to_path(uri)) or ""
    project.update(uri_to_path(uri), text)
    ls.schedule(uri, everything=_touches_index(text) or _touches_index(before))


@server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
def did_save(ls: WflintServer, params: types.DidSaveTextDocumentParams):
    if _is_config(uri_to_path(params.text_document.uri)):
        _reload(ls)
        return
    ls.schedule(params.text_document.uri, everything=True)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: WflintServer, params: types.DidCloseTextDocumentParams):
    project = ls.ensure_project()
    uri = params.text_document.uri
    path = uri_to_path(uri)
    handle = ls.pending.pop(uri, None)
    if handle is not None:
        handle.cancel()
    text = project.text(path) or ""
    project.close(path)
    ls.analyses.pop(path, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
    if _touches_index(text):
        for other in ls.open_uris():
            if other != uri:
                ls.schedule(other)


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def watched(ls: WflintServer, params: types.DidChangeWatchedFilesParams):
    if any(_is_config(uri_to_path(change.uri)) for change in params.changes):
        _reload(ls)
        return
    project = ls.ensure_project()
    for change in params.changes:
        path = uri_to_path(change.uri)
        if path not in project.open_paths:
            project.file_changed(path)
    for uri in ls.open_uris():
        ls.schedule(uri)


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
def code_action(ls: WflintServer, params: types.CodeActionParams):
    uri = params.text_document.uri
    path = uri_to_path(uri)
    analysis = ls.analyses.get(path)
    if analysis is None:
        return []
    lines = ls.text_of(uri).split("\n")
    actions: List[types.CodeAction] = []
    wanted = [d for d in params.context.diagnostics if d.source == diagnostics.SOURCE]
    start, end = params.range.start.line, params.range.end.line
    for item in analysis.findings:
        rng = ls.client_range(lines, diagnostics.finding_range(item))
        matching = next((d for d in wanted if d.code == item.rule and d.range == rng), None)
        if matching is None and not (start <= rng.start.line <= end):
            continue
        diagnostic = matching
        if diagnostic is None:
            diagnostic = diagnostics.to_diagnostic(item)
            diagnostic.range = rng
        for action in (diagnostics.fix_action(item, uri, diagnostic),
                       diagnostics.disable_action(item.rule, rng.start.line, lines, uri, diagnostic)):
            if action is None or any(a.title == action.title for a in actions):
                continue
            for edits in (action.edit.changes or {}).values():
                for edit in edits:
                    edit.range = ls.client_range(lines, edit.range)
            actions.append(action)
    return actions


def _reference(ls: WflintServer, uri: str, position: types.Position):
    project = ls.ensure_project()
    position = ls.server_position(uri, position)
    path = uri_to_path(uri)
    docs = project.documents(path)
    doc = navigate.document_at(docs, position.line)
    if doc is None or not doc.is_argo:
        return None
    lines = ls.text_of(uri).split("\n")
    text = lines[position.line] if position.line < len(lines) else ""
    return navigate.reference_at(doc, position.line, position.character, text)


def _location(ls: WflintServer, where: navigate.Place) -> types.Location:
    rng = types.Range(start=types.Position(line=where.line, character=where.column),
                      end=types.Position(line=where.end_line, character=where.end_column))
    return types.Location(uri=path_to_uri(where.path), range=ls.client_range(ls.lines_of(where.path), rng))


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def definition(ls: WflintServer, params: types.DefinitionParams):
    ref = _reference(ls, params.text_document.uri, params.position)
    if ref is None:
        return None
    targets = navigate.Resolver(ls.ensure_project()).definitions(ref)
    return [_location(ls, t.place) for t in targets] or None


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
def references(ls: WflintServer, params: types.ReferenceParams):
    ref = _reference(ls, params.text_document.uri, params.position)
    if ref is None:
        return None
    places = navigate.Resolver(ls.ensure_project()).references(ref, params.context.include_declaration)
    return [_location(ls, p) for p in places]


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: WflintServer, params: types.HoverParams):
    uri, position = params.text_document.uri, params.position
    parts: List[str] = []
    ref = _reference(ls, uri, position)
    if ref is not None and ref.expression is not None:
        targets = navigate.Resolver(ls.ensure_project()).definitions(ref)
        shown = "{{" + ref.expression.strip() + "}}"
        if targets:
            target = targets[0]
            where = os.path.relpath(target.place.path, ls.ensure_project().root)
            parts.append(f"`{shown}`: {target.summary}, declared at {where}:{target.place.line + 1}")
        else:
            known = navigate.describe_variable(ref.expression)
            parts.append(f"`{shown}`: {known}" if known else f"`{shown}`: not resolved here")
    elif ref is not None and ref.kind in ("template", "holder", "ref-template", "task"):
        targets = navigate.Resolver(ls.ensure_project()).definitions(ref)
        if targets:
            where = os.path.relpath(targets[0].place.path, ls.ensure_project().root)
            parts.append(f"{targets[0].summary}, declared at {where}:{targets[0].place.line + 1}")
    seen = set()
    at = ls.server_position(uri, position)
    for item in ls.finding_at(uri_to_path(uri), at.line, at.character):
        if item.rule in seen:
            continue
        seen.add(item.rule)
        summary = diagnostics.rule_summary(item.rule)
        if summary:
            parts.append(summary)
    if not parts:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)))


@server.feature(types.TEXT_DOCUMENT_COMPLETION,
                types.CompletionOptions(trigger_characters=["{", ".", ":", " ", "&", "|", ","]))
def complete(ls: WflintServer, params: types.CompletionParams):
    uri = params.text_document.uri
    text = ls.text_of(uri)
    at = ls.server_position(uri, params.position)
    items = completion.complete(ls.ensure_project(), uri_to_path(uri), text, at.line, at.character)
    lines = text.split("\n")
    for item in items:
        if item.text_edit is not None:
            item.text_edit.range = ls.client_range(lines, item.text_edit.range)
    return types.CompletionList(is_incomplete=False, items=items)


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbol(ls: WflintServer, params: types.DocumentSymbolParams):
    project = ls.ensure_project()
    path = uri_to_path(params.text_document.uri)
    found = symbols.document_symbols(project.documents(path))
    lines = ls.lines_of(path)
    stack = list(found)
    while stack:
        symbol = stack.pop()
        symbol.range = ls.client_range(lines, symbol.range)
        symbol.selection_range = ls.client_range(lines, symbol.selection_range)
        stack.extend(symbol.children or ())
    return found


def main() -> int:
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="wflint-lsp: %(levelname)s %(message)s")
    server.start_io()
    return 0
