"""Every rule has its doc, in the four parts, and the doc's examples do what it says."""

import pytest

from wflint.run.registry import load_rules
from wflint.ruleids import doc_section, parent, sub_ids
from wflint.testing import code_blocks, doc_sections, lint_text, options_for, short

RULES = sorted(load_rules().values(), key=lambda r: r.id)
SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_doc_has_the_four_parts(rule):
    doc = rule.doc()
    assert doc, f"rule {rule.id} has no doc beside its module"
    assert doc.startswith(f"# {rule.id}\n"), "a doc starts with `# <rule id>`"
    sections = doc_sections(doc)
    for name in SECTIONS:
        assert sections.get(name, "").strip(), f"{rule.id}: section `## {name}` is missing or empty"


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_doc_example_triggers_exactly_what_it_shows(rule):
    sections = doc_sections(rule.doc() or "")
    examples = code_blocks(sections.get("Example", ""), "yaml")
    if not examples:
        pytest.skip(f"{rule.id} is reported while reading files; its example is not a manifest")
    report = lint_text("---\n".join(examples), path="example.yaml", options=options_for(rule.id))
    got = [short(f, path=False) for f in report.findings if parent(f.rule) == rule.id]
    assert got, f"{rule.id}: the Example triggers nothing"
    shown = [line for block in code_blocks(sections["Example"], "text") for line in block.splitlines()
             if line.strip()]
    assert got == shown, "the Example's output block is out of date:\n" + "\n".join(got)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_doc_fix_is_clean(rule):
    sections = doc_sections(rule.doc() or "")
    fixes = code_blocks(sections.get("Use instead", ""), "yaml")
    if not fixes:
        pytest.skip(f"{rule.id}'s fix is not a manifest")
    report = lint_text("---\n".join(fixes), path="fixed.yaml", options=options_for(rule.id))
    loud = [short(f) for f in report.findings if parent(f.rule) == rule.id or f.severity == "error"]
    assert not loud, "the `Use instead` example is not clean:\n" + "\n".join(loud)


CHECK_PARTS = ("**What it does**", "**Why is this bad?**", "**Example**", "**Use instead**")


@pytest.mark.parametrize("sub", [s for r in RULES for s in sub_ids(r)])
def test_every_check_has_its_section_in_four_parts(sub):
    rule = load_rules()[parent(sub)]
    section = doc_section(rule.doc() or "", sub)
    assert section, f"{rule.id}'s doc has no `### {sub}` section"
    for part in CHECK_PARTS:
        assert part in section, f"`### {sub}` lacks {part}"
