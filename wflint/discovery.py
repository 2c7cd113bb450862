"""Which files a run reads: the paths given, walked for *.yaml / *.yml."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

from .finding import Finding

YAML_SUFFIXES = (".yaml", ".yml")
_SKIP_DIRS = frozenset({"node_modules", "__pycache__", "venv", "site-packages"})
CHART_FILES = ("Chart.yaml", "Chart.yml")


@dataclass
class Discovery:
    files: List[str] = field(default_factory=list)          # as shown to the user, in walk order
    findings: List[Finding] = field(default_factory=list)
    real: Dict[str, str] = field(default_factory=dict)      # shown path -> resolved path
    stats: Dict[str, os.stat_result] = field(default_factory=dict)  # for walked files, from the walk


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


def _is_environment(path: str) -> bool:
    """A Python virtualenv or a conda environment: never project sources."""
    return os.path.exists(os.path.join(path, "pyvenv.cfg")) or os.path.isdir(os.path.join(path, "conda-meta"))


def _chart_of(path: str) -> Optional[str]:
    """The Chart.yaml of the Helm chart whose templates/ holds ``path``, if any."""
    directory = os.path.dirname(os.path.abspath(path))
    while True:
        parent, name = os.path.split(directory)
        if name == "templates":
            for chart in CHART_FILES:
                candidate = os.path.join(parent, chart)
                if os.path.isfile(candidate):
                    return candidate
        if not name or parent == directory:
            return None
        directory = parent


def _chart_finding(chart_file: str) -> Finding:
    chart_dir = os.path.dirname(chart_file) or "."
    templates = os.path.join(chart_dir, "templates")
    return Finding(
        rule="helm-chart", path=_display(chart_file), line=1, column=1, end_line=1, end_column=2,
        message=f"Helm chart templates in {_display(templates)}/ are not YAML until rendered; skipped",
        hint=f"lint the rendered chart: `helm template {_display(chart_dir)} | wflint check -`")


def discover(paths: Sequence[str], excluder: Optional[Excluder] = None) -> Discovery:
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

    for given in paths:
        if os.path.isdir(given):
            _walk(given, excluder, add, report_chart)
        else:
            if excluder.excluded(given):
                continue
            chart = _chart_of(given)
            if chart is not None:
                report_chart(os.path.relpath(chart) if not os.path.isabs(given) else chart)
                continue
            add(given, os.path.realpath(given))
    return result


def _walk(root: str, excluder: Excluder, add, report_chart) -> None:
    """Depth first, sorted, never through links: one directory read and one
    lstat per entry, since a pre-commit run walks the whole project."""
    stack = [(root, os.path.realpath(root))]
    while stack:
        directory, real_directory = stack.pop()
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError:
            continue
        names = {entry.name for entry in entries}
        chart = next((c for c in CHART_FILES if c in names), None)
        subdirectories = []
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
                path = os.path.join(directory, name)
                if _is_environment(path) or excluder.excluded(path, is_dir=True):
                    continue
                if chart is not None and name == "templates":
                    report_chart(os.path.join(directory, chart))
                    continue
                subdirectories.append((path, os.path.join(real_directory, name)))
            elif is_file:  # links are neither: a link leads into the tree (read anyway) or out of it (never)
                if name.startswith(".") or not name.lower().endswith(YAML_SUFFIXES):
                    continue
                path = os.path.join(directory, name)
                if excluder.excluded(path):
                    continue
                try:
                    stat = entry.stat(follow_symlinks=False)
                except OSError:
                    stat = None
                add(path, os.path.join(real_directory, name), stat)
        stack.extend(reversed(subdirectories))
