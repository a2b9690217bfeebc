"""gpu-fractional-quantity: a GPU or other extended resource quantity is not a whole number."""

from __future__ import annotations

import math
from collections.abc import Iterator

from guardlint.model.quantity import quantity_text
from guardlint.model.resourcenames import is_extended
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import gpu_facts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="GPU003",
    name="gpu-fractional-quantity",
    # Gate: the rule yields nothing when this does not hold: it reads only ``gpu_facts(...).sites``, which are empty
    # unless an init or app container names a resource with a domain or the object is an operator kind.
    gates=("extended-resources",),
    title="GPU or other extended resource quantity is not a whole number",
    severity=Severity.ERROR,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "api-rejects"),
    remediation="Request whole devices. To share a GPU, use a MIG profile, time-slicing or MPS "
    "(nvidia.com/gpu.shared) or a Dynamic Resource Allocation claim.",
    references=(_refs.SCHEDULE_GPUS, _refs.VALIDATION, _refs.DEVICE_PLUGIN),
)
def gpu_fractional_quantity(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports requests and limits of extended resources (`nvidia.com/gpu`, `amd.com/gpu`, `google.com/tpu`,
    MIG profiles, ...) whose quantity is not a whole number: `0.5`, `500m`, `1.5`, `1e-3`. Whole values in
    any notation pass (`1000m`, `1.5Ki` = 1536). Operator fields such as a SparkApplication's `gpu.quantity`
    and a DynamoGraphDeployment's `resources.limits.gpu` are checked too.

    ## Why is this bad?
    Extended resources are integer resources: the API server rejects a non-integer quantity with
    `must be an integer` (`ValidateResourceQuantityValue`). The Kubernetes "Schedule GPUs" page: it is not
    possible to request a fraction of a GPU. Sharing a device is done by the device plugin (MIG,
    time-slicing, MPS) or by Dynamic Resource Allocation, never with fractional counts.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: notebook
    spec:
      selector:
        matchLabels: {app: notebook}
      template:
        metadata:
          labels: {app: notebook}
        spec:
          containers:
            - name: jupyter
              image: quay.io/jupyter/pytorch-notebook:cuda12-2024-10-14
              resources:
                limits:
                  nvidia.com/gpu: 0.5
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: notebook
    spec:
      selector:
        matchLabels: {app: notebook}
      template:
        metadata:
          labels: {app: notebook}
        spec:
          containers:
            - name: jupyter
              image: quay.io/jupyter/pytorch-notebook:cuda12-2024-10-14
              resources:
                limits:
                  nvidia.com/mig-1g.5gb: 1
    ```
    """
    # The sites ``iter_sites`` yields, computed once per run for every rule of the pack (none when no container
    # names a resource with a domain, as in most objects).
    for site_facts in gpu_facts(resource, ctx).sites:
        site = site_facts.site
        for v, value in site_facts.valued():  # each value with its quantity, parsed once per run
            if not is_extended(v.name):
                continue
            # The API's test: MilliValue() (the value in thousandths, rounded up) is a multiple of 1000.
            if value is None or value < 0 or math.ceil(value * 1000) % 1000 == 0:
                continue
            when = "when the operator creates its pods" if site.operator_created else "at apply"
            yield Violation(
                v.path,
                f"{site.label} sets {v.section} {v.name} to {quantity_text(v.raw)}, which is not a whole number; "
                "extended "
                f"resources are counted in whole devices and the API rejects it {when} (must be an integer)",
            )


RULE = gpu_fractional_quantity
