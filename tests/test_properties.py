"""Property-based tests: random and mutated manifests never make wflint raise,
always give output that parses, and give the same findings run twice and in
any file order.

Mutations start from manifests that lint clean or nearly (examples/good and
the fuzz seeds), then delete, duplicate, retype and rename nodes, and
sometimes damage the YAML text itself.
"""

from __future__ import annotations

import copy
import itertools
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from wflint.run.engine import Engine, Options, raise_recursion_limit
from wflint.render import FORMATS, render
from wflint.source.files import SourceFile, decode

from conftest import HELLO, examples

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                      HealthCheck.large_base_example])


def _seeds():
    texts = [HELLO] + [p.read_text() for p in sorted((ROOT / "examples" / "good").glob("*.yaml"))]
    texts += [p.read_text(errors="replace") for p in sorted((ROOT / "tests" / "fuzz" / "corpus").glob("*.yaml"))]
    seeds = []
    for text in texts:
        try:
            docs = [d for d in yaml.safe_load_all(text) if d is not None]
        except yaml.YAMLError:
            continue  # the seeds with unsafe tags or broken YAML on purpose
        if docs:
            seeds.append(docs)
    return seeds


SEEDS = _seeds()

# Words that mean something to the rules, so that renames and new values
# reach their interesting paths (a template renamed to one that is called...).
VOCAB = ["main", "m", "w", "a", "b", "lib", "t", "name", "template", "templates", "steps", "dag", "tasks",
         "depends", "dependencies", "when", "container", "script", "resource", "image", "inputs", "outputs",
         "parameters", "artifacts", "arguments", "value", "valueFrom", "default", "path", "templateRef",
         "workflowTemplateRef", "entrypoint", "onExit", "hooks", "exit", "expression", "withItems", "withParam",
         "manifest", "action", "metrics", "prometheus", "spec", "metadata", "kind", "apiVersion", "Workflow",
         "WorkflowTemplate", "CronWorkflow", "ClusterWorkflowTemplate", "argoproj.io/v1alpha1", "schedule",
         "schedules", "timezone", "serviceAccountName", "retryStrategy", "limit", "synchronization",
         "{{inputs.parameters.p}}", "{{workflow.parameters.msg}}", "{{tasks.a.outputs.result}}",
         "{{steps.a.outputs.parameters.o}}", "{{item}}", "{{=sprig.upper('x')}}", "{{", "}}",
         "a.Succeeded || b.Failed", "a && (b", "0755", "yes", "*/5 * * * *", "", " ", "-", "x" * 70,
         # unclosed tags, expressions, indexes and quotes, many of them (scanners must stay linear)
         "{{" * 300, "{{=" * 300, "{{='" * 200, "{{=a[" * 200, "[" * 300, "'" * 301, '"' * 301,
         "{{a{{b}}" * 100, "{{x}}{{" * 100, "{{inputs.parameters." * 100, "{{= a ? b : " * 100,
         "# wflint: disable-file=unknown-template", "# wflint: disable=input-limit"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(), st.sampled_from(VOCAB),
                    st.text(max_size=12))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.sampled_from(VOCAB), inner, max_size=3)),
                      max_leaves=8)


def _paths(node, path=()):
    """Every (container path, key or index) in the data."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key
            yield from _paths(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield path, i
            yield from _paths(value, path + (i,))


def _at(node, path):
    for part in path:
        node = node[part]
    return node


@st.composite
def mutated_documents(draw):
    docs = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        places = list(_paths(docs))
        if not places:
            break
        path, key = draw(st.sampled_from(places))
        parent = _at(docs, path)
        op = draw(st.sampled_from(["delete", "duplicate", "retype", "rename"]))
        if op == "delete":
            del parent[key]
        elif op == "duplicate":
            twin = copy.deepcopy(parent[key])
            if isinstance(parent, list):
                parent.insert(key, twin)
            else:
                parent[draw(st.sampled_from(VOCAB))] = twin
        elif op == "retype":
            parent[key] = draw(values)
        elif isinstance(parent, dict):
            new = draw(st.one_of(st.sampled_from(VOCAB), st.text(max_size=8), st.integers(0, 9), st.booleans()))
            parent[new] = parent.pop(key)
        else:
            parent[key] = {draw(st.sampled_from(VOCAB)): parent[key]}
    return docs


def _dump(docs, flow: bool) -> str:
    try:
        return yaml.safe_dump_all(docs, default_flow_style=flow, explicit_start=True, allow_unicode=True,
                                  sort_keys=False)
    except (yaml.YAMLError, ValueError, TypeError):
        return yaml.safe_dump_all([str(docs)], explicit_start=True)


@st.composite
def damaged_text(draw, text: str) -> str:
    """A few edits of the YAML text itself: insertions of YAML-significant
    characters, deleted spans, duplicated or re-indented lines."""
    for _ in range(draw(st.integers(0, 4))):
        if not text:
            break
        i = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "line", "indent"]))
        if op == "insert":
            text = text[:i] + draw(st.sampled_from(["-", ":", " ", "\n", "\t", "[", "]", "{", "}", "&a ", "*a",
                                                    "<<: ", "---\n", "!!binary ", "'", '"', "#", "? ", "|",
                                                    "\ufeff", "\x85", "\ud800", "{{" * 50, "{{=" * 50,
                                                    "[" * 50, "'" * 51, '"' * 51,
                                                    "# wflint: disable-file=unknown-template\n"])) + text[i:]
        elif op == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 20)):]
        else:
            lines = text.split("\n")
            j = min(i % max(len(lines), 1), len(lines) - 1)
            lines.insert(j, lines[j] if op == "line" else "  " + lines[j])
            text = "\n".join(lines)
    return text


@st.composite
def manifests(draw) -> str:
    text = _dump(draw(mutated_documents()), draw(st.booleans()))
    if draw(st.integers(0, 3)) == 0:
        text = draw(damaged_text(text))
    return text


def _source(name: str, text: str):
    """As the engine gets a file: text that cannot be encoded (a lone
    surrogate) goes through the decoder as bytes, like any file."""
    return decode(name, text.encode("utf-8", "surrogatepass"))


def _lint(engine: Engine, named):
    files, findings = [], []
    for name, text in named:
        source = _source(name, text)
        (files if isinstance(source, SourceFile) else findings).append(source)
    return engine.lint(files, findings=findings, file_count=len(named))


def _key(report):
    return [(f.path, f.line, f.column, f.end_line, f.end_column, f.rule, f.severity, f.message, f.hint, f.pointer)
            for f in report.findings]


@pytest.fixture(scope="module")
def engine():
    raise_recursion_limit()  # as the command line does
    return Engine(Options(use_cache=False, jobs=1))


def _check_outputs(report):
    """Every format renders, and each parses as what it claims to be."""
    data = json.loads(render(report, "json"))
    assert data["version"] == 1
    assert len(data["diagnostics"]) == len(report.findings)
    assert data["summary"]["errors"] == sum(1 for d in data["diagnostics"] if d["severity"] == "error")
    for d in data["diagnostics"]:
        assert d["line"] >= 1 and d["column"] >= 1 and d["end_line"] >= d["line"]
    sarif = json.loads(render(report, "sarif"))
    assert len(sarif["runs"][0]["results"]) == len(report.findings)
    assert len(json.loads(render(report, "gitlab"))) == len(report.findings)
    ET.fromstring(render(report, "junit"))
    # The runner reads commands a line at a time, a line ending at LF or CR.
    github = render(report, "github").rstrip("\n").split("\n")
    assert len(github) == len(report.findings) + 1 and not any("\r" in line for line in github)
    text = render(report, "text")
    assert not any(ch < " " and ch not in "\n\t" for ch in text)
    assert set(FORMATS) == {"text", "json", "sarif", "github", "junit", "gitlab"}


@settings(max_examples=examples(300), **SETTINGS)
@given(manifests())
def test_mutated_manifests_never_raise_and_render(engine, text):
    report = _lint(engine, [("wf.yaml", text)])
    assert not [f for f in report.findings if f.rule == "internal-error"], [f.message for f in report.findings]
    _check_outputs(report)


@settings(max_examples=examples(60), **SETTINGS)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_random_text_never_raises(engine, text):
    report = _lint(engine, [("wf.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n" + text)])
    assert not [f for f in report.findings if f.rule == "internal-error"]
    _check_outputs(report)


@settings(max_examples=60, **SETTINGS)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(engine, data):
    source = decode("wf.yaml", data)
    files, findings = ([source], []) if isinstance(source, SourceFile) else ([], [source])
    report = engine.lint(files, findings=findings, file_count=1)
    assert not [f for f in report.findings if f.rule == "internal-error"]
    json.loads(render(report, "json"))


@settings(max_examples=examples(60), **SETTINGS)
@given(st.lists(manifests(), min_size=2, max_size=3), st.randoms(use_true_random=False))
def test_same_findings_twice_and_in_any_file_order(engine, texts, random):
    named = [(f"f{i}.yaml", text) for i, text in enumerate(texts)]
    first = _lint(engine, named)
    assert _key(_lint(engine, named)) == _key(first)                      # the same engine again
    assert _key(_lint(Engine(Options(use_cache=False, jobs=1)), named)) == _key(first)  # a fresh one
    orders = list(itertools.permutations(named))
    for order in random.sample(orders, min(2, len(orders))):
        again = _lint(engine, list(order))
        assert _key(again) == _key(first)
        assert render(again, "json") == render(first, "json")


# -- scanners over hostile text -------------------------------------------------

_HOSTILE_PIECES = ["{{", "}}", "{{=", "[", "]", "'", '"', "(", ")", "a", ".", " ", "\n", "-", "=", "{", "}",
                   "inputs.parameters.", "steps.", "tasks.", "#", "wflint:", "\\"]


@settings(max_examples=examples(100), **SETTINGS)
@given(st.lists(st.sampled_from(_HOSTILE_PIECES), max_size=400), st.sampled_from(
    ["name", "when", "depends", "successCondition", "manifest", "source", "expression"]))
def test_hostile_text_in_any_scanned_field(engine, pieces, field):
    """Many unclosed `{{`, `{{=`, `[` and quotes in the fields that scanners
    read: no crash, output renders, and the run is the same twice."""
    text = "".join(pieces)
    quoted = json.dumps(text)
    template = {"name": "main", "resource": {"action": "create", "manifest": "kind: ConfigMap\n"}}
    step = {"name": "s", "template": "main"}
    if field in ("name", "when"):
        step[field] = text
    elif field == "depends":
        template = {"name": "main", "dag": {"tasks": [{"name": "a", "template": "x", "depends": text}]}}
    elif field == "source":
        template = {"name": "main", "script": {"image": "a", "source": text}}
    elif field == "expression":
        template = {"name": "main", "container": {"image": "a", "args": ["{{=" + text + "}}"]}}
    else:
        template["resource"][field] = text
    wf = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"generateName": "x-"},
          "spec": {"entrypoint": "main", "templates": [{"name": "w", "steps": [[step]]}, template]}}
    for doc in (json.dumps(wf), yaml.safe_dump(wf, allow_unicode=True)):
        report = _lint(engine, [("wf.yaml", doc)])
        assert not [f for f in report.findings if f.rule == "internal-error"], [f.message for f in report.findings]
        assert _key(_lint(engine, [("wf.yaml", doc)])) == _key(report)
        _check_outputs(report)
    assert quoted


@settings(max_examples=200, **SETTINGS)
@given(st.lists(st.sampled_from(_HOSTILE_PIECES), max_size=60))
def test_tag_spans_agree_with_the_scan(pieces):
    """tags.spans (linear) finds what the regex `\\{\\{.*?\\}\\}` finds."""
    import re
    from wflint.lang import tags
    text = "".join(pieces)
    assert tags.spans(text) == [m.span() for m in re.finditer(r"\{\{.*?\}\}", text, re.S)]
    assert tags.spans(text, one_line=True) == [m.span() for m in re.finditer(r"\{\{[^\n]*?\}\}", text)]
