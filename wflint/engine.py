"""One pass: files -> documents with positions -> index -> rules -> findings.

The engine is the only place that turns a rule's node path into a line and
column, stamps rule ids and severities, and applies configuration.
"""

from __future__ import annotations

import gc
import os
import re
import sys
import traceback
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Mapping, Optional, Sequence

from . import embedded, loader, nearmiss, source as sources, suppress
from .config import Config
from .discovery import Excluder, discover
from .document import Document
from .finding import ERROR, INFO, SEVERITIES, Finding, json_pointer, severity_rank
from .index import IndexEntry, ProjectIndex, entry_of, indexable
from .registry import load_rules
from .rule import Context, Rule
from .argo_version import DEFAULT as DEFAULT_VERSION, ArgoVersion


# Rules that run on a kustomize patch (a part of an object): the schema of the
# fields it sets. Syntax and duplicate keys are reported while reading.
PATCH_RULES = frozenset({"schema"})


@dataclass
class Options:
    """Everything that shapes a run: the configuration file, then command-line
    flags on top of it."""

    argo_version: str = DEFAULT_VERSION
    max_file_size: int = sources.DEFAULT_MAX_FILE_SIZE
    exclude: Sequence[str] = ()               # --exclude patterns, relative to the working directory
    select: Optional[Sequence[str]] = None    # --select: run only these rules
    extend_select: Sequence[str] = ()         # --extend-select: run these as well as the selection
    ignore: Sequence[str] = ()                # --ignore: never run these
    quiet: bool = False
    config: Config = field(default_factory=Config)
    template_paths: Sequence[str] = ()        # --template-path: where the index looks instead
    use_cache: bool = True                    # --no-cache turns the index cache off
    baseline: Optional[str] = None            # --baseline: hide the findings this file records
    jobs: int = 0                             # processes for many files; 0: one per available core

    def excluder(self) -> Excluder:
        excluder = Excluder(self.exclude)
        excluder.add(self.config.exclude, self.config.root)
        # Stub files describe templates that live elsewhere: index them, never lint them.
        return excluder.add(self.config.stubs, self.config.root)


@dataclass
class Parsed:
    """What phase one (reading and parsing) produces for a set of files."""

    documents: List[Document] = field(default_factory=list)   # Argo documents and indexed RBAC objects
    findings: List[Finding] = field(default_factory=list)
    directives: Dict[str, list] = field(default_factory=dict)  # suppressions by path
    linted: List[str] = field(default_factory=list)
    sources: Dict[str, sources.SourceFile] = field(default_factory=dict)


@dataclass
class Run:
    """Everything a run found, before configuration, suppressions and the
    baseline are applied: what the results cache stores per file."""

    findings: List[Finding] = field(default_factory=list)
    internal: int = 0
    documents: Dict[str, int] = field(default_factory=dict)          # Argo documents per file
    entries: Dict[str, List[IndexEntry]] = field(default_factory=dict)  # index entries per linted file
    digests: Dict[str, str] = field(default_factory=dict)
    directives: Dict[str, list] = field(default_factory=dict)
    linted: List[str] = field(default_factory=list)
    outside: List[IndexEntry] = field(default_factory=list)           # entries from the rest of the project

    def absorb(self, parsed: "Parsed", index: ProjectIndex) -> None:
        self.directives.update(parsed.directives)
        self.linted.extend(parsed.linted)
        for document in index.documents:
            self.documents[document.path] = self.documents.get(document.path, 0) + 1
        for document in parsed.documents:
            if indexable(document):
                self.entries.setdefault(document.path, []).append(entry_of(document))


@dataclass
class Report:
    findings: List[Finding]
    files: int
    documents: int
    internal_errors: int = 0
    sources: Dict[str, sources.SourceFile] = field(default_factory=dict, repr=False)
    linted: List[str] = field(default_factory=list)   # every file the run read, in order
    active: Optional[List[str]] = None                # the ids of the rules the run used

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def line(self, path: str, number: int) -> str:
        """Source line ``number`` of ``path``, for showing a finding in context
        (read again from disk when another process parsed it)."""
        source = self.sources.get(path)
        if source is None and os.path.isfile(path):
            read = sources.read(path)
            source = self.sources[path] = read if isinstance(read, sources.SourceFile) else None
        return source.line(number) if source is not None else ""


def active_rules(options: Options) -> List[Rule]:
    """The rules a run uses: defaults, then the config's `rules`, `select` and
    `ignore`, then --select (which replaces any selection), the config's and
    the command line's `extend-select` (which add to it) and --ignore. A group
    name (`security`) stands for every rule of the group."""
    from .registry import expand
    rules = load_rules()
    config = options.config
    enabled = {rule_id: rule.enabled for rule_id, rule in rules.items()}
    for rule_id, setting in config.rules.items():
        if setting.enabled is not None and rule_id in enabled:
            enabled[rule_id] = setting.enabled
    select = options.select if options.select is not None else config.select
    if select is not None:
        chosen = set(expand(select, rules))
        enabled = {rule_id: rule_id in chosen for rule_id in enabled}
    for rule_id in expand(list(getattr(config, "extend_select", ())) + list(options.extend_select), rules):
        if rule_id in enabled:
            enabled[rule_id] = True
    for rule_id in expand(list(config.ignore) + list(options.ignore), rules):
        enabled[rule_id] = False
    return [rule for rule_id, rule in rules.items() if enabled.get(rule_id)]


class Engine:
    def __init__(self, options: Optional[Options] = None):
        self.options = options or Options()
        self.rules = active_rules(self.options)
        self._by_id = {r.id: r for r in self.rules}
        self._all = load_rules()
        from .kustomize import PatchFinder
        self._patches = PatchFinder()

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
        found = discover(paths, self.options.excluder())
        self._chart_templates = found.chart_templates  # indexed even when no project scan runs
        findings: List[Finding] = list(found.findings)
        if stdin is not None:
            return self._run_with_stdin(paths, found, findings, stdin, stdin_name)
        cache = self._results_cache(paths)
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
        files: List[sources.SourceFile] = []
        for path in found.files:
            read = sources.read(path, self.options.max_file_size)
            (findings if isinstance(read, Finding) else files).append(read)
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

    def _run_single(self, paths, found) -> "Run":
        run = Run()
        files: List[sources.SourceFile] = []
        for path in found.files:
            read = sources.read(path, self.options.max_file_size)
            if isinstance(read, Finding):
                run.findings.append(read)
            else:
                files.append(read)
                run.digests[path] = read.digest
        run.outside = self.project_entries(paths, found.files)
        parsed = self.parse(files)
        index = ProjectIndex(parsed.documents, entries=run.outside)
        checked, run.internal = self.check(index)
        run.absorb(parsed, index)
        run.findings.extend(parsed.findings + checked)
        return run

    def _run_parallel(self, paths, found) -> Optional["Run"]:
        """The same run on every core, when there is enough to gain; None otherwise."""
        from . import parallel
        jobs = self.options.jobs or parallel.available_cpus()
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
        if not parallel.worth_it(jobs, sizes):
            return None
        run = Run()
        try:
            result = parallel.run(self, found.files, sizes, jobs, lambda: self.project_entries(paths, found.files))
        except parallel.WorkerFailed:
            return None  # lint in this process instead: slower, never wrong
        run.findings, run.internal, run.documents, run.directives, linted, run.digests, own, run.outside = result
        for entry in own:
            run.entries.setdefault(entry.path, []).append(entry)
        order = {path: i for i, path in enumerate(found.files)}
        run.linted = sorted(linted, key=lambda path: order.get(path, len(order)))
        return run

    # -- the results cache ---------------------------------------------------

    def _results_cache(self, paths):
        from . import project, results
        config = self.options.config
        if not (self.options.use_cache and config.cache):
            return None
        where = project.locate(paths, config.root if config.path is not None else None, config.template_paths,
                               self.options.template_paths, use_cache=True)
        if where.root is None:
            return None
        from .cachefile import location
        path = location(where.root, results.FILE)
        if path is None:
            return None
        settings = results.settings_fingerprint(self.options, self.rules)
        return results.ResultsCache(path, settings)

    def _run_cached(self, paths, found, findings: List[Finding], cache) -> Optional[Report]:
        """Reuse what the cache holds for unchanged files, when the index has
        not changed either; lint the few changed files. None: lint everything."""
        from . import results
        from .project import entry_from_json
        hits: Dict[str, tuple] = {}
        misses: List[sources.SourceFile] = []
        unreadable: List[Finding] = []
        for path in found.files:
            read = sources.read(path, self.options.max_file_size)
            if isinstance(read, Finding):
                unreadable.append(read)
                continue
            record = cache.get(path, read.digest)
            if record is not None and bool(record.get("patch")) != self._patches.is_patch(path):
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
        miss_entries = [entry_of(doc) for doc in parsed.documents if indexable(doc)]
        fingerprint = results.index_fingerprint(outside + hit_entries + miss_entries)
        if fingerprint != cache.index:
            return None  # another file's templates changed: every file must be checked again
        index = ProjectIndex(parsed.documents, entries=outside + hit_entries)
        checked, internal = self.check(index)
        run = Run(outside=outside, internal=internal)
        run.absorb(parsed, index)
        run.findings = unreadable + parsed.findings + checked
        run.digests = {source.path: source.digest for source in misses}
        for path, (source, record) in hits.items():
            run.findings.extend(results.finding_from_json(item) for item in record.get("findings", ()))
            run.documents[path] = record.get("documents", 0)
            run.digests[path] = source.digest
            run.entries[path] = [entry_from_json(path, item) for item in record.get("entries", ())]
            directives = suppress.parse(source.text)
            if directives:
                run.directives[path] = directives
        order = {path: i for i, path in enumerate(found.files)}
        run.linted = sorted(run.digests, key=lambda path: order.get(path, len(order)))
        if misses or len(hits) != len(cache.files):
            self._store(cache, run, found)
        return self.report(findings + run.findings, Parsed(directives=run.directives, linted=run.linted),
                           len(found.files), sum(run.documents.values()), run.internal)

    def _store(self, cache, run: "Run", found) -> None:
        from . import results
        from .project import entry_to_json
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
                           "patch": self._patches.is_patch(path),
                           "entries": [entry_to_json(e) for e in entries],
                           "findings": [results.finding_to_json(f) for f in by_path.get(path, ())]}
        cache.save(files, results.index_fingerprint(all_entries))

    def project_entries(self, paths: Sequence[str], linted: Sequence[str]) -> List[IndexEntry]:
        """Index entries from outside the linted files: the rest of the
        project, stub files and templates declared in the configuration."""
        from . import project
        config = self.options.config
        project_root = config.root if config.path is not None else None
        where = project.locate(paths, project_root, config.template_paths, self.options.template_paths,
                               use_cache=self.options.use_cache and config.cache)
        given = {os.path.realpath(p) for p in paths if p != "-" and os.path.isdir(p)}
        if given and {os.path.realpath(p) for p in where.template_paths} <= given:
            # every file the index would read is being linted already, but for chart templates
            entries = project.chart_entries(getattr(self, "_chart_templates", ()), self.options.max_file_size)
        else:
            entries = project.scan(where, linted, self.options.excluder(), self.options.max_file_size)
        if config.stubs:
            stub_paths = [os.path.join(config.root, p) for p in config.stubs]
            for entry in project.scan(project.Project(root=None, template_paths=stub_paths, use_cache=False),
                                      linted, Excluder(), self.options.max_file_size):
                entry.stub = True
                entries.append(entry)
        for declared in config.templates:
            entries.append(IndexEntry(kind=declared.kind, name=declared.name, namespace=declared.namespace,
                                      path=config.path or "<config>", document=0, line=1, data=None, stub=True,
                                      declared=declared.templates))
        return entries

    def lint(self, files: Iterable[sources.SourceFile], findings: Optional[List[Finding]] = None,
             file_count: Optional[int] = None, entries: Iterable[IndexEntry] = ()) -> Report:
        """Lint files already read, in this process."""
        parsed = self.parse(files)
        index = ProjectIndex(parsed.documents, entries=entries)
        found, internal = self.check(index)
        return self.report(list(findings or []) + parsed.findings + found, parsed,
                           file_count if file_count is not None else len(parsed.linted),
                           len(index.documents), internal)

    def parse(self, files: Iterable[sources.SourceFile]) -> "Parsed":
        """Phase one: documents with positions and data, and what reading them found."""
        parsed = Parsed()
        for source in files:
            parsed.linted.append(source.path)
            parsed.sources[source.path] = source
            directives = suppress.parse(source.text)
            if directives:
                parsed.directives[source.path] = directives
            docs, problems = loader.load(source)
            parsed.findings.extend(problems)
            patch = None
            for doc in docs:
                if doc.is_argo and patch is None:
                    patch = self._patches.is_patch(source.path)
                if doc.is_argo and patch:
                    doc.partial = True
                if doc.is_argo:
                    for problem in loader.convert(doc):
                        parsed.findings.append(problem.replace(
                            document=doc.index, pointer=problem.pointer or _pointer_of(doc, problem)))
                elif embedded.is_holder(doc):
                    # A List or a Sensor: its Argo objects are linted; a Sensor is indexed too.
                    self._take_holder(doc, loader.convert(doc), parsed)
                    if not (indexable(doc) and isinstance(doc.data, dict)):
                        continue
                elif indexable(doc):
                    loader.convert(doc)  # an RBAC object: indexed, never linted
                else:
                    near = nearmiss.findings(doc)
                    if near and not self._patches.is_patch(source.path):  # a patch may omit apiVersion
                        parsed.findings.extend(near)
                    continue
                if isinstance(doc.data, dict):
                    parsed.documents.append(doc)
        return parsed

    def _take_holder(self, holder: Document, problems: List[Finding], parsed: "Parsed", depth: int = 0) -> None:
        """The objects a List or a Sensor carries: Argo ones are linted, RBAC
        ones indexed, near-misses reported. What reading the holder found is
        reported only inside the Argo objects (the rest is not linted)."""
        ranges = []
        for inner in embedded.embedded(holder):
            if inner.is_argo:
                parsed.documents.append(inner)
                start = inner.node.start_mark.line + inner.line_offset + 1
                ranges.append((start, inner.node.end_mark.line + inner.line_offset + 1))
            elif embedded.is_holder(inner) and depth < 8:
                self._take_holder(inner, [], parsed, depth + 1)
                if indexable(inner):
                    parsed.documents.append(inner)
            elif indexable(inner):
                parsed.documents.append(inner)
            else:
                parsed.findings.extend(nearmiss.findings(inner))
        for problem in problems:
            if problem.rule != "duplicate-key" or any(a <= problem.line <= b for a, b in ranges):
                parsed.findings.append(problem.replace(
                    document=holder.index, pointer=problem.pointer or _pointer_of(holder, problem)))

    def check(self, index: ProjectIndex):
        """Phase two: every rule on every Argo document of the index.
        Returns (findings, number of rule crashes)."""
        findings: List[Finding] = []
        internal = 0
        contexts = {rule.id: Context(index=index, options=self._rule_options(rule),
                                     argo_version=ArgoVersion(self.options.argo_version), config=self.options)
                    for rule in self.rules}
        for doc in index.documents:
            partial = doc.partial
            for rule in self.rules:
                if rule.check is None or doc.kind not in rule.kinds:
                    continue
                if partial and rule.id not in PATCH_RULES:
                    continue  # a kustomize patch: what is missing lives in the base
                try:
                    for item in rule.check(doc, contexts[rule.id]):
                        if isinstance(item, Finding) and isinstance(item.node, list):
                            item = item.replace(node=tuple(item.node))
                        problem = invalid_finding(item, doc)
                        if problem is not None:
                            if rule.origin == "core" and problem.startswith(_PAST_THE_END):
                                item = item.replace(span=None)  # point at the whole value rather than fail
                            else:
                                raise BadFinding(problem)
                        if partial and item.message.startswith("missing required field"):
                            continue
                        findings.append(self._resolve(item, rule, doc))
                except (Exception, SystemExit) as exc:  # a rule bug must not hide other rules' findings
                    internal += 1
                    findings.append(_internal_error(rule, doc, exc))
        return findings, internal

    def report(self, findings: List[Finding], parsed: "Parsed", files: int, documents: int,
               internal: int) -> Report:
        final = self._finish(findings, parsed.directives, parsed.linted)
        shown = {f.path for f in final}
        return Report(findings=final, files=files, documents=documents, internal_errors=internal,
                      sources={p: s for p, s in parsed.sources.items() if p in shown}, linted=parsed.linted,
                      active=[rule.id for rule in self.rules])

    # -- findings ----------------------------------------------------------

    def _rule_options(self, rule: Rule) -> Dict:
        merged = dict(rule.options)
        setting = self.options.config.rules.get(rule.id)
        if setting is not None:
            merged.update(setting.options)
        return merged

    def _severity(self, rule_id: str) -> Optional[str]:
        setting = self.options.config.rules.get(rule_id)
        return setting.severity if setting is not None else None

    def _resolve(self, item: Finding, rule: Rule, doc: Document) -> Finding:
        line, column, end_line, end_column = doc.span(item.node, item.on_key, item.span)
        resolved = None
        if item.fix is not None:
            from .textedit import resolve
            resolved = resolve(doc, item.fix)
        return item.replace(rule=rule.id, severity=item.severity or rule.severity, path=doc.path,
                            line=line, column=column, end_line=end_line, end_column=end_column,
                            pointer=json_pointer(doc.prefix + tuple(item.node) if doc.prefix else item.node),
                            document=doc.index, fix=resolved)

    def _finish(self, findings: List[Finding], directives: Dict[str, list], linted: Sequence[str]) -> List[Finding]:
        """Configuration, suppressions and the baseline, then severities, order and duplicates."""
        from . import suppress
        findings = [f for f in findings if f.rule == "internal-error" or f.rule in self._by_id]
        if directives:
            findings = suppress.apply(findings, directives, active=set(self._by_id), known=self._all)
        if self.options.baseline:
            from . import baseline
            findings = baseline.apply(self.options.baseline, findings, linted)
        out = []
        for item in findings:
            rule = self._all.get(item.rule)
            if item.rule != "internal-error" and item.rule not in self._by_id:
                continue
            severity = self._severity(item.rule) or item.severity or (rule.severity if rule else ERROR)
            if self.options.quiet and severity == INFO:
                continue
            out.append(item.replace(severity=severity) if severity != item.severity else item)
        out.sort(key=lambda f: (f.path, f.line, f.column, severity_rank(f.severity), f.rule, f.message))
        deduped = []
        for item in out:
            if not deduped or deduped[-1].sort_key != item.sort_key:
                deduped.append(item)
        return deduped


def _pointer_of(doc: Document, problem: Finding) -> str:
    """The JSON pointer of the key a loader finding points at, found by position.
    The keys' positions are collected in one walk per document (not one per
    finding: 50,000 duplicate keys were quadratic), visiting each node once, so
    a recursive anchor cannot loop and aliases cannot multiply the walk."""
    keys = doc.memo.get(_KEY_PATHS)
    if keys is None:
        keys = doc.memo[_KEY_PATHS] = _key_paths(doc.node)
    path = keys.get((problem.line - doc.line_offset - 1, problem.column - 1))
    return json_pointer(path) if path is not None else ""


_KEY_PATHS = ("engine", "key-paths")


def _key_paths(root) -> Dict[tuple, tuple]:
    """(line, column) of each mapping key -> its node path, the first path found."""
    from yaml import MappingNode, SequenceNode
    found: Dict[tuple, tuple] = {}
    seen = set()
    stack = [(root, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.__class__ is MappingNode:
            for key, value in node.value:
                sub = path + (key.value if hasattr(key, "value") and isinstance(key.value, str) else "?",)
                found.setdefault((key.start_mark.line, key.start_mark.column), sub)
                stack.append((value, sub))
        elif node.__class__ is SequenceNode:
            for i, item in enumerate(node.value):
                stack.append((item, path + (i,)))
    return found


class BadFinding(Exception):
    """A rule yielded something the engine cannot place or show."""


def _kind(value) -> str:
    return type(value).__name__


def invalid_finding(item, doc: Document) -> Optional[str]:
    """What is wrong with what a rule yielded, or None. Checked before the
    engine stamps positions, so a plugin's mistake becomes an internal error
    instead of a crash, a wrong position or output that differs run to run."""
    if not isinstance(item, Finding):
        return f"yielded a {_kind(item)} instead of a Finding (use wflint.finding.finding())"
    if not isinstance(item.message, str) or not item.message.strip():
        return f"yielded a finding whose message is a {_kind(item.message)}, not a non-empty string"
    if item.severity is not None and item.severity not in SEVERITIES:
        shown = item.severity if isinstance(item.severity, str) and len(item.severity) <= 20 else _kind(item.severity)
        return f"yielded a finding with severity {shown!r}; use one of {', '.join(SEVERITIES)}"
    if item.hint is not None and not isinstance(item.hint, str):
        return f"yielded a finding whose hint is a {_kind(item.hint)}, not a string"
    if not isinstance(item.node, tuple):
        return f"yielded a finding whose node path is a {_kind(item.node)}, not a tuple"
    for part in item.node:
        if isinstance(part, bool) or not isinstance(part, (str, int)):
            return f"yielded a finding whose node path holds a {_kind(part)}; only strings and integers are allowed"
    if not isinstance(item.on_key, bool):
        return f"yielded a finding whose on_key is a {_kind(item.on_key)}, not a bool"
    if item.span is not None:
        span = item.span
        if not isinstance(span, (tuple, list)) or len(span) != 2 or \
                any(isinstance(x, bool) or not isinstance(x, int) for x in span):
            return "yielded a finding whose span is not a pair of integers (start, end)"
        start, end = span
        if start < 0 or end < start:
            return f"yielded a finding with span ({start}, {end}); it must satisfy 0 <= start <= end"
        _, node, matched = doc.locate(item.node)
        value = getattr(node, "value", None)
        if matched == len(item.node) and isinstance(value, str) and (start > len(value) or end > len(value) + 1):
            return (f"{_PAST_THE_END} ({start}, {end}) runs past the end of the "
                    f"{len(value)}-character value it points into")
    return None


_PAST_THE_END = "yielded a finding whose span"
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _internal_error(rule: Rule, doc: Document, exc: BaseException) -> Finding:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" ({frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})" if frame else ""
    line = doc.node.start_mark.line + doc.line_offset + 1
    if isinstance(exc, BadFinding):
        what = f"rule `{rule.id}` {exc}"
    elif isinstance(exc, SystemExit):
        what = f"rule `{rule.id}` tried to end the run (SystemExit {_ADDRESS.sub('', repr(exc.code))[:80]})"
    else:
        what = f"rule `{rule.id}` crashed on this document: {type(exc).__name__}: {exc}{where}"
    return Finding(
        rule="internal-error", severity=ERROR, path=doc.path, line=line, column=1, end_line=line,
        end_column=2, document=doc.index,
        message=_ADDRESS.sub("", what),
        hint="this is a bug in the rule, not in your manifest; please report it with this file")


def raise_recursion_limit(limit: int = 4000) -> None:
    """Deep but legal manifests (data is capped at loader.MAX_DEPTH levels)
    need more frames than Python's default in recursive validators; kept
    modest, since before 3.11 each Python frame also costs C stack."""
    if sys.getrecursionlimit() < limit:
        sys.setrecursionlimit(limit)
