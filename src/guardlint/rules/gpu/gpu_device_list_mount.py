"""gpu-device-list-mount: a container mounts a volume at the NVIDIA device-list path."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_str, iter_maps
from guardlint.model.workloads import iter_containers
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
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
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated

DEVICE_LIST_DIRS = ("/var/run/nvidia-container-devices", "/run/nvidia-container-devices")


class Params(NamedTuple):
    system_kinds: Annotated[tuple[str, ...], SYSTEM_KINDS_PARAM] = SYSTEM_KINDS
    system_namespaces: Annotated[tuple[str, ...], SYSTEM_NAMESPACES_PARAM] = SYSTEM_NAMESPACES
    system_images: Annotated[tuple[str, ...], SYSTEM_IMAGES_PARAM] = SYSTEM_IMAGES


def _device_list_path(raw: str) -> bool:
    """An absolute mount path at or below a directory where the NVIDIA runtime reads its device list."""
    if not raw.startswith("/"):
        return False
    path = posixpath.normpath(raw)
    return any(path == d or path.startswith(d + "/") for d in DEVICE_LIST_DIRS)


@rule(
    code="GPU023",
    name="gpu-device-list-mount",
    # Gate: the rule yields nothing when this does not hold: a finding is on a mount at or below a directory named
    # nvidia-container-devices.
    gates=("device-list-mount",),
    pods_only=True,
    title="Container mounts a volume at the NVIDIA device-list path",
    severity=Severity.ERROR,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "isolation"),
    remediation="Remove the volume mount; request GPUs through resources.limits and let the device plugin "
    "write the device list.",
    references=(
        _refs.DEVICE_PLUGIN,
        Reference("NVIDIA/k8s-device-plugin#342: mounting the device-list path grants GPUs",
                  "https://github.com/NVIDIA/k8s-device-plugin/issues/342"),
    ),
    params=Params,
)
def gpu_device_list_mount(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports `volumeMounts` whose `mountPath` is `/var/run/nvidia-container-devices` (or `/run/...`) or a path
    below it, in every container of every workload kind. The GPU vendors' own system DaemonSets are exempt.

    ## Why is this bad?
    With the NVIDIA device plugin's `volume-mounts` device-list strategy (the hardened alternative to the
    `NVIDIA_VISIBLE_DEVICES` variable), the plugin tells the container runtime which GPUs to inject by
    mounting entries under `/var/run/nvidia-container-devices`, and the runtime hook reads the device list
    from the mount destinations. A workload that mounts its own volume there chooses its own GPUs, outside
    the scheduler's allocation (NVIDIA/k8s-device-plugin#342).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: grab
    spec:
      containers:
        - name: cuda
          image: nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04
          volumeMounts:
            - name: devices
              mountPath: /var/run/nvidia-container-devices/all
      volumes:
        - name: devices
          emptyDir: {}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: grab
    spec:
      containers:
        - name: cuda
          image: nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04
          resources:
            limits:
              nvidia.com/gpu: 1
    ```
    """
    facts = gpu_facts(resource, ctx)
    if not any(_device_list_path(raw) for raw in facts.mount_paths):
        return  # a finding needs a mount at the device-list path (``mount_paths`` holds every mount path)
    for pod_facts in facts.pods:
        pod = pod_facts.pod
        system: bool | None = None
        for c in iter_containers(pod):
            for i, mount in iter_maps(c.data, ("volumeMounts",)):
                raw = get_str(mount, ("mountPath",))
                if not raw or not _device_list_path(raw):
                    continue
                if system is None:
                    system = is_system_component(pod, params)
                if system:
                    break
                yield Violation(
                    (*c.path, "volumeMounts", i, "mountPath"),
                    f"{c.describe()} mounts a volume at {raw!r}, where the NVIDIA runtime reads the list of GPUs to "
                    "inject, so it picks GPUs outside the scheduler's allocation",
                )


RULE = gpu_device_list_mount
