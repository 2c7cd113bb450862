"""Templates, steps, tasks, parameters and artifacts are not defined twice under one name."""

from wflint.finding import finding  # noqa: F401
from wflint import model  # noqa: F401

ID = "duplicate-template"
SEVERITY = "error"
SUMMARY = "Templates, steps, tasks, parameters and artifacts are not defined twice under one name."


def check(document, context):
    return ()
