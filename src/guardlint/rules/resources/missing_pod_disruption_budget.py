"""missing-pod-disruption-budget: a multi-replica workload has no PodDisruptionBudget (opt-in)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.findings import Severity
from guardlint.model.resource import Resource
from guardlint.model.scaling import is_multi_replica, replicas_path
from guardlint.model.selection import pdbs_for
from guardlint.rules.api import RuleContext, Violation, rule
from guardlint.rules.references import PDB
from guardlint.rules.resources._common import can_judge_missing, is_partial_object, sees_namespace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES032",
    name="missing-pod-disruption-budget",
    title="Multi-replica workload has no PodDisruptionBudget",
    severity=Severity.INFO,
    pack="resources",
    since="0.1.0",
    tags=("availability", "reliability"),
    remediation="Add a PodDisruptionBudget whose selector matches the workload's pod labels (for example "
    "maxUnavailable: 1).",
    references=(PDB,),
    enabled_by_default=False,
)
def missing_pod_disruption_budget(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports workloads that run more than one replica (an explicit `spec.replicas` above 1, or a
    HorizontalPodAutoscaler among the linted objects with `minReplicas` above 1) when no
    PodDisruptionBudget among the linted objects in the same namespace selects their pod template labels.
    Off by default.

    Missing-object policy: pre-commit passes only the changed files and charts may keep their budgets elsewhere, so
    the rule judges a namespace only when the run is not partial (or `--context` covers the namespace) and the
    linted set holds at least one PodDisruptionBudget in that namespace (or config declares the namespace complete).
    Objects without a namespace (their namespace is chosen at apply time) are judged only against linted objects in
    their own directory tree.

    ## Why is this bad?
    Without a budget, a node drain (cluster upgrade, autoscaler scale-down) may evict every replica at once:
    the eviction API only slows down when a PodDisruptionBudget says how many pods must stay (Kubernetes
    documentation, "Specifying a Disruption Budget for your Application").

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 3
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
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: api
    spec:
      maxUnavailable: 1
      selector:
        matchLabels: {app: api}
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 3
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
    if not sees_namespace(ctx, resource) or is_partial_object(resource, ctx):
        return  # without ``sees_namespace`` ``can_judge_missing`` below is False (a partial run)
    path = replicas_path(resource, ctx)
    if path is None or not is_multi_replica(resource, ctx):
        return
    if not can_judge_missing(ctx, "PodDisruptionBudget", resource):
        return
    if pdbs_for(ctx, resource):
        return
    yield Violation(path, f"{resource.describe()} runs several replicas but no PodDisruptionBudget selects its pods")


RULE = missing_pod_disruption_budget
