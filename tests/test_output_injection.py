"""Output injection: file names and messages are chosen by whoever writes the
pull request. Through the real command line, files with hostile names (and
hostile keys, which messages quote) must give output that parses as what it
claims to be, says exactly which file, and cannot forge anything: no GitHub
command, no XML element, no terminal escape.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import pytest

HOSTILE_NAMES = [
    "new\nline.yaml",
    "carriage\rreturn.yaml",
    "50% done %0A %25.yaml",
    "colon:name.yaml",
    "comma,name.yaml",
    "::error file=forged.yaml,line=1::forged.yaml",
    "::add-mask::x.yaml",
    "esc\x1b[31mred\x1b[0m.yaml",
    "bell\x07 bs\x08 vt\x0b ff\x0c.yaml",
    "tab\tname.yaml",
    "del\x7f c1\x9b[2J.yaml",
    "日本語 données.yaml",
    "rtl\u202eevil\u202c.yaml",
    "emoji \U0001F600.yaml",
    "line\u2028separator\u2029.yaml",
    "-rf.yaml",
    "--format=xml.yaml",
    "<b>&amp;\"'</b>.yaml",
    "]]>.yaml",
    "back\\slash \"quoted\".yaml",
    " spaces around .yaml",
    "a#fragment?query=1.yaml",
    "%SRCROOT%.yaml",
    '{"json": 1}.yaml',
    "$(touch pwned).yaml",
    "`touch pwned`.yaml",
]
if sys.platform != "win32" and sys.platform != "darwin":  # names that are not UTF-8 (macOS refuses them)
    HOSTILE_NAMES.append(os.fsdecode(b"latin1-caf\xe9 \xff\xfe.yaml"))

# A key that the schema rule quotes in its message: escapes of every kind.
HOSTILE_KEY = r'"::error::forged\n::warning file=x::y\r\e[31m%0A%25<x a=\"1\">&amp;</x>\u202e\x9b"'

MANIFEST = f"""\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {{generateName: x-}}
spec:
  entrypoint: m
  serviceAccountName: s
  templates: [{{name: m, container: {{image: "alpine:3.20"}}}}]
  {HOSTILE_KEY}: 1
"""

FORMATS = ["text", "json", "sarif", "github", "junit", "gitlab"]

# What a terminal must never receive raw: C0 and C1 controls (but LF and TAB),
# DEL, and the marks that reorder or break lines.
TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """A folder of hostile names, each a manifest with one finding (the
    hostile key); only names the file system accepts."""
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "manifests"
    folder.mkdir()
    names = []
    for name in HOSTILE_NAMES:
        try:
            (folder / name).write_text(MANIFEST, encoding="utf-8")
        except (OSError, UnicodeEncodeError):
            continue
        names.append(name)
    assert len(names) >= len(HOSTILE_NAMES) - 3, names
    return root, ["manifests/" + name for name in names]


def run(root: Path, *args, output=None):
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    env.update(NO_COLOR="1", PYTHONIOENCODING="utf-8:strict")  # a terminal that refuses what is not UTF-8
    cmd = [sys.executable, "-m", "wflint", "check", "--no-cache", "--jobs", "1", *args]
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, timeout=120)
    assert b"Traceback" not in proc.stderr, proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 1, proc.stderr.decode("utf-8", "replace")
    data = Path(root, output).read_bytes() if output else proc.stdout
    return data.decode("utf-8")  # strictly: every format is UTF-8, whatever the names


def expected_message():
    # The key, as YAML reads it.
    import yaml
    return yaml.safe_load(f"{HOSTILE_KEY}: 1").popitem()[0]


@pytest.fixture(scope="module")
def outputs(tree):
    root, paths = tree
    out = {fmt: run(root, "--format", fmt, "manifests") for fmt in FORMATS}
    for fmt in ("json", "sarif", "junit"):  # to a file too: writing non-UTF-8 names raised
        assert run(root, "--format", fmt, "-o", f"report.{fmt}", "manifests", output=f"report.{fmt}") == out[fmt]
    return out


def test_json_names_every_file_exactly(tree, outputs):
    _, paths = tree
    data = json.loads(outputs["json"])
    found = [d for d in data["diagnostics"] if d["rule"] == "schema"]
    assert sorted(d["path"] for d in found) == sorted(paths)
    assert all(expected_message() in d["message"] for d in found)
    assert data["summary"]["files"] == len(paths)


def test_sarif_is_valid_and_its_uris_are_uri_references(tree, outputs):
    _, paths = tree
    data = json.loads(outputs["sarif"])
    assert data["version"] == "2.1.0" and data["$schema"].startswith("https://")
    run_ = data["runs"][0]
    assert run_["tool"]["driver"]["name"] == "wflint"
    base = run_["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file:///") and base.endswith("/")
    uris = []
    for result in run_["results"]:
        assert result["ruleId"] and result["message"]["text"] and result["level"] in ("error", "warning", "note")
        location = result["locations"][0]["physicalLocation"]
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1
        uri = location["artifactLocation"]["uri"]
        # RFC 3986: only unreserved, sub-delims, `:@/` and %-escapes; no scheme-like first segment.
        assert re.fullmatch(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=@/]|%[0-9A-F]{2})+", uri), uri
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        if result["ruleId"] == "schema":
            uris.append(unquote(uri, errors="surrogateescape"))
    assert sorted(uris) == sorted(paths)


def test_github_commands_cannot_be_forged(tree, outputs):
    _, paths = tree
    unescape = {"%25": "%", "%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ","}

    def value(text):
        return re.sub("%25|%0D|%0A|%3A|%2C", lambda m: unescape[m.group()], text)

    text = outputs["github"]
    assert "\r" not in text  # the runner ends a line at CR too
    lines = text.rstrip("\n").split("\n")
    *commands, summary = lines
    assert summary.startswith("wflint: ")
    files = []
    for line in commands:
        match = re.fullmatch(r"::(error|warning|notice) ([^:]*)::(.*)", line)
        assert match, line  # one command per line, and nothing else
        props = dict(item.split("=", 1) for item in match.group(2).split(","))
        assert set(props) <= {"file", "line", "col", "endLine", "endColumn", "title"}
        assert all(props[k].isdigit() for k in props if k not in ("file", "title"))
        if props["title"] == "wflint schema":
            files.append(value(props["file"]))
            # exactly: click used to strip colour sequences (ESC [ ... m), from names too
            assert expected_message() in value(match.group(3))
    # Names that are not UTF-8 cannot be named to GitHub exactly: their bad bytes show as U+FFFD.
    assert sorted(files) == sorted(re.sub("[\ud800-\udfff]", "\ufffd", p) for p in paths)


def test_junit_parses_and_names_each_file(tree, outputs):
    _, paths = tree
    root = ET.fromstring(outputs["junit"])
    cases = root.findall(".//testcase")
    clean = [XML_UNSAFE.sub("\ufffd", p) for p in paths]
    assert sorted(c.get("name") for c in cases) == sorted(clean)
    failures = root.findall(".//failure")
    assert len(failures) == len(paths) and root.get("failures") == str(len(paths))
    assert all("<x a=" in f.get("message") for f in failures)  # markup stays text
    assert not root.findall(".//x") and not root.findall(".//b")


def test_gitlab_report_names_each_file(tree, outputs):
    _, paths = tree
    issues = json.loads(outputs["gitlab"])
    assert sorted(i["location"]["path"] for i in issues if i["check_name"] == "schema") == sorted(paths)
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_text_has_no_raw_control_characters(tree, outputs):
    _, paths = tree
    text = outputs["text"]
    assert not TERMINAL_UNSAFE.search(text), TERMINAL_UNSAFE.findall(text)
    assert text.count("[schema]\n") == len(paths)  # one header line per finding: no name split a line
    assert text.count(" = see: wflint explain schema") == len(paths)


def test_nothing_was_run(tree, outputs):
    root, _ = tree
    assert not list(root.rglob("pwned"))


def test_every_character_shown_escapes_is_one_isprintable_refuses():
    # wflint.escape.shown runs its regex only on text that is not printable.
    from wflint.escape import UNSAFE_CHARACTERS, shown
    unsafe = re.compile(UNSAFE_CHARACTERS)
    assert not [hex(c) for c in range(sys.maxunicode + 1) if chr(c).isprintable() and unsafe.match(chr(c))]
    assert shown("a\u202eb\tc") == "a\\u202eb\\x09c" and shown("a\tb", keep_tabs=True) == "a\tb"
    assert shown("plain ##[x]") == "plain ##\\x5bx]" and shown(3) == "3"
