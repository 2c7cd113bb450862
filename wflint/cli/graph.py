"""`wflint graph FILE`: the workflow's template call graph and task graphs, as Mermaid, DOT or JSON."""

from __future__ import annotations

import sys
from typing import Optional, Sequence

FORMATS = ("mermaid", "dot", "json")


def run(path: str, template: Optional[str] = None, fmt: str = "mermaid", stats: bool = False,
        config=None, template_paths: Sequence[str] = (), use_cache: bool = True, out=None, err=None) -> int:
    """Print the graphs of every Argo document in ``path``; 0, or 2 on a usage problem."""
    from ..argo import graph as graph_build
    from . import graph_format as graph_render
    from ..escape import shown
    from ..run.options import resolve
    from .rbac import load

    out = out or sys.stdout
    err = err or sys.stderr
    options = resolve(config, select=[], template_paths=template_paths, no_cache=not use_cache)
    documents, index, problems = load([path], options)
    for problem in problems:
        err.write(f"wflint graph: skipped {shown(problem)}\n")
    # Documents of the file itself: the index also holds the project around it.
    documents = [d for d in documents if d.kind in ("Workflow", "CronWorkflow", "WorkflowTemplate",
                                                    "ClusterWorkflowTemplate")]
    if not documents:
        err.write(f"wflint graph: no Argo workflow or template in {shown(path)} (or the configuration's `exclude` "
                  "skips it)\n")
        return 2
    graphs = []
    try:
        for k, document in enumerate(documents):
            if template is not None and not any(at.name == template for at in _templates(document)):
                continue
            graphs.append(graph_build.build(document, index, f"d{k}", template))
        if template is not None and not graphs:
            graph_build.build(documents[0], index, "d0", template)   # raises, with a suggestion
    except graph_build.GraphError as exc:
        err.write(f"wflint graph: {shown(exc)}\n")
        return 2
    if stats and fmt != "json":
        out.write(graph_render.stats_text(graphs))
    elif fmt == "json":
        out.write(graph_render.json_text(graphs, stats))
    elif fmt == "dot":
        out.write(graph_render.dot(graphs))
    else:
        out.write(graph_render.mermaid(graphs))
    return 0


def _templates(document):
    from ..argo import model
    return model.templates(document)
