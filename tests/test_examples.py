"""examples/: the good ones lint clean, and each broken one shows the rule it is named for."""

import re
from pathlib import Path

import pytest

from wflint.run.registry import load_rules
from wflint.testing import lint_path, options_for

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BROKEN = sorted((EXAMPLES / "broken").glob("*.yaml"))
# Reported while reading files: not expressible as a manifest in a folder.
NOT_A_MANIFEST = {"input-limit", "read-error", "helm-chart", "internal-error", "stale-baseline"}


def rule_of(path: Path) -> str:
    first = path.read_text().splitlines()[0]
    match = re.match(r"# ([a-z0-9-]+):", first)
    assert match, f"{path.name} must start with `# <rule-id>: what is wrong`"
    return match.group(1)


def test_good_examples_are_clean():
    report = lint_path(str(EXAMPLES / "good"))
    loud = [f"{f.path}:{f.line}: {f.message} [{f.rule}]" for f in report.findings if f.severity != "info"]
    assert not loud, "\n".join(loud)


@pytest.mark.parametrize("path", BROKEN, ids=[p.name for p in BROKEN])
def test_each_broken_example_triggers_its_rule(path):
    rule = rule_of(path)
    assert rule in load_rules(), f"{path.name} names unknown rule `{rule}`"
    # templateRefs may point into examples/good: index the whole examples folder.
    options = options_for(rule)     # opt-in rules too
    options.template_paths = [str(EXAMPLES)]
    report = lint_path(str(path), options)
    assert any(f.rule.partition("/")[0] == rule for f in report.findings), f"{path.name} does not trigger `{rule}`"


def test_every_rule_has_a_broken_example():
    shown = {rule_of(p) for p in BROKEN}
    missing = sorted(set(load_rules()) - shown - NOT_A_MANIFEST)
    assert not missing, f"rules without a file in examples/broken: {missing}"
