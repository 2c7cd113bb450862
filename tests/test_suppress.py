"""Inline suppressions and the baseline."""

import json

from wflint.testing import lint_text
from conftest import HELLO, dedent

BROKEN = dedent("""
    apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    metadata:
      generateName: hello-
    spec:
      entrypoint: main
      serviceAcountName: argo
      parallelism: two
      templates:
        - name: main
          container:
            image: alpine:3.20
""")


def rules_and_lines(text):
    return [(f.line, f.rule) for f in lint_text(text).findings if f.severity != "info"]


def test_unsuppressed():
    assert rules_and_lines(BROKEN) == [(7, "schema"), (8, "schema")]


def test_end_of_line():
    text = BROKEN.replace("serviceAcountName: argo", "serviceAcountName: argo  # wflint: disable=schema -- legacy")
    assert rules_and_lines(text) == [(8, "schema")]


def test_line_above_and_several_rules():
    text = BROKEN.replace("  parallelism: two", "  # wflint: disable=cron,schema -- migrating\n  parallelism: two")
    assert rules_and_lines(text) == [(7, "schema"), (8, "unused-suppression")]
    found = [f for f in lint_text(text).findings if f.rule == "unused-suppression"][0]
    assert "`cron` reports nothing on line 9" in found.message


def test_whole_file():
    assert rules_and_lines("# wflint: disable-file=schema\n" + BROKEN) == []


def test_unused_and_unknown_suppressions_are_reported():
    text = HELLO.replace("image: alpine:3.20", "image: alpine:3.20  # wflint: disable=schema")
    found = [f for f in lint_text(text).findings if f.severity != "info"]
    assert [(f.rule, f.severity) for f in found] == [("unused-suppression", "warning")]
    typo = lint_text(HELLO + "# wflint: disable-file=shcema\n").findings
    assert "no rule `shcema`; did you mean `schema`?" in typo[0].message


def test_suppressing_unused_suppression():
    text = HELLO.replace("image: alpine:3.20", "image: alpine:3.20  # wflint: disable=schema,unused-suppression")
    assert [f for f in lint_text(text).findings if f.severity != "info"] == []


def test_a_comment_that_merely_mentions_wflint_is_ignored():
    assert [f for f in lint_text(HELLO + "# wflint: see docs\n").findings if f.severity != "info"] == []


def test_baseline_round_trip(run_cli, write, tmp_path, monkeypatch):
    write("wf.yaml", BROKEN)
    monkeypatch.chdir(tmp_path)
    assert run_cli("check", "--write-baseline", "baseline.json", ".").exit_code == 0
    data = json.loads((tmp_path / "baseline.json").read_text())
    assert [e["pointer"] for e in data["findings"] if e["rule"] == "schema"] == [
        "/spec/parallelism", "/spec/serviceAcountName"]
    assert run_cli("check", "--baseline", "baseline.json", ".").exit_code == 0
    # Unrelated edits move lines; entries still match by node, not by line.
    write("wf.yaml", "# a new comment\n# and another\n" + BROKEN)
    assert run_cli("check", "--baseline", "baseline.json", ".").exit_code == 0
    # A new problem is reported.
    write("wf.yaml", BROKEN.replace("image: alpine:3.20", "image: alpine:3.20\n        imagePullPolicy: 7"))
    result = run_cli("check", "--format", "json", "--baseline", "baseline.json", ".")
    assert result.exit_code == 1
    assert [d["pointer"] for d in json.loads(result.output)["diagnostics"] if d["severity"] != "info"] == [
        "/spec/templates/0/container/imagePullPolicy"]


def test_stale_baseline_entries(run_cli, write, tmp_path, monkeypatch):
    write("wf.yaml", BROKEN)
    monkeypatch.chdir(tmp_path)
    run_cli("check", "--write-baseline", "baseline.json", ".")
    write("wf.yaml", BROKEN.replace("parallelism: two", "parallelism: 2"))
    result = run_cli("check", "--format", "json", "--baseline", "baseline.json", ".")
    found = json.loads(result.output)["diagnostics"]
    assert [(d["rule"], d["severity"]) for d in found if d["rule"] != "rbac"] == [("stale-baseline", "info")]
    assert "/spec/parallelism" in [d for d in found if d["rule"] == "stale-baseline"][0]["message"]
    # Not stale when the file was not part of the run.
    write("other.yaml", HELLO)
    assert "stale-baseline" not in run_cli("check", "--baseline", "baseline.json", "other.yaml").output


def test_bad_baseline_is_a_usage_error(run_cli, write, tmp_path):
    path = write("wf.yaml", BROKEN)
    bad = write("b.json", "[1, 2]")
    assert run_cli("check", "--baseline", str(bad), str(path)).exit_code == 2
    assert run_cli("check", "--baseline", str(tmp_path / "missing.json"), str(path)).exit_code == 2


def test_directives_only_from_real_comments():
    """Text that looks like a directive inside a block scalar, a quoted or a
    plain string suppresses nothing (a script's source used to silence the
    whole file)."""
    text = BROKEN + (
        "        args:\n"
        "          - \"# wflint: disable-file=schema\"\n"
        "          - '# wflint: disable-file=schema'\n"
        "          - a#wflint: disable-file=schema\n"
        "          - |\n"
        "            # wflint: disable-file=schema\n")
    assert "disable-file" in text
    assert [r for _, r in rules_and_lines(text)].count("schema") >= 2
    assert "unused-suppression" not in [r for _, r in rules_and_lines(text)]
    real = text + "# wflint: disable-file=schema\n"
    assert "schema" not in [r for _, r in rules_and_lines(real)]


def test_after_a_syntax_error_nothing_is_a_directive():
    from wflint.run import suppress
    for text in ("a: 'unclosed\n# wflint: disable-file=schema\n", 'a: "x\n  # wflint: disable-file=schema\n'):
        assert suppress.parse(text) == [], text
    assert len(suppress.parse("a: [x,\n# wflint: disable-file=schema\n  y]\n")) == 1   # a comment in a flow


def test_limits_cannot_be_suppressed_from_inside_the_file():
    deep = "[" * 150 + "]" * 150
    text = "# wflint: disable-file=input-limit\n" + BROKEN + f"x: {deep}  # wflint: disable=input-limit\n"
    found = [(f.rule, f.severity) for f in lint_text(text).findings if f.rule in ("input-limit", "unused-suppression")]
    assert found.count(("input-limit", "error")) == 1
    assert found.count(("unused-suppression", "warning")) == 2
    message = [f.message for f in lint_text(text).findings if f.rule == "unused-suppression"][0]
    assert "cannot be suppressed from inside a file" in message
