"""scripts/relayout.py: it knows every module of the tree, and on a small tree of
its own it moves, rewrites, reports unknown modules, and changes nothing the
second time."""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "relayout.py"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _run(root: Path, *args: str):
    return subprocess.run([sys.executable, str(root / "scripts" / "relayout.py"), *args], cwd=root,
                          capture_output=True, text=True)


def test_the_script_knows_every_module_of_this_tree():
    """Before the relayout: every flat module has a place (a new module from a
    merged branch fails here first). After it: nothing is left to do."""
    done = _run(ROOT, "--dry-run")
    assert done.returncode == 0 and "UNKNOWN" not in done.stdout, done.stdout + done.stderr


FILES = {
    "wflint/__init__.py": '__version__ = "1"\n',
    "wflint/__main__.py": "from .cli import main\n\nmain()\n",
    "wflint/finding.py": "def finding(path, message):\n    return (path, message)\n",
    "wflint/source.py": "from .finding import finding\n\nDEFAULT = 1\n",
    "wflint/model.py": '"""Used as wflint.model."""\nfrom .finding import finding\n\n\ndef as_dict(v):\n'
                       "    return v if isinstance(v, dict) else {}\n",
    "wflint/cron.py": "def parse(text):\n    return text\n",
    "wflint/engine.py": textwrap.dedent("""\
        from . import source as sources, model
        from .finding import finding


        def run():
            from .cron import parse
            from . import __version__
            return sources.DEFAULT, model.as_dict({}), parse("x"), __version__
        """),
    "wflint/cli.py": "from .engine import run\n\n\ndef main():\n    print(run())\n",
    "wflint/mystery.py": "from .model import as_dict\n",
    "rules/__init__.py": "from . import check_one\n",
    "rules/check_one.py": "from wflint import cron, model\nfrom wflint.finding import finding\n",
    "tests/test_it.py": textwrap.dedent("""\
        import wflint.engine
        from wflint import source as sources
        from wflint.cli import main

        TARGET = "wflint.engine.run"
        PLUGIN = '''
        from wflint import model
        '''
        """),
    "README.md": "Run `python -m wflint.cli`; the engine is `wflint/engine.py` (engine.py).\n\n"
                 "```python\nfrom wflint import model\n```\n",
    "pyproject.toml": textwrap.dedent("""\
        [project.scripts]
        wflint = "wflint.cli:main"

        [tool.setuptools]
        packages = ["wflint", "wflint.rules"]
        """),
}


@pytest.fixture
def tree(tmp_path):
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / "scripts").mkdir()
    shutil.copy(SCRIPT, tmp_path / "scripts" / "relayout.py")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "flat"]):
        subprocess.run(["git", *command], cwd=tmp_path, check=True, env=env, capture_output=True)
    return tmp_path


def test_a_relayout_moves_rewrites_reports_and_is_idempotent(tree):
    dry = _run(tree, "--dry-run")
    assert dry.returncode == 1 and "wflint/mystery.py" in dry.stdout.split("UNKNOWN")[1]
    assert (tree / "wflint" / "engine.py").is_file()  # a dry run changes nothing

    done = _run(tree)
    assert done.returncode == 1, done.stderr  # the unknown module is reported
    assert not (tree / "wflint" / "engine.py").exists()
    engine = (tree / "wflint" / "run" / "engine.py").read_text()
    assert "from ..source import files as sources\nfrom ..argo import model\n" in engine
    assert "    from ..lang.cron import parse\n    from .. import __version__\n" in engine
    assert (tree / "wflint" / "mystery.py").read_text() == "from .argo.model import as_dict\n"
    assert (tree / "rules" / "check_one.py").read_text().startswith(
        "from wflint.lang import cron\nfrom wflint.argo import model\n")
    test = (tree / "tests" / "test_it.py").read_text()
    assert "import wflint.run.engine\n" in test and 'TARGET = "wflint.run.engine.run"' in test
    assert "from wflint.source import files as sources\nfrom wflint.cli.main import main\n" in test
    assert "\nfrom wflint.argo import model\n" in test  # a plugin written out by a test
    assert "wflint.cli.main:main" in (tree / "pyproject.toml").read_text()
    assert '"wflint.run",' in (tree / "pyproject.toml").read_text()
    readme = (tree / "README.md").read_text()
    assert "`python -m wflint.cli.main`" in readme and "`wflint/run/engine.py` (run/engine.py)" in readme
    assert "from wflint.argo import model" in readme
    assert "git mv" not in done.stderr
    status = subprocess.run(["git", "status", "--porcelain"], cwd=tree, capture_output=True, text=True).stdout
    assert "R  wflint/engine.py -> wflint/run/engine.py" in status.replace("RM ", "R  ")  # git mv: history follows

    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    check = subprocess.run([sys.executable, "-c", "from wflint.run.engine import run; print(run()); "
                            "from wflint import model; print(model.__name__)"],
                           cwd=tree, env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert check.stdout.splitlines() == ["(1, {}, 'x', '1')", "wflint.argo.model"]  # old names still answer

    before = {p: p.read_text() for p in tree.rglob("*") if p.is_file() and ".git" not in p.parts}
    again = _run(tree, "--dry-run", "--map", "mystery=argo.mystery")
    assert "wflint/mystery.py -> wflint/argo/mystery.py" in again.stdout and again.returncode == 0
    subprocess.run(["git", "add", "-A"], cwd=tree, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "moved"], cwd=tree,
                   check=True)
    done = _run(tree, "--map", "mystery=argo.mystery")
    assert done.returncode == 0 and (tree / "wflint" / "argo" / "mystery.py").is_file()
    assert (tree / "wflint" / "argo" / "mystery.py").read_text() == "from .model import as_dict\n"
    last = _run(tree, "--map", "mystery=argo.mystery", "--allow-dirty")
    assert "nothing to do" in last.stdout and last.returncode == 0
    after = {p: p.read_text() for p in tree.rglob("*") if p.is_file() and ".git" not in p.parts}
    changed = {p.relative_to(tree).as_posix() for p in set(before) | set(after) if before.get(p) != after.get(p)}
    assert changed == {"wflint/mystery.py", "wflint/argo/mystery.py"}, changed
