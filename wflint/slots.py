"""Plain value classes for what a `wflint check` builds at start-up.

A dataclass costs about half a millisecond at import (its methods are written
as source and compiled), and a run imports dozens: paid before any file is
read. A class of the modules a check imports derives from ``Record`` instead,
lists its fields in ``__slots__`` and writes its own ``__init__``; it gets
what the dataclass gave it: equality and a repr on its fields, in order
(``_FIELDS`` when some slots are not fields). ``FrozenRecord`` is also
hashable, like a frozen dataclass (nothing stops an assignment, so assign
none). ``replace`` makes a changed copy; instances pickle, as ``__slots__``
classes do.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Tuple


class Record:
    """Equality (same class, equal fields) and ``Name(field=value, ...)``."""

    __slots__ = ()
    _FIELDS: Tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "_FIELDS" not in cls.__dict__:
            cls._FIELDS = tuple(cls.__dict__.get("__slots__", ()))
        # One C call reads every field (a 1-tuple is made for a single field, so values compare as tuples).
        get = attrgetter(*cls._FIELDS) if cls._FIELDS else (lambda self: ())
        cls._values = staticmethod((lambda self: (get(self),)) if len(cls._FIELDS) == 1 else get)

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values(self) == other._values(other)

    __hash__ = None  # mutable, like a dataclass that is not frozen

    def replace(self, **changes):
        """A copy with ``changes`` made (dataclasses.replace, for a class
        whose slots are all set by its ``__init__``)."""
        unknown = set(changes).difference(self.__slots__)
        if unknown:
            raise TypeError(f"{self.__class__.__qualname__} has no field {', '.join(sorted(unknown))}")
        copy = self.__class__.__new__(self.__class__)
        for name in self.__slots__:
            if name == "__dict__":
                continue
            setattr(copy, name, changes[name] if name in changes else getattr(self, name))
        return copy

    def __repr__(self) -> str:
        return (f"{self.__class__.__qualname__}("
                + ", ".join(f"{name}={getattr(self, name)!r}" for name in self._FIELDS) + ")")


class FrozenRecord(Record):
    """A Record never changed once built, hashable on its fields."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self._values(self))
