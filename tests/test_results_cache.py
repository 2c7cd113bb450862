"""The results cache: reused only while nothing a file's findings depend on has changed."""

import json
import os
import subprocess

import pytest

from wflint.run.engine import Engine, Options
from wflint.render import render

from conftest import cache_file, dedent

LIBRARY = dedent("""
    apiVersion: argoproj.io/v1alpha1
    kind: WorkflowTemplate
    metadata:
      name: lib
    spec:
      templates:
        - name: build
          container:
            image: golang:1.23
""")


def caller(i, template="build"):
    return dedent(f"""
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: c{i}-
        spec:
          entrypoint: main
          serviceAccountName: runner
          templates:
            - name: main
              steps:
                - - name: build
                    templateRef: {{name: lib, template: {template}}}
    """)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "lib.yaml").write_text(LIBRARY)
    for i in range(30):
        (tmp_path / f"c{i:02d}.yaml").write_text(caller(i, "biuld" if i == 3 else "build"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lint(**options):
    return render(Engine(Options(jobs=1, **options)).run(["."]), "json")


def count_parses(monkeypatch):
    parsed = []
    real = Engine.parse

    def spy(self, files):
        files = list(files)
        parsed.extend(f.path for f in files)
        return real(self, files)
    monkeypatch.setattr(Engine, "parse", spy)
    return parsed


def test_second_run_reuses_results_and_says_the_same(repo, monkeypatch):
    fresh = lint(use_cache=False)
    assert lint() == fresh                       # writes the cache
    assert cache_file(repo, "results.json").is_file()
    parsed = count_parses(monkeypatch)
    assert lint() == fresh
    assert parsed == []                          # nothing parsed again


def test_a_changed_workflow_is_linted_again_alone(repo, monkeypatch):
    lint()
    (repo / "c05.yaml").write_text(caller(5, "biuld"))
    parsed = count_parses(monkeypatch)
    out = json.loads(lint())
    assert parsed == ["c05.yaml"]
    assert sorted(d["path"] for d in out["diagnostics"] if d["rule"] == "template-ref") == ["c03.yaml", "c05.yaml"]
    assert lint() == lint(use_cache=False)


def test_a_changed_template_invalidates_every_file(repo, monkeypatch):
    lint()
    (repo / "lib.yaml").write_text(LIBRARY.replace("name: build", "name: biuld"))
    out = json.loads(lint())
    broken = sorted(d["path"] for d in out["diagnostics"] if d["rule"] == "template-ref")
    assert len(broken) == 29 and "c03.yaml" not in broken
    assert lint() == lint(use_cache=False)


def test_configuration_applies_on_top_of_cached_results(repo, tmp_path):
    lint()
    from wflint.run import config
    severity = config.parse({"rules": {"template-ref": "warning"}}, "cfg", str(repo))
    out = json.loads(lint(config=severity))
    assert {d["severity"] for d in out["diagnostics"] if d["rule"] == "template-ref"} == {"warning"}
    options = config.parse({"ignore": ["template-ref"]}, "cfg", str(repo))
    assert "template-ref" not in lint(config=options)


def test_corrupt_or_foreign_cache_is_ignored(repo):
    fresh = lint(use_cache=False)
    lint()
    cache_file(repo, "results.json").write_text("{")
    assert lint() == fresh
    cache_file(repo, "results.json").write_text(json.dumps({"format": 1, "settings": "x", "files": {}}))
    assert lint() == fresh


def test_no_cache_outside_a_project(tmp_path, monkeypatch):
    (tmp_path / "c.yaml").write_text(caller(1))
    monkeypatch.chdir(tmp_path)
    lint()
    assert not (tmp_path / ".wflint_cache").exists()
    assert not os.path.exists(os.path.join(os.environ["WFLINT_CACHE_DIR"], "projects"))


def test_a_file_that_becomes_a_kustomize_patch_is_linted_again(repo):
    (repo / "patch.yaml").write_text(caller(99).replace("  entrypoint: main\n", ""))
    before = json.loads(lint())
    assert [d["rule"] for d in before["diagnostics"] if d["path"] == "patch.yaml" and d["severity"] == "error"]
    (repo / "kustomization.yaml").write_text("resources: [lib.yaml]\npatches:\n  - path: patch.yaml\n")
    after = lint()
    assert after == lint(use_cache=False)
    assert not [d for d in json.loads(after)["diagnostics"] if d["path"] == "patch.yaml" and d["severity"] == "error"]


def count_reads(monkeypatch):
    from wflint.source import files as sources
    read, real = [], sources.read

    def spy(path, *args, **kwargs):
        read.append(path)
        return real(path, *args, **kwargs)
    monkeypatch.setattr(sources, "read", spy)
    return read


@pytest.fixture
def settled(monkeypatch):
    """Files written by the test count as settled at once (a real cache trusts
    a stamp only when the file changed 2 s before the cache was written)."""
    from wflint.source import cachefile
    monkeypatch.setattr(cachefile, "RACY_SECONDS", 0.0)


def test_unchanged_files_are_not_even_read(repo, monkeypatch, settled):
    fresh = lint(use_cache=False)
    lint()
    read = count_reads(monkeypatch)
    assert lint() == fresh
    assert read == []


def test_a_file_rewritten_with_its_old_size_and_time_is_read_again(repo, monkeypatch, settled):
    lint()
    path = repo / "c03.yaml"
    old = path.stat()
    path.write_text(caller(3, "build"))      # the typo fixed: the same size
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))  # and the same modification time
    assert path.stat().st_size == old.st_size
    read = count_reads(monkeypatch)
    out = json.loads(lint())
    assert "c03.yaml" in read                # the change time gave it away
    assert [d for d in out["diagnostics"] if d["rule"] == "template-ref"] == []


def test_files_with_directives_are_read_every_time(repo, monkeypatch, settled):
    (repo / "c07.yaml").write_text(caller(7, "biuld") + "# wflint: disable-file=template-ref\n")
    fresh = lint(use_cache=False)
    lint()
    read = count_reads(monkeypatch)
    assert lint() == fresh
    assert read == ["c07.yaml"]


def test_a_links_own_stamp_is_never_trusted(tmp_path, settled):
    from wflint.run import results
    from wflint.source.cachefile import stamp
    (tmp_path / "a.yaml").write_text("a: 1\n")
    os.symlink(tmp_path / "a.yaml", tmp_path / "link.yaml")
    cache = results.ResultsCache(None, "s")
    cache.written = 1e12
    for name in ("a.yaml", "link.yaml"):
        stat = os.lstat(tmp_path / name)
        cache.files[name] = {"digest": "d", "stamp": stamp(stat), "directives": False}
    assert cache.unchanged("a.yaml", os.lstat(tmp_path / "a.yaml")) is not None
    assert cache.unchanged("link.yaml", os.lstat(tmp_path / "link.yaml")) is None


def test_files_named_on_the_command_line_are_read_every_time(repo, monkeypatch, settled):
    """Their stat would be taken after the reading: no stamp is recorded for them."""
    def named():
        return render(Engine(Options(jobs=1)).run(["lib.yaml", "c03.yaml"]), "json")
    fresh = named()
    assert named() == fresh
    read = count_reads(monkeypatch)
    assert named() == fresh
    assert sorted(read) == ["c03.yaml", "lib.yaml"]
