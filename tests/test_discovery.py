"""Which files a run reads."""

import os

import pytest

from wflint.source.discovery import Excluder, discover


def names(result):
    return sorted(result.files)


def test_walks_yaml_and_skips_what_is_not_source(write, tmp_path, monkeypatch):
    for name in ["a.yaml", "b.yml", "C.YAML", "notes.txt", ".hidden.yaml", ".git/x.yaml",
                 ".github/workflows/ci.yaml", "node_modules/m/x.yaml", "sub/d.yaml",
                 "env/lib/python3.12/x.yaml", "__pycache__/x.yaml"]:
        write(name, "a: 1\n")
    write("env/pyvenv.cfg", "home = /usr/bin\n")
    monkeypatch.chdir(tmp_path)
    found = discover(["."])
    assert names(found) == ["C.YAML", "a.yaml", "b.yml", "sub/d.yaml"]
    assert [(f.rule, f.severity, f.path, f.message) for f in found.findings] == [
        ("not-linted", "info", "env/", "folder env/ is a Python virtual environment; not walked")]


def test_only_real_environments_are_skipped(write, tmp_path, monkeypatch):
    write("fake/pyvenv.cfg", "")                        # no `home =` line
    write("fake/wf.yaml", "a: 1\n")
    write("nopython/pyvenv.cfg", "home = /usr/bin\n")   # no Python inside
    write("nopython/wf.yaml", "a: 1\n")
    write("conda/conda-meta/x.json", "{}")               # no history
    write("conda/wf.yaml", "a: 1\n")
    write("realconda/conda-meta/history", "")
    write("realconda/wf.yaml", "a: 1\n")
    monkeypatch.chdir(tmp_path)
    found = discover(["."])
    assert names(found) == ["conda/wf.yaml", "fake/wf.yaml", "nopython/wf.yaml"]
    assert [f.path for f in found.findings] == ["realconda/"]


def test_json_files_are_read_when_they_hold_kubernetes_objects(write, tmp_path, monkeypatch):
    write("wf.json", '{\n  "apiVersion": "argoproj.io/v1alpha1",\n  "kind": "Workflow"\n}\n')
    write("package.json", '{"name": "x"}')
    write("tsconfig.json", '{\n  // comment\n  "compilerOptions": {}\n}')
    write("list.json", '[1, 2]')
    monkeypatch.chdir(tmp_path)
    found = discover(["."])
    assert names(found) == ["wf.json"] and not found.findings


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


def test_chart_templates_without_actions_are_linted_and_templated_ones_indexed(write, tmp_path, monkeypatch):
    write("charts/wf/Chart.yaml", "apiVersion: v2\nname: wf\nversion: 1.0.0\n")
    write("charts/wf/templates/plain.yaml", "a: 1\n")
    write("charts/wf/templates/sub/templated.yaml", "name: {{ .Values.a }}\n")
    monkeypatch.chdir(tmp_path)
    result = discover(["."])
    assert names(result) == ["charts/wf/Chart.yaml", "charts/wf/templates/plain.yaml"]
    assert result.chart_templates == ["charts/wf/templates/sub/templated.yaml"]
    assert [f.rule for f in result.findings] == ["helm-chart"]


def test_an_empty_chart_file_does_not_hide_templates(write, tmp_path, monkeypatch):
    write("x/Chart.yaml", "")
    write("x/templates/wf.yaml", "a: 1\n")
    monkeypatch.chdir(tmp_path)
    result = discover(["."])
    assert names(result) == ["x/Chart.yaml", "x/templates/wf.yaml"] and not result.findings
    assert discover(["x/templates/wf.yaml"]).files == ["x/templates/wf.yaml"]


def test_a_chart_templates_folder_named_directly_is_still_a_chart(write, tmp_path, monkeypatch):
    write("c/Chart.yaml", "name: c\n")
    write("c/templates/a.yaml", "x: {{ .Values.x }}\n")
    write("c/templates/b.yaml", "x: 1\n")
    monkeypatch.chdir(tmp_path)
    result = discover(["c/templates"])
    assert result.files == ["c/templates/b.yaml"] and result.chart_templates == ["c/templates/a.yaml"]
    assert [(f.rule, f.path) for f in result.findings] == [("helm-chart", "c/Chart.yaml")]
