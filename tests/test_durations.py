"""wflint.lang.durations: Go durations, Argo's seconds-or-duration strings, Go's Atoi."""

import pytest

from wflint.lang import durations


@pytest.mark.parametrize("text", ["30s", "1h30m", "1.5h", "-5m", "+3s", "0", "300ms", "2h45m10s", "1µs", "10us"])
def test_go_durations_accepted(text):
    assert durations.go_duration_problem(text) is None
    assert durations.go_duration_nanos(text) is not None


@pytest.mark.parametrize("text,why", [
    ("30", "has no unit"),
    ("", "empty"),
    ("1d", "no day unit"),
    ("10 s", "not a unit"),
    ("abc", "number is missing"),
    ("1e3s", "not a unit"),
])
def test_go_durations_rejected(text, why):
    problem = durations.go_duration_problem(text)
    assert problem is not None and why in problem


def test_nanoseconds():
    assert durations.go_duration_nanos("1h30m") == 5400 * 10**9
    assert durations.go_duration_nanos("1.5s") == 1_500_000_000
    assert durations.go_duration_nanos("nope") is None


@pytest.mark.parametrize("text,seconds", [("30", 30), ("0", 0), ("2m", 120), ("1h", 3600)])
def test_seconds_or_duration(text, seconds):
    assert durations.seconds_or_duration_problem(text) is None
    assert durations.seconds_or_duration_nanos(text) == seconds * 10**9


def test_seconds_or_duration_rejects_what_go_rejects():
    assert "no day unit" in durations.seconds_or_duration_problem("2d")
    assert durations.seconds_or_duration_nanos("2d") is None


@pytest.mark.parametrize("text,value", [("30", 30), ("+7", 7), ("-12", -12), ("007", 7)])
def test_go_int(text, value):
    assert durations.go_int(text) == value


@pytest.mark.parametrize("text", ["", " 1", "1.0", "1_000", "ten", "9223372036854775808", None, 5])
def test_go_int_rejects(text):
    assert durations.go_int(text) is None
