"""`wflint rbac` output cannot be steered by the input (issue 14, item 1).

The generated YAML is applied with `kubectl apply -f`: go-yaml, a port of
libyaml, which (unlike the YAML 1.2 core rules PyYAML's pure-Python reader
follows for comments) also breaks lines at U+0085 (NEL), U+2028 and U+2029.
A file, workflow, template or account name must never add a line, a key, a
rule or a document, whatever it holds. Each test reads the output three ways:
PyYAML's pure-Python loader, libyaml (PyYAML's C loader, when built), and a
check that no character go-yaml/libyaml take for a line break (or any other
non-printable character) is in the text at all.
"""

import os
import random

import pytest
import yaml

from conftest import HELLO
from wflint.cli.rbac import comment, scalar

# What libyaml's and go-yaml's IS_BREAK accept (yaml_private.h / yamlprivateh.go).
GO_YAML_BREAKS = ("\r\n", "\r", "\n", "\x85", "\u2028", "\u2029")
INJECTED_RULE = '  - apiGroups: ["*"]\n    resources: ["*"]\n    verbs: ["*"]'
HOSTILE_SEPARATORS = ["\x85", "\u2028", "\u2029", "\r", "\x0b", "\x0c", "\x1b[2K", "\t", "\ufeff", "\x7f"]


def go_yaml_lines(text):
    """The lines go-yaml and libyaml see."""
    lines, start, i = [], 0, 0
    while i < len(text):
        for brk in GO_YAML_BREAKS:
            if text.startswith(brk, i):
                lines.append(text[start:i])
                i += len(brk)
                start = i
                break
        else:
            i += 1
    lines.append(text[start:])
    return lines


def quoted(value):
    """``value`` as a double-quoted YAML scalar, for writing hostile manifests."""
    return yaml.safe_dump(value, default_style='"', width=10 ** 6).strip()


def loaders():
    found = [yaml.SafeLoader]
    if getattr(yaml, "CSafeLoader", None) is not None:
        found.append(yaml.CSafeLoader)  # libyaml: the C reader go-yaml was ported from
    return found


def read_all_ways(text):
    """The documents of ``text``, identical under every reader; and proof
    that the text holds nothing but printable ASCII lines."""
    assert all(" " <= c <= "~" for c in text.replace("\n", "")), [c for c in text if not " " <= c <= "~" and c != "\n"]
    assert go_yaml_lines(text) == text.split("\n")
    parsed = [[d for d in yaml.load_all(text, Loader=loader) if d is not None] for loader in loaders()]
    for other in parsed[1:]:
        assert other == parsed[0]
    return parsed[0]


def generate(run_cli, folder):
    result = run_cli("rbac", str(folder), "--no-cache")
    assert result.exit_code == 0, result.output
    return result.output


def granted(documents):
    """Every rule of every Role and ClusterRole, and every binding."""
    rules = [(d["kind"], d["metadata"]["name"], r) for d in documents if d["kind"] in ("Role", "ClusterRole")
             for r in d["rules"]]
    bindings = [(d["kind"], d["roleRef"], d["subjects"]) for d in documents if d["kind"].endswith("Binding")]
    return rules, bindings


def reference(run_cli, tmp_path, text=HELLO):
    folder = tmp_path / "reference"
    folder.mkdir()
    (folder / "plain.yaml").write_text(text, encoding="utf-8")
    return read_all_ways(generate(run_cli, folder))


@pytest.mark.parametrize("separator", HOSTILE_SEPARATORS)
def test_a_file_name_cannot_inject_a_rule(run_cli, tmp_path, separator):
    expected = reference(run_cli, tmp_path)
    folder = tmp_path / "pr"
    folder.mkdir()
    name = "x" + separator + INJECTED_RULE.replace("\n", separator) + separator + "# ': \" .yaml"
    try:
        (folder / name).write_text(HELLO, encoding="utf-8")
    except OSError:
        pytest.skip("the file system refuses this name")
    output = generate(run_cli, folder)
    documents = read_all_ways(output)
    assert documents == expected  # the very same objects and rules as for `plain.yaml`
    for _, _, rule in granted(documents)[0]:
        assert "*" not in rule["verbs"] and "*" not in rule["resources"] and "*" not in rule["apiGroups"]


@pytest.mark.parametrize("separator", HOSTILE_SEPARATORS + ["\n"])
def test_workflow_and_template_names_cannot_inject(run_cli, tmp_path, separator):
    expected = reference(run_cli, tmp_path)
    payload = separator + INJECTED_RULE.replace("\n", separator) + separator + "---" + separator + "kind: Secret"
    hostile = (HELLO.replace("generateName: hello-", f"name: {quoted('w' + payload)}")
               .replace("entrypoint: main", f"entrypoint: {quoted('m' + payload)}")
               .replace("- name: main", f"- name: {quoted('m' + payload)}"))
    assert yaml.safe_load(hostile)["spec"]["entrypoint"] == "m" + payload
    folder = tmp_path / "pr"
    folder.mkdir()
    (folder / "plain.yaml").write_text(hostile, encoding="utf-8")
    assert read_all_ways(generate(run_cli, folder)) == expected


@pytest.mark.parametrize("account", [
    "run\x85ner", "a\u2028b", "a: b", "a # b", '"quoted"', "'single'", "y", "N", "on", "null", "~", "1e3",
    "0x1f", "12", "-dash", "[list]", "{map}", "*alias", "&anchor", "!tag", "a,b", "x\\ny", "emoji-\U0001F600",
])
def test_account_names_read_back_exactly(run_cli, tmp_path, account):
    folder = tmp_path / "pr"
    folder.mkdir()
    text = HELLO.replace("serviceAccountName: runner", f"serviceAccountName: {quoted(account)}")
    assert yaml.safe_load(text)["spec"]["serviceAccountName"] == account
    (folder / "wf.yaml").write_text(text, encoding="utf-8")
    documents = read_all_ways(generate(run_cli, folder))
    assert [d["kind"] for d in documents] == ["ServiceAccount", "Role", "RoleBinding"]
    assert documents[0]["metadata"]["name"] == account
    assert documents[2]["subjects"] == [{"kind": "ServiceAccount", "name": account}]
    assert documents[1]["rules"] == [{"apiGroups": ["argoproj.io"], "resources": ["workflowtaskresults"],
                                      "verbs": ["create", "patch"]}]


def _random_text(rng):
    alphabet = "aZ09 -_./:#'\"\\,[]{}*&!|>%@`?~\t\r\n\x00\x1b\x7f\x85\xa0\u2028\u2029\ufeff\U0001F600"
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))


def test_scalars_are_printable_and_read_back_under_every_reader():
    rng = random.Random(14)
    samples = [_random_text(rng) for _ in range(2000)]
    samples += ["", "y", "Yes", "OFF", "NULL", "1e3", "1_000", "0o17", ".inf", "1:20", "2001-12-14", "a" * 300]
    for value in samples:
        emitted = scalar(value)
        assert all(" " <= c <= "~" for c in emitted), (value, emitted)
        for loader in loaders():
            assert yaml.load(f"k: {emitted}", Loader=loader) == {"k": value}, (value, emitted, loader)
            assert yaml.load(f"k: [{emitted}, x]", Loader=loader) == {"k": [value, "x"]}, (value, emitted)


def test_comments_are_one_printable_line():
    rng = random.Random(15)
    for _ in range(2000):
        text = comment("# " + _random_text(rng))
        assert all(" " <= c <= "~" for c in text)
        for loader in loaders():
            assert yaml.load(text + "\nk: v", Loader=loader) == {"k": "v"}


def test_stderr_notes_are_escaped(run_cli, tmp_path):
    folder = tmp_path / "pr"
    folder.mkdir()
    bad = folder / "bad\n::error::forged\x1b[31m.yaml"
    bad.write_text("a: [\n", encoding="utf-8")
    result = run_cli("rbac", str(folder), "--no-cache")
    assert "\n::error::" not in result.output and "\x1b" not in result.output
    assert os.path.exists(bad)


CLUSTER_WORKFLOW = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: make-ns-
  namespace: ci
spec:
  entrypoint: main
  serviceAccountName: maker
  templates:
    - name: main
      resource:
        action: create
        manifest: |
          apiVersion: v1
          kind: Namespace
          metadata:
            name: scratch
"""


@pytest.mark.parametrize("separator", ["\x85", "\u2028", "\u2029"])
def test_the_reported_attack_grants_nothing_more(tmp_path, separator):
    """The reproduction from issue 14: a file name with NEL (or LS, PS) that
    libyaml and go-yaml read as line breaks, carrying a rule granting every
    verb on every resource into the ClusterRole, which the generated
    ClusterRoleBinding hands out. Run as CI runs it, in a subprocess."""
    import subprocess
    import sys
    name = "a" + separator + INJECTED_RULE.replace("\n", separator) + separator + ".yaml"
    try:
        (tmp_path / name).write_text(CLUSTER_WORKFLOW, encoding="utf-8")
    except OSError:
        pytest.skip("the file system refuses this name")
    run = subprocess.run([sys.executable, "-c", "import sys; sys.argv[0] = 'wflint'; "
                          "from wflint.cli.main import main; main()", "rbac", "--no-cache", "."],
                         cwd=tmp_path, capture_output=True, timeout=60)
    assert run.returncode == 0, run.stderr
    text = run.stdout.decode("utf-8")
    documents = read_all_ways(text)
    cluster = [d for d in documents if d["kind"] == "ClusterRole"]
    assert len(cluster) == 1
    assert cluster[0]["rules"] == [{"apiGroups": [""], "resources": ["namespaces"], "verbs": ["create"]}]
    for _, _, rule in granted(documents)[0]:
        assert "*" not in rule["verbs"] + rule["resources"] + rule["apiGroups"]
    assert [d["kind"] for d in documents] == ["ServiceAccount", "Role", "RoleBinding", "ClusterRole",
                                              "ClusterRoleBinding"]
