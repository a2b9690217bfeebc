"""invalid-cron-schedule: a CronJob's schedule or time zone is rejected by the API, or an Argo CronWorkflow's
schedule by the Argo Workflows controller."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.paths import FieldPath
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import CRONJOBS
from guardlint.rules.resources._common import is_partial_object
from guardlint.rules.resources._cron import CronError, check_schedule
from guardlint.rules.resources._timezones import Zones, load_zones

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

TZ_FORBIDDEN_SINCE = (1, 29)


@rule(
    code="RES040",
    name="invalid-cron-schedule",
    title="CronJob or Argo CronWorkflow schedule is invalid",
    severity=Severity.ERROR,
    pack="resources",
    since="0.1.0",
    tags=("jobs", "api-rejects"),
    remediation="Write the schedule as five cron fields (minute hour day-of-month month day-of-week) or a macro "
    "such as @daily, and set the time zone in spec.timeZone (spec.timezone in an Argo CronWorkflow).",
    references=(
        Reference("Kubernetes: CronJob schedule syntax",
                  "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax"),
        Reference("Kubernetes: CronJob time zones",
                  "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones"),
        CRONJOBS,
        Reference("Argo Workflows: Cron Workflows", "https://argo-workflows.readthedocs.io/en/latest/cron-workflows/"),
    ),
    kinds=("CronJob", "CronWorkflow"),
)
def invalid_cron_schedule(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports CronJobs (API group `batch`) whose `spec.schedule` the API server rejects: missing or empty, not
    exactly five fields, values out of range (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or
    JAN-DEC, day of week 0-6 or SUN-SAT), a zero step, malformed ranges, unknown macros. Accepted, as by
    Kubernetes: lists, ranges, steps (`*/15`, `5/10`), `?`, names in any case, the macros `@yearly`,
    `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly` and `@every <duration>`. From
    Kubernetes 1.29 (the target version) a `TZ=` or `CRON_TZ=` prefix is also rejected on creation; a
    `spec.timeZone` that is empty or `Local` is always rejected, and so is one that is not a name of the IANA
    time zone database (a zone or a backward-compatibility link, case-sensitive: `Europe/Berlin`, `US/Eastern`,
    `Etc/GMT+5`, `UTC`; not `europe/berlin`, `CET-1CEST` or `+02:00`), as is the zone of a `TZ=` prefix where
    the prefix is allowed. The names come from a list shipped with guardlint (the IANA release it was made
    from is in the message), never from the machine guardlint runs on; names some systems add to their
    zoneinfo (`posix/...`, `right/...`, `posixrules`) are not judged.

    Argo Workflows CronWorkflows (API group `argoproj.io`) are checked too: `spec.schedule` or each entry of
    `spec.schedules`, with the same parser (Argo reads them with `cron.ParseStandard` of robfig/cron, which
    also accepts a `TZ=` or `CRON_TZ=` prefix, whose zone must load), a `spec.timezone` that is not a name of
    the IANA database (Argo writes `CRON_TZ=<timezone>` before each schedule, so then none can be parsed; an
    empty one or `Local` is the controller's own zone), a schedule with its own prefix next to `spec.timezone`,
    and a CronWorkflow that sets both `schedule` and `schedules`, which Argo refuses.

    ## Why is this bad?
    The API server parses the schedule when the object is created and rejects it with
    `spec.schedule: Invalid value`, so the GitOps sync fails and the job never runs (Kubernetes
    documentation, "CronJob", "Schedule syntax" and "Time zones"). The API server accepts any CronWorkflow
    schedule, but the Argo Workflows controller validates it with the same parser and refuses the
    CronWorkflow (`argo cron create` and `argo lint` reject it; applied with kubectl or a GitOps tool, it is
    marked with a spec error and never starts a workflow).

    ## Example
    ```yaml
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: report
    spec:
      schedule: "0 0 * * 7"
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: OnFailure
              containers:
                - name: report
                  image: example.com/report:2.0.0
    ```

    ## Use instead
    ```yaml
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: report
    spec:
      schedule: "0 0 * * SUN"
      timeZone: Europe/Berlin
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: OnFailure
              containers:
                - name: report
                  image: example.com/report:2.0.0
    ```
    """
    if resource.kind == "CronWorkflow":
        if resource.group == "argoproj.io":
            yield from _cron_workflow(resource, ctx)
        return
    if resource.group != "batch":
        return
    spec = resource.data.get("spec")
    if not isinstance(spec, dict):
        return
    schedule = spec.get("schedule")
    time_zone = spec.get("timeZone")
    if schedule is None or schedule == "":
        if is_partial_object(resource, ctx):
            return
        yield Violation(("spec", "schedule"), f"{resource.describe()} has no schedule; the API requires one")
    elif isinstance(schedule, str):
        allow_tz = ctx.kubernetes_version < TZ_FORBIDDEN_SINCE and time_zone is None
        try:
            check_schedule(schedule, allow_tz=allow_tz, zone_problem=_zones(ctx).problem if allow_tz else None)
        except CronError as exc:
            reason = str(exc)
            if "TZ" in schedule and time_zone is not None and ctx.kubernetes_version < TZ_FORBIDDEN_SINCE:
                reason = "TZ and CRON_TZ cannot be combined with spec.timeZone"
            yield Violation(("spec", "schedule"), f"{resource.describe()} has an invalid schedule {schedule!r}: "
                            f"{reason}", at_value=True)
    if isinstance(time_zone, str) and (not time_zone.strip() or time_zone.lower() == "local"):
        yield Violation(("spec", "timeZone"), f"{resource.describe()} sets timeZone to {time_zone!r}; the API "
                        "requires an explicit IANA time zone name such as 'Europe/Berlin'", at_value=True)
    elif isinstance(time_zone, str):
        zones = _zones(ctx)
        hint = zones.unknown(time_zone)
        if hint is not None:
            yield Violation(("spec", "timeZone"), f"{resource.describe()} sets timeZone to {time_zone!r}, which is not "
                            f"in the IANA time zone database ({zones.release}): the API server rejects it (unknown "
                            f"time zone){hint}", at_value=True)


def _zones(ctx: RuleContext) -> Zones:
    """The IANA names, read once per run."""
    return ctx.index.memo("resources.timezones", load_zones)


def _cron_workflow(resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    """An Argo CronWorkflow's schedules, as the Argo Workflows controller validates them: ``spec.schedule``, or
    else every entry of ``spec.schedules``, each parsed by ``cron.ParseStandard`` (a ``TZ=``/``CRON_TZ=`` prefix
    allowed); both fields set is refused. An empty or missing list is not judged (Argo then schedules nothing
    but reports no error)."""
    spec = resource.data.get("spec")
    if not isinstance(spec, dict):
        return
    schedule = spec.get("schedule")
    schedules = spec.get("schedules")
    if isinstance(schedule, str) and schedule != "":
        if isinstance(schedules, list) and schedules:
            yield Violation(("spec", "schedules"), f"{resource.describe()} sets both schedule and schedules; Argo "
                            "Workflows accepts only one of them")
        candidates: list[tuple[FieldPath, str]] = [(("spec", "schedule"), schedule)]
    elif isinstance(schedules, list):
        candidates = [(("spec", "schedules", i), s) for i, s in enumerate(schedules) if isinstance(s, str)]
    else:
        return
    zone = spec.get("timezone")
    zones = _zones(ctx)
    hint = zones.unknown(zone) if isinstance(zone, str) else None
    if hint is not None:
        # Argo prefixes each schedule with CRON_TZ=<timezone> and robfig/cron loads the zone: it fails for all.
        yield Violation(("spec", "timezone"), f"{resource.describe()} sets timezone to {zone!r}, which is not in the "
                        f"IANA time zone database ({zones.release}): the Argo Workflows controller cannot load it and "
                        f"never schedules the CronWorkflow{hint}", at_value=True)
        return
    for path, text in candidates:
        try:
            if isinstance(zone, str) and zone and text.startswith(("TZ=", "CRON_TZ=")):
                # Argo writes CRON_TZ=<timezone> before the schedule's own prefix: the parser reads one prefix,
                # and the second one leaves six fields.
                raise CronError("a TZ= or CRON_TZ= prefix cannot be combined with spec.timezone (Argo adds its own "
                                "CRON_TZ= prefix before the schedule)")
            check_schedule(text, allow_tz=True, zone_problem=zones.problem)
        except CronError as exc:
            yield Violation(path, f"{resource.describe()} has an invalid schedule {text!r}: {exc}", at_value=True)


RULE = invalid_cron_schedule
