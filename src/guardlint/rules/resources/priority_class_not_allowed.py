"""priority-class-not-allowed: a pod sets no priority class, or one outside the allowed list (opt-in)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.workloads import iter_pod_specs
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.resources._common import is_partial_object

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    allowed_classes: Annotated[tuple[str, ...], param(
        "PriorityClass names pods may use; empty: any name, but one must be set.",
        unique_items=True,
        items={"minLength": 1},
    )] = ()


@rule(
    code="RES046",
    name="priority-class-not-allowed",
    pods_only=True,
    title="Pod priority class is missing or not allowed",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("scheduling",),
    remediation="Set spec.priorityClassName on the pod template to one of the allowed PriorityClasses.",
    references=(
        Reference("Kubernetes: Pod Priority and Preemption",
                  "https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/"),
    ),
    params=Params,
    enabled_by_default=False,
)
def priority_class_not_allowed(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports pod templates of every workload kind that set no `priorityClassName`, or, when
    `allowed-classes` lists names, one that is not among them. Off by default.

    ## Why is this bad?
    Priority decides who is preempted when the cluster is full. Pods without a class get the default
    priority (usually 0) and are evicted before anything that has one; a critical service without a class,
    or a batch job that borrowed `system-cluster-critical`, turns capacity pressure into an outage of the
    wrong thing (Kubernetes documentation, "Pod Priority and Preemption").

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: payments
    spec:
      selector:
        matchLabels: {app: payments}
      template:
        metadata:
          labels: {app: payments}
        spec:
          containers:
            - name: payments
              image: example.com/payments:7.3.0
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: payments
    spec:
      selector:
        matchLabels: {app: payments}
      template:
        metadata:
          labels: {app: payments}
        spec:
          priorityClassName: business-critical
          containers:
            - name: payments
              image: example.com/payments:7.3.0
    ```
    """
    if is_partial_object(resource, ctx):
        return
    allowed = set(params.allowed_classes)
    for pod in iter_pod_specs(resource, ctx.workloads):
        value = pod.spec.get("priorityClassName")
        path = (*pod.path, "priorityClassName")
        if not value:
            yield Violation(path, f"{resource.describe()} sets no priorityClassName")
        elif allowed and value not in allowed:
            yield Violation(path, f"{resource.describe()} uses priority class {value!r}, which is not allowed "
                            f"(allowed: {', '.join(sorted(allowed))})", at_value=True)


RULE = priority_class_not_allowed
