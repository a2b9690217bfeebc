"""gpu-mig-mixed-with-full-gpu: one container requests both whole NVIDIA GPUs and MIG slices."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.quantity import format_quantity
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import gpu_facts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="GPU041",
    name="gpu-mig-mixed-with-full-gpu",
    # Gate: the rule yields nothing when this does not hold: it reads only ``gpu_facts(...).sites``, which are empty
    # unless an init or app container names a resource with a domain or the object is an operator kind.
    gates=("extended-resources",),
    title="Container requests whole GPUs and MIG slices together",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "mig", "scheduling"),
    remediation="Request either whole GPUs (nvidia.com/gpu) or one MIG profile in a container, not both.",
    references=(
        _refs.DEVICE_PLUGIN,
        Reference("NVIDIA: MIG support in Kubernetes (single and mixed strategies)",
                  "https://docs.nvidia.com/datacenter/cloud-native/kubernetes/latest/index.html"),
        _refs.MIG_GUIDE,
    ),
)
def gpu_mig_mixed_with_full_gpu(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports containers (and operator resource fields) that request both whole NVIDIA GPUs
    (`nvidia.com/gpu`) and MIG devices (`nvidia.com/mig-<profile>`, `.shared` replicas included).

    ## Why is this bad?
    The NVIDIA device plugin advertises MIG devices in one of two ways. With the `single` strategy every GPU
    of the node is partitioned the same way and the slices are advertised as `nvidia.com/gpu`, so no
    `nvidia.com/mig-*` resource exists. With the `mixed` strategy each profile is advertised as
    `nvidia.com/mig-<profile>` and only GPUs with MIG disabled remain `nvidia.com/gpu`. A container that asks
    for both can only run on a mixed-strategy node that has MIG-enabled and MIG-disabled GPUs at the same
    time, which is rare, so the pod usually stays Pending; and a CUDA process enumerates a MIG device as a
    separate device with its own memory and compute slice, so the combination is almost always a copied
    resources block rather than a design.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: infer
    spec:
      containers:
        - name: server
          image: nvcr.io/nvidia/tritonserver:24.05-py3
          resources:
            limits:
              nvidia.com/gpu: 1
              nvidia.com/mig-1g.10gb: 1
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: infer
    spec:
      containers:
        - name: server
          image: nvcr.io/nvidia/tritonserver:24.05-py3
          resources:
            limits:
              nvidia.com/mig-1g.10gb: 1
    ```
    """
    # The sites ``iter_sites`` yields, computed once per run for every rule of the pack (none when no container
    # names a resource with a domain, as in most objects).
    for site_facts in gpu_facts(resource, ctx).sites:
        site = site_facts.site
        use = site_facts.use  # site_accelerators of the site, computed once per run
        whole = [(n, a) for n, (a, _, acc) in use.items() if acc.vendor == "NVIDIA" and acc.kind == "gpu" and a > 0]
        if not whole:
            continue
        for name, (amount, value, acc) in use.items():
            if acc.vendor == "NVIDIA" and name.startswith("nvidia.com/mig-") and amount > 0:
                gpu_name, gpu_amount = whole[0]
                yield Violation(
                    value.path,
                    f"{site.label} requests {format_quantity(amount)} {name} together with "
                    f"{format_quantity(gpu_amount)} "
                    f"{gpu_name}: only a node with the mixed MIG strategy and both MIG and non-MIG GPUs can "
                    "run it",
                )


RULE = gpu_mig_mixed_with_full_gpu
