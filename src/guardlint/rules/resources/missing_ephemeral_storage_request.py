"""missing-ephemeral-storage-request: a container has no ephemeral-storage request (opt-in)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.references import LIMIT_RANGE, MANAGE_RESOURCES
from guardlint.rules.resources._missing import missing_resource

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    require_limit: Annotated[bool, param("Also report containers that set no ephemeral-storage limit.")] = False


@rule(
    code="RES005",
    fixable="unsafe",
    name="missing-ephemeral-storage-request",
    pods_only=True,
    title="Container has no ephemeral-storage request",
    severity=Severity.INFO,
    pack="resources",
    since="0.1.0",
    tags=("resources", "scheduling"),
    remediation="Set resources.requests.ephemeral-storage (and, if required, resources.limits.ephemeral-storage).",
    references=(
        Reference(
            "Kubernetes: Local ephemeral storage",
            "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#local-ephemeral-storage",
        ),
        MANAGE_RESOURCES,
        LIMIT_RANGE,
    ),
    params=Params,
    enabled_by_default=False,
)
def missing_ephemeral_storage_request(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports containers, init containers and sidecars that set no `resources.requests.ephemeral-storage`
    (a limit counts, since the API copies it into a missing request; so does a LimitRange default in the same
    namespace). With `require-limit`, also reports containers that set no ephemeral-storage limit. Off by
    default.

    Not reported: kustomize patches and other fragments (a built-in workload whose pod template has no
    containers or a container without an image), InferenceServices, whose KServe webhook supplies
    default requests and limits, and the trainer container (`node`, in the replicated jobs labelled
    `trainer.kubeflow.org/trainjob-ancestor-step: trainer`) of a Kubeflow TrainingRuntime or
    ClusterTrainingRuntime, whose resources each TrainJob sets (`spec.trainer.resourcesPerNode`), and
    Istio's `istio-proxy` container with `image: auto`, which Istio's injector completes from its template.

    ## Why is this bad?
    Logs, `emptyDir` volumes and the container's writable layer use the node's local disk. Without a request
    the scheduler does not account for it, and when the node's disk fills the kubelet evicts pods, starting
    with those whose usage exceeds their request (Kubernetes documentation, "Local ephemeral storage").

    ## Example
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: export
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: export
              image: example.com/export:1.4.2
              resources:
                requests: {cpu: 100m, memory: 256Mi}
    ```

    ## Use instead
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: export
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: export
              image: example.com/export:1.4.2
              resources:
                requests: {cpu: 100m, memory: 256Mi, ephemeral-storage: 2Gi}
    ```
    """
    yield from missing_resource(resource, ctx, "ephemeral-storage", "requests")
    if params.require_limit:
        yield from missing_resource(resource, ctx, "ephemeral-storage", "limits")


RULE = missing_ephemeral_storage_request
