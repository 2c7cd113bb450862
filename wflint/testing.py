"""Helpers for testing rules: wflint's own tests use them, and so can plugin authors.

Fixture layout, one folder per rule::

    <fixtures>/<rule-id>/ok/*.yaml          clean: no finding of the rule, no error at all
    <fixtures>/<rule-id>/ok/<case>/         the same, for a folder of files
    <fixtures>/<rule-id>/fail/<case>.yaml   with <case>.out beside it, or
    <fixtures>/<rule-id>/fail/<case>/       a folder of files (cross-file cases), with <case>.out

An ``.out`` file lists the rule's findings exactly, one per line, in the
short form ``path:line:col: severity: message [rule]`` with paths relative to
the case. Set WFLINT_UPDATE_FIXTURES=1 to (re)write them from the current output.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Sequence

from .run.engine import Engine, Options, Report
from .rule import doc_sections  # noqa: F401  (rule docs' sections, for plugin tests)
from .ruleids import parent
from .source.files import SourceFile


def short(finding, path: bool = True) -> str:
    where = f"{finding.path}:" if path else ""
    return f"{where}{finding.line}:{finding.column}: {finding.severity}: {finding.message} [{finding.rule}]"


def lint_text(text: str, path: str = "test.yaml", options: Optional[Options] = None,
              select: Optional[Sequence[str]] = None) -> Report:
    """Lint one in-memory file (every document in it is indexed together)."""
    options = options or Options()
    if select is not None:
        options.select = list(select)
    return Engine(options).lint([SourceFile(path=path, text=text)])


def lint_files(files: Mapping[str, str], options: Optional[Options] = None,
               select: Optional[Sequence[str]] = None) -> Report:
    """Lint several in-memory files, written to a temporary folder and run as
    `wflint check .` there; paths in the report are relative to it."""
    options = options or Options()
    if select is not None:
        options.select = list(select)
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            target = Path(tmp, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return lint_path(tmp, options)


def lint_path(path: str, options: Optional[Options] = None) -> Report:
    """Lint a file or folder with paths reported relative to the folder. The
    template index covers that folder alone (not the repository around it),
    and no cache is written."""
    options = options or Options()
    here = os.getcwd()
    folder, target = (path, ".") if os.path.isdir(path) else (os.path.dirname(path) or ".",
                                                              os.path.basename(path))
    if not options.template_paths:
        options.template_paths = ["."]
    options.use_cache = False
    os.chdir(folder)
    try:
        return Engine(options).run([target])
    finally:
        os.chdir(here)


def fixture_cases(root: Path) -> List[tuple]:
    """(rule id, kind, case path) for every fixture under ``root``; kind is ok or fail."""
    cases = []
    if not Path(root).is_dir():
        return cases
    for rule_dir in sorted(p for p in Path(root).iterdir() if p.is_dir()):
        for kind in ("ok", "fail"):
            folder = rule_dir / kind
            if not folder.is_dir():
                continue
            for case in sorted(folder.iterdir()):
                if case.suffix in (".yaml", ".yml") or case.is_dir():
                    cases.append((rule_dir.name, kind, case))
    return cases


def options_for(rule_id: str) -> Options:
    """Options that run ``rule_id`` with the default rules, even when it is opt-in."""
    from .run.engine import active_rules
    options = Options()
    active = [rule.id for rule in active_rules(options)]
    if rule_id not in active:
        options.select = active + [rule_id]
    return options


def run_fixture(rule_id: str, kind: str, case: Path, update: Optional[bool] = None) -> None:
    """Assert that one fixture behaves as its folder says (raises AssertionError)."""
    if update is None:
        update = bool(os.environ.get("WFLINT_UPDATE_FIXTURES"))
    report = lint_path(str(case), options_for(rule_id))
    mine = [short(f) for f in report.findings if parent(f.rule) == rule_id]   # the rule's and its checks'
    if kind == "ok":
        loud = [short(f) for f in report.findings if f.severity == "error" or parent(f.rule) == rule_id]
        assert not loud, f"{case}: expected clean, got:\n" + "\n".join(loud)
        return
    expected_file = case.with_suffix(".out") if case.is_file() else case.parent / (case.name + ".out")
    if update:
        expected_file.write_text("".join(line + "\n" for line in mine), encoding="utf-8")
        return
    assert expected_file.is_file(), f"{expected_file} is missing (run with WFLINT_UPDATE_FIXTURES=1)"
    expected = [line for line in expected_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert mine, f"{case}: expected findings of `{rule_id}`, got none"
    assert mine == expected, (f"{case}: findings differ\n--- expected\n" + "\n".join(expected) +
                              "\n--- got\n" + "\n".join(mine))


def code_blocks(section: str, language: str) -> List[str]:
    """The fenced ```language blocks of a section, in order."""
    blocks, inside, current = [], False, []
    for line in section.splitlines():
        stripped = line.strip()
        if not inside and stripped == f"```{language}":
            inside, current = True, []
        elif inside and stripped == "```":
            inside = False
            blocks.append("\n".join(current) + "\n")
        elif inside:
            current.append(line)
    return blocks


def findings_of(report: Report, rule_id: str) -> Iterable:
    """The findings of a rule (all its checks', `rule/check`) or of one check."""
    return [f for f in report.findings if f.rule == rule_id or parent(f.rule) == rule_id]
