"""missing-cpu-limit: a container has no CPU limit (opt-in)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import LIMIT_RANGE, MANAGE_RESOURCES, POD_LEVEL_RESOURCES
from guardlint.rules.resources._missing import missing_resource

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES004",
    fixable="unsafe",
    name="missing-cpu-limit",
    pods_only=True,
    title="Container has no CPU limit",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("resources",),
    remediation="Set resources.limits.cpu on the container (or a pod-level spec.resources.limits.cpu).",
    references=(MANAGE_RESOURCES, LIMIT_RANGE, POD_LEVEL_RESOURCES),
    enabled_by_default=False,
)
def missing_cpu_limit(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports containers, init containers and sidecars that set no `resources.limits.cpu`, unless the pod
    sets a pod-level CPU limit (`spec.resources.limits.cpu`) or a LimitRange among the linted objects gives
    containers in the same namespace a default CPU limit. Off by default: enable it where the team's policy
    is to cap CPU.

    Not reported: kustomize patches and other fragments (a built-in workload whose pod template has no
    containers or a container without an image), InferenceServices, whose KServe webhook supplies
    default requests and limits, and the trainer container (`node`, in the replicated jobs labelled
    `trainer.kubeflow.org/trainjob-ancestor-step: trainer`) of a Kubeflow TrainingRuntime or
    ClusterTrainingRuntime, whose resources each TrainJob sets (`spec.trainer.resourcesPerNode`), and
    Istio's `istio-proxy` container with `image: auto`, which Istio's injector completes from its template.

    ## Why is this bad?
    Without a CPU limit a container may use every idle core of its node. Many teams want that (CPU is
    compressible and throttling hurts latency), which is why this rule is opt-in; teams that need
    predictable, isolated performance or a `Guaranteed` QoS class set limits everywhere and use this rule to
    keep it so (Kubernetes documentation, "Resource Management for Pods and Containers").

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata:
      name: agent
    spec:
      selector:
        matchLabels: {app: agent}
      template:
        metadata:
          labels: {app: agent}
        spec:
          containers:
            - name: agent
              image: example.com/agent:2.1.0
              resources:
                requests: {cpu: 50m, memory: 64Mi}
                limits: {memory: 64Mi}
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata:
      name: agent
    spec:
      selector:
        matchLabels: {app: agent}
      template:
        metadata:
          labels: {app: agent}
        spec:
          containers:
            - name: agent
              image: example.com/agent:2.1.0
              resources:
                requests: {cpu: 50m, memory: 64Mi}
                limits: {cpu: 200m, memory: 64Mi}
    ```
    """
    yield from missing_resource(resource, ctx, "cpu", "limits")


RULE = missing_cpu_limit
