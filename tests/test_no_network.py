"""No network and no execution: a full run (the cross-file index, the cache,
every rule, every output format, worker processes) never opens a network
connection, never resolves a name, never starts a program, and never
constructs the objects that YAML tags like `!!python/object/apply` ask for.

Two ways of watching: in-process, with the socket functions replaced by ones
that fail the test; and in a subprocess, with an audit hook (PEP 578) set by
a `sitecustomize` on PYTHONPATH, which sees every socket, name lookup, program
start and import, in the parent and in its forked workers.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import HELLO, cache_file

TEMPLATE = """\
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: lib, namespace: ci}
spec:
  templates:
    - name: build
      inputs: {parameters: [{name: ref}]}
      container: {image: "golang:1.22", command: [make], args: ["{{inputs.parameters.ref}}"]}
"""

WORKFLOW = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: ci-, namespace: ci}
spec:
  entrypoint: main
  serviceAccountName: runner
  templates:
    - name: main
      dag:
        tasks:
          - {name: a, templateRef: {name: lib, template: build}, arguments: {parameters: [{name: ref, value: main}]}}
          - {name: b, templateRef: {name: lib, template: missing}, depends: "a.Succeeded"}
          - {name: c, template: apply, when: "{{tasks.a.status}} == Succeeded", depends: a}
    - name: apply
      resource:
        action: create
        manifest: |
          apiVersion: v1
          kind: ConfigMap
          metadata: {generateName: c-}
          data: {x: !!python/object/apply:os.system ["touch PWNED"]}
"""

CRON = """\
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata: {name: nightly, namespace: ci}
spec:
  schedules: ["0 1 * * *"]
  timezone: Europe/Paris
  workflowSpec:
    entrypoint: m
    serviceAccountName: runner
    templates: [{name: m, container: {image: "alpine:3.20"}}]
"""

RBAC = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: runner, namespace: ci}
rules: [{apiGroups: [argoproj.io], resources: [workflowtaskresults], verbs: [create, patch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: runner, namespace: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: runner}
subjects: [{kind: ServiceAccount, name: runner}]
"""

UNSAFE = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: x-}
spec:
  entrypoint: !!python/object/apply:os.system ["touch PWNED"]
  serviceAccountName: !!python/object/new:subprocess.Popen [[touch, PWNED]]
  arguments: {parameters: [{name: p, value: !!python/name:os.system }]}
  x: [!!python/object/apply:builtins.exec ["open('PWNED', 'w')"], {k: !ruby/object:Gem::Installer {i: x}}]
  ? !!python/object/apply:os.system ["touch PWNED"]
  : key
  <<: [!!python/object/apply:os.system ["touch PWNED"]]
  templates: [{name: m, container: {image: !!python/object/apply:os.system ["touch PWNED"]}}]
"""


def make_project(root: Path) -> Path:
    """A git work tree: templates in other files, RBAC, a CronWorkflow with a
    time zone, a resource manifest, unsafe tags, a config and a baseline."""
    (root / ".git").mkdir(parents=True)
    (root / "templates").mkdir()
    (root / "templates" / "lib.yaml").write_text(TEMPLATE)
    (root / "templates" / "rbac.yaml").write_text(RBAC)
    (root / "wf.yaml").write_text(WORKFLOW)
    (root / "cron.yaml").write_text(CRON)
    (root / "hello.yaml").write_text(HELLO)
    (root / "unsafe.yaml").write_text(UNSAFE)
    (root / ".wflint.yaml").write_text("rules:\n  rbac: {severity: info}\n")
    return root


@pytest.fixture
def no_network(monkeypatch):
    """Every way to reach the network fails the test (and says which)."""
    calls = []

    def refuse(name):
        def refused(*args, **kwargs):
            calls.append((name, args))
            raise AssertionError(f"network access: {name}{args!r}")
        return refused

    for name in ("connect", "connect_ex", "sendto", "sendmsg", "bind"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.{name}"))
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr",
                 "getnameinfo", "create_server"):
        monkeypatch.setattr(socket, name, refuse(f"socket.{name}"))
    return calls


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit", "gitlab"])
def test_a_full_run_makes_no_network_connection(tmp_path, monkeypatch, no_network, run_cli, fmt):
    project = make_project(tmp_path / "project")
    monkeypatch.chdir(project)
    for _ in range(2):  # the first run writes the caches, the second reads them
        result = run_cli("check", "--format", fmt, "wf.yaml", "cron.yaml", "hello.yaml", "unsafe.yaml")
        assert result.exit_code == 1, result.output
    assert no_network == []
    assert not (project / "PWNED").exists()
    assert cache_file(project, "results.json").is_file()  # the cache was used, not skipped
    if fmt == "json":
        rules = {d["rule"] for d in json.loads(result.output)["diagnostics"]}
        assert "template-ref" in rules and "internal-error" not in rules


AUDIT = """
import os, sys

_LOG = os.environ["WFLINT_AUDIT_LOG"]
_WATCHED = ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
            "socket.getnameinfo", "socket.sendto", "socket.sendmsg", "socket.bind", "urllib.Request",
            "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.startfile",
            "ctypes.dlopen", "ctypes.call_function", "webbrowser.open")
_NETWORK_MODULES = {"http.client", "urllib.request", "ssl", "ftplib", "smtplib", "requests", "urllib3",
                    "httpx", "aiohttp", "pycurl"}


def _hook(event, args):
    if event == "socket.__new__":
        family = args[1] if len(args) > 1 else None
        if family not in (getattr(__import__("socket"), "AF_UNIX", 1), 1, -1):
            _write(event, family)   # a pipe between processes is AF_UNIX; anything else is a network socket
    elif event == "import":
        if args and args[0] in _NETWORK_MODULES:
            _write(event, args[0])
    elif event in _WATCHED:
        _write(event, args)


def _write(event, detail):
    fd = os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (f"{os.getpid()} {event} {detail!r}"[:500] + "\\n").encode("utf-8", "replace"))
    finally:
        os.close(fd)


sys.addaudithook(_hook)
"""


def test_a_subprocess_run_opens_no_socket_and_starts_no_program(tmp_path):
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(textwrap.dedent(AUDIT))
    log = tmp_path / "audit.log"
    project = make_project(tmp_path / "project")
    many = project / "many"  # enough files for worker processes
    many.mkdir()
    for i in range(520):
        (many / f"wf{i}.yaml").write_text("# " + "x" * 2000 + "\n" + HELLO.replace("hello-", f"w{i}-"))
    env = dict(os.environ, WFLINT_AUDIT_LOG=str(log), NO_COLOR="1",
               PYTHONPATH=os.pathsep.join([str(hooks)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    env.pop("GITHUB_ACTIONS", None)

    def wflint(*args):
        return subprocess.run([sys.executable, "-m", "wflint", *args], cwd=project, env=env,
                              capture_output=True, text=True, timeout=120)

    # The hook is really there: a deliberate connection attempt is seen.
    connect = "import socket\ntry:\n socket.create_connection(('127.0.0.1', 9), 0.1)\nexcept OSError:\n pass"
    probe = subprocess.run([sys.executable, "-c", connect], env=env, timeout=60)
    assert probe.returncode == 0 and "socket.connect" in log.read_text()
    log.unlink()

    runs = [wflint("check", "--format", fmt, "wf.yaml", "cron.yaml", "hello.yaml", "unsafe.yaml")
            for fmt in ("text", "sarif")]
    runs.append(wflint("check", "--format", "json", "--jobs", "2", "."))  # workers, cache, index
    runs.append(wflint("check", "--format", "json", "--jobs", "2", "."))  # again, from the caches
    runs.append(wflint("rbac", "."))
    runs.append(wflint("explain", "template-ref"))
    for run in runs:
        assert "Traceback" not in run.stderr, run.stderr
        assert run.returncode in (0, 1), (run.returncode, run.stderr)
    assert json.loads(runs[2].stdout)["summary"]["files"] > 520
    events = log.read_text() if log.exists() else ""
    assert events == "", events
    assert not (project / "PWNED").exists()


def test_unsafe_tags_are_plain_data(tmp_path):
    """What the tags would build, they do not: the values are read as the
    plain YAML under the tag (a list, a string), as Kubernetes would."""
    from wflint.source import loader
    from wflint.source.files import SourceFile

    docs, findings = loader.load(SourceFile("u.yaml", UNSAFE.replace("PWNED", str(tmp_path / "PWNED"))))
    problems = loader.convert(docs[0])
    spec = docs[0].data["spec"]
    assert spec["entrypoint"] == [f"touch {tmp_path / 'PWNED'}"]
    assert spec["serviceAccountName"] == [["touch", str(tmp_path / "PWNED")]]
    assert spec["arguments"]["parameters"][0]["value"] == ""
    assert spec["x"][1] == {"k": {"i": "x"}}
    assert all(type(v) in (dict, list, str, int, float, bool) for v in _leaves(docs[0].data))
    assert {p.rule for p in findings + problems} == {"yaml-syntax"}  # the list key and the merge of strings
    assert not (tmp_path / "PWNED").exists()


def _leaves(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _leaves(value)
    elif isinstance(node, list):
        for value in node:
            yield from _leaves(value)
    else:
        yield node
