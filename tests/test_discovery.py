"""Which files a run reads."""

import os

import pytest

from wflint.discovery import Excluder, discover


def names(result):
    return sorted(result.files)


def test_walks_yaml_and_skips_what_is_not_source(write, tmp_path, monkeypatch):
    for name in ["a.yaml", "b.yml", "C.YAML", "notes.txt", ".hidden.yaml", ".git/x.yaml",
                 ".github/workflows/ci.yaml", "node_modules/m/x.yaml", "sub/d.yaml",
                 "env/pyvenv.cfg", "env/lib/x.yaml", "__pycache__/x.yaml"]:
        write(name, "a: 1\n")
    monkeypatch.chdir(tmp_path)
    assert names(discover(["."])) == ["C.YAML", "a.yaml", "b.yml", "sub/d.yaml"]


def test_paths_stay_as_given(write, tmp_path, monkeypatch):
    write("dir/x.yaml", "a: 1\n")
    monkeypatch.chdir(tmp_path)
    assert discover(["dir"]).files == ["dir/x.yaml"]
    assert discover(["./dir/"]).files == ["dir/x.yaml"]
    absolute = discover([str(tmp_path / "dir")]).files
    assert absolute == [str(tmp_path / "dir" / "x.yaml")]


def test_explicit_files_are_read_whatever_their_name(write, tmp_path, monkeypatch):
    write("manifest.txt", "a: 1\n")
    monkeypatch.chdir(tmp_path)
    assert discover(["manifest.txt"]).files == ["manifest.txt"]


def test_excludes_are_gitignore_patterns(write, tmp_path, monkeypatch):
    for name in ["keep.yaml", "legacy/old.yaml", "deep/legacy/old.yaml", "x.generated.yaml", "deep/y.yaml"]:
        write(name, "a: 1\n")
    monkeypatch.chdir(tmp_path)
    result = discover(["."], Excluder(["legacy/", "*.generated.yaml"]))
    assert names(result) == ["deep/y.yaml", "keep.yaml"]
    assert names(discover(["."], Excluder(["/deep"]))) == ["keep.yaml", "legacy/old.yaml", "x.generated.yaml"]
    assert discover(["x.generated.yaml"], Excluder(["*.generated.yaml"])).files == []


def test_helm_chart_templates_are_skipped_once_per_chart(write, tmp_path, monkeypatch):
    write("charts/wf/Chart.yaml", "name: wf\n")
    write("charts/wf/values.yaml", "a: 1\n")
    write("charts/wf/templates/a.yaml", "{{ .Values.a }}\n")
    write("charts/wf/templates/b.yaml", "{{- if x }}\n")
    monkeypatch.chdir(tmp_path)
    result = discover(["."])
    assert names(result) == ["charts/wf/Chart.yaml", "charts/wf/values.yaml"]
    assert [(f.rule, f.path) for f in result.findings] == [("helm-chart", "charts/wf/Chart.yaml")]
    assert "helm template charts/wf | wflint check -" in result.findings[0].hint
    # pre-commit names template files one by one: still skipped, still one note
    explicit = discover(["charts/wf/templates/a.yaml", "charts/wf/templates/b.yaml"])
    assert explicit.files == [] and len(explicit.findings) == 1


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinks_never_lead_outside_the_tree(write, tmp_path, monkeypatch):
    outside = write("outside/secret.yaml", "a: 1\n")
    write("tree/real.yaml", "a: 1\n")
    os.symlink(outside, tmp_path / "tree" / "leak.yaml")
    os.symlink(tmp_path / "tree" / "real.yaml", tmp_path / "tree" / "alias.yaml")
    os.symlink(tmp_path / "tree", tmp_path / "tree" / "loop")
    os.symlink(tmp_path / "nowhere.yaml", tmp_path / "tree" / "dangling.yaml")
    monkeypatch.chdir(tmp_path)
    assert names(discover(["tree"])) == ["tree/real.yaml"]


def test_same_file_twice_is_read_once(write, tmp_path, monkeypatch):
    write("a.yaml", "a: 1\n")
    monkeypatch.chdir(tmp_path)
    assert discover(["a.yaml", "./a.yaml", "."]).files == ["a.yaml"]


def test_unreadable_and_special_files_are_findings(run_cli, write, tmp_path):
    import json
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    data = json.loads(run_cli("check", "--format", "json", str(fifo)).output)
    assert [d["rule"] for d in data["diagnostics"]] == ["read-error"]
    locked = write("locked.yaml", "a: 1\n")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running as root: permissions are not enforced")
        data = json.loads(run_cli("check", "--format", "json", str(locked)).output)
        assert [d["rule"] for d in data["diagnostics"]] == ["read-error"]
    finally:
        locked.chmod(0o644)


def test_size_cap(run_cli, write):
    import json
    big = write("big.yaml", "a: " + "x" * 2048 + "\n")
    data = json.loads(run_cli("check", "--format", "json", "--max-file-size", "0.001", str(big)).output)
    assert [(d["rule"], d["severity"]) for d in data["diagnostics"]] == [("input-limit", "error")]
