"""A `wflint check` loads only what checking needs: the graph library, the
round-trip YAML library, the editor's libraries and jsonschema (for valid
documents), process pools (for small runs) are each imported by the code
that needs them, never at start-up (issue: speed, one file in 0.2 s)."""

from __future__ import annotations

import subprocess
import sys

from conftest import dedent

HEAVY = ("networkx", "ruamel", "pygls", "lsprotocol", "jsonschema", "multiprocessing",
         "importlib.metadata")   # the plugin registry reads entry_points.txt itself
# Imported where used, and a valid file uses none: expressions, suggestions, written files, caches, baselines.
# (jsonschema itself imports some of them, so the invalid file's test leaves them out.)
RARE = ("wflint.lang.expr", "difflib", "tempfile", "hmac", "secrets", "shlex")

VALID = dedent("""
    apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    metadata:
      generateName: hello-
    spec:
      entrypoint: main
      templates:
        - name: main
          container:
            image: alpine:3.20
            command: [echo, hello]
""")


def loaded_after(args, cwd, modules=HEAVY):
    code = ("import sys\nfrom wflint.cli.main import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in {modules!r} if m in sys.modules))\n")
    run = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    return run.stdout.strip().splitlines()[-1]


def test_checking_a_valid_file_imports_nothing_heavy(tmp_path):
    (tmp_path / "wf.yaml").write_text(VALID)
    assert loaded_after(["check", "--no-cache", "wf.yaml"], tmp_path, HEAVY + RARE) == "[]"
    assert loaded_after(["check", "--no-cache", "--format", "json", "wf.yaml"], tmp_path, HEAVY + RARE) == "[]"


def test_an_invalid_file_loads_jsonschema_only(tmp_path):
    (tmp_path / "wf.yaml").write_text(VALID.replace("entrypoint: main", "entrypoint: [main]"))
    assert loaded_after(["check", "--no-cache", "wf.yaml"], tmp_path) == "['jsonschema']"


def test_a_parallel_run_forks_without_multiprocessing(tmp_path):
    """Workers are forked by forked.py: multiprocessing's import and first
    lock (tempfile, random, socket...) cost every parallel run 20-30 ms."""
    import os
    if not hasattr(os, "fork"):
        return   # spawned through multiprocessing where there is no fork
    padding = "# " + "x" * 4000 + "\n"   # enough work for two workers
    for i in range(600):
        (tmp_path / f"w{i}.yaml").write_text(padding + VALID.replace("hello-", f"w{i}-"))
    assert loaded_after(["check", "--no-cache", "--jobs", "2", "."], tmp_path,
                        ("multiprocessing", "tempfile", "socket")) == "[]"
