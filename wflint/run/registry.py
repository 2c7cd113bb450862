"""Finding rules: every distribution's `wflint.rules` entry points, built-ins included."""

from __future__ import annotations

import dataclasses
import functools
from types import ModuleType
from typing import Dict, Iterable, List

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
            rules.append(item if item.origin == origin else dataclasses.replace(item, origin=origin))
        elif isinstance(item, ModuleType):
            rules.append(Rule.from_module(item, origin=origin))
        else:
            raise RuleError(f"expected a Rule or a rule module, got {type(item).__name__}")
    return rules


def _entry_points():
    from importlib.metadata import entry_points
    try:
        found = entry_points(group=GROUP)
    except TypeError:  # pragma: no cover - Python 3.9's API
        found = entry_points().get(GROUP, [])
    return sorted(found, key=lambda ep: ep.name)


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
        dist = getattr(getattr(ep, "dist", None), "name", None) or "?"
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
