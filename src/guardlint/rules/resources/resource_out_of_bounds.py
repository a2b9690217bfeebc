"""resource-out-of-bounds: a request or limit lies outside the team's bounds."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated, Any, NamedTuple

from guardlint.findings import Severity
from guardlint.model.quantity import quantity_text, quantity_value
from guardlint.model.resource import Resource
from guardlint.model.workloads import iter_containers, iter_pod_specs
from guardlint.rules.api import RuleContext, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.references import MANAGE_RESOURCES
from guardlint.rules.resources._common import RESOURCE_CONTAINERS

QUANTITY_PATTERN = r"^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$"

QUANTITY_VALUES = {"type": ["string", "number"], "pattern": QUANTITY_PATTERN, "minimum": 0}
"""A bound: a non-negative quantity, as a string or a number."""

DEFAULT_MIN = {"cpu": "10m", "memory": "16Mi"}


class Params(NamedTuple):
    min: Annotated[Mapping[str, Any], param(
        "Smallest allowed quantity per resource name (for example `cpu: 10m`, `memory: 32Gi`); applies to every "
        "request and limit of that resource.",
        values=QUANTITY_VALUES,
        keys={"minLength": 1},
    )] = DEFAULT_MIN
    max: Annotated[Mapping[str, Any], param(
        "Largest allowed quantity per resource name (for example `cpu: 10m`, `memory: 32Gi`); applies to every "
        "request and limit of that resource.",
        values=QUANTITY_VALUES,
        keys={"minLength": 1},
    )] = {}


@rule(
    code="RES008",
    name="resource-out-of-bounds",
    pods_only=True,
    title="Resource request or limit is outside the allowed bounds",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("resources",),
    remediation="Bring the request or limit within the bounds set in the rule's min and max parameters.",
    references=(MANAGE_RESOURCES,),
    params=Params,
    enabled_by_default=False,
)
def resource_out_of_bounds(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports container, init container and sidecar requests and limits below the `min` or above the `max`
    quantity configured for their resource name. Off by default; the default bounds only catch typo-sized
    requests (`min: {cpu: 10m, memory: 16Mi}`, no `max`): set the team's own bounds, for example
    `max: {memory: 32Gi, cpu: "8"}`.

    ## Why is this bad?
    Teams size nodes and quotas for a range of pod sizes: a 1m CPU request is a typo that schedules a busy
    container anywhere, and a 64Gi memory limit cannot fit on the node pool at all or starves its neighbours
    (Kubernetes documentation, "Resource Management for Pods and Containers"; a ResourceQuota or LimitRange
    would reject it at apply time, later than a linter).

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: worker
    spec:
      selector:
        matchLabels: {app: worker}
      template:
        metadata:
          labels: {app: worker}
        spec:
          containers:
            - name: worker
              image: example.com/worker:5.0.1
              resources:
                requests: {cpu: 1m, memory: 1Gi}
                limits: {memory: 2Gi}
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: worker
    spec:
      selector:
        matchLabels: {app: worker}
      template:
        metadata:
          labels: {app: worker}
        spec:
          containers:
            - name: worker
              image: example.com/worker:5.0.1
              resources:
                requests: {cpu: 250m, memory: 1Gi}
                limits: {memory: 2Gi}
    ```
    """
    lows = {k: (quantity_value(v), v) for k, v in params.min.items()}
    highs = {k: (quantity_value(v), v) for k, v in params.max.items()}
    if not lows and not highs:
        return
    for pod in iter_pod_specs(resource, ctx.workloads):
        for c in iter_containers(pod, RESOURCE_CONTAINERS):
            for section, word in (("requests", "request"), ("limits", "limit")):
                values = c.get(("resources", section))
                if not isinstance(values, dict):
                    continue
                for name, raw in values.items():
                    value = quantity_value(raw)
                    if value is None:
                        continue
                    low, low_raw = lows.get(name, (None, None))
                    high, high_raw = highs.get(name, (None, None))
                    path = (*c.path, "resources", section, name)
                    if low is not None and value < low:
                        yield Violation(path, f"{c.describe()} has a {name} {word} of {quantity_text(raw)}, below the "
                                        f"minimum of {quantity_text(low_raw)}")
                    elif high is not None and value > high:
                        yield Violation(path, f"{c.describe()} has a {name} {word} of {quantity_text(raw)}, above the "
                                        f"maximum of {quantity_text(high_raw)}")


RULE = resource_out_of_bounds
