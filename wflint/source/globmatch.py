"""Wildcard matching in time linear in the text, for patterns that come from
the checkout (`exclude` in `.wflint.yaml`, step and task names with tags).

Python's `re` backtracks: `a*a*a*…b` (as a gitignore pattern) or
`{{a}}x{{b}}x{{c}}…` (as a name pattern, each tag standing for "one or more
characters") takes time exponential in the number of wildcards. Here:

* `GitIgnore`: gitignore patterns (the `gitwildmatch` reading that pathspec
  gives them: `*`, `?`, `[...]`, `**/`, `/**/`, `/**`, a leading or middle
  `/` anchors, a trailing `/` matches folders only, `!` re-includes, the last
  matching pattern wins). Each pattern is compiled to an NFA that is run as a
  lazily built DFA: one step per character of the path, whatever the pattern.
* `wildcard_matcher`: literal pieces separated by "one or more characters",
  matched by leftmost search, which is exact for such patterns.
"""

from __future__ import annotations

from typing import Callable, Dict, FrozenSet, List, Optional, Sequence, Tuple

MAX_PATTERN_LENGTH = 1024     # characters in one exclude pattern
MAX_PATTERNS = 1000           # exclude patterns in one group
_MAX_DFA_STATES = 4096        # per pattern; past it the NFA is simulated without caching

# NFA instructions
_CHAR, _SPLIT, _JMP, _EOS, _MATCH, _MATCH_DIR = range(6)


class PatternError(ValueError):
    pass


def _class_test(body: str, negated: bool) -> Callable[[str], bool]:
    singles = set()
    ranges = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            i += 1
            c = body[i]
        if i + 2 < len(body) and body[i + 1] == "-":
            hi = body[i + 2]
            if hi == "\\" and i + 3 < len(body):
                hi = body[i + 3]
                i += 1
            ranges.append((c, hi))
            i += 3
            continue
        singles.add(c)
        i += 1

    def test(ch: str) -> bool:
        if ch == "/":
            return False
        hit = ch in singles or any(lo <= ch <= hi for lo, hi in ranges)
        return hit != negated
    return test


def _not_slash(ch: str) -> bool:
    return ch != "/"


def _any(ch: str) -> bool:
    return True


class _Program:
    def __init__(self):
        self.code: List[list] = []

    def emit(self, *instr) -> int:
        self.code.append(list(instr))
        return len(self.code) - 1

    def char(self, test) -> int:
        return self.emit(_CHAR, test)

    def literal(self, ch: str) -> int:
        return self.emit(_CHAR, ch)

    def star(self, test) -> None:
        """test*"""
        loop = self.emit(_SPLIT, None, None)
        self.char(test)
        self.emit(_JMP, loop)
        self.code[loop][1] = loop + 1
        self.code[loop][2] = len(self.code)

    def plus(self, test) -> None:
        """test+"""
        first = self.char(test)
        split = self.emit(_SPLIT, first, None)
        self.code[split][2] = len(self.code)

    def optional(self, build) -> None:
        split = self.emit(_SPLIT, None, None)
        self.code[split][1] = split + 1
        build()
        self.code[split][2] = len(self.code)


class _Unusable(Exception):
    pass


def _segment(program: _Program, segment: str) -> None:
    if segment == "*":                      # a whole segment: one or more characters
        program.plus(_not_slash)
        return
    i, n = 0, len(segment)
    while i < n:
        c = segment[i]
        if c == "\\" and i + 1 < n:
            program.literal(segment[i + 1])
            i += 2
        elif c == "*":
            while i < n and segment[i] == "*":
                i += 1
            program.star(_not_slash)
        elif c == "?":
            program.char(_not_slash)
            i += 1
        elif c == "[":
            j = i + 1
            negated = j < n and segment[j] in "!^"
            if negated:
                j += 1
            if j < n and segment[j] == "]":
                j += 1
            while j < n and segment[j] != "]":
                j += 2 if segment[j] == "\\" else 1
            if j >= n:                      # no closing `]`: pathspec drops the pattern
                raise _Unusable()
            body = segment[i + 1 + (1 if negated else 0):j]
            program.char(_class_test(body, negated))
            i = j + 1
        else:
            program.literal(c)
            i += 1


def _strip_trailing_spaces(pattern: str) -> str:
    end = len(pattern)
    while end > 0 and pattern[end - 1] == " ":
        backslashes = 0
        k = end - 2
        while k >= 0 and pattern[k] == "\\":
            backslashes += 1
            k -= 1
        if backslashes % 2:
            break
        end -= 1
    return pattern[:end]


class _Pattern:
    def __init__(self, pattern: str):
        self.negate = False
        if pattern.startswith("!"):
            self.negate = True
            pattern = pattern[1:]
        elif pattern.startswith("\\!") or pattern.startswith("\\#"):
            pattern = pattern[1:]
        segments = pattern.split("/")
        while len(segments) > 1 and segments[-1] == "" and segments[-2] == "":
            segments.pop()                  # `a//` reads as `a/`
        dir_only = len(segments) > 1 and segments[-1] == ""
        if dir_only:
            segments.pop()
        anchored = len(segments) > 1
        if segments and segments[0] == "":
            segments.pop(0)
        segments = [s for i, s in enumerate(segments) if s or i == len(segments) - 1] or [""]
        # collapse runs of `**`
        collapsed: List[str] = []
        for s in segments:
            if s == "**" and collapsed and collapsed[-1] == "**":
                continue
            collapsed.append(s)
        segments = collapsed
        if segments == ["*"]:
            segments = ["**"]               # `*` alone: everything, like `**`
        if not anchored and segments[0] != "**":
            segments.insert(0, "**")
        p = _Program()
        last = len(segments) - 1
        everything_after = False
        for i, seg in enumerate(segments):
            if seg == "**":
                if i == 0 and i == last:
                    p.plus(_any)            # `**`: anything
                    everything_after = True
                elif i == 0:                # `**/rest`: at any depth
                    p.optional(lambda: (p.plus(_any), p.literal("/")))
                elif i == last:             # `rest/**`: everything inside
                    p.literal("/")
                    everything_after = True
                else:                       # `a/**/b`
                    p.optional(lambda: (p.literal("/"), p.plus(_any)))
                    p.literal("/")
                continue
            if i > 0 and segments[i - 1] != "**":
                p.literal("/")
            _segment(p, seg)
        if not everything_after:
            if dir_only:
                p.literal("/")
            else:
                split = p.emit(_SPLIT, None, None)
                p.code[split][1] = p.literal("/")
                p.emit(_MATCH_DIR)
                p.code[split][2] = p.emit(_EOS)
                p.emit(_MATCH)
        if dir_only and not everything_after:
            p.emit(_MATCH_DIR)
        elif everything_after or not dir_only:
            p.emit(_MATCH)
        self.code = p.code
        self._start: Optional[FrozenSet[int]] = None
        self._dfa: Dict[Tuple[FrozenSet[int], str], FrozenSet[int]] = {}

    def _closure(self, pcs, at_end: bool) -> FrozenSet[int]:
        code = self.code
        seen = set()
        stack = list(pcs)
        while stack:
            pc = stack.pop()
            if pc in seen:
                continue
            seen.add(pc)
            op = code[pc][0]
            if op == _SPLIT:
                stack.append(code[pc][1])
                stack.append(code[pc][2])
            elif op == _JMP:
                stack.append(code[pc][1])
            elif op == _EOS and at_end:
                stack.append(pc + 1)
        return frozenset(pc for pc in seen if code[pc][0] in (_CHAR, _MATCH, _MATCH_DIR, _EOS))

    def _step(self, state: FrozenSet[int], ch: str) -> FrozenSet[int]:
        key = (state, ch)
        found = self._dfa.get(key)
        if found is not None:
            return found
        code = self.code
        nxt = []
        for pc in state:
            instr = code[pc]
            if instr[0] == _CHAR:
                test = instr[1]
                if (test == ch) if isinstance(test, str) else test(ch):
                    nxt.append(pc + 1)
        result = self._closure(nxt, False)
        if len(self._dfa) < _MAX_DFA_STATES:
            self._dfa[key] = result
        return result

    def _accepts(self, state: FrozenSet[int]) -> int:
        code = self.code
        best = 0
        for pc in state:
            op = code[pc][0]
            if op == _MATCH:
                return 2
            if op == _MATCH_DIR:
                best = 1
        return best

    def match(self, path: str) -> int:
        """0 if the pattern does not match ``path`` from its start; 2 if it
        matches the path itself (or everything below a folder, `a/**`); 1 if
        it matches only a folder above it (`a` on `a/b.yaml`), which a later
        negation cannot undo (pathspec's GitIgnoreSpec priorities)."""
        if self._start is None:
            self._start = self._closure([0], False)
        state = self._start
        best = 0
        for ch in path:
            got = self._accepts(state)
            if got == 2:
                return 2
            best = max(best, got)
            state = self._step(state, ch)
            if not state:
                return best
        got = self._accepts(state)
        if got == 2:
            return 2
        code = self.code
        return max(best, got, self._accepts(self._closure([pc for pc in state if code[pc][0] == _EOS], True)))


class GitIgnore:
    """A group of gitignore patterns, last match wins."""

    def __init__(self, patterns: Sequence[str]):
        if len(patterns) > MAX_PATTERNS:
            raise PatternError(f"{len(patterns)} exclude patterns; at most {MAX_PATTERNS} are allowed")
        self._patterns: List[_Pattern] = []
        for raw in patterns:
            if len(raw) > MAX_PATTERN_LENGTH:
                raise PatternError(f"an exclude pattern of {len(raw)} characters; at most "
                                   f"{MAX_PATTERN_LENGTH} are allowed")
            if raw.startswith("#"):
                continue
            text = _strip_trailing_spaces(raw.rstrip("\r\n"))
            if not text or text == "/":
                continue
            try:
                self._patterns.append(_Pattern(text))
            except _Unusable:
                continue

    def match_file(self, path: str) -> bool:
        verdict, priority = False, 0
        for pattern in self._patterns:
            got = pattern.match(path)
            if not got:
                continue
            include = not pattern.negate
            if (include and got == 1) or got >= priority:
                verdict, priority = include, got
        return verdict


def wildcard_matcher(pieces: Sequence[str]) -> Callable[[str], bool]:
    """A matcher for ``pieces[0] W pieces[1] W … pieces[-1]`` where each W is
    one or more characters of any kind: linear, with no backtracking."""
    pieces = list(pieces)
    if len(pieces) == 1:
        only = pieces[0]
        return lambda text: text == only
    first, middle, last = pieces[0], pieces[1:-1], pieces[-1]

    def match(text: str) -> bool:
        if not text.startswith(first):
            return False
        pos = len(first) + 1                       # at least one character for the wildcard
        limit = len(text) - len(last)
        if limit < pos or not text.endswith(last):
            return False
        for piece in middle:
            at = text.find(piece, pos, limit - 1)
            if at < 0 or at + len(piece) + 1 > limit:
                return False
            pos = at + len(piece) + 1
        return pos <= limit
    return match
