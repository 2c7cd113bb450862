"""The Argo Workflows versions wflint knows, typed and compared as numbers.

Rules read the version from ``context.argo_version`` (an ``ArgoVersion``) and
ask about it in numbers, never in string order (as strings, ``"4.10" < "4.9"``)::

    version = ArgoVersion.parse(context.argo_version)   # also accepts "4.1"
    if version.major >= 4: ...                            # Argo 4 and later
    if version >= "4.1": ...                              # compared numerically

``SUPPORTED`` is the one list of versions wflint has a schema and rules for
(the `--argo-version` choices and the config's `argo-version` values), newest
first; ``DEFAULT`` is the one default.

An ``ArgoVersion`` is also a ``str`` ("4.1"): options, cache keys, JSON output
and schema file names keep using it as text, equal to and hashed as that text,
so plugins that compare it with a string keep working; only ordering is
numeric.
"""

from __future__ import annotations

import re
from typing import Tuple, Union

_FORM = re.compile(r"^v?(\d+)\.(\d+)(?:\.\d+)?$")


class ArgoVersion(str):
    """``major.minor`` of an Argo release; ``parse("v4.1.2")`` reads as 4.1."""

    __slots__ = ()

    def __new__(cls, text: Union[str, "ArgoVersion"]):
        if isinstance(text, ArgoVersion):
            return text
        match = _FORM.match(str(text).strip())
        if match is None:
            raise ValueError(f"{text!r} is not an Argo version: write it as MAJOR.MINOR, e.g. {DEFAULT}")
        return super().__new__(cls, f"{int(match.group(1))}.{int(match.group(2))}")

    parse = classmethod(lambda cls, text: cls(text))

    @property
    def parts(self) -> Tuple[int, int]:
        major, minor = str.split(self, ".")
        return int(major), int(minor)

    @property
    def major(self) -> int:
        return self.parts[0]

    @property
    def minor(self) -> int:
        return self.parts[1]

    def _other(self, other) -> Tuple[int, int]:
        return ArgoVersion(other).parts

    def __lt__(self, other) -> bool:
        return self.parts < self._other(other)

    def __le__(self, other) -> bool:
        return self.parts <= self._other(other)

    def __gt__(self, other) -> bool:
        return self.parts > self._other(other)

    def __ge__(self, other) -> bool:
        return self.parts >= self._other(other)

    # Equality and hashing stay the text's: "4.1" == ArgoVersion("4.1"), and
    # both find the same dict entry. (functools.lru_cache keys them apart: a
    # cache keyed by version takes ``str(version)``, as wflint.argo.schema does.)
    __eq__ = str.__eq__
    __ne__ = str.__ne__
    __hash__ = str.__hash__

    def __repr__(self) -> str:
        return f"ArgoVersion({str.__str__(self)!r})"

    def __str__(self) -> str:
        return str.__str__(self)


# Newest first. Adding a version: its schema (schemas/argo-X.Y.json) and here.
SUPPORTED: Tuple[ArgoVersion, ...] = (ArgoVersion("4.1"), ArgoVersion("3.7"))
DEFAULT: ArgoVersion = SUPPORTED[0]


def supported(text) -> ArgoVersion:
    """``text`` as a supported ArgoVersion, or ValueError saying which ones are."""
    try:
        version = ArgoVersion(text)
    except ValueError:
        version = None
    if version not in SUPPORTED:
        raise ValueError(f"Argo version {text!r} is not supported: use one of {', '.join(SUPPORTED)}")
    return version
