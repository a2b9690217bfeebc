"""gpu-zero-quantity: a container requests zero accelerators."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.quantity import quantity_text
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import accelerators, gpu_facts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="GPU005",
    name="gpu-zero-quantity",
    # Gate: the rule yields nothing when this does not hold: it reads only ``gpu_facts(...).sites``, which are empty
    # unless an init or app container names a resource with a domain or the object is an operator kind.
    gates=("extended-resources",),
    title="Container requests zero accelerators",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "isolation"),
    remediation="Remove the accelerator resource from containers that need no device; if the image is a CUDA "
    "image and the container must not see GPUs, also set NVIDIA_VISIBLE_DEVICES to void.",
    references=(
        _refs.DEVICE_PLUGIN,
        Reference("NVIDIA/k8s-device-plugin#61: pods requesting 0 GPUs see all GPUs",
                  "https://github.com/NVIDIA/k8s-device-plugin/issues/61"),
    ),
)
def gpu_zero_quantity(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports containers and operator resource fields that set an accelerator resource of the registry
    (`nvidia.com/gpu`, a MIG profile, `amd.com/gpu`, `google.com/tpu`, ...) to `0`.

    ## Why is this bad?
    A zero count allocates no device, so the device plugin never tells the container runtime which GPUs the
    container may use. CUDA base images set `NVIDIA_VISIBLE_DEVICES=all`, and with the NVIDIA device plugin's
    default `envvar` device-list strategy the runtime then exposes every GPU of the node: the device plugin
    README warns that if you don't request GPUs when using the device plugin with NVIDIA images, all the GPUs
    on the machine will be exposed inside your container (NVIDIA/k8s-device-plugin#61 reports exactly this
    for `nvidia.com/gpu: 0`). A literal zero is also dead configuration that reads like a GPU workload.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: api
    spec:
      containers:
        - name: api
          image: nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04
          resources:
            limits:
              nvidia.com/gpu: 0
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: api
    spec:
      containers:
        - name: api
          image: nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04
          env:
            - name: NVIDIA_VISIBLE_DEVICES
              value: void
    ```
    """
    table = accelerators(ctx)
    # The sites ``iter_sites`` yields, computed once per run for every rule of the pack (none when no container
    # names a resource with a domain, as in most objects).
    for site_facts in gpu_facts(resource, ctx).sites:
        site = site_facts.site
        for name in site.names():
            v = site.get("limits", name) or site.get("requests", name)
            if v is None or site_facts.amount(v) != 0:  # the quantity, parsed once per run
                continue
            acc = table.lookup(name)
            if acc is None:
                continue
            why = (
                "allocates no device, and CUDA images then see every GPU of the node through "
                "NVIDIA_VISIBLE_DEVICES=all"
                if acc.vendor in ("NVIDIA", "HAMi")
                else "allocates no device, so the entry is a mistake or dead configuration"
            )
            yield Violation(v.path, f"{site.label} sets {v.section} {name} to {quantity_text(v.raw)}; "
                            f"a zero count {why}")


RULE = gpu_zero_quantity
