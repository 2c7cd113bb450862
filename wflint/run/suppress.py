"""Inline suppressions: `# wflint: disable=RULE[,RULE] -- reason`.

At the end of a line it covers that line; alone on a line it covers the next
line that is not blank or a comment; `# wflint: disable-file=RULE` covers the
whole file. A suppression that suppresses nothing is itself reported
(`unused-suppression`), so stale ones do not pile up.

Only real YAML comments count: a `# wflint:` line inside a block scalar (a
script's source), a quoted string or a plain value is text, not a directive;
the YAML scanner says where comments are, and where it stops on a syntax
error, what follows is not trusted. The rules in UNSUPPRESSIBLE cannot be
suppressed from inside a file at all (only by `--ignore` or `--baseline` on
the command line; see config.PROTECTED): they say that the file was not (fully) read, and the file
cannot vouch for itself.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Set

from ..slots import Record
from ..finding import WARNING, Finding
from ..ruleids import all_ids, lineage
from ..lazyre import lazy_compile

# A file that could not be read, parsed or linted whole must not be able to
# hide that with a comment inside it.
UNSUPPRESSIBLE = frozenset({"input-limit", "internal-error", "read-error", "yaml-syntax"})

_DIRECTIVE = lazy_compile(
    r"#\s*wflint:\s*(?P<kind>disable-file|disable)\s*=\s*(?P<rules>[A-Za-z0-9_/-]+(?:\s*,\s*[A-Za-z0-9_/-]+)*)"
    r"\s*(?:--\s*(?P<reason>.*))?$")


class Directive(Record):
    """A `# wflint: disable=...` comment: where it is and which rules it names."""

    __slots__ = ("line", "column", "end_column", "rules", "whole_file", "target", "used")

    line: int         # where the comment is
    column: int
    end_column: int
    rules: List[str]
    whole_file: bool
    target: int       # the line it covers (0 for the whole file)
    used: Set[str]

    def __init__(self, line, column, end_column, rules, whole_file, target, used=None):
        self.line = line
        self.column = column
        self.end_column = end_column
        self.rules = rules
        self.whole_file = whole_file
        self.target = target
        self.used = set() if used is None else used


def _comment_test(text: str):
    """A test ``is_comment(offset)``: is the `#` at character ``offset`` of
    ``text`` the start of (or inside) a YAML comment? Decided by the YAML
    scanner, document by document (as the loader cuts them): a `#` inside any
    token (a scalar of any style, a tag) is not, nor is anything at or after
    the point where the scanner gave up."""
    import bisect
    import yaml
    from ..source.loader import split_documents
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    starts: List[int] = []
    ends: List[int] = []
    untrusted: List[tuple] = []      # (from, to) offsets the scanner did not vouch for
    offset = 0
    for _, chunk in split_documents(text):
        scanned = 0          # the end of the last token scanned: all before it is known
        try:
            for token in yaml.scan(chunk, Loader=loader):
                start, end = token.start_mark.index, token.end_mark.index
                if end > start:
                    starts.append(offset + start)
                    ends.append(offset + end)
                scanned = max(scanned, end)
        except (yaml.YAMLError, RecursionError):
            # what follows the last whole token may be inside the scalar or
            # the structure the scanner choked on (an unclosed quote...)
            untrusted.append((offset + scanned, offset + len(chunk)))
        offset += len(chunk)

    def is_comment(at: int) -> bool:
        for low, high in untrusted:
            if low <= at < high:
                return False
        # tokens follow each other without overlapping: only the last one
        # that starts at or before ``at`` can hold it
        i = bisect.bisect_right(starts, at) - 1
        return not (i >= 0 and at < ends[i])
    return is_comment


def parse(text: str) -> List[Directive]:
    if "wflint:" not in text:
        return []
    lines = text.split("\n")
    directives = []
    is_comment = None
    line_start = 0
    for number, line in enumerate(lines, start=1):
        here = line_start
        line_start += len(line) + 1
        at = line.find("wflint:")
        if at < 0:
            continue
        hash_at = line.rfind("#", 0, at + 1)
        if hash_at < 0:
            continue
        if is_comment is None:
            is_comment = _comment_test(text)
        if not is_comment(here + hash_at):
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
    from ..suggest import did_you_mean
    # A group name (`security`) in a directive stands for each rule of the group.
    group_of = {rule_id: getattr(rule, "group", None) for rule_id, rule in known.items()} \
        if isinstance(known, dict) else {}
    kept = []
    for f in findings:
        suppressed = False
        # a rule's check (`rule/check`) is covered by its own id, its rule's and its group's
        names = lineage(f.rule)
        group = group_of.get(names[-1])
        names = names + [group] if group is not None else names
        for directive in () if f.rule in UNSUPPRESSIBLE else directives.get(f.path, ()):
            named = next((n for n in names if n in directive.rules), None)
            if named is not None and (directive.whole_file or directive.target == f.line):
                directive.used.add(named)
                suppressed = True
        if not suppressed:
            kept.append(f)
    groups = {}
    for rule_id, group in group_of.items():
        groups.setdefault(group, []).append(rule_id)
    known = (all_ids(known) if isinstance(known, dict) else list(known)) + [g for g in groups if g not in group_of]
    for path, items in directives.items():
        for directive in items:
            for rule in directive.rules:
                if rule in directive.used:
                    continue
                if rule in UNSUPPRESSIBLE:
                    message = (f"`{rule}` cannot be suppressed from inside a file (it says the file was not "
                               "read or linted whole); use `--ignore` or `--baseline` on the command line")
                elif rule not in known:
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
