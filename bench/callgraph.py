#!/usr/bin/env python3
"""Timing of the call-graph work on large inputs: `wflint check` on a 6,000-
container containerSet chain and on a 10,000-task DAG (each must stay under
2 s), and `wflint graph --stats` on the DAG.

    python bench/callgraph.py [--reps N] [--workdir DIR] [--containers N] [--tasks N]

It times the `wflint` on PATH, each command --reps times, and prints the
median and the spread. The inputs are generated (tests/test_callgraph.py
builds the same ones to check that they lint without crash).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def container_set_chain(n: int) -> str:
    lines = ["apiVersion: argoproj.io/v1alpha1", "kind: Workflow", "metadata:", "  name: chain", "spec:",
             "  entrypoint: main", "  templates:", "    - name: main", "      containerSet:", "        containers:"]
    for i in range(n):
        lines += [f"          - name: c{i}", "            image: alpine:3.19"]
        if i:
            lines.append(f"            dependencies: [c{i - 1}]")
    return "\n".join(lines) + "\n"


def big_dag(n: int) -> str:
    lines = ["apiVersion: argoproj.io/v1alpha1", "kind: Workflow", "metadata:", "  name: big", "spec:",
             "  entrypoint: main", "  templates:", "    - name: work", "      container:", "        image: alpine:3.19",
             "    - name: main", "      dag:", "        tasks:"]
    for i in range(n):
        lines += [f"          - name: t{i}", "            template: work"]
        if i:
            lines.append(f"            depends: t{i - 1}" + (f" && t{i // 2}" if i % 3 == 0 else ""))
    return "\n".join(lines) + "\n"


def timed(command, reps: int):
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        run = subprocess.run(command, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if run.returncode not in (0, 1):
            sys.exit(f"{' '.join(command)} exited {run.returncode}:\n{run.stderr[-2000:]}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--containers", type=int, default=6000)
    parser.add_argument("--tasks", type=int, default=10000)
    args = parser.parse_args()
    wflint = shutil.which("wflint") or sys.exit("no `wflint` on PATH")
    workdir = args.workdir or tempfile.mkdtemp(prefix="wflint-callgraph-")
    os.makedirs(workdir, exist_ok=True)
    chain = os.path.join(workdir, "chain.yaml")
    dag = os.path.join(workdir, "dag.yaml")
    with open(chain, "w", encoding="utf-8") as handle:
        handle.write(container_set_chain(args.containers))
    with open(dag, "w", encoding="utf-8") as handle:
        handle.write(big_dag(args.tasks))
    rows = [
        (f"check: containerSet chain of {args.containers}", [wflint, "check", "--no-cache", chain]),
        (f"check: DAG of {args.tasks} tasks", [wflint, "check", "--no-cache", dag]),
        (f"check: DAG of {args.tasks} tasks, opt-in graph rules",
         [wflint, "check", "--no-cache", "--select", "redundant-dependency,unused-template", dag]),
        (f"graph --stats: DAG of {args.tasks} tasks", [wflint, "graph", "--no-cache", "--stats", dag]),
    ]
    print(f"{'what':<55} {'median':>8} {'min':>8} {'max':>8}")
    for label, command in rows:
        times = timed(command, args.reps)
        print(f"{label:<55} {statistics.median(times):>7.2f}s {min(times):>7.2f}s {max(times):>7.2f}s")


if __name__ == "__main__":
    main()
