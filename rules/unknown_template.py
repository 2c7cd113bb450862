"""Every template a workflow names (entrypoint, steps, tasks, onExit, hooks) exists."""

from wflint.finding import finding  # noqa: F401
from wflint import model  # noqa: F401

ID = "unknown-template"
SEVERITY = "error"
SUMMARY = "Every template a workflow names (entrypoint, steps, tasks, onExit, hooks) exists."


def check(document, context):
    return ()
