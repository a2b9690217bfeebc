"""gpu-toleration-missing: a GPU pod does not tolerate the taint of the cluster's GPU nodes."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_list, get_str
from guardlint.model.workloads import PodSpecRef
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import (
    DEFAULT_GPU_TAINT_KEYS,
    accelerators,
    gpu_facts,
)
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    taints: Annotated[tuple[str, ...], param(
        "Taints of the cluster's accelerator nodes, as key or key=value. A taint whose key is a resource name "
        "(nvidia.com/gpu) is required only of pods requesting that resource; other taints (for example sku=gpu) of "
        "every accelerator pod.",
    )] = DEFAULT_GPU_TAINT_KEYS


def _tolerates(pod: PodSpecRef, key: str, value: str | None) -> bool:
    for tol in get_list(pod.spec, ("tolerations",)) or []:
        if not isinstance(tol, dict):
            continue
        t_key = get_str(tol, ("key",)) or ""
        op = get_str(tol, ("operator",)) or "Equal"
        if not t_key and op == "Exists":
            return True
        if t_key != key:
            continue
        if op == "Exists" or value is None or get_str(tol, ("value",)) == value:
            return True
    return False


@rule(
    code="GPU044",
    name="gpu-toleration-missing",
    # Gate: the rule yields nothing when this does not hold: a finding needs a container that asks for an accelerator
    # (``used``), whose name has a domain.
    gates=("extended-resources",),
    pods_only=True,
    title="GPU pod does not tolerate the GPU node taint",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "scheduling", "cluster-specific"),
    remediation="Add a toleration for the GPU node taint, for example {key: nvidia.com/gpu, operator: Exists, "
    "effect: NoSchedule}.",
    references=(
        _refs.TAINTS,
        Reference("Azure/AKS#1449: ExtendedResourceToleration is not enabled on AKS",
                  "https://github.com/Azure/AKS/issues/1449"),
    ),
    params=Params,
    enabled_by_default=False,
)
def gpu_toleration_missing(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Off by default: enable it on clusters whose GPU nodes are tainted and whose API server does not run the
    ExtendedResourceToleration admission plugin. Reports pods that request an accelerator but do not
    tolerate the accelerator node taint: for a taint keyed by a resource name (`nvidia.com/gpu`,
    `google.com/tpu`, ...; parameter `taints`) when the pod requests that resource, and for any other
    configured taint (for example AKS's `sku=gpu`) when the pod requests any accelerator.

    ## Why is this bad?
    Dedicated GPU node pools are tainted so that only GPU pods run there (the Kubernetes taints
    documentation's "special hardware" use case). Where the ExtendedResourceToleration admission plugin runs
    (GKE, for example), it adds the toleration to pods that request the device; where it does not (AKS,
    many self-managed clusters), a GPU pod without the toleration can run nowhere and stays Pending.

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
      tolerations:
        - key: nvidia.com/gpu
          operator: Exists
          effect: NoSchedule
      containers:
        - name: train
          image: nvcr.io/nvidia/pytorch:24.05-py3
          resources:
            limits:
              nvidia.com/gpu: 1
    ```
    """
    table = accelerators(ctx)
    for pod_facts in gpu_facts(resource, ctx).pods:
        pod = pod_facts.pod
        requested: set[str] = set()
        for _, use in pod_facts.used:  # the other containers request no accelerator
            requested.update(n for n, (a, _, _) in use.items() if a > 0)
        if not requested:
            continue
        for taint in params.taints:
            key, sep, value = taint.partition("=")
            if table.lookup(key) is not None and key not in requested:
                continue
            if _tolerates(pod, key, value if sep else None):
                continue
            yield Violation(
                (*pod.path, "tolerations"),
                f"{pod.where} requests {', '.join(sorted(requested))} but does not tolerate the accelerator node "
                f"taint {taint!r}: without the ExtendedResourceToleration admission plugin it fits no node that "
                "has the device",
            )
            break


RULE = gpu_toleration_missing
