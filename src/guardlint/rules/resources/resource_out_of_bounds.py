"""resource-out-of-bounds: a request or limit lies outside the team's bounds."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint._record import NamedTuple
from guardlint.model.quantity import Amount, quantity_amount, quantity_text, remembered_value, run_quantities
from guardlint.model.workloads import iter_containers, iter_pod_specs
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.references import MANAGE_RESOURCES
from guardlint.rules.resources._common import RESOURCE_CONTAINERS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Any

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
    bounds: dict[str, _Bounds] | None = None  # read from the parameters at the first resources section
    for pod in iter_pod_specs(resource, ctx.workloads):
        for c in iter_containers(pod, RESOURCE_CONTAINERS):
            resources = c.data.get("resources")
            if not isinstance(resources, dict):
                continue
            for section, word in (("requests", "request"), ("limits", "limit")):
                values = resources.get(section)
                if not isinstance(values, dict):
                    continue
                if bounds is None:
                    bounds = _bounds(params)
                    if not bounds:
                        return
                    memo = run_quantities(ctx.index)  # the run's parsed quantities
                for name, raw in values.items():
                    bound = bounds.get(name)
                    if bound is None:
                        continue  # no bound for this resource: its value need not be read
                    value = remembered_value(raw, memo)
                    if value is None:
                        continue
                    path = (*c.path, "resources", section, name)
                    if bound.low is not None and value < bound.low:
                        yield Violation(path, f"{c.describe()} has a {name} {word} of {quantity_text(raw)}, below the "
                                        f"minimum of {quantity_text(bound.low_raw)}")
                    elif bound.high is not None and value > bound.high:
                        yield Violation(path, f"{c.describe()} has a {name} {word} of {quantity_text(raw)}, above the "
                                        f"maximum of {quantity_text(bound.high_raw)}")


class _Bounds(NamedTuple):
    low: Amount | None
    low_raw: Any
    high: Amount | None
    high_raw: Any


def _bounds(params: Params) -> dict[str, _Bounds]:
    """The bounds of each resource name that has one (a bound that does not parse bounds nothing)."""
    out: dict[str, _Bounds] = {}
    for name in {**params.min, **params.max}:
        low_raw, high_raw = params.min.get(name), params.max.get(name)
        low, high = quantity_amount(low_raw), quantity_amount(high_raw)
        if low is not None or high is not None:
            out[name] = _Bounds(low, low_raw, high, high_raw)
    return out

RULE = resource_out_of_bounds
