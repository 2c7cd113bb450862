"""Red-team reproductions against the merged build (issue 14), one class each.

Every input is written here; each case runs the command line in a temporary
folder: in this process (`run`), and, where the bytes on a real standard
output are the point, in a subprocess (`python -m wflint`, `run_process`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from xml.dom import minidom

import pytest

from conftest import wflint_in_process

BROKEN_YAML = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec: [\n"
TYPO = ("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: w}\nspec:\n  entrypoint: mian\n"
        "  templates: [{name: main, container: {image: alpine}}]\n")
BREAKS = ("\x85", "\u2028", "\u2029")


def run(cwd, *args):
    code, out, err = wflint_in_process(cwd, *args, env={"GITHUB_ACTIONS": None, "NO_COLOR": "1",
                                                        "WFLINT_CACHE_DIR": str(cwd.parent / "user-cache")})
    assert "Traceback" not in err, err
    return code, out, err


def run_process(cwd, *args):
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    env.update(NO_COLOR="1", WFLINT_CACHE_DIR=str(cwd.parent / "user-cache"))
    proc = subprocess.run([sys.executable, "-m", "wflint", *args], cwd=cwd, env=env, capture_output=True,
                          timeout=120)
    out = proc.stdout.decode("utf-8", "surrogateescape")
    err = proc.stderr.decode("utf-8", "surrogateescape")
    assert "Traceback" not in err, err
    return proc.returncode, out, err


@pytest.fixture
def repo(tmp_path):
    folder = tmp_path / "repo"
    folder.mkdir()
    subprocess.run(["git", "init", "-q", str(folder)], check=False, capture_output=True)
    return folder


# -- a configuration file cannot turn off the findings that say a file was not linted ----------------

@pytest.mark.parametrize("config", [
    "ignore: [yaml-syntax]", "rules: {yaml-syntax: off}", "rules: {yaml-syntax: info}",
    "rules: {yaml-syntax: {severity: warning}}", "rules: {input-limit: {enabled: false}}",
    "rules: {read-error: off}", "ignore: [internal-error]"])
def test_config_cannot_turn_off_protected_rules(repo, config):
    (repo / "bad.yaml").write_text(BROKEN_YAML)
    (repo / ".wflint.yaml").write_text(config + "\n")
    code, _, err = run(repo, "check", "-q")
    assert code == 2 and "cannot be" in err and "--ignore" in err


@pytest.mark.parametrize("config", ["rules: {correctness: off}", "ignore: [correctness]", "select: [dag-cycle]",
                                    "rules: {yaml-syntax: error}"])
def test_config_selection_keeps_protected_rules(repo, config):
    (repo / "bad.yaml").write_text(BROKEN_YAML)
    (repo / ".wflint.yaml").write_text(config + "\n")
    code, out, _ = run(repo, "check", "-q", "--format", "json")
    assert code == 1
    assert [d["rule"] for d in json.loads(out)["diagnostics"]] == ["yaml-syntax"]


def test_pyproject_cannot_turn_off_protected_rules(repo):
    (repo / "bad.yaml").write_text(BROKEN_YAML)
    (repo / "pyproject.toml").write_text('[tool.wflint]\nignore = ["yaml-syntax"]\n')
    assert run(repo, "check", "-q")[0] == 2


def test_baseline_from_config_cannot_hide_protected_rules(repo):
    (repo / "bad.yaml").write_text(BROKEN_YAML)
    assert run(repo, "check", "--write-baseline", "base.json")[0] == 0
    (repo / ".wflint.yaml").write_text("baseline: base.json\n")
    assert run(repo, "check", "-q")[0] == 1
    # The command line is trusted: --baseline and --ignore still can.
    assert run(repo, "check", "-q", "--baseline", "base.json")[0] == 0
    assert run(repo, "check", "-q", "--ignore", "yaml-syntax")[0] == 0


# -- Unicode line breaks in every emitted format -------------------------------------------------------

def _hostile_names(repo):
    for i, ch in enumerate(BREAKS):
        name = f"x{i}{ch}::error file=evil,line=1::pwn{ch}.yaml"
        (repo / name).write_text(TYPO.replace("name: w}", f'name: "w{ch}::error::z"}}'), encoding="utf-8")


@pytest.mark.parametrize("fmt, through", [("json", run), ("sarif", run), ("gitlab", run), ("junit", run),
                                          ("text", run), ("text", run_process), ("json", run_process)])
def test_no_unicode_line_break_reaches_report(repo, fmt, through):
    _hostile_names(repo)
    code, out, err = through(repo, "check", "--show-info", "--format", fmt, ".")
    assert code == 1
    for ch in BREAKS:
        assert ch not in out and ch not in err
    assert not [line for line in out.splitlines() if line.lstrip().startswith("::")]
    if fmt in ("json", "gitlab"):
        text = json.dumps(json.loads(out), ensure_ascii=False)
        assert any(ch in text for ch in BREAKS)  # the names read back unchanged
    if fmt == "junit":
        assert "\x85" in minidom.parseString(out.encode("utf-8")).toxml()


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_graph_labels_hold_no_line_breaks(repo, fmt):
    _hostile_names(repo)
    for name in os.listdir(repo):
        if name.endswith(".yaml"):
            code, out, _ = run(repo, "graph", name, "--format", fmt)
            assert code == 0
            assert not any(ch in out for ch in BREAKS)


def test_graph_stats_and_messages_escape_names(repo):
    (repo / "wf.yaml").write_text(TYPO.replace("name: main,", 'name: "main\\n::error::x\\e[31m",')
                                  .replace("{name: w}", '{name: "w\\n::error::y\\e[31m"}'))
    code, out, _ = run(repo, "graph", "wf.yaml", "--stats")
    assert code == 0 and "\x1b" not in out
    assert not [line for line in out.splitlines() if line.startswith("::")]
    code, _, err = run(repo, "graph", "wf.yaml", "--template", "nope")
    assert code == 2 and "\x1b" not in err and not [line for line in err.splitlines() if line.startswith("::")]


# -- schema export never writes through a link ----------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links")
def test_schema_export_refuses_links(repo, tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "Workflow.json").write_text("precious")
    (repo / "schemas").mkdir()
    os.symlink(victim / "Workflow.json", repo / "schemas" / "Workflow.json")
    os.symlink(victim, repo / "linked")
    assert run(repo, "schema", "export", "-o", "schemas")[0] == 2
    assert run(repo, "schema", "export", "-o", "linked")[0] == 2
    assert run(repo, "schema", "export", "-o", "linked/sub")[0] == 2
    assert sorted(os.listdir(victim)) == ["Workflow.json"]
    assert (victim / "Workflow.json").read_text() == "precious"
    assert run(repo, "schema", "export", "-o", "out")[0] == 0
    assert (repo / "out" / "Workflow.json").read_text().startswith("{")


# -- a kustomization cannot make a whole workflow pass as a patch ----------------------------------------

def test_kustomization_naming_a_workflow_as_patch(repo):
    (repo / "wf.yaml").write_text(TYPO)
    (repo / "sub").mkdir()
    (repo / "sub" / "kustomization.yaml").write_text("patches:\n  - path: ../wf.yaml\n")
    code, out, _ = run(repo, "check", "--format", "json")
    assert code == 1
    assert "unknown-template" in {d["rule"] for d in json.loads(out)["diagnostics"]}


# -- Lists and Sensors nested past the limit are reported, not dropped ------------------------------------

def test_holder_nesting_past_the_limit_fails(repo):
    inner = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"name": "w"},
             "spec": {"entrypoint": "mian", "templates": [{"name": "main", "container": {"image": "a"}}]}}
    for depth in range(12):
        if depth % 2:
            inner = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Sensor", "metadata": {"name": f"s{depth}"},
                     "spec": {"triggers": [{"template": {"name": "t", "k8s": {
                         "operation": "create", "source": {"resource": inner}}}}]}}
        else:
            inner = {"apiVersion": "v1", "kind": "List", "items": [inner]}
    (repo / "nest.json").write_text(json.dumps(inner))
    code, out, _ = run(repo, "check", "--format", "json", "nest.json")
    assert code == 1
    assert "input-limit" in {d["rule"] for d in json.loads(out)["diagnostics"]}
