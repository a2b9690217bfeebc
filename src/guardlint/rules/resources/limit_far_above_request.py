"""limit-far-above-request: a container's limit is many times its request."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.quantity import (
    QuantityMemo,
    exact_ratio,
    format_ratio,
    quantity_text,
    remembered_value,
    run_quantities,
)
from guardlint.model.workloads import iter_containers, iter_pod_specs
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.references import MANAGE_RESOURCES
from guardlint.rules.resources._common import RESOURCE_CONTAINERS, same_quantity_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    cpu_ratio: Annotated[float, param(
        "Largest allowed cpu limit / request ratio; 0 turns the cpu check off.",
        minimum=0,
    )] = 10.0
    memory_ratio: Annotated[float, param(
        "Largest allowed memory limit / request ratio; 0 turns the memory check off.",
        minimum=0,
    )] = 4.0
    ephemeral_storage_ratio: Annotated[float, param(
        "Largest allowed ephemeral-storage limit / request ratio; 0 turns the ephemeral-storage check off.",
        minimum=0,
    )] = 0.0


@rule(
    code="RES007",
    name="limit-far-above-request",
    # Gate: the rule yields nothing when this does not hold: a finding is on a container's limit.
    gates=("limits",),
    pods_only=True,
    title="Resource limit is far above the request",
    severity=Severity.INFO,
    pack="resources",
    since="0.1.0",
    tags=("resources", "scheduling"),
    remediation="Raise the request towards the real usage, or lower the limit, so that the limit is at most the "
    "configured multiple of the request.",
    references=(MANAGE_RESOURCES,),
    params=Params,
)
def limit_far_above_request(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports containers, init containers and sidecars whose limit for cpu, memory or ephemeral-storage is more
    than the configured multiple (`cpu-ratio`, `memory-ratio`, `ephemeral-storage-ratio`; 0 turns a check
    off) of the request. A container that sets a limit and no request is not reported (the request defaults
    to the limit), and neither is one that sets no limit.

    ## Why is this bad?
    The scheduler reserves only the request; the limit is a promise the node may not keep. A memory limit far
    above the request lets pods overcommit their node, so under load several of them grow at once and the
    node runs out of memory, triggering OOM kills and evictions of unrelated pods (Kubernetes documentation,
    "Resource Management for Pods and Containers", and "Node-pressure Eviction").

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: cache
    spec:
      containers:
        - name: cache
          image: redis:7.4
          resources:
            requests: {cpu: 100m, memory: 256Mi}
            limits: {cpu: 500m, memory: 4Gi}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: cache
    spec:
      containers:
        - name: cache
          image: redis:7.4
          resources:
            requests: {cpu: 100m, memory: 1Gi}
            limits: {cpu: 500m, memory: 2Gi}
    ```
    """
    checks: list[tuple[str, int, int]] | None = None
    memo: QuantityMemo | None = None  # the run's parsed quantities, asked for at the first comparison
    for pod in iter_pod_specs(resource, ctx.workloads):
        for c in iter_containers(pod, RESOURCE_CONTAINERS):
            resources = c.data.get("resources")
            if not isinstance(resources, dict):
                continue
            requests, limits = resources.get("requests"), resources.get("limits")
            if not isinstance(requests, dict) or not isinstance(limits, dict):
                continue  # a ratio needs both a request and a limit
            if checks is None:
                checks = _allowed_ratios(params)
            for name, most, per in checks:  # the allowed ratio is most / per (per > 0)
                raw_request, raw_limit = requests.get(name), limits.get(name)
                if raw_request is None or raw_limit is None:
                    continue  # a missing (or null) quantity does not parse: nothing to compare
                if most >= per and same_quantity_text(raw_request, raw_limit):
                    continue  # a limit written as its request is a ratio of 1
                if memo is None:
                    memo = run_quantities(ctx.index)
                request = remembered_value(raw_request, memo)
                if request is None or request <= 0:
                    continue
                limit = remembered_value(raw_limit, memo)
                if limit is None:
                    continue
                # limit / request > most / per, in integers (nano-units; request and per are positive)
                if limit.nanos * per > most * request.nanos:
                    yield Violation(
                        (*c.path, "resources", "limits", name),
                        f"{c.describe()} limits {name} to {quantity_text(raw_limit)}, "
                        f"{format_ratio(limit.nanos, request.nanos)} times its request of {quantity_text(raw_request)} "
                        f"(at most {format_ratio(most, per)} allowed)",
                    )


def _allowed_ratios(params: Params) -> list[tuple[str, int, int]]:
    """(resource name, numerator, denominator) of the largest allowed ratio of each check that is on, exact
    (``exact_ratio``): 0 turns a check off, and an infinite (or NaN) ratio never triggers. Read once per object,
    when a container sets both requests and limits."""
    checks: list[tuple[str, int, int]] = []
    for name, max_ratio in (("cpu", params.cpu_ratio), ("memory", params.memory_ratio),
                            ("ephemeral-storage", params.ephemeral_storage_ratio)):
        allowed = exact_ratio(max_ratio)
        if allowed is not None and allowed[0] != 0:
            checks.append((name, *allowed))
    return checks


RULE = limit_far_above_request
