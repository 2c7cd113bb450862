"""Time each rule on a corpus, after the shared walks are warm.

    python bench/rules_profile.py DIR [--rules a,b] [--reps N] [--all]

Each rule's figure is its best of ``--reps`` passes over every document (the
minimum is the least noisy figure on a shared machine). ``memo`` is the first
walk of each document's templates and calls, which the rules then share.
``--all`` also runs the rules that are off by default (the security pack).
``--fresh`` parses the documents again before each pass, so that what a
rule keeps per document (model.py's memo) is cold in every pass, as in a
real run, where each document is checked once.
"""
import argparse
import collections
import gc
import os
import time

from wflint.argo import model
from wflint.argo.index import ProjectIndex
from wflint.rule import Context
from wflint.run.engine import Engine, Options
from wflint.run.registry import load_rules
from wflint.source import files as sources


def manifests(root):
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            if name.endswith((".yaml", ".yml", ".json")):
                yield os.path.join(folder, name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root")
    parser.add_argument("--rules", default="", help="comma-separated rule ids (default: every rule that runs)")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--all", action="store_true", help="also the rules that are off by default")
    parser.add_argument("--fresh", action="store_true",
                        help="parse again before each pass: per-document memos cold, as in a real run")
    args = parser.parse_args()
    gc.disable()
    # `--all`: every rule that is off by default (there is no `all` group to select).
    off = [rule.id for rule in load_rules().values() if not rule.enabled] if args.all else []
    options = Options(use_cache=False, extend_select=off)
    engine = Engine(options)
    paths = sorted(manifests(args.root))

    def fresh_index():
        index = ProjectIndex(engine.parse([sources.read(path) for path in paths]).documents)
        start = time.perf_counter()
        for doc in index.documents:
            model.all_calls(doc)
            model.all_templates(doc)
        return index, time.perf_counter() - start

    index, took = fresh_index()
    print(f"{len(index.documents)} documents; memo {took:.3f}")
    wanted = set(filter(None, args.rules.split(",")))
    rules = [rule for rule in engine.rules if rule.check is not None and (not wanted or rule.id in wanted)]
    best = collections.Counter()
    for rep in range(args.reps + 1):  # the first pass warms what the rules keep per index
        if args.fresh and rep > 0:
            index, _ = fresh_index()
        for rule in rules:
            context = Context(index=index, options=engine._rule_options(rule), argo_version="4.1",
                              config=engine.options)
            started = time.perf_counter()
            for doc in index.documents:
                if doc.kind in rule.kinds:
                    for _ in rule.check(doc, context):
                        pass
            took = time.perf_counter() - started
            if rep == 1 or (rep > 1 and took < best[rule.id]):
                best[rule.id] = took
    print(f"total {sum(best.values()):.3f}")
    for rule_id, took in best.most_common():
        print(f"  {rule_id:24} {took:.3f}")


if __name__ == "__main__":
    main()
