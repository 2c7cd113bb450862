""""Did you mean": the closest known name to a misspelt one."""

from __future__ import annotations

import difflib
from typing import Iterable, List, Optional


def matches(word: str, candidates: Iterable[str], cutoff: float = 0.7) -> List[str]:
    """Every candidate equally nearest to ``word`` (sorted), or [] when nothing is close.

    Case-only differences always match (`ServiceAccountName`); otherwise
    difflib's ratio must reach ``cutoff``, and short words need a closer match
    so that `a` does not suggest `b`. Two or more results are a tie: no
    candidate is a better guess than the others.
    """
    if not isinstance(word, str):
        return []
    pool = sorted({c for c in candidates if isinstance(c, str) and c != word})
    if not pool:
        return []
    lowered = word.lower()
    same_case = [c for c in pool if c.lower() == lowered]
    if same_case:
        return same_case
    if len(word) <= 3:
        cutoff = max(cutoff, 0.8)
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    best, found = cutoff, []
    for candidate in pool:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() < best or matcher.quick_ratio() < best:
            continue
        ratio = matcher.ratio()
        if ratio > best or (ratio == best and not found and ratio >= cutoff):
            best, found = ratio, [candidate]
        elif ratio == best:
            found.append(candidate)
    return found


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.7) -> Optional[str]:
    """The one candidate nearest to ``word``; None when nothing is close or
    when two or more are equally close (a tie is not a suggestion)."""
    found = matches(word, candidates, cutoff)
    return found[0] if len(found) == 1 else None


def did_you_mean(word: str, candidates: Iterable[str], cutoff: float = 0.7) -> str:
    """"; did you mean `x`?" (or "`x` or `y`" on a tie), or the empty string,
    for the end of a message."""
    found = matches(word, candidates, cutoff)
    if not found:
        return ""
    if len(found) == 1:
        return f"; did you mean `{found[0]}`?"
    shown = [f"`{m}`" for m in found[:4]]
    return "; did you mean " + ", ".join(shown[:-1]) + " or " + shown[-1] + "?"
