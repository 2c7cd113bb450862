"""Seeded, reproducible benchmark corpora; nothing is downloaded.

(a) `many`: 10,000 files built from varied workflow shapes: steps, DAGs,
    templateRefs between files, resource templates, CronWorkflows and
    multi-document files;
(b) `big-dag`: one Workflow whose DAG has 5,000 tasks;
(c) `repo`: a git repository of 5,000 files, for the one-changed-file case.
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
