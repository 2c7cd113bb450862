"""`wflint graph`: call graphs and task graphs as Mermaid, DOT and JSON, and --stats."""

import io
import json
import os
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import dedent
from wflint.cli.graph import run
from wflint.cli.graph_format import dot_id, mermaid_text

DAG = """\
    apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    metadata:
      generateName: release-
    spec:
      entrypoint: pipeline
      onExit: notify
      templates:
        - name: pipeline
          dag:
            tasks:
              - name: build
                template: run
              - name: test
                template: run
                depends: build
              - name: lint
                template: run
                depends: build
              - name: package
                template: run
                depends: build && test && lint
              - name: publish
                templateRef:
                  name: shared
                  template: upload
                depends: package
        - name: run
          container:
            image: alpine:3.20
        - name: notify
          steps:
            - - name: say
                template: run
            - - name: a
                template: run
              - name: b
                inline:
                  container:
                    image: alpine:3.20
        - name: orphan
          container:
            image: alpine:3.20
    """

LIBRARY = """\
    apiVersion: argoproj.io/v1alpha1
    kind: WorkflowTemplate
    metadata:
      name: shared
    spec:
      templates:
        - name: upload
          steps:
            - - name: push
                template: push
        - name: push
          container:
            image: alpine:3.20
    """

# Names that Mermaid and DOT would misread if they were used unescaped.
HOSTILE = """\
    apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    metadata:
      name: "we\\"ird <b>#1</b>"
    spec:
      entrypoint: "end"
      templates:
        - name: "end"
          dag:
            tasks:
              - name: "a\\"b"
                template: "x|y"
              - name: "c#quot;"
                template: "x|y"
                dependencies: ["a\\"b"]
              - name: "`md` & <i>"
                template: "graph TD; A-->B"
                dependencies: ["c#quot;"]
              - name: "-->"
                template: "subgraph"
                dependencies: ["`md` & <i>"]
        - name: "x|y"
          container:
            image: alpine:3.20
        - name: "graph TD; A-->B"
          container:
            image: alpine:3.20
        - name: "subgraph"
          steps:
            - - name: "click a callback"
                template: "x|y"
              - name: "style a fill:#f00"
                template: "x|y"
    """


def graph(tmp_path, files, target, *args, **kwargs):
    for name, text in files.items():
        (tmp_path / name).write_text(dedent(text), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = run(str(tmp_path / target), *args, out=out, err=err, template_paths=[str(tmp_path)], use_cache=False,
               **kwargs)
    return code, out.getvalue(), err.getvalue()


def test_dag_and_steps_as_json(tmp_path):
    code, text, _ = graph(tmp_path, {"wf.yaml": DAG, "lib.yaml": LIBRARY}, "wf.yaml", fmt="json")
    assert code == 0
    data = json.loads(text)
    [doc] = data["documents"]
    labels = {n["id"]: n["label"] for n in doc["calls"]["nodes"]}
    edges = [(labels[e["from"]], labels[e["to"]], e["how"]) for e in doc["calls"]["edges"]]
    assert edges == [
        ("Workflow release-", "pipeline", "entrypoint"), ("Workflow release-", "notify", "onExit"),
        ("pipeline", "run", "template"), ("pipeline", "upload (WorkflowTemplate `shared`)", "templateRef"),
        ("notify", "run", "template"), ("notify", "inline in b", "inline"),
        ("upload (WorkflowTemplate `shared`)", "push (WorkflowTemplate `shared`)", "template")]
    assert doc["dags"] == [{"template": "pipeline", "tasks": ["build", "test", "lint", "package", "publish"],
                            "dependencies": [
                                {"task": "test", "dependency": "build"}, {"task": "lint", "dependency": "build"},
                                {"task": "package", "dependency": "build"}, {"task": "package", "dependency": "test"},
                                {"task": "package", "dependency": "lint"},
                                {"task": "publish", "dependency": "package"}]}]
    assert doc["steps"] == [{"template": "notify", "groups": [["say"], ["a", "b"]]}]
    assert "stats" not in doc
    # Stable: the same input gives the same bytes.
    assert graph(tmp_path, {}, "wf.yaml", fmt="json")[1] == text


def test_stats(tmp_path):
    code, text, _ = graph(tmp_path, {"wf.yaml": DAG, "lib.yaml": LIBRARY}, "wf.yaml", fmt="json", stats=True)
    stats = json.loads(text)["documents"][0]["stats"]
    assert stats["calls"] == {"templates": 6, "recursive": False, "depth": 3, "unreachable_templates": ["orphan"]}
    assert stats["dags"] == [{
        "template": "pipeline", "tasks": 5, "cycle": False, "depth": 4, "widest_level": 2,
        "widest_tasks": ["test", "lint"], "critical_path": ["build", "test", "package", "publish"],
        "redundant_dependencies": [{"task": "package", "dependency": "build"}]}]
    assert stats["steps"] == [{"template": "notify", "groups": 2, "widest_group": 2}]
    code, text, _ = graph(tmp_path, {}, "wf.yaml", stats=True)
    assert code == 0
    assert "unreachable templates: orphan" in text
    assert "critical path (4 tasks): build -> test -> package -> publish" in text
    assert "redundant dependencies: package on build" in text


def test_template_option_and_its_usage_error(tmp_path):
    code, text, _ = graph(tmp_path, {"wf.yaml": DAG, "lib.yaml": LIBRARY}, "wf.yaml", fmt="json", template="notify")
    doc = json.loads(text)["documents"][0]
    assert [n["label"] for n in doc["calls"]["nodes"]] == ["Workflow release-", "notify", "run", "inline in b"]
    assert doc["dags"] == [] and len(doc["steps"]) == 1
    code, text, err = graph(tmp_path, {}, "wf.yaml", template="notfy")
    assert code == 2 and text == ""
    assert "no template `notfy`" in err and "notify" in err


def test_a_library_shows_every_template(tmp_path):
    code, text, _ = graph(tmp_path, {"lib.yaml": LIBRARY}, "lib.yaml", fmt="json", stats=True)
    doc = json.loads(text)["documents"][0]
    assert [n["label"] for n in doc["calls"]["nodes"]] == ["WorkflowTemplate shared", "upload", "push"]
    assert "unreachable_templates" not in doc["stats"]["calls"]


def test_a_cyclic_dag_has_no_levels(tmp_path):
    cyclic = DAG.replace("              - name: build\n                template: run\n",
                         "              - name: build\n                template: run\n                depends: publish\n")
    code, text, _ = graph(tmp_path, {"wf.yaml": cyclic}, "wf.yaml", fmt="json", stats=True)
    assert json.loads(text)["documents"][0]["stats"]["dags"][0] == {"template": "pipeline", "tasks": 5, "cycle": True}


def test_no_argo_document_is_a_usage_error(tmp_path):
    code, _, err = graph(tmp_path, {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"}, "cm.yaml")
    assert code == 2 and "no Argo workflow" in err


# -- Mermaid ------------------------------------------------------------------------

_ID = r"[A-Za-z][A-Za-z0-9]*"
_LABEL = r'"(?:[^"#\\<>`|&\x00-\x1f]|#(?:quot|lt|gt|amp|[0-9]+);)*"'
_MERMAID_LINE = re.compile("|".join([
    r"flowchart TD",
    rf"\s*subgraph {_ID}\[{_LABEL}\]",
    r"\s*end",
    rf"\s*{_ID}(?:\[{_LABEL}\]|\(\[{_LABEL}\]\)|\[\[{_LABEL}\]\]|\{{\{{{_LABEL}\}}\}})",
    rf"\s*{_ID} -->(?:\|{_LABEL}\|)? {_ID}",
]))


def check_mermaid_grammar(text):
    """The subset of Mermaid's flowchart grammar `wflint graph` writes: every
    line is a header, a subgraph opening or end, a node with a quoted label,
    or an edge; ids are alphanumeric (never a keyword such as `end`); labels
    hold no character that ends or reinterprets a quoted string."""
    depth = 0
    for line in text.splitlines():
        assert _MERMAID_LINE.fullmatch(line), f"not in the grammar: {line!r}"
        word = line.split()[0]
        assert word not in ("end", "subgraph") or line.strip().startswith(("end", "subgraph ")), line
        depth += word == "subgraph"
        depth -= line.strip() == "end"
        assert depth >= 0
    assert depth == 0


def test_mermaid_output_follows_the_grammar(tmp_path):
    for files, target in (({"wf.yaml": DAG, "lib.yaml": LIBRARY}, "wf.yaml"), ({"weird.yaml": HOSTILE}, "weird.yaml")):
        code, text, _ = graph(tmp_path, files, target)
        assert code == 0
        check_mermaid_grammar(text)


def test_mermaid_labels_are_escaped():
    assert mermaid_text('a"b#c<d>`e|f&g\nh') == "a#quot;b#35;c#lt;d#gt;#96;e#124;f#amp;g h"


MERMAID_DIR = os.environ.get("WFLINT_MERMAID_DIR")   # a folder with node_modules/mermaid and node_modules/jsdom
_MERMAID_CHECK = """\
import { JSDOM } from 'jsdom';
import fs from 'fs';
const dom = new JSDOM('<!DOCTYPE html><html><body></body></html>');
globalThis.window = dom.window; globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });
let failed = 0;
for (const f of process.argv.slice(2)) {
  try { await mermaid.parse(fs.readFileSync(f, 'utf8')); console.log('OK ' + f); }
  catch (e) { failed++; console.log('FAIL ' + f + ': ' + String(e.message || e)); }
}
process.exit(failed ? 1 : 0);
"""


@pytest.mark.skipif(not (MERMAID_DIR and shutil.which("node")),
                    reason="set WFLINT_MERMAID_DIR to a folder where `npm install mermaid jsdom` ran")
def test_mermaid_output_parses_with_mermaid(tmp_path):
    outputs = []
    for files, target in (({"wf.yaml": DAG, "lib.yaml": LIBRARY}, "wf.yaml"), ({"weird.yaml": HOSTILE}, "weird.yaml")):
        code, text, _ = graph(tmp_path, files, target)
        out = tmp_path / (target + ".mmd")
        out.write_text(text, encoding="utf-8")
        outputs.append(str(out))
    bad = tmp_path / "bad.mmd"
    bad.write_text('flowchart TD\n  a["x"y"]\n', encoding="utf-8")      # the parser does reject broken input
    script = tempfile.NamedTemporaryFile("w", suffix=".mjs", dir=MERMAID_DIR, delete=False)
    try:
        script.write(_MERMAID_CHECK)
        script.close()
        ok = subprocess.run(["node", script.name, *outputs], capture_output=True, text=True, timeout=300)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        broken = subprocess.run(["node", script.name, str(bad)], capture_output=True, text=True, timeout=300)
        assert broken.returncode == 1, broken.stdout + broken.stderr
    finally:
        os.unlink(script.name)


# -- DOT ----------------------------------------------------------------------------

_DOT_STRING = r'"(?:[^"\\\n]|\\.)*"'
_DOT_LINE = re.compile("|".join([
    r"digraph wflint \{", r"\}", r"\s*rankdir=TB;", r"\s*node \[shape=box\];",
    rf"\s*subgraph {_DOT_STRING} \{{", r"\s*\}",
    rf"\s*label={_DOT_STRING};",
    rf"\s*{_DOT_STRING} \[label={_DOT_STRING}(?:, shape=[a-z0-9]+)?\];",
    rf"\s*{_DOT_STRING} -> {_DOT_STRING}(?: \[label={_DOT_STRING}\])?;",
    rf"\s*\{{ rank=same;(?: {_DOT_STRING})+; \}}",
]))


def test_dot_output_is_valid(tmp_path):
    for files, target in (({"wf.yaml": DAG, "lib.yaml": LIBRARY}, "wf.yaml"), ({"weird.yaml": HOSTILE}, "weird.yaml")):
        code, text, _ = graph(tmp_path, files, target, fmt="dot")
        assert code == 0
        for line in text.splitlines():
            assert _DOT_LINE.fullmatch(line), f"not DOT: {line!r}"
        assert text.count("{") == text.count("}")
        if shutil.which("dot"):
            checked = subprocess.run(["dot", "-Tcanon"], input=text, capture_output=True, text=True, timeout=60)
            assert checked.returncode == 0, checked.stderr
    assert dot_id('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'


def test_cli_graph_command(tmp_path):
    from click.testing import CliRunner
    from wflint.cli.main import cli
    (tmp_path / "wf.yaml").write_text(dedent(DAG), encoding="utf-8")
    result = CliRunner().invoke(cli, ["graph", "--no-cache", str(tmp_path / "wf.yaml"), "--format", "dot"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("digraph wflint {")
    result = CliRunner().invoke(cli, ["graph", str(tmp_path / "wf.yaml"), "--format", "svg"])
    assert result.exit_code == 2


def test_redundant_edges_are_those_transitive_reduction_drops():
    import random
    import networkx as nx
    from wflint.argo.callgraph import TaskGraph
    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(1, 12)
        deps = [{j for j in range(i) if rng.random() < 0.35} for i in range(n)]
        order = list(range(n))
        rng.shuffle(order)          # file order is not the topological order
        where = {node: k for k, node in enumerate(order)}
        deps = [{where[j] for j in deps[node]} for node in order]
        after = [[] for _ in range(n)]
        for i, targets in enumerate(deps):
            for j in targets:
                after[j].append(i)
        graph = TaskGraph([None] * n, {}, deps, after)
        dag = nx.DiGraph()
        dag.add_nodes_from(range(n))
        dag.add_edges_from(graph.edges())
        reduced = nx.transitive_reduction(dag)
        assert sorted(graph.redundant()) == sorted(e for e in dag.edges if not reduced.has_edge(*e))
