"""The loader's shortcuts say exactly what the long way says.

* `top_kind` reads a document's kind from its text only where nothing can
  make the composed document say otherwise; `load` then parses the document
  without composing it when no one reads that kind;
* documents without anchors are converted by `_TreeConverter`, which keeps no
  alias bookkeeping;
* a big CustomResourceDefinition is composed without its schemas.

Each is compared with the long way on hand-written cases and on seeded
random ones (no timing anywhere).
"""

import random

import pytest

from wflint.argo import documents
from wflint.source import loader
from wflint.source.files import SourceFile


@pytest.mark.parametrize("text, kind", [
    ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n", "Deployment"),
    ("---\n# c\nkind: 'Service'  # a comment\napiVersion: v1\n", "Service"),
    ('apiVersion: "v1"\nkind: "ConfigMap"\r\ndata:\r\n  a: "1"\r\n', "ConfigMap"),
    ("stages: [build]\nbuild:\n  script: [make]\n", None),          # no kind at all: a CI file
    ("apiVersion: v1\nkind: Secret\nrun: |\n  echo && echo *\n", "Secret"),
])
def test_a_kind_the_text_says_for_sure(text, kind):
    assert loader.top_kind(text) == (True, kind)


@pytest.mark.parametrize("text", [
    'a: "x\nkind: Deployment"\n',                    # the line is inside a quoted string
    "a: [x,\nkind: Deployment]\n",                   # ... inside a flow collection
    "kind: Deployment\n  more\n",                    # the value goes on: `Deployment more`
    "kind: Deployment\n---\nkind: Workflow\n",       # two documents
    "kind: Deployment\n%TAG ! x\n",                  # a directive ends a document
    "kind: Deployment\nmetadata: x\u2028kind: Workflow\n",  # a line break to libyaml
    "a: b\rkind: Deployment\r",                      # so is a lone CR
    'kind: Deployment\n"kind": Workflow\n',          # the key written another way
    "kind: Deployment\n? kind\n: Workflow\n",
    "kind: Deployment\n!!str kind: Workflow\n",
    "kind: Deployment\nkind: Workflow\n",            # set twice
    "kind: Deployment\na: &x 1\nb: *x\n",            # anchors: only composing checks them
    "kind: Deployment#x\n",                          # the value is `Deployment#x`
    "kind :Deployment\n",
    "Kind: Workflow\nspec: {}\n",                    # no `kind`, but a key that reads so
    "\u212aind: Workflow\n",                         # the Kelvin sign lowers to `k`
    "  kind: Workflow\n  apiVersion: argoproj.io/v1alpha1\n",   # an indented top level
    "# only a comment\n",                            # no document at all
    "--- !tag\nkind: Deployment\n",
])
def test_where_the_text_leaves_a_doubt(text):
    assert loader.top_kind(text) == (False, None)


def _key(loaded):
    return ([(d.index, d.kind, d.api_version, repr(d.data), d.partial) for d in loaded.documents],
            loaded.findings)


def _long_way(monkeypatch):
    monkeypatch.setattr(loader, "_kind_line", lambda chunk: None)


_PIECES = [
    "kind: {K}\n", "apiVersion: {A}\n", "metadata:\n  name: x\n", "spec:\n  a: 1\n  b: [1, 2]\n", "\n",
    "# it's a comment\n", "data:\n  k: \"v\"\n", "desc: \"multi\nkind: {K}\"\n", "flow: {a: 1,\nkind: {K}}\n",
    "\"kind\": {K}\n", "? kind\n: {K}\n", "a: &x 1\n", "b: *x\n", "c: *y\n", "bad: [}\n", "---\n", "...\n",
    "script: |\n  echo && echo *\n  kind: {K}\n", "kind: {K}\n  more\n", "kind: {K}\r\n", "a: 1\u2028kind: {K}\n",
    "Kind: {K}\n", "  kind: {K}\n", "%YAML 1.1\n", "key: it's\n", "name: 'q'\n", "- item\n", "ctl: \x07\n",
]
_KINDS = ["Deployment", "Workflow", "Workfow", "ConfigMap", "Role", "Sensor", "ServiceList", "WorkflowTemplate",
          "EventSource", "'Service'", '"Ingress"', "workflow", "CustomResourceDefinition"]
_APIS = ["v1", "apps/v1", "argoproj.io/v1alpha1", "argoproj.io/v1", "rbac.authorization.k8s.io/v1"]


def test_random_documents_load_the_same_either_way(monkeypatch):
    rng = random.Random(20)
    texts = []
    for _ in range(1500):
        parts = [rng.choice(_PIECES if rng.random() < 0.6 else _PIECES[:3]) for _ in range(rng.randint(1, 7))]
        texts.append("".join(p.replace("{K}", rng.choice(_KINDS)).replace("{A}", rng.choice(_APIS)) for p in parts))
    sources = [SourceFile(path="x.yaml", text=text) for text in texts]
    fast = [_key(documents.load_file(s, index_only=only)) for s in sources for only in (False, True)]
    _long_way(monkeypatch)
    slow = [_key(documents.load_file(s, index_only=only)) for s in sources for only in (False, True)]
    assert fast == slow


def _converted_both_ways(text):
    source = SourceFile(path="x.yaml", text=text)
    docs, _ = loader.load(source)
    out = []
    for doc in docs:
        again = loader.Document(source, doc.index, doc.node, doc.line_offset)   # flags unknown: the general way
        out.append((loader.convert(doc), repr(doc.data), doc._tree))
        out.append((loader.convert(again), repr(again.data), False))
    return out


@pytest.mark.parametrize("text", [
    "a: {b: 1, b: 2, c: null, c: 3}\n",
    "a: {<<: {x: 1, y: 2}, x: 3, <<: [{z: 1}, {z: 2}]}\nb: [1, 0x10, '2', !!int 3, ~, yes]\n",
    "x: " + "[" * 101 + "1" + "]" * 101 + "\n",
    "x: " + "[" * 100 + "'q'" + "]" * 100 + "\n",
    "x: " + "{k: " * 101 + "'q'" + "}" * 101 + "\n",
    "1: a\ntrue: b\n.5: c\n'<<': d\n<<: 5\n",
])
def test_the_tree_converter_converts_as_the_general_one(text):
    results = _converted_both_ways(text)
    for tree_way, general_way in zip(results[::2], results[1::2]):
        assert tree_way[:2] == general_way[:2]
    assert any(tree for _, _, tree in results[::2])


def test_random_trees_convert_the_same_either_way():
    rng = random.Random(21)
    scalars = ["a", "1", "0x1f", "-3", ".5", "1e3", "yes", "null", "~", "", "'q'", '"d"', "<<", "!!str 5", "k"]

    def node(depth):
        r = rng.random()
        if depth > 5 or r < 0.45:
            return rng.choice(scalars)
        if r < 0.7:
            return "[" + ", ".join(node(depth + 1) for _ in range(rng.randint(0, 4))) + "]"
        pairs = []
        for _ in range(rng.randint(0, 5)):
            key = rng.choice(scalars[:9] + ["<<", "a", "b"])
            value = node(depth + 1)
            if key == "<<":
                value = "{" + ", ".join(f"{rng.choice('abc')}: {rng.choice(scalars)}" for _ in range(3)) + "}"
            pairs.append(f"{key}: {value}")
        return "{" + ", ".join(pairs) + "}"

    for _ in range(1500):
        results = _converted_both_ways("root: " + node(0) + "\n")
        for tree_way, general_way in zip(results[::2], results[1::2]):
            assert tree_way[:2] == general_way[:2]


def _without_schemas_line_by_line(chunk):
    """The plain statement of what loader._without_schemas does."""
    lines = chunk.split("\n")
    in_spec = dropping = False
    child = None
    for i, line in enumerate(lines):
        body = line.lstrip(" ")
        if not body.strip() or body.startswith("#"):
            if dropping:
                lines[i] = ""
            continue
        indent = len(line) - len(body)
        if indent == 0:
            if body.startswith("---") or body.startswith("..."):
                in_spec = dropping = False
                continue
            in_spec = body.rstrip() in ("spec:", "spec:\r") or body.startswith("spec: #")
            if not in_spec and body.startswith("spec:"):
                return None
            dropping = False
            child = None
            continue
        if not in_spec:
            continue
        if child is None:
            child = indent
        if indent < child:
            return None
        if indent == child and not body.startswith("- "):
            dropping = body.startswith(("versions:", "validation:"))
        if dropping:
            lines[i] = ""
    return "\n".join(lines)


def test_a_crd_loses_its_schemas_and_nothing_else():
    rng = random.Random(22)
    lines = ["spec:", "spec: #c", "spec: {a: 1}", "  group: x", "  versions:", "  - name: v1", "    schema:",
             "      deep: 1", "  validation:", "    openAPIV3Schema: {}", "", "  ", "# c", "  # c", "---",
             "metadata:", "  name: x", " odd: 1", "   odder: 2", "  \tx: 1", "  names:", "    kind: X", "- item"]
    for _ in range(3000):
        text = "\n".join(rng.choice(lines) for _ in range(rng.randint(0, 14))) + rng.choice(["", "\n"])
        assert loader._without_schemas(text) == _without_schemas_line_by_line(text), text
