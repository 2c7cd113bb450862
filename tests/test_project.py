"""The project-wide template index: what it covers, its cache, and templates living elsewhere."""

import json
import os
import subprocess

import pytest

from conftest import cache_content, cache_file, dedent

TEMPLATES = dedent("""
    apiVersion: argoproj.io/v1alpha1
    kind: WorkflowTemplate
    metadata:
      name: shared
    spec:
      templates:
        - name: hello
          inputs:
            parameters:
              - name: who
          container:
            image: alpine:3.20
            command: [echo, "{{inputs.parameters.who}}"]
""")


def caller(template="hello", holder="shared"):
    return dedent(f"""
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: caller-
        spec:
          entrypoint: main
          templates:
            - name: main
              steps:
                - - name: greet
                    templateRef:
                      name: {holder}
                      template: {template}
                    arguments:
                      parameters:
                        - name: who
                          value: world
    """)


def diagnostics(result):
    """Errors and warnings (notes such as rbac's about the default account aside)."""
    return [(d["path"], d["line"], d["rule"]) for d in json.loads(result.output)["diagnostics"]
            if d["severity"] != "info"]


@pytest.fixture
def repo(tmp_path, write, monkeypatch):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write("templates/shared.yaml", TEMPLATES)
    write("workflows/caller.yaml", caller())
    write("workflows/broken.yaml", "a: [1\n")  # not named: its error must not show
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_one_file_in_a_git_repo_resolves_templates_in_other_files(run_cli, repo):
    result = run_cli("check", "--format", "json", "workflows/caller.yaml")
    assert result.exit_code == 0, result.output
    assert diagnostics(result) == []


def test_only_the_named_files_get_findings(run_cli, repo, write):
    write("workflows/typo.yaml", caller(template="helo"))
    result = run_cli("check", "--format", "json", "workflows/typo.yaml")
    assert diagnostics(result) == [("workflows/typo.yaml", 13, "template-ref")]


def test_from_a_subfolder_too(run_cli, repo, monkeypatch):
    monkeypatch.chdir(repo / "workflows")
    assert diagnostics(run_cli("check", "--format", "json", "caller.yaml")) == []


def test_without_a_project_only_the_given_paths_are_indexed(run_cli, tmp_path, write, monkeypatch):
    write("templates/shared.yaml", TEMPLATES)
    write("workflows/caller.yaml", caller())
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "--format", "json", "workflows/caller.yaml")
    assert diagnostics(result) == [("workflows/caller.yaml", 12, "template-ref")]
    assert not (tmp_path / ".wflint_cache").exists()  # no project: no cache written
    ok = run_cli("check", "--format", "json", "--template-path", "templates", "workflows/caller.yaml")
    assert diagnostics(ok) == []


def test_config_folder_is_the_project_and_template_paths_narrow_it(run_cli, tmp_path, write, monkeypatch):
    write("templates/shared.yaml", TEMPLATES)
    write("other/shared-copy.yaml", TEMPLATES.replace("name: hello", "name: bye"))
    write("workflows/caller.yaml", caller())
    write(".wflint.yaml", "template-paths: [templates]\n")
    monkeypatch.chdir(tmp_path / "workflows")
    assert diagnostics(run_cli("check", "--format", "json", "caller.yaml")) == []


def test_cache_is_used_and_follows_edits(run_cli, repo, write):
    first = run_cli("check", "--format", "json", "workflows/caller.yaml")
    assert diagnostics(first) == []
    cache = cache_file(repo, "index.json")
    assert cache.is_file()
    assert not (repo / ".wflint_cache").exists()  # nothing is written in the checkout
    stored = cache_content(cache)["files"]
    assert stored["templates/shared.yaml"]["entries"][0]["name"] == "shared"
    assert stored["workflows/broken.yaml"]["entries"] == []
    # Rename the template: the cached entry must not hide the change.
    write("templates/shared.yaml", TEMPLATES.replace("name: hello", "name: howdy"))
    again = run_cli("check", "--format", "json", "workflows/caller.yaml")
    assert diagnostics(again) == [("workflows/caller.yaml", 13, "template-ref")]
    # Same output with the cache off.
    assert diagnostics(run_cli("check", "--format", "json", "--no-cache", "workflows/caller.yaml")) == \
        diagnostics(again)


def test_a_corrupt_cache_is_ignored(run_cli, repo):
    run_cli("check", "workflows/caller.yaml")
    cache_file(repo, "index.json").write_text("{not json")
    assert diagnostics(run_cli("check", "--format", "json", "workflows/caller.yaml")) == []


def test_templates_declared_in_the_config(run_cli, tmp_path, write, monkeypatch):
    write("caller.yaml", caller(holder="elsewhere"))
    write("typo.yaml", caller(holder="platform", template="nope"))
    write(".wflint.yaml", dedent("""
        templates:
          - elsewhere
          - name: platform
            templates: [deploy]
    """))
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "--format", "json", ".")
    assert diagnostics(result) == [("typo.yaml", 13, "template-ref")]
    assert "has no template `nope`" in result.output


def test_stub_files_are_indexed_but_not_linted(run_cli, tmp_path, write, monkeypatch):
    stub = dedent("""
        # Signatures only: the real template lives in the platform team's repository.
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowTemplate
        metadata:
          name: shared
        spec:
          templates:
            - name: hello
              inputs:
                parameters:
                  - name: who
    """)
    write("stubs/platform.yaml", stub)
    write("caller.yaml", caller())
    write(".wflint.yaml", "stubs: [stubs/]\n")
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "--format", "json", ".")
    assert diagnostics(result) == []
    assert json.loads(result.output)["summary"]["files"] == 1


def test_a_reference_to_nowhere_says_how_to_declare_it(run_cli, tmp_path, write, monkeypatch):
    write("caller.yaml", caller(holder="nowhere"))
    monkeypatch.chdir(tmp_path)
    found = [d for d in json.loads(run_cli("check", "--format", "json", ".").output)["diagnostics"]
             if d["rule"] == "template-ref"]
    assert found
    assert "templates:" in found[0]["hint"] and "stubs:" in found[0]["hint"]


def test_unchanged_files_are_not_read_again(run_cli, repo, monkeypatch):
    old = 1_600_000_000
    for path in repo.rglob("*.yaml"):
        os.utime(path, (old, old))
    from wflint.argo import project
    from wflint.source import cachefile
    # The files' change time (which utime cannot set back) is now: within the
    # racy window of a cache written a moment later. Close the window here.
    monkeypatch.setattr(cachefile, "RACY_SECONDS", 0.0)
    run_cli("check", "workflows/caller.yaml")
    reads = []
    real = project._file_entries
    monkeypatch.setattr(project, "_file_entries", lambda path, size: reads.append(path) or real(path, size))
    assert diagnostics(run_cli("check", "--format", "json", "workflows/caller.yaml")) == []
    assert reads == []
    os.utime(repo / "templates" / "shared.yaml", (old + 10, old + 10))
    run_cli("check", "workflows/caller.yaml")
    assert reads == ["templates/shared.yaml"]


def test_the_byte_prefilter_lets_every_indexed_kind_through():
    # A file with none of the markers is never parsed for the index: each kind it keeps needs one.
    # (The markers are index.may_hold_indexed's, shared with the streaming of `check`.)
    from wflint.argo.index import INDEXED_KINDS, _MARKER_KINDS
    _MARKERS = [kind.encode() for kind in _MARKER_KINDS]
    assert all(any(marker in kind.encode() for marker in _MARKERS) for kind in INDEXED_KINDS)
