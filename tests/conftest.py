import os
import textwrap

import pytest
from click.testing import CliRunner

from wflint.cli.main import cli

# -- property tests (hypothesis) ---------------------------------------------------
#
# By default every property test tries a fixed set of examples (derandomized, no
# example database): CI is deterministic and a failure reproduces with the same
# command. WFLINT_THOROUGH=1 searches at random, with the full example counts,
# for a longer hunt on a developer's machine.

THOROUGH = os.environ.get("WFLINT_THOROUGH", "") not in ("", "0")

try:
    from hypothesis import settings as _hypothesis_settings
except ImportError:  # pragma: no cover - hypothesis is a test extra
    pass
else:
    _hypothesis_settings.register_profile("wflint", derandomize=True, database=None, deadline=None,
                                          print_blob=True)
    _hypothesis_settings.register_profile("wflint-thorough", database=None, deadline=None, print_blob=True)
    _hypothesis_settings.load_profile("wflint-thorough" if THOROUGH else "wflint")


# -- running on several cores (pytest-xdist: `pytest -n auto --dist loadfile`) ------------
#
# Each test file runs on one worker: a module fixture (the language server, a
# built wheel, a tree linted in subprocesses) is set up once, and the timed
# tests of test_linear.py run one after another. (`--dist loadgroup` would
# do for single groups, but pytest-xdist 3.8 cannot tag the tests of pytest
# 9.2 with their group, so it falls back to `load`.) The files that take many
# seconds start first, so that no worker is left with one of them at the end
# while the other idles; the order is the same in every worker (xdist requires it).

LONG_RUNNING = (
    "tests/test_precommit.py",    # pre-commit installs wflint into an environment of its own
    "tests/test_scope.py",        # the variable rule over a 5,000-task DAG
    "tests/test_hostile.py",      # every hostile input through the real command line
    "tests/test_linear.py",
    "tests/test_output_injection.py",
    "tests/test_plugins.py",      # pip installs each plugin
)


def pytest_collection_modifyitems(config, items):
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: not item.nodeid.startswith(LONG_RUNNING))


def examples(thorough: int) -> int:
    """How many examples a property test tries: ``thorough`` under
    WFLINT_THOROUGH=1, a third of it (at least 20) by default."""
    return thorough if THOROUGH else max(20, thorough // 3)


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


@pytest.fixture
def run_cli(tmp_path_factory, monkeypatch):
    """Run `wflint ARGS` in-process; returns click's Result (exit_code, output).

    The working directory is an empty folder of the test's own (a test may
    chdir elsewhere after): never this repository, whose .wflint.yaml would
    govern the run and whose files the project index would read."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))

    def run(*args, input=None, env=None):
        runner = CliRunner()
        return runner.invoke(cli, list(args), input=input, env=env or {}, catch_exceptions=False)
    return run


def wflint_in_process(cwd, *args, env=None, input=None):
    """`wflint ARGS` run in ``cwd`` as the command line runs it, but in this
    process (no interpreter to start): (exit code, stdout, stderr). ``env``
    entries set to None are unset. An exception escapes as itself (a
    subprocess would print a traceback), so the test fails on it."""
    runner = CliRunner()
    before = os.getcwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(cli, list(args), input=input, env=env or {}, prog_name="wflint",
                               catch_exceptions=False)
    finally:
        os.chdir(before)
    return (result.exit_code, result.stdout_bytes.decode("utf-8", "surrogateescape"),
            result.stderr_bytes.decode("utf-8", "surrogateescape"))


@pytest.fixture
def write(tmp_path):
    """write("a/b.yaml", text) -> path under tmp_path, text dedented."""
    def write(name, text="", raw=None):
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if raw is not None:
            target.write_bytes(raw)
        else:
            target.write_text(dedent(text), encoding="utf-8")
        return target
    return write


HELLO = dedent("""
    apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    metadata:
      generateName: hello-
    spec:
      entrypoint: main
      serviceAccountName: runner
      templates:
        - name: main
          container:
            image: alpine:3.20
            command: [echo, hello]
""")


@pytest.fixture(autouse=True)
def _private_cache_dir(tmp_path_factory, monkeypatch):
    """Every test gets its own wflint cache directory, outside its project
    (and never the real ~/.cache of whoever runs the suite)."""
    monkeypatch.setenv("WFLINT_CACHE_DIR", str(tmp_path_factory.mktemp("wflint-cache")))


def project(*texts):
    """A ProjectIndex of the documents of ``texts`` (one file each, dedented):
    the Argo documents and those the index keeps, converted."""
    from wflint.argo.index import ProjectIndex, indexable
    from wflint.source import loader
    from wflint.source.files import SourceFile
    documents = []
    for i, text in enumerate(texts):
        docs, problems = loader.load(SourceFile(f"f{i}.yaml", dedent(text)))
        assert not problems
        for doc in docs:
            if doc.is_argo or indexable(doc):
                loader.convert(doc)
                documents.append(doc)
    return ProjectIndex(documents)


def plugin_site(site, dist, entry, module, body):
    """A distribution ``dist`` with the `wflint.rules` entry point ``entry``
    (`name = module:RULES`) and the module ``module`` holding ``body``, laid
    out in the folder ``site`` as pip lays one out: on PYTHONPATH,
    importlib.metadata finds it like an installed one (no pip run needed)."""
    from pathlib import Path
    site = Path(site)
    info = site / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[wflint.rules]\n{entry}\n")
    (site / f"{module}.py").write_text(body)
    return site


def cache_file(root, name):
    """Where wflint keeps the cache file ``name`` ("index.json", "results.json") of the project at ``root``."""
    from pathlib import Path
    from wflint.source.cachefile import location
    return Path(location(str(root), name))


def cache_content(path):
    """The JSON a cache file holds, after its MAC line."""
    import json
    return json.loads(path.read_bytes().split(b"\n", 1)[1])
