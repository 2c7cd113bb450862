"""Finding rules: every distribution's `wflint.rules` entry points, built-ins included."""

from __future__ import annotations

import functools
import os
import re
import sys
from types import ModuleType
from typing import Dict, Iterable, List, Optional

from ..rule import Rule, RuleError

GROUP = "wflint.rules"


class PluginError(Exception):
    """A plugin that cannot be loaded; the run stops with exit 2."""


def _as_rules(value, origin: str) -> List[Rule]:
    if isinstance(value, (Rule, ModuleType)):
        value = [value]
    try:
        items = list(value)
    except TypeError:
        raise RuleError(f"expected a list of rules or rule modules, got {type(value).__name__}")
    rules = []
    for item in items:
        if isinstance(item, Rule):
            rules.append(item if item.origin == origin else item.replace(origin=origin))
        elif isinstance(item, ModuleType):
            rules.append(Rule.from_module(item, origin=origin))
        else:
            raise RuleError(f"expected a Rule or a rule module, got {type(item).__name__}")
    return rules


def _entry_points():
    """The `wflint.rules` entry points of the distributions on sys.path, by
    name. Read straight from each `*.dist-info` and `*.egg-info` folder as
    importlib.metadata reads them (the first distribution of a name wins),
    since importing importlib.metadata costs more than the rest of a
    one-file run's registry; where distributions may come from elsewhere (a
    zip or egg on sys.path, a finder of distributions on sys.meta_path),
    importlib.metadata itself answers."""
    found = _scan(sys.path)
    if found is None:
        from importlib.metadata import entry_points
        try:
            found = entry_points(group=GROUP)
        except TypeError:  # pragma: no cover - Python 3.9's API
            found = entry_points().get(GROUP, [])
    return sorted(found, key=lambda ep: ep.name)


class _EntryPoint:
    """An entry point read from a distribution's `entry_points.txt`: what
    load_rules uses of importlib.metadata's EntryPoint (its name and load(),
    and the distribution's name, here ``name_of_dist``)."""

    _VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")

    def __init__(self, name: str, value: str, info: str):
        self.name, self.value, self.info = name, value, info

    def load(self):
        import importlib
        match = self._VALUE.match(self.value)
        if match is None:
            raise ValueError(f"{self.value!r} is not `module:attribute`")
        found = importlib.import_module(match.group("module"))
        for part in filter(None, (match.group("attr") or "").split(".")):
            found = getattr(found, part)
        return found

    @property
    def name_of_dist(self) -> Optional[str]:
        try:
            with open(os.path.join(self.info, "METADATA" if self.info.endswith(".dist-info") else "PKG-INFO"),
                      encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    if line.lower().startswith("name:"):
                        return line[5:].strip()
                    if not line.strip():
                        break
        except OSError:
            pass
        return None


def _scan(path: List[str]) -> Optional[List[_EntryPoint]]:
    """The `wflint.rules` entry points in the folders of ``path``, or None
    where only importlib.metadata would see them all."""
    if any(getattr(finder, "find_distributions", None) is not None and getattr(finder, "__name__", "") !=
           "PathFinder" for finder in sys.meta_path):
        return None
    seen = set()
    found: List[_EntryPoint] = []
    for entry in path:
        folder = entry or "."
        if not os.path.isdir(folder):
            if os.path.exists(folder):
                return None  # a zip or an egg file: importlib.metadata reads inside those
            continue
        if folder.lower().endswith(".egg"):
            return None
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            stem, extension = os.path.splitext(name)
            if extension.lower() not in (".dist-info", ".egg-info"):
                continue
            key = re.sub(r"[-_.]+", "_", stem.partition("-")[0]).lower()
            if key in seen:
                continue
            seen.add(key)
            info = os.path.join(folder, name)
            try:
                with open(os.path.join(info, "entry_points.txt"), encoding="utf-8") as handle:
                    text = handle.read()
            except OSError:
                continue
            found.extend(_EntryPoint(item, value, info) for item, value in _section(text, GROUP))
    return found


def _section(text: str, group: str):
    """(name, value) of each entry of ``group`` in an `entry_points.txt`."""
    section = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")  # as importlib.metadata reads it: `[ x ]` is not `[x]`
        elif section == group and "=" in line:
            name, value = line.split("=", 1)
            yield name.strip(), value.strip()


@functools.lru_cache(maxsize=None)
def load_rules() -> Dict[str, Rule]:
    """All rules by id, built-ins first. Raises PluginError naming the culprit."""
    rules: Dict[str, Rule] = {}
    points = _entry_points()
    if not any(ep.name == "core" for ep in points):
        # Running from a source tree that was never installed: the built-ins
        # are still importable.
        from .. import rules as core
        _add(rules, _as_rules(core.RULES, "core"), "wflint[core]")
    for ep in sorted(points, key=lambda ep: (ep.name != "core", ep.name)):
        dist = (ep.name_of_dist if isinstance(ep, _EntryPoint) else
                getattr(getattr(ep, "dist", None), "name", None)) or "?"
        label = f"{dist}[{ep.name}]"
        try:
            loaded = _as_rules(ep.load(), "core" if ep.name == "core" else ep.name)
        except Exception as exc:  # a plugin may raise anything while importing
            raise PluginError(f"plugin {label} failed to load: {type(exc).__name__}: {exc}") from exc
        _add(rules, loaded, label)
    for rule in rules.values():
        if rule.group in rules:
            raise PluginError(f"rule `{rule.group}` has the name of a group (`{rule.id}` is in group "
                              f"`{rule.group}`); rule ids and group names must differ")
    return rules


def groups(rules: Dict[str, Rule]) -> Dict[str, List[str]]:
    """Group name -> the ids of its rules, in registry order."""
    out: Dict[str, List[str]] = {}
    for rule in rules.values():
        out.setdefault(rule.group, []).append(rule.id)
    return out


def expand(names: Iterable[str], rules: Dict[str, Rule]) -> List[str]:
    """Rule ids for a list of rule ids and group names (a group stands for all
    its rules); names that are neither are kept as given."""
    by_group = groups(rules)
    out: List[str] = []
    for name in names:
        for rule_id in ([name] if name in rules else by_group.get(name, [name])):
            if rule_id not in out:
                out.append(rule_id)
    return out


def known_names(rules: Dict[str, Rule]) -> List[str]:
    """Every name a selection accepts: rule ids (each followed by its sub-check
    ids, `rule/check`), then group names."""
    from ..ruleids import all_ids
    return all_ids(rules) + [g for g in groups(rules) if g not in rules]


def _add(rules: Dict[str, Rule], new: Iterable[Rule], label: str) -> None:
    for rule in new:
        if rule.id in rules:
            other = rules[rule.id].origin
            raise PluginError(f"plugin {label} defines rule `{rule.id}`, which {other!r} already defines; "
                              "rule ids must be unique")
        rules[rule.id] = rule
