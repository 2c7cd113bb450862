"""The phases of a run, in one place: every way of running wflint calls them.

    files --read--> SourceFiles --parse--> documents with positions (documents.load_file)
          --index--> ProjectIndex (the documents + the rest of the project: project.py)
          --check--> findings pointing at node paths --resolve--> findings with positions
          --finish--> configuration, suppressions, baseline, severities, order --> Report

`Pipeline` holds the phases for one set of options (options.py); the
single-process run and the results cache (engine.py), each worker process
(parallel.py, through `lint_share`), standard input, `wflint rbac` and
`wflint graph` (`load_documents`) and the language server (workspace.py) all
call it, so they agree on what a file holds and what is reported for it.

What a process finds travels as one typed record, `Run` (validated by
`Run.validate` when it crosses the pipe between processes).
"""

from __future__ import annotations

import os
import re
import sys
import traceback
from ..slots import Record
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from ..source import files as sources
from . import suppress
from ..argo.version import ArgoVersion
from ..source.discovery import Excluder
from ..source.document import Document
from ..argo.documents import load_file
from ..finding import ERROR, INFO, SEVERITIES, Finding, json_pointer, severity_rank
from ..argo.index import IndexEntry, ProjectIndex, entry_of, indexable, may_hold_indexed
from .options import Options, active_rules
from .registry import load_rules
from ..rule import Context, Rule
from ..ruleids import lookup, parent, qualify, reported


# Rules that run on a kustomize patch (a part of an object): the schema of the
# fields it sets. Syntax and duplicate keys are reported while reading.
PATCH_RULES = frozenset({"schema"})


class Parsed(Record):
    """What phase one (reading and parsing) produces for a set of files:
    ``documents`` (Argo documents and indexed objects), ``findings``,
    ``directives`` (suppressions by path), ``linted`` and ``sources``."""

    __slots__ = ("documents", "findings", "directives", "linted", "sources")

    def __init__(self, documents: Optional[List[Document]] = None, findings: Optional[List[Finding]] = None,
                 directives: Optional[Dict[str, list]] = None, linted: Optional[List[str]] = None,
                 sources: Optional[Dict[str, "sources.SourceFile"]] = None):
        self.documents = [] if documents is None else documents
        self.findings = [] if findings is None else findings
        self.directives = {} if directives is None else directives
        self.linted = [] if linted is None else linted
        self.sources = {} if sources is None else sources


def index_entries(documents: Iterable[Document]) -> List[IndexEntry]:
    """The index entries of parsed documents: what other files (and processes) see of them."""
    return [entry_of(doc) for doc in documents if indexable(doc)]


class Run(Record):
    """Everything a run (or one worker process's share of it) found, before
    configuration, suppressions and the baseline are applied: what a worker
    sends back to the parent process, and what the results cache stores per file.

    findings   every finding with its position resolved (rule crashes included)
    internal   the number of rule crashes
    documents  path -> number of documents the index held from that file
    entries    path -> the index entries of that linted file
    digests    path -> the digest of the text read (the results cache's key)
    directives path -> the `# wflint:` suppressions of that file
    linted     the files read, in the order read
    outside    index entries from the rest of the project (the parent's alone)
    """

    __slots__ = ("findings", "internal", "documents", "entries", "digests", "directives", "linted", "outside")

    def __init__(self, findings: Optional[List[Finding]] = None, internal: int = 0,
                 documents: Optional[Dict[str, int]] = None, entries: Optional[Dict[str, List[IndexEntry]]] = None,
                 digests: Optional[Dict[str, str]] = None, directives: Optional[Dict[str, list]] = None,
                 linted: Optional[List[str]] = None, outside: Optional[List[IndexEntry]] = None):
        self.findings = [] if findings is None else findings
        self.internal = internal
        self.documents = {} if documents is None else documents
        self.entries = {} if entries is None else entries
        self.digests = {} if digests is None else digests
        self.directives = {} if directives is None else directives
        self.linted = [] if linted is None else linted
        self.outside = [] if outside is None else outside

    def absorb(self, parsed: "Parsed", index: ProjectIndex, entries: Optional[List[IndexEntry]] = None) -> None:
        """What ``parsed`` read and ``index`` holds of it (``entries``: its index entries, if known)."""
        self.absorb_checked(parsed, index.documents)
        for entry in index_entries(parsed.documents) if entries is None else entries:
            self.entries.setdefault(entry.path, []).append(entry)

    def absorb_checked(self, parsed: "Parsed", checked: List[Document]) -> None:
        """What ``parsed`` read, ``checked`` being its Argo documents (`absorb`
        adds its index entries; a streamed file has none)."""
        self.directives.update(parsed.directives)
        self.linted.extend(parsed.linted)
        for document in checked:
            self.documents[document.path] = self.documents.get(document.path, 0) + 1

    def merge(self, other: "Run") -> None:
        """Add another process's share (files never overlap between shares)."""
        self.findings.extend(other.findings)
        self.internal += other.internal
        self.documents.update(other.documents)
        for path, entries in other.entries.items():
            self.entries.setdefault(path, []).extend(entries)
        self.digests.update(other.digests)
        self.directives.update(other.directives)
        self.linted.extend(other.linted)
        self.outside.extend(other.outside)

    def validate(self) -> "Run":
        """This record, checked to have the documented shape (it came from
        another process); raises ValueError otherwise."""
        def fail(what):
            raise ValueError(f"malformed run record: {what}")
        if not isinstance(self.findings, list) or not all(isinstance(f, Finding) for f in self.findings):
            fail("findings")
        if isinstance(self.internal, bool) or not isinstance(self.internal, int) or self.internal < 0:
            fail("internal")
        for name, kind in (("documents", int), ("digests", str), ("directives", list), ("entries", list)):
            value = getattr(self, name)
            if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, kind)
                                                      for k, v in value.items()):
                fail(name)
        if not all(isinstance(e, IndexEntry) for entries in self.entries.values() for e in entries):
            fail("entries")
        if not isinstance(self.linted, list) or not all(isinstance(p, str) for p in self.linted):
            fail("linted")
        if not isinstance(self.outside, list) or not all(isinstance(e, IndexEntry) for e in self.outside):
            fail("outside")
        return self


class Report(Record):
    """What a run reports: the final findings and counts, for the renderers.

    ``sources``: the files' text, for showing findings in context; ``linted``:
    every file the run read, in order; ``active``: the ids of the rules the
    run used; ``rules``: every known rule by id (the renderers describe them:
    SARIF lists them), so no renderer needs the registry; a Report made by
    hand gets the registry's (neither compared nor shown)."""

    __slots__ = ("findings", "files", "documents", "internal_errors", "sources", "linted", "active", "rules")
    _FIELDS = ("findings", "files", "documents", "internal_errors", "sources", "linted", "active")

    def __init__(self, findings: List[Finding], files: int, documents: int, internal_errors: int = 0,
                 sources: Optional[Dict[str, "sources.SourceFile"]] = None, linted: Optional[List[str]] = None,
                 active: Optional[List[str]] = None, rules: Optional[Dict[str, Rule]] = None):
        self.findings = findings
        self.files = files
        self.documents = documents
        self.internal_errors = internal_errors
        self.sources = {} if sources is None else sources
        self.linted = [] if linted is None else linted
        self.active = active
        self.rules = load_rules() if rules is None else rules

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



def read(paths: Sequence[str], max_size: int, digest: bool = True,
         walked: Optional[Dict[str, str]] = None) -> Tuple[List[sources.SourceFile], List[Finding]]:
    """Phase zero: the files' text (or a finding saying why it cannot be read);
    ``digest``: with their digests, for the results cache; ``walked``: the
    files a walk found (see sources.read)."""
    files: List[sources.SourceFile] = []
    problems: List[Finding] = []
    walked = walked or {}
    for path in paths:
        read_one = sources.read(path, max_size, digest, path in walked)
        (problems if isinstance(read_one, Finding) else files).append(read_one)
    return files, problems


class Pipeline:
    """The phases of a run for one set of options."""

    def __init__(self, options: Optional[Options] = None, walked: Optional[Dict[str, str]] = None):
        """``walked``: the real path of each file a walk found (Discovery.walked:
        regular files, never links), which spares each an lstat when asking
        whether it is a kustomize patch and a stat before it is opened."""
        self.options = options or Options()
        self.rules = active_rules(self.options)
        self._by_id = {r.id: r for r in self.rules}
        self._all = load_rules()
        from ..k8s.kustomize import PatchFinder
        self._patches = PatchFinder()
        self._walked: Dict[str, str] = {}
        if walked:
            self.know_walked(walked)
        self._chart_templates: Sequence[str] = ()  # indexed even when no project scan runs
        self._checks: Dict[tuple, tuple] = {}  # _checks_for's answers

    def know_walked(self, walked: Dict[str, str]) -> None:
        """The files a walk found, by their real paths (see __init__)."""
        self._walked = walked
        self._patches.know(walked)

    def read(self, paths: Sequence[str]) -> Tuple[List[sources.SourceFile], List[Finding]]:
        return read(paths, self.options.max_file_size, digest=self.options.caching, walked=self._walked)

    def is_patch(self, path: str) -> bool:
        return self._patches.is_patch(path)

    # -- phase one -----------------------------------------------------------

    def parse(self, files: Iterable[sources.SourceFile]) -> Parsed:
        """Phase one: documents with positions and data, and what reading them found."""
        parsed = Parsed()
        for source in files:
            parsed.linted.append(source.path)
            parsed.sources[source.path] = source
            directives = suppress.parse(source.text)
            if directives:
                parsed.directives[source.path] = directives
            loaded = load_file(source, self._patches)
            parsed.findings.extend(loaded.findings)
            parsed.documents.extend(loaded.documents)
        return parsed

    def project_entries(self, paths: Sequence[str], linted: Sequence[str]) -> List[IndexEntry]:
        """Index entries from outside the linted files: the rest of the
        project, stub files and templates declared in the configuration."""
        from ..argo import project
        config = self.options.config
        project_root = config.root if config.path is not None else None
        where = project.locate(paths, project_root, config.template_paths, self.options.template_paths,
                               use_cache=self.options.caching)
        given = {os.path.realpath(p) for p in paths if p != "-" and os.path.isdir(p)}
        if given and {os.path.realpath(p) for p in where.template_paths} <= given:
            # every file the index would read is being linted already, but for chart templates
            entries = project.chart_entries(self._chart_templates, self.options.max_file_size)
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

    def load_documents(self, paths: Sequence[str]) -> Tuple[List[Document], ProjectIndex, List[Finding],
                                                             List[Finding]]:
        """For commands that read manifests without linting them (`wflint rbac`,
        `wflint graph`): the documents `wflint check` would lint or index under
        ``paths`` (kustomize patches left out: they are parts of objects), the
        project index around them, the files that could not be read
        (discovery and read findings) and what parsing the others found."""
        from ..source.discovery import discover
        found = discover(paths, self.options.excluder())
        self._chart_templates = found.chart_templates
        files, unreadable = self.read(found.files)
        parsed = self.parse(files)
        index = ProjectIndex(parsed.documents, entries=self.project_entries(paths, found.files))
        documents = [doc for doc in index.documents if not doc.partial]
        return documents, index, list(found.findings) + unreadable, parsed.findings

    # -- phase two -------------------------------------------------------------

    def check(self, index: ProjectIndex):
        """Phase two: every rule on every Argo document of the index.
        Returns (findings, number of rule crashes)."""
        return self.check_documents(index.documents, self.contexts(index))

    def contexts(self, index: ProjectIndex) -> Dict[str, Context]:
        """What each rule is given beside a document: the index and its options."""
        return {rule.id: Context(index=index, options=self._rule_options(rule),
                                 argo_version=ArgoVersion(self.options.argo_version), config=self.options)
                for rule in self.rules}

    def check_documents(self, documents: Iterable[Document], contexts: Dict[str, Context]):
        """Every rule on ``documents`` (Argo documents), with ``contexts``.
        Returns (findings, number of rule crashes)."""
        findings: List[Finding] = []
        internal = 0
        for doc in documents:
            partial = doc.partial
            for rule, context in self._checks_for(doc.kind, partial, contexts):
                try:
                    for item in rule.check(doc, context):
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

    def _checks_for(self, kind, partial: bool, contexts: Dict[str, Context]) -> List[Tuple[Rule, Context]]:
        """The rules that check a document of ``kind`` (a kustomize patch: only
        PATCH_RULES, since what it leaves out lives in the base), with their
        contexts; worked out once per kind for the contexts of the latest index."""
        key = (kind, partial)
        found = self._checks.get(key)
        if found is None or found[0] is not contexts:
            found = self._checks[key] = (contexts, [
                (rule, contexts[rule.id]) for rule in self.rules
                if rule.check is not None and kind in rule.kinds and (not partial or rule.id in PATCH_RULES)])
        return found[1]

    def report(self, findings: List[Finding], parsed: "Parsed", files: int, documents: int,
               internal: int) -> Report:
        final = self._finish(findings, parsed.directives, parsed.linted)
        shown = {f.path for f in final}
        return Report(findings=final, files=files, documents=documents, internal_errors=internal,
                      sources={p: s for p, s in parsed.sources.items() if p in shown}, linted=parsed.linted,
                      active=[rule.id for rule in self.rules], rules=self._all)


    def lint(self, files: Iterable[sources.SourceFile], findings: Optional[List[Finding]] = None,
             file_count: Optional[int] = None, entries: Iterable[IndexEntry] = ()) -> "Report":
        """Lint files already read, in this process."""
        parsed = self.parse(files)
        index = ProjectIndex(parsed.documents, entries=entries)
        found, internal = self.check(index)
        return self.report(list(findings or []) + parsed.findings + found, parsed,
                           file_count if file_count is not None else len(parsed.linted),
                           len(index.documents), internal)

    def lint_share(self, paths: Sequence[str], exchange: Callable[[List[IndexEntry]], List[IndexEntry]],
                   files: Optional[List[sources.SourceFile]] = None, claims=None) -> Run:
        """A worker process's share of a run: read and parse ``paths``, hand
        ``exchange`` the index entries they hold and get the rest of the
        project's back, check, and return the record (positions resolved;
        configuration, suppressions and the baseline are the parent's to apply).
        ``files``: ``paths`` already read (their read errors are the caller's).

        Files that may hold a document the index keeps (index.may_hold_indexed)
        are parsed first and kept, since every rule may ask the index about
        them. The others, usually most Workflows, are streamed after the index
        is complete: parsed, checked and let go one file at a time, so memory
        holds the index and the findings, not every document of the run.

        ``claims`` (parallel.Claims, when workers share a run): the streamed
        files are offered to the other workers too; this one takes its own
        from the front, and when it is done, takes what others have left from
        the back of their shares, so that no worker idles while another has
        files to go."""
        problems: List[Finding] = []
        if files is None:
            files, problems = self.read(paths)
        first: List[sources.SourceFile] = []
        later: List[sources.SourceFile] = []
        for source in files:
            (first if may_hold_indexed(source.text) else later).append(source)
        ahead: List[Parsed] = []      # streamed files parsed while waiting for the other workers
        waiting = iter(later)
        if claims is not None:
            claims.offer(source.path for source in later)

            def parse_ahead() -> bool:
                """Parse the next streamed file of this share, if any (its checks need the whole index)."""
                for source in waiting:
                    if claims.take(source.path):
                        ahead.append(self.parse([source]))
                        return True
                return False
        parsed = self.parse(first)
        own = index_entries(parsed.documents)
        # A worker done with its first part parses its next files while the
        # others finish theirs (parallel._worker's exchange calls parse_ahead
        # until the index entries arrive): waiting would be lost time.
        index = ProjectIndex(parsed.documents, entries=exchange(own) if claims is None else exchange(own, parse_ahead))
        contexts = self.contexts(index)
        found, internal = self.check_documents(index.documents, contexts)
        run = Run(internal=internal)
        # Index entries and digests are what the results cache stores: without
        # it, they would only be sent to the parent process for nothing.
        caching = self.options.caching
        run.absorb(parsed, index, own if caching else [])
        run.findings = problems + parsed.findings + found
        for one in ahead:
            self._check_streamed(one, contexts, run)
        del ahead[:]
        for source in waiting:
            if claims is None or claims.take(source.path):  # (another worker may have taken it)
                self._check_streamed(self.parse([source]), contexts, run)
        if claims is not None:
            for path in claims.leftovers():
                read_one = sources.read(path, self.options.max_file_size, False, path in self._walked)
                if isinstance(read_one, Finding):  # changed since its owner read it
                    run.findings.append(read_one)
                else:
                    self._check_streamed(self.parse([read_one]), contexts, run)
        if len(run.linted) > 1:
            order = claims.order if claims is not None else {source.path: i for i, source in enumerate(files)}
            run.linted.sort(key=order.__getitem__)
        if caching:
            run.digests = {source.path: source.digest for source in files}
        return run

    def _check_streamed(self, one: "Parsed", contexts: Dict[str, Context], run: Run) -> None:
        """Check and let go of ``one``, a parsed file with no indexed document."""
        checked = [doc for doc in one.documents if doc.is_argo]
        if len(checked) != len(one.documents):  # may_hold_indexed is wrong: a bug, never a silent gap
            raise RuntimeError(f"{source.path}: an indexed kind was not foreseen from the text")
        found, internal = self.check_documents(checked, contexts)
        run.absorb_checked(one, checked)
        run.findings += one.findings + found
        run.internal += internal
        for doc in checked:
            doc.memo = {}  # what rules derived refers back to the document: let it go now

    # -- findings ----------------------------------------------------------

    def _rule_options(self, rule: Rule) -> Dict:
        merged = dict(rule.options)
        setting = self.options.config.rules.get(rule.id)
        if setting is not None:
            merged.update(setting.options)
        return merged

    def _severity(self, rule_id: str) -> Optional[str]:
        from .config import PROTECTED
        setting = lookup(self.options.config.rules, rule_id) if rule_id not in PROTECTED else None
        return setting.severity if setting is not None else None

    def severity_of(self, item: Finding) -> str:
        """A finding's severity: the configuration's for its rule, else its own,
        else its rule's default (reading findings carry none until `finish`)."""
        rule = self._all.get(parent(item.rule))
        return self._severity(item.rule) or item.severity or (rule.severity if rule else ERROR)

    def _resolve(self, item: Finding, rule: Rule, doc: Document) -> Finding:
        line, column, end_line, end_column = doc.span(item.node, item.on_key, item.span)
        resolved = None
        if item.fix is not None:
            from ..source.textedit import resolve
            resolved = resolve(doc, item.fix)
        return item.replace(rule=qualify(rule.id, item.check), severity=item.severity or rule.severity,
                            path=doc.path, line=line, column=column, end_line=end_line, end_column=end_column,
                            pointer=json_pointer(doc.prefix + tuple(item.node) if doc.prefix else item.node),
                            document=doc.index, fix=resolved)

    def _reported(self) -> set:
        """The rule ids and sub-check ids this run reports."""
        from .options import enabled_for
        return enabled_for(self._all, self.options)

    def _finish(self, findings: List[Finding], directives: Dict[str, list], linted: Sequence[str]) -> List[Finding]:
        """Configuration, suppressions and the baseline, then severities, order and duplicates."""
        from . import suppress
        on = self._reported()
        findings = [f for f in findings if f.rule == "internal-error" or reported(f.rule, on)]
        if directives:
            findings = suppress.apply(findings, directives, active=on | set(self._by_id), known=self._all)
        if self.options.baseline:
            from . import baseline
            from .config import PROTECTED
            # A baseline named by a configuration file cannot hide PROTECTED findings.
            guarded = set() if self.options.baseline_trusted else PROTECTED
            kept = [f for f in findings if f.rule in guarded]
            findings = baseline.apply(self.options.baseline, [f for f in findings if f.rule not in guarded],
                                      linted) + kept
        out = []
        for item in findings:
            rule = self._all.get(parent(item.rule))
            if item.rule != "internal-error" and not reported(item.rule, on):
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
