"""pdb-allows-no-disruption: a PodDisruptionBudget never allows a voluntary eviction."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get
from guardlint.model.scaling import int_or_percent, pdb_replica_total, scaled_percent
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import PDB

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES033",
    name="pdb-allows-no-disruption",
    title="PodDisruptionBudget allows no disruption",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("availability", "reliability"),
    remediation="Allow at least one disruption: use maxUnavailable: 1, or a minAvailable below the replica count.",
    references=(PDB,),
    kinds=("PodDisruptionBudget",),
)
def pdb_allows_no_disruption(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports PodDisruptionBudgets with `maxUnavailable` 0 or `0%`, with `minAvailable` `100%`, or with a
    `minAvailable` (number or percentage, rounded up as the disruption controller does) that is at least
    the number of pods it selects among the linted objects. Pods are counted from explicit `spec.replicas`
    (1 for a bare Pod); when a HorizontalPodAutoscaler scales a selected workload the case is left to
    `pdb-blocks-hpa-minimum`.

    Counting policy: the replica count is judged only when the run is not partial (or `--context` covers the
    namespace), the namespace holds linted workloads, no custom resource there may run pods, and every selected
    workload has an explicit count; otherwise only the `0`/`100%` forms are reported.

    ## Why is this bad?
    A budget that allows no disruption blocks every voluntary eviction: `kubectl drain`, cluster upgrades
    and the cluster autoscaler wait on it forever, and managed platforms force-evict after a timeout anyway
    (Kubernetes documentation, "Specifying a Disruption Budget for your Application": with
    `maxUnavailable` 0 or `minAvailable` equal to the replicas "you cannot successfully drain a Node").

    ## Example
    ```yaml
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: web
    spec:
      maxUnavailable: 0
      selector:
        matchLabels: {app: web}
    ```

    ## Use instead
    ```yaml
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: web
    spec:
      maxUnavailable: 1
      selector:
        matchLabels: {app: web}
    ```
    """
    max_unavailable = int_or_percent(get(resource.data, ("spec", "maxUnavailable")))
    if max_unavailable is not None and max_unavailable[0] == 0:
        text = "0%" if max_unavailable[1] else "0"
        yield Violation(
            ("spec", "maxUnavailable"),
            f"{resource.describe()} sets maxUnavailable to {text}, so no selected pod can ever be evicted "
            "voluntarily and node drains block",
        )
        return
    min_available = int_or_percent(get(resource.data, ("spec", "minAvailable")))
    if min_available is None:
        return
    number, percent = min_available
    if percent and number >= 100:
        yield Violation(
            ("spec", "minAvailable"),
            f"{resource.describe()} sets minAvailable to {number}%, so no selected pod can ever be evicted "
            "voluntarily and node drains block",
        )
        return
    counted = pdb_replica_total(ctx, resource, use_hpa_minimum=False)
    if counted is None:
        return
    total, _ = counted
    required = scaled_percent(number, total) if percent else number
    if total > 0 and required >= total:
        written = f"{number}%" if percent else str(number)
        yield Violation(
            ("spec", "minAvailable"),
            f"{resource.describe()} sets minAvailable to {written} but selects only {total} "
            f"pod{'s' if total != 1 else ''}, so none can ever be evicted voluntarily and node drains block",
        )


RULE = pdb_allows_no_disruption
