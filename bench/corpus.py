"""Seeded, reproducible benchmark corpora; nothing is downloaded.

(a) `many`: 10,000 files built from varied workflow shapes: steps, DAGs,
    templateRefs between files, resource templates, CronWorkflows and
    multi-document files;
(b) `big-dag`: one Workflow whose DAG has 5,000 tasks;
(c) `repo`: a git repository of 5,000 files, for the one-changed-file case;
(d) `mixed` (`write_mixed`): a repository as they come, where Argo's files are
    a share (40% by default) among Deployments, Services, Ingresses,
    ConfigMaps, Secrets, the RBAC objects the workflows' service accounts use,
    a few multi-megabyte CustomResourceDefinitions, kustomizations with
    patches, a Helm chart and YAML that is no manifest (CI configurations).
"""

from __future__ import annotations

import os
import random
import subprocess

HEADER = "apiVersion: argoproj.io/v1alpha1\n"


def _container(name, image="alpine:3.20", inputs=(), command="echo"):
    lines = [f"    - name: {name}\n"]
    if inputs:
        lines.append("      inputs:\n        parameters:\n")
        lines += [f"          - name: {p}\n" for p in inputs]
    args = " ".join("{{inputs.parameters.%s}}" % p for p in inputs) or name
    lines.append(f"      container:\n        image: {image}\n        command: [{command}]\n"
                 f"        args: [\"{args}\"]\n"
                 "        resources:\n          requests: {cpu: 100m, memory: 64Mi}\n")
    return "".join(lines)


def _steps_workflow(rng, i):
    n = rng.randint(2, 6)
    out = [HEADER, "kind: Workflow\nmetadata:\n", f"  generateName: steps-{i}-\n", "spec:\n  entrypoint: main\n",
           "  arguments:\n    parameters:\n      - name: message\n        value: hello\n", "  templates:\n",
           "    - name: main\n      steps:\n"]
    for s in range(n):
        out.append(f"        - - name: step-{s}\n            template: work\n"
                   "            arguments:\n              parameters:\n                - name: message\n"
                   "                  value: \"{{workflow.parameters.message}}\"\n")
    out.append(_container("work", inputs=["message"]))
    return "".join(out)


def _dag_workflow(rng, i, tasks=None):  # noqa: C901
    n = tasks or rng.randint(3, 12)
    style = rng.random() < 0.5  # one style per DAG: Argo rejects a mix
    out = [HEADER, "kind: Workflow\nmetadata:\n", f"  generateName: dag-{i}-\n", "spec:\n  entrypoint: main\n",
           "  templates:\n", "    - name: main\n      dag:\n        tasks:\n"]
    for t in range(n):
        out.append(f"          - name: t{t}\n            template: work\n")
        if t:
            deps = sorted(rng.sample(range(t), min(t, rng.randint(1, 3))))
            if style:
                out.append(f"            dependencies: [{', '.join(f't{d}' for d in deps)}]\n")
            else:
                out.append(f"            depends: \"{' && '.join(f't{d}' for d in deps)}\"\n")
        out.append("            arguments:\n              parameters:\n                - name: message\n"
                   f"                  value: task-{t}\n")
    out.append(_container("work", inputs=["message"]))
    return "".join(out)


def _template_library(i):
    return "".join([HEADER, "kind: WorkflowTemplate\nmetadata:\n", f"  name: library-{i}\n", "spec:\n  templates:\n",
                    _container("build", image="golang:1.23", inputs=["repo"], command="go"),
                    _container("test", image="golang:1.23", inputs=["repo"], command="go")])


def _ref_workflow(rng, i, libraries):
    lib = rng.choice(libraries)
    return "".join([HEADER, "kind: Workflow\nmetadata:\n", f"  generateName: ref-{i}-\n", "spec:\n",
                    "  entrypoint: main\n  templates:\n    - name: main\n      steps:\n",
                    "        - - name: build\n", f"            templateRef:\n              name: library-{lib}\n",
                    "              template: build\n",
                    "            arguments:\n              parameters:\n                - name: repo\n",
                    "                  value: https://example.com/repo.git\n"])


def _resource_workflow(i):
    return "".join([HEADER, "kind: Workflow\nmetadata:\n", f"  generateName: resource-{i}-\n", "spec:\n",
                    "  entrypoint: main\n  serviceAccountName: deployer\n  templates:\n    - name: main\n",
                    "      resource:\n        action: create\n        successCondition: status.succeeded > 0\n",
                    "        manifest: |\n          apiVersion: batch/v1\n          kind: Job\n",
                    f"          metadata:\n            generateName: job-{i}-\n",
                    "          spec:\n            template:\n              spec:\n",
                    "                restartPolicy: Never\n                containers:\n",
                    "                  - name: main\n                    image: alpine:3.20\n"])


def _cron(i):
    return "".join([HEADER, "kind: CronWorkflow\nmetadata:\n", f"  name: nightly-{i}\n", "spec:\n",
                    f"  schedules: [\"{i % 60} {i % 24} * * *\"]\n  timezone: Europe/Berlin\n",
                    "  concurrencyPolicy: Forbid\n  workflowSpec:\n    entrypoint: main\n    templates:\n",
                    "      - name: main\n        container:\n          image: alpine:3.20\n",
                    "          command: [echo, nightly]\n"])


def _multi(rng, i):
    config = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-%d\ndata:\n  mode: fast\n" % i)
    return config + "---\n" + _steps_workflow(rng, i) + "---\n" + _dag_workflow(rng, i + 1)


def write_many(root, count=10_000, seed=7):
    rng = random.Random(seed)
    libraries = list(range(0, count, 50))
    for i in range(count):
        folder = os.path.join(root, f"team-{i % 40:02d}")
        os.makedirs(folder, exist_ok=True)
        if i in libraries:
            text = _template_library(i)
        else:
            shape = rng.random()
            if shape < 0.3:
                text = _steps_workflow(rng, i)
            elif shape < 0.55:
                text = _dag_workflow(rng, i)
            elif shape < 0.75:
                text = _ref_workflow(rng, i, libraries)
            elif shape < 0.85:
                text = _resource_workflow(i)
            elif shape < 0.93:
                text = _cron(i)
            else:
                text = _multi(rng, i)
        with open(os.path.join(folder, f"wf-{i:05d}.yaml"), "w") as handle:
            handle.write(text)


def write_big_dag(path, tasks=5_000, seed=11):
    with open(path, "w") as handle:
        handle.write(_dag_workflow(random.Random(seed), 0, tasks=tasks))


def write_repo(root, count=5_000, seed=13):
    write_many(root, count=count, seed=seed)
    subprocess.run(["git", "init", "-q", root], check=True)
    return os.path.join(root, "team-03", "wf-00003.yaml")


# -- (d) mixed: Argo files among the rest of a repository ------------------------

_APPS = ("api", "web", "worker", "billing", "search", "auth", "gateway", "ledger", "mailer", "report")
_ACCOUNTS = ("deployer", "runner", "default")


def _deployment(rng, name, namespace):
    replicas = rng.randint(1, 5)
    port = rng.choice((8080, 8000, 3000, 9090))
    env = "".join(f"            - name: VAR_{k}\n              value: \"{rng.randint(0, 999)}\"\n"
                  for k in range(rng.randint(0, 6)))
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
            f"  labels:\n    app.kubernetes.io/name: {name}\n    app.kubernetes.io/part-of: shop\n"
            f"spec:\n  replicas: {replicas}\n  selector:\n    matchLabels:\n      app: {name}\n"
            f"  template:\n    metadata:\n      labels:\n        app: {name}\n"
            f"      annotations:\n        prometheus.io/scrape: \"true\"\n    spec:\n"
            f"      serviceAccountName: {name}\n      containers:\n        - name: {name}\n"
            f"          image: registry.example.com/{name}:1.{rng.randint(0, 40)}.{rng.randint(0, 9)}\n"
            f"          args: [\"--port\", \"{port}\", \"--log-level=info\"]\n"
            f"          ports:\n            - containerPort: {port}\n"
            + ("          env:\n" + env if env else "")
            + "          resources:\n            requests: {cpu: 100m, memory: 128Mi}\n"
            "            limits: {cpu: \"1\", memory: 512Mi}\n"
            "          readinessProbe:\n            httpGet: {path: /healthz, port: http}\n"
            "            periodSeconds: 10\n"
            "          command:\n            - sh\n            - -c\n"
            "            - exec server --config /etc/app/config.yaml && echo done\n")


def _service(rng, name, namespace):
    port = rng.choice((80, 443, 8080))
    return (f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
            f"spec:\n  type: ClusterIP\n  selector:\n    app: {name}\n"
            f"  ports:\n    - name: http\n      port: {port}\n      targetPort: http\n")


def _ingress(rng, name, namespace):
    return (f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n"
            f"  namespace: {namespace}\n  annotations:\n    cert-manager.io/cluster-issuer: letsencrypt\n"
            f"spec:\n  ingressClassName: nginx\n  tls:\n    - hosts: [\"{name}.example.com\"]\n"
            f"      secretName: {name}-tls\n  rules:\n    - host: \"{name}.example.com\"\n"
            "      http:\n        paths:\n          - path: /\n            pathType: Prefix\n"
            f"            backend:\n              service:\n                name: {name}\n"
            "                port: {number: 80}\n")


def _configmap(rng, name, namespace):
    lines = "".join(f"    key{k}: value-{rng.randint(0, 10_000)}\n" for k in range(rng.randint(2, 12)))
    return (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-config\n  namespace: {namespace}\n"
            f"data:\n  LOG_LEVEL: info\n  config.yaml: |\n    server:\n      port: 8080\n{lines}"
            "  run.sh: |\n    #!/bin/sh\n    set -eu\n    echo \"starting\" && exec server\n")


def _secret(rng, name, namespace):
    return (f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}-credentials\n  namespace: {namespace}\n"
            f"type: Opaque\nstringData:\n  username: {name}\n  password: not-a-real-{rng.randint(0, 10 ** 6)}\n")


def _rbac(rng, account, namespace):
    return (f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {account}\n  namespace: {namespace}\n"
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n"
            f"metadata:\n  name: {account}\n  namespace: {namespace}\nrules:\n"
            "  - apiGroups: [argoproj.io]\n    resources: [workflowtaskresults]\n    verbs: [create, patch]\n"
            "  - apiGroups: [\"\"]\n    resources: [pods, pods/log]\n    verbs: [get, watch, list]\n"
            "  - apiGroups: [batch]\n    resources: [jobs]\n    verbs: [create, get, delete]\n"
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
            f"metadata:\n  name: {account}\n  namespace: {namespace}\n"
            f"roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: {account}\n"
            f"subjects:\n  - kind: ServiceAccount\n    name: {account}\n    namespace: {namespace}\n")


def _cluster_role(i):
    return ("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
            f"metadata:\n  name: readers-{i}\nrules:\n"
            "  - apiGroups: [\"\"]\n    resources: [configmaps, secrets]\n    verbs: [get, list]\n")


def _crd(rng, i, size):
    """A CustomResourceDefinition of about ``size`` bytes, nearly all schema."""
    group = f"things{i}.example.com"
    out = ["apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n",
           f"metadata:\n  name: widgets.{group}\nspec:\n  group: {group}\n",
           "  names:\n    kind: Widget\n    listKind: WidgetList\n    plural: widgets\n    singular: widget\n",
           "  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n      storage: true\n",
           "      schema:\n        openAPIV3Schema:\n          type: object\n          properties:\n"]
    written = sum(len(part) for part in out)
    field = 0
    while written < size:
        block = (f"            field{field}:\n              description: >-\n"
                 f"                Field {field} of the widget; set it to tune part {rng.randint(0, 999)}.\n"
                 "              type: object\n              properties:\n"
                 + "".join(f"                sub{k}:\n                  type: {rng.choice(('string', 'integer'))}\n"
                           f"                  description: Sub-field {k}.\n" for k in range(8)))
        out.append(block)
        written += len(block)
        field += 1
    return "".join(out)


def _small_crd(i):
    return ("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
            f"metadata:\n  name: gadgets.small{i}.example.com\nspec:\n  group: small{i}.example.com\n"
            "  names: {kind: Gadget, plural: gadgets}\n  scope: Cluster\n  versions:\n"
            "    - name: v1\n      served: true\n      storage: true\n"
            "      schema: {openAPIV3Schema: {type: object}}\n")


def _kustomization(patches, resources):
    return ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: prod\n"
            "resources:\n" + "".join(f"  - {r}\n" for r in resources)
            + "patches:\n" + "".join(f"  - path: {p}\n" for p in patches))


def _deployment_patch(rng, name):
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n"
            f"spec:\n  replicas: {rng.randint(3, 9)}\n")


def _template_patch(name):
    return (HEADER + f"kind: WorkflowTemplate\nmetadata:\n  name: {name}\nspec:\n"
            "  serviceAccountName: deployer\n")


def _chart(rng, i):
    """(file name, text) of a small Helm chart's files."""
    name = f"chart-{i}"
    return [
        ("Chart.yaml", f"apiVersion: v2\nname: {name}\nversion: 0.{i}.0\nappVersion: \"1.0\"\n"),
        ("values.yaml", f"replicaCount: {rng.randint(1, 3)}\nimage:\n  repository: registry.example.com/{name}\n"
                        "  tag: latest\nservice:\n  port: 80\n"),
        ("templates/deployment.yaml",
         "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"chart.fullname\" . }}\n"
         "spec:\n  replicas: {{ .Values.replicaCount }}\n  template:\n    spec:\n      containers:\n"
         "        - name: app\n          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\n"),
        ("templates/service.yaml",
         "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n"
         "  ports:\n    - port: {{ .Values.service.port }}\n"),
        ("templates/workflowtemplate.yaml",
         HEADER + "kind: WorkflowTemplate\nmetadata:\n  name: {{ .Release.Name }}-build\nspec:\n"
         "  templates:\n    - name: build\n      container:\n        image: alpine:3.20\n"
         "        command: [echo, '{{ .Values.image.tag }}']\n"),
    ]


def _ci_config(rng, i):
    """YAML that is no Kubernetes object: a CI pipeline or a compose file."""
    if i % 2:
        return ("stages: [build, test, deploy]\nvariables:\n  DOCKER_DRIVER: overlay2\n"
                f"build:\n  stage: build\n  image: docker:{rng.randint(20, 27)}\n"
                "  script:\n    - docker build -t app .\n    - docker push app\n"
                "test:\n  stage: test\n  script: [make test]\n  only: [merge_requests, main]\n")
    return ("version: \"3.9\"\nservices:\n  app:\n    build: .\n    ports: [\"8080:8080\"]\n"
            f"    environment:\n      - LOG_LEVEL=debug\n      - SEED={rng.randint(0, 999)}\n"
            "  db:\n    image: postgres:16\n    volumes: [\"data:/var/lib/postgresql/data\"]\nvolumes:\n  data: {}\n")


def _argo_text(rng, i, libraries):
    shape = rng.random()
    if shape < 0.35:
        return _steps_workflow(rng, i)
    if shape < 0.6:
        return _dag_workflow(rng, i)
    if shape < 0.8:
        return _ref_workflow(rng, i, libraries)
    if shape < 0.9:
        return _resource_workflow(i)
    return _cron(i)


def write_mixed(root, count=5_000, seed=17, argo_share=0.4, crd_size=2_000_000):
    """Write ``count`` files under ``root``: ``argo_share`` of them Argo's
    (Workflows, WorkflowTemplates, CronWorkflows, some using the `deployer`
    service account), the rest what a repository holds beside them. Seeded,
    so the same arguments write the same bytes. Returns the paths written.

    About one file in 1,500 (at least one) is a CustomResourceDefinition of
    ``crd_size`` bytes."""
    rng = random.Random(seed)
    written = []

    def put(relative, text):
        path = os.path.join(root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            handle.write(text)
        written.append(path)

    argo = int(round(count * argo_share))
    libraries = list(range(0, max(argo, 1), 40))
    for i in range(argo):
        folder = f"workflows/team-{i % 25:02d}"
        text = _template_library(i) if i in libraries else _argo_text(rng, i, libraries)
        put(f"{folder}/wf-{i:05d}.yaml", text)
    rest = count - argo
    big_crds = max(1, count // 1500) if rest > 0 else 0
    for i in range(big_crds):
        put(f"crds/widgets-{i}.yaml", _crd(rng, i, crd_size))
    n = big_crds
    chart = 0
    kustomize = 0
    while n < rest:
        app = _APPS[n % len(_APPS)] + f"-{n // len(_APPS)}"
        namespace = rng.choice(("prod", "staging", "ci"))
        pick = rng.random()
        base = f"apps/{app}"
        if pick < 0.22:
            put(f"{base}/deployment.yaml", _deployment(rng, app, namespace))
            n += 1
        elif pick < 0.32:
            put(f"{base}/all.yaml", _deployment(rng, app, namespace) + "---\n" + _service(rng, app, namespace))
            n += 1
        elif pick < 0.42:
            put(f"{base}/service.yaml", _service(rng, app, namespace))
            n += 1
        elif pick < 0.50:
            put(f"{base}/ingress.yaml", _ingress(rng, app, namespace))
            n += 1
        elif pick < 0.62:
            put(f"{base}/configmap.yaml", _configmap(rng, app, namespace))
            n += 1
        elif pick < 0.67:
            put(f"{base}/secret.yaml", _secret(rng, app, namespace))
            n += 1
        elif pick < 0.75:
            put(f"rbac/{namespace}/{app}.yaml", _rbac(rng, rng.choice(_ACCOUNTS), namespace))
            n += 1
        elif pick < 0.77:
            put(f"rbac/cluster/readers-{n}.yaml", _cluster_role(n))
            n += 1
        elif pick < 0.78:
            put(f"crds/small/gadgets-{n}.yaml", _small_crd(n))
            n += 1
        elif pick < 0.86 and rest - n >= 4:
            overlay = f"overlays/env-{kustomize}"
            put(f"{overlay}/deployment-patch.yaml", _deployment_patch(rng, app))
            put(f"{overlay}/template-patch.yaml", _template_patch(f"library-{rng.choice(libraries)}"))
            put(f"{overlay}/kustomization.yaml",
                _kustomization(["deployment-patch.yaml", "template-patch.yaml"], [f"../../{base}"]))
            n += 3
            kustomize += 1
        elif pick < 0.92 and rest - n >= 5:
            for name, text in _chart(rng, chart):
                put(f"charts/chart-{chart}/{name}", text)
            n += 5
            chart += 1
        else:
            put(f"ci/{app}/{'gitlab-ci' if n % 2 else 'docker-compose'}.yaml", _ci_config(rng, n))
            n += 1
    return written
