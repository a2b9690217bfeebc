"""gpu-device-hostpath: a hostPath volume mounts the node's accelerator device files."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_list, get_str
from guardlint.model.glob import glob_any
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import (
    GPU_RUNTIME_CLASSES,
    SYSTEM_IMAGES,
    SYSTEM_IMAGES_PARAM,
    SYSTEM_KINDS,
    SYSTEM_KINDS_PARAM,
    SYSTEM_NAMESPACES,
    SYSTEM_NAMESPACES_PARAM,
    PodFacts,
    gpu_facts,
    is_system_component,
    pod_claims_devices,
)
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    device_paths: Annotated[tuple[str, ...], param(
        "Host paths (globs) of accelerator device files: NVIDIA (/dev/nvidia*), AMD (/dev/kfd, /dev/dri), Intel "
        "(/dev/dri, /dev/accel), AWS Neuron (/dev/neuron*), Gaudi (/dev/accel, /dev/hl*) and VFIO passthrough "
        "(/dev/vfio). The whole /dev is reported in pods that use accelerators.",
    )] = (
        "/dev/nvidia*", "/dev/dri", "/dev/dri/*", "/dev/kfd", "/dev/accel", "/dev/accel/*",
        "/dev/neuron*", "/dev/vfio", "/dev/vfio/*", "/dev/hl*", "/dev/nvidia-caps", "/dev/nvidia-caps/*",
    )
    system_kinds: Annotated[tuple[str, ...], SYSTEM_KINDS_PARAM] = SYSTEM_KINDS
    system_namespaces: Annotated[tuple[str, ...], SYSTEM_NAMESPACES_PARAM] = SYSTEM_NAMESPACES
    system_images: Annotated[tuple[str, ...], SYSTEM_IMAGES_PARAM] = SYSTEM_IMAGES


def _gpu_related(pod_facts: PodFacts) -> bool:
    """The pod requests an accelerator, claims devices or runs with a GPU runtime class."""
    pod = pod_facts.pod
    runtime_class = get_str(pod.spec, ("runtimeClassName",))
    return (
        pod_facts.uses_accelerator or pod_claims_devices(pod)
        or (runtime_class is not None and runtime_class in GPU_RUNTIME_CLASSES)
    )


@rule(
    code="GPU022",
    name="gpu-device-hostpath",
    # Gate: the rule yields nothing when this does not hold: a finding is on a hostPath volume of a pod.
    gates=("host-path",),
    pods_only=True,
    title="HostPath volume mounts the node's accelerator device files",
    severity=Severity.ERROR,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "isolation"),
    remediation="Remove the hostPath volume and request the device through resources.limits "
    "(for example nvidia.com/gpu: 1); the device plugin mounts exactly the allocated devices.",
    references=(
        _refs.DEVICE_PLUGIN,
        Reference("Kubernetes: Device plugins", "https://kubernetes.io/docs/concepts/extend-kubernetes/compute-storage-net/device-plugins/"),
        _refs.PSS_HOSTPATH,
    ),
    params=Params,
)
def gpu_device_hostpath(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports `hostPath` volumes of an accelerator device file or directory: `/dev/nvidia*`, `/dev/dri`,
    `/dev/kfd`, `/dev/accel`, `/dev/neuron*`, `/dev/vfio`, `/dev/hl*` (parameter `device-paths`), and of the
    whole `/dev` in pods that request accelerators, claim devices or run with a GPU runtime class (node
    agents that mount `/dev` for other reasons are left to the security pack's hostPath rule).
    The GPU vendors' own system DaemonSets are exempt (parameters `system-kinds`,
    `system-namespaces`, `system-images`).

    ## Why is this bad?
    Device plugins are how Kubernetes hands out accelerators: the kubelet asks the plugin to allocate
    devices to a container and mounts exactly those device files, so the scheduler can account for them. A
    hostPath of the device files goes around that: the scheduler does not count the devices, and as soon as
    the container can open them (privileged, or on a runtime that does not restrict device access) it uses
    GPUs that are allocated to other pods. Otherwise the mount is useless. hostPath volumes are also
    forbidden by the Pod Security Standards baseline.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: cuda
    spec:
      containers:
        - name: cuda
          image: nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04
          volumeMounts:
            - name: dev
              mountPath: /dev/nvidia0
      volumes:
        - name: dev
          hostPath:
            path: /dev/nvidia0
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: cuda
    spec:
      containers:
        - name: cuda
          image: nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04
          resources:
            limits:
              nvidia.com/gpu: 1
    ```
    """
    for pod_facts in gpu_facts(resource, ctx).pods:
        pod = pod_facts.pod
        hits = []
        for i, vol in enumerate(get_list(pod.spec, ("volumes",)) or []):
            raw = get_str(vol, ("hostPath", "path"))
            if not raw:
                continue
            path = posixpath.normpath(raw) if raw.startswith("/") else raw
            whole_dev = path == "/dev"
            if whole_dev or glob_any(path, params.device_paths):
                hits.append((i, raw, get_str(vol, ("name",)) or f"#{i}", whole_dev))
        if any(h[3] for h in hits) and not _gpu_related(pod_facts):
            hits = [h for h in hits if not h[3]]
        if not hits or is_system_component(pod, params):
            continue
        for i, raw, name, _ in hits:
            yield Violation(
                (*pod.path, "volumes", i, "hostPath", "path"),
                f"volume {name!r} mounts the node's device files {raw!r} from the host, outside the device "
                "plugin's allocation: the scheduler does not count these devices",
            )


RULE = gpu_device_hostpath
