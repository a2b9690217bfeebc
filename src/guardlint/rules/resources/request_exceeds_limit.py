"""request-exceeds-limit: a resource request is greater than its limit (the API rejects it)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.paths import FieldPath
from guardlint.model.quantity import QuantityMemo, quantity_text, remembered_value, run_quantities
from guardlint.model.workloads import iter_containers, iter_pod_specs
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import MANAGE_RESOURCES, POD_LEVEL_RESOURCES
from guardlint.rules.resources._common import RESOURCE_CONTAINERS, same_quantity_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _check(resources: Any, path: FieldPath, who: str, memo: QuantityMemo) -> Iterator[Violation]:
    if not isinstance(resources, Mapping):
        return
    requests, limits = resources.get("requests"), resources.get("limits")
    if not isinstance(requests, Mapping) or not isinstance(limits, Mapping):
        return
    for name, raw_request in requests.items():
        raw_limit = limits.get(name)
        if raw_limit is None or same_quantity_text(raw_request, raw_limit):
            continue  # a request written as its limit is equal to it: neither above it nor different
        request, limit = remembered_value(raw_request, memo), remembered_value(raw_limit, memo)
        if request is None or limit is None:
            continue
        where = (*path, "resources", "requests", name)
        if request > limit:
            yield Violation(
                where,
                f"{who} requests {quantity_text(raw_request)} {name}, more than its limit of "
                f"{quantity_text(raw_limit)}; "
                "the API rejects a request above the limit",
            )
        elif str(name).startswith("hugepages-") and request != limit:
            yield Violation(
                where,
                f"{who} requests {quantity_text(raw_request)} {name} but limits it to {quantity_text(raw_limit)}; "
                "huge pages cannot be overcommitted and the API rejects a request that differs from the limit",
            )


@rule(
    code="RES006",
    name="request-exceeds-limit",
    # Gate: the rule yields nothing when this does not hold: a finding compares a request with the limit of
    # the same name, which the pod's or the container's `resources.limits` must then hold.
    gates=("limits",),
    pods_only=True,
    title="Resource request is greater than its limit",
    severity=Severity.ERROR,
    pack="resources",
    since="0.1.0",
    tags=("resources", "api-rejects"),
    remediation="Lower the request or raise the limit so that the request is at most the limit.",
    references=(MANAGE_RESOURCES, POD_LEVEL_RESOURCES),
)
def request_exceeds_limit(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports containers, init containers, sidecars and pod-level `spec.resources` whose request for a
    resource (cpu, memory, ephemeral-storage, hugepages-*, extended resources) is greater than the limit
    for the same resource, and huge-page requests that differ from their limit. Quantities are compared
    exactly, so `1000m` equals `1` and `1Gi` equals `1024Mi`.

    ## Why is this bad?
    The API server validates that every request is at most its limit (and equals it for resources that
    cannot be overcommitted, such as huge pages): the object is rejected with `must be less than or equal to
    cpu limit`, and a GitOps sync fails (Kubernetes documentation, "Resource Management for Pods and
    Containers").

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
            - name: api
              image: example.com/api:3.2.0
              resources:
                requests: {cpu: "2", memory: 512Mi}
                limits: {cpu: 1500m, memory: 512Mi}
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
            - name: api
              image: example.com/api:3.2.0
              resources:
                requests: {cpu: 1500m, memory: 512Mi}
                limits: {cpu: "2", memory: 512Mi}
    ```
    """
    memo = run_quantities(ctx.index)  # the run's parsed quantities
    for pod in iter_pod_specs(resource, ctx.workloads):
        yield from _check(pod.spec.get("resources"), pod.path, "the pod", memo)
        for c in iter_containers(pod, RESOURCE_CONTAINERS):
            yield from _check(c.data.get("resources"), c.path, c.describe(), memo)


RULE = request_exceeds_limit
