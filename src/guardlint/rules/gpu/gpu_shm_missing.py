"""gpu-shm-missing: a multi-process GPU container has no memory-backed /dev/shm."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_bool, get_list, get_str
from guardlint.model.quantity import ZERO, format_quantity
from guardlint.model.workloads import ContainerKind, ContainerRef
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import (
    gpu_facts,
    is_shared_use,
    operator_completed,
)
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated

RAY_GROUP = "ray.io"
MULTI_PROCESS_KINDS = frozenset({"gpu", "mig", "gaudi"})


class Params(NamedTuple):
    min_devices: Annotated[int, param(
        "Accelerators in one container from which it is treated as multi-process (one process per device, NCCL "
        "between them), whatever the workload kind.",
        minimum=1,
    )] = 2
    training_kinds: Annotated[tuple[str, ...], param(
        "Kinds of distributed training jobs, whose GPU containers need shared memory from the first device "
        "(data-loader workers, NCCL).",
    )] = (
        "PyTorchJob", "TFJob", "MPIJob", "PaddleJob", "JAXJob", "TrainingRuntime", "ClusterTrainingRuntime",
    )


def _has_shm(c: ContainerRef) -> bool:
    for mount in get_list(c.data, ("volumeMounts",)) or []:
        path = get_str(mount, ("mountPath",))
        if path and path.startswith("/") and posixpath.normpath(path) == "/dev/shm":
            return True
    return False


@rule(
    code="GPU060",
    name="gpu-shm-missing",
    # Gate: the rule yields nothing when this does not hold: it reads only the containers that name an accelerator
    # (``used``), and an accelerator's name has a domain.
    gates=("extended-resources",),
    pods_only=True,
    title="Multi-process GPU container has no shared-memory volume",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "kind-aware", "training"),
    remediation="Mount an emptyDir with medium: Memory (and a sizeLimit) at /dev/shm in the container.",
    references=(_refs.EMPTYDIR_MEMORY, _refs.PYTORCH_SHM),
    params=Params,
)
def gpu_shm_missing(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports GPU containers that run several processes sharing memory and mount nothing at `/dev/shm`: a
    container with `min-devices` (default 2) or more whole GPUs, MIG devices or Gaudi cards (one process per
    device), or any accelerator container of a distributed training kind (PyTorchJob, TFJob, MPIJob,
    PaddleJob, JAXJob, Kubeflow training runtimes; parameter `training-kinds`). Not reported: pods with
    `hostIPC: true` (they use the node's `/dev/shm`), the Ray container of KubeRay pods (KubeRay mounts a
    memory-backed `/dev/shm` into it), KServe InferenceServices and LLMInferenceServices (their serving
    runtimes and presets provide `/dev/shm`), and shares of a GPU (HAMi, time-slicing).

    ## Why is this bad?
    Container runtimes give a container a 64 MiB `/dev/shm`. Multi-GPU and distributed training exchange
    data through shared memory: PyTorch's DataLoader workers fail with `ERROR: Unexpected bus error
    encountered in worker. This might be caused by insufficient shared memory (shm)`, and NCCL's shared
    memory transport fails on `ncclShmOpen`. PyTorch's own documentation tells container users to raise the
    shared memory size; in Kubernetes that is an `emptyDir` with `medium: Memory` mounted at `/dev/shm`.

    ## Example
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: finetune
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: train
              image: nvcr.io/nvidia/pytorch:24.05-py3
              command: [torchrun, --nproc-per-node=8, train.py]
              resources:
                limits:
                  nvidia.com/gpu: 8
    ```

    ## Use instead
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: finetune
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: train
              image: nvcr.io/nvidia/pytorch:24.05-py3
              command: [torchrun, --nproc-per-node=8, train.py]
              resources:
                limits:
                  nvidia.com/gpu: 8
              volumeMounts:
                - name: dshm
                  mountPath: /dev/shm
          volumes:
            - name: dshm
              emptyDir:
                medium: Memory
                sizeLimit: 64Gi
    ```
    """
    if operator_completed(resource):
        return
    training = resource.kind in params.training_kinds
    for pod_facts in gpu_facts(resource, ctx).pods:
        if not pod_facts.used or get_bool(pod_facts.pod.spec, ("hostIPC",)) is True:
            continue
        # Only the containers that name an accelerator: any other has no devices and is no finding.
        for c, use in pod_facts.used:
            if c.kind is ContainerKind.INIT and not c.is_sidecar:
                continue
            if resource.group == RAY_GROUP and c.kind is ContainerKind.CONTAINER and c.index == 0:
                continue
            devices = {n: a for n, (a, _, acc) in use.items() if a > 0 and acc.kind != "other"}
            if not devices:
                continue
            if not training:
                # One process per device is the GPU pattern (torchrun, vLLM and TGI tensor parallelism, NCCL);
                # TPU and Neuron runtimes drive all local chips from one process. Shares of a GPU (HAMi,
                # time-slicing) are not devices.
                if is_shared_use(use):
                    continue

                gpus = sum((a for n, a in devices.items() if use[n][2].kind in MULTI_PROCESS_KINDS), ZERO)
                if gpus < params.min_devices:
                    continue
            if _has_shm(c):
                continue
            what = ", ".join(f"{format_quantity(a)} {n}" for n, a in devices.items())
            reason = f"a {resource.kind} training container" if training else "several processes, one per device,"
            yield Violation(
                (*c.path, "volumeMounts"),
                f"{c.describe()} uses {what} but mounts nothing at /dev/shm: as {reason} it shares memory between "
                "processes, and the runtime's default 64 MiB /dev/shm makes data-loader workers and NCCL fail",
            )


RULE = gpu_shm_missing
