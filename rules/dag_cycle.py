"""The tasks of a DAG do not depend on each other in a cycle."""

from wflint.finding import finding  # noqa: F401
from wflint import model  # noqa: F401

ID = "dag-cycle"
SEVERITY = "error"
SUMMARY = "The tasks of a DAG do not depend on each other in a cycle."


def check(document, context):
    return ()
