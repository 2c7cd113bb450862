"""The process around the lint: nothing from the working directory is
imported, workers end with the main process, every failure has its exit
code and one line, and a plugin cannot make a broken file pass."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import HELLO, plugin_site

BAD = HELLO.replace("entrypoint: main", "entrypoint: mian")
ROOT = Path(__file__).resolve().parent.parent


def env(**extra) -> dict:
    out = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "WFLINT_DEBUG", "PYTHONPATH")}
    out.update(NO_COLOR="1", **extra)
    return out


def run(args, cwd, timeout=120, **extra):
    return subprocess.run(args, cwd=cwd, env=env(**extra), capture_output=True, text=True, timeout=timeout)


# -- item 7: the working directory provides no code ----------------------------------------------------

TRAP = "import pathlib; pathlib.Path({marker!r}).write_text('ran')\n"


def plant(root: Path, marker: Path) -> None:
    """A checkout that tries to run code: modules named like dependencies and
    a distribution with a `wflint.rules` entry point."""
    for module in ("click", "yaml"):
        (root / f"{module}.py").write_text(TRAP.format(marker=str(marker)))
    info = root / "evil-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: evil\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[wflint.rules]\nevil = evil_rules:RULES\n")
    (root / "evil_rules.py").write_text(TRAP.format(marker=str(marker)) + "RULES = []\n")
    (root / "wf.yaml").write_text(BAD)


def test_python_m_wflint_imports_nothing_from_the_working_directory(tmp_path):
    checkout, marker = tmp_path / "checkout", tmp_path / "ran"
    checkout.mkdir()
    plant(checkout, marker)
    # The trap works: plain Python in that folder imports the planted module.
    run([sys.executable, "-c", "import click"], checkout)
    assert marker.exists()
    marker.unlink()
    result = run([sys.executable, "-m", "wflint", "check", "--no-cache", "--format", "json", "wf.yaml"], checkout)
    assert not marker.exists(), result.stderr
    assert result.returncode == 1, result.stderr
    assert [d["rule"] for d in json.loads(result.stdout)["diagnostics"]] == ["unknown-template"]
    result = run([sys.executable, "-m", "wflint", "rules"], checkout)
    assert result.returncode == 0 and not marker.exists() and "evil" not in result.stdout


def test_an_empty_pythonpath_entry_does_not_load_plugins_from_the_checkout(tmp_path):
    checkout, marker = tmp_path / "checkout", tmp_path / "ran"
    checkout.mkdir()
    plant(checkout, marker)
    for module in ("click", "yaml"):  # these would be imported before main() by any entry script
        (checkout / f"{module}.py").unlink()
    code = "import sys; from wflint.cli.main import main; sys.argv[0] = 'wflint'; main()"
    result = run([sys.executable, "-c", code, "check", "--no-cache", "wf.yaml"], checkout, PYTHONPATH=os.pathsep)
    assert not marker.exists(), result.stderr
    assert result.returncode == 1 and "unknown-template" in result.stdout


# -- item 9: exit codes and one line -------------------------------------------------------------------

BREAK = """
import sys
import wflint.run.engine
def broken(self, *args, **kwargs):
    raise {error}
wflint.run.engine.Engine.run = broken
from wflint.cli.main import main
sys.argv[0] = "wflint"
main()
"""


@pytest.mark.parametrize("error, text", [("RuntimeError('boom\\\\nline two')", "internal error: RuntimeError: boom"),
                                         ("KeyboardInterrupt()", "wflint: interrupted")])
def test_an_uncaught_failure_exits_3_with_one_line(tmp_path, error, text):
    (tmp_path / "wf.yaml").write_text(HELLO)
    result = run([sys.executable, "-c", BREAK.format(error=error), "check", "wf.yaml"], tmp_path)
    assert result.returncode == 3
    # (click starts a new line first after ^C, so that the message is not appended to it)
    assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1, result.stderr
    assert text in result.stderr
    assert "Traceback" not in result.stderr
    debug = run([sys.executable, "-c", BREAK.format(error=error), "check", "wf.yaml"], tmp_path, WFLINT_DEBUG="1")
    assert debug.returncode == 3
    if "Runtime" in error:
        assert "Traceback" in debug.stderr


def test_empty_select_is_a_usage_error(run_cli, write, tmp_path):
    path = write("wf.yaml", BAD)
    for value in ("", ","):
        result = run_cli("check", "--select", value, str(path))
        assert result.exit_code == 2 and "--select" in result.output
    write(".wflint.yaml", "select: []\n")
    result = run_cli("check", "--config", str(tmp_path / ".wflint.yaml"), str(path))
    assert result.exit_code == 2 and "`select` is empty" in result.output


# -- plugins that misbehave ----------------------------------------------------------------------------

MISBEHAVING = '''
import sys
from wflint.finding import Finding, finding

ID = "acme-odd"
SEVERITY = "warning"
SUMMARY = "A plugin rule that yields what it should not."


def check(document, context):
    name = document.name or document.generate_name or ""
    if name.startswith("exit"):
        sys.exit(0)
    if name.startswith("severity"):
        yield finding(("metadata",), "odd", severity="fatal")
    if name.startswith("message"):
        yield Finding(message=42, node=("metadata",))
    if name.startswith("span"):
        yield finding(("metadata", "name"), "past the end", span=(3, 500))
    if name.startswith("object"):
        yield finding(("spec", object()), "an object in the path")
    if name.startswith("boolpath"):
        yield finding(("spec", True), "a bool in the path")
    if name.startswith("notfinding"):
        yield "just a string"
    if name.startswith("fine"):
        yield finding(("metadata", "name"), "fine", span=(0, 4))

RULES = [sys.modules[__name__]]
'''

CASES = ["exit", "severity", "message", "span", "object", "boolpath", "notfinding"]


def odd_site(root: Path) -> Path:
    return plugin_site(root / "site", "acme-odd", "odd = acme_odd:RULES", "acme_odd", MISBEHAVING)


def test_a_misbehaving_plugin_is_an_internal_error_and_exit_3(tmp_path):
    site = odd_site(tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    for case in CASES + ["fine"]:
        (project / f"{case}.yaml").write_text(HELLO.replace("generateName: hello-", f"name: {case}-x")
                                              .replace("entrypoint: main", "entrypoint: mian"))
    args = [sys.executable, "-m", "wflint", "check", "--no-cache", "--jobs", "1", "--format", "json", "."]
    first = run(args, project, PYTHONPATH=str(site))
    assert first.returncode == 3, first.stderr
    report = json.loads(first.stdout)
    crashes = {d["path"]: d["message"] for d in report["diagnostics"] if d["rule"] == "internal-error"}
    assert sorted(crashes) == sorted(f"{case}.yaml" for case in CASES)
    assert "0x" not in first.stdout
    assert "SystemExit" in crashes["exit.yaml"] and "'fatal'" in crashes["severity.yaml"]
    assert "int" in crashes["message.yaml"] and "span (3, 500)" in crashes["span.yaml"]
    assert "object" in crashes["object.yaml"] and "bool" in crashes["boolpath.yaml"]
    # The other rules still report on every file, and the result is the same run after run.
    assert {d["path"] for d in report["diagnostics"] if d["rule"] == "unknown-template"} == \
        {f"{case}.yaml" for case in CASES + ["fine"]}
    assert [d for d in report["diagnostics"] if d["rule"] == "acme-odd"][0]["path"] == "fine.yaml"
    assert run(args, project, PYTHONPATH=str(site)).stdout == first.stdout
    text = run(args[:-3] + ["."], project, PYTHONPATH=str(site))
    assert text.returncode == 3 and "Traceback" not in text.stderr


# -- SIGTERM takes the workers down --------------------------------------------------------------------

SLOW = '''
import sys, time
from wflint.finding import finding

ID = "acme-slow"
SEVERITY = "warning"
SUMMARY = "Sleeps."

def check(document, context):
    time.sleep(120)
    return iter(())

RULES = [sys.modules[__name__]]
'''


def children(pid: int):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry))
    return found


def alive(pids) -> list:
    out = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                if handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X"):
                    out.append(pid)
        except OSError:
            pass
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_workers_end_with_the_main_process(tmp_path, how):
    site = tmp_path / "site"
    info = site / "acme_slow-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-slow\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[wflint.rules]\nslow = acme_slow:RULES\n")
    (site / "acme_slow.py").write_text(SLOW)
    project = tmp_path / "project"
    project.mkdir()
    padding = "# " + "x" * 2000 + "\n"  # enough work for the default -j to start two workers
    for i in range(520):
        (project / f"w{i}.yaml").write_text(padding + HELLO.replace("hello-", f"w{i}-"))
    proc = subprocess.Popen([sys.executable, "-m", "wflint", "check", "--no-cache", "--jobs", "2", "."],
                            cwd=project, env=env(PYTHONPATH=str(site)), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        workers = []
        while time.monotonic() < deadline and len(workers) < 2:
            workers = children(proc.pid)
            time.sleep(0.1)
        assert len(workers) >= 2, "no workers started"
        time.sleep(1.5)  # let them reach the rules
        os.kill(proc.pid, how)
        out, err = proc.communicate(timeout=30)
        if how == signal.SIGTERM:
            assert proc.returncode == 3 and err.strip().splitlines() == \
                ["wflint: terminated (SIGTERM); the worker processes were stopped"], err
        deadline = time.monotonic() + 15
        while alive(workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert alive(workers) == [], "workers outlived the main process"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.wait()


def test_what_a_rule_yields_is_checked_before_it_is_placed():
    from wflint.source import loader
    from wflint.run.engine import invalid_finding
    from wflint.finding import Finding, finding
    from wflint.source.files import SourceFile
    docs, _ = loader.load(SourceFile(path="t.yaml", text=HELLO))
    doc = docs[0]
    assert invalid_finding(finding(("metadata", "generateName"), "ok", span=(0, 6)), doc) is None
    assert invalid_finding(finding(("metadata", "generateName"), "ok", span=(6, 7)), doc) is None  # just after
    bad = [
        finding(("metadata", "generateName"), "x", span=(0, 50)),
        finding(("metadata", "generateName"), "x", span=(5, 2)),
        finding(("metadata", "generateName"), "x", span=(True, 2)),
        finding(("metadata",), "x", severity="critical"),
        finding(("metadata", 1.5), "x"),
        finding(("metadata",), ""),
        Finding(message=None, node=("metadata",)),
        Finding(message="x", node=("metadata",), hint=3),
        Finding(message="x", node="metadata"),
        {"message": "x"},
    ]
    for item in bad:
        problem = invalid_finding(item, doc)
        assert problem is not None and "0x" not in problem, item
