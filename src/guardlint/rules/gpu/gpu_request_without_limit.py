"""gpu-request-without-limit: an extended resource (a GPU) is requested without a limit."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.quantity import quantity_text
from guardlint.model.resourcenames import is_extended
from guardlint.rules.api import FixEdit, Resource, RuleContext, Severity, Violation, rule, structural_fix
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import accelerators, gpu_facts
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Literal


class Params(NamedTuple):
    scope: Annotated[Literal["extended", "accelerators"], param(
        "Which names to check: every extended resource (as the API does), or only the names of the accelerator "
        "registry.",
    )] = "extended"


@rule(
    code="GPU001",
    fixable="safe",
    name="gpu-request-without-limit",
    # Gate: the rule yields nothing when this does not hold: it reads only ``gpu_facts(...).sites``, which are empty
    # unless an init or app container names a resource with a domain or the object is an operator kind.
    gates=("extended-resources",),
    title="GPU or other extended resource is requested without a limit",
    severity=Severity.ERROR,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "api-rejects"),
    remediation="Set the device count in resources.limits (the request defaults to it) and remove the request, "
    "or set the same value in both.",
    references=(_refs.SCHEDULE_GPUS, _refs.EXTENDED_RESOURCES, _refs.VALIDATION),
    params=Params,
)
def gpu_request_without_limit(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports containers (of every workload kind, CRD pod templates included) and operator resource fields such
    as a TrainJob's `spec.trainer.resourcesPerNode` that set `resources.requests` for an extended resource
    (`nvidia.com/gpu`, `amd.com/gpu`, `google.com/tpu`, ...) without a `resources.limits` value for it.

    ## Why is this bad?
    Extended resources cannot be overcommitted, so the API server requires a limit for them:
    `validateResourceRequirements` rejects the object with `Limit must be set for non overcommitable
    resources`. The Kubernetes "Schedule GPUs" page states it directly: GPUs are only supposed to be specified
    in the `limits` section; you cannot specify GPU requests without specifying limits. A Deployment or Job
    is rejected at `kubectl apply`; a custom resource (PyTorchJob, RayCluster, LeaderWorkerSet, ...) is
    accepted, and then every pod its operator creates is rejected, so the job never starts.

    ## Example
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: train
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: train
              image: nvcr.io/nvidia/pytorch:24.05-py3
              resources:
                requests:
                  nvidia.com/gpu: 1
    ```

    ## Use instead
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: train
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: train
              image: nvcr.io/nvidia/pytorch:24.05-py3
              resources:
                limits:
                  nvidia.com/gpu: 1
    ```
    """
    table = accelerators(ctx) if params.scope == "accelerators" else None
    # The sites ``iter_sites`` yields, computed once per run for every rule of the pack (none when no container
    # names a resource with a domain, as in most objects).
    for site_facts in gpu_facts(resource, ctx).sites:
        site = site_facts.site
        if not site.core_resources:
            continue
        for v in site.values:
            if v.section != "requests" or site.get("limits", v.name) is not None:
                continue
            if not is_extended(v.name) or (table is not None and table.lookup(v.name) is None):
                continue
            when = "when the operator creates its pods" if site.operator_created else "at apply"
            limit = (*v.path[:-2], "limits", v.path[-1])
            yield Violation(
                v.path,
                f"{site.label} requests {quantity_text(v.raw)} {v.name} without a limit; the API requires a limit for "
                f"extended resources and rejects it {when} (Limit must be set for non overcommitable resources)",
                fix=structural_fix(f"set the {v.name} limit to the request, {quantity_text(v.raw)}",
                                   FixEdit("set", limit, v.raw), safety="safe")
                if v.path[-2:-1] == ("requests",) and isinstance(v.raw, (int, str)) else None,
            )


RULE = gpu_request_without_limit
