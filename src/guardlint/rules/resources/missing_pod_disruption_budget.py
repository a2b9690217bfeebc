"""missing-pod-disruption-budget: a multi-replica workload has no PodDisruptionBudget (opt-in)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get
from guardlint.model.scaling import is_multi_replica, replicas_path
from guardlint.model.selection import pdbs_for
from guardlint.model.workloads import iter_pod_specs
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
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
    An Argo Rollout that takes its pod template from a Deployment, ReplicaSet or PodTemplate
    (`spec.workloadRef`) is judged by that object's template when it is linted in the same namespace, and not
    judged otherwise (its pods are not known). Off by default.

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
    source = _pod_source(resource, ctx)
    if source is None or pdbs_for(ctx, source):
        return
    yield Violation(path, f"{resource.describe()} runs several replicas but no PodDisruptionBudget selects its pods")


_WORKLOAD_REF_KINDS = frozenset({"Deployment", "ReplicaSet", "PodTemplate"})
"""The kinds an Argo Rollout's ``spec.workloadRef`` may name (Argo Rollouts, "Migrating to Rollouts":
a Deployment, ReplicaSet or PodTemplate whose pod template the Rollout runs)."""


def _pod_source(resource: Resource, ctx: RuleContext) -> Resource | None:
    """The object whose pod templates are the workload's pods: the workload itself, or for an Argo Rollout that
    takes its template from another object (``spec.workloadRef``, no ``spec.template`` of its own) that object
    when it is linted in the same namespace. None when the pods are not known (nothing can be said of which
    budget selects them)."""
    if next(iter_pod_specs(resource, ctx.workloads), None) is not None:
        return resource
    if resource.kind != "Rollout" or resource.group != "argoproj.io":
        return None
    ref = get(resource.data, ("spec", "workloadRef"))
    if not isinstance(ref, dict):
        return None
    kind, name = ref.get("kind"), ref.get("name")
    if kind not in _WORKLOAD_REF_KINDS or not isinstance(name, str):
        return None
    return ctx.index.find(kind, name, resource.namespace)


RULE = missing_pod_disruption_budget
