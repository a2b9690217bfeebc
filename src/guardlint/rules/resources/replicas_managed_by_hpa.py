"""replicas-managed-by-hpa: a workload sets spec.replicas while an HPA scales it."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get
from guardlint.model.scaling import explicit_replicas, hpas_for, replicas_path
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import HPA, KEDA_SCALED_OBJECT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES031",
    name="replicas-managed-by-hpa",
    title="Workload sets replicas that a HorizontalPodAutoscaler manages",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("availability", "gitops", "autoscaling"),
    remediation="Remove spec.replicas from the manifest and let the HorizontalPodAutoscaler own the replica count.",
    references=(
        HPA,
        KEDA_SCALED_OBJECT,
        Reference(
            "Kubernetes: Migrating Deployments and StatefulSets to horizontal autoscaling",
            "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/"
            "#migrating-deployments-and-statefulsets-to-horizontal-autoscaling",
        ),
        Reference("Argo CD: Leaving room for imperativeness",
                  "https://argo-cd.readthedocs.io/en/stable/user-guide/best_practices/"
                  "#leaving-room-for-imperativeness"),
    ),
)
def replicas_managed_by_hpa(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports workloads (any kind with a replica count in the pod-template table) that set `spec.replicas`
    while a HorizontalPodAutoscaler among the linted objects targets them through
    `scaleTargetRef` (same namespace, kind and name, compatible API group), or a KEDA ScaledObject
    (`keda.sh`) does (KEDA creates and owns an HPA for its target; its `scaleTargetRef` kind defaults to
    `Deployment` and apiVersion to `apps/v1`). In a folder of alternatives
    (golden outputs or samples that each define the same workload), an autoscaler whose file defines its own
    workload of that name, or whose name the workload's file gives to an autoscaler of its own, scales only
    its own file's workload; an autoscaler in a file of its own (an `hpa.yaml` beside the variants) scales
    each of them. The other rules that ask which autoscalers scale a workload (`replicas-not-spread`,
    `replicas-below-minimum`, `missing-pod-disruption-budget`, `hpa-minimum-single-replica`) follow the
    same rule, and count a ScaledObject's `minReplicaCount` (default 0) as its minimum.

    ## Why is this bad?
    The HPA writes the replica count; every `kubectl apply` or GitOps sync writes the manifest's value back.
    The two fight: each sync scales the workload to the fixed count (a sudden scale-down under load), then
    the HPA scales it again. The Kubernetes documentation advises removing `spec.replicas` from manifests
    once an HPA manages the workload.

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
      minReplicas: 3
      maxReplicas: 10
      metrics:
        - type: Resource
          resource:
            name: cpu
            target: {type: Utilization, averageUtilization: 70}
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
      metrics:
        - type: Resource
          resource:
            name: cpu
            target: {type: Utilization, averageUtilization: 70}
    ```
    """
    path = replicas_path(resource, ctx)
    if path is None or get(resource.data, path) is None:
        return
    hpas = hpas_for(ctx, resource)
    if not hpas:
        return
    replicas = explicit_replicas(resource, ctx)
    value = str(replicas) if replicas is not None else "a value"
    yield Violation(
        path,
        f"{resource.describe()} sets replicas to {value} while {hpas[0].kind} {hpas[0].name!r} scales it; "
        "every sync resets the replica count the autoscaler chose",
    )


RULE = replicas_managed_by_hpa
