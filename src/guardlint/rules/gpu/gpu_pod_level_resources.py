"""gpu-pod-level-resources: an accelerator is set in the pod-level spec.resources."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_map
from guardlint.model.quantity import quantity_text
from guardlint.model.resourcenames import is_extended
from guardlint.model.workloads import iter_pod_specs
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import accelerators, is_placeholder
from guardlint.rules.references import POD_LEVEL_RESOURCES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="GPU008",
    name="gpu-pod-level-resources",
    # Gate: the rule yields nothing when this does not hold: it reads only the pods' pod-level resources.
    gates=("pod-resources",),
    pods_only=True,
    title="Accelerator is set in pod-level resources",
    severity=Severity.ERROR,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "api-rejects"),
    remediation="Move the device count to resources.limits of the container that uses it.",
    references=(POD_LEVEL_RESOURCES, _refs.VALIDATION),
)
def gpu_pod_level_resources(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports accelerators and other extended resources in a pod's pod-level `spec.resources.limits` or
    `spec.resources.requests` (the PodLevelResources feature), in every workload kind.

    ## Why is this bad?
    Pod-level resources support only `cpu`, `memory` and `hugepages-<size>`: the API server rejects other
    names with `Unsupported value: "nvidia.com/gpu": supported values: "cpu", "hugepages-", "memory"`
    (`validatePodResourceName`), and where the feature gate is off the whole field is dropped, so the pod
    silently runs without the device. Devices are allocated per container by the device plugin.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: train
    spec:
      resources:
        limits:
          cpu: "8"
          memory: 64Gi
          nvidia.com/gpu: 1
      containers:
        - name: train
          image: nvcr.io/nvidia/pytorch:24.05-py3
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: train
    spec:
      resources:
        limits:
          cpu: "8"
          memory: 64Gi
      containers:
        - name: train
          image: nvcr.io/nvidia/pytorch:24.05-py3
          resources:
            limits:
              nvidia.com/gpu: 1
    ```
    """
    table = accelerators(ctx)
    for pod in iter_pod_specs(resource, ctx.workloads):
        for section in ("limits", "requests"):
            values = get_map(pod.spec, ("resources", section)) or {}
            for name, raw in values.items():
                if not isinstance(name, str) or is_placeholder(name):
                    continue
                if table.lookup(name) is None and not is_extended(name):
                    continue
                yield Violation(
                    (*pod.path, "resources", section, name),
                    f"pod-level spec.resources.{section} of {pod.where} sets {name} to {quantity_text(raw)}; pod-level "
                    "resources accept only cpu, memory and hugepages, so the API rejects it (or drops the field "
                    "where pod-level resources are disabled)",
                )


RULE = gpu_pod_level_resources
