"""gpu-cpu-memory-requests-missing: a GPU container requests no CPU or memory."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get
from guardlint.model.limitrange import limitrange_supplies
from guardlint.model.quantity import format_quantity
from guardlint.model.requirements import iter_flat_sites
from guardlint.model.workloads import ContainerKind
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu import _refs
from guardlint.rules.gpu._support import accelerators, gpu_facts, operator_completed

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="GPU061",
    name="gpu-cpu-memory-requests-missing",
    # Gate: the rule yields nothing when this does not hold: a finding needs a container that names an accelerator
    # (``used``: a resource with a domain) or an operator site (operator kinds only).
    gates=("extended-resources",),
    title="GPU container requests no CPU or memory",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.1.0",
    tags=("gpu", "kind-aware", "reliability"),
    remediation="Set resources.requests.cpu and resources.requests.memory on the GPU container (and a memory "
    "limit equal to the request for a Guaranteed memory reservation).",
    references=(_refs.QOS, _refs.SCHEDULE_GPUS),
    enabled_by_default=False,
)
def gpu_cpu_memory_requests_missing(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports containers, native sidecars and operator resource fields that request an accelerator but neither
    request nor limit `cpu` or `memory` (a limit counts, because the API defaults the request to it). A pod-level
    `spec.resources` value, or a LimitRange among the linted objects that defaults the request in the same
    namespace, counts as set. KServe InferenceServices and LLMInferenceServices are not reported: KServe's
    defaulting webhook gives InferenceService containers CPU and memory requests and limits, and
    LLMInferenceService containers are merged with the LLMInferenceServiceConfig presets.

    Off by default: for containers in pod templates, `missing-cpu-request` and `missing-memory-request` (on by
    default) already report the same fields, and one problem should give one finding. Turn this rule on (or
    `--select gpu`) for the GPU-specific explanation and for operator resource fields those rules do not read
    (TrainJob `resourcesPerNode`, NIMService, DynamoGraphDeployment). A SparkApplication's driver and executors
    always get CPU and memory requests from Spark (`cores`, `memory` and their defaults).

    ## Why is this bad?
    GPUs do not take part in a pod's QoS class: with only a GPU limit the pod is BestEffort (or Burstable),
    so under node memory pressure the kubelet evicts it among the first, killing a job that may have run for
    hours. The scheduler also reserves no CPU or memory for it, so it can land on a GPU node whose CPUs and
    memory are already taken by other pods and starve its data pipeline.

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
      containers:
        - name: train
          image: nvcr.io/nvidia/pytorch:24.05-py3
          resources:
            requests:
              cpu: "8"
              memory: 64Gi
            limits:
              memory: 64Gi
              nvidia.com/gpu: 1
    ```
    """
    if operator_completed(resource):
        return
    table = accelerators(ctx)
    defaults: dict[str, bool] = {}

    def defaulted(name: str) -> bool:
        if name not in defaults:
            defaults[name] = limitrange_supplies(ctx.index, resource, name, "requests")
        return defaults[name]

    for pod_facts in gpu_facts(resource, ctx).pods:
        pod = pod_facts.pod
        for c, accelerator_use in pod_facts.used:  # the other containers request no accelerator
            if c.kind is ContainerKind.INIT and not c.is_sidecar:
                continue  # runs to completion before the app starts: it does not decide what gets evicted
            use = [(n, a) for n, (a, _, _) in accelerator_use.items() if a > 0]
            if not use:
                continue
            missing = [
                r for r in ("cpu", "memory")
                if c.get(("resources", "requests", r)) is None and c.get(("resources", "limits", r)) is None
                and get(pod.spec, ("resources", "requests", r)) is None
                and get(pod.spec, ("resources", "limits", r)) is None
                and not defaulted(r)
            ]
            if missing:
                name, amount = use[0]
                yield Violation(
                    (*c.path, "resources", "requests"),
                    f"{c.describe()} requests {format_quantity(amount)} {name} but no {' and no '.join(missing)}: "
                    "the pod "
                    "gets no reservation for them and a low QoS class, so it is evicted first under memory pressure",
                )
    for site in iter_flat_sites(resource):
        if not site.core_resources:
            continue
        if not any(table.lookup(v.name) is not None and (v.value or 0) > 0 for v in site.values):
            continue
        missing = [r for r in ("cpu", "memory") if site.get("requests", r) is None and site.get("limits", r) is None]
        if missing:
            yield Violation(
                (*site.path, "requests"),
                f"{site.label} requests an accelerator but no {' and no '.join(missing)}: the pods get no reservation "
                "for them and a low QoS class, so they are evicted first under memory pressure",
            )


RULE = gpu_cpu_memory_requests_missing
