"""Names of templates, steps, tasks, containers, parameters and artifacts follow Argo's format and length rules."""

from wflint.finding import finding  # noqa: F401
from wflint import model  # noqa: F401

ID = "template-name"
SEVERITY = "error"
SUMMARY = "Names of templates, steps, tasks, containers, parameters and artifacts follow Argo's format and length rules."


def check(document, context):
    return ()
