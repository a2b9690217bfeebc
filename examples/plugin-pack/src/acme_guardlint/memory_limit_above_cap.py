"""memory-limit-above-cap: a container may use more memory than Acme's nodes can give one container."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, NamedTuple

from guardlint.plugin import (
    PREVIEW,
    Resource,
    RuleContext,
    Severity,
    Violation,
    iter_all_containers,
    param,
    quantity_value,
    rule,
)


class Params(NamedTuple):
    cap: Annotated[str, param("The largest memory limit a container may have (a quantity).", min_length=1)] = "64Gi"


@rule(
    code="ACME002",
    name="memory-limit-above-cap",
    title="Container memory limit is above the cap",
    severity=Severity.ERROR,
    pack="acme",
    status=PREVIEW,
    since="1.1.0",
    remediation="Lower resources.limits.memory to at most the cap, or split the work over more pods.",
    params=Params,
)
def memory_limit_above_cap(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports containers whose `resources.limits.memory` is above the cap (64Gi unless configured), comparing
    quantities exactly (`65536Mi` is `64Gi`).

    ## Why is this bad?
    Acme's largest node pool gives a container at most 64Gi; a pod asking for more never schedules.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: big
    spec:
      containers:
        - name: big
          image: python:3.12
          resources:
            limits: {memory: 100Gi}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: big
    spec:
      containers:
        - name: big
          image: python:3.12
          resources:
            limits: {memory: 48Gi}
    ```
    """
    cap = quantity_value(params.cap)
    if cap is None:
        return
    for c in iter_all_containers(resource, ctx.workloads):
        raw = c.get(("resources", "limits", "memory"))
        value = quantity_value(raw)
        if value is not None and value > cap:
            yield Violation(
                (*c.path, "resources", "limits", "memory"),
                f"{c.describe()} has a memory limit of {raw}, above the cap of {params.cap}",
                at_value=True,
            )


RULE = memory_limit_above_cap
