"""job-without-active-deadline: a Job or CronJob job template sets no activeDeadlineSeconds (opt-in)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.references import CRONJOBS, JOB_TERMINATION, JOBS
from guardlint.rules.resources._common import is_partial_object

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Literal


class Params(NamedTuple):
    kinds: Annotated[tuple[Literal["Job", "CronJob"], ...], param(
        "Which kinds to check.",
        unique_items=True,
    )] = ("Job", "CronJob")
    max_seconds: Annotated[int, param(
        "Also report deadlines above this many seconds (0: any deadline is accepted).",
        minimum=0,
    )] = 0


@rule(
    code="RES042",
    name="job-without-active-deadline",
    title="Job has no active deadline",
    severity=Severity.INFO,
    pack="resources",
    since="0.1.0",
    tags=("jobs",),
    remediation="Set activeDeadlineSeconds on the Job spec (spec.jobTemplate.spec for a CronJob).",
    references=(
        JOB_TERMINATION,
        JOBS,
        CRONJOBS,
    ),
    params=Params,
    kinds=("Job", "CronJob"),
    enabled_by_default=False,
)
def job_without_active_deadline(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Jobs, and the job templates of CronJobs, that set no `activeDeadlineSeconds` (and, with
    `max-seconds`, those whose deadline is longer). Off by default.

    ## Why is this bad?
    `backoffLimit` only counts failures: a Job whose pod hangs (a stuck network call, a deadlock) runs
    forever, holding its resources, and for a CronJob with `concurrencyPolicy: Forbid` it blocks every
    later run. `activeDeadlineSeconds` fails the Job after that time whatever its pods do (Kubernetes
    documentation, "Job termination and cleanup").

    ## Example
    ```yaml
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: backup
    spec:
      schedule: "0 3 * * *"
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: OnFailure
              containers:
                - name: backup
                  image: example.com/backup:1.9.0
    ```

    ## Use instead
    ```yaml
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: backup
    spec:
      schedule: "0 3 * * *"
      jobTemplate:
        spec:
          activeDeadlineSeconds: 7200
          template:
            spec:
              restartPolicy: OnFailure
              containers:
                - name: backup
                  image: example.com/backup:1.9.0
    ```
    """
    if is_partial_object(resource, ctx):
        return
    if resource.group != "batch" or resource.kind not in params.kinds:
        return
    spec_path = ("spec",) if resource.kind == "Job" else ("spec", "jobTemplate", "spec")
    spec = get(resource.data, spec_path)
    if not isinstance(spec, dict):
        return
    path = (*spec_path, "activeDeadlineSeconds")
    value = spec.get("activeDeadlineSeconds")
    if value is None:
        yield Violation(path, f"{resource.describe()} sets no activeDeadlineSeconds, so a hung pod runs forever")
    elif (
        params.max_seconds and isinstance(value, int) and not isinstance(value, bool) and value > params.max_seconds
    ):
        yield Violation(path, f"{resource.describe()} sets activeDeadlineSeconds to {value}, above the maximum of "
                        f"{params.max_seconds}", at_value=True)


RULE = job_without_active_deadline
