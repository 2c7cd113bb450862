"""The API for rule and plugin authors, in one import.

A rule module (or a plugin's) needs only this::

    from wflint.api import ArgoVersion, WARNING, finding, model

    ID, SEVERITY, SUMMARY = "my-check", "error", "What it checks, in one line."

    def check(document, context):
        version = ArgoVersion(context.argo_version)
        for at in model.all_templates(document):
            ...
            yield finding(at.path + ("name",), "what is wrong: what to do")

* ``finding``, ``Finding``, ``NodePath``, ``ERROR``/``WARNING``/``INFO``: what a
  rule yields, pointing at a node path (never a line: wflint adds positions);
* ``Rule``, ``Context``, ``RuleError``: how wflint loads a rule, and what its
  ``check`` receives besides the document;
* ``Document``: the document a rule checks (``document.data``, ``.kind``, ...),
  with ``document.memoize(key, compute)``, the per-document memo;
* ``model``: the shapes of a workflow (templates, steps, tasks, calls);
* ``ArgoVersion``, ``SUPPORTED_VERSIONS``, ``DEFAULT_VERSION``: compare Argo
  versions as numbers;
* ``closest``, ``did_you_mean``: "did you mean" hints.

Testing helpers (``lint_text``, ``run_fixture``, ...) are in ``wflint.testing``,
kept apart because they load the whole engine. These names stay importable
from here whatever the modules behind them are called.
"""

from .argo import model
from .argo.version import DEFAULT as DEFAULT_VERSION, SUPPORTED as SUPPORTED_VERSIONS, ArgoVersion
from .source.document import Document
from .finding import ERROR, INFO, WARNING, Finding, NodePath, finding
from .rule import Context, Rule, RuleError
from .suggest import closest, did_you_mean

__all__ = ["ArgoVersion", "Context", "DEFAULT_VERSION", "Document", "ERROR", "Finding", "INFO", "NodePath",
           "Rule", "RuleError", "SUPPORTED_VERSIONS", "WARNING", "closest", "did_you_mean", "finding", "model"]
