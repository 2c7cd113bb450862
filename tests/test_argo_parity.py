"""Version-dependent behaviour and helpers of the rules that mirror the rest of
Argo's validator: template-structure, artifact, metrics, workflow-spec."""

import pytest

from wflint.rules.artifact import go_clean, has_location_or_key, traversal
from wflint.run.engine import Options
from wflint.testing import findings_of, lint_text

SIDECAR_WAIT = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: cache-
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: node:20
      sidecars:
        - name: wait
          image: redis:7
        - name: supervisor
          image: redis:7
"""

SINGLE_MUTEX = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: lock-
spec:
  entrypoint: main
  parallelism: 0
  synchronization:
    mutex:
      name: db
  templates:
    - name: main
      container:
        image: alpine:3.20
"""


def _run(text, rule, version):
    report = lint_text(text, options=Options(argo_version=version), select=[rule])
    return [(f.line, f.severity, f.message) for f in findings_of(report, rule)]


def test_reserved_sidecar_names_are_an_argo_41_error():
    found = _run(SIDECAR_WAIT, "template-structure", "4.1")
    assert [(line, severity) for line, severity, _ in found] == [(12, "error"), (14, "error")]


def test_with_argo_37_only_the_duplicate_wait_container_is_reported():
    found = _run(SIDECAR_WAIT, "template-structure", "3.7")
    assert [(line, severity) for line, severity, _ in found] == [(12, "warning")]
    assert "duplicate name" in found[0][2]


def test_singular_mutex_is_removed_in_4_and_deprecated_in_37():
    four = _run(SINGLE_MUTEX, "workflow-spec", "4.1")
    three = _run(SINGLE_MUTEX, "workflow-spec", "3.7")
    assert ("error" in {s for _, s, _ in four}) and any("removed in Argo 4.0" in m for _, _, m in four)
    assert any(s == "warning" and "deprecated" in m for _, s, m in three)
    # parallelism 0: the Argo 4 CRD rejects it; with 3.7 nothing ever runs.
    assert any(line == 7 and s == "error" for line, s, _ in four)
    assert any(line == 7 and s == "warning" for line, s, _ in three)


@pytest.mark.parametrize("path,bad", [
    ("/tmp/out.txt", False),
    ("/tmp/a/../b", True),             # leaves /tmp/a, the part before the first `/../`
    ("/tmp/a/b/..", True),             # a final `/..` leaves /tmp/a/b
    ("/tmp/a/../../etc", True),        # climbs out of /tmp/a
    ("/data/../..", True),
    ("/../etc", False),                # Argo's safe directory is empty: not checked
    ("relative/../x", True),
    ("/data//ab", True),               # the `/..$` pattern quirk
    ("/data/./cd", True),
    ("/data/abc", False),
])
def test_traversal_follows_argo_clean_path(path, bad):
    assert (traversal(path) is not None) == bad


def test_go_clean():
    assert go_clean("//a//b/./c/..") == "/a/b"
    assert go_clean("") == "."
    assert go_clean("a/../..") == ".."


@pytest.mark.parametrize("artifact,expected", [
    ({"s3": {"key": "x"}}, True),
    ({"s3": {"bucket": "b"}}, False),
    ({"git": {"repo": "https://example.com/r.git"}}, True),
    ({"raw": {"data": "x"}}, True),
    ({"http": {}}, False),
    ({"azure": {"blob": "b"}}, True),
    ({}, False),
])
def test_has_location_or_key(artifact, expected):
    assert has_location_or_key(artifact) is expected


METRICS_37 = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: m-
spec:
  entrypoint: main
  templates:
    - name: main
      metrics:
        prometheus:
          - name: runs
            help: Runs
            gauge:
              value: "1"
              operation: Inc
      container:
        image: alpine:3.20
"""


def test_gauge_operation_is_a_crd_error_only_with_argo_4():
    assert [s for _, s, _ in _run(METRICS_37, "metrics", "4.1")] == ["error"]
    assert [s for _, s, _ in _run(METRICS_37, "metrics", "3.7")] == ["warning"]
