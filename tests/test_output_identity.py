"""Output identity over a tree as repositories hold them, fast paths included.

The loader does not compose documents of kinds nothing reads (a Deployment,
a Service, a CI configuration): it reads their kind from the text and only
parses them (source/loader.py, `top_kind`); big CustomResourceDefinitions are
composed without their schemas. Whatever it skips, the output must be what
composing every document gives, byte for byte, and the same again on one
process or two, with the results cache cold, warm, and warm a second time.
tests/test_pipeline.py does this for a tree of Argo documents; this tree is
mostly other things: Deployments (one with a syntax error, one with anchors,
one with CRLF line ends), Services, an Ingress, ConfigMaps, a Secret, the RBAC
objects a workflow's service account uses, a CRD that a resource template's
permissions need (and a big one), near misses, a kustomize overlay patching a
Deployment and a WorkflowTemplate, a Helm chart and YAML that is no manifest.
"""

import json
import subprocess
import sys

import pytest

from wflint.render import render
from wflint.run import config as configuration, options as run_options, parallel
from wflint.run.engine import Engine
from wflint.source import loader

from conftest import dedent


def _big_crd() -> str:
    """A CustomResourceDefinition over the size at which the loader reads it lighter."""
    fields = "".join(f"                field{i}:\n                  type: string\n"
                     f"                  description: Field number {i} of a gizmo.\n" for i in range(1500))
    return ("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
            "metadata:\n  name: gizmos.big.example.com\nspec:\n  group: big.example.com\n"
            "  names:\n    kind: Gizmo\n    plural: gizmos\n  scope: Cluster\n  versions:\n"
            "    - name: v1\n      served: true\n      storage: true\n      schema:\n"
            "        openAPIV3Schema:\n          type: object\n          properties:\n"
            "            spec:\n              type: object\n              properties:\n" + fields)


FILES = {
    "workflows/release.yaml": """
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata:
          generateName: release-
        spec:
          entrypoint: main
          serviceAccountName: runner
          templates:
            - name: main
              steps:
                - - name: widget
                    template: make-widget
                - - name: gizmo
                    template: make-gizmo
                - - name: build
                    templateRef: {name: charted-build, template: build}
                - - name: lib
                    templateRef: {name: lib, template: biuld}
            - name: make-widget
              resource:
                action: create
                manifest: |
                  apiVersion: things.example.com/v1
                  kind: Widget
                  metadata:
                    generateName: w-
            - name: make-gizmo
              resource:
                action: create
                manifest: |
                  apiVersion: big.example.com/v1
                  kind: Gizmo
                  metadata:
                    generateName: g-
    """,
    "workflows/lib.yaml": """
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowTemplate
        metadata:
          name: lib
        spec:
          templates:
            - name: build
              container:
                image: golang:1.23
                command: [go, build]
    """,
    "workflows/near-misses.yaml": """
        apiVersion: argoproj.io/v1alpha1
        kind: Workfow
        metadata:
          name: typo
        spec:
          entrypoint: main
        ---
        apiVersion: argoproj.io/v1alpha1
        Kind: Workflow
        metadata:
          name: capital
        spec:
          entrypoint: main
        ---
        apiVersion: argoproj.io/v1
        kind: CronWorkflow
        metadata:
          name: old-version
    """,
    "rbac/runner.yaml": """
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: runner
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: runner
        rules:
          - apiGroups: [argoproj.io]
            resources: [workflowtaskresults]
            verbs: [create, patch]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata:
          name: runner
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: runner}
        subjects:
          - {kind: ServiceAccount, name: runner}
    """,
    "crds/widgets.yaml": """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.things.example.com
        spec:
          group: things.example.com
          names: {kind: Widget, plural: widgetz}
          scope: Namespaced
          versions:
            - name: v1
              served: true
              storage: true
              schema: {openAPIV3Schema: {type: object}}
    """,
    "apps/web.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels: {app: web}
        spec:
          replicas: 2
          template:
            spec:
              containers:
                - name: web
                  image: "nginx:1.27"
                  args: ["--port", "8080"]
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          ports:
            - port: 80
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: web
        spec:
          rules:
            - host: "*.example.com"
    """,
    "apps/broken.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: broken
        spec: {a: [}
    """,
    "apps/anchored.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: anchored
          labels: &labels {app: anchored}
        spec:
          selector:
            matchLabels: *labels
          template:
            metadata:
              labels: *undefined
    """,
    "apps/config.yaml": """
        # settings
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
        data:
          run.sh: |
            echo "kind: Workflow" && exit 0
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: token
        type: Opaque
        stringData: {token: not-a-secret}
    """,
    "ci/pipeline.yaml": """
        stages: [build, test]
        build:
          stage: build
          script:
            - make && make test
    """,
    "overlays/prod/kustomization.yaml": """
        resources: [../../apps/web.yaml, ../../workflows/lib.yaml]
        patches:
          - path: replicas.yaml
          - path: lib-patch.yaml
    """,
    "overlays/prod/replicas.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 5
    """,
    "overlays/prod/lib-patch.yaml": """
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowTemplate
        metadata:
          name: lib
        spec:
          templates:
            - name: build
              container:
                image: golang:1.24
                comand: [go, build]
    """,
    "chart/Chart.yaml": """
        apiVersion: v2
        name: builder
        version: 0.1.0
    """,
    "chart/values.yaml": """
        image: {tag: latest}
    """,
    "chart/templates/build.yaml": """
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowTemplate
        metadata:
          name: charted-build
        spec:
          templates:
            - name: build
              container:
                image: "alpine:{{ .Values.image.tag }}"
    """,
    "chart/templates/deployment.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ .Release.Name }}
    """,
}


@pytest.fixture
def tree(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text))
    (root / "crds" / "gizmos.yaml").write_text(_big_crd())
    (root / "apps" / "crlf.yaml").write_bytes(
        b"apiVersion: v1\r\nkind: Service\r\nmetadata:\r\n  name: crlf\r\nspec:\r\n  ports: [{port: 80}]\r\n")
    monkeypatch.chdir(root)
    monkeypatch.setenv("WFLINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(parallel, "WORK_PER_PROCESS", 1)   # workers even for a small tree
    return root


def lint(fmt, jobs=1, use_cache=False):
    options = run_options.resolve(configuration.Config(), jobs=jobs, no_cache=not use_cache, show_info=True)
    return render(Engine(options).run(["."]), fmt)


def test_the_fast_paths_change_nothing(tree, monkeypatch):
    skipped = []
    parses = loader._parses

    def spy(chunk):
        ok = parses(chunk)
        skipped.append(ok)
        return ok

    monkeypatch.setattr(loader, "_parses", spy)
    fast = {fmt: lint(fmt) for fmt in ("json", "text")}
    assert skipped.count(True) >= 8   # the Deployments, Services, Ingress, ConfigMap, Secret, CI file...
    assert False in skipped           # the broken Deployment: composed after all, to report its error
    data = json.loads(fast["json"])
    found = {(d["rule"], d["path"]) for d in data["diagnostics"]}
    for expected in [("yaml-syntax", "apps/broken.yaml"), ("yaml-syntax", "apps/anchored.yaml"),
                     ("not-linted", "workflows/near-misses.yaml"), ("template-ref", "workflows/release.yaml"),
                     ("rbac", "workflows/release.yaml"), ("schema", "overlays/prod/lib-patch.yaml")]:
        assert expected in found, (expected, found)
    assert any("widgetz" in d["message"] for d in data["diagnostics"])  # the plural the small CRD gives
    assert any("`gizmos.big.example.com` (cluster-wide)" in d["message"]  # ... and the big one's scope
               for d in data["diagnostics"])
    assert sum(d["rule"] == "not-linted" for d in data["diagnostics"]) == 3
    assert not any(d["path"].startswith(("ci/", "chart/templates/deployment")) for d in data["diagnostics"])

    # Composing every document, as before the fast paths, says the very same.
    monkeypatch.setattr(loader, "_kind_line", lambda chunk: None)
    monkeypatch.setattr(loader, "_CHEAP_SKIP_SIZE", 1 << 40)
    for fmt in ("json", "text"):
        assert lint(fmt) == fast[fmt], fmt


def test_every_way_of_running_says_the_same(tree, monkeypatch):
    started = []
    run = parallel.run
    monkeypatch.setattr(parallel, "run", lambda *args, **kwargs: started.append(1) or run(*args, **kwargs))
    for fmt in ("json", "text"):
        expected = lint(fmt)
        assert lint(fmt, jobs=2) == expected
        assert lint(fmt, jobs=1, use_cache=True) == expected   # cold: writes the caches
        assert lint(fmt, jobs=2, use_cache=True) == expected   # warm
        assert lint(fmt, jobs=1, use_cache=True) == expected   # warm, a second time
    assert started   # two processes did lint


def test_the_command_line_says_the_same(tree):
    def cli(fmt, *flags):
        run = subprocess.run([sys.executable, "-m", "wflint", "check", "--show-info", "--no-color",
                              "--format", fmt, *flags, "."], capture_output=True, text=True)
        assert run.returncode == 1, run.stderr
        return run.stdout

    expected = lint("json")
    assert cli("json", "-j", "1", "--no-cache").rstrip("\n") == expected.rstrip("\n")
    assert cli("json", "-j", "2").rstrip("\n") == expected.rstrip("\n")   # cold: writes the caches
    assert cli("json", "-j", "2").rstrip("\n") == expected.rstrip("\n")   # warm
    text = cli("text", "-j", "1")                                            # warm, a second time
    assert "labels: *undefined" in text                                      # the source line shown
    assert cli("text", "-j", "2", "--no-cache") == text
