"""Sub-check ids (`rule/check`): accepted wherever a rule id is, and the rule id still covers them all."""

import json
from pathlib import Path

import pytest

from wflint import ruleids
from wflint.run.registry import load_rules
from wflint.rule import Rule, RuleError

# Two checks of template-structure in one file: a leaf template with
# `parallelism` (line 9) and a container without an image (line 10).
TWO = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: two-
spec:
  entrypoint: main
  templates:
    - name: main
      parallelism: 2
      container:
        command: [make]
"""
PAR = "template-structure/parallelism"
IMG = "template-structure/missing-image"


@pytest.fixture
def wf(write, tmp_path, monkeypatch):
    write("wf.yaml", TWO)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def ids(result):
    return sorted((d["line"], d["rule"]) for d in json.loads(result.output)["diagnostics"])


def test_findings_carry_the_sub_id(run_cli, wf):
    assert ids(run_cli("check", "--format", "json")) == [(9, PAR), (10, IMG)]


@pytest.mark.parametrize("flags,expected", [
    (["--select", PAR], [(9, PAR)]),
    (["--select", "template-structure"], [(9, PAR), (10, IMG)]),
    (["--ignore", PAR], [(10, IMG)]),
    (["--ignore", "template-structure"], []),
    (["--select", "schema", "--extend-select", IMG], [(10, IMG)]),
    (["--select", "template-structure", "--ignore", IMG], [(9, PAR)]),
])
def test_command_line_selection(run_cli, wf, flags, expected):
    assert ids(run_cli("check", "--format", "json", *flags)) == expected


def test_unknown_sub_id_is_a_usage_error_with_a_suggestion(run_cli, wf):
    result = run_cli("check", "--ignore", "template-structure/paralelism")
    assert result.exit_code == 2
    assert "did you mean `template-structure/parallelism`" in result.output


def test_config_severity_and_off_per_check(run_cli, wf, write):
    write(".wflint.yaml", f"rules:\n  {PAR}: warning\n  {IMG}: off\n")
    diagnostics = json.loads(run_cli("check", "--format", "json").output)["diagnostics"]
    assert [(d["rule"], d["severity"]) for d in diagnostics] == [(PAR, "warning")]


def test_config_check_setting_beats_the_rules(run_cli, wf, write):
    write(".wflint.yaml", f"rules:\n  template-structure: off\n  {IMG}: on\nignore: []\n")
    assert ids(run_cli("check", "--format", "json")) == [(10, IMG)]


def test_config_select_and_ignore_take_sub_ids(run_cli, wf, write):
    write(".wflint.yaml", f"select: [{PAR}]\n")
    assert ids(run_cli("check", "--format", "json")) == [(9, PAR)]
    write(".wflint.yaml", f"ignore: [{PAR}]\n")
    assert ids(run_cli("check", "--format", "json")) == [(10, IMG)]


def test_config_options_belong_to_the_rule(run_cli, wf, write):
    write(".wflint.yaml", f"rules:\n  {PAR}: {{colour: red}}\n")
    result = run_cli("check")
    assert result.exit_code == 2 and "options belong to the rule `template-structure`" in result.output


@pytest.mark.parametrize("name,left", [(PAR, [(10, IMG)]), ("template-structure", [])])
def test_disable_file_by_check_or_rule(run_cli, wf, write, name, left):
    write("wf.yaml", f"# wflint: disable-file={name} -- legacy\n" + TWO)
    assert ids(run_cli("check", "--format", "json")) == [(line + 1, rule) for line, rule in left]


def test_disable_line_and_unused_sub_id(run_cli, wf, write):
    text = TWO.replace("parallelism: 2", f"parallelism: 2  # wflint: disable={PAR},{IMG}")
    write("wf.yaml", text)
    result = ids(run_cli("check", "--format", "json"))
    assert result == [(9, "unused-suppression"), (10, IMG)]
    message = [d for d in json.loads(run_cli("check", "--format", "json").output)["diagnostics"]
               if d["rule"] == "unused-suppression"][0]["message"]
    assert f"`{IMG}` reports nothing on line 9" in message


def test_unknown_sub_id_in_a_directive(run_cli, wf, write):
    write("wf.yaml", "# wflint: disable-file=template-structure/nope\n" + TWO)
    messages = [d["message"] for d in json.loads(run_cli("check", "--format", "json").output)["diagnostics"]
                if d["rule"] == "unused-suppression"]
    assert messages and "suppression names no rule `template-structure/nope`" in messages[0]


def test_baseline_with_sub_ids_and_with_the_old_rule_id(run_cli, wf, write):
    assert run_cli("check", "--write-baseline", "base.json").exit_code == 0
    recorded = json.loads(Path("base.json").read_text())
    rules = sorted(e["rule"] for e in recorded["findings"])
    assert rules == [IMG, PAR]
    assert ids(run_cli("check", "--format", "json", "--baseline", "base.json")) == []
    # a baseline written before the checks had ids of their own
    old = Path("base.json").read_text().replace(PAR, "template-structure").replace(IMG, "template-structure")
    Path("old.json").write_text(old)
    assert ids(run_cli("check", "--format", "json", "--baseline", "old.json")) == []
    # fixed in the file: the old entry is reported stale
    write("wf.yaml", TWO.replace("      parallelism: 2\n", ""))
    stale = [d for d in json.loads(run_cli("check", "--format", "json", "--baseline", "old.json").output)[
        "diagnostics"] if d["rule"] == "stale-baseline"]
    assert len(stale) == 1 and "`template-structure`" in stale[0]["message"]


def test_rules_listing_shows_checks(run_cli, wf, write):
    write(".wflint.yaml", f"rules:\n  {PAR}: warning\n  {IMG}: off\n")
    listing = {r["id"]: r for r in json.loads(run_cli("rules", "--format", "json").output)}
    checks = {c["id"]: c for c in listing["template-structure"]["checks"]}
    assert checks[PAR]["severity"] == "warning" and checks[PAR]["enabled"]
    assert not checks[IMG]["enabled"] and checks[IMG]["severity"] == "error"
    text = run_cli("rules").output
    assert any(line.startswith(PAR + " ") for line in text.splitlines())


def test_explain_a_check_shows_its_section(run_cli):
    result = run_cli("explain", PAR)
    assert result.exit_code == 0
    assert result.output.startswith(f"### {PAR}") and "**Use instead**" in result.output
    assert "### template-structure/deadline" not in result.output
    assert run_cli("explain", "template-structure/nope").exit_code == 2


def test_sarif_rule_ids_match_descriptors(run_cli, wf):
    log = json.loads(run_cli("check", "--format", "sarif").output)
    run = log["runs"][0]
    descriptors = run["tool"]["driver"]["rules"]
    assert len({d["id"] for d in descriptors}) == len(descriptors)
    for result in run["results"]:
        assert descriptors[result["ruleIndex"]]["id"] == result["ruleId"]
    assert {r["ruleId"] for r in run["results"]} == {PAR, IMG}


def test_every_declared_check_has_a_fixture():
    root = Path(__file__).parent / "fixtures"
    for rule in load_rules().values():
        if not rule.checks:
            continue
        shown = "".join(p.read_text(encoding="utf-8") for p in (root / rule.id).rglob("*.out"))
        for sub in ruleids.sub_ids(rule):
            assert f"[{sub}]" in shown, f"no fixture of {rule.id} reports `{sub}`"


def test_every_finding_of_a_rule_with_checks_names_one(run_cli):
    """A rule that declares checks tags every finding it makes with one of them."""
    root = Path(__file__).parent / "fixtures"
    for rule in load_rules().values():
        if not rule.checks:
            continue
        for out in (root / rule.id).rglob("*.out"):
            for line in out.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    assert line.rstrip().endswith("]") and f"[{rule.id}/" in line, f"{out}: untagged: {line}"


def test_check_names_are_kebab_case():
    with pytest.raises(RuleError):
        Rule(id="x-rule", severity="error", summary="s", checks={"Bad_Name": "s"})
    assert ruleids.split("a-b/c-d") == ("a-b", "c-d") and ruleids.lineage("a/b") == ["a/b", "a"]
