"""Time each rule on a corpus, after the shared walks are warm: python bench/rules_profile.py DIR"""
import sys, time, glob, gc, collections
from wflint.run.engine import Engine, Options
from wflint.argo.index import ProjectIndex
from wflint.source import files as sources
from wflint.argo import model
from wflint.rule import Context
gc.disable()
files = sorted(glob.glob(sys.argv[1] + '/**/*.yaml', recursive=True))
srcs = [sources.read(f) for f in files]
e = Engine(Options(use_cache=False))
parsed = e.parse(srcs)
index = ProjectIndex(parsed.documents)
t = time.perf_counter()
for doc in index.documents:
    model.all_calls(doc); model.all_templates(doc)
print('memo', time.perf_counter() - t)
times = collections.Counter()
for rep in range(2):
    for rule in e.rules:
        if rule.check is None: continue
        ctx = Context(index=index, options=e._rule_options(rule), argo_version='4.1', config=e.options)
        s = time.perf_counter()
        for doc in index.documents:
            if doc.kind in rule.kinds:
                for f in rule.check(doc, ctx): pass
        if rep: times[rule.id] = time.perf_counter() - s
print('total', sum(times.values()))
for k, v in times.most_common(): print(f"  {k:20} {v:.3f}")
