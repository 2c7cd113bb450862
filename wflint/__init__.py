"""wflint: a static validator and linter for Argo Workflows manifests."""

__version__ = "0.1.0"
