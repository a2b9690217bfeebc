"""gpu-request-limit-mismatch: an extended resource's request differs from its limit."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.quantity import quantity_text
from guardlint.model.resourcenames import is_extended
from guardlint.rules.api import Fix, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import gpu_facts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="GPU002",
    fixable="safe",
    name="gpu-request-limit-mismatch",
    # Gate: the rule yields nothing when this does not hold: it reads only ``gpu_facts(...).sites``, which are empty
    # unless an init or app container names a resource with a domain or the object is an operator kind.
    gates=("extended-resources",),
    title="GPU or other extended resource request differs from its limit",
    severity=Severity.ERROR,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "api-rejects"),
    remediation="Set only resources.limits for the device (the request defaults to it), or make the request "
    "equal to the limit.",
    references=(_refs.SCHEDULE_GPUS, _refs.VALIDATION),
)
def gpu_request_limit_mismatch(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports containers and operator resource fields that set both a request and a limit for an extended
    resource (`nvidia.com/gpu`, `google.com/tpu`, `vpc.amazonaws.com/efa`, ...) with different values. The
    values are compared as quantities, so `1`, `"1"` and `1000m` are equal.

    ## Why is this bad?
    Extended resources cannot be overcommitted: the API server rejects a request that differs from the limit
    with `must be equal to <resource> limit` (`validateResourceRequirements`). The Kubernetes "Schedule GPUs"
    page: you can specify GPU limits and requests, but these two values must be equal. For a custom resource
    (PyTorchJob, RayCluster, ...) the error appears only when the operator creates the pods.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: infer
    spec:
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.3
          resources:
            requests:
              nvidia.com/gpu: 1
            limits:
              nvidia.com/gpu: 2
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
          image: vllm/vllm-openai:v0.6.3
          resources:
            limits:
              nvidia.com/gpu: 2
    ```
    """
    # The sites ``iter_sites`` yields, computed once per run for every rule of the pack (none when no container
    # names a resource with a domain, as in most objects).
    for site_facts in gpu_facts(resource, ctx).sites:
        site = site_facts.site
        if not site.core_resources:
            continue
        for req in site.values:
            if req.section != "requests" or not is_extended(req.name):
                continue
            lim = site.get("limits", req.name)
            if lim is None:
                continue
            rv, lv = site_facts.amount(req), site_facts.amount(lim)  # parsed once per run
            if rv is None or lv is None or rv == lv:
                continue
            when = "when the operator creates its pods" if site.operator_created else "at apply"
            fix = None
            if 0 <= lv < 2**63 and lv.denominator == 1:
                # Only a limit the API accepts is copied: extended resources take whole, non-negative numbers
                # (and a device count beyond int64 is no count: its digits are not copied either).
                fix = Fix(str(lv.numerator), f"set the {req.name} request to the limit, {quantity_text(lim.raw)}",
                          safety="safe")
            yield Violation(
                req.path,
                f"{site.label} requests {quantity_text(req.raw)} {req.name} but its limit is "
                f"{quantity_text(lim.raw)}; extended "
                f"resources cannot be overcommitted and the API rejects a request that differs from the limit {when}",
                fix=fix,
            )


RULE = gpu_request_limit_mismatch
