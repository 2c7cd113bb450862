"""The same findings with 1 or N processes, and with or without the index cache."""

import json
import subprocess

import pytest

from wflint.run import parallel
from wflint.run.engine import Engine, Options
from wflint.render import render

from conftest import cache_file, dedent

LIBRARY = dedent("""
    apiVersion: argoproj.io/v1alpha1
    kind: WorkflowTemplate
    metadata:
      name: lib-{i}
    spec:
      templates:
        - name: build
          inputs:
            parameters:
              - name: repo
          container:
            image: golang:1.23
            command: [go, build, "{{{{inputs.parameters.repo}}}}"]
""")

CALLER = dedent("""
    apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    metadata:
      generateName: caller-{i}-
    spec:
      entrypoint: main
      serviceAccountName: runner
      templates:
        - name: main
          dag:
            tasks:
              - name: build
                templateRef: {{name: lib-{lib}, template: {template}}}
                arguments:
                  parameters:
                    - name: {param}
                      value: https://example.com/r.git
              - name: after
                depends: {depends}
                template: echo
        - name: echo
          container:
            image: alpine:3.20
            command: [echo, done]{suppress}
""")


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("tree")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for i in range(0, 60, 10):
        (root / f"lib-{i}.yaml").write_text(LIBRARY.format(i=i))
    for i in range(120):
        broken = i % 7 == 0
        text = CALLER.format(i=i, lib=(i // 20) * 10, template="biuld" if broken else "build",
                             param="rep" if i % 11 == 0 else "repo", depends="buld" if i % 13 == 0 else "build",
                             suppress="  # wflint: disable=schema" if i % 17 == 0 else "")
        folder = root / f"team-{i % 5}"
        folder.mkdir(exist_ok=True)
        (folder / f"wf-{i:03d}.yaml").write_text(text)
    (root / "team-0" / "broken.yaml").write_text("a: [1\n")
    return root


def lint(root, monkeypatch, jobs, use_cache, paths=(".",)):
    monkeypatch.chdir(root)
    monkeypatch.setattr(parallel, "WORK_PER_PROCESS", 1)
    report = Engine(Options(jobs=jobs, use_cache=use_cache)).run(list(paths))
    return render(report, "json")


def test_one_or_many_processes_give_the_same_output(tree, monkeypatch):
    single = lint(tree, monkeypatch, 1, False)
    data = json.loads(single)
    assert data["summary"]["errors"] > 20 and data["summary"]["files"] == 127
    assert {d["rule"] for d in data["diagnostics"]} >= {"template-ref", "parameter", "dag-dependency",
                                                         "yaml-syntax", "unused-suppression"}
    assert lint(tree, monkeypatch, 2, False) == single
    assert lint(tree, monkeypatch, 3, False) == single


def test_with_and_without_the_cache(tree, monkeypatch):
    # Linting one folder: the templates in the rest of the repository come
    # from the index, read from the files or from the cache.
    folder = ["team-1"]
    without = lint(tree, monkeypatch, 1, False, folder)
    assert "template-ref" in without
    assert lint(tree, monkeypatch, 1, True, folder) == without     # writes the cache
    assert cache_file(tree, "index.json").is_file()
    assert lint(tree, monkeypatch, 1, True, folder) == without     # reads it
    assert lint(tree, monkeypatch, 2, True, folder) == without


def test_a_crashing_worker_falls_back_to_one_process(tree, monkeypatch):
    expected = lint(tree, monkeypatch, 1, False)

    def broken(*args, **kwargs):
        raise parallel.WorkerFailed("simulated")
    monkeypatch.setattr(parallel, "run", broken)
    assert lint(tree, monkeypatch, 2, False) == expected


def test_a_worker_that_cannot_start_falls_back_to_one_process(tree, monkeypatch):
    import os
    expected = lint(tree, monkeypatch, 1, False)
    if not hasattr(os, "fork"):
        return

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")
    monkeypatch.setattr(os, "fork", no_fork)
    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    assert lint(tree, monkeypatch, 2, False) == expected
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before   # the worker's pipes were closed


def test_a_parallel_run_leaves_no_descriptor_open(tree, monkeypatch):
    import os
    if not os.path.isdir("/proc/self/fd"):
        return
    lint(tree, monkeypatch, 2, False)   # (warm: what a first run imports or caches)
    before = len(os.listdir("/proc/self/fd"))
    lint(tree, monkeypatch, 2, False)
    assert len(os.listdir("/proc/self/fd")) == before


def test_partition_balances_by_size():
    shares = parallel.partition(["a", "b", "c", "d"], [100_000, 10, 10, 100_000], 2)
    assert sorted(map(sorted, shares)) == [["a", "b"], ["c", "d"]] or sorted(map(sorted, shares)) == [
        ["a", "c"], ["b", "d"]]


def test_the_number_of_processes_follows_the_work(monkeypatch):
    mib = 1024 * 1024
    assert parallel.processes(8, [1_500] * 200) == 1             # a small tree: no workers at all
    assert parallel.processes(8, [50 * mib]) == 1                # one big file: nothing to share
    assert parallel.processes(8, [3_000] * 2_000) == 8           # 10 MB of work: every core
    assert parallel.processes(2, [3_000] * 2_000) == 2           # never more than asked for
    assert parallel.processes(1, [3_000] * 2_000) == 1
    many_small = parallel.processes(8, [100] * 600)              # files cost something even when tiny
    assert many_small == 1


def test_index_entries_pass_between_workers_as_bytes_and_are_checked_where_they_arrive():
    import pickle
    from multiprocessing import Pipe
    from wflint.argo.index import IndexEntry
    entry = IndexEntry(kind="WorkflowTemplate", name="t", namespace=None, path="a.yaml", document=0, line=1,
                       data={"kind": "WorkflowTemplate"})
    assert parallel._entries(parallel._ENTRIES + pickle.dumps([entry])) == [entry]
    for bad in (parallel._ENTRIES + pickle.dumps(["not an entry"]), parallel._ENTRIES + pickle.dumps({}),
                pickle.dumps([entry])):
        with pytest.raises(parallel.WorkerFailed, match="malformed index entries"):
            parallel._entries(bad)
    parent, child = Pipe()
    child.send(("error", "Traceback: boom"))
    with pytest.raises(parallel.WorkerFailed, match="boom"):
        parallel._receive_entries(parent)
    child.send(("done", None))
    with pytest.raises(parallel.WorkerFailed, match="other than its index entries"):
        parallel._receive_entries(parent)
    child.send_bytes(parallel._ENTRIES + b"raw")
    assert parallel._receive_entries(parent) == parallel._ENTRIES + b"raw"  # passed on as it came
    child.close()
    with pytest.raises(parallel.WorkerFailed, match="died"):
        parallel._receive_entries(parent)


def test_claims_hand_each_streamed_file_to_exactly_one_worker():
    shares = [["a", "b", "c", "d"], ["e", "f"]]
    owner, thief = parallel.Claims(shares), None
    owner.batch = 1                        # one file per lock (see below for more)
    owner.mine = 0
    owner.offer(["a", "c", "d"])           # b holds an indexed document: its owner keeps it
    assert owner.take("a")
    assert not owner.take("a") and not owner.take("b")
    thief = owner                          # (one process here: the same shared state)
    thief.mine = 1
    assert list(thief.leftovers()) == ["d", "c"]    # from the back of the other share, never b
    thief.mine = 0
    assert not owner.take("c") and not owner.take("d")
    assert list(owner.leftovers()) == []            # share 1 offered nothing


def test_an_owner_takes_its_next_files_a_few_at_a_time():
    shares = [["a", "b", "c", "d", "e", "f"], ["g"]]
    claims = parallel.Claims(shares)
    claims.batch = 3
    claims.mine = 0
    claims.offer(["a", "c", "d", "e", "f"])    # b holds an indexed document
    assert claims.take("a")                     # and c and d with it, under the same lock
    claims.mine = 1
    assert list(claims.leftovers()) == ["f", "e"]   # what the owner had not reserved
    claims.mine = 0
    assert claims.take("c") and claims.take("d")   # reserved: no lock needed
    assert not claims.take("e") and not claims.take("f")
    assert not claims.take("c")                 # each file once


def test_forked_workers_talk_through_length_prefixed_messages():
    """forked.py's channel and lock, between this process and a fork."""
    import os
    from wflint.run import forked

    def echo(channel, lock):
        with lock:
            while True:
                message = channel.recv_bytes()
                if message == b"stop":
                    break
                channel.send_bytes(message[::-1])
        channel.send(("done", len(message)))

    lock = forked.Lock()
    worker = forked.Worker(echo, (lock,))
    with lock:   # the worker waits for the lock before it reads anything
        channel = worker.start()
        channel.send_bytes(b"")
        assert not channel.poll()
    big = os.urandom(3 << 20)   # longer than a pipe holds, and than one read takes
    channel.send_bytes(big)
    assert channel.recv_bytes() == b""
    assert channel.recv_bytes() == big[::-1]
    channel.send_bytes(b"stop")
    assert channel.recv() == ("done", 4)
    worker.join(timeout=10)
    assert worker.exitcode == 0 and not worker.is_alive()
    with pytest.raises(EOFError):
        channel.recv_bytes()   # the worker is gone
    channel.close()


def test_a_worker_that_finishes_first_lints_what_another_left(tree, monkeypatch):
    """Two shares linted one after the other in this process, the second
    worker first: it takes its own files, then the first one's streamed files
    from the back; the first worker then lints only what is left. Together
    they give what one process gives."""
    import multiprocessing
    from wflint.argo.index import may_hold_indexed
    from wflint.run.pipeline import Pipeline, Run, index_entries
    monkeypatch.chdir(tree)
    found = sorted(str(p.relative_to(tree)) for p in tree.rglob("*.yaml") if ".git" not in p.parts)
    shares = [found[::2], found[1::2]]
    claims = parallel.Claims(shares)
    options = Options(jobs=1, use_cache=False)
    everything = Pipeline(options).lint_share(found, lambda own: [])
    entries = {e.path: e for e in index_entries(Pipeline(options).parse(Pipeline(options).read(found)[0]).documents)}
    # share 0's owner has read its files and offered its streamed ones
    claims.offer(p for p in shares[0] if not may_hold_indexed(open(p, encoding="utf-8").read()))

    def exchange(waits):
        """The index exchange, as a worker waits through it: parsing ahead ``waits`` times."""
        def exchange(own, meanwhile):
            for _ in range(waits):
                if not meanwhile():
                    break
            return list(entries.values())
        return exchange
    claims.mine = 1
    second = Pipeline(options).lint_share(shares[1], exchange(5), claims=claims)
    claims.mine = 0
    first = Pipeline(options).lint_share(shares[0], exchange(0), claims=claims)
    stolen = set(second.linted) - set(shares[1])
    assert stolen and not stolen & set(first.linted)
    assert sorted(first.linted + second.linted) == sorted(everything.linted)
    key = lambda f: (f.path, f.line, f.column, f.rule, f.message)  # noqa: E731
    merged = Run()
    merged.merge(first)
    merged.merge(second)
    assert sorted(map(key, merged.findings)) == sorted(map(key, everything.findings))
