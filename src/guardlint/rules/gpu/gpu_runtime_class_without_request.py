"""gpu-runtime-class-without-request: a pod runs with a GPU runtime class but requests no GPU."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_str
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import (
    SYSTEM_IMAGES,
    SYSTEM_IMAGES_PARAM,
    SYSTEM_KINDS,
    SYSTEM_KINDS_PARAM,
    SYSTEM_NAMESPACES,
    SYSTEM_NAMESPACES_PARAM,
    gpu_facts,
    is_system_component,
    pod_claims_devices,
)
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    runtime_classes: Annotated[tuple[str, ...], param(
        "RuntimeClass names that run the GPU vendor's container runtime hook.",
    )] = ("nvidia", "nvidia-cdi", "nvidia-legacy")
    system_kinds: Annotated[tuple[str, ...], SYSTEM_KINDS_PARAM] = SYSTEM_KINDS
    system_namespaces: Annotated[tuple[str, ...], SYSTEM_NAMESPACES_PARAM] = SYSTEM_NAMESPACES
    system_images: Annotated[tuple[str, ...], SYSTEM_IMAGES_PARAM] = SYSTEM_IMAGES


@rule(
    code="GPU024",
    name="gpu-runtime-class-without-request",
    # Gate: the rule yields nothing when this does not hold: a finding is on a pod's runtimeClassName.
    gates=("runtime-class",),
    pods_only=True,
    title="Pod runs with a GPU runtime class but requests no GPU",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "isolation"),
    remediation="Request the GPUs the pod uses in resources.limits, or remove runtimeClassName when the pod "
    "needs no GPU.",
    references=(_refs.DEVICE_PLUGIN, _refs.GPU_OPERATOR_CDI, _refs.TOOLKIT_ENV, _refs.RUNTIME_CLASS),
    params=Params,
)
def gpu_runtime_class_without_request(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports pods whose `runtimeClassName` is a GPU runtime class (`nvidia`, `nvidia-cdi`, `nvidia-legacy`,
    the classes the NVIDIA GPU Operator creates; parameter `runtime-classes`) while no container requests an
    accelerator and the pod claims no device through Dynamic Resource Allocation. The GPU vendors' own system
    DaemonSets are exempt.

    ## Why is this bad?
    The runtime class makes the NVIDIA container runtime hook run for the pod, but no device was allocated.
    CUDA base images set `NVIDIA_VISIBLE_DEVICES=all`, and the hook honours that variable by default, so
    the containers see every GPU of the node (the device plugin README: if you don't request GPUs when using
    the device plugin with NVIDIA images, all the GPUs on the machine will be exposed inside your container).
    The pod then shares GPUs that the scheduler allocated to other pods.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: smi
    spec:
      runtimeClassName: nvidia
      containers:
        - name: smi
          image: nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04
          command: [nvidia-smi]
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: smi
    spec:
      runtimeClassName: nvidia
      containers:
        - name: smi
          image: nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04
          command: [nvidia-smi]
          resources:
            limits:
              nvidia.com/gpu: 1
    ```
    """
    for pod_facts in gpu_facts(resource, ctx).pods:
        pod = pod_facts.pod
        runtime_class = get_str(pod.spec, ("runtimeClassName",))
        if runtime_class is None or runtime_class not in params.runtime_classes:
            continue
        if pod_facts.uses_accelerator or pod_claims_devices(pod) or is_system_component(pod, params):
            continue
        yield Violation(
            (*pod.path, "runtimeClassName"),
            f"{pod.where} runs with the GPU runtime class {runtime_class!r} but no container requests a GPU: CUDA "
            "images then see every GPU of the node",
            at_value=True,
        )


RULE = gpu_runtime_class_without_request
