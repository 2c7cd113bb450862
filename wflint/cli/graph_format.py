"""`wflint graph` output: Mermaid, Graphviz DOT and JSON from the graphs graph_build builds.

Node ids are generated (`d0n3`, `d0dag1t4`): a template or task name may
hold characters neither Mermaid nor DOT accepts in an id. Names appear in
labels only, quoted and escaped.
"""

from __future__ import annotations

import json
import re
from typing import Dict, List, Optional

from ..escape import shown
from ..argo.graph import DocumentGraph, stats_of

# -- the walk both drawings share ------------------------------------------------------
#
# Mermaid and DOT draw the same boxes: per document, a cluster of the call
# graph, one per DAG and one per steps template. ``_draw`` walks them once and
# a renderer (below) says how each piece is written.


def _draw(docs: List[DocumentGraph], out: "_Renderer") -> str:
    for doc in docs:
        p = doc.prefix
        out.open(f"{p}calls", doc.title + " (" + doc.file + ")")
        for node, data in doc.calls.nodes(data=True):
            out.call(node, data["label"], data["kind"])
        for a, b, how in doc.calls.edges(data="how"):
            out.call_edge(a, b, how)
        out.close()
        for k, view in enumerate(doc.dags):
            sid = f"{p}dag{k}"
            out.open(sid, "dag " + view.template)
            for node, label in view.graph.nodes(data="label"):
                out.node(f"{sid}t{node}", label)
            for a, b in view.graph.edges:
                out.edge(f"{sid}t{a}", f"{sid}t{b}")
            out.close()
        for k, steps in enumerate(doc.steps):
            sid = f"{p}steps{k}"
            out.open(sid, "steps " + steps.template)
            out.groups(sid, steps.groups)
            out.close()
    return out.text()


class _Renderer:
    """The lines of one drawing: ``head`` first, ``tail`` last."""

    head: List[str] = []
    tail: List[str] = []

    def __init__(self) -> None:
        self.lines: List[str] = list(self.head)

    def text(self) -> str:
        return "\n".join(self.lines + self.tail) + "\n"


# -- Mermaid --------------------------------------------------------------------

_MERMAID_ENTITIES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "`": "#96;",
                     "&": "#amp;", "|": "#124;", "\\": "#92;"}


def mermaid_text(text: str) -> str:
    """A label for Mermaid's quoted strings: the characters that end or
    reinterpret one (quotes, entity marks, markup, the edge-label bar) as
    entity codes; line breaks and control characters as spaces."""
    out = []
    for ch in str(text):
        if ch in _MERMAID_ENTITIES:
            out.append(_MERMAID_ENTITIES[ch])
        elif ch < " " or "\x7f" <= ch <= "\x9f" or ch in "\u2028\u2029":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


_SHAPES = {"workflow": ('(["', '"])'), "template": ('["', '"]'), "reference": ('[["', '"]]'),
           "missing": ('{{"', '"}}')}


class _Mermaid(_Renderer):
    head = ["flowchart TD"]

    def open(self, sid: str, title: str) -> None:
        self.lines.append(f'  subgraph {sid}["{mermaid_text(title)}"]')

    def close(self) -> None:
        self.lines.append("  end")

    def call(self, node: str, label: str, kind: str) -> None:
        left, right = _SHAPES.get(kind, ('["', '"]'))
        self.lines.append(f"    {node}{left}{mermaid_text(label)}{right}")

    def call_edge(self, a: str, b: str, how: str) -> None:
        self.lines.append(f'    {a} -->|"{mermaid_text(how)}"| {b}')

    def node(self, node: str, label: str) -> None:
        self.lines.append(f'    {node}["{mermaid_text(label)}"]')

    def edge(self, a: str, b: str) -> None:
        self.lines.append(f"    {a} --> {b}")

    def groups(self, sid: str, groups: List[List[str]]) -> None:
        for g, group in enumerate(groups):
            self.lines.append(f'    subgraph {sid}g{g}["{mermaid_text(f"group {g + 1}")}"]')
            for s, name in enumerate(group):
                self.lines.append(f'      {sid}g{g}s{s}["{mermaid_text(name)}"]')
            self.lines.append("    end")
        for g in range(len(groups) - 1):
            self.lines.append(f"    {sid}g{g} --> {sid}g{g + 1}")


def mermaid(docs: List[DocumentGraph]) -> str:
    return _draw(docs, _Mermaid())


# -- DOT ----------------------------------------------------------------------------

_DOT_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def dot_id(text: str) -> str:
    """A DOT quoted string: backslashes and quotes escaped, line breaks as `\\n`."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    escaped = _DOT_BREAKS.sub(" ", escaped)   # other controls and Unicode line breaks
    return f'"{escaped}"'


_DOT_SHAPES = {"workflow": "oval", "template": "box", "reference": "box3d", "missing": "octagon"}


class _Dot(_Renderer):
    head = ["digraph wflint {", "  rankdir=TB;", "  node [shape=box];"]
    tail = ["}"]

    def open(self, sid: str, title: str) -> None:
        self.lines.append(f"  subgraph {dot_id('cluster_' + sid)} {{")
        self.lines.append(f"    label={dot_id(title)};")

    def close(self) -> None:
        self.lines.append("  }")

    def call(self, node: str, label: str, kind: str) -> None:
        self.lines.append(f"    {dot_id(node)} [label={dot_id(label)}, shape={_DOT_SHAPES.get(kind, 'box')}];")

    def call_edge(self, a: str, b: str, how: str) -> None:
        self.lines.append(f"    {dot_id(a)} -> {dot_id(b)} [label={dot_id(how)}];")

    def node(self, node: str, label: str) -> None:
        self.lines.append(f"    {dot_id(node)} [label={dot_id(label)}];")

    def edge(self, a: str, b: str) -> None:
        self.lines.append(f"    {dot_id(a)} -> {dot_id(b)};")

    def groups(self, sid: str, groups: List[List[str]]) -> None:
        previous: List[str] = []
        for g, group in enumerate(groups):
            ids = [f"{sid}g{g}s{s}" for s in range(len(group))]
            for node, name in zip(ids, group):
                self.node(node, name)
            if len(ids) > 1:
                self.lines.append("    { rank=same; " + " ".join(dot_id(n) for n in ids) + "; }")
            for a in previous:
                for b in ids:
                    self.edge(a, b)
            previous = ids or previous


def dot(docs: List[DocumentGraph]) -> str:
    return _draw(docs, _Dot())


# -- JSON -----------------------------------------------------------------------

def as_data(doc: DocumentGraph, with_stats: bool) -> Dict:
    out: Dict = {
        "file": doc.file, "line": doc.line, "kind": doc.kind, "name": doc.name,
        "calls": {"nodes": [{"id": n, "label": d["label"], "kind": d["kind"]} for n, d in doc.calls.nodes(data=True)],
                  "edges": [{"from": a, "to": b, "how": how} for a, b, how in doc.calls.edges(data="how")]},
        "dags": [{"template": v.template,
                  "tasks": [v.graph.nodes[n]["label"] for n in v.graph.nodes],
                  "dependencies": [{"task": v.graph.nodes[b]["label"], "dependency": v.graph.nodes[a]["label"]}
                                   for a, b in sorted(v.graph.edges, key=lambda e: (e[1], e[0]))]}
                 for v in doc.dags],
        "steps": [{"template": s.template, "groups": s.groups} for s in doc.steps],
    }
    if with_stats:
        out["stats"] = stats_of(doc)
    return out


def json_text(docs: List[DocumentGraph], with_stats: bool) -> str:
    return json.dumps({"documents": [as_data(d, with_stats) for d in docs]}, indent=2, sort_keys=True) + "\n"


# -- --stats as text --------------------------------------------------------------

_SHOWN = 20   # items of a list the text shows (the JSON has them all)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _listed(items: List[str], sep: str = ", ") -> str:
    if len(items) <= _SHOWN:
        return sep.join(items)
    return sep.join(items[:_SHOWN]) + f"{sep}... ({len(items) - _SHOWN} more)"


def stats_text(docs: List[DocumentGraph]) -> str:
    lines: List[str] = []
    for doc in docs:
        stats = stats_of(doc)
        lines.append(f"{doc.title} ({doc.file}:{doc.line})")
        calls = stats["calls"]
        depth: Optional[int] = calls.get("depth")
        lines.append(f"  templates: {calls['templates']}; call depth: "
                     + ("recursive" if calls["recursive"] else str(depth)))
        if "unreachable_templates" in calls:
            unreachable = calls["unreachable_templates"]
            lines.append("  unreachable templates: " + (_listed(unreachable) if unreachable else "none"))
        for dag in stats["dags"]:
            lines.append(f"  dag {dag['template']}: {_count(dag['tasks'], 'task')}")
            if dag["cycle"]:
                lines.append("    has a dependency cycle (see `wflint check`)")
                continue
            lines.append(f"    depth: {_count(dag['depth'], 'level')}; widest level: "
                         f"{_count(dag['widest_level'], 'task')} "
                         f"({_listed(dag['widest_tasks'])})")
            path = dag["critical_path"]
            lines.append(f"    critical path ({len(path)} tasks): " + _listed(path, " -> "))
            redundant = dag["redundant_dependencies"]
            lines.append("    redundant dependencies: " + (_listed(
                [f"{r['task']} on {r['dependency']}" for r in redundant]) if redundant else "none"))
        for steps in stats["steps"]:
            lines.append(f"  steps {steps['template']}: {_count(steps['groups'], 'group')}; widest group: "
                         f"{_count(steps['widest_group'], 'step')}")
    return "\n".join(shown(line, keep_tabs=True) for line in lines) + "\n"   # names from the input, escaped
