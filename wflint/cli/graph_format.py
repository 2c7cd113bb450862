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


def mermaid(docs: List[DocumentGraph]) -> str:
    lines = ["flowchart TD"]
    for doc in docs:
        p = doc.prefix
        lines.append(f'  subgraph {p}calls["{mermaid_text(doc.title + " (" + doc.file + ")")}"]')
        for node, data in doc.calls.nodes(data=True):
            left, right = _SHAPES.get(data["kind"], ('["', '"]'))
            lines.append(f"    {node}{left}{mermaid_text(data['label'])}{right}")
        for a, b, how in doc.calls.edges(data="how"):
            lines.append(f'    {a} -->|"{mermaid_text(how)}"| {b}')
        lines.append("  end")
        for k, view in enumerate(doc.dags):
            sid = f"{p}dag{k}"
            lines.append(f'  subgraph {sid}["{mermaid_text("dag " + view.template)}"]')
            for node, label in view.graph.nodes(data="label"):
                lines.append(f'    {sid}t{node}["{mermaid_text(label)}"]')
            for a, b in view.graph.edges:
                lines.append(f"    {sid}t{a} --> {sid}t{b}")
            lines.append("  end")
        for k, steps in enumerate(doc.steps):
            sid = f"{p}steps{k}"
            lines.append(f'  subgraph {sid}["{mermaid_text("steps " + steps.template)}"]')
            for g, group in enumerate(steps.groups):
                lines.append(f'    subgraph {sid}g{g}["{mermaid_text(f"group {g + 1}")}"]')
                for s, name in enumerate(group):
                    lines.append(f'      {sid}g{g}s{s}["{mermaid_text(name)}"]')
                lines.append("    end")
            for g in range(len(steps.groups) - 1):
                lines.append(f"    {sid}g{g} --> {sid}g{g + 1}")
            lines.append("  end")
    return "\n".join(lines) + "\n"


# -- DOT ----------------------------------------------------------------------------

_DOT_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def dot_id(text: str) -> str:
    """A DOT quoted string: backslashes and quotes escaped, line breaks as `\\n`."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    escaped = _DOT_BREAKS.sub(" ", escaped)   # other controls and Unicode line breaks
    return f'"{escaped}"'


_DOT_SHAPES = {"workflow": "oval", "template": "box", "reference": "box3d", "missing": "octagon"}


def dot(docs: List[DocumentGraph]) -> str:
    lines = ["digraph wflint {", "  rankdir=TB;", "  node [shape=box];"]
    for doc in docs:
        p = doc.prefix
        lines.append(f"  subgraph {dot_id('cluster_' + p + 'calls')} {{")
        lines.append(f"    label={dot_id(doc.title + ' (' + doc.file + ')')};")
        for node, data in doc.calls.nodes(data=True):
            lines.append(f"    {dot_id(node)} [label={dot_id(data['label'])}, "
                         f"shape={_DOT_SHAPES.get(data['kind'], 'box')}];")
        for a, b, how in doc.calls.edges(data="how"):
            lines.append(f"    {dot_id(a)} -> {dot_id(b)} [label={dot_id(how)}];")
        lines.append("  }")
        for k, view in enumerate(doc.dags):
            sid = f"{p}dag{k}"
            lines.append(f"  subgraph {dot_id('cluster_' + sid)} {{")
            lines.append(f"    label={dot_id('dag ' + view.template)};")
            for node, label in view.graph.nodes(data="label"):
                lines.append(f"    {dot_id(f'{sid}t{node}')} [label={dot_id(label)}];")
            for a, b in view.graph.edges:
                lines.append(f"    {dot_id(f'{sid}t{a}')} -> {dot_id(f'{sid}t{b}')};")
            lines.append("  }")
        for k, steps in enumerate(doc.steps):
            sid = f"{p}steps{k}"
            lines.append(f"  subgraph {dot_id('cluster_' + sid)} {{")
            lines.append(f"    label={dot_id('steps ' + steps.template)};")
            previous: List[str] = []
            for g, group in enumerate(steps.groups):
                ids = [f"{sid}g{g}s{s}" for s in range(len(group))]
                for node, name in zip(ids, group):
                    lines.append(f"    {dot_id(node)} [label={dot_id(name)}];")
                if len(ids) > 1:
                    lines.append("    { rank=same; " + " ".join(dot_id(n) for n in ids) + "; }")
                for a in previous:
                    for b in ids:
                        lines.append(f"    {dot_id(a)} -> {dot_id(b)};")
                previous = ids or previous
            lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


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
