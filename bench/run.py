#!/usr/bin/env python3
"""wflint's benchmark: generates its corpora, times everything in one run.

    python bench/run.py [--reps N] [--workdir DIR] [--quick]

Measured, each with several repetitions (median and min-max spread), on the
same machine in one run:

* the floor: reading and parsing the 10,000 files of corpus (a) into data
  with positions with the fastest C-backed YAML parser available to Python
  (PyYAML's libyaml composer) and nothing else, in one process;
* `wflint check` on (a) with every core, cold and with the cache warm;
* (b), one Workflow with a 5,000-task DAG;
* (c), one changed file in a 5,000-file git repository, cold and warm;
* check-jsonschema with the same schemas on the single-document files of (a)
  (it reads one YAML document per file, so the multi-document files are
  left out for both), against `wflint check --select schema` on them;
* start-up: `wflint --version` and a one-file check.

It prints a table and the ratios. Nothing is downloaded; check-jsonschema is
used if installed (`pip install check-jsonschema`), else its rows are skipped.

It times the `wflint` on PATH. Measure a regular install (`pip install .`):
an editable install resolves every import through its own finder, which adds
about 0.1 s to each start.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import corpus  # noqa: E402


def wflint_command():
    found = shutil.which("wflint")
    return [found] if found else [sys.executable, "-m", "wflint"]


def timed(command, cwd=None, reps=3, setup=None):
    times = []
    for _ in range(reps):
        if setup:
            setup()
        start = time.perf_counter()
        proc = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}): {proc.stderr[-500:]}")
    return times


def floor(files, reps=3):
    """Read and parse into data with positions: libyaml composes, a minimal
    converter builds dicts and lists and keeps each key's line."""
    import yaml
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        raise SystemExit("PyYAML without libyaml: no C-backed floor to measure")

    class Positioned(dict):
        __slots__ = ("lines",)

    def convert(node):
        if isinstance(node, yaml.MappingNode):
            out = Positioned()
            out.lines = {}
            for key, value in node.value:
                out[key.value] = convert(value)
                out.lines[key.value] = key.start_mark.line
            return out
        if isinstance(node, yaml.SequenceNode):
            return [convert(item) for item in node.value]
        return node.value

    times = []
    for _ in range(reps):
        gc.disable()
        start = time.perf_counter()
        for path in files:
            with open(path, "rb") as handle:
                text = handle.read()
            for node in yaml.compose_all(text, Loader=loader):
                if node is not None:
                    convert(node)
        times.append(time.perf_counter() - start)
        gc.enable()
    return times


def schema_wrapper(path):
    """Our Argo 4.1 schema with a dispatch on `kind`, for check-jsonschema."""
    sys.path.insert(0, os.path.dirname(HERE))
    from importlib.resources import files
    schema = json.loads(files("wflint.schemas").joinpath("argo-4.1.json").read_text(encoding="utf-8"))
    wrapper = {"$schema": "http://json-schema.org/draft-07/schema#", "definitions": schema["definitions"],
               "type": "object", "required": ["kind"],
               "allOf": [{"if": {"properties": {"kind": {"const": kind}}}, "then": {"$ref": ref}}
                         for kind, ref in schema["kinds"].items()]}
    with open(path, "w") as handle:
        json.dump(wrapper, handle)


def stats(times):
    return statistics.median(times), min(times), max(times)


def row(label, times):
    median, low, high = stats(times)
    return f"| {label} | {median:.3f} | {low:.3f}–{high:.3f} | {len(times)} |"


def make_old(root):
    """Age every file, as in a real repository, so the cache can trust it."""
    old = time.time() - 3600
    for folder, _, names in os.walk(root):
        for name in names:
            os.utime(os.path.join(folder, name), (old, old))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--quick", action="store_true", help="smaller corpora, for a smoke test")
    args = parser.parse_args()
    reps = args.reps
    work = args.workdir or tempfile.mkdtemp(prefix="wflint-bench-")
    many, repo, big = os.path.join(work, "many"), os.path.join(work, "repo"), os.path.join(work, "big-dag.yaml")
    count = 1000 if args.quick else 10_000
    if not os.path.isdir(many):
        corpus.write_many(many, count=count)
        corpus.write_big_dag(big, tasks=500 if args.quick else 5_000)
        changed = corpus.write_repo(repo, count=count // 2)
        make_old(repo)
    else:
        changed = os.path.join(repo, "team-03", "wf-00003.yaml")
    files = sorted(os.path.join(d, n) for d, _, ns in os.walk(many) for n in ns if n.endswith(".yaml"))
    size = sum(os.path.getsize(f) for f in files)
    wflint = wflint_command()
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    # Every run starts in the work folder, so that no configuration of the
    # folder the benchmark was started from applies.
    results = {}
    os.environ["WFLINT_CACHE_DIR"] = os.path.join(work, "wflint-cache")  # the caches: beside the projects
    results["floor"] = floor(files, reps)
    results["a-cold"] = timed(wflint + ["check", "-q", "--no-cache", "--format", "json", "many"], cwd=work,
                              reps=reps)
    subprocess.run(["git", "init", "-q", many], check=True)  # a project, so that (a) has a cache to warm
    subprocess.run(wflint + ["check", "-q", "many"], cwd=work, stdout=subprocess.DEVNULL)
    results["a-warm"] = timed(wflint + ["check", "-q", "--format", "json", "many"], cwd=work, reps=reps)
    results["a-1proc"] = timed(wflint + ["check", "-q", "--no-cache", "-j", "1", "--format", "json", "many"],
                               cwd=work, reps=reps)
    results["b"] = timed(wflint + ["check", "-q", "--format", "json", "big-dag.yaml"], cwd=work, reps=reps)
    cache = os.environ["WFLINT_CACHE_DIR"]  # cold: no cache at all
    results["c-cold"] = timed(wflint + ["check", "-q", "--format", "json", changed], cwd=repo, reps=reps,
                              setup=lambda: shutil.rmtree(cache, ignore_errors=True))
    subprocess.run(wflint + ["check", "-q", changed], cwd=repo, stdout=subprocess.DEVNULL)
    results["c-warm"] = timed(wflint + ["check", "-q", "--format", "json", changed], cwd=repo, reps=reps)
    one = os.path.join(work, "one-file.yaml")  # outside any project: start-up, not indexing
    shutil.copyfile(files[1], one)
    results["version"] = timed(wflint + ["--version"], cwd=work, reps=max(reps, 5))
    results["one-file"] = timed(wflint + ["check", "-q", "--no-cache", one], cwd=work, reps=max(reps, 5))

    single = [f for f in files if "\n---" not in open(f).read()]
    checker = shutil.which("check-jsonschema")
    if checker:
        wrapper = os.path.join(work, "argo-4.1-by-kind.json")
        schema_wrapper(wrapper)
        results["cjs"] = timed([checker, "--schemafile", wrapper, *single], cwd=work, reps=max(1, reps - 1))
        results["wflint-schema"] = timed(wflint + ["check", "-q", "--no-cache", "--select", "schema",
                                                   "--format", "json", *single], cwd=work, reps=max(1, reps - 1))

    median = {k: statistics.median(v) for k, v in results.items()}
    print(f"\nwflint benchmark: {cpus} cores, {sys.implementation.name} {sys.version.split()[0]}, "
          f"corpus (a) {len(files)} files / {size / 1e6:.1f} MB, workdir {work}")
    print(f"wflint: {' '.join(wflint)}\n")
    print("| what | median s | spread s | runs |")
    print("| --- | ---: | ---: | ---: |")
    labels = [
        ("floor", "floor: read + parse (a) with positions, libyaml, 1 process"),
        ("a-cold", "wflint check (a), every core, no cache"),
        ("a-warm", "wflint check (a), every core, cache warm"),
        ("a-1proc", "wflint check (a), 1 process, no cache"),
        ("b", "wflint check (b), 5,000-task DAG"),
        ("c-cold", "wflint check (c), 1 changed file of 5,000, cache cold"),
        ("c-warm", "wflint check (c), 1 changed file of 5,000, cache warm"),
        ("version", "wflint --version"),
        ("one-file", "wflint check one file"),
        ("cjs", f"check-jsonschema, {len(single)} single-document files of (a)"),
        ("wflint-schema", f"wflint check --select schema, the same {len(single)} files"),
    ]
    for key, label in labels:
        if key in results:
            print(row(label, results[key]))
    print("\nratios (medians):")
    print(f"  wflint (a) every core / floor:        {median['a-cold'] / median['floor']:.2f}x  (target <= 2)")
    print(f"  wflint (a) one process / floor:       {median['a-1proc'] / median['floor']:.2f}x")
    print(f"  (b) 5,000-task DAG:                   {median['b']:.2f} s  (target < 1)")
    print(f"  (c) one changed file, warm cache:     {median['c-warm']:.2f} s  (target < 0.5)")
    print(f"  one-file check start-up:              {median['one-file']:.2f} s  (target < 0.25)")
    if "cjs" in median:
        print(f"  check-jsonschema / wflint (schema):   {median['cjs'] / median['wflint-schema']:.2f}x  "
              "(target > 1)")
    else:
        print("  check-jsonschema: not installed (pip install check-jsonschema), skipped")


if __name__ == "__main__":
    main()
