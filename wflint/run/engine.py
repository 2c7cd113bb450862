"""One run of `wflint check`: which way to run the pipeline's phases.

The phases themselves (read, parse, index, check, resolve positions, apply
configuration, suppressions and the baseline) live in pipeline.py; the engine
chooses how to run them: in this process, on every core (parallel.py), from
the results cache (results.py) for unchanged files, or with standard input.
Whichever way, the report is the same.
"""

from __future__ import annotations

import gc
import os
import time
from typing import Dict, List, Optional, Sequence

from ..source import files as sources
from . import suppress
from ..source.discovery import discover
from ..finding import Finding
from ..argo.index import ProjectIndex
# The names below moved to options.py and pipeline.py; imported here for
# code (and plugins' tests) that import them from the engine.
from .options import Options, active_rules  # noqa: F401
from .pipeline import (PATCH_RULES, BadFinding, Parsed, Pipeline, Report, Run, index_entries, _internal_error,
                       invalid_finding, raise_recursion_limit)


class Engine(Pipeline):
    # -- inputs ------------------------------------------------------------

    def run(self, paths: Sequence[str] = (), stdin: Optional[bytes] = None,
            stdin_name: str = "<stdin>") -> Report:
        """Lint ``paths`` (and ``stdin``'s bytes, reported as ``stdin_name``)."""
        # Every parsed document stays alive until the end of the run, so each
        # full collection of the cyclic GC would rescan millions of nodes that
        # can never be garbage: pause it (the run creates almost no cycles).
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._run(paths, stdin, stdin_name)
        finally:
            if enabled:
                gc.enable()

    def _run(self, paths: Sequence[str], stdin: Optional[bytes], stdin_name: str) -> Report:
        cache = self._results_cache(paths) if stdin is None else None
        # Each file's stamp, taken before it is read, is what the cache compares next time.
        found = discover(paths, self.options.excluder(), stats=cache is not None)
        self._chart_templates = found.chart_templates  # indexed even when no project scan runs
        self.know_walked(found.walked())
        findings: List[Finding] = list(found.findings)
        if stdin is not None:
            return self._run_with_stdin(paths, found, findings, stdin, stdin_name)
        if cache is not None:
            report = self._run_cached(paths, found, findings, cache)
            if report is not None:
                return report
        run = self._run_parallel(paths, found) or self._run_single(paths, found)
        if cache is not None:
            self._store(cache, run, found)
        return self.report(findings + run.findings, Parsed(directives=run.directives, linted=run.linted),
                           len(found.files), sum(run.documents.values()), run.internal)

    def _run_with_stdin(self, paths, found, findings, stdin: bytes, stdin_name: str) -> Report:
        files, problems = self.read(found.files)
        findings.extend(problems)
        # Standard input named like a file also linted stays a separate source:
        # keyed by the same path, its `# wflint:` directives would apply to
        # the file's findings (and its text would replace the file's lines).
        taken = {os.path.abspath(p) for p in found.files}
        if os.path.abspath(stdin_name) in taken:
            stdin_name = f"{stdin_name} (stdin)"
        decoded = sources.decode_capped(stdin_name, stdin, self.options.max_file_size)
        (findings if isinstance(decoded, Finding) else files).append(decoded)
        entries = self.project_entries(paths, found.files)
        return self.lint(files, findings, file_count=len(found.files) + 1, entries=entries)

    def _run_single(self, paths, found) -> Run:
        files, problems = self.read(found.files)
        outside = self.project_entries(paths, found.files)
        run = self.lint_share(found.files, lambda own: outside, files=files)
        run.findings[:0] = problems
        run.outside = outside
        return run

    def _run_parallel(self, paths, found) -> Optional["Run"]:
        """The same run on every core, when there is enough to gain; None otherwise."""
        from . import parallel
        jobs = self.options.jobs or parallel.available_cpus()
        if jobs < 2:
            return None
        sizes: Optional[List[int]] = None   # unknown: each file is worth the same
        if not parallel.enough_files(jobs, len(found.files)):
            sizes = []
            for path in found.files:
                stat = found.stats.get(path)
                if stat is None:
                    try:
                        stat = os.stat(path)
                    except OSError:
                        sizes.append(0)
                        continue
                sizes.append(stat.st_size)
            jobs = parallel.processes(jobs, sizes)
            if jobs < 2:
                return None
        try:
            run = parallel.run(self.options, found.files, sizes, jobs,
                               lambda: self.project_entries(paths, found.files), self._walked)
        except parallel.WorkerFailed:
            return None  # lint in this process instead: slower, never wrong
        order = {path: i for i, path in enumerate(found.files)}
        run.linted = sorted(run.linted, key=lambda path: order.get(path, len(order)))
        return run

    # -- the results cache ---------------------------------------------------

    def _results_cache(self, paths):
        config = self.options.config
        if not (self.options.use_cache and config.cache):
            return None
        from ..argo import project
        from . import results
        where = project.locate(paths, config.root if config.path is not None else None, config.template_paths,
                               self.options.template_paths, use_cache=True)
        if where.root is None:
            return None
        from ..source.cachefile import location
        path = location(where.root, results.FILE)
        if path is None:
            return None
        settings = results.settings_fingerprint(self.options, self.rules)
        return results.ResultsCache(path, settings)

    def _run_cached(self, paths, found, findings: List[Finding], cache) -> Optional[Report]:
        """Reuse what the cache holds for unchanged files, when the index has
        not changed either; lint the few changed files. None: lint everything."""
        from . import results
        from ..argo.project import entry_from_json
        from ..source.cachefile import settled
        hits: Dict[str, tuple] = {}
        misses: List[sources.SourceFile] = []
        unread = []
        for path in found.files:  # unchanged by their stamps: not even read
            record = cache.unchanged(path, found.stats.get(path))
            if record is not None and bool(record.get("patch")) == self.is_patch(path):
                hits[path] = (None, record)
            else:
                unread.append(path)
        files, unreadable = self.read(unread)
        for read in files:
            path = read.path
            record = cache.get(path, read.digest)
            if record is not None and bool(record.get("patch")) != self.is_patch(path):
                record = None  # a kustomization started or stopped naming it as a patch
            if record is None:
                misses.append(read)
            else:
                hits[path] = (read, record)
        if not hits or len(misses) > max(20, len(found.files) // 10):
            return None  # mostly new: the full run (on every core) is the faster way
        outside = self.project_entries(paths, found.files)
        parsed = self.parse(misses)
        hit_entries = [entry_from_json(path, item) for path, (_, record) in hits.items()
                       for item in record.get("entries", ())]
        miss_entries = index_entries(parsed.documents)
        fingerprint = results.index_fingerprint(outside + hit_entries + miss_entries)
        if fingerprint != cache.index:
            return None  # another file's templates changed: every file must be checked again
        index = ProjectIndex(parsed.documents, entries=outside + hit_entries)
        checked, internal = self.check(index)
        run = Run(outside=outside, internal=internal)
        run.absorb(parsed, index, miss_entries)
        run.findings = unreadable + parsed.findings + checked
        run.digests = {source.path: source.digest for source in misses}
        for path, (source, record) in hits.items():
            run.findings.extend(results.finding_from_json(item) for item in record.get("findings", ()))
            run.documents[path] = record.get("documents", 0)
            run.digests[path] = record["digest"]
            run.entries[path] = [entry_from_json(path, item) for item in record.get("entries", ())]
            directives = suppress.parse(source.text) if source is not None else None
            if directives:
                run.directives[path] = directives
        order = {path: i for i, path in enumerate(found.files)}
        run.linted = sorted(run.digests, key=lambda path: order.get(path, len(order)))
        # A file read again although unchanged (its stamp changed, or was too
        # fresh to trust when the cache was written) is not read next time if
        # the cache is written again now, unless it is still too fresh or
        # holds directives.
        now = time.time()
        restamp = any(source is not None and path not in run.directives and path in found.stats
                      and settled(found.stats[path], now) for path, (source, record) in hits.items())
        if misses or len(hits) != len(cache.files) or restamp:
            self._store(cache, run, found)
        return self.report(findings + run.findings, Parsed(directives=run.directives, linted=run.linted),
                           len(found.files), sum(run.documents.values()), run.internal)

    def _store(self, cache, run: "Run", found) -> None:
        from . import results
        from ..argo.project import entry_to_json
        from ..source.cachefile import stamp
        by_path: Dict[str, List[Finding]] = {}
        crashed = set()
        for item in run.findings:
            by_path.setdefault(item.path, []).append(item)
            if item.rule == "internal-error":
                crashed.add(item.path)
        files = {}
        all_entries = list(run.outside)
        for path, file_digest in run.digests.items():
            entries = run.entries.get(path, [])
            all_entries.extend(entries)
            if path in crashed:
                continue  # a crash is not a result: lint the file again next time
            files[path] = {"digest": file_digest, "documents": run.documents.get(path, 0),
                           "patch": self.is_patch(path),
                           # Only the walk's stat, taken before the file was read: if it
                           # changed since, the stamp says so. (Files named on the command
                           # line, a pre-commit hook's, have none: they are read every time.)
                           "stamp": stamp(found.stats[path]) if path in found.stats else None,
                           # Directives are read from the text: a file with some is read every time.
                           "directives": bool(run.directives.get(path)),
                           "entries": [entry_to_json(e) for e in entries],
                           "findings": [results.finding_to_json(f) for f in by_path.get(path, ())]}
        cache.save(files, results.index_fingerprint(all_entries))
