"""Issue 15, second measurement: one finding per problem and hints a user can act on (own fixtures)."""

from pathlib import Path

from wflint.testing import lint_path

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_cron_workflow_without_schedules_gets_one_finding():
    report = lint_path(str(FIXTURES / "cron" / "fail" / "no-schedules.yaml"))
    about = [f for f in report.findings if "schedule" in f.message]
    assert [(f.rule, f.severity) for f in about] == [("cron", "error")], [f.message for f in about]


def test_a_label_the_submitter_sets_says_how():
    report = lint_path(str(FIXTURES / "variable" / "fail" / "labels-from-submitter.yaml"))
    found = [f for f in report.findings if f.rule == "variable"]
    assert [f.severity for f in found] == ["warning"]
    assert "`workflow.labels.team`" in found[0].message and "argo submit -l team=VALUE" in found[0].hint


def test_a_template_ref_typo_stays_an_error_and_an_outside_name_is_a_warning():
    report = lint_path(str(FIXTURES / "template-ref" / "fail" / "outside-project"))
    found = {f.message.split("`")[1]: f.severity for f in report.findings if f.rule == "template-ref"}
    assert found == {"release-step": "error", "team-notifications": "warning", "compliance-audit": "warning",
                     "release-steps-signed": "warning"}


def test_rbac_partial_view_of_default_is_an_info_and_a_named_account_keeps_the_warning():
    report = lint_path(str(FIXTURES / "rbac" / "fail" / "partial-default"))
    found = {f.message.split("`")[1]: f.severity for f in report.findings if f.rule == "rbac"}
    assert found == {"default": "info", "runner": "warning"}
