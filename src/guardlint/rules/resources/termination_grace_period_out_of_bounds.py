"""termination-grace-period-out-of-bounds: terminationGracePeriodSeconds is outside the team's bounds (opt-in)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.workloads import iter_pod_specs
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    min_seconds: Annotated[int, param("Smallest allowed terminationGracePeriodSeconds.", minimum=0)] = 1
    max_seconds: Annotated[int, param("Largest allowed terminationGracePeriodSeconds.", minimum=0)] = 600


@rule(
    code="RES047",
    name="termination-grace-period-out-of-bounds",
    pods_only=True,
    title="Termination grace period is outside the allowed bounds",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("reliability",),
    remediation="Set spec.terminationGracePeriodSeconds within the configured bounds, long enough to drain "
    "in-flight work.",
    references=(
        Reference("Kubernetes: Termination of Pods",
                  "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination"),
    ),
    params=Params,
    enabled_by_default=False,
)
def termination_grace_period_out_of_bounds(
    resource: Resource, params: Params, ctx: RuleContext
) -> Iterator[Violation]:
    """## What it does
    Reports pod templates of every workload kind whose explicit `terminationGracePeriodSeconds` is below
    `min-seconds` (default 1) or above `max-seconds` (default 600). An unset value (30 seconds) is not
    reported. Off by default.

    ## Why is this bad?
    With 0 the kubelet kills the containers at once: in-flight requests fail, and for StatefulSets two pods
    with the same identity may run at the same time. A very long period makes node drains, rollouts and
    cluster upgrades wait that long for each pod (Kubernetes documentation, "Termination of Pods").

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: kafka
    spec:
      serviceName: kafka
      selector:
        matchLabels: {app: kafka}
      template:
        metadata:
          labels: {app: kafka}
        spec:
          terminationGracePeriodSeconds: 0
          containers:
            - name: kafka
              image: example.com/kafka:3.8.0
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: kafka
    spec:
      serviceName: kafka
      selector:
        matchLabels: {app: kafka}
      template:
        metadata:
          labels: {app: kafka}
        spec:
          terminationGracePeriodSeconds: 120
          containers:
            - name: kafka
              image: example.com/kafka:3.8.0
    ```
    """
    for pod in iter_pod_specs(resource, ctx.workloads):
        value = pod.spec.get("terminationGracePeriodSeconds")
        if not isinstance(value, int) or isinstance(value, bool):
            continue
        path = (*pod.path, "terminationGracePeriodSeconds")
        if value < params.min_seconds:
            yield Violation(path, f"{resource.describe()} sets terminationGracePeriodSeconds to {value}, below the "
                            f"minimum of {params.min_seconds}", at_value=True)
        elif value > params.max_seconds:
            yield Violation(path, f"{resource.describe()} sets terminationGracePeriodSeconds to {value}, above the "
                            f"maximum of {params.max_seconds}", at_value=True)


RULE = termination_grace_period_out_of_bounds
