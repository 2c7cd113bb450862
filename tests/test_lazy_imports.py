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
# Without a cache, nothing is hashed: hashlib's OpenSSL set-up is a few ms.
RARE = ("wflint.lang.expr", "difflib", "tempfile", "hmac", "secrets", "shlex", "hashlib")

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


# The classes a check imports are built without dataclasses (wflint.slots.Record):
# a dataclass costs about half a millisecond at import. None is left.
DATACLASSES_KEPT: set = set()

# Patterns made with lazy_compile in modules a check imports, for rules that are
# off by default or inputs no valid file has: a plain check compiles none.
LAZY_PATTERNS = ("wflint.rules.automount_token:API_USE", "wflint.rules.literal_secret:SECRET_NAME",
                 "wflint.rules.template_injection:_PYTHON", "wflint.run.suppress:_DIRECTIVE",
                 "wflint.source.loader:_JSON_ESCAPE", "wflint.escape:_UNSAFE_BUT_TAB")


def after_check(cwd, probe, forget=()):
    """What ``probe`` (an expression) says once `wflint check --no-cache wf.yaml` has run in this process,
    the modules ``forget`` dropped first (an editable install has loaded pathlib before wflint)."""
    code = (f"import sys\nfor name in {tuple(forget)!r}:\n    sys.modules.pop(name, None)\n"
            "from wflint.cli.main import main\n"
            "try:\n    main(['check', '--no-cache', 'wf.yaml'])\nexcept SystemExit:\n    pass\n"
            f"print(repr({probe}))\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip().splitlines()[-1]


def test_a_check_does_not_load_pathlib(tmp_path):
    # pathlib imports urllib.parse, which imports ipaddress: some 4 ms.
    (tmp_path / "wf.yaml").write_text(VALID)
    avoided = ("pathlib", "urllib.parse", "ipaddress")
    assert after_check(tmp_path, f"sorted(m for m in {avoided!r} if m in sys.modules)", forget=avoided) == "[]"


def test_a_check_defines_no_other_dataclass(tmp_path):
    (tmp_path / "wf.yaml").write_text(VALID)
    probe = ("sorted(f'{n}.{v.__qualname__}' for n, m in list(sys.modules.items()) if n.startswith('wflint')"
             " for v in vars(m).values() if isinstance(v, type) and v.__module__ == n"
             " and '__dataclass_fields__' in v.__dict__)")
    found = set(eval(after_check(tmp_path, probe)))
    assert found <= DATACLASSES_KEPT, sorted(found - DATACLASSES_KEPT)


def test_a_valid_file_compiles_no_lazy_pattern_of_a_rare_path(tmp_path):
    (tmp_path / "wf.yaml").write_text(VALID)
    probe = ("[(w, 'match' in vars(getattr(sys.modules[w.split(':')[0]], w.split(':')[1])))"
             f" for w in {LAZY_PATTERNS!r} if w.split(':')[0] in sys.modules]")
    found = eval(after_check(tmp_path, probe))
    assert found and not [w for w, compiled in found if compiled], found
