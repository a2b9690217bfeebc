"""replicas-not-spread: a multi-replica workload has no pod anti-affinity or topology spread (opt-in)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guardlint.findings import Severity
from guardlint.model.access import get
from guardlint.model.resource import Resource
from guardlint.model.workloads import iter_pod_specs
from guardlint.rules.api import Reference, RuleContext, Violation, rule
from guardlint.rules.resources._common import is_multi_replica, is_partial_object


def _spread(spec: Any) -> bool:
    anti = get(spec, ("affinity", "podAntiAffinity"))
    if isinstance(anti, dict) and any(
        anti.get(k) for k in ("requiredDuringSchedulingIgnoredDuringExecution",
                              "preferredDuringSchedulingIgnoredDuringExecution")
    ):
        return True
    constraints = spec.get("topologySpreadConstraints") if isinstance(spec, dict) else None
    return isinstance(constraints, list) and bool(constraints)


@rule(
    code="RES035",
    name="replicas-not-spread",
    title="Multi-replica workload has no pod anti-affinity or topology spread",
    severity=Severity.INFO,
    pack="resources",
    since="0.1.0",
    tags=("availability", "scheduling"),
    remediation="Add topologySpreadConstraints (for example over kubernetes.io/hostname and "
    "topology.kubernetes.io/zone) or a preferred podAntiAffinity on the pod template.",
    references=(
        Reference("Kubernetes: Pod Topology Spread Constraints",
                  "https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/"),
        Reference("Kubernetes: Inter-pod affinity and anti-affinity",
                  "https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/"
                  "#inter-pod-affinity-and-anti-affinity"),
    ),
    enabled_by_default=False,
)
def replicas_not_spread(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports pod templates of workloads that run more than one replica (an explicit `spec.replicas` above 1,
    or a HorizontalPodAutoscaler among the linted objects with `minReplicas` above 1) and set neither a
    `podAntiAffinity` term nor `topologySpreadConstraints`. Off by default: clusters may define default
    spreading for the scheduler.

    ## Why is this bad?
    Nothing stops the scheduler from placing every replica on the same node or zone, so one node failure
    or zone outage takes all of them down at once and the extra replicas buy no availability (Kubernetes
    documentation, "Pod Topology Spread Constraints").

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
          topologySpreadConstraints:
            - maxSkew: 1
              topologyKey: kubernetes.io/hostname
              whenUnsatisfiable: ScheduleAnyway
              labelSelector:
                matchLabels: {app: web}
          containers:
            - name: web
              image: nginx:1.27
    ```
    """
    if is_partial_object(resource, ctx):
        return
    if not is_multi_replica(resource, ctx):
        return
    for pod in iter_pod_specs(resource, ctx.workloads):
        if not _spread(pod.spec):
            yield Violation(
                (*pod.path, "topologySpreadConstraints"),
                f"{resource.describe()} runs several replicas with neither podAntiAffinity nor "
                "topologySpreadConstraints, so they may all land on one node",
            )


RULE = replicas_not_spread
