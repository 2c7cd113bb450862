"""A hostile-input corpus: whatever a pull request puts in front of wflint, it
answers with findings or a clean pass, in bounded time and memory.

Every input is generated here (nothing big is committed). Each case runs the
real command line in a subprocess with `--format json`, and states its
expected outcome: the exit code and the findings by rule. Time and memory
bounds are loose on purpose (a machine under load is noise; a hang or a
blow-up is what must fail): measured, every case takes under 3 s and
200 MB (most 0.3 s and 30 MB).
"""

from __future__ import annotations

import codecs
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import HELLO, plugin_site

HEADER = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: x-}\n"
MB = 1024 * 1024

# Loose bounds: a clean machine does every case here in under 3 s and 200 MB
# (the peak RSS of the whole process: Python, the schemas, the file).
SECONDS = 30
RSS_MB = 1024


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    rss_mb: float

    @property
    def json(self) -> dict:
        return json.loads(self.stdout)

    @property
    def rules(self) -> Counter:
        return Counter(d["rule"] for d in self.json["diagnostics"])


# Runs the command line and, at exit, notes the peak RSS of this process: the
# high-water mark of its own memory since exec (VmHWM), which, unlike the
# rusage of a child, does not include the memory of the pytest process it was
# forked from. Linux only; elsewhere only time is bounded.
_RUN = """
import atexit, os, sys

def _peak():
    try:
        with open("/proc/self/status") as status:
            peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
        with open(os.environ["WFLINT_TEST_PEAK"], "w") as out:
            out.write(peak)
    except (OSError, StopIteration):
        pass

atexit.register(_peak)
sys.argv[0] = "wflint"
from wflint.cli.main import main
main()
"""


def wflint(*args, cwd, timeout: float = SECONDS, stdin=subprocess.DEVNULL) -> Run:
    """`wflint ARGS` in a subprocess, in ``cwd``: exit code, output, wall time
    and the peak RSS of the process (measured with `--jobs 1`, where it does
    all the work itself)."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS",)}
    peak_path = Path(cwd, ".wflint-test-peak")
    env.update(NO_COLOR="1", WFLINT_TEST_PEAK=str(peak_path))
    out_path, err_path = Path(cwd, ".wflint-test-out"), Path(cwd, ".wflint-test-err")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-c", _RUN, *args], cwd=cwd, env=env, stdout=out,
                                stderr=err, stdin=stdin, start_new_session=True)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            pytest.fail(f"wflint {' '.join(args)} did not finish in {timeout} s (a hang)")
        seconds = time.monotonic() - start
    stdout = out_path.read_text(encoding="utf-8", errors="replace")
    stderr = err_path.read_text(encoding="utf-8", errors="replace")
    out_path.unlink()
    err_path.unlink()
    assert "Traceback" not in stderr, stderr
    rss_mb = 0.0
    if peak_path.exists():
        rss_mb = int(peak_path.read_text() or 0) / 1024
        peak_path.unlink()
    return Run(proc.returncode, stdout, stderr, seconds, rss_mb)


def check(tmp_path, *args, timeout: float = SECONDS, rss_mb: float = RSS_MB) -> Run:
    run = wflint("check", "--no-cache", "--jobs", "1", "--format", "json", *args, cwd=tmp_path, timeout=timeout)
    assert run.seconds < timeout
    assert run.rss_mb < rss_mb, f"{run.rss_mb:.0f} MB"
    if run.code != 2:
        assert run.json["version"] == 1  # whatever happened, the output is the JSON report
    return run


def workflow(spec: str) -> str:
    return HEADER + "spec:\n" + spec


def alias_bomb(indent: str = "") -> str:
    """Nine levels of nine aliases: 387 million nodes once expanded."""
    lines = [f'{indent}a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"{indent}a{i}: &a{i} [" + ",".join(f"*a{i - 1}" for _ in range(9)) + "]")
    return "\n".join(lines) + "\n"


# -- the corpus: name -> (content, exit code, findings by rule; None: any, but no internal error) --

CORPUS = {
    "alias-bomb": (
        workflow("  entrypoint: m\n  x:\n" + alias_bomb("    ")),
        1, {"yaml-syntax": 1}),
    "alias-bomb-in-a-merge-key": (
        workflow("  entrypoint: m\n  x:\n" + alias_bomb("    ") + "  templates:\n    - <<: *a9\n"),
        1, {"yaml-syntax": 1}),
    # Only Argo documents are converted to data; a bomb elsewhere costs nothing.
    "alias-bomb-in-a-configmap": (
        "apiVersion: v1\nkind: ConfigMap\ndata:\n" + alias_bomb("  "),
        0, {}),
    # Found by the fuzzer: the pointer lookup for the loader's finding walked the cycle forever.
    "recursive-anchor": (
        workflow("  entrypoint: m\n  x: &x [*x]\n"),
        1, {"yaml-syntax": 1}),
    "nesting-10000-block": (
        workflow("  x:\n    " + "- " * 10_000 + "v\n"),
        1, {"input-limit": 1}),
    "nesting-10000-flow-sequences": (
        workflow("  x: " + "[" * 10_000 + "]" * 10_000 + "\n"),
        1, {"input-limit": 1}),
    "nesting-10000-flow-mappings": (
        workflow("  x: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n"),
        1, {"input-limit": 1}),
    "nesting-150": (  # under libyaml's 1,000 levels, over the data limit
        workflow("  x: " + "[" * 150 + "]" * 150 + "\n"),
        1, {"input-limit": 1}),
    "very-long-line": (
        workflow("  entrypoint: " + "a" * 5 * MB + "\n  templates: [{name: m, container: {image: a}}]\n"),
        1, {"unknown-template": 1}),
    "very-long-key": (  # YAML caps implicit keys at 1024 characters
        workflow("  " + "k" * 5000 + ": 1\n"),
        1, {"yaml-syntax": 1}),
    "binary": (
        bytes(range(256)) * 64,
        1, {"yaml-syntax": 1}),
    "invalid-utf8": (
        HELLO.encode() + b"# caf\xe9\n",
        1, {"yaml-syntax": 1}),
    "utf16-le-with-bom": (
        codecs.BOM_UTF16_LE + HELLO.encode("utf-16-le"),
        0, {}),
    "utf16-be-with-bom": (
        codecs.BOM_UTF16_BE + HELLO.encode("utf-16-be"),
        0, {}),
    "utf16-with-bom-truncated": (
        codecs.BOM_UTF16_LE + HELLO.encode("utf-16-le")[:-1],
        1, {"yaml-syntax": 1}),
    "utf32-with-bom": (
        codecs.BOM_UTF32_LE + HELLO.encode("utf-32-le"),
        0, {}),
    "utf8-bom-in-the-middle": (  # a BOM after `---` is allowed and skipped
        ("---\n\ufeff" + HELLO).encode(),
        0, {}),
    "nul-byte": (
        HELLO.encode() + b"x: \x00\n",
        1, {"yaml-syntax": 1}),
    "control-characters": (  # YAML forbids them: a syntax finding that names the character
        HELLO + "# \x1b[31m\x07\n",
        1, {"yaml-syntax": 1}),
    "crlf-and-lone-cr": (
        HELLO.replace("\n", "\r\n") + "\r",
        0, {}),
    "python-and-ruby-tags": (
        workflow("  entrypoint: !!python/object/apply:os.system [\"touch pwned-entrypoint\"]\n"
                 "  serviceAccountName: !ruby/object:Gem::Installer {i: x}\n"
                 "  templates: [{name: !!python/name:os.system , container: {image: a}}]\n"),
        1, {"schema": 2, "template-name": 1}),  # a list, a mapping, an empty name
    "merge-keys": (
        workflow("  entrypoint: m\n  serviceAccountName: s\n"
                 "  templates:\n    - &t {name: base, container: {image: alpine, command: [sh]}}\n"
                 "    - <<: *t\n      name: m\n"),
        0, {}),
    "merge-key-of-a-scalar": (
        workflow("  entrypoint: m\n  serviceAccountName: s\n  templates:\n"
                 "    - <<: oops\n      name: m\n      container: {image: a}\n"),
        1, {"yaml-syntax": 1}),
    "anchor-across-documents": (
        "x: &shared {image: alpine}\n---\n" + workflow(
            "  entrypoint: m\n  serviceAccountName: s\n  templates: [{name: m, container: *shared}]\n")
        + "---\n" + HELLO,
        1, {"yaml-syntax": 1}),
    "keys-that-are-not-strings": (
        workflow("  entrypoint: m\n  serviceAccountName: s\n  templates: [{name: m, container: {image: a}}]\n"
                 "  1: one\n  true: yes\n  0x10: hex\n  ~: null-key\n  ? [a, b]\n  : list-key\n"
                 "  ? {a: 1}\n  : map-key\n"),
        1, {"schema": 4, "yaml-syntax": 2}),
    "spec-as-a-list": (
        workflow("  - entrypoint: m\n"),
        1, {"schema": 1}),
    "spec-as-a-string": (
        HEADER + "spec: main\n",
        1, {"schema": 1}),
    "everything-as-lists": (
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: []\nspec:\n  entrypoint: []\n"
        "  templates: [[], 1, x, {name: [], steps: [[[]]], dag: {tasks: [[]]}}]\n",
        1, None),
    "numbers-where-names-belong": (
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: 123}\nspec:\n  entrypoint: 1\n"
        "  serviceAccountName: 2\n  templates:\n    - name: 1\n      steps: [[{name: 2, template: 1}]]\n"
        "    - name: 0x10\n      dag: {tasks: [{name: 3, template: 1, depends: 4}]}\n"
        "      inputs: {parameters: [{name: 5}]}\n",
        1, None),
    "kind-and-api-version-not-strings": (
        "apiVersion: 1\nkind: [Workflow]\nspec: {}\n---\napiVersion: {a: 1}\nkind: 7\n",
        0, {}),
    "only-scalars-and-lists": (
        "42\n---\n- a\n- b\n---\n'str'\n---\n~\n---\n",
        0, {}),
    "many-duplicate-keys": (  # each duplicate's pointer used to cost a walk of the document
        workflow("  entrypoint: m\n" + "  x: 1\n" * 50_000),
        1, {"duplicate-key": 49_999, "schema": 1, "unknown-template": 1}),
    "many-findings-in-one-quoted-script": (  # each position used to re-read the whole string
        workflow("  entrypoint: m\n  serviceAccountName: s\n  templates:\n    - name: m\n      script:\n"
                 "        image: a\n        source: \"" + "\n          echo {{inputs.parameters.x}}" * 5000
                 + "\"\n"),
        1, {"variable": 5000}),
    "many-findings-in-one-folded-script": (
        workflow("  entrypoint: m\n  serviceAccountName: s\n  templates:\n    - name: m\n      script:\n"
                 "        image: a\n        source: >\n" + "          echo {{inputs.parameters.x}}\n" * 5000),
        1, {"variable": 5000}),
    # Found while writing this corpus: the `when` checker recursed once per parenthesis.
    "deep-parentheses-in-when": (
        workflow("  entrypoint: m\n  serviceAccountName: s\n  templates:\n    - name: m\n      dag:\n"
                 "        tasks:\n          - {name: a, template: w}\n"
                 f"          - {{name: b, template: w, depends: a, when: \"{'(' * 5000}1 == 1{')' * 5000}\"}}\n"
                 "    - {name: w, container: {image: a}}\n"),
        0, {"variable": 1}),
    "deep-expression": (
        workflow("  entrypoint: m\n  serviceAccountName: s\n  templates:\n    - name: m\n      container:\n"
                 "        image: a\n        args: [\"{{=" + "(" * 5000 + "1" + ")" * 5000 + "}}\"]\n"),
        0, {"variable": 1}),
    "deep-depends": (
        workflow("  entrypoint: m\n  serviceAccountName: s\n  templates:\n    - name: m\n      dag:\n"
                 "        tasks:\n          - {name: a, template: w}\n"
                 f"          - {{name: b, template: w, depends: \"{'(' * 5000}a{')' * 5000}\"}}\n"
                 "    - {name: w, container: {image: a}}\n"),
        0, {"dag-dependency": 1}),
    "deep-resource-manifest": (
        workflow("  entrypoint: m\n  serviceAccountName: s\n  templates:\n    - name: m\n      resource:\n"
                 "        action: create\n        manifest: \"" + "[" * 5000 + "]" * 5000 + "\"\n"),
        1, None),
    "100000-documents": (
        "".join("---\n" + HELLO.replace("hello-", f"w{i}-") if i % 1000 == 0 else f"---\na: {i}\n"
                for i in range(100_000)),
        0, {}),
    "100000-empty-documents": (
        "---\n" * 100_000,
        0, {}),
    # -- scanners that used to rescan to the end of the text for every unclosed `{{` --
    "resource-manifest-200k-unclosed-tags": (
        workflow("  entrypoint: m\n  serviceAccountName: s\n  templates:\n  - name: m\n    resource:\n"
                 "      action: create\n      successCondition: '" + "{{" * 50_000 + "'\n"
                 "      manifest: '" + "{{=" * 70_000 + "'\n"),
        1, None),
    "names-with-200k-unclosed-tags": (
        workflow("  entrypoint: m\n  serviceAccountName: s\n  templates:\n  - name: m\n    steps:\n"
                 "    - - name: '" + "{{a" * 70_000 + "'\n        template: m\n"
                 "        when: '" + "{{a{{b}}" * 20_000 + "'\n"),
        1, None),
    "step-names-backtracking": (   # a regex of `.+x.+x…` for the name, tried on `xxx…`
        workflow("  entrypoint: m\n  serviceAccountName: s\n  templates:\n  - name: m\n    steps:\n"
                 "    - - name: '" + "{{item}}x" * 40 + "'\n        template: w\n        withItems: [a]\n"
                 "    - - name: b\n        template: w\n"
                 "        arguments: {parameters: [{name: p, value: '{{steps." + "x" * 60 + "y.status}}'}]}\n"
                 "  - name: w\n    inputs: {parameters: [{name: p, default: a}]}\n    container: {image: a}\n"),
        1, None),
    # -- findings that must not be lost --
    "input-limit-is-not-suppressible-inline": (
        "# wflint: disable-file=input-limit\n" + workflow("  entrypoint: m\n  x: # wflint: disable=input-limit\n"
                                                         "    " + "[" * 150 + "]" * 150 + "\n"),
        1, {"input-limit": 1, "unused-suppression": 2}),
    "directive-in-a-block-scalar-is-text": (
        workflow("  entrypoint: mian\n  serviceAccountName: s\n  templates:\n  - name: main\n    script:\n"
                 "      image: a\n      source: |\n        # wflint: disable-file=unknown-template\n"
                 "      args: ['# wflint: disable-file=unknown-template', \"# wflint: disable-file=unknown-template\"]\n"),
        1, {"unknown-template": 1}),
    "merge-key-where-it-stands": (   # Kubernetes (go-yaml v2) applies the `<<` over the key before it
        workflow("  entrypoint: main\n  <<: {entrypoint: mian}\n  serviceAccountName: s\n"
                 "  templates: [{name: main, container: {image: a}}]\n"),
        1, {"unknown-template": 1}),
    "merge-key-twice": (
        workflow("  <<: {entrypoint: main}\n  <<: {entrypoint: mian}\n  serviceAccountName: s\n"
                 "  templates: [{name: main, container: {image: a}}]\n"),
        1, {"unknown-template": 1, "duplicate-key": 1}),
    "json-with-surrogate-pairs": (
        json.dumps({"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
                    "metadata": {"generateName": "x-", "annotations": {"a": "\U0001f600 \ud83d"}},
                    "spec": {"entrypoint": "main", "serviceAccountName": "s",
                             "templates": [{"name": "main", "container": {"image": "a"}}]}}),
        0, {}),
}


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_corpus(tmp_path, case):
    content, code, rules = CORPUS[case]
    target = tmp_path / f"{case}.yaml"
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8", newline="")
    run = check(tmp_path, target.name)
    assert "internal-error" not in run.rules, run.stdout[:2000]
    assert run.code == code, (run.code, run.rules, run.stderr)
    if rules is not None:
        assert run.rules == Counter(rules), run.rules
    assert all(d["path"] == target.name and d["line"] >= 1 and d["column"] >= 1 for d in run.json["diagnostics"])
    assert not list(tmp_path.glob("pwned*"))


def test_unsafe_tags_are_never_constructed(tmp_path):
    """Python and Ruby object tags anywhere (values, flow collections, keys,
    merge keys, a resource manifest) are plain data: no marker file appears,
    and the findings are those of the plain values."""
    marker = tmp_path / "pwned"
    touch = f'"touch {marker}"'
    target = tmp_path / "tags.yaml"
    target.write_text(workflow(
        f"  entrypoint: m\n  serviceAccountName: s\n"
        f"  x1: !!python/object/apply:os.system [{touch}]\n"
        f"  x2: {{a: !!python/object/apply:subprocess.check_call [[sh, -c, {touch}]]}}\n"
        f"  x3: [!!python/object/new:os.system [{touch}]]\n"
        f"  x4: !!python/name:os.system\n"
        f"  x5: !!python/module:os\n"
        f"  x6: !ruby/object:Gem::Installer {{i: x}}\n"
        f"  ? !!python/object/apply:os.system [{touch}]\n  : key\n"
        f"  <<: !!python/object/apply:os.system [{touch}]\n"
        f"  templates:\n    - name: m\n      resource:\n        action: create\n        manifest: |\n"
        f"          apiVersion: v1\n          kind: ConfigMap\n          metadata: {{name: c}}\n"
        f"          data: {{x: !!python/object/apply:os.system [{touch}]}}\n"))
    run = check(tmp_path, target.name)
    assert not marker.exists()
    assert run.code == 1 and "internal-error" not in run.rules
    # x1..x6 and the list key are unknown fields; the merge of a list of strings is refused.
    assert run.rules["schema"] >= 6 and run.rules["yaml-syntax"] >= 2, run.rules


# -- files that are not files ---------------------------------------------------------------------

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")


@needs_symlinks
def test_symlink_loops(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "wf.yaml").write_text(HELLO)
    os.symlink("loop.yaml", tree / "loop.yaml")          # a link to itself
    os.symlink(".", tree / "dir-loop")                   # a folder that contains itself
    os.symlink("nowhere.yaml", tree / "dangling.yaml")
    walked = check(tmp_path, "tree")
    assert walked.code == 0 and walked.json["summary"]["files"] == 1  # links are never followed in a walk
    named = check(tmp_path, "tree/loop.yaml", "tree/dangling.yaml", "tree/wf.yaml")
    assert named.code == 1
    assert [(d["path"], d["rule"]) for d in named.json["diagnostics"]] == [
        ("tree/dangling.yaml", "read-error"), ("tree/loop.yaml", "read-error")]
    assert named.json["summary"]["files"] == 3  # the readable file is still linted
    # A folder link named on purpose is walked, once: the loop inside it is not followed.
    assert check(tmp_path, "tree/dir-loop").json["summary"]["files"] == 1


@needs_symlinks
def test_symlink_out_of_the_tree(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "broken.yaml").write_text(HEADER + "spec: []\n")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "wf.yaml").write_text(HELLO)
    os.symlink(outside / "broken.yaml", tree / "leak.yaml")
    os.symlink(outside, tree / "leak-dir")
    walked = check(tmp_path, "tree")
    assert walked.code == 0 and walked.json["diagnostics"] == []  # never followed out of the tree
    named = check(tmp_path, "tree/leak.yaml")  # named on purpose: read, as any file named
    assert named.code == 1 and named.rules == Counter({"schema": 1})


def test_unreadable_file(tmp_path, monkeypatch):
    (tmp_path / "wf.yaml").write_text(HELLO)
    locked = tmp_path / "locked.yaml"
    locked.write_text(HELLO)
    locked.chmod(0)
    try:
        if not os.access(locked, os.R_OK):  # not as root, where permissions are not enforced
            run = check(tmp_path, "locked.yaml", "wf.yaml")
            assert run.code == 1 and run.rules == Counter({"read-error": 1})
            assert run.json["diagnostics"][0]["path"] == "locked.yaml"
            assert check(tmp_path, ".").rules == Counter({"read-error": 1})  # found by a walk too
    finally:
        locked.chmod(0o644)
    # The same failure, simulated in-process, whoever runs the tests.
    from wflint.source import files as sources
    from wflint.run.engine import Engine, Options

    real_open = os.open

    def denied(path, *args, **kwargs):
        if str(path).endswith("locked.yaml"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(sources.os, "open", denied)
    monkeypatch.chdir(tmp_path)
    report = Engine(Options(use_cache=False, jobs=1)).run(["locked.yaml", "wf.yaml"])
    assert [(f.rule, f.path, f.message) for f in report.findings] == [
        ("read-error", "locked.yaml", "cannot read file: Permission denied")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_never_opened(tmp_path):
    """A FIFO blocks whoever opens it until a writer comes: never opened, not
    when named, not in a walk, not as a template path."""
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "wf.yaml").write_text(HELLO)
    named = check(tmp_path, "pipe.yaml", timeout=20)
    assert named.code == 1 and named.rules == Counter({"read-error": 1})
    assert "not a regular file" in named.json["diagnostics"][0]["message"]
    walked = check(tmp_path, ".", timeout=20)
    assert walked.code == 0 and walked.json["summary"]["files"] == 1
    # Found while writing this corpus: the template index opened it and waited forever.
    indexed = check(tmp_path, "--template-path", "pipe.yaml", "wf.yaml", timeout=20)
    assert indexed.code == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_named_paths_are_looked_at_before_they_are_opened(tmp_path, monkeypatch):
    """A walk keeps regular files, which are opened at once; a path named on
    the command line (pre-commit names the changed files: a pull request can
    make one a link to a FIFO or a device) is looked at first, and a FIFO is
    never opened, named or linked."""
    from wflint.run.engine import Engine, Options
    os.mkfifo(tmp_path / "pipe.yaml")
    os.symlink("pipe.yaml", tmp_path / "link.yaml")
    (tmp_path / "wf.yaml").write_text(HELLO)
    opened = []
    real_open = os.open

    def recording(path, *args, **kwargs):
        opened.append(os.path.basename(str(path)))
        return real_open(path, *args, **kwargs)
    monkeypatch.setattr(os, "open", recording)
    monkeypatch.chdir(tmp_path)
    for paths in (["pipe.yaml", "link.yaml", "wf.yaml"], ["."]):
        report = Engine(Options(use_cache=False, jobs=1)).run(paths)
        assert {f.rule for f in report.findings if f.severity == "error"} <= {"read-error"}
    assert "pipe.yaml" not in opened and "link.yaml" not in opened
    assert "wf.yaml" in opened


def test_folder_named_like_a_manifest(tmp_path):
    folder = tmp_path / "x.yaml"
    folder.mkdir()
    (folder / "inner.yaml").write_text(HEADER + "spec: []\n")
    for given in ("x.yaml", "."):
        run = check(tmp_path, given)
        assert run.code == 1 and run.rules == Counter({"schema": 1})
        assert run.json["diagnostics"][0]["path"] == "x.yaml/inner.yaml"


@needs_symlinks
def test_cache_file_linked_to_an_endless_device(tmp_path):
    """A pull request can commit `.wflint_cache/index.json` as a link to
    /dev/zero: reading it would never end (found while writing this corpus)."""
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    (tmp_path / ".git").mkdir()  # the project root, where the cache lives
    (tmp_path / ".wflint_cache").mkdir()
    os.symlink("/dev/zero", tmp_path / ".wflint_cache" / "index.json")
    os.symlink("/dev/zero", tmp_path / ".wflint_cache" / "results.json")
    (tmp_path / "wf.yaml").write_text(HELLO)
    (tmp_path / "lib.yaml").write_text(HELLO.replace("Workflow", "WorkflowTemplate"))
    run = wflint("check", "--format", "json", "wf.yaml", cwd=tmp_path, timeout=20)
    assert run.code == 0 and run.rss_mb < 500


@needs_symlinks
def test_cache_folder_linked_elsewhere_is_not_written_through(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    project = tmp_path / "project"
    project.mkdir()
    (project / ".git").mkdir()
    os.symlink(elsewhere, project / ".wflint_cache")
    (project / "wf.yaml").write_text(HELLO)
    (project / "lib.yaml").write_text(HELLO.replace("Workflow", "WorkflowTemplate"))
    assert wflint("check", "wf.yaml", cwd=project).code == 0
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("name, text", [
    (".wflint.yaml", "exclude: " + "[" * 3000 + "]" * 3000 + "\n"),
    (".wflint.yaml", alias_bomb() + "exclude: *a9\n"),
    (".wflint.yaml", "\x00\xff"),
    ("pyproject.toml", "[tool.wflint]\nexclude = " + "[" * 3000 + "]" * 3000 + "\n"),
])
def test_hostile_configuration_is_a_usage_error(tmp_path, name, text):
    """The configuration comes with the pull request too: a bad one is exit 2
    with a message, never a traceback (deep nesting was one)."""
    (tmp_path / name).write_text(text, encoding="utf-8", errors="surrogateescape")
    (tmp_path / "wf.yaml").write_text(HELLO)
    run = wflint("check", "wf.yaml", cwd=tmp_path)
    assert run.code == 2 and "configuration error" in run.stderr, run.stderr


def test_exclude_pattern_that_backtracks(tmp_path):
    """`a**a**…b` against a long name of `a`s hung a backtracking matcher."""
    (tmp_path / ".wflint.yaml").write_text('exclude: ["a' + "**a" * 40 + '**b"]\n')
    (tmp_path / "wf.yaml").write_text(HELLO)
    (tmp_path / ("a" * 200 + ".yaml")).write_text(HELLO)
    run = wflint("check", "--no-cache", ".", cwd=tmp_path, timeout=SECONDS)
    assert run.code == 0 and run.seconds < SECONDS, run.stderr
    (tmp_path / ".wflint.yaml").write_text('exclude: ["' + "a*" * 1000 + '"]\n')
    run = wflint("check", "--no-cache", ".", cwd=tmp_path)
    assert run.code == 2 and "at most" in run.stderr


@pytest.mark.parametrize("key", ["template-paths", "stubs", "baseline"])
def test_configuration_paths_through_symlinks_are_refused(tmp_path, key):
    (tmp_path / "wf.yaml").write_text(HELLO)
    (tmp_path / "out").symlink_to("/")
    value = "out/etc/passwd" if key == "baseline" else "[out]"
    (tmp_path / ".wflint.yaml").write_text(f"{key}: {value}\n")
    run = wflint("check", "--no-cache", "wf.yaml", cwd=tmp_path)
    assert run.code == 2 and "outside the folder" in run.stderr, run.stderr


@pytest.mark.parametrize("value", ["0.00001", "1e-9", "1e12", ".nan"])
def test_absurd_limits_in_the_configuration(tmp_path, value):
    (tmp_path / "wf.yaml").write_text(HELLO)
    (tmp_path / ".wflint.yaml").write_text(f"max-file-size: {value}\n")
    run = wflint("check", "--no-cache", "wf.yaml", cwd=tmp_path)
    assert run.code == 2 and "max-file-size" in run.stderr, run.stderr


@pytest.mark.parametrize("text", [
    '"x\\n::error file=a::forged\\n::add-mask::y": 1\n',
    '"\\e[31mred\\e]0;title\\a": 1\n',
    'fail-on: "x\\n::error::forged\\u0085::warning::z\\u2028w"\n',
    'rules: {"a\\r\\n::error::x": on}\n',
])
def test_configuration_errors_cannot_forge_lines(tmp_path, text):
    """A key or value with a line break must not start a line of stderr (a CI
    workflow command), and no control character reaches the terminal."""
    (tmp_path / "wf.yaml").write_text(HELLO)
    (tmp_path / ".wflint.yaml").write_text(text)
    run = wflint("check", "--no-cache", "wf.yaml", cwd=tmp_path)
    assert run.code == 2
    lines = run.stderr.rstrip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("wflint: "), run.stderr
    assert not any(ch < " " or "\x7f" <= ch <= "\x9f" or ch in "\u2028\u2029" for ch in lines[0]), lines[0]


def test_stdin_named_like_a_file_cannot_hide_its_findings(tmp_path):
    (tmp_path / "b.yaml").write_text(workflow("  entrypoint: mian\n  serviceAccountName: s\n"
                                              "  templates: [{name: main, container: {image: a}}]\n"))
    stdin = tmp_path / "stdin.yaml"
    stdin.write_text("# wflint: disable-file=unknown-template\n")
    with open(stdin, "rb") as handle:
        run = wflint("check", "--no-cache", "--format", "json", "--stdin-filename", "b.yaml", "b.yaml", "-",
                     cwd=tmp_path, stdin=handle)
    assert run.code == 1 and run.rules["unknown-template"] == 1, run.stdout


def test_index_keeps_nothing_of_a_secret(tmp_path):
    """A Secret beside the workflows: its data, annotations (the
    last-applied-configuration holds the whole object) and labels never
    reach the index cache."""
    (tmp_path / "wf.yaml").write_text(HELLO)
    (tmp_path / "secret.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  labels: {l: LABELVALUE}\n"
        "  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"data\":{\"k\":\"TOPSECRET\"}}'\n"
        "type: Opaque\ndata: {k: VE9QU0VDUkVU}\nstringData: {p: TOPSECRET}\n")
    (tmp_path / "sa.yaml").write_text(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  annotations:\n"
        "    kubectl.kubernetes.io/last-applied-configuration: 'TOPSECRET'\n")
    run = wflint("check", "wf.yaml", cwd=tmp_path)
    assert run.code == 0, run.stderr
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()
                      and p.name not in ("secret.yaml", "sa.yaml"))
    for secret in (b"TOPSECRET", b"VE9QU0VDUkVU", b"LABELVALUE", b"last-applied"):
        assert secret not in stored
    from wflint.argo.index import index_data
    kept = index_data("Secret", {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "data": {"k": "x"},
                                 "metadata": {"name": "s", "namespace": "n", "annotations": {"a": "b"},
                                              "labels": {"c": "d"}}})
    assert kept == {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                    "metadata": {"name": "s", "namespace": "n"}}


# -- size -----------------------------------------------------------------------------------------

def test_50_mb_file(tmp_path):
    """Over the default 10 MB cap: an error (the file is not linted, so it
    must not pass), read no further. Under a raised
    cap, one 50 MB script is linted in bounded time and memory."""
    lines = ("          echo hello world\n" * (50 * MB // 27 + 1))
    big = tmp_path / "big.yaml"
    big.write_text(workflow("  entrypoint: m\n  serviceAccountName: s\n  templates:\n    - name: m\n"
                            "      script:\n        image: a\n        source: |\n") + lines)
    assert big.stat().st_size > 50 * MB
    capped = check(tmp_path, "big.yaml", timeout=20, rss_mb=300)
    assert capped.code == 1 and capped.rules == Counter({"input-limit": 1})
    assert "over the 10 MB size cap" in capped.json["diagnostics"][0]["message"]
    raised = check(tmp_path, "--max-file-size", "60", "big.yaml", timeout=60, rss_mb=1024)
    assert raised.code == 0 and raised.json["diagnostics"] == [] and raised.json["summary"]["documents"] == 1


def test_stdin_is_capped_like_a_file(tmp_path):
    """`-` reads no more than the size cap (it used to read all there was):
    an endless stream is an error; binary garbage under the cap, one finding."""
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    with open("/dev/zero", "rb") as endless:
        run = wflint("check", "--format", "json", "-", cwd=tmp_path, stdin=endless, timeout=20)
    assert run.code == 1 and run.rss_mb < 300
    assert run.rules == Counter({"input-limit": 1})
    garbage = tmp_path / "garbage"
    garbage.write_bytes(os.urandom(1 << 16) + b"\0")
    with open(garbage, "rb") as handle:
        run = wflint("check", "--format", "json", "--stdin-filename", "x.yaml", "-", cwd=tmp_path, stdin=handle)
    assert run.code == 1
    assert [(d["rule"], d["path"]) for d in run.json["diagnostics"]] == [("yaml-syntax", "x.yaml")]


# -- a rule that crashes ----------------------------------------------------------------------------

CRASHING_PLUGIN = '''
import sys
from wflint.finding import finding

ID = "acme-fragile"
SEVERITY = "warning"
SUMMARY = "A plugin rule that crashes on some documents."


def check(document, context):
    name = document.name or document.generate_name or ""
    if "boom" in name:
        raise KeyError("templates")           # a bug, on one document
    if "deep" in name:
        def down(n):
            return down(n + 1)
        down(0)                                 # a RecursionError is an Exception too
    yield finding(("metadata",), f"checked `{name}`")

RULES = [sys.modules[__name__]]
'''


def fragile_site(root: Path) -> Path:
    return plugin_site(root / "site", "wflint-fragile", "fragile = wflint_fragile:RULES", "wflint_fragile",
                       CRASHING_PLUGIN)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_crashing_rule_is_an_internal_error_and_exit_3(tmp_path, monkeypatch, jobs):
    site = fragile_site(tmp_path)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    files = ["boom.yaml", "deep.yaml", "fine.yaml"]
    (tmp_path / "boom.yaml").write_text(HELLO.replace("generateName: hello-", "name: boom")
                                        .replace("serviceAccountName", "serviceAcountName"))
    (tmp_path / "deep.yaml").write_text(HELLO.replace("generateName: hello-", "name: deep"))
    (tmp_path / "fine.yaml").write_text(HELLO.replace("generateName: hello-", "name: fine"))
    if jobs == "2":  # enough files for worker processes: the crash is counted there too
        (tmp_path / "many").mkdir()
        for i in range(520):
            # (padded: enough work for the default -j to start workers)
            (tmp_path / "many" / f"w{i}.yaml").write_text("# " + "x" * 2000 + "\n" + HELLO.replace("hello-", f"w{i}-"))
        files.append("many")
    runs = {fmt: wflint("check", "--no-cache", "--jobs", jobs, "--format", fmt, *files, cwd=tmp_path, timeout=60)
            for fmt in ("json", "sarif", "github")}
    for run in runs.values():
        assert run.code == 3, (run.code, run.stderr)
    run = runs["json"]
    found = [(d["path"], d["rule"]) for d in run.json["diagnostics"] if not d["path"].startswith("many/")]
    assert found == [("boom.yaml", "internal-error"), ("boom.yaml", "schema"),
                     ("deep.yaml", "internal-error"), ("fine.yaml", "acme-fragile")]  # the other rules still report
    crashes = [d for d in run.json["diagnostics"] if d["rule"] == "internal-error"]
    assert "rule `acme-fragile` crashed" in crashes[0]["message"] and "KeyError" in crashes[0]["message"]
    assert "RecursionError" in crashes[1]["message"]
    if jobs == "2":
        assert run.json["summary"]["files"] == 523
        assert sum(1 for d in run.json["diagnostics"] if d["rule"] == "acme-fragile") == 521


def test_reading_trusts_no_size_it_was_told(tmp_path):
    """A file is read to its end or one byte past the cap, whatever its
    stat said (it may grow or shrink in between, or say 0 as /proc does)."""
    from wflint.source.files import _read_fd
    path = tmp_path / "grown.yaml"
    path.write_bytes(b"x" * 100)
    for size, limit, expected in ((100, 1000, 100), (10, 1000, 100), (0, 1000, 100), (500, 1000, 100),
                                  (10, 51, 51), (100, 51, 51)):
        fd = os.open(path, os.O_RDONLY)
        try:
            assert len(_read_fd(fd, limit, size)) == expected, (size, limit)
        finally:
            os.close(fd)
