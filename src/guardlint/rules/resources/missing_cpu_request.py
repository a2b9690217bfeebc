"""missing-cpu-request: a container has no CPU request."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import LIMIT_RANGE, MANAGE_RESOURCES, POD_LEVEL_RESOURCES
from guardlint.rules.resources._missing import missing_resource

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES001",
    name="missing-cpu-request",
    pods_only=True,
    title="Container has no CPU request",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("resources", "scheduling"),
    remediation="Set resources.requests.cpu on the container (or a pod-level spec.resources.requests.cpu).",
    references=(MANAGE_RESOURCES, LIMIT_RANGE, POD_LEVEL_RESOURCES),
)
def missing_cpu_request(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports containers, init containers and sidecars of every workload kind that set no
    `resources.requests.cpu`. A container that sets only `resources.limits.cpu` is not reported: the API
    copies a limit into a missing request. Nor is it reported when the pod sets a pod-level CPU request or
    limit (`spec.resources`), or when a LimitRange among the linted objects supplies a default CPU request
    (`defaultRequest`, `default`, `max` or `min`) in the same namespace. Ephemeral containers cannot set
    resources and are not reported.

    Not reported: kustomize patches and other fragments (a built-in workload whose pod template has no
    containers or a container without an image), InferenceServices, whose KServe webhook supplies
    default requests and limits, and the trainer container (`node`, in the replicated jobs labelled
    `trainer.kubeflow.org/trainjob-ancestor-step: trainer`) of a Kubeflow TrainingRuntime or
    ClusterTrainingRuntime, whose resources each TrainJob sets (`spec.trainer.resourcesPerNode`), and
    Istio's `istio-proxy` container with `image: auto`, which Istio's injector completes from its template.

    ## Why is this bad?
    The scheduler places pods by their requests. A pod without a CPU request is scheduled as if it used no
    CPU: nodes get overcommitted, the pod lands in the `BestEffort` or `Burstable` QoS class and gets the
    smallest CPU share under contention (Kubernetes documentation, "Resource Management for Pods and
    Containers"). HorizontalPodAutoscalers that scale on CPU utilisation cannot compute it without a request.

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
              resources:
                requests: {memory: 128Mi}
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
              resources:
                requests: {memory: 128Mi, cpu: 100m}
    ```
    """
    yield from missing_resource(resource, ctx, "cpu", "requests")


RULE = missing_cpu_request
