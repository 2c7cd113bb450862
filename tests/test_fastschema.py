"""The compiled validity check agrees with jsonschema on every document we have."""

from pathlib import Path

import pytest

from wflint.source import loader
from wflint.argo import schema
from wflint.source.files import read

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(ROOT.glob("tests/fixtures/**/*.yaml")) + sorted(ROOT.glob("examples/**/*.yaml"))


def documents():
    for path in FILES:
        source = read(str(path))
        if not hasattr(source, "text"):
            continue
        docs, _ = loader.load(source)
        for doc in docs:
            if doc.is_argo:
                loader.convert(doc)
                if isinstance(doc.data, dict):
                    yield path, doc


@pytest.mark.parametrize("version", ["4.1", "3.7"])
def test_fast_and_jsonschema_agree(version):
    checked = invalid = 0
    for path, doc in documents():
        expected = schema.validator(version, doc.kind).is_valid(doc.data)
        assert schema.is_valid(doc.data, doc.kind, version) == expected, f"{path} document {doc.index + 1}"
        checked += 1
        invalid += not expected
    assert checked > 100 and invalid >= 3


DOCS = [doc.data for _, doc in documents()]


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, prefix + (i,))


def _mutate(data, path, how):
    import copy
    data = copy.deepcopy(data)
    if not path:
        return data
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    replacement = {"string": "x", "int": 3, "float": 1.5, "bool": True, "list": [1], "dict": {"a": 1},
                   "empty": {}}
    if how == "delete":
        del parent[last]
    elif how == "rename" and isinstance(parent, dict):
        parent[str(last) + "x"] = parent.pop(last)
    elif how in replacement:
        parent[last] = replacement[how]
    return data


try:
    from hypothesis import given, settings, strategies as st
except ImportError:  # pragma: no cover
    st = None

if st is not None:
    @settings(max_examples=300, deadline=None)
    @given(st.data())
    def test_fast_and_jsonschema_agree_on_mutations(data):
        doc = data.draw(st.sampled_from(DOCS))
        paths = list(_paths(doc))
        path = data.draw(st.sampled_from(paths))
        how = data.draw(st.sampled_from(["delete", "rename", "string", "int", "float", "bool", "list", "dict",
                                         "empty"]))
        mutated = _mutate(doc, path, how)
        kind = mutated.get("kind") if isinstance(mutated, dict) else None
        if kind not in ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"):
            kind = "Workflow"
        assert schema.is_valid(mutated, kind) == schema.validator("4.1", kind).is_valid(mutated)


def test_definitions_compile_on_first_use():
    # A field's definition is compiled when a document first has the field; the stub then
    # gives its place to the compiled check, and the answers stay those of jsonschema.
    from wflint.argo import fastschema
    compiler = fastschema.Compiler(schema._schema("4.1")["definitions"])
    check = compiler.ref("#/definitions/Workflow")
    assert "WorkflowSpec" not in compiler.compiled and "NFSVolumeSource" not in compiler.compiled
    doc = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"name": "w"},
           "spec": {"entrypoint": "main", "templates": [{"name": "main", "container": {"image": "alpine"}}],
                    "volumes": [{"name": "v", "nfs": {"server": "s", "path": 3}}]}}
    wanted = schema.validator("4.1", "Workflow")
    assert check(doc) is False and not wanted.is_valid(doc)
    assert "NFSVolumeSource" in compiler.compiled and "Probe" not in compiler.compiled
    doc["spec"]["volumes"][0]["nfs"]["path"] = "/data"
    assert check(doc) is True and wanted.is_valid(doc)
    doc["spec"]["templates"][0]["container"]["livenessProbe"] = {"periodSeconds": "10"}
    assert check(doc) is False and not wanted.is_valid(doc)
    doc["spec"]["templates"][0]["container"]["livenessProbe"] = {"periodSeconds": 10}
    assert check(doc) is True and wanted.is_valid(doc)
    doc["apiVersion"] = "apps/v1"   # the pattern `^argoproj\.io/`, tested as a prefix
    assert check(doc) is False and not wanted.is_valid(doc)
