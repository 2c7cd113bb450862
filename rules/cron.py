"""CronWorkflow schedules, time zone and concurrency policy are valid."""

import functools

from wflint.lang import cron
from wflint.argo import model
from wflint import fix as fixes
from wflint.finding import finding
from wflint.suggest import closest, did_you_mean

from ._helpers import version_flags

ID = "cron"
SEVERITY = "error"
SUMMARY = "CronWorkflow schedules, time zone and concurrency policy are valid."
KINDS = ("CronWorkflow",)

POLICIES = ("Allow", "Forbid", "Replace")


def check(document, context):
    spec = model.as_dict(document.data).get("spec")
    if not isinstance(spec, dict):
        return  # the schema rule reports a missing or malformed spec
    base = ("spec",)
    v4 = version_flags(context.argo_version)[0]
    timezone = model.as_str(spec.get("timezone"))
    schedules = spec.get("schedules")
    listed = [(i, s) for i, s in enumerate(model.as_list(schedules))]
    single = spec.get("schedule")

    if "schedule" in spec:
        if v4:
            yield _removed_schedule(base, single, bool(listed))
        elif listed and single not in (None, ""):
            yield finding(base + ("schedule",), "a CronWorkflow cannot have both `schedule` and `schedules`",
                          hint="move the expression into `schedules` and delete `schedule`", on_key=True)
        elif isinstance(single, str) and single:
            listed = [(None, single)]
            yield finding(base + ("schedule",), "`schedule` is deprecated since Argo 3.6 and removed in 4.0, "
                                                "which ignores it: write `schedules`, a list, instead",
                          hint=f'write `schedules: ["{single}"]`', on_key=True, severity="warning")
    if not listed and not (v4 and "schedule" in spec):
        where = base + ("schedules",) if "schedules" in spec else base
        yield finding(where, "cron workflow must have at least one schedule",
                      hint='add `schedules: ["0 * * * *"]`',
                      severity=None if v4 else "warning")

    for index, text in listed:
        path = base + ("schedule",) if index is None else base + ("schedules", index)
        if isinstance(text, str):
            yield from _schedule(path, text, timezone, v4)

    if timezone is not None and not cron.valid_zone(timezone):
        yield finding(base + ("timezone",),
                      f"`{timezone}` is not a time zone Argo can load{did_you_mean(timezone, cron.zone_names())}",
                      hint="use an IANA zone name such as `Europe/Berlin`, `America/New_York` or `UTC`")

    policy = spec.get("concurrencyPolicy")
    if isinstance(policy, str) and policy and policy not in POLICIES:
        match = closest(policy, POLICIES, cutoff=0.5)
        mean = f"; did you mean `{match}`?" if match else ""
        yield finding(base + ("concurrencyPolicy",),
                      f"`{policy}` is not a concurrencyPolicy: use `Allow`, `Forbid` or `Replace`{mean}")

    deadline = spec.get("startingDeadlineSeconds")
    if isinstance(deadline, int) and not isinstance(deadline, bool) and deadline < 0:
        yield finding(base + ("startingDeadlineSeconds",),
                      f"`startingDeadlineSeconds` must not be negative (it is {deadline})",
                      hint="use 0 or more seconds, or remove it to have no deadline")


def _removed_schedule(base, single, has_schedules):
    example = single if isinstance(single, str) and single else "0 * * * *"
    if has_schedules:
        return finding(base + ("schedule",),
                       "`schedule` was removed in Argo 4.0 and is ignored; only `schedules` runs",
                       hint="delete `schedule:` (add its expression to `schedules` if it is still wanted)",
                       on_key=True)
    migrate = None
    if isinstance(single, str) and single:
        migrate = fixes.fix("turn `schedule: X` into `schedules: [X]`",
                            fixes.wrap_in_list(base + ("schedule",), "schedules"), priority=fixes.MIGRATION)
    return finding(base + ("schedule",),
                   "`schedule` was removed in Argo 4.0: Argo ignores it, so this CronWorkflow has no "
                   "schedule and never runs",
                   hint=f'use `schedules: ["{example}"]`', on_key=True, fix=migrate)


def _schedule(path, text, timezone, v4):
    label = f"schedule `{text}`: " if text.strip() else ""
    schedule, err = _parse(text)
    if err is not None:
        yield finding(path, label + err.message, hint=err.hint, span=err.span)
        return
    for message, span in schedule.warnings:
        yield finding(path, label + message, span=span, severity="warning")
    if schedule.zone is not None and timezone:
        yield finding(path, f"schedule `{text}` has its own time zone prefix and `timezone` is set too: "
                            f"the controller prefixes every schedule with `CRON_TZ={timezone}`, "
                            "and cannot parse the result, so it never runs",
                      hint="remove the prefix and keep `timezone`", span=schedule.zone_span,
                      severity="warning")
    elif v4 and not cron.crd_accepts(text):
        yield finding(path, f"schedule `{text}`: Argo's cron parser accepts it, but the CronWorkflow CRD "
                            f"that Argo 4 installs rejects {_crd_reason(text, schedule)}, so the API "
                            "server refuses the manifest",
                      hint="set `timezone:` instead of the prefix" if schedule.zone is not None else None,
                      severity="warning")


@functools.lru_cache(maxsize=1024)
def _parse(text):
    """(the parsed schedule, None) or (None, the CronError): a project repeats a few
    schedules many times, each parsed once. The result is shared: never change it."""
    try:
        return cron.parse(text), None
    except cron.CronError as err:
        return None, err


def _crd_reason(text, schedule):
    if schedule.zone is not None:
        return "a `TZ=`/`CRON_TZ=` prefix"
    if text != text.strip():
        return "leading or trailing spaces"
    if schedule.kind == "every":
        return "`@every` durations other than whole numbers with a unit (`90s`, `1h30m`)"
    return "characters other than letters, digits and `* , / ? -` in the fields"
