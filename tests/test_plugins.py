"""Third-party rules arrive through the `wflint.rules` entry-point group."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import HELLO, plugin_site

PLUGIN_RULE = '''
from wflint.finding import finding
from wflint.argo import model

ID = "acme-image-tag"
SEVERITY = "warning"
SUMMARY = "Container images carry an explicit tag."


def check(document, context):
    for at in model.templates(document):
        image = model.as_dict(at.template.get("container")).get("image")
        if isinstance(image, str) and ":" not in image.rsplit("/", 1)[-1]:
            yield finding(at.path + ("container", "image"), f"image `{image}` has no tag",
                          hint="pin a tag, e.g. `alpine:3.20`")
'''


def make_plugin(root: Path, name: str, entry: str, body: str) -> Path:
    src = root / name
    package = name.replace("-", "_")
    (src / package).mkdir(parents=True)
    (src / package / "__init__.py").write_text(textwrap.dedent(body))
    (src / "pyproject.toml").write_text(textwrap.dedent(f"""
        [build-system]
        requires = ["setuptools>=64"]
        build-backend = "setuptools.build_meta"
        [project]
        name = "{name}"
        version = "0.1.0"
        [project.entry-points."wflint.rules"]
        {entry}
    """))
    return src


@pytest.fixture
def install(tmp_path):
    site = tmp_path / "site"

    def install(name, entry, body):
        src = make_plugin(tmp_path / "src", name, entry, body)
        proc = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                               "--target", str(site), str(src)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        return site
    return install


@pytest.fixture
def lay_out(tmp_path):
    """Like ``install``, but the distribution is laid out by hand, as pip
    would (conftest.plugin_site): for the cases where how the plugin got there
    is not the point (the first test installs one with pip)."""
    def lay_out(name, entry, body):
        package = name.replace("-", "_")
        return plugin_site(tmp_path / "site", name, entry.replace("'", ""), package, textwrap.dedent(body))
    return lay_out


def wflint(site, *args, cwd):
    env = dict(os.environ, PYTHONPATH=str(site) + os.pathsep + os.environ.get("PYTHONPATH", ""), NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "wflint", *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_an_installed_plugin_reports_findings_and_is_listed(install, tmp_path):
    site = install("wflint-acme", "acme = 'wflint_acme:RULES'",
                   PLUGIN_RULE + "\nimport sys\nRULES = [sys.modules[__name__]]\n")
    (tmp_path / "wf.yaml").write_text(HELLO.replace("alpine:3.20", "alpine"))
    result = wflint(site, "check", "--format", "json", "wf.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr  # a warning does not fail the run
    found = json.loads(result.stdout)["diagnostics"]
    assert [(d["rule"], d["line"], d["message"]) for d in found] == [
        ("acme-image-tag", 11, "image `alpine` has no tag")]
    listing = wflint(site, "rules", cwd=tmp_path).stdout
    assert "acme-image-tag" in listing and "(acme)" in listing


def test_a_plugin_that_fails_to_load_stops_the_run(lay_out, tmp_path):
    site = lay_out("wflint-broken", "broken = 'wflint_broken:RULES'", "raise ImportError('no numpy here')\n")
    (tmp_path / "wf.yaml").write_text(HELLO)
    result = wflint(site, "check", "wf.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert "wflint-broken[broken]" in result.stderr and "no numpy here" in result.stderr


def test_a_plugin_whose_rule_id_clashes_stops_the_run(lay_out, tmp_path):
    body = PLUGIN_RULE.replace('ID = "acme-image-tag"', 'ID = "schema"') + \
        "\nimport sys\nRULES = [sys.modules[__name__]]\n"
    site = lay_out("wflint-clash", "clash = 'wflint_clash:RULES'", body)
    (tmp_path / "wf.yaml").write_text(HELLO)
    result = wflint(site, "check", "wf.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert "wflint-clash[clash]" in result.stderr and "`schema`" in result.stderr


def test_a_plugin_with_a_bad_declaration_stops_the_run(lay_out, tmp_path):
    body = PLUGIN_RULE.replace('ID = "acme-image-tag"', 'ID = "AcmeImageTag"') + \
        "\nimport sys\nRULES = [sys.modules[__name__]]\n"
    site = lay_out("wflint-badid", "badid = 'wflint_badid:RULES'", body)
    (tmp_path / "wf.yaml").write_text(HELLO)
    result = wflint(site, "check", "wf.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "kebab-case" in result.stderr


def test_the_entry_point_scan_finds_what_importlib_metadata_finds(tmp_path, monkeypatch):
    """registry._entry_points reads the distributions' folders itself (importing
    importlib.metadata costs more than the rest of the registry): the same
    entry points, the first distribution of a name winning, the same values."""
    from importlib.metadata import entry_points
    from wflint.run import registry
    first, second = tmp_path / "first", tmp_path / "second"
    plugin_site(first, "acme-rules", "acme = acme_rules:RULES", "acme_rules", "RULES = []\n")
    plugin_site(first, "other.pkg", "other = other_pkg.sub:RULES [extra]", "other_pkg_mod", "RULES = []\n")
    plugin_site(second, "acme_rules", "shadowed = acme_rules:RULES", "acme_rules2", "RULES = []\n")
    comments = first / "noisy-0.1.dist-info"
    comments.mkdir()
    (comments / "entry_points.txt").write_text("# a comment\n[console_scripts]\nx = y:z\n\n[ wflint.rules ]\n"
                                               "spaced = spaced:RULES\n[wflint.rules]\n"
                                               "  noisy =  noisy_mod:RULES  \n")
    (tmp_path / "not-a-folder.txt").write_text("")
    path = [str(first), str(second), str(tmp_path / "missing"), str(tmp_path / "not-a-folder.txt")[:-4]]
    ours = registry._scan(path)
    monkeypatch.setattr(sys, "path", path)
    theirs = entry_points(group=registry.GROUP)  # which dedups by name, the first one winning
    assert sorted((ep.name, ep.value) for ep in ours) == sorted((ep.name, ep.value) for ep in theirs)
    assert "shadowed" not in {ep.name for ep in ours}
    names = {ep.name: ep.name_of_dist for ep in ours}
    assert names == {"acme": "acme-rules", "other": "other.pkg", "noisy": None}


def test_a_zip_on_sys_path_leaves_the_scan_to_importlib_metadata(tmp_path):
    from wflint.run import registry
    archive = tmp_path / "plugins.zip"
    archive.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    assert registry._scan([str(archive)]) is None
