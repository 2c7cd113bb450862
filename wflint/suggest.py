""""Did you mean": the closest known name to a misspelt one."""

from __future__ import annotations

import difflib
from typing import Iterable, Optional


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.7) -> Optional[str]:
    """The candidate nearest to ``word``, or None when nothing is close.

    Case-only differences always match (`ServiceAccountName`); otherwise
    difflib's ratio must reach ``cutoff``, and short words need a closer match
    so that `a` does not suggest `b`.
    """
    if not isinstance(word, str):
        return None
    pool = [c for c in candidates if isinstance(c, str) and c != word]
    if not pool:
        return None
    lowered = word.lower()
    for candidate in pool:
        if candidate.lower() == lowered:
            return candidate
    if len(word) <= 3:
        cutoff = max(cutoff, 0.8)
    matches = difflib.get_close_matches(word, pool, n=1, cutoff=cutoff)
    return matches[0] if matches else None


def did_you_mean(word: str, candidates: Iterable[str], cutoff: float = 0.7) -> str:
    """"; did you mean `x`?" or the empty string, for the end of a message."""
    match = closest(word, candidates, cutoff)
    return f"; did you mean `{match}`?" if match else ""
