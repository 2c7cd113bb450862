"""Which files a run reads: the paths given, walked for *.yaml / *.yml, and for
*.json files that hold a Kubernetes object (other JSON is skipped silently)."""

from __future__ import annotations

import os
import re
from typing import Dict, List, Optional, Sequence, Set

from ..finding import Finding
from ..slots import Record

YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIX = ".json"
_JSON_PEEK = 65536
_SKIP_DIRS = frozenset({"node_modules", "__pycache__", "venv", "site-packages"})
CHART_FILES = ("Chart.yaml", "Chart.yml")


class Discovery(Record):
    """The files a walk found (in walk order), and what it reports on the way.

    ``files``: as shown to the user, in walk order; ``real``: shown path ->
    resolved path; ``stats``: for walked files, from the walk (when asked
    for: the results cache compares them; a run without it needs none, and
    one lstat per file is a fair part of a walk); ``chart_templates``: Helm
    chart template files that hold template actions, never linted, read by
    the index with the actions neutralised (helm.py). Files of a chart's
    templates/ without any action are plain YAML and are linted. ``given``:
    the files named rather than found by a walk (they may be links, FIFOs or
    devices; a walk keeps regular files only)."""

    __slots__ = ("files", "findings", "real", "stats", "chart_templates", "given")

    def __init__(self, files: Optional[List[str]] = None, findings: Optional[List[Finding]] = None,
                 real: Optional[Dict[str, str]] = None, stats: Optional[Dict[str, os.stat_result]] = None,
                 chart_templates: Optional[List[str]] = None, given: Optional[Set[str]] = None):
        self.files = [] if files is None else files
        self.findings = [] if findings is None else findings
        self.real = {} if real is None else real
        self.stats = {} if stats is None else stats
        self.chart_templates = [] if chart_templates is None else chart_templates
        self.given = set() if given is None else given

    def walked(self) -> Dict[str, str]:
        """The real path of each file a walk found: regular files, never
        links (a file also named on the command line is left out)."""
        if not self.given:
            return self.real
        return {path: real for path, real in self.real.items() if path not in self.given}


class Excluder:
    """gitignore-style patterns; each group is matched against paths relative to
    its own base folder (the working directory for --exclude, the config file's
    folder for `exclude` in the configuration)."""

    def __init__(self, patterns: Sequence[str] = (), base: Optional[str] = None):
        self._groups = []
        self.add(patterns, base)

    def add(self, patterns: Sequence[str], base: Optional[str] = None) -> "Excluder":
        patterns = [p for p in patterns if p]
        if patterns:
            from .globmatch import GitIgnore     # linear: patterns may come from the checkout
            self._groups.append((os.path.abspath(base or os.getcwd()), GitIgnore(patterns)))
        return self

    def excluded(self, path: str, is_dir: bool = False) -> bool:
        if not self._groups:
            return False
        absolute = os.path.abspath(path)
        for base, spec in self._groups:
            relative = os.path.relpath(absolute, base)
            if relative == os.curdir or relative.startswith(os.pardir + os.sep) or relative == os.pardir:
                continue
            relative = relative.replace(os.sep, "/")
            if is_dir:
                relative += "/"
            if spec.match_file(relative):
                return True
        return False


def _display(path: str) -> str:
    return path[2:] if path.startswith("./") and len(path) > 2 else path


_HOME_LINE = re.compile(rb"^[ \t]*home[ \t]*=", re.M)


def _is_environment(path: str) -> Optional[str]:
    """What kind of environment a folder is, if it is a real one (never
    project sources): a Python virtualenv (a `pyvenv.cfg` with a `home =`
    line, and a Python in bin/, Scripts/ or lib/python*) or a conda
    environment (`conda-meta/` with a `history` file). A lone `pyvenv.cfg`
    or an empty `conda-meta/` is not enough: such a folder is walked."""
    config = os.path.join(path, "pyvenv.cfg")
    try:
        if os.path.isfile(config):
            with open(config, "rb") as handle:
                head = handle.read(4096)
            if _HOME_LINE.search(head) and _has_python(path):
                return "a Python virtual environment"
        if os.path.isfile(os.path.join(path, "conda-meta", "history")):
            return "a conda environment"
    except OSError:
        return None
    return None


def _has_python(path: str) -> bool:
    for sub in ("bin", "Scripts"):
        folder = os.path.join(path, sub)
        if os.path.isdir(folder) and any(n.startswith("python") for n in _listdir(folder)):
            return True
    lib = os.path.join(path, "lib")
    return os.path.isdir(lib) and any(n.startswith("python") for n in _listdir(lib))


def _listdir(path: str) -> List[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def _skip_finding(folder: str, what: str) -> Finding:
    shown = _display(folder).rstrip("/") + "/"
    return Finding(
        rule="not-linted", severity="info", path=shown, line=1, column=1, end_line=1, end_column=2,
        message=f"folder {shown} is {what}; not walked",
        hint="name its files on the command line to lint them, or move the manifests out of it")


def is_chart_file(chart_file: str) -> bool:
    """A Chart.yaml that describes a chart: it sets `name:` (an empty or
    unrelated file beside templates/ does not make a chart of the folder)."""
    try:
        with open(chart_file, "rb") as handle:
            head = handle.read(65536)
    except OSError:
        return False
    return re.search(rb"^name:[ \t]*['\"]?[A-Za-z0-9]", head, re.M) is not None


def _has_actions(path: str) -> bool:
    """Whether a chart template file holds template actions (`{{`)."""
    try:
        with open(path, "rb") as handle:
            return b"{{" in handle.read()
    except OSError:
        return True


def looks_like_json_manifest(head: bytes) -> bool:
    """Whether the first bytes of a .json file can be a Kubernetes object (or
    a List of them): a JSON object with an `apiVersion` key near its top.
    package.json, tsconfig.json, dashboards and data files are not."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"{") and b'"apiVersion"' in text


def _json_manifest(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return looks_like_json_manifest(handle.read(_JSON_PEEK))
    except OSError:
        return False


def _chart_of(path: str) -> Optional[str]:
    """The Chart.yaml of the Helm chart whose templates/ holds ``path``, if any."""
    directory = os.path.dirname(os.path.abspath(path))
    while True:
        parent, name = os.path.split(directory)
        if name == "templates":
            for chart in CHART_FILES:
                candidate = os.path.join(parent, chart)
                if os.path.isfile(candidate) and is_chart_file(candidate):
                    return candidate
        if not name or parent == directory:
            return None
        directory = parent


def _chart_finding(chart_file: str) -> Finding:
    chart_dir = os.path.dirname(chart_file) or "."
    templates = os.path.join(chart_dir, "templates")
    return Finding(
        rule="helm-chart", path=_display(chart_file), line=1, column=1, end_line=1, end_column=2,
        message=f"Helm chart templates in {_display(templates)}/ are not YAML until rendered: those with "
                "template actions are not linted (WorkflowTemplates with literal names are indexed)",
        hint=f"lint the rendered chart: `helm template {_display(chart_dir)} | wflint check -`")


def discover(paths: Sequence[str], excluder: Optional[Excluder] = None, stats: bool = True) -> Discovery:
    """The files under ``paths``; ``stats``: with the lstat of each walked file."""
    excluder = excluder or Excluder()
    result = Discovery()
    seen = set()
    charts_reported = set()

    def add(path: str, real: str, stat: Optional[os.stat_result] = None) -> None:
        if real not in seen:
            seen.add(real)
            shown = _display(path)
            result.files.append(shown)
            result.real[shown] = real
            if stat is not None:
                result.stats[shown] = stat

    def report_chart(chart_file: str) -> None:
        real = os.path.realpath(chart_file)
        if real not in charts_reported:
            charts_reported.add(real)
            result.findings.append(_chart_finding(chart_file))

    def add_template(path: str, real: str, stat: Optional[os.stat_result] = None) -> None:
        if _has_actions(path):
            if real not in seen:
                seen.add(real)
                result.chart_templates.append(_display(path))
            return True
        add(path, real, stat)
        return False

    for given in paths:
        if os.path.isdir(given):
            _walk(given, excluder, add, report_chart, add_template, result.findings, stats)
        else:
            if excluder.excluded(given):
                continue
            result.given.add(_display(given))
            chart = _chart_of(given)
            if chart is not None and add_template(given, os.path.realpath(given)):
                report_chart(os.path.relpath(chart) if not os.path.isabs(given) else chart)
                continue
            add(given, os.path.realpath(given))
    return result


def _walk(root: str, excluder: Excluder, add, report_chart, add_template, findings, stats: bool = True) -> None:
    """Depth first, sorted, never through links: one directory read and one
    lstat per entry, since a pre-commit run walks the whole project."""
    # (folder, real folder, Chart.yaml if in its templates/); the root may itself be in a chart's templates/
    chart_of_root = _chart_of(os.path.join(root, "-"))
    if chart_of_root is not None and not os.path.isabs(root):
        chart_of_root = os.path.relpath(chart_of_root)
    stack = [(root, os.path.realpath(root), chart_of_root)]
    while stack:
        directory, real_directory, in_chart = stack.pop()
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError:
            continue
        names = {entry.name for entry in entries}
        chart = next((c for c in CHART_FILES if c in names), None)
        if chart is not None and "templates" in names and not is_chart_file(os.path.join(directory, chart)):
            chart = None  # an empty or foreign Chart.yaml: templates/ is an ordinary folder
        subdirectories = []
        # os.path.join(directory, name), spelled out once per folder: it is called twice per file
        prefix = directory if directory.endswith(os.sep) else directory + os.sep
        real_prefix = real_directory if real_directory.endswith(os.sep) else real_directory + os.sep
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = not is_dir and entry.is_file(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if name.startswith(".") or name in _SKIP_DIRS or name.endswith(".egg-info"):
                    continue
                path = prefix + name
                if excluder.excluded(path, is_dir=True):
                    continue
                environment = _is_environment(path)
                if environment:
                    findings.append(_skip_finding(path, environment))
                    continue
                chart_here = in_chart
                if chart is not None and name == "templates":
                    chart_here = os.path.join(directory, chart)
                subdirectories.append((path, real_prefix + name, chart_here))
            elif is_file:  # links are neither: a link leads into the tree (read anyway) or out of it (never)
                lower = name.lower()
                if name.startswith(".") or not lower.endswith(YAML_SUFFIXES + (JSON_SUFFIX,)):
                    continue
                path = prefix + name
                if excluder.excluded(path):
                    continue
                if lower.endswith(JSON_SUFFIX) and not _json_manifest(path):
                    continue
                stat = None
                if stats:
                    try:
                        stat = entry.stat(follow_symlinks=False)
                    except OSError:
                        pass
                real = real_prefix + name
                if in_chart is not None:
                    if add_template(path, real, stat):
                        report_chart(in_chart)
                    continue
                add(path, real, stat)
        stack.extend(reversed(subdirectories))
