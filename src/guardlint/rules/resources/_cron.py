"""A cron schedule check that accepts exactly what the Kubernetes API accepts in ``CronJob.spec.schedule``:
the standard parser of github.com/robfig/cron/v3 (five fields, or a descriptor), which the API server uses
for validation. Pure and regex-free at call time."""

from __future__ import annotations

import re
from collections.abc import Callable

_INT = re.compile(r"^[+-]?[0-9]+$")
_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")
_MONTHS = {n: i for i, n in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                        "dec"), start=1)}
_DAYS = {n: i for i, n in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
# (field name, minimum, maximum, names)
_FIELDS: tuple[tuple[str, int, int, dict[str, int] | None], ...] = (
    ("minute", 0, 59, None),
    ("hour", 0, 23, None),
    ("day of month", 1, 31, None),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 6, _DAYS),
)
DESCRIPTORS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})


class CronError(ValueError):
    pass


def _int(text: str) -> int:
    if not _INT.match(text) or len(text.lstrip("+-")) > 18:
        raise CronError(f"{text!r} is not a number")
    value = int(text)
    if value < 0:
        raise CronError(f"negative number ({value}) not allowed")
    return value


def _int_or_name(text: str, names: dict[str, int] | None) -> int:
    if names is not None and text.lower() in names:
        return names[text.lower()]
    return _int(text)


def _range(expr: str, field: str, low: int, high: int, names: dict[str, int] | None) -> None:
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    if low_and_high[0] in ("*", "?"):
        start, end = low, high
    else:
        start = _int_or_name(low_and_high[0], names)
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            end = _int_or_name(low_and_high[1], names)
        else:
            raise CronError(f"too many hyphens in {expr!r}")
    if len(range_and_step) == 2:
        step = _int(range_and_step[1])
        if len(low_and_high) == 1:
            end = high
        if step == 0:
            raise CronError(f"step of range should be a positive number in {expr!r}")
    elif len(range_and_step) > 2:
        raise CronError(f"too many slashes in {expr!r}")
    if start < low:
        raise CronError(f"{field} {start} is below the minimum of {low}")
    if end > high:
        raise CronError(f"{field} {end} is above the maximum of {high}")
    if start > end:
        raise CronError(f"{field} range starts at {start}, after its end {end}")


def _duration(text: str) -> None:
    """Go's time.ParseDuration grammar."""
    body = text[1:] if text[:1] in ("+", "-") else text
    if body == "0":
        return
    if not body:
        raise CronError(f"invalid duration {text!r}")
    pos = 0
    while pos < len(body):
        m = _DURATION_PART.match(body, pos)
        if m is None or m.group(1) in ("", "."):
            raise CronError(f"invalid duration {text!r}")
        pos = m.end()


def check_schedule(schedule: str, *, allow_tz: bool, zone_problem: Callable[[str], str | None] | None = None) -> None:
    """Raise CronError explaining why the API rejects ``schedule``. ``zone_problem`` judges the zone a
    ``TZ=``/``CRON_TZ=`` prefix names (robfig/cron loads it with ``time.LoadLocation``: the text between the
    ``=`` and the first space)."""
    spec = schedule
    if not spec:
        raise CronError("the schedule is empty")
    if "TZ" in spec and not allow_tz:
        raise CronError("TZ and CRON_TZ are not allowed in the schedule; use spec.timeZone")
    if spec.startswith(("TZ=", "CRON_TZ=")):
        space = spec.find(" ")
        if space < 0:
            raise CronError("a TZ= prefix must be followed by a schedule")
        problem = zone_problem(spec[spec.find("=") + 1:space]) if zone_problem is not None else None
        if problem is not None:
            raise CronError(f"the {spec[:spec.find('=')]}= prefix names an unknown time zone: {problem}")
        spec = spec[space:].strip()
    if spec.startswith("@"):
        if spec in DESCRIPTORS:
            return
        if spec.startswith("@every "):
            _duration(spec[len("@every "):])
            return
        raise CronError(f"unrecognized descriptor {spec!r}")
    fields = spec.split()
    if len(fields) != 5:
        raise CronError(f"expected exactly 5 fields, found {len(fields)}")
    for text, (field, low, high, names) in zip(fields, _FIELDS, strict=True):
        for expr in (p for p in text.split(",") if p):
            _range(expr, field, low, high, names)
