"""`wflint check --fix`, `--diff` and `--unsafe-fixes`: the fix model, its
resolution into text edits, and the applier (wflint/fix.py, textedit.py, fixer.py)."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from wflint.run import fixer
from wflint.run.engine import Engine, Options
from wflint.suggest import closest, did_you_mean, matches

from conftest import wflint_in_process

CASES = Path(__file__).parent / "fix_cases"
NAMES = sorted(p.name[:-len(".in.yaml")] for p in CASES.glob("*.in.yaml"))


def fix_file(path, unsafe=False, write=True, **options):
    engine = Engine(Options(use_cache=False, **options))
    return fixer.run(engine, [str(path)], unsafe=unsafe, write=write)


def lint(path):
    return Engine(Options(use_cache=False)).run([str(path)])


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("unsafe", [False, True])
def test_case(tmp_path, name, unsafe):
    target = tmp_path / f"{name}.yaml"
    target.write_bytes((CASES / f"{name}.in.yaml").read_bytes())
    expected = CASES / f"{name}.{'unsafe' if unsafe else 'safe'}.yaml"
    if not expected.exists():
        expected = CASES / f"{name}.safe.yaml"
    fix_file(target, unsafe=unsafe)
    assert target.read_text() == expected.read_text()
    again = fix_file(target, unsafe=unsafe)          # a second run changes nothing
    assert not again.changed and target.read_text() == expected.read_text()


@pytest.mark.parametrize("name", [n for n in NAMES if n != "ambiguous-key"])
def test_fixed_cases_lint_clean_of_errors(tmp_path, name):
    target = tmp_path / f"{name}.yaml"
    target.write_bytes((CASES / f"{name}.in.yaml").read_bytes())
    fix_file(target, unsafe=True)
    assert [f for f in lint(target).findings if f.severity == "error"] == []


def test_fixable_findings_carry_the_fix(tmp_path):
    target = tmp_path / "wf.yaml"
    target.write_bytes((CASES / "misspelt-keys.in.yaml").read_bytes())
    report = lint(target)
    fixable = [f for f in report.findings if f.fix is not None]
    assert {f.rule for f in fixable} == {"schema"}
    shown = fixable[0].to_json()["fix"]
    assert shown["safe"] is True and shown["description"].startswith("rename `serviceAcountName`")
    assert shown["edits"][0]["start"] == {"line": 8, "column": 5}
    assert shown["edits"][0]["end"] == {"line": 8, "column": 22}
    assert shown["edits"][0]["content"] == "serviceAccountName"


def test_references_are_unsafe(tmp_path):
    target = tmp_path / "wf.yaml"
    target.write_bytes((CASES / "references.in.yaml").read_bytes())
    fixes = {f.rule: f.fix for f in lint(target).findings if f.fix is not None}
    assert fixes and all(not fix.safe for fix in fixes.values())
    assert set(fixes) == {"unknown-template", "dag-dependency"}


def _assert_fixed_with_crlf_and_bom(tmp_path, case, name):
    """The fix of CASES/<case>.in.yaml, written with CRLF line ends and a BOM,
    is the expected .safe.yaml with both kept."""
    text = (CASES / f"{case}.in.yaml").read_text().replace("\n", "\r\n")
    target = tmp_path / name
    target.write_bytes(b"\xef\xbb\xbf" + text.encode())
    fix_file(target)
    expected = (CASES / f"{case}.safe.yaml").read_text().replace("\n", "\r\n")
    assert target.read_bytes() == b"\xef\xbb\xbf" + expected.encode()


def test_crlf_and_bom_are_kept(tmp_path):
    _assert_fixed_with_crlf_and_bom(tmp_path, "misspelt-keys", "wf.yaml")


def test_utf16_is_kept(tmp_path):
    text = (CASES / "v4-migrations.in.yaml").read_text()
    target = tmp_path / "wf.yaml"
    target.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    fix_file(target)
    assert target.read_bytes() == b"\xff\xfe" + (CASES / "v4-migrations.safe.yaml").read_text().encode("utf-16-le")


def test_mode_is_kept_and_no_temporary_file_is_left(tmp_path):
    target = tmp_path / "wf.yaml"
    target.write_bytes((CASES / "misspelt-keys.in.yaml").read_bytes())
    os.chmod(target, 0o640)
    fix_file(target)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wf.yaml"]


def test_symlink_is_not_written_through(tmp_path):
    real = tmp_path / "real.yaml"
    real.write_bytes((CASES / "misspelt-keys.in.yaml").read_bytes())
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    outcome = fix_file(link)
    assert real.read_bytes() == (CASES / "misspelt-keys.in.yaml").read_bytes()
    assert link.is_symlink()
    assert outcome.refused and "symbolic link" in outcome.refused[0][1]


def test_file_changed_after_reading_is_not_overwritten(tmp_path):
    target = tmp_path / "wf.yaml"
    target.write_bytes((CASES / "misspelt-keys.in.yaml").read_bytes())
    outcome = fix_file(target, write=False)
    target.write_text(target.read_text() + "# edited meanwhile\n")
    (state,) = outcome.changed
    assert "changed on disk" in fixer.write_file(state)
    assert target.read_text().endswith("# edited meanwhile\n")


def test_excluded_files_are_not_touched(tmp_path, monkeypatch):
    (tmp_path / "skip").mkdir()
    for name in ("wf.yaml", "skip/wf.yaml"):
        (tmp_path / name).write_bytes((CASES / "misspelt-keys.in.yaml").read_bytes())
    monkeypatch.chdir(tmp_path)
    fix_file(".", exclude=["skip/"])
    assert (tmp_path / "wf.yaml").read_text() == (CASES / "misspelt-keys.safe.yaml").read_text()
    assert (tmp_path / "skip/wf.yaml").read_bytes() == (CASES / "misspelt-keys.in.yaml").read_bytes()


def test_overlapping_fixes_apply_in_a_fixed_order(tmp_path):
    # `mutex` gets both a spelling fix (`mutexes`, from the schema) and the migration
    # (a list): the migration wins, and the result is a list.
    target = tmp_path / "wf.yaml"
    target.write_bytes((CASES / "v4-migrations.in.yaml").read_bytes())
    fix_file(target)
    assert "- name: nightly-lock" in target.read_text()


def _wflint(*args, cwd):
    """`wflint ARGS` in ``cwd``, in this process (test_standard_input_is_not_fixed
    runs the real command line)."""
    code, out, err = wflint_in_process(cwd, *args)
    return subprocess.CompletedProcess(["wflint", *args], code, out, err)


def test_diff_writes_nothing_and_exits_1(tmp_path):
    target = tmp_path / "wf.yaml"
    original = (CASES / "references.in.yaml").read_bytes()
    target.write_bytes(original)
    result = _wflint("check", "--diff", "--unsafe-fixes", "--no-cache", "wf.yaml", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "-  entrypoint: mian" in result.stdout and "+  entrypoint: main" in result.stdout
    assert target.read_bytes() == original
    clean = _wflint("check", "--diff", "--no-cache", "wf.yaml", cwd=tmp_path)   # safe fixes only: none here
    assert clean.returncode == 0 and clean.stdout == ""


def test_fix_exit_code_is_that_of_check_on_the_fixed_file(tmp_path):
    target = tmp_path / "wf.yaml"
    target.write_bytes((CASES / "misspelt-keys.in.yaml").read_bytes())
    result = _wflint("check", "--fix", "--no-cache", "wf.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "fixed 2 problems" in result.stderr
    assert _wflint("check", "--unsafe-fixes", "wf.yaml", cwd=tmp_path).returncode == 2


def test_text_output_marks_fixable_findings(tmp_path):
    target = tmp_path / "wf.yaml"
    target.write_bytes((CASES / "references.in.yaml").read_bytes())
    (tmp_path / "keys.yaml").write_bytes((CASES / "misspelt-keys.in.yaml").read_bytes())
    result = _wflint("check", "--no-cache", ".", cwd=tmp_path)
    assert "[schema] [*]" in result.stdout and "[unknown-template] [*unsafe]" in result.stdout
    assert "2 fixable with --fix (3 more with --unsafe-fixes)." in result.stdout


def test_sarif_fixes(tmp_path):
    target = tmp_path / "wf.yaml"
    target.write_bytes((CASES / "v4-migrations.in.yaml").read_bytes())
    result = _wflint("check", "--no-cache", "--format", "sarif", "wf.yaml", cwd=tmp_path)
    results = json.loads(result.stdout)["runs"][0]["results"]
    fixes = [r["fixes"] for r in results if "fixes" in r]
    assert fixes
    for (one,) in fixes:
        assert one["description"]["text"]
        (change,) = one["artifactChanges"]
        assert change["artifactLocation"]["uri"] == "wf.yaml"
        for replacement in change["replacements"]:
            region = replacement["deletedRegion"]
            assert {"startLine", "startColumn", "endLine", "endColumn"} <= set(region)
            assert isinstance(replacement["insertedContent"]["text"], str)


def test_plain_check_does_not_import_ruamel(tmp_path):
    (tmp_path / "wf.yaml").write_bytes((CASES / "v4-migrations.in.yaml").read_bytes())
    code = ("import sys\nfrom wflint.cli.main import main\n"
            "try:\n    main(['check', '--no-cache', '--format', 'json', 'wf.yaml'])\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write(str(sorted(m for m in sys.modules if m.startswith('ruamel'))))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert '"fix"' in result.stdout
    assert result.stderr.endswith("[]"), result.stderr


def test_ties_are_reported_not_broken():
    assert matches("dependen", ["dependencies", "depends", "name"]) == ["dependencies", "depends"]
    assert closest("dependen", ["dependencies", "depends"]) is None
    assert did_you_mean("dependen", ["depends", "dependencies"]) == "; did you mean `dependencies` or `depends`?"
    assert closest("serviceAcountName", ["serviceAccountName", "schedulerName"]) == "serviceAccountName"


def test_every_rule_doc_says_whether_it_can_be_fixed():
    from wflint.run.registry import load_rules
    from wflint.testing import doc_sections
    for rule in load_rules().values():
        if rule.origin != "core":
            continue
        section = doc_sections(rule.doc() or "").get("Fix", "")
        assert section.strip(), f"{rule.id}: its doc needs a `## Fix` section"


def test_a_field_of_another_release_is_not_renamed(tmp_path):
    # `podResources` is an Argo 4.1 field: under 3.7 it is unknown, but not a misspelt `resource`.
    target = tmp_path / "wf.yaml"
    target.write_text("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  generateName: p-\nspec:\n"
                      "  entrypoint: main\n  templates:\n  - name: main\n    podResources:\n      requests: {cpu: 1}\n"
                      "    container: {image: alpine}\n")
    report = Engine(Options(use_cache=False, argo_version="3.7")).run([str(target)])
    assert [f for f in report.findings if f.rule == "schema" and "podResources" in f.message]
    assert not [f for f in report.findings if f.fix is not None]


def _resolved(start, end, content, priority, description):
    from wflint.fix import RENAME_KEY, Edit, Position, ResolvedFix, TextEdit
    edit = TextEdit(start, end, Position(1, start + 1), Position(1, end + 1), content)
    return ResolvedFix(description=description, safe=True, edits=(edit,), priority=priority,
                       changes=(Edit(RENAME_KEY, ("key",), content),), expected=(None,))


def test_overlapping_fixes_the_first_in_order_wins_and_the_other_is_reported():
    from wflint.finding import Finding
    from wflint import fix as fixes
    text = "a: 1\nkey: value\n"
    spelling = Finding(message="m", rule="schema", path="x", line=2, column=1,
                       fix=_resolved(5, 8, "kee", fixes.SPELLING, "spelling"))
    migration = Finding(message="m", rule="cron", path="x", line=2, column=1,
                        fix=_resolved(5, 8, "keys", fixes.MIGRATION, "migration"))
    new, applied, skipped = fixer.apply(text, [spelling, migration])
    assert new == "a: 1\nkeys: value\n"
    assert [why for _, why in skipped] == ["it overlaps a fix applied first"]
    assert skipped[0][0] is spelling


def test_a_fix_that_does_not_read_back_as_intended_is_not_applied():
    from wflint.finding import Finding
    from wflint import fix as fixes
    from wflint.fix import Edit, Position, ResolvedFix, TextEdit
    text = "a: 1\nkey: value\n"
    broken = ResolvedFix(description="rename", safe=True, priority=fixes.SPELLING,
                         edits=(TextEdit(5, 8, Position(2, 1), Position(2, 4), "other: [}"),),
                         changes=(Edit(fixes.RENAME_KEY, ("key",), "other"),), expected=(None,))
    new, applied, skipped = fixer.apply(text, [Finding(message="m", rule="schema", path="x", fix=broken)])
    assert new == text and not applied and skipped


def test_pre_commit_offers_a_fix_hook():
    import yaml
    hooks = yaml.safe_load((Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text())
    (hook,) = [h for h in hooks if h["id"] == "wflint-fix"]
    assert hook["entry"] == "wflint check --fix" and hook["require_serial"] is True


@pytest.mark.parametrize("typo, fixed", [("imge", "image"), ("comand", "command"), ("imagePulPolicy", "imagePullPolicy"),
                                         ("Image", "image"), ("WorkingDir", "workingDir")])
def test_keyboard_slips_in_a_container_are_safe_fixes(tmp_path, typo, fixed):
    target = tmp_path / "wf.yaml"
    text = ("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  generateName: p-\nspec:\n"
            "  entrypoint: main\n  templates:\n  - name: main\n    container:\n      image: alpine\n"
            "      {}: x\n")
    key = "image" if typo == "imge" or typo == "Image" else typo
    source = text.format(typo).replace("      image: alpine\n", "" if key == "image" else "      image: alpine\n")
    target.write_text(source)
    fix_file(target)
    assert target.read_text() == source.replace(f"      {typo}: x", f"      {fixed}: x")


def test_a_fixed_template_ref_name_makes_its_template_checkable(tmp_path, monkeypatch):
    (tmp_path / "library.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata:\n  name: data-steps\nspec:\n"
        "  templates:\n  - name: extract\n    container: {image: alpine}\n")
    workflow = tmp_path / "etl.yaml"
    workflow.write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  generateName: etl-\nspec:\n"
        "  entrypoint: main\n  serviceAccountName: runner\n  templates:\n  - name: main\n    steps:\n"
        "    - - name: get\n        templateRef: {name: data-step, template: extarct}  # from the library\n")
    monkeypatch.chdir(tmp_path)
    outcome = fix_file(".", unsafe=True)
    assert "templateRef: {name: data-steps, template: extract}  # from the library" in workflow.read_text()
    assert outcome.rounds >= 3   # the name, then the template it made checkable, then nothing
    assert fix_file(".").changed == []


def test_migrations_keep_crlf_and_bom(tmp_path):
    _assert_fixed_with_crlf_and_bom(tmp_path, "v4-migrations", "cron.yaml")


def test_standard_input_is_not_fixed(tmp_path):
    result = subprocess.run([sys.executable, "-m", "wflint", "check", "--fix", "-"], cwd=tmp_path, input="a: 1\n",
                            capture_output=True, text=True)
    assert result.returncode == 2 and "standard input" in result.stderr
