"""gpu-visible-devices-without-request: a container that can see a node's accelerators picks some through a
framework's visible-devices variable without requesting any."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_bool, get_list, get_str, iter_maps
from guardlint.model.glob import glob_any
from guardlint.model.paths import to_dotted
from guardlint.model.workloads import ContainerKind, ContainerRef, PodSpecRef, iter_containers
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import (
    DEFAULT_GPU_NODE_LABELS,
    DEFAULT_GPU_TAINT_KEYS,
    GPU_RUNTIME_CLASSES,
    SYSTEM_IMAGES,
    SYSTEM_IMAGES_PARAM,
    SYSTEM_KINDS,
    SYSTEM_KINDS_PARAM,
    SYSTEM_NAMESPACES,
    SYSTEM_NAMESPACES_PARAM,
    accelerators,
    gpu_facts,
    gpu_selector_paths,
    gpu_toleration_paths,
    is_placeholder,
    is_system_component,
    uses_accelerator,
)
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Any

VARIABLES: tuple[str, ...] = (
    "CUDA_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES", "GPU_DEVICE_ORDINAL",
    "ZE_AFFINITY_MASK", "TPU_VISIBLE_CHIPS", "NEURON_RT_VISIBLE_CORES",
)
"""The frameworks' own device selection (CUDA, ROCm, HIP and OpenCL on ROCm, Intel Level Zero, libtpu, the
Neuron runtime). ``NVIDIA_VISIBLE_DEVICES`` and ``HABANA_VISIBLE_DEVICES`` select devices for the container
runtime instead and are ``gpu-visible-devices-env``'s."""

HIDING_VALUES = frozenset({"", "none", "void", "nodevfiles", "-1"})
"""Values that select no device: empty, and tokens that are no device index (CUDA and ROCm stop at the
first invalid entry, so ``-1`` or ``none`` hide every device)."""


DEVICE_PATHS: tuple[str, ...] = (
    "/dev", "/dev/nvidia*", "/dev/dri", "/dev/dri/*", "/dev/kfd", "/dev/accel", "/dev/accel/*", "/dev/neuron*",
    "/dev/vfio", "/dev/vfio/*", "/dev/hl*",
)
"""Host paths of accelerator device files (and the whole /dev) that a hostPath volume can expose."""


class Params(NamedTuple):
    variables: Annotated[tuple[str, ...], param(
        "Environment variables through which a framework selects among the devices it can see.",
    )] = VARIABLES
    device_paths: Annotated[tuple[str, ...], param(
        "Host paths (globs) of device files: a container that mounts one from a hostPath volume sees those "
        "devices.",
    )] = DEVICE_PATHS
    taint_keys: Annotated[tuple[str, ...], param(
        "Taints of accelerator nodes: a key, or key=value.",
    )] = (*DEFAULT_GPU_TAINT_KEYS, "sku=gpu")
    node_labels: Annotated[tuple[str, ...], param(
        "Node label keys (globs) that only accelerator nodes carry.",
    )] = DEFAULT_GPU_NODE_LABELS
    runtime_classes: Annotated[tuple[str, ...], param(
        "RuntimeClass names that run the GPU vendor's container runtime hook.",
    )] = GPU_RUNTIME_CLASSES
    system_kinds: Annotated[tuple[str, ...], SYSTEM_KINDS_PARAM] = SYSTEM_KINDS
    system_namespaces: Annotated[tuple[str, ...], SYSTEM_NAMESPACES_PARAM] = SYSTEM_NAMESPACES
    system_images: Annotated[tuple[str, ...], SYSTEM_IMAGES_PARAM] = SYSTEM_IMAGES


def selects_devices(value: Any) -> bool:
    """The value names devices: not empty, not a hiding token, not an unrendered template."""
    if value is None or is_placeholder(value):
        return False
    text = str(value).strip().lower()
    first = text.split(",", 1)[0].strip()
    return text not in HIDING_VALUES and first not in HIDING_VALUES


def _pod_exposure(pod: PodSpecRef, params: Params) -> str | None:
    """Why every container of the pod can see the node's devices (pod-wide settings), or None."""
    for field in ("hostIPC", "hostPID"):
        if get_bool(pod.spec, (field,)) is True:
            return f"the pod shares the host's {field[4:]} namespace ({to_dotted((*pod.path, field))})"
    runtime = get_str(pod.spec, ("runtimeClassName",))
    if runtime and runtime in params.runtime_classes:
        return f"it runs with the GPU runtime class {runtime!r}, which exposes the image's default devices"
    hits = gpu_toleration_paths(pod, params.taint_keys) + gpu_selector_paths(pod, params.node_labels)
    if hits:
        return f"the pod targets accelerator nodes ({hits[0][1]!r})"
    return None


def _container_exposure(c: ContainerRef, params: Params) -> str | None:
    """Why this container sees the node's devices on its own account: privileges, or a hostPath volume of
    device files that it mounts."""
    if get_bool(c.data, ("securityContext", "privileged")) is True:
        return f"it is privileged ({to_dotted((*c.path, 'securityContext', 'privileged'))})"
    mounted = {get_str(m, ("name",)) for m in get_list(c.data, ("volumeMounts",)) or () if isinstance(m, dict)}
    mounted.discard(None)
    if not mounted:
        return None
    for vol in get_list(c.pod.spec, ("volumes",)) or ():
        name, raw = get_str(vol, ("name",)), get_str(vol, ("hostPath", "path"))
        if name not in mounted or not raw or not raw.startswith("/"):
            continue
        path = posixpath.normpath(raw)
        if glob_any(path, params.device_paths):
            return f"it mounts the host's {raw!r} (volume {name!r})"
    return None


def _claims_devices(c: ContainerRef) -> bool:
    return bool(get_list(c.data, ("resources", "claims"))) or bool(get_list(c.pod.spec, ("resourceClaims",)))


@rule(
    code="GPU100",
    name="gpu-visible-devices-without-request",
    # Gate: the rule yields nothing when this does not hold: a finding needs a reason why the container sees the
    # node's devices (``_container_exposure``: privileged, a hostPath mount; ``_pod_exposure``: hostIPC, hostPID, a
    # runtime class, a toleration or node selection), each of which opens ``device-exposure``.
    gates=("device-exposure",),
    pods_only=True,
    title="Container selects accelerators through a visible-devices variable without requesting any",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.2.0",
    status="preview",
    tags=("gpu", "isolation"),
    remediation="Request the devices in resources.limits (for example nvidia.com/gpu: 1) and let the device "
    "plugin pick them, or drop the variable (set it to an empty value to hide every device).",
    references=(
        _refs.DEVICE_PLUGIN,
        _refs.DEVICE_PLUGIN_ISSUE_ENV,
        Reference("CUDA C Programming Guide: CUDA_VISIBLE_DEVICES",
                  "https://docs.nvidia.com/cuda/cuda-c-programming-guide/index.html#env-vars"),
        Reference("ROCm: GPU isolation techniques",
                  "https://rocm.docs.amd.com/en/latest/conceptual/gpu-isolation.html"),
    ),
    params=Params,
)
def gpu_visible_devices_without_request(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports a container that sets `CUDA_VISIBLE_DEVICES`, `ROCR_VISIBLE_DEVICES`, `HIP_VISIBLE_DEVICES`,
    `GPU_DEVICE_ORDINAL`, `ZE_AFFINITY_MASK`, `TPU_VISIBLE_CHIPS` or `NEURON_RT_VISIBLE_CORES` (parameter
    `variables`) to a value that names devices, requests no accelerator and claims no device through
    Dynamic Resource Allocation, when it can see the node's devices anyway: it is privileged, it mounts
    device files (`/dev`, `/dev/nvidia*`, `/dev/dri`, `/dev/kfd`, ...; parameter `device-paths`) from a
    hostPath volume, the pod shares the host's IPC or PID namespace (`hostIPC`, `hostPID`), runs with a GPU
    runtime class (`nvidia`, ...), or targets accelerator nodes (a GPU taint toleration, or a node selector
    or required node affinity on a label only accelerator nodes carry). Values that select nothing are
    fine: empty, `none`, `void`, `NoDevFiles` and `-1` (CUDA and ROCm stop at the first entry that is not a
    device, so these hide every device); `valueFrom` and unrendered values are not judged. The GPU vendors'
    system DaemonSets are exempt. `NVIDIA_VISIBLE_DEVICES` is `gpu-visible-devices-env`'s.

    ## Why is this bad?
    These variables choose among the devices a process can already open; they do not allocate anything. A
    container that requests no device sees none unless something else exposes them: privileges (every
    device node of the host), a node whose default NVIDIA runtime mounts the image's
    `NVIDIA_VISIBLE_DEVICES=all` (NVIDIA/k8s-device-plugin#87), or a GPU runtime class; a pod that shares
    the host's IPC or PID namespace is set up to work with the node's GPU processes (MPS, CUDA IPC), and
    selecting devices there is the same bypass. Then `CUDA_VISIBLE_DEVICES=0` runs
    the workload on a GPU the scheduler allocated to another pod: both slow down or run out of memory, and
    the node's accounting says the device is in use by someone else.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: embedder
    spec:
      selector:
        matchLabels: {app: embedder}
      template:
        metadata:
          labels: {app: embedder}
        spec:
          tolerations:
            - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
          containers:
            - name: embedder
              image: ghcr.io/example/embedder:1.2.0
              env:
                - name: CUDA_VISIBLE_DEVICES
                  value: "0"
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: embedder
    spec:
      selector:
        matchLabels: {app: embedder}
      template:
        metadata:
          labels: {app: embedder}
        spec:
          tolerations:
            - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
          containers:
            - name: embedder
              image: ghcr.io/example/embedder:1.2.0
              resources:
                limits:
                  nvidia.com/gpu: 1
    ```
    """
    wanted = frozenset(params.variables)
    facts = gpu_facts(resource, ctx)
    if wanted.isdisjoint(facts.env_names):
        return  # a finding needs one of the variables in a container's env (``env_names`` holds every name)
    table = None
    for pod_facts in facts.pods:
        pod = pod_facts.pod
        pod_reason: str | None = None
        pod_checked = False
        for c in iter_containers(pod, (ContainerKind.INIT, ContainerKind.CONTAINER)):
            hits = [(i, e) for i, e in iter_maps(c.data, ("env",))
                    if e.get("name") in wanted and "valueFrom" not in e and selects_devices(e.get("value"))]
            if not hits:
                continue
            if table is None:
                table = accelerators(ctx)
            if uses_accelerator(c, table) or _claims_devices(c):
                continue
            if is_system_component(pod, params):
                break
            reason = _container_exposure(c, params)
            if reason is None:
                if not pod_checked:
                    pod_reason, pod_checked = _pod_exposure(pod, params), True
                reason = pod_reason
            if reason is None:
                continue
            for i, entry in hits:
                yield Violation(
                    (*c.path, "env", i, "name"),
                    f"{c.describe()} sets {entry.get('name')}={str(entry.get('value')).strip()} but requests no "
                    f"accelerator, and {reason}: it uses devices the scheduler may have given to other pods",
                )


RULE = gpu_visible_devices_without_request
