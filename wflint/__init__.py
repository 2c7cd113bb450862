"""wflint: a static validator and linter for Argo Workflows manifests."""

__version__ = "0.1.0"


# Modules of 0.1 that moved into packages (scripts/relayout.py): plugins written before import them
# from here (`from wflint import model`); new code imports them from their
# package, or the plugin API from wflint.api.
_MOVED = {
    "baseline": "wflint.run.baseline",
    "cachefile": "wflint.source.cachefile",
    "config": "wflint.run.config",
    "cron": "wflint.lang.cron",
    "depends": "wflint.lang.depends",
    "discovery": "wflint.source.discovery",
    "document": "wflint.source.document",
    "durations": "wflint.lang.durations",
    "engine": "wflint.run.engine",
    "expr": "wflint.lang.expr",
    "fastschema": "wflint.argo.fastschema",
    "index": "wflint.argo.index",
    "kinds": "wflint.k8s.kinds",
    "loader": "wflint.source.loader",
    "model": "wflint.argo.model",
    "parallel": "wflint.run.parallel",
    "permissions": "wflint.argo.permissions",
    "project": "wflint.argo.project",
    "rbac": "wflint.k8s.rbac",
    "rbac_command": "wflint.cli.rbac",
    "registry": "wflint.run.registry",
    "results": "wflint.run.results",
    "scalars": "wflint.source.scalars",
    "schema": "wflint.argo.schema",
    "scope": "wflint.argo.scope",
    "selector": "wflint.lang.selector",
    "suppress": "wflint.run.suppress",
    "tags": "wflint.lang.tags",
    "when": "wflint.lang.when",
}


def __getattr__(name):
    if name in _MOVED:
        import importlib
        return importlib.import_module(_MOVED[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
