""""Did you mean": the closest known name to a misspelt one."""

from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Tuple


def matches(word: str, candidates: Iterable[str], cutoff: float = 0.7) -> List[str]:
    """Every candidate equally nearest to ``word`` (sorted), or [] when nothing is close.

    Case-only differences always match (`ServiceAccountName`); otherwise
    difflib's ratio must reach ``cutoff``, and short words need a closer match
    so that `a` does not suggest `b`. Two or more results are a tie: no
    candidate is a better guess than the others.
    """
    if not isinstance(word, str):
        return []
    pool = tuple(sorted({c for c in candidates if isinstance(c, str) and c != word}))
    if not pool:
        return []
    # The same misspelling is often met in many documents (a templateRef to a
    # library that is not in the project): its answer is worked out once.
    key = (word, cutoff, pool)
    found = _answers.get(key)
    if found is None:
        if len(_answers) >= _MAX_ANSWERS:
            _answers.clear()
        found = _answers[key] = _matches(word, pool, cutoff)
    return list(found)


_answers: Dict[tuple, List[str]] = {}
_MAX_ANSWERS = 512  # each key holds its candidates: a long-lived language server stays small


def _matches(word: str, pool: Tuple[str, ...], cutoff: float) -> List[str]:
    lowered = word.lower()
    same_case = [c for c in pool if c.lower() == lowered]
    if same_case:
        return same_case
    if len(word) <= 3:
        cutoff = max(cutoff, 0.8)
    import difflib  # here: most runs never need a suggestion
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
