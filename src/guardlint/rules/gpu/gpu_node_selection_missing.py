"""gpu-node-selection-missing: a GPU pod does not select a GPU model or node pool."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import (
    DEFAULT_GPU_NODE_LABELS,
    PodFacts,
    gpu_facts,
    gpu_selector_paths,
)
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    node_labels: Annotated[tuple[str, ...], param(
        "Node label keys (globs) that select a GPU model or GPU node pool.",
    )] = DEFAULT_GPU_NODE_LABELS


def _requests_mig_profile(pod: PodFacts) -> bool:
    """A MIG profile resource (``nvidia.com/mig-1g.12gb``) exists only on nodes whose GPU model offers that
    profile: requesting one already selects the GPU model."""
    for _, use in pod.used:  # the other containers request no accelerator
        for name, (amount, _, acc) in use.items():
            if amount > 0 and (acc.kind == "mig" or name.startswith("nvidia.com/mig-")):
                return True
    return False


@rule(
    code="GPU045",
    name="gpu-node-selection-missing",
    # Gate: the rule yields nothing when this does not hold: a finding needs a pod that uses an accelerator
    # (``uses_accelerator``), whose name has a domain.
    gates=("extended-resources",),
    pods_only=True,
    title="GPU pod does not select a GPU model",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "scheduling", "cluster-specific"),
    remediation="Select the GPU model with a nodeSelector or required node affinity, for example "
    "nvidia.com/gpu.product or cloud.google.com/gke-accelerator.",
    references=(_refs.SCHEDULE_GPUS,),
    params=Params,
    enabled_by_default=False,
)
def gpu_node_selection_missing(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Off by default: enable it on clusters with several GPU models. Reports pods that request an accelerator
    without a `nodeSelector` or required node affinity on a GPU node label (`nvidia.com/gpu.product`,
    `cloud.google.com/gke-accelerator`, `karpenter.k8s.aws/instance-gpu-name`, ...; parameter
    `node-labels`). A pod that requests a MIG profile resource (`nvidia.com/mig-1g.12gb`) is not reported:
    only nodes whose GPU model offers that profile advertise it, so the request already selects the model.

    ## Why is this bad?
    The scheduler treats every `nvidia.com/gpu` as equal. On a cluster with different GPU models, a pod that
    does not pick one lands on whichever node has a free device: a model that needs 80 GB of GPU memory may
    get a 16 GB card and fail at load time. The Kubernetes "Schedule GPUs" page recommends node labels and
    node selectors for clusters with different types of GPUs.

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
      nodeSelector:
        nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3
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
        if not pod_facts.uses_accelerator or gpu_selector_paths(pod, params.node_labels):
            continue
        if _requests_mig_profile(pod_facts):
            continue
        yield Violation(
            (*pod.path, "nodeSelector"),
            f"{pod.where} requests an accelerator but selects no GPU model or GPU node pool",
        )


RULE = gpu_node_selection_missing
