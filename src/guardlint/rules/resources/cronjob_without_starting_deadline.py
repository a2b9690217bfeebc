"""cronjob-without-starting-deadline: a CronJob sets no (or a too short) startingDeadlineSeconds (opt-in)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.references import CRONJOBS
from guardlint.rules.resources._common import is_partial_object

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    min_seconds: Annotated[int, param(
        "Smallest accepted startingDeadlineSeconds (the CronJob controller checks schedules about every 10 "
        "seconds, so shorter deadlines may skip runs).",
        minimum=0,
    )] = 10


@rule(
    code="RES043",
    name="cronjob-without-starting-deadline",
    title="CronJob has no starting deadline",
    severity=Severity.INFO,
    pack="resources",
    since="0.1.0",
    tags=("jobs",),
    remediation="Set spec.startingDeadlineSeconds to how late a run may still start (at least 10 seconds).",
    references=(
        Reference("Kubernetes: CronJob limitations",
                  "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#cron-job-limitations"),
        CRONJOBS,
    ),
    kinds=("CronJob",),
    params=Params,
    enabled_by_default=False,
)
def cronjob_without_starting_deadline(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports CronJobs (API group `batch`) that set no `spec.startingDeadlineSeconds`, or one below
    `min-seconds` (default 10). Off by default.

    ## Why is this bad?
    Without a starting deadline, a CronJob whose controller was down, or whose runs were blocked by
    `concurrencyPolicy: Forbid`, counts every missed schedule since the last run; after 100 misses it stops
    scheduling with "too many missed start times". A run that is hours late may also be worse than a
    skipped one. A deadline below 10 seconds can make the controller, which checks about every 10 seconds,
    skip runs (Kubernetes documentation, "CronJob limitations").

    ## Example
    ```yaml
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: cleanup
    spec:
      schedule: "*/5 * * * *"
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: OnFailure
              containers:
                - name: cleanup
                  image: example.com/cleanup:1.0.3
    ```

    ## Use instead
    ```yaml
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: cleanup
    spec:
      schedule: "*/5 * * * *"
      startingDeadlineSeconds: 120
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: OnFailure
              containers:
                - name: cleanup
                  image: example.com/cleanup:1.0.3
    ```
    """
    if is_partial_object(resource, ctx):
        return
    spec = resource.data.get("spec")
    if resource.group != "batch" or not isinstance(spec, dict):
        return
    value = spec.get("startingDeadlineSeconds")
    path = ("spec", "startingDeadlineSeconds")
    if value is None:
        yield Violation(path, f"{resource.describe()} sets no startingDeadlineSeconds, so missed runs pile up")
    elif isinstance(value, int) and not isinstance(value, bool) and value < params.min_seconds:
        yield Violation(path, f"{resource.describe()} sets startingDeadlineSeconds to {value}, below "
                        f"{params.min_seconds}; the controller may skip runs", at_value=True)


RULE = cronjob_without_starting_deadline
