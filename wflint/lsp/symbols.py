"""Document symbols for the outline: each Argo document, its templates, and
their tasks and steps."""

from __future__ import annotations

from typing import List, Optional, Sequence

from lsprotocol import types

from ..argo import callgraph, model
from ..source.document import Document


def _range(doc: Document, path) -> Optional[types.Range]:
    key_node, node, matched = doc.locate(tuple(path))
    if matched != len(path):
        return None
    first = key_node if key_node is not None else node
    start = types.Position(line=first.start_mark.line + doc.line_offset, character=first.start_mark.column)
    end_mark = node.end_mark
    end = types.Position(line=end_mark.line + doc.line_offset, character=end_mark.column)
    if (end.line, end.character) < (start.line, start.character):
        end = start
    return types.Range(start=start, end=end)


def _selection(doc: Document, path, whole: types.Range) -> types.Range:
    name = _range(doc, tuple(path) + ("name",))
    if name is None:
        return types.Range(start=whole.start, end=whole.start)
    _, node, _ = doc.locate(tuple(path) + ("name",))
    start = types.Position(line=node.start_mark.line + doc.line_offset, character=node.start_mark.column)
    end = types.Position(line=node.end_mark.line + doc.line_offset, character=node.end_mark.column)
    return types.Range(start=start, end=end) if (end.line, end.character) >= (start.line, start.character) \
        else types.Range(start=start, end=start)


def _symbol(doc, path, name, kind, detail, children=None) -> Optional[types.DocumentSymbol]:
    whole = _range(doc, path)
    if whole is None:
        return None
    selection = _selection(doc, path, whole)
    if not (whole.start.line, whole.start.character) <= (selection.start.line, selection.start.character):
        selection = types.Range(start=whole.start, end=whole.start)
    return types.DocumentSymbol(name=name or "(no name)", kind=kind, range=whole, selection_range=selection,
                                detail=detail, children=children or None)


def document_symbols(documents: Sequence[Document]) -> List[types.DocumentSymbol]:
    out = []
    for doc in documents:
        if not doc.is_argo:
            continue
        templates = []
        for at in model.templates(doc):
            children = []
            for call in model.steps(at) + model.tasks(at):
                called = callgraph.called_name(doc, call)
                symbol = _symbol(doc, call.path, call.name, types.SymbolKind.Event if call.kind == "step"
                                 else types.SymbolKind.Method, f"{call.kind} → {called}" if called else call.kind)
                if symbol is not None:
                    children.append(symbol)
            symbol = _symbol(doc, at.path, at.name, types.SymbolKind.Function,
                             model.template_type(at.template) or "template", children)
            if symbol is not None:
                templates.append(symbol)
        whole = types.Range(
            start=types.Position(line=doc.node.start_mark.line + doc.line_offset, character=0),
            end=types.Position(line=doc.node.end_mark.line + doc.line_offset, character=doc.node.end_mark.column))
        out.append(types.DocumentSymbol(name=f"{doc.kind} {doc.display_name}", kind=types.SymbolKind.Class,
                                        range=whole, selection_range=types.Range(start=whole.start, end=whole.start),
                                        children=templates or None))
    return out
