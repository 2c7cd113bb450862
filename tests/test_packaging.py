"""The package ships what it needs, and the README's commands are the ones CI runs."""

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                           "-w", str(out), str(ROOT)], capture_output=True, text=True)
    if proc.returncode != 0:
        proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
                              capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return next(out.glob("wflint-*.whl"))


def test_wheel_carries_rules_docs_and_schemas(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for rule in (ROOT / "rules").glob("*.py"):
        assert f"wflint/rules/{rule.name}" in names
    for doc in (ROOT / "rules").glob("*.md"):
        assert f"wflint/rules/{doc.name}" in names
    for schema in (ROOT / "schemas").glob("*.json"):
        assert f"wflint/schemas/{schema.name}" in names
    for module in (ROOT / "wflint").rglob("*.py"):
        assert "wflint/" + module.relative_to(ROOT / "wflint").as_posix() in names
    assert not any(n.startswith("rules/") for n in names), "rules must ship as wflint.rules only"
    metadata = next(n for n in names if n.endswith("entry_points.txt"))
    entry_points = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "[wflint.rules]" in entry_points and "core = wflint.rules:RULES" in entry_points


def test_readme_quick_start_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.+?)\n```", quick)
    assert len(commands) == 2, "the Quick start has exactly two commands"
    assert "wflint check examples/" in commands[0]
    assert commands[1] in (ROOT / ".ci" / "run").read_text()
