"""Duration and integer strings as Argo's Go code reads them.

Argo reads durations three ways, and a linter has to know which one a field
gets:

* ``go_duration``: Go's ``time.ParseDuration`` (``30s``, ``1h30m``, ``1.5h``,
  ``-5m``, ``0``; units ``ns us µs ms s m h``, no days). Template
  ``timeout``, ``memoize.maxAge``, a containerSet's ``retryStrategy.duration``.
* ``seconds_or_duration``: Argo's ``ParseStringToDuration``: a whole number
  is seconds (``"30"``), anything else must be a Go duration. Suspend
  ``duration``, ``retryStrategy.backoff.duration`` and ``maxDuration``,
  ``podGC.deleteDelayDuration``.
* ``go_int``: Go's ``strconv.Atoi`` (an optional sign and decimal digits
  that fit in 64 bits), which Argo uses to reject a ``timeout`` written as a
  bare number and to read int-or-string fields.

Each function returns None when the text is fine, or a short reason.
"""

from __future__ import annotations

import re
from typing import Optional

from .cron import CronError, parse_go_duration

_INT = re.compile(r"[+-]?[0-9]+\Z")
_INT64_MAX = (1 << 63) - 1


def go_int(text: str) -> Optional[int]:
    """The value of ``text`` read by Go's ``strconv.Atoi`` (64-bit), or None."""
    if not isinstance(text, str) or not _INT.match(text):
        return None
    value = int(text)
    if value > _INT64_MAX or value < -_INT64_MAX - 1:
        return None
    return value


def go_duration_nanos(text: str) -> Optional[int]:
    """Nanoseconds of a Go duration string, or None when Go cannot parse it."""
    try:
        return parse_go_duration(text)
    except CronError:
        return None


def go_duration_problem(text: str) -> Optional[str]:
    """Why Go's ``time.ParseDuration`` rejects ``text``, or None."""
    try:
        parse_go_duration(text)
    except CronError as err:
        return _reason(err.message)
    return None


def seconds_or_duration_problem(text: str) -> Optional[str]:
    """Why Argo's ``ParseStringToDuration`` rejects ``text`` (a whole number of
    seconds, or a Go duration), or None."""
    if go_int(text) is not None:
        return None
    return go_duration_problem(text)


def seconds_or_duration_nanos(text: str) -> Optional[int]:
    """Nanoseconds as ``ParseStringToDuration`` reads ``text``, or None."""
    seconds = go_int(text)
    if seconds is not None:
        return seconds * 1_000_000_000
    return go_duration_nanos(text)


def _reason(message: str) -> str:
    # wflint.lang.cron words it "`x` is not a Go duration: why"; keep the why.
    _, sep, why = message.partition(": ")
    return why if sep else message


EXAMPLES = "`30s`, `15m`, `1h30m` (units: h, m, s, ms, us, ns; no days)"
