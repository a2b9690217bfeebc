"""hpa-minimum-single-replica: an autoscaler may scale a workload written for several replicas down to one."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get
from guardlint.model.scaling import explicit_replicas, hpa_min_replicas, hpas_for, replicas_path
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import HPA

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES103",
    name="hpa-minimum-single-replica",
    title="Autoscaler may scale a multi-replica workload down to one pod",
    severity=Severity.WARNING,
    pack="resources",
    since="0.2.0",
    status="preview",
    tags=("availability", "autoscaling"),
    remediation="Set the HorizontalPodAutoscaler's minReplicas to the smallest replica count the service can "
    "run on safely (at least 2), and remove spec.replicas from the workload.",
    references=(HPA,),
)
def hpa_minimum_single_replica(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports a workload (any kind with a replica count in the pod-template table) that sets `spec.replicas`
    to 2 or more while a HorizontalPodAutoscaler among the linted objects targets it (same tree and
    namespace, kind and name, compatible API group) with `minReplicas` 1, written or left to its default.
    The finding is on the workload's `spec.replicas`, which states the redundancy the author wanted; a
    workload without `spec.replicas`, or an autoscaler of a single-replica workload, is not judged.

    ## Why is this bad?
    The autoscaler owns the replica count: at low load it scales the workload down to `minReplicas`, so
    the service the manifest runs on several pods (for availability, not for load) ends up on one pod, and
    one node drain or crash is an outage. A PodDisruptionBudget cannot help then: with one replica it
    either blocks every drain or allows the outage.

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
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata:
      name: web
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
      maxReplicas: 10
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
    replicas = explicit_replicas(resource, ctx)
    path = replicas_path(resource, ctx)
    if replicas is None or replicas < 2 or path is None:
        return
    for hpa in hpas_for(ctx, resource):
        if hpa.group != "autoscaling" or hpa_min_replicas(hpa) != 1:
            continue
        how = "minReplicas 1" if get(hpa.data, ("spec", "minReplicas")) is not None else "no minReplicas (default 1)"
        yield Violation(
            path,
            f"{resource.describe()} is written for {replicas} replicas, but HorizontalPodAutoscaler {hpa.name!r} "
            f"has {how}, so it may scale the workload down to a single pod",
            at_value=True,
        )
        return


RULE = hpa_minimum_single_replica
