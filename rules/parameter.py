"""Callers supply every required input parameter, and only parameters the callee declares."""

from wflint.finding import finding  # noqa: F401
from wflint import model  # noqa: F401

ID = "parameter"
SEVERITY = "error"
SUMMARY = "Callers supply every required input parameter, and only parameters the callee declares."


def check(document, context):
    return ()
