"""CronWorkflow schedules, time zone and concurrency policy are valid."""

from wflint.finding import finding  # noqa: F401
from wflint import model  # noqa: F401

ID = "cron"
SEVERITY = "error"
SUMMARY = "CronWorkflow schedules, time zone and concurrency policy are valid."


def check(document, context):
    return ()
