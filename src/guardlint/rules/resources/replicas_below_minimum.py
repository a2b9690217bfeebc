"""replicas-below-minimum: a Deployment or StatefulSet runs fewer replicas than the team's minimum (opt-in)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get
from guardlint.model.scaling import hpas_for, replicas_path
from guardlint.rules.api import Fix, FixEdit, Resource, RuleContext, Severity, Violation, rule, structural_fix
from guardlint.rules.params import param
from guardlint.rules.references import DEPLOYMENTS, PDB
from guardlint.rules.resources._common import is_partial_object

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    min_replicas: Annotated[int, param("Smallest allowed replica count.", minimum=1)] = 2
    kinds: Annotated[tuple[str, ...], param(
        "Workload kinds to check (kinds with a replica count in the pod-template table).",
        unique_items=True,
        items={"minLength": 1},
    )] = ("Deployment", "StatefulSet")


@rule(
    code="RES030",
    fixable="unsafe",
    name="replicas-below-minimum",
    title="Workload runs fewer replicas than the minimum",
    severity=Severity.INFO,
    pack="resources",
    since="0.1.0",
    tags=("availability", "reliability"),
    remediation="Raise spec.replicas to at least the minimum, or let a HorizontalPodAutoscaler manage it.",
    references=(DEPLOYMENTS, PDB),
    params=Params,
    enabled_by_default=False,
)
def replicas_below_minimum(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Deployments and StatefulSets (the `kinds` parameter) whose `spec.replicas`, or the default of 1
    when it is absent, is below `min-replicas`. Workloads that a HorizontalPodAutoscaler among the linted
    objects scales, and workloads deliberately scaled to 0, are not reported. Off by default.

    ## Why is this bad?
    A single replica means downtime on every node drain, rollout stall or crash: nothing serves while the
    only pod is rescheduled, and a PodDisruptionBudget cannot protect it (Kubernetes documentation,
    "Specifying a Disruption Budget for your Application").

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: checkout
    spec:
      replicas: 1
      selector:
        matchLabels: {app: checkout}
      template:
        metadata:
          labels: {app: checkout}
        spec:
          containers:
            - name: checkout
              image: example.com/checkout:4.1.0
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: checkout
    spec:
      replicas: 3
      selector:
        matchLabels: {app: checkout}
      template:
        metadata:
          labels: {app: checkout}
        spec:
          containers:
            - name: checkout
              image: example.com/checkout:4.1.0
    ```
    """
    if is_partial_object(resource, ctx):
        return
    if resource.kind not in params.kinds:
        return
    path = replicas_path(resource, ctx)
    if path is None or hpas_for(ctx, resource):
        return
    raw = get(resource.data, path)
    if raw is None:
        yield Violation(path, f"{resource.describe()} sets no replicas and so runs 1, fewer than the minimum of "
                        f"{params.min_replicas}", fix=_raise(path, params.min_replicas))
        return
    if not isinstance(raw, int) or isinstance(raw, bool) or raw == 0:
        return
    if raw < params.min_replicas:
        yield Violation(path, f"{resource.describe()} runs {raw} replica{'s' if raw != 1 else ''}, fewer than the "
                        f"minimum of {params.min_replicas}", fix=_raise(path, params.min_replicas))


def _raise(path: tuple[str | int, ...], minimum: int) -> Fix:
    return structural_fix(f"set replicas to {minimum}", FixEdit("set", path, minimum))


RULE = replicas_below_minimum
