"""Cron schedules as Argo reads them: robfig/cron v3's standard parser.

Argo validates every CronWorkflow schedule with ``cron.ParseStandard`` and the
controller schedules it with the same parser, so this module accepts exactly
that dialect and nothing more:

* five fields, ``minute hour day-of-month month day-of-week``, separated by
  whitespace; each field a comma-separated list of ``*`` or ``?`` (any field),
  ``n``, ``a-b``, ``*/s``, ``a/s`` (a to the field's maximum) or ``a-b/s``;
  month names ``JAN``-``DEC`` and day names ``SUN``-``SAT`` in any case;
  day of week runs 0-6 (``7`` is rejected);
* the descriptors ``@yearly @annually @monthly @weekly @daily @midnight @hourly``
  and ``@every <Go duration>``;
* an optional ``TZ=<zone> `` or ``CRON_TZ=<zone> `` prefix.

No seconds field, no ``L``, ``W`` or ``#`` (croniter's extensions), no
``@reboot``. :func:`parse` raises :class:`CronError` with the character span
of the culprit, so a rule can underline the one field that is wrong.
"""

from __future__ import annotations

import functools
import re
from typing import FrozenSet, List, Mapping, Optional, Tuple

from ..slots import FrozenRecord, Record
from ..lazyre import lazy_compile

Span = Tuple[int, int]


class Field(FrozenRecord):
    """A field of a cron schedule: its name, range and names."""

    __slots__ = ("name", "low", "high", "names", "example")

    name: str
    low: int
    high: int
    names: Mapping[str, int]
    example: str

    def __init__(self, name, low, high, names=None, example=""):
        self.name = name
        self.low = low
        self.high = high
        self.names = {} if names is None else names
        self.example = example


_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_DAYS = {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}

# The five fields of a standard schedule, in order, with robfig's bounds.
FIELDS: Tuple[Field, ...] = (
    Field("minute", 0, 59, example="*/15"),
    Field("hour", 0, 23, example="9-17"),
    Field("day of month", 1, 31, example="1,15"),
    Field("month", 1, 12, _MONTHS, example="JAN-MAR"),
    Field("day of week", 0, 6, _DAYS, example="MON-FRI"),
)

DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
EVERY = "@every "

# Days in each month (February with its leap day: robfig looks five years ahead).
_MONTH_DAYS = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}
_MONTH_NAMES = {v: k.capitalize() for k, v in _MONTHS.items()}

# Go's time.ParseDuration units, in nanoseconds.
_UNITS = {"ns": 1, "us": 10**3, "\u00b5s": 10**3, "\u03bcs": 10**3, "ms": 10**6,
          "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}
_INT64_MAX = (1 << 63) - 1

# The pattern the full CRDs of Argo 4 put on every `schedules` item (enforced
# by the API server, not by Argo's validator): no TZ prefix, integer durations.
CRD_PATTERN = lazy_compile(
    r"^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)"
    r"|@every\s+([0-9]+(ns|us|\u00b5s|ms|s|m|h))+"
    r"|([A-Za-z0-9*,/?-]+\s+){4}[A-Za-z0-9*,/?-]+)$")


class CronError(ValueError):
    """A schedule Argo rejects: ``message`` says which part and why, ``span``
    is where it is in the schedule string, ``hint`` how to fix it."""

    def __init__(self, message: str, span: Optional[Span] = None, hint: Optional[str] = None):
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint


class Schedule(Record):
    """A schedule that parses. ``zone`` is the TZ=/CRON_TZ= prefix's zone (or
    None), ``kind`` one of ``fields``, ``descriptor``, ``every``;
    ``warnings`` are (message, span) pairs for schedules that parse but
    cannot run as written."""

    __slots__ = ("text", "kind", "zone", "zone_span", "every_ns", "values", "stars", "warnings")

    text: str
    kind: str
    zone: Optional[str]
    zone_span: Optional[Span]
    every_ns: Optional[int]
    values: List[FrozenSet[int]]
    stars: List[bool]
    warnings: List[Tuple[str, Optional[Span]]]

    def __init__(self, text, kind, zone=None, zone_span=None, every_ns=None, values=None, stars=None, warnings=None):
        self.text = text
        self.kind = kind
        self.zone = zone
        self.zone_span = zone_span
        self.every_ns = every_ns
        self.values = [] if values is None else values
        self.stars = [] if stars is None else stars
        self.warnings = [] if warnings is None else warnings


# -- time zones -------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def zone_names() -> FrozenSet[str]:
    """Every IANA zone name this machine knows (the system database or the
    `tzdata` package); empty when there is none, and then no zone is judged."""
    try:
        import zoneinfo
        return frozenset(zoneinfo.available_timezones())
    except Exception:  # pragma: no cover - no zoneinfo at all
        return frozenset()


def zone_known() -> bool:
    return bool(zone_names())


@functools.lru_cache(maxsize=None)
def _packaged_zones() -> FrozenSet[str]:
    """The zone names the `tzdata` package lists (one file); empty when it is not installed.
    Each of them is in ``zone_names()`` (``available_timezones`` starts from this list)."""
    try:
        import importlib.util
        import os
        # (found as the import system finds it, as `available_timezones` reads it, without importing it)
        folder = importlib.util.find_spec("tzdata").submodule_search_locations[0]
        with open(os.path.join(folder, "zones"), encoding="utf-8") as handle:
            return frozenset(filter(None, (line.strip() for line in handle))) - {"posixrules"}
    except Exception:  # no tzdata, or not as files: ``zone_names()`` decides alone
        return frozenset()


def valid_zone(name: str) -> bool:
    """Whether Go's ``time.LoadLocation`` loads ``name``: the empty string and
    ``UTC`` are UTC, ``Local`` the machine's zone, anything else an IANA name."""
    if name in ("", "UTC", "Local"):
        return True
    # (fast path) ``zone_names()`` opens every file of the system's zone database; a name the
    # `tzdata` package lists is in it anyway. Only other names (rare) pay for the whole set.
    if name in _packaged_zones():
        return True
    if not zone_known():
        return True
    return name in zone_names()


# -- parsing ----------------------------------------------------------------


def parse(text: str) -> Schedule:
    """Parse one schedule as robfig/cron's ``ParseStandard`` does, or raise CronError."""
    if not text:
        raise CronError("the schedule is empty", hint='write five fields, e.g. "0 * * * *"')
    spec, offset = text, 0
    zone = zone_span = None
    if spec.startswith("TZ=") or spec.startswith("CRON_TZ="):
        eq = spec.index("=")
        space = spec.find(" ")
        if space < 0:
            raise CronError("nothing follows the time zone prefix", (0, len(text)),
                            hint='put the schedule after the zone, e.g. "CRON_TZ=UTC 0 * * * *"')
        zone, zone_span = spec[eq + 1:space], (eq + 1, space)
        if not valid_zone(zone):
            raise CronError(f"`{zone}` in the time zone prefix is not a known time zone",
                            zone_span, hint="use an IANA name such as `Europe/Berlin` or `UTC`")
        rest = spec[space:]
        stripped = rest.strip()
        offset = space + (len(rest) - len(rest.lstrip()))
        spec = stripped
    if spec.startswith("@"):
        schedule = _descriptor(spec, offset)
    else:
        schedule = _fields(spec, offset)
    schedule.text, schedule.zone, schedule.zone_span = text, zone, zone_span
    return schedule


def _descriptor(spec: str, offset: int) -> Schedule:
    span = (offset, offset + len(spec))
    if spec in DESCRIPTORS:
        return Schedule(spec, "descriptor")
    if spec.startswith(EVERY):
        duration = spec[len(EVERY):]
        where = (offset + len(EVERY), offset + len(spec))
        ns = parse_go_duration(duration, where)
        schedule = Schedule(spec, "every", every_ns=ns)
        if ns <= 0:
            schedule.warnings.append(
                (f"`@every {duration}` is not a positive duration: robfig/cron runs it every second", where))
        elif ns < 10**9:
            schedule.warnings.append(
                (f"`@every {duration}` is shorter than a second: robfig/cron runs it every second", where))
        elif ns % 10**9:
            schedule.warnings.append(
                (f"`@every {duration}` is not a whole number of seconds: robfig/cron drops the fraction",
                 where))
        return schedule
    from ..suggest import closest
    word = spec.split()[0] if spec.split() else spec
    if word == "@every":
        raise CronError("`@every` needs a duration after a single space, e.g. `@every 1h30m`", span)
    match = closest(word, DESCRIPTORS + ("@every",))
    mean = f"; did you mean `{match}`?" if match else ""
    raise CronError(f"`{spec}` is not a descriptor Argo knows{mean}", span,
                    hint="use one of " + ", ".join(f"`{d}`" for d in DESCRIPTORS) + " or `@every <duration>`")


_DURATION_PART = re.compile(r"([0-9]*)(?:\.([0-9]*))?([^0-9.]*)")


def parse_go_duration(text: str, span: Optional[Span] = None) -> int:
    """Nanoseconds of a Go ``time.ParseDuration`` string (``1h30m``, ``1.5h``,
    ``-5m``, ``0``), or CronError."""
    def bad(why: str) -> CronError:
        return CronError(f"`{text}` is not a Go duration: {why}", span,
                         hint="write it like `30s`, `15m`, `1h30m` (units: h, m, s, ms, us, ns)")
    s = text
    if not s:
        raise bad("it is empty")
    negative = False
    if s[0] in "+-":
        negative = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        raise bad("it has a sign and nothing else")
    total = 0
    while s:
        match = _DURATION_PART.match(s)
        whole, frac, unit = match.group(1), match.group(2), match.group(3)
        if not whole and not frac:
            raise bad("a number is missing")
        if not unit:
            raise bad(f"`{whole}{'.' + frac if frac is not None else ''}` has no unit")
        if unit not in _UNITS:  # the unit runs up to the next digit or dot, as in Go
            days = " (there is no day unit: write `24h`)" if unit.startswith("d") else ""
            raise bad(f"`{unit}` is not a unit{days}")
        scale = _UNITS[unit]
        value = int(whole or "0") * scale
        if frac:
            value += int(frac) * scale // (10 ** len(frac))
        total += value
        if total > _INT64_MAX:
            raise bad("it is too long")
        s = s[match.end():]
    return -total if negative else total


def _fields(spec: str, offset: int) -> Schedule:
    parts = [(m.group(), offset + m.start()) for m in re.finditer(r"\S+", spec)]
    if len(parts) != len(FIELDS):
        whole = (offset, offset + len(spec)) if spec else None
        names = ", ".join(f.name for f in FIELDS)
        hint = None
        if len(parts) == 6:
            hint = "Argo's cron has no seconds field: drop the first field"
        elif len(parts) > 6:
            hint = "Argo's cron has no seconds or year field"
        raise CronError(f"the schedule has {len(parts)} field{'s' if len(parts) != 1 else ''}; "
                        f"it needs 5: {names}", whole, hint=hint)
    schedule = Schedule(spec, "fields")
    for (text, start), spec_field in zip(parts, FIELDS):
        values, star = _field(text, start, spec_field)
        schedule.values.append(values)
        schedule.stars.append(star)
    _never_runs(schedule, parts)
    return schedule


def _field(text: str, start: int, f: Field) -> Tuple[FrozenSet[int], bool]:
    """The values one field selects, and whether it counts as `*` (robfig's
    star bit: `*` or `?` without a step above 1)."""
    values = set()
    star = False
    position = start
    for item in text.split(","):
        span = (position, position + len(item))
        position += len(item) + 1
        if not item:
            continue  # robfig skips empty list items
        got, item_star = _range(item, span, f)
        values |= got
        star = star or item_star
    return frozenset(values), star


def _range(expr: str, span: Span, f: Field) -> Tuple[set, bool]:
    where = f"{f.name} `{expr}`"
    unsupported = _unsupported(expr, f)
    if unsupported:
        raise CronError(f"{where}: {unsupported}", span,
                        hint=f"write the {f.name} as a number, range or list, e.g. `{f.example}`")
    if expr.startswith("-"):
        raise CronError(f"{where}: negative numbers are not allowed", span)
    range_and_step = expr.split("/")
    low_high = range_and_step[0].split("-")
    single = len(low_high) == 1
    star = False
    if low_high[0] in ("*", "?"):
        start, end, star = f.low, f.high, True
    else:
        start = _number(low_high[0], f, where, span)
        if len(low_high) == 1:
            end = start
        elif len(low_high) == 2:
            end = _number(low_high[1], f, where, span)
        else:
            raise CronError(f"{where} has more than one `-`", span)
    if len(range_and_step) == 1:
        step = 1
    elif len(range_and_step) == 2:
        step = _number(range_and_step[1], None, where, span, what="step")
        if single:
            end = f.high
        if step > 1:
            star = False
    else:
        raise CronError(f"{where} has more than one `/`", span)
    if start < f.low:
        raise CronError(f"{where}: {start} is below the minimum {f.low}", span)
    if end > f.high:
        sunday = f.name == "day of week" and end == 7
        raise CronError(f"{where}: {end} is above the maximum {f.high}"
                        + (" (robfig/cron does not accept 7 for Sunday)" if sunday else ""), span,
                        hint="write Sunday as `0` or `SUN`" if sunday else None)
    if start > end:
        raise CronError(f"{where}: the range runs backwards ({start} is after {end})", span,
                        hint="ranges do not wrap around; split it into two, e.g. `22-23,0-2`")
    if step == 0:
        raise CronError(f"{where}: the step must be at least 1", span)
    return set(range(start, end + 1, step)), star


_LAST_OR_WEEKDAY = re.compile(r"L|LW|L-[0-9]+|[0-9]+[LW]", re.IGNORECASE)


def _unsupported(expr: str, f: Field) -> Optional[str]:
    """A clearer reason for the extensions of other cron dialects (Quartz, croniter)."""
    if "#" in expr:
        return "`#` (nth weekday of the month) is not supported by Argo's cron parser"
    if f.name in ("day of month", "day of week") and _LAST_OR_WEEKDAY.fullmatch(expr):
        return "`L` and `W` (last day, nearest weekday) are not supported by Argo's cron parser"
    return None


def _number(text: str, f: Optional[Field], where: str, span: Span, what: str = "value") -> int:
    """robfig's parseIntOrName: a name of the field (any case), else Go's strconv.Atoi."""
    if f is not None and f.names and text.lower() in f.names:
        return f.names[text.lower()]
    if not text:
        raise CronError(f"{where}: a number is missing", span)
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        if f is not None and f.names:
            kind = "a month name (JAN-DEC)" if f.name == "month" else "a day name (SUN-SAT)"
            from ..suggest import closest
            match = closest(text.lower(), list(f.names), cutoff=0.6) if text.isalpha() else None
            mean = f"; did you mean `{match.upper()}`?" if match else ""
            raise CronError(f"{where}: `{text}` is not a number or {kind}{mean}", span)
        raise CronError(f"{where}: the {what} `{text}` is not a number", span)
    number = int(text)
    if number > _INT64_MAX or number < -_INT64_MAX - 1:
        raise CronError(f"{where}: `{text}` is too large", span)
    if number < 0:
        raise CronError(f"{where}: negative numbers are not allowed", span)
    return number


def _never_runs(schedule: Schedule, parts) -> None:
    """robfig/cron gives up after five years without a match: a day of month
    that no selected month has (`0 0 31 2 *`) never runs. The day of week only
    narrows the day of month when one of the two is `*`; otherwise either matches."""
    minute, hour, dom, month, dow = schedule.values
    dom_star, dow_star = schedule.stars[2], schedule.stars[4]
    for i, values in enumerate(schedule.values):
        if not values:
            text, start = parts[i]
            schedule.warnings.append(
                (f"{FIELDS[i].name} `{text}` selects nothing, so the schedule never runs",
                 (start, start + len(text))))
            return
    if dom_star or not dow_star:
        return
    if any(day <= _MONTH_DAYS[m] for m in month for day in dom):
        return
    text, start = parts[2]
    months = ", ".join(_MONTH_NAMES[m] for m in sorted(month))
    schedule.warnings.append(
        (f"day of month `{text}` never occurs in {months}, so the schedule never runs",
         (start, start + len(text))))


def crd_accepts(text: str) -> bool:
    """Whether the `schedules` item pattern of Argo 4's full CRDs accepts ``text``."""
    return bool(CRD_PATTERN.match(text))


def describe_fields() -> str:
    return ", ".join(f"{f.name} {f.low}-{f.high}" for f in FIELDS)


__all__ = ["CronError", "Schedule", "Field", "FIELDS", "DESCRIPTORS", "parse", "parse_go_duration",
           "valid_zone", "zone_names", "zone_known", "crd_accepts", "describe_fields"]
