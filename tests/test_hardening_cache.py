"""A cache that comes with the checkout can never change a verdict (issue 14, item 2).

Every cache lives in the user's cache directory (here a per-test
WFLINT_CACHE_DIR, see conftest), one folder per project, each file under a
MAC keyed by a secret that never leaves that directory. These tests play the
author of a pull request: they commit caches, links and forgeries, and check
that the broken file still fails, that nothing is written through a link, and
that a malformed cache is ignored without a crash.
"""

import json
import os

import pytest

from conftest import HELLO, cache_content, cache_file
from wflint.source import cachefile
from wflint.run import results

BROKEN = HELLO.replace("entrypoint: main", "entrypoint: mian")
needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="needs symlinks")


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    root.mkdir()
    (root / ".git").mkdir()  # the project root
    (root / "lib.yaml").write_text(HELLO.replace("kind: Workflow", "kind: WorkflowTemplate")
                                   .replace("generateName: hello-", "name: lib"))
    monkeypatch.chdir(root)
    return root


def verdict(run_cli, *extra):
    result = run_cli("check", "--format", "json", *extra, "wf.yaml")
    data = json.loads(result.output)
    return result.exit_code, sorted((d["path"], d["line"], d["rule"]) for d in data["diagnostics"])


def forged_results(run_cli, project):
    """The results cache a run over a good wf.yaml writes, its record
    re-pointed at the digest of the broken file: the perfect forgery."""
    (project / "wf.yaml").write_text(HELLO)
    assert verdict(run_cli) == (0, [])
    content = cache_content(cache_file(project, "results.json"))
    content["files"]["wf.yaml"]["digest"] = results.digest(BROKEN.encode())
    (project / "wf.yaml").write_text(BROKEN)
    return content


def sign(path, content):
    """Write ``content`` as wflint would, MAC included: only the owner of the
    cache directory (who holds its secret) can do this."""
    payload = (content if isinstance(content, str) else json.dumps(content)).encode()
    base = cachefile._folder(str(path), create=False)
    secret = cachefile._secret(base, create=False)
    header = cachefile._MAGIC + cachefile._mac(secret, str(path), payload).encode() + b"\n"
    path.write_bytes(header + payload)


# -- forgeries ------------------------------------------------------------------------------------

def test_the_forgery_would_work_if_signed(run_cli, project):
    """The control: with the secret, the forged record would hide the error;
    so in the tests below the MAC alone is what keeps the verdict."""
    content = forged_results(run_cli, project)
    assert verdict(run_cli, "--no-cache")[0] == 1
    sign(cache_file(project, "results.json"), content)
    assert verdict(run_cli) == (0, [])


def test_a_committed_results_cache_is_never_read(run_cli, project):
    content = forged_results(run_cli, project)
    broken = verdict(run_cli, "--no-cache")
    assert broken[0] == 1
    cache_file(project, "results.json").unlink()
    (project / ".wflint_cache").mkdir()
    (project / ".wflint_cache" / "results.json").write_text(json.dumps(content))
    assert verdict(run_cli) == broken


@pytest.mark.parametrize("how", ["unsigned", "wrong-key", "old-mac", "other-project"])
def test_a_forged_results_cache_in_the_cache_directory_is_ignored(run_cli, project, tmp_path, how):
    content = forged_results(run_cli, project)
    broken = verdict(run_cli, "--no-cache")
    target = cache_file(project, "results.json")
    payload = json.dumps(content).encode()
    if how == "unsigned":
        target.write_bytes(payload)
    elif how == "wrong-key":
        header = cachefile._MAGIC + cachefile._mac(b"k" * 32, str(target), payload).encode() + b"\n"
        target.write_bytes(header + payload)
    elif how == "old-mac":
        target.write_bytes(target.read_bytes().split(b"\n", 1)[0] + b"\n" + payload)
    else:  # a cache signed for another project, copied into this one's folder
        other = tmp_path / "other"
        other.mkdir()
        sign_at = cache_file(other, "results.json")
        os.makedirs(sign_at.parent, mode=0o700)
        sign(sign_at, content)
        target.write_bytes(sign_at.read_bytes())
    assert verdict(run_cli) == broken


def test_a_forged_index_cannot_supply_a_missing_template(run_cli, project):
    """A workflow calling a template that is nowhere: a committed or forged
    index.json claiming lib.yaml holds it changes nothing."""
    (project / "wf.yaml").write_text(HELLO.replace("- name: main\n      container:",
                                                   "- name: main\n      steps: [[{name: s, templateRef: "
                                                   "{name: lib, template: ghost}}]]\n      container:"))
    expected = verdict(run_cli, "--no-cache")
    assert expected[0] == 1
    assert verdict(run_cli) == expected
    index = cache_content(cache_file(project, "index.json"))
    for item in index["files"].values():
        for entry in item["entries"]:
            entry["data"]["spec"]["templates"].append({"name": "ghost", "container": {"image": "x"}})
    (project / ".wflint_cache").mkdir()
    (project / ".wflint_cache" / "index.json").write_text(json.dumps(index))
    cache_file(project, "index.json").write_text(json.dumps(index))
    cache_file(project, "results.json").unlink()
    assert verdict(run_cli) == expected


def test_a_cache_directory_inside_the_project_is_not_used(run_cli, project, monkeypatch):
    """WFLINT_CACHE_DIR pointing into the checkout: the checkout could hold
    its secret too, so no cache is read or written there."""
    monkeypatch.setenv("WFLINT_CACHE_DIR", str(project / ".cache"))
    (project / "wf.yaml").write_text(BROKEN)
    first = verdict(run_cli)
    assert first[0] == 1 and verdict(run_cli) == first
    assert not (project / ".cache").exists()


def test_a_secret_others_can_read_disables_the_cache(run_cli, project, monkeypatch):
    (project / "wf.yaml").write_text(HELLO)
    verdict(run_cli)
    secret = cache_file(project, "results.json").parents[2] / "secret.key"
    assert secret.stat().st_mode & 0o777 == 0o600
    os.chmod(secret, 0o644)
    assert cachefile.read(str(cache_file(project, "results.json"))) is None
    (project / "wf.yaml").write_text(BROKEN)
    assert verdict(run_cli)[0] == 1


# -- links -----------------------------------------------------------------------------------

@needs_symlinks
def test_committed_links_at_temporary_names_are_not_followed(run_cli, project, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (project / ".wflint_cache").mkdir()
    for name in ("results.json", "index.json"):
        for pid in (1, os.getpid(), os.getpid() + 1):
            os.symlink(victim, project / ".wflint_cache" / f"{name}.{pid}.tmp")
    (project / "wf.yaml").write_text(HELLO)
    assert verdict(run_cli) == (0, [])
    assert victim.read_text() == "precious\n"
    assert sorted(p.name for p in (project / ".wflint_cache").iterdir()) == sorted(
        f"{n}.{p}.tmp" for n in ("results.json", "index.json") for p in (1, os.getpid(), os.getpid() + 1))


@needs_symlinks
def test_a_link_at_the_cache_file_is_replaced_not_written_through(run_cli, project, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (project / "wf.yaml").write_text(HELLO)
    verdict(run_cli)
    target = cache_file(project, "results.json")
    target.unlink()
    os.symlink(victim, target)
    (project / "wf.yaml").write_text(BROKEN)
    assert verdict(run_cli)[0] == 1
    assert victim.read_text() == "precious\n"
    assert not target.is_symlink() and target.is_file()


@needs_symlinks
def test_a_linked_project_folder_is_neither_read_nor_written(run_cli, project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    folder = cache_file(project, "results.json").parent
    os.makedirs(folder.parent, mode=0o700, exist_ok=True)
    os.symlink(elsewhere, folder)
    (project / "wf.yaml").write_text(BROKEN)
    assert verdict(run_cli)[0] == 1
    assert list(elsewhere.iterdir()) == []


@needs_symlinks
def test_temporary_files_are_created_exclusively(tmp_path, monkeypatch):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    folder = tmp_path / "cache"
    folder.mkdir()
    import secrets  # cachefile imports it when it first writes
    monkeypatch.setattr(secrets, "token_hex", lambda n: "fixed")
    os.symlink(victim, folder / ".tmp-fixed")
    assert cachefile._exclusive_temp(str(folder), b"data") is None
    os.unlink(folder / ".tmp-fixed")
    os.symlink(tmp_path / "dangling", folder / ".tmp-fixed")
    assert cachefile._exclusive_temp(str(folder), b"data") is None
    assert victim.read_text() == "precious\n" and not (tmp_path / "dangling").exists()


# -- malformed caches (signed: as if wflint itself had a bug) --------------------------------------

def _results_shapes(content):
    record = content["files"]["wf.yaml"]
    good = json.dumps(content)
    yield "deep", good[:-1] + ',"deep":' + "[" * 200_000 + "]" * 200_000 + "}"
    yield "deep-record", json.dumps({**content, "files": {"wf.yaml": {**record, "findings": [{"message": "m"}]}}})\
        .replace('{"message": "m"}', "[" * 100_000 + "]" * 100_000)
    for name, changed in [
        ("files-list", {**content, "files": []}),
        ("record-list", {**content, "files": {"wf.yaml": []}}),
        ("no-digest", {**content, "files": {"wf.yaml": {k: v for k, v in record.items() if k != "digest"}}}),
        ("findings-str", {**content, "files": {"wf.yaml": {**record, "findings": "x"}}}),
        ("finding-int", {**content, "files": {"wf.yaml": {**record, "findings": [1]}}}),
        ("finding-message", {**content, "files": {"wf.yaml": {**record, "findings": [{"message": 5}]}}}),
        ("finding-line", {**content, "files": {"wf.yaml": {**record, "findings": [{"message": "m", "line": "1"}]}}}),
        ("finding-extra", {**content, "files": {"wf.yaml": {**record, "findings": [{"message": "m", "x": 1}]}}}),
        ("entries-dict", {**content, "files": {"wf.yaml": {**record, "entries": {}}}}),
        ("entry-kind", {**content, "files": {"wf.yaml": {**record, "entries": [{"kind": 1}]}}}),
        ("documents-neg", {**content, "files": {"wf.yaml": {**record, "documents": -1}}}),
        ("index-int", {**content, "index": 5}),
    ]:
        yield name, json.dumps(changed)


def test_malformed_results_caches_are_ignored(run_cli, project):
    content = forged_results(run_cli, project)
    broken = verdict(run_cli, "--no-cache")
    target = cache_file(project, "results.json")
    for name, text in _results_shapes(content):
        sign(target, text)
        assert verdict(run_cli) == broken, name


def test_malformed_index_caches_are_ignored(run_cli, project):
    (project / "wf.yaml").write_text(BROKEN)
    expected = verdict(run_cli, "--no-cache")
    verdict(run_cli)
    target = cache_file(project, "index.json")
    content = cache_content(target)
    (key, item), = content["files"].items()
    for name, changed in [
        ("written-str", {**content, "written": "soon"}),
        ("written-missing", {k: v for k, v in content.items() if k != "written"}),
        ("stamp-str", {**content, "files": {key: {**item, "stamp": "x"}}}),
        ("old-format", {**content, "files": {key: {"size": 1, "mtime": 2, "entries": item["entries"]}}}),
        ("entry-list", {**content, "files": {key: {**item, "entries": [[]]}}}),
        ("entry-name", {**content, "files": {key: {**item, "entries": [{**item["entries"][0], "name": []}]}}}),
        ("record-int", {**content, "files": {key: 5}}),
    ]:
        cache_file(project, "results.json").unlink(missing_ok=True)
        sign(target, json.dumps(changed))
        assert verdict(run_cli) == expected, name
    deep = json.dumps(content).replace('"entries":[', '"entries":[' + '{"kind":"x","name":null,"namespace":null,'
                                       '"document":0,"line":1,"data":' + "[" * 1000 + "]" * 1000 + "},", 1)
    cache_file(project, "results.json").unlink(missing_ok=True)
    sign(target, deep)
    assert verdict(run_cli) == expected


def test_an_oversized_cache_is_ignored(run_cli, project, monkeypatch):
    (project / "wf.yaml").write_text(HELLO)
    verdict(run_cli)
    monkeypatch.setattr(cachefile, "MAX_BYTES", 200)
    (project / "wf.yaml").write_text(BROKEN)
    assert verdict(run_cli)[0] == 1
    assert cachefile.read(str(cache_file(project, "index.json"))) is None


def test_cache_files_are_private(run_cli, project):
    (project / "wf.yaml").write_text(HELLO)
    verdict(run_cli)
    folder = cache_file(project, "results.json").parent
    assert folder.stat().st_mode & 0o077 == 0
    for path in folder.iterdir():
        assert path.stat().st_mode & 0o077 == 0, path
        assert not path.name.startswith(".tmp-"), "a temporary file was left behind"
