#!/usr/bin/env python3
"""wflint's benchmark: generates its corpora, times everything in one run.

    python bench/run.py [--reps N] [--workdir DIR] [--quick]
                        [--before OTHER_WFLINT] [--examples DIR] [--markdown FILE]

Every figure is the median of several runs (the spread is printed too), all
taken in one run of this script on one machine:

* the floor, for each corpus: reading every file and parsing it into data
  with positions with PyYAML's libyaml composer and a minimal converter,
  in one process, nothing else (`floor` below); and the stricter floor of
  libyaml's nodes alone, without the data;
* `wflint check --no-cache` cold on 5,000 and 10,000 generated Argo files and
  on a 5,000-file mixed tree (Argo files among Deployments, CRDs, charts...),
  with the default `-j` and with `-j 1`, and on 1, 2 and 4 cores (taskset)
  where the machine has them; peak RSS (the largest process) of the
  10,000-file runs;
* warm: the same command again with the cache filled and nothing changed;
* pre-commit: one changed file in a 5,000-file git repository (cache warm);
* one file, cold: start-up;
* Argo's examples (--examples DIR): the default mode against `-j 1`; and
  `examples5k`, copies of them side by side to 5,000 files, as a corpus as
  dense in features as real manifests are (built in the work folder).

`--before` names another wflint (e.g. a virtualenv with the previous
release) measured the same way in the same run, for a before/after table.

It times the `wflint` on PATH. Measure a regular install (`pip install .`):
an editable install resolves every import through its own finder, which adds
to each start.
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


def floor(files, reps=3, convert_nodes=True):
    """Read and parse into data with positions: libyaml composes, a minimal
    converter builds dicts and lists and keeps each key's line. Without
    ``convert_nodes``, the stricter floor: libyaml's nodes alone (they keep
    their positions), which no linter that reads the data can reach."""
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
                name = key.value if isinstance(key, yaml.ScalarNode) else id(key)  # `? [a, b]`: a complex key
                out[name] = convert(value)
                out.lines[name] = key.start_mark.line
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
            try:
                for node in yaml.compose_all(text, Loader=loader):
                    if node is not None and convert_nodes:
                        convert(node)
            except yaml.YAMLError:
                pass  # a broken file (the mixed corpus has some): parsed up to its error, as wflint does
        times.append(time.perf_counter() - start)
        gc.enable()
    return times


class Sample:
    """Wall times (s) and the peak RSS (MB) of the largest process, per run."""

    def __init__(self):
        self.times, self.rss = [], []

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def cell(self) -> str:
        if not self.times:
            return "–"
        spread = f" ({min(self.times):.2f}–{max(self.times):.2f})" if len(self.times) > 1 else ""
        return f"{self.median:.3f}{spread}"


def timed(command, cwd, reps, setup=None) -> Sample:
    sample = Sample()
    for _ in range(reps):
        if setup:
            setup()
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # wait4: the child's resource use, its own workers included (they are its waited-for children)
        _, status, usage = os.wait4(proc.pid, 0)
        sample.times.append(time.perf_counter() - start)
        sample.rss.append(usage.ru_maxrss / 1024)
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed ({code}): {proc.stderr.read().decode()[-500:]}")
        proc.stderr.close()
    return sample


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


def make_old(root):
    """Age every file, as in a real repository (and let their change time settle)."""
    old = time.time() - 3600
    for folder, _, names in os.walk(root):
        for name in names:
            os.utime(os.path.join(folder, name), (old, old))


def yaml_files(root):
    return sorted(os.path.join(d, n) for d, _, ns in os.walk(root) if ".git" not in d
                  for n in ns if n.endswith((".yaml", ".yml")))


def cores():
    have = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else list(range(os.cpu_count() or 1))
    return [n for n in (1, 2, 4) if n <= len(have)], have


def pinned(command, n, have):
    if shutil.which("taskset") is None or n == len(have):
        return command
    return ["taskset", "-c", ",".join(str(c) for c in have[:n])] + command


def replicate(examples, root, count):
    """Copies of the folder ``examples`` side by side under ``root`` until
    there are at least ``count`` manifests: a corpus of real manifests, as
    dense in features as Argo's own examples are (made where the benchmark
    runs, from the folder given; never part of the repository)."""
    each = len(yaml_files(examples))
    copies = max(1, -(-count // max(each, 1)))
    for i in range(copies):
        shutil.copytree(examples, os.path.join(root, f"copy-{i:02d}"))


def prepare(work, quick, examples=None):
    scale = 10 if quick else 1
    layout = {"many10k": 10_000 // scale, "many5k": 5_000 // scale, "mixed5k": 5_000 // scale}
    if examples:
        layout["examples5k"] = 5_000 // scale
    for name, count in layout.items():
        root = os.path.join(work, name)
        if not os.path.isdir(root):
            if name == "examples5k":
                replicate(examples, root, count)
            elif name.startswith("mixed"):
                if not hasattr(corpus, "write_mixed"):
                    continue
                corpus.write_mixed(root, count=count)
            else:
                corpus.write_many(root, count=count)
            subprocess.run(["git", "init", "-q", root], check=True)  # a project, so that warm runs have a cache
            make_old(root)
    repo = os.path.join(work, "repo")
    if not os.path.isdir(repo):
        corpus.write_repo(repo, count=5_000 // scale)
        make_old(repo)
    changed = os.path.join(repo, "team-03", "wf-00003.yaml")
    big = os.path.join(work, "big-dag.yaml")
    if not os.path.isfile(big):
        corpus.write_big_dag(big, tasks=5_000 // scale)
    one = os.path.join(work, "one-file.yaml")  # outside any project: start-up, not indexing
    if not os.path.isfile(one):
        shutil.copyfile(yaml_files(os.path.join(work, "many5k"))[1], one)
    time.sleep(2.1)  # what was just written is trusted by a cache only 2 s later
    return [name for name in layout if os.path.isdir(os.path.join(work, name))], repo, changed, one


def measure(wflint, work, corpora, repo, changed, one, examples, reps):
    results = {}
    counts, have = cores()
    cache = os.environ["WFLINT_CACHE_DIR"]
    json_q = ["check", "-q", "--format", "json"]
    for name in corpora:
        shutil.rmtree(cache, ignore_errors=True)
        results[f"{name} cold"] = timed(wflint + json_q + ["--no-cache", name], work, reps)
        results[f"{name} cold -j1"] = timed(wflint + json_q + ["--no-cache", "-j", "1", name], work, reps)
        for n in counts:
            if n != len(have):
                results[f"{name} cold {n} cores"] = timed(pinned(wflint + json_q + ["--no-cache", name], n, have),
                                                          work, reps)
        subprocess.run(wflint + json_q + [name], cwd=work, stdout=subprocess.DEVNULL)  # fill the cache
        subprocess.run(wflint + json_q + [name], cwd=work, stdout=subprocess.DEVNULL)  # and settle it
        results[f"{name} warm"] = timed(wflint + json_q + [name], work, max(reps, 5))
    shutil.rmtree(cache, ignore_errors=True)
    subprocess.run(wflint + json_q + [changed], cwd=repo, stdout=subprocess.DEVNULL)
    subprocess.run(wflint + json_q + [changed], cwd=repo, stdout=subprocess.DEVNULL)
    results["pre-commit"] = timed(wflint + json_q + [changed], repo, max(reps, 5))
    results["one file"] = timed(wflint + ["check", "-q", "--no-cache", one], work, max(reps, 5))
    results["version"] = timed(wflint + ["--version"], work, max(reps, 5))
    results["big dag"] = timed(wflint + json_q + ["--no-cache", "big-dag.yaml"], work, reps)
    checker = shutil.which("check-jsonschema")
    single = [f for f in yaml_files(os.path.join(work, "many10k")) if "\n---" not in open(f).read()]
    if checker and single:
        wrapper = os.path.join(work, "argo-4.1-by-kind.json")
        schema_wrapper(wrapper)
        results["check-jsonschema"] = timed([checker, "--schemafile", wrapper, *single], work, 1)
        results["schema only"] = timed(wflint + json_q + ["--no-cache", "--select", "schema", *single], work, reps)
    if examples:
        results["examples"] = timed(wflint + json_q + ["--no-cache", "."], examples, max(reps, 7))
        results["examples -j1"] = timed(wflint + json_q + ["--no-cache", "-j", "1", "."], examples, max(reps, 7))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--quick", action="store_true", help="corpora a tenth the size, for a smoke test")
    parser.add_argument("--before", default=None, help="another wflint executable, measured the same way")
    parser.add_argument("--examples", default=None, help="a folder of manifests (Argo's examples) for the "
                                                         "default-mode check, and copied to make the examples5k corpus")
    parser.add_argument("--markdown", default=None, help="also write the table to this file")
    args = parser.parse_args()
    work = args.workdir or tempfile.mkdtemp(prefix="wflint-bench-")
    os.environ["WFLINT_CACHE_DIR"] = os.path.join(work, "wflint-cache")
    corpora, repo, changed, one = prepare(work, args.quick, args.examples)
    found = shutil.which("wflint")
    after = [found] if found else [sys.executable, "-m", "wflint"]
    floors = {name: statistics.median(floor(yaml_files(os.path.join(work, name)), args.reps)) for name in corpora}
    nodes_only = {name: statistics.median(floor(yaml_files(os.path.join(work, name)), args.reps, False))
                  for name in corpora}
    measured = {"after": measure(after, work, corpora, repo, changed, one, args.examples, args.reps)}
    if args.before:
        measured["before"] = measure([args.before], work, corpora, repo, changed, one, args.examples, args.reps)

    counts, have = cores()
    lines = [f"wflint benchmark, {time.strftime('%Y-%m-%d')}: {len(have)} cores "
             f"({_cpu_model()}), {sys.implementation.name} {sys.version.split()[0]}; medians of {args.reps}+ "
             "runs (min–max); seconds unless said", ""]
    columns = ["before", "after"] if args.before else ["after"]
    lines.append("| what | " + " | ".join(columns) + " | target |")
    lines.append("| --- | " + " | ".join("---:" for _ in columns) + " | ---: |")

    def add(label, key, target="", ratio_of=None, of=floors):
        cells = []
        for column in columns:
            sample = measured[column].get(key)
            if sample is None or not sample.times:
                cells.append("–")
            elif ratio_of:
                cells.append(f"{sample.median / of[ratio_of]:.2f}x")
            else:
                cells.append(sample.cell())
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")

    for name in corpora:
        files = len(yaml_files(os.path.join(work, name)))
        lines.append(f"| **{name}**: {files:,} files, floor (1 process) {floors[name]:.3f} s, nodes only "
                     f"{nodes_only[name]:.3f} s | " + " | ".join("" for _ in columns) + " | |")
        add("  cold, default -j", f"{name} cold")
        add("  cold, default -j / floor", f"{name} cold", "≤ 1.5x", ratio_of=name)
        add("  cold, default -j / nodes-only floor", f"{name} cold", "", ratio_of=name, of=nodes_only)
        add("  cold, -j 1", f"{name} cold -j1")
        for n in counts:
            if n != len(have):
                add(f"  cold, {n} core(s)", f"{name} cold {n} cores")
        add("  warm (cache filled, nothing changed)", f"{name} warm", "≤ 0.4" if name == "many5k" else "")
    add("pre-commit: 1 changed file of 5,000, cache warm", "pre-commit", "≤ 0.3")
    add("one file, cold", "one file", "≤ 0.2")
    add("`wflint --version`", "version")
    add("one Workflow with a 5,000-task DAG", "big dag", "< 1")
    if "check-jsonschema" in measured["after"]:
        add("check-jsonschema, the single-document files of many10k", "check-jsonschema")
        add("`wflint check --select schema`, the same files", "schema only")
    if args.examples:
        add("Argo's examples, default -j", "examples")
        add("Argo's examples, -j 1", "examples -j1")
        cells = [f"{measured[c]['examples'].median / measured[c]['examples -j1'].median:.2f}x" for c in columns]
        lines.append("| Argo's examples, default / -j 1 | " + " | ".join(cells) + " | ≤ 1.1x |")
    if "many10k" in corpora:
        cells = [f"{max(measured[c]['many10k cold'].rss):.0f} / {max(measured[c]['many10k cold -j1'].rss):.0f}"
                 for c in columns]
        lines.append("| peak RSS (MB) of the largest process, many10k cold: default -j / -j 1 | "
                     + " | ".join(cells) + " | |")
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as handle:
            handle.write(text + "\n")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    main()
