"""wflint: a static validator and linter for Argo Workflows manifests."""

__version__ = "0.1.0"


# Modules that moved into packages (scripts/relayout.py): plugins written before import them
# from here (`from wflint import model`); new code imports them from their
# package, or the plugin API from wflint.api.
_MOVED = {
    "argo_version": "wflint.argo.version",
    "baseline": "wflint.run.baseline",
    "cachefile": "wflint.source.cachefile",
    "callgraph": "wflint.argo.callgraph",
    "coerce": "wflint.source.coerce",
    "config": "wflint.run.config",
    "cron": "wflint.lang.cron",
    "depends": "wflint.lang.depends",
    "discovery": "wflint.source.discovery",
    "document": "wflint.source.document",
    "documents": "wflint.argo.documents",
    "durations": "wflint.lang.durations",
    "embedded": "wflint.k8s.embedded",
    "engine": "wflint.run.engine",
    "expr": "wflint.lang.expr",
    "fastschema": "wflint.argo.fastschema",
    "fixer": "wflint.run.fixer",
    "globmatch": "wflint.source.globmatch",
    "graph_build": "wflint.argo.graph",
    "graph_command": "wflint.cli.graph",
    "graph_render": "wflint.cli.graph_format",
    "helm": "wflint.argo.helm",
    "index": "wflint.argo.index",
    "kinds": "wflint.k8s.kinds",
    "kustomize": "wflint.k8s.kustomize",
    "loader": "wflint.source.loader",
    "model": "wflint.argo.model",
    "nearmiss": "wflint.k8s.nearmiss",
    "options": "wflint.run.options",
    "parallel": "wflint.run.parallel",
    "permissions": "wflint.argo.permissions",
    "pipeline": "wflint.run.pipeline",
    "pods": "wflint.argo.pods",
    "project": "wflint.argo.project",
    "rbac": "wflint.k8s.rbac",
    "rbac_command": "wflint.cli.rbac",
    "registry": "wflint.run.registry",
    "results": "wflint.run.results",
    "safewrite": "wflint.run.safewrite",
    "scalars": "wflint.source.scalars",
    "schema": "wflint.argo.schema",
    "schema_export": "wflint.argo.schema_export",
    "scope": "wflint.argo.scope",
    "selector": "wflint.lang.selector",
    "suppress": "wflint.run.suppress",
    "syspath": "wflint.cli.syspath",
    "tags": "wflint.lang.tags",
    "taint": "wflint.argo.taint",
    "textedit": "wflint.source.textedit",
    "when": "wflint.lang.when",
    "workspace": "wflint.run.workspace",
}


def __getattr__(name):
    if name in _MOVED:
        import importlib
        return importlib.import_module(_MOVED[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
