"""Rule ids and sub-check ids: which findings a run reports.

A rule that makes several distinct checks declares them (``CHECKS = {"name":
"one-line summary"}``) and tags each finding with ``finding(..., check="name")``.
The finding's id is then ``<rule>/<name>`` (``template-structure/duplicate-volume-mount``):
both halves are kebab-case, so a sub-id is accepted wherever a rule id is
(``--select``, ``--ignore``, ``--extend-select``, the configuration's ``select``,
``ignore`` and ``rules:`` severities, inline directives, baselines, ``wflint explain``).
The rule id stands for all its checks: ignoring or suppressing ``template-structure``
covers every ``template-structure/...`` finding, and a baseline entry recorded
with the rule id matches them too. The most specific setting wins.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Mapping, Optional, Set, Tuple

SEP = "/"


def split(name: str) -> Tuple[str, Optional[str]]:
    """``"template-structure/loop"`` -> ``("template-structure", "loop")``; a rule id -> ``(id, None)``."""
    head, sep, tail = name.partition(SEP)
    return (head, tail) if sep else (name, None)


def parent(name: str) -> str:
    return split(name)[0]


def qualify(rule_id: str, check: Optional[str]) -> str:
    return f"{rule_id}{SEP}{check}" if check else rule_id


def lineage(name: str) -> List[str]:
    """The id itself, then the rule it belongs to (most specific first)."""
    head, tail = split(name)
    return [name, head] if tail else [name]


def sub_ids(rule) -> List[str]:
    return [qualify(rule.id, check) for check in getattr(rule, "checks", {}) or {}]


def all_ids(rules: Mapping[str, object]) -> List[str]:
    """Every rule id, each followed by its sub-check ids."""
    out: List[str] = []
    for rule in rules.values():
        out.append(rule.id)
        out.extend(sub_ids(rule))
    return out


def is_sub_id(name: str, rules: Mapping[str, object]) -> bool:
    head, tail = split(name)
    return tail is not None and head in rules and tail in (getattr(rules[head], "checks", {}) or {})


def covered(name: str, rules: Mapping[str, object]) -> List[str]:
    """The ids a name in a selection stands for: a group -> its rules and their
    checks, a rule -> itself and its checks, a sub-id -> itself."""
    if name in rules:
        return [name] + sub_ids(rules[name])
    by_group: Dict[str, List[str]] = {}
    for rule in rules.values():
        by_group.setdefault(getattr(rule, "group", ""), []).append(rule.id)
    if name in by_group:
        return [i for rule_id in by_group[name] for i in [rule_id] + sub_ids(rules[rule_id])]
    return [name]


def lookup(settings: Mapping[str, object], name: str):
    """The most specific setting for an id: its own, else its rule's."""
    for key in lineage(name):
        if key in settings:
            return settings[key]
    return None


def enabled_ids(rules: Mapping[str, object], config, select=None, extend_select: Iterable[str] = (),
                ignore: Iterable[str] = ()) -> "Enabled":
    """The rule ids and sub-ids a run reports: defaults, the config's `rules`
    (a rule's setting, then a check's own), `select` (replaces), `extend-select`
    (adds) and `ignore` (removes); ``select`` is the command line's if given,
    else the config's."""
    universe = all_ids(rules)
    enabled: Dict[str, bool] = {}
    for rule in rules.values():
        enabled[rule.id] = rule.enabled
        for sub in sub_ids(rule):
            enabled[sub] = rule.enabled
    settings = config.rules
    for name in sorted(settings, key=lambda n: SEP in n):      # rules first, then their checks
        setting = settings[name]
        if getattr(setting, "enabled", None) is None:
            continue
        for target in covered(name, rules):
            if target in enabled:
                enabled[target] = setting.enabled
    chosen = select if select is not None else config.select
    if chosen is not None:
        picked = {i for name in chosen for i in covered(name, rules)}
        enabled = {i: i in picked for i in universe}
    for name in list(extend_select):
        for target in covered(name, rules):
            if target in enabled:
                enabled[target] = True
    for name in list(ignore):
        for target in covered(name, rules):
            if target in enabled:
                enabled[target] = False
    return Enabled((i for i, on in enabled.items() if on), universe)


class Enabled(frozenset):
    """The ids a run reports, knowing every id that exists (``known``)."""

    def __new__(cls, ids, known=()):
        made = super().__new__(cls, ids)
        made.known = frozenset(known)
        return made

    def __or__(self, other):
        return Enabled(frozenset.__or__(self, other), self.known)


def rule_runs(rule, enabled: Set[str]) -> bool:
    """A rule runs when it or any of its checks is reported."""
    return rule.id in enabled or any(sub in enabled for sub in sub_ids(rule))


def reported(finding_rule: str, enabled) -> bool:
    """Is a finding with this id reported? A check its rule does not declare counts as its rule."""
    if finding_rule in enabled:
        return True
    return SEP in finding_rule and finding_rule not in getattr(enabled, "known", ()) \
        and parent(finding_rule) in enabled


def doc_section(markdown: str, name: str) -> Optional[str]:
    """The `### <name>` section of a rule's doc (a check's own documentation)."""
    lines = markdown.splitlines()
    out: List[str] = []
    inside = False
    for line in lines:
        if line.startswith("### "):
            heading = line[4:].strip().strip("`")
            if inside:
                break
            inside = heading == name
            if inside:
                out.append(line)
            continue
        if inside and line.startswith("## "):
            break
        if inside:
            out.append(line)
    return "\n".join(out).strip() + "\n" if out else None
