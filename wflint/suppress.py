"""Inline suppressions: `# wflint: disable=RULE[,RULE] -- reason`.

At the end of a line it covers that line; alone on a line it covers the next
line that is not blank or a comment; `# wflint: disable-file=RULE` covers the
whole file. A suppression that suppresses nothing is itself reported
(`unused-suppression`), so stale ones do not pile up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Set

from .finding import WARNING, Finding

_DIRECTIVE = re.compile(
    r"#\s*wflint:\s*(?P<kind>disable-file|disable)\s*=\s*(?P<rules>[A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)"
    r"\s*(?:--\s*(?P<reason>.*))?$")


@dataclass
class Directive:
    line: int              # where the comment is
    column: int
    end_column: int
    rules: List[str]
    whole_file: bool
    target: int            # the line it covers (0 for the whole file)
    used: Set[str] = field(default_factory=set)


def parse(text: str) -> List[Directive]:
    if "wflint:" not in text:
        return []
    lines = text.split("\n")
    directives = []
    for number, line in enumerate(lines, start=1):
        at = line.find("wflint:")
        if at < 0:
            continue
        hash_at = line.rfind("#", 0, at + 1)
        if hash_at < 0:
            continue
        match = _DIRECTIVE.match(line[hash_at:].rstrip("\r"))
        if not match:
            continue
        rules = [r.strip() for r in match.group("rules").split(",") if r.strip()]
        whole = match.group("kind") == "disable-file"
        if whole:
            target = 0
        elif line[:hash_at].strip():
            target = number
        else:
            target = _next_code_line(lines, number)
        directives.append(Directive(line=number, column=hash_at + 1, end_column=len(line.rstrip()) + 1,
                                    rules=rules, whole_file=whole, target=target))
    return directives


def _next_code_line(lines: List[str], number: int) -> int:
    for later in range(number, len(lines)):
        stripped = lines[later].strip()
        if stripped and not stripped.startswith("#"):
            return later + 1
    return number + 1


def apply(findings: Iterable[Finding], directives: Dict[str, List[Directive]],
          active: Set[str], known: Iterable[str]) -> List[Finding]:
    """Drop suppressed findings; add an `unused-suppression` finding for every
    rule a directive names that suppressed nothing."""
    from .suggest import did_you_mean
    # A group name (`security`) in a directive stands for each rule of the group.
    group_of = {rule_id: getattr(rule, "group", None) for rule_id, rule in known.items()} \
        if isinstance(known, dict) else {}
    kept = []
    for f in findings:
        suppressed = False
        group = group_of.get(f.rule)
        for directive in directives.get(f.path, ()):
            named = f.rule if f.rule in directive.rules else group if group in directive.rules else None
            if named is not None and (directive.whole_file or directive.target == f.line):
                directive.used.add(named)
                suppressed = True
        if not suppressed:
            kept.append(f)
    groups = {}
    for rule_id, group in group_of.items():
        groups.setdefault(group, []).append(rule_id)
    known = list(known) + [g for g in groups if g not in group_of]
    for path, items in directives.items():
        for directive in items:
            for rule in directive.rules:
                if rule in directive.used:
                    continue
                if rule not in known:
                    message = f"suppression names no rule `{rule}`{did_you_mean(rule, known)}"
                elif rule not in active and not (rule in groups and rule not in group_of
                                                 and set(groups[rule]) & set(active)):
                    continue  # the rule is off in this run: the directive may matter elsewhere
                else:
                    scope = "in this file" if directive.whole_file else f"on line {directive.target}"
                    message = f"`{rule}` reports nothing {scope}, so this suppression is unused"
                kept.append(Finding(rule="unused-suppression", severity=WARNING, message=message, path=path,
                                    line=directive.line, column=directive.column, end_line=directive.line,
                                    end_column=directive.end_column,
                                    hint="remove it (or the rule from it)"))
    # A suppression may silence unused-suppression findings too.
    final = []
    for f in kept:
        if f.rule == "unused-suppression" and any(
                "unused-suppression" in d.rules and (d.whole_file or d.target == f.line)
                for d in directives.get(f.path, ())):
            continue
        final.append(f)
    return final
