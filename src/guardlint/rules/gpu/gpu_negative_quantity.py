"""gpu-negative-quantity: a GPU or other extended resource quantity is negative."""

from __future__ import annotations

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
    code="GPU004",
    name="gpu-negative-quantity",
    # Gate: the rule yields nothing when this does not hold: it reads only ``gpu_facts(...).sites``, which are empty
    # unless an init or app container names a resource with a domain or the object is an operator kind.
    gates=("extended-resources",),
    title="GPU or other extended resource quantity is negative",
    severity=Severity.ERROR,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "api-rejects"),
    remediation="Set a positive device count, or remove the resource when the container needs no device.",
    references=(_refs.VALIDATION, _refs.SCHEDULE_GPUS),
)
def gpu_negative_quantity(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports requests and limits of extended resources (`nvidia.com/gpu`, `google.com/tpu`, ...) with a
    negative quantity, in containers of every workload kind and in operator resource fields.

    ## Why is this bad?
    The API server rejects negative quantities with `must be greater than or equal to 0`
    (`ValidateResourceQuantityValue`). A negative count usually comes from template arithmetic gone wrong;
    for a custom resource it surfaces only when the operator's pods are rejected.

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
              nvidia.com/gpu: -1
    ```

    ## Use instead
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
    """
    # The sites ``iter_sites`` yields, computed once per run for every rule of the pack (none when no container
    # names a resource with a domain, as in most objects).
    for site_facts in gpu_facts(resource, ctx).sites:
        site = site_facts.site
        for v, value in site_facts.valued():  # each value with its quantity, parsed once per run
            if not is_extended(v.name):
                continue
            if value is None or value >= 0:
                continue
            when = "when the operator creates its pods" if site.operator_created else "at apply"
            yield Violation(
                v.path,
                f"{site.label} sets {v.section} {v.name} to {quantity_text(v.raw)}; the API rejects negative "
                "quantities "
                f"{when} (must be greater than or equal to 0)",
            )


RULE = gpu_negative_quantity
