"""cronjob-allows-concurrent-runs: a CronJob's concurrencyPolicy lets runs overlap."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.rules.api import (
    Fix,
    FixEdit,
    Reference,
    Resource,
    RuleContext,
    Severity,
    Violation,
    rule,
    structural_fix,
)
from guardlint.rules.params import param
from guardlint.rules.references import CRONJOBS
from guardlint.rules.resources._common import is_partial_object

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Literal

VALID = ("Allow", "Forbid", "Replace")


class Params(NamedTuple):
    allowed_policies: Annotated[tuple[Literal["Allow", "Forbid", "Replace"], ...], param(
        "Accepted concurrencyPolicy values; an unset policy means Allow.",
        unique_items=True,
        min_items=1,
    )] = ("Forbid", "Replace")


@rule(
    code="RES044",
    fixable="unsafe",
    name="cronjob-allows-concurrent-runs",
    title="CronJob lets its runs overlap",
    severity=Severity.INFO,
    pack="resources",
    since="0.1.0",
    tags=("jobs",),
    remediation="Set spec.concurrencyPolicy to Forbid (skip a run while the previous one is active) or Replace.",
    references=(
        Reference("Kubernetes: CronJob concurrency policy",
                  "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#concurrency-policy"),
        CRONJOBS,
    ),
    kinds=("CronJob",),
    params=Params,
)
def cronjob_allows_concurrent_runs(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports CronJobs (API group `batch`) whose `spec.concurrencyPolicy` is unset (which means `Allow`) or a
    value outside `allowed-policies` (default `Forbid` and `Replace`), and values that are none of `Allow`,
    `Forbid` and `Replace`, which the API rejects.

    ## Why is this bad?
    With `Allow`, a run that takes longer than the schedule interval overlaps the next one: two backups
    write the same target, two reports double-send, and a slow dependency makes runs pile up until the
    namespace's quota is exhausted (Kubernetes documentation, "CronJob", "Concurrency policy").

    ## Example
    ```yaml
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: sync
    spec:
      schedule: "*/10 * * * *"
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: OnFailure
              containers:
                - name: sync
                  image: example.com/sync:0.9.1
    ```

    ## Use instead
    ```yaml
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: sync
    spec:
      schedule: "*/10 * * * *"
      concurrencyPolicy: Forbid
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: OnFailure
              containers:
                - name: sync
                  image: example.com/sync:0.9.1
    ```
    """
    spec = resource.data.get("spec")
    if resource.group != "batch" or not isinstance(spec, dict):
        return
    policy = spec.get("concurrencyPolicy")
    path = ("spec", "concurrencyPolicy")
    if policy is None:
        if "Allow" not in params.allowed_policies and not is_partial_object(resource, ctx):
            yield Violation(path, f"{resource.describe()} sets no concurrencyPolicy, so it defaults to Allow and runs "
                            "may overlap", fix=_policy(path, params.allowed_policies))
    elif policy not in VALID:
        yield Violation(path, f"{resource.describe()} sets concurrencyPolicy to {policy!r}, which the API rejects "
                        "(valid: Allow, Forbid, Replace)", at_value=True)
    elif policy not in params.allowed_policies:
        effect = ", so runs may overlap" if policy == "Allow" else ""
        yield Violation(path, f"{resource.describe()} sets concurrencyPolicy to {policy!r}{effect} (allowed: "
                        f"{', '.join(params.allowed_policies)})", at_value=True,
                        fix=_policy(path, params.allowed_policies))


def _policy(path: tuple[str | int, ...], allowed: tuple[str, ...]) -> Fix | None:
    """Set the first allowed policy the API knows, Forbid when it is allowed (it never cancels a run)."""
    target = "Forbid" if "Forbid" in allowed else next((p for p in allowed if p in VALID), None)
    return structural_fix(f"set concurrencyPolicy to {target}", FixEdit("set", path, target)) if target else None


RULE = cronjob_allows_concurrent_runs
