"""missing-memory-limit: a container has no memory limit."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import LIMIT_RANGE, MANAGE_RESOURCES, POD_LEVEL_RESOURCES
from guardlint.rules.resources._missing import missing_resource

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES003",
    fixable="unsafe",
    name="missing-memory-limit",
    pods_only=True,
    title="Container has no memory limit",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("resources",),
    remediation="Set resources.limits.memory on the container (or a pod-level spec.resources.limits.memory).",
    references=(MANAGE_RESOURCES, LIMIT_RANGE, POD_LEVEL_RESOURCES),
)
def missing_memory_limit(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports containers, init containers and sidecars that set no `resources.limits.memory`, unless the pod
    sets a pod-level memory limit (`spec.resources.limits.memory`) or a LimitRange among the linted objects
    gives containers in the same namespace a default memory limit (`default`, or `max`, which the API copies
    into a missing `default`). Ephemeral containers cannot set resources and are not reported.

    Not reported: kustomize patches and other fragments (a built-in workload whose pod template has no
    containers or a container without an image), InferenceServices, whose KServe webhook supplies
    default requests and limits, and the trainer container (`node`, in the replicated jobs labelled
    `trainer.kubeflow.org/trainjob-ancestor-step: trainer`) of a Kubeflow TrainingRuntime or
    ClusterTrainingRuntime, whose resources each TrainJob sets (`spec.trainer.resourcesPerNode`), and
    Istio's `istio-proxy` container with `image: auto`, which Istio's injector completes from its template.

    ## Why is this bad?
    Memory is not compressible: a container without a limit can use all of the node's memory, and when the
    node runs out the kernel's OOM killer and the kubelet's eviction pick victims among *all* pods on the
    node, not just the one that leaked (Kubernetes documentation, "Resource Management for Pods and
    Containers").

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources:
            requests: {memory: 128Mi}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources:
            requests: {memory: 128Mi}
            limits: {memory: 256Mi}
    ```
    """
    yield from missing_resource(resource, ctx, "memory", "limits")


RULE = missing_memory_limit
