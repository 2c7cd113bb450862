"""The cron parser (robfig/cron's standard dialect) and the `cron` rule across Argo versions."""

import pytest
from hypothesis import given, strategies as st

from wflint.lang import cron
from wflint.run.engine import Options
from wflint.testing import findings_of, lint_text, short

ACCEPTED = [
    "* * * * *",
    "0 * * * *",
    "*/5 * * * *",
    "0 9-17 * * MON-FRI",
    "0 0 1 jan,JUL ?",
    "? ? ? ? ?",            # robfig reads `?` as `*` in every field
    "5 4 * * sun",
    "0 22-23,0-2 * * *",
    "10/20 * * * *",        # `a/n` runs from a to the field's maximum
    "0 0 1-31/2 * *",
    "+5 * * * *",           # Go's strconv.Atoi takes a sign
    "05 07 * * *",
    "1,,2 * * * *",         # empty list items are skipped
    "*-5 * * * *",          # robfig ignores what follows `*-`
    " 0 * * * *",           # fields are split on any whitespace
    "0\t0 * *  *",
    "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly",
    "@every 1h30m", "@every 90s", "@every 1.5h", "@every 0", "@every -5m", "@every 1\u00b5s",
    "TZ=UTC 0 9 * * *",
    "CRON_TZ=Europe/Berlin 0 9 * * *",
    "CRON_TZ=Asia/Tokyo @daily",
    "CRON_TZ= 0 9 * * *",   # an empty zone is UTC to Go
]

REJECTED = [
    # (schedule, what the message says, the span it points at)
    ("", "is empty", None),
    ("0 * * *", "has 4 fields", (0, 7)),
    ("0 0 * * * *", "has 6 fields", (0, 11)),
    ("0 0 * * 7", "7 is above the maximum 6", (8, 9)),
    ("60 * * * *", "minute `60`: 60 is above the maximum 59", (0, 2)),
    ("0 24 * * *", "hour `24`", (2, 4)),
    ("0 0 0 * *", "day of month `0`: 0 is below the minimum 1", (4, 5)),
    ("0 0 * 13 *", "month `13`", (6, 8)),
    ("0 0 * 0 *", "month `0`: 0 is below the minimum 1", (6, 7)),
    ("0 0 L * *", "`L` and `W`", (4, 5)),
    ("0 0 15W * *", "`L` and `W`", (4, 7)),
    ("0 0 * * 5L", "`L` and `W`", (8, 10)),
    ("0 0 * * FRI#2", "`#`", (8, 13)),
    ("0 0 * JANUARY *", "did you mean `JAN`?", (6, 13)),
    ("0 0 * * MONDAY", "not a number or a day name", (8, 14)),
    ("0 0 * * 1,FOO", "`FOO`", (10, 13)),  # the list item, not the field
    ("0 0 JAN * *", "not a number", (4, 7)),      # names only in month and day of week
    ("30 18-6 * * *", "runs backwards", (3, 7)),
    ("*/0 * * * *", "step must be at least 1", (0, 3)),
    ("*/x * * * *", "the step `x` is not a number", (0, 3)),
    ("1-2-3 * * * *", "more than one `-`", (0, 5)),
    ("1/2/3 * * * *", "more than one `/`", (0, 5)),
    ("-1 * * * *", "negative", (0, 2)),
    ("1- * * * *", "a number is missing", (0, 2)),
    ("0 1,24 * * *", "hour `24`", (4, 6)),
    ("99999999999999999999 * * * *", "too large", (0, 20)),
    ("@weekdays", "did you mean `@weekly`?", (0, 9)),
    ("@Daily", "did you mean `@daily`?", (0, 6)),
    ("@reboot", "not a descriptor", (0, 7)),
    ("@daily ", "not a descriptor", (0, 7)),
    ("@every", "needs a duration", (0, 6)),
    ("@every 1d", "no day unit", (7, 9)),
    ("@every 5", "has no unit", (7, 8)),
    ("@every  5m", "a number is missing", (7, 10)),
    ("@every 1h30", "has no unit", (7, 11)),
    ("@every .", "a number is missing", (7, 8)),
    ("@every -", "a sign and nothing else", (7, 8)),
    ("CRON_TZ=Mars/Olympus 0 * * * *", "`Mars/Olympus`", (8, 20)),
    ("TZ=UTC", "nothing follows", (0, 6)),
    ("CRON_TZ=UTC 0 0 * * 7", "above the maximum 6", (20, 21)),
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_accepted(text):
    cron.parse(text)


@pytest.mark.parametrize("text,message,span", REJECTED, ids=[r[0] or "empty" for r in REJECTED])
def test_rejected(text, message, span):
    with pytest.raises(cron.CronError) as caught:
        cron.parse(text)
    assert message in caught.value.message
    assert caught.value.span == span


def test_fields_select_what_robfig_selects():
    schedule = cron.parse("*/20 9-17/4 1,15 JAN-MAR mon-fri")
    minute, hour, dom, month, dow = schedule.values
    assert minute == {0, 20, 40}
    assert hour == {9, 13, 17}
    assert dom == {1, 15}
    assert month == {1, 2, 3}
    assert dow == {1, 2, 3, 4, 5}
    assert schedule.stars == [False] * 5
    assert cron.parse("*/1 ? * * *").stars[:2] == [True, True]
    assert cron.parse("*/2 * * * *").stars[0] is False  # a step above 1 is no longer `*`


@pytest.mark.parametrize("text,warning", [
    ("0 0 30 2 *", "never occurs in Feb"),
    ("0 0 31 4,6,9,11 *", "never occurs in Apr, Jun, Sep, Nov"),
    (", * * * *", "selects nothing"),
    ("@every 250ms", "shorter than a second"),
    ("@every 1500ms", "not a whole number of seconds"),
    ("@every -1h", "not a positive duration"),
])
def test_parses_but_never_runs_as_written(text, warning):
    schedule = cron.parse(text)
    assert any(warning in message for message, _ in schedule.warnings), schedule.warnings


@pytest.mark.parametrize("text", ["0 0 29 2 *", "0 0 31 2 MON", "0 0 31 * *", "@every 1s"])
def test_runs(text):
    # Feb 29 comes every fourth year; day of month and day of week both set
    # means either; any month with a 31st will do.
    assert cron.parse(text).warnings == []


@pytest.mark.parametrize("text,ns", [
    ("0", 0), ("1h30m", 5400 * 10**9), ("1.5h", 5400 * 10**9), ("-2m", -120 * 10**9),
    ("+3s", 3 * 10**9), ("250ms", 250 * 10**6), ("1us", 1000), ("1\u03bcs", 1000), (".5s", 5 * 10**8),
])
def test_go_durations(text, ns):
    assert cron.parse_go_duration(text) == ns


def test_time_zone_prefix_is_returned():
    schedule = cron.parse("CRON_TZ=America/New_York 30 8 * * *")
    assert schedule.zone == "America/New_York"
    assert schedule.zone_span == (8, 24)


def test_zones():
    assert cron.valid_zone("") and cron.valid_zone("UTC") and cron.valid_zone("Local")
    assert cron.valid_zone("Europe/Berlin")
    assert not cron.valid_zone("Europe/Lodnon")
    assert not cron.valid_zone("europe/berlin")  # Go's lookup is case-sensitive


def test_crd_pattern():
    assert cron.crd_accepts("*/5 * * * MON-FRI")
    assert cron.crd_accepts("@every 1h30m")
    assert not cron.crd_accepts("CRON_TZ=UTC 0 * * * *")
    assert not cron.crd_accepts("@every 1.5h")


_SIMPLE = {"minute": (0, 59), "hour": (0, 23), "dom": (1, 31), "month": (1, 12), "dow": (0, 6)}


@st.composite
def _field(draw, low, high):
    kind = draw(st.sampled_from(["star", "one", "range", "step"]))
    a = draw(st.integers(low, high))
    b = draw(st.integers(a, high))
    if kind == "star":
        return "*"
    if kind == "one":
        return str(a)
    if kind == "range":
        return f"{a}-{b}"
    return f"{a}-{b}/{draw(st.integers(1, 10))}"


@given(st.tuples(*(_field(low, high) for low, high in _SIMPLE.values())))
def test_every_well_formed_schedule_parses(fields):
    schedule = cron.parse(" ".join(fields))
    assert all(values for values in schedule.values)


@given(st.text(max_size=40))
def test_never_crashes(text):
    try:
        cron.parse(text)
    except cron.CronError as err:
        assert err.message


# -- the rule, per Argo version ----------------------------------------------

CRON = """\
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: nightly
spec:
{spec}
  workflowSpec:
    entrypoint: main
    templates:
      - name: main
        container:
          image: busybox:1.36
          command: [echo, hi]
"""


def _cron(spec, version="4.1"):
    report = lint_text(CRON.format(spec=spec), options=Options(argo_version=version))
    return [short(f, path=False) for f in findings_of(report, "cron")]


DEPRECATED = ("6:3: warning: `schedule` is deprecated since Argo 3.6 and removed in 4.0, which ignores it: "
              "write `schedules`, a list, instead [cron]")


def test_singular_schedule_is_the_schedule_in_3_7():
    assert _cron('  schedule: "0 2 * * *"', "3.7") == [DEPRECATED]
    assert _cron('  schedule: "0 2 * * 7"', "3.7") == [
        DEPRECATED,
        "6:22: error: schedule `0 2 * * 7`: day of week `7`: 7 is above the maximum 6 "
        "(robfig/cron does not accept 7 for Sunday) [cron]"]


def test_schedule_and_schedules_together_in_3_7():
    assert _cron('  schedule: "0 2 * * *"\n  schedules: ["0 3 * * *"]', "3.7") == [
        "6:3: error: a CronWorkflow cannot have both `schedule` and `schedules` [cron]"]


def test_no_schedule_is_a_warning_in_3_7_and_an_error_in_4():
    assert _cron("  suspend: false", "3.7") == [
        "5:1: warning: cron workflow must have at least one schedule [cron]"]
    assert _cron("  suspend: false", "4.1") == [
        "5:1: error: cron workflow must have at least one schedule [cron]"]


def test_singular_schedule_is_removed_in_4():
    assert _cron('  schedule: "0 2 * * *"') == [
        "6:3: error: `schedule` was removed in Argo 4.0: Argo ignores it, so this CronWorkflow "
        "has no schedule and never runs [cron]"]


def test_crd_pattern_only_matters_for_4():
    spec = '  schedules: ["CRON_TZ=UTC 0 2 * * *"]'
    assert _cron(spec, "3.7") == []
    assert len(_cron(spec, "4.1")) == 1


def test_missing_spec_is_left_to_the_schema_rule():
    text = "apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\nmetadata:\n  name: bare\n"
    assert findings_of(lint_text(text), "cron") == []


def test_packaged_zones_are_known_zones():
    # valid_zone's fast path: a name the tzdata package lists is valid without the full zone set
    assert cron._packaged_zones() <= cron.zone_names()
    for name in sorted(cron._packaged_zones())[:50]:
        assert cron.valid_zone(name) == (name in cron.zone_names())
