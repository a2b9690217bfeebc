"""pdb-blocks-hpa-minimum: a PodDisruptionBudget's minAvailable is not below the HPA's minReplicas."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get
from guardlint.model.scaling import int_or_percent, min_field, pdb_replica_total, scaled_percent
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import HPA, PDB

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES034",
    name="pdb-blocks-hpa-minimum",
    title="PodDisruptionBudget minAvailable is not below the autoscaler's minimum",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("availability", "autoscaling"),
    remediation="Set minAvailable below the HorizontalPodAutoscaler's minReplicas (or use maxUnavailable: 1).",
    references=(PDB, HPA),
    kinds=("PodDisruptionBudget",),
)
def pdb_blocks_hpa_minimum(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports PodDisruptionBudgets whose `minAvailable` (a number, or a percentage rounded up) exceeds or
    equals the pods that remain when the HorizontalPodAutoscalers of the selected workloads are at their
    `minReplicas` (default 1), counted among the linted objects; a KEDA ScaledObject counts as the
    autoscaler KEDA creates for its target, with its `minReplicaCount` (default 0), and a minimum of no pods
    at all is not reported (nothing is left to evict). Only budgets that select at least one
    HPA-scaled workload are judged, under the same counting policy as `pdb-allows-no-disruption` (full runs,
    namespaces with linted workloads, every count known).

    ## Why is this bad?
    Whenever the autoscaler has scaled down to its minimum, the budget allows no disruption at all: node
    drains, upgrades and cluster-autoscaler scale-downs block until load rises again (Kubernetes
    documentation, "Specifying a Disruption Budget for your Application").

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: nginx:1.27
    ---
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata:
      name: web
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
      minReplicas: 2
      maxReplicas: 10
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: web
    spec:
      minAvailable: 2
      selector:
        matchLabels: {app: web}
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: nginx:1.27
    ---
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata:
      name: web
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
      minReplicas: 3
      maxReplicas: 10
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: web
    spec:
      minAvailable: 2
      selector:
        matchLabels: {app: web}
    ```
    """
    min_available = int_or_percent(get(resource.data, ("spec", "minAvailable")))
    if min_available is None:
        return
    number, percent = min_available
    if percent and number >= 100:
        return  # pdb-allows-no-disruption reports it whatever the replica count
    counted = pdb_replica_total(ctx, resource, use_hpa_minimum=True)
    if counted is None:
        return
    total, scaled = counted
    if not scaled:
        return
    required = scaled_percent(number, total) if percent else number
    if total > 0 and required >= total:  # at 0 pods (a ScaledObject scaled to zero) nothing waits on an eviction
        written = f"{number}%" if percent else str(number)
        names = ", ".join(f"{min_field(h)} of {h.kind} {h.name!r}" for h in scaled)
        yield Violation(
            ("spec", "minAvailable"),
            f"{resource.describe()} sets minAvailable to {written}, but at the {names} only {total} "
            f"pod{'s' if total != 1 else ''} run, so no eviction is allowed then",
        )


RULE = pdb_blocks_hpa_minimum
