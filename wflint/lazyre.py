"""Regular expressions compiled on first use.

Compiling a pattern costs 0.05-0.5 ms, and a `wflint check` pays for every
module-level one before it reads a file. A pattern that only some runs need
(a rare shape of input, a kind of document, a rule that is off by default)
is made with ``lazy_compile`` instead of ``re.compile``: the object stands for
the compiled pattern and compiles it when one of its attributes is first
read. The compiled pattern's methods are then kept on the object, so a call
costs what it costs on the compiled pattern. Call its methods (``.match``,
``.sub``...); do not pass it to ``re.match`` and the like.
"""

from __future__ import annotations

import re

# What is copied from the compiled pattern on first use.
_KEPT = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer", "scanner",
         "pattern", "flags", "groups", "groupindex")


class LazyPattern:
    """A ``re.Pattern`` compiled when first used."""

    def __init__(self, pattern: str, flags: int = 0):
        self._source = (pattern, flags)

    def __getattr__(self, name: str):
        # Only called for what is not on the object yet: the first use.
        if name.startswith("__") or name == "_source":
            raise AttributeError(name)
        compiled = re.compile(*self._source)
        for kept in _KEPT:
            setattr(self, kept, getattr(compiled, kept))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_compile({self._source[0]!r})"


def lazy_compile(pattern: str, flags: int = 0) -> LazyPattern:
    """``re.compile(pattern, flags)``, when the pattern is first used."""
    return LazyPattern(pattern, flags)
