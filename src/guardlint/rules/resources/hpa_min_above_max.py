"""hpa-min-above-max: a HorizontalPodAutoscaler whose replica bounds the API rejects."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import HPA

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@rule(
    code="RES102",
    name="hpa-min-above-max",
    title="HorizontalPodAutoscaler minReplicas above maxReplicas",
    severity=Severity.ERROR,
    pack="resources",
    since="0.2.0",
    status="preview",
    tags=("consistency", "autoscaling"),
    remediation="Set maxReplicas to at least minReplicas (and at least 1).",
    references=(HPA,),
    kinds=("HorizontalPodAutoscaler",),
)
def hpa_min_above_max(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports HorizontalPodAutoscalers (`autoscaling`, every version) whose `spec.minReplicas` is greater than
    `spec.maxReplicas`, or whose `maxReplicas` is below 1 (with `minReplicas` left out it defaults to 1).
    Values that are not integers (unrendered templates) are not judged.

    ## Why is this bad?
    The API server validates the bounds ("must be greater than or equal to `minReplicas`", "must be greater
    than 0") and rejects the autoscaler, so it is never created and the workload runs at whatever replica
    count it was last given: usually one swapped bound in a values file, found at deploy time.

    ## Example
    ```yaml
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata:
      name: web
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
      minReplicas: 10
      maxReplicas: 3
    ```

    ## Use instead
    ```yaml
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata:
      name: web
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
      minReplicas: 3
      maxReplicas: 10
    ```
    """
    if resource.group != "autoscaling":
        return
    max_raw = get(resource.data, ("spec", "maxReplicas"))
    maximum = _int(max_raw)
    if maximum is None:
        return
    if maximum < 1:
        yield Violation(("spec", "maxReplicas"), f"{resource.describe()} sets maxReplicas to {maximum}, which must be "
                        "at least 1", at_value=True)
        return
    minimum = _int(get(resource.data, ("spec", "minReplicas")))
    if minimum is not None and minimum > maximum:
        yield Violation(("spec", "minReplicas"), f"{resource.describe()} sets minReplicas {minimum} above maxReplicas "
                        f"{maximum}", at_value=True)


RULE = hpa_min_above_max
