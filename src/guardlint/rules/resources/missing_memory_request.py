"""missing-memory-request: a container has no memory request."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import LIMIT_RANGE, MANAGE_RESOURCES, POD_LEVEL_RESOURCES
from guardlint.rules.resources._missing import missing_resource

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES002",
    name="missing-memory-request",
    pods_only=True,
    title="Container has no memory request",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("resources", "scheduling"),
    remediation="Set resources.requests.memory on the container (or a pod-level spec.resources.requests.memory).",
    references=(MANAGE_RESOURCES, LIMIT_RANGE, POD_LEVEL_RESOURCES),
)
def missing_memory_request(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports containers, init containers and sidecars of every workload kind that set no
    `resources.requests.memory`. A container that sets only `resources.limits.memory` is not reported: the
    API copies a limit into a missing request. Nor is it reported when the pod sets a pod-level memory
    request or limit (`spec.resources`), or when a LimitRange among the linted objects supplies a default
    memory request (`defaultRequest`, `default`, `max` or `min`) in the same namespace. Ephemeral containers
    cannot set resources and are not reported.

    Not reported: kustomize patches and other fragments (a built-in workload whose pod template has no
    containers or a container without an image), InferenceServices, whose KServe webhook supplies
    default requests and limits, and the trainer container (`node`, in the replicated jobs labelled
    `trainer.kubeflow.org/trainjob-ancestor-step: trainer`) of a Kubeflow TrainingRuntime or
    ClusterTrainingRuntime, whose resources each TrainJob sets (`spec.trainer.resourcesPerNode`), and
    Istio's `istio-proxy` container with `image: auto`, which Istio's injector completes from its template.

    ## Why is this bad?
    The scheduler places pods by their requests. A pod without a memory request is scheduled as if it used
    no memory, so nodes get overcommitted; under memory pressure the kubelet evicts pods whose usage exceeds
    their request first (Kubernetes documentation, "Node-pressure Eviction"), and a pod without a request is
    always above it.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: db
    spec:
      serviceName: db
      selector:
        matchLabels: {app: db}
      template:
        metadata:
          labels: {app: db}
        spec:
          containers:
            - name: db
              image: postgres:16.4
              resources:
                requests: {cpu: 500m}
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: db
    spec:
      serviceName: db
      selector:
        matchLabels: {app: db}
      template:
        metadata:
          labels: {app: db}
        spec:
          containers:
            - name: db
              image: postgres:16.4
              resources:
                requests: {cpu: 500m, memory: 1Gi}
    ```
    """
    yield from missing_resource(resource, ctx, "memory", "requests")


RULE = missing_memory_request
