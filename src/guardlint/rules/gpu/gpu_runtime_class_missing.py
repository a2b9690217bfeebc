"""gpu-runtime-class-missing: a GPU pod does not use the runtime class that injects GPUs."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_str
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import PodFacts, gpu_facts
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    runtime_classes: Annotated[tuple[str, ...], param(
        "RuntimeClass names that inject GPUs on this cluster; GPU pods must use one of them.",
    )] = ("nvidia",)


def _uses_nvidia(pod: PodFacts) -> bool:
    return any(
        amount > 0 and name.startswith("nvidia.com/")
        for _, use in pod.used  # the other containers request no accelerator
        for name, (amount, _, _) in use.items()
    )


@rule(
    code="GPU046",
    name="gpu-runtime-class-missing",
    # Gate: the rule yields nothing when this does not hold: a finding needs a container that asks for an nvidia.com/
    # resource (``used``).
    gates=("extended-resources",),
    pods_only=True,
    title="GPU pod does not use the GPU runtime class",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "cluster-specific"),
    remediation="Set spec.runtimeClassName to the cluster's GPU runtime class (for example nvidia).",
    references=(_refs.DEVICE_PLUGIN, _refs.GPU_OPERATOR_CDI, _refs.RUNTIME_CLASS),
    params=Params,
    enabled_by_default=False,
)
def gpu_runtime_class_missing(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Off by default: enable it on clusters where the NVIDIA container runtime is not the node's default
    runtime. Reports pods that request an NVIDIA GPU resource but whose `runtimeClassName` is not one of the
    parameter `runtime-classes` (default `nvidia`).

    ## Why is this bad?
    The device plugin only tells the kubelet which devices a container gets; on nodes where the NVIDIA
    runtime is not the default, the driver libraries and device files are injected only for containers run
    by the `nvidia` runtime handler. The NVIDIA device plugin README describes creating a RuntimeClass named
    `nvidia` for this case, and the GPU Operator creates `nvidia`, `nvidia-cdi` and `nvidia-legacy`. Without
    it the pod is scheduled onto a GPU but CUDA finds no device.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: train
    spec:
      containers:
        - name: train
          image: nvcr.io/nvidia/pytorch:24.05-py3
          resources:
            limits:
              nvidia.com/gpu: 1
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: train
    spec:
      runtimeClassName: nvidia
      containers:
        - name: train
          image: nvcr.io/nvidia/pytorch:24.05-py3
          resources:
            limits:
              nvidia.com/gpu: 1
    ```
    """
    for pod_facts in gpu_facts(resource, ctx).pods:
        pod = pod_facts.pod
        runtime_class = get_str(pod.spec, ("runtimeClassName",))
        if runtime_class in params.runtime_classes or not _uses_nvidia(pod_facts):
            continue
        # The parameter's default is not a fact about the cluster: say which of the two the message names.
        origin = "the default" if params.runtime_classes == Params().runtime_classes else "the value"
        what = f"runs with runtime class {runtime_class!r}" if runtime_class else "sets no runtimeClassName"
        yield Violation(
            (*pod.path, "runtimeClassName"),
            f"{pod.where} requests an NVIDIA GPU but {what}; runtime classes that inject GPUs: "
            f"{', '.join(params.runtime_classes)} ({origin} of the parameter runtime-classes)",
        )


RULE = gpu_runtime_class_missing
