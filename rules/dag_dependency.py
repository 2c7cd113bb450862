"""DAG dependencies and depends expressions name tasks of the same DAG and parse."""

from wflint.finding import finding  # noqa: F401
from wflint import model  # noqa: F401

ID = "dag-dependency"
SEVERITY = "error"
SUMMARY = "DAG dependencies and depends expressions name tasks of the same DAG and parse."


def check(document, context):
    return ()
