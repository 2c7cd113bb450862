"""The pre-commit hook, run by the real pre-commit against this repository."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import dedent

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(shutil.which("pre-commit") is None and not shutil.which("git"),
                                reason="needs git and pre-commit")

TEMPLATES = dedent("""
    apiVersion: argoproj.io/v1alpha1
    kind: WorkflowTemplate
    metadata:
      name: shared
    spec:
      templates:
        - name: hello
          container:
            image: alpine:3.20
            command: [echo, hello]
""")


def workflow(template):
    return dedent(f"""
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: hi-
        spec:
          entrypoint: main
          serviceAccountName: runner
          templates:
            - name: main
              steps:
                - - name: hi
                    templateRef: {{name: shared, template: {template}}}
    """)


def git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env=dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
                            GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com"))


def pre_commit(repo, home):
    executable = shutil.which("pre-commit") or str(Path(os.sys.executable).parent / "pre-commit")
    return subprocess.run([executable, "try-repo", str(ROOT), "wflint", "--verbose"], cwd=repo,
                          capture_output=True, text=True, env=dict(os.environ, PRE_COMMIT_HOME=str(home)))


def test_pre_commit_hook_passes_good_and_fails_broken_workflows(tmp_path):
    if shutil.which("pre-commit") is None and not (Path(os.sys.executable).parent / "pre-commit").exists():
        pytest.skip("pre-commit is not installed (pip install -e '.[test]')")
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "templates.yaml").write_text(TEMPLATES)
    git(repo, "add", "templates.yaml")
    git(repo, "commit", "-qm", "templates")
    home = tmp_path / "pre-commit-home"

    # Staged: only the workflow. Its templateRef target is committed, not staged.
    (repo / "good.yaml").write_text(workflow("hello"))
    git(repo, "add", "good.yaml")
    good = pre_commit(repo, home)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout

    (repo / "broken.yaml").write_text(workflow("helo"))
    git(repo, "add", "broken.yaml")
    broken = pre_commit(repo, home)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "broken.yaml:12:" in broken.stdout
    assert "has no template `helo`; did you mean `hello`?" in broken.stdout
    assert "good.yaml" not in broken.stdout.split("Failed", 1)[1]
