"""Linting many files on every core, each file still parsed once.

Each worker process runs the pipeline (pipeline.py) on a fixed share of the
files: it reads and parses them and keeps their documents. The index needs every file's WorkflowTemplates before any
rule runs, so the workers send what they would index, the parent merges it
with the rest of the project, sends each worker the part it lacks, and the
workers run the rules on the documents they kept. Each worker's results come
back as one `pipeline.Run` record, findings with their positions resolved;
the parent applies suppressions, the
baseline and the configuration exactly as a single process does, so the
output is the same whatever the number of processes.
"""

from __future__ import annotations

import os
import sys
from typing import List, Optional, Sequence

from ..argo.index import IndexEntry
from .pipeline import Pipeline, Run

# How many processes a run uses follows the work: bytes to parse, each file's
# capped (a multi-megabyte file is most often a CustomResourceDefinition or a
# chart's values, skipped cheaply) plus a fixed cost per file. Starting a
# worker, and sending the index and findings between processes, costs about
# what linting 100 KB does, so below WORK_PER_PROCESS of work per process a
# worker would save less than it costs (measured: bench/run.py, "parallel").
WORK_PER_PROCESS = 1024 * 1024
FILE_COST = 2048
BIG_FILE = 256 * 1024


def available_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def work(size: int) -> int:
    """The weight of a file of ``size`` bytes, in bytes of typical work."""
    return min(size, BIG_FILE) + FILE_COST


def processes(jobs: int, sizes: Sequence[int]) -> int:
    """How many processes to lint files of ``sizes`` with, at most ``jobs``:
    1 (no workers) unless each would have enough work to gain from it."""
    total = sum(work(size) for size in sizes)
    return max(1, min(jobs, total // WORK_PER_PROCESS))


def enough_files(jobs: int, count: int) -> bool:
    """Whether ``count`` files alone are work enough for ``jobs`` processes
    (their sizes could only add to it, so none need be looked up)."""
    return count * FILE_COST >= jobs * WORK_PER_PROCESS


def partition(paths: Sequence[str], sizes: Optional[Sequence[int]], parts: int) -> List[List[str]]:
    """Split files into ``parts`` shares of similar total size (largest first,
    each to the lightest share), keeping each share in the given order.
    Without ``sizes``, shares of as many files each, dealt in turn (the
    workers share out what is left at the end anyway: see Claims)."""
    if sizes is None:
        shares = [list(paths[share::parts]) for share in range(parts)]
        return [share for share in shares if share]
    import heapq
    weights = [min(size, BIG_FILE) + FILE_COST for size in sizes]  # work(size), inlined: once per file
    lightest = [(0, share) for share in range(parts)]  # (load, share): a heap, the lightest first
    owner = [0] * len(paths)
    for i in sorted(range(len(paths)), key=weights.__getitem__, reverse=True):
        load, share = lightest[0]
        owner[i] = share
        heapq.heapreplace(lightest, (load + weights[i], share))
    shares: List[List[str]] = [[] for _ in range(parts)]
    for i, path in enumerate(paths):
        shares[owner[i]].append(path)
    return [share for share in shares if share]


def _die_with_parent(parent: int) -> None:
    """End this worker when the process that started it ends, however it
    ends (SIGKILL included): a thread notices that the parent id changed.
    (prctl's PDEATHSIG would need ctypes, which wflint does not load.)"""
    import threading
    import time
    if os.getppid() != parent:  # it died already
        os._exit(1)

    def watch():
        while os.getppid() == parent:
            time.sleep(0.25)
        os._exit(1)
    threading.Thread(target=watch, name="wflint-parent-watch", daemon=True).start()


class Claims:
    """Which streamed files (those with no indexed document) are taken, shared
    by the workers of one run (made before they fork): each worker offers
    its own, takes them from the front of its share, and then takes what is
    left of the others' from the back, under one lock, so that no file is
    linted twice and none is missed. A worker taking its own files takes
    the next few free ones at once (``batch``): one lock for several files."""

    FREE, TAKEN = 1, 2   # (0: not offered: indexed, or unreadable, or not read yet)
    batch = 4

    def __init__(self, shares: Sequence[Sequence[str]]):
        import mmap
        self.shares = [list(share) for share in shares]
        self.order = {path: i for i, path in enumerate(path for share in self.shares for path in share)}
        self.ends = []     # the end of each share, in the order
        for share in self.shares:
            self.ends.append((self.ends[-1] if self.ends else 0) + len(share))
        # One byte per file in an anonymous shared mapping, which forked
        # processes share (multiprocessing's shared arrays would load ctypes).
        self.state = mmap.mmap(-1, max(1, len(self.order)))
        from .forked import Lock
        self.lock = Lock()
        self.mine = 0      # which share is this process's (set in the worker)
        self.reserved = set()   # files of this process's share it has taken but not asked for yet

    def offer(self, paths) -> None:
        """Offer this worker's streamed files (before any worker takes one:
        the index exchange comes between, and every worker offers before it)."""
        state, order = self.state, self.order
        with self.lock:
            for path in paths:
                if state[order[path]] == 0:
                    state[order[path]] = self.FREE

    def take(self, path: str) -> bool:
        """Take ``path``, a file of this process's own share (asked for in
        order), if no other worker has."""
        i = self.order[path]
        if i in self.reserved:
            self.reserved.discard(i)
            return True
        state, free, taken = self.state, self.FREE, self.TAKEN
        with self.lock:
            if state[i] != free:
                return False
            state[i] = taken
            end, wanted, j = self.ends[self.mine], self.batch - 1, i + 1
            while wanted and j < end:
                if state[j] == free:
                    state[j] = taken
                    self.reserved.add(j)
                    wanted -= 1
                j += 1
        return True

    def close(self) -> None:
        """Let go of the shared state and the lock (in the parent, once the workers are done)."""
        self.state.close()
        self.lock.close()

    def leftovers(self):
        """The files other workers offered and have not taken yet, each taken
        as it is handed out, from the back of each share."""
        for number, share in enumerate(self.shares):
            if number == self.mine:
                continue
            for path in reversed(share):
                i = self.order[path]
                with self.lock:
                    if self.state[i] != self.FREE:
                        continue   # indexed, unreadable, or taken (by its owner, or another worker)
                    self.state[i] = self.TAKEN
                yield path


def _worker(conn, options, paths, parent: int = 0, claims=None, mine: int = 0, walked=None) -> None:
    """One share of the run (pipeline.Pipeline.lint_share): phase one, send
    the share's index entries, receive the others', phase two, send the
    share's `Run` record."""
    import signal
    import traceback
    try:
        try:  # a fork inherits the parent's handler, meant for the parent alone
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        except (ValueError, OSError):
            pass
        if parent:
            _die_with_parent(parent)
        import gc
        gc.disable()

        import pickle

        def exchange(own, meanwhile=None):
            conn.send_bytes(_ENTRIES + pickle.dumps(own, pickle.HIGHEST_PROTOCOL))
            if meanwhile is not None:
                while not conn.poll() and meanwhile():   # work on while the other workers finish
                    pass
            message, foreign, others = conn.recv()
            for _ in range(others):
                foreign += _entries(conn.recv_bytes())
            return foreign
        if claims is not None:
            claims.mine = mine
        conn.send(("done", Pipeline(options, walked).lint_share(paths, exchange, claims=claims)))
    except BaseException:  # report, never hang the parent
        try:
            conn.send(("error", traceback.format_exc()))
        except (OSError, ValueError):
            pass
    finally:
        conn.close()


def _spawn_context():
    """multiprocessing, where there is no fork (Windows): spawned workers
    import wflint again, and keep to their shares (no Claims)."""
    import multiprocessing
    return multiprocessing.get_context("spawn")


def _start(args):
    """Start a worker on ``_worker(channel, *args)``: (process, the parent's
    end of its channel). Forked where the system can (forked.py), else
    spawned. A worker that cannot be started (no memory, no process or file
    slot left) is a WorkerFailed: the run goes on in this process."""
    try:
        if hasattr(os, "fork"):
            from .forked import Worker
            process = Worker(_worker, args)
            return process, process.start()
        context = _spawn_context()
        parent, child = context.Pipe()
        process = context.Process(target=_worker, args=(child, *args), daemon=True)
        process.start()
        child.close()
        return process, parent
    except OSError as exc:
        raise WorkerFailed(f"cannot start a worker process: {exc}")


class WorkerFailed(Exception):
    pass


def run(options, paths: Sequence[str], sizes: Optional[Sequence[int]], jobs: int, project_entries,
        walked=None) -> Run:
    """Lint ``paths`` on ``jobs`` processes with ``options``. ``project_entries()``
    computes the index entries from outside the linted files, while the
    workers parse. Returns the workers' `Run` records merged (``outside``: the
    entries from outside). ``walked``: as Pipeline takes it."""
    import signal  # (here: a run that needs no workers never loads it)
    shares = partition(paths, sizes, jobs)
    # Files are handed between workers through memory they share by forking; spawned ones keep to their share.
    claims = Claims(shares) if hasattr(os, "fork") else None
    workers = []
    previous = _on_sigterm()
    try:
        for mine, share in enumerate(shares):
            workers.append(_start((options, share, os.getpid(), claims, mine, walked)))
        outside = project_entries()
        # Each worker's entries go to the others as the bytes it sent: the
        # workers wait for them, so this process does not unpickle and pickle
        # them again on the way (each worker checks what it receives).
        sent = [_receive_entries(conn) for process, conn in workers]
        for i, (process, conn) in enumerate(workers):
            conn.send(("entries", outside, len(sent) - 1))
            for j, raw in enumerate(sent):
                if j != i:
                    conn.send_bytes(raw)
        merged = Run(outside=outside)
        for process, conn in workers:
            record = _receive(conn, "done")[1]
            if not isinstance(record, Run):
                raise WorkerFailed(f"a worker sent a {type(record).__name__}, not a Run record")
            try:
                merged.merge(record.validate())
            except ValueError as exc:
                raise WorkerFailed(str(exc))
        return merged
    finally:
        _stop(workers)
        if claims is not None:
            claims.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


class Terminated(BaseException):
    """SIGTERM arrived while workers ran: they are stopped, then the run ends."""


def _on_sigterm():
    """Turn SIGTERM into an exception while workers run, so that the
    `finally` above stops them; returns the handler to restore (None when
    this is not the main thread, where handlers cannot be set)."""
    import signal

    def handler(signum, frame):
        raise Terminated("terminated")
    try:
        return signal.signal(signal.SIGTERM, handler)
    except (ValueError, OSError):
        return None


def _stop(workers) -> None:
    for process, conn in workers:
        conn.close()
    ended = sys.exc_info()[0] is not None  # leaving on an error or a signal: do not wait for them
    for process, conn in workers:
        process.join(timeout=0.5 if ended else 5)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)


_ENTRIES = b"E"  # the first byte of a worker's message of index entries (a pickle never starts so)


def _receive_entries(conn) -> bytes:
    """A worker's index entries, as the bytes it sent (an error it reports instead is raised)."""
    try:
        raw = conn.recv_bytes()
    except EOFError:
        raise WorkerFailed("a worker process died")
    if raw[:1] == _ENTRIES:
        return raw
    import pickle
    message = pickle.loads(raw)
    if isinstance(message, tuple) and message and message[0] == "error":
        raise WorkerFailed(message[1])
    raise WorkerFailed("a worker sent something other than its index entries")


def _entries(raw: bytes) -> List[IndexEntry]:
    """Another worker's index entries, from the bytes it sent."""
    import pickle
    entries = pickle.loads(raw[len(_ENTRIES):]) if raw[:1] == _ENTRIES else None
    if not isinstance(entries, list) or not all(isinstance(e, IndexEntry) for e in entries):
        raise WorkerFailed("a worker sent malformed index entries")
    return entries


def _receive(conn, expected: str):
    try:
        message = conn.recv()
    except EOFError:
        raise WorkerFailed("a worker process died")
    if message[0] == "error":
        raise WorkerFailed(message[1])
    if message[0] != expected:
        raise WorkerFailed(f"unexpected message {message[0]!r}")
    return message
