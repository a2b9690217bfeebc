"""team-label-missing: a workload has no team label, so nobody is paged when it breaks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, NamedTuple

from guardlint.plugin import Resource, RuleContext, Severity, Violation, get_str, iter_pod_specs, param, rule


class Params(NamedTuple):
    label: Annotated[str, param("The label that names the owning team.", min_length=1)] = "team"


@rule(
    code="ACME001",
    name="team-label-missing",
    title="Workload has no team label",
    severity=Severity.WARNING,
    pack="acme",
    since="1.0.0",
    remediation="Add the team label to metadata.labels, naming the team that owns the workload.",
    params=Params,
)
def team_label_missing(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports objects that run pods (every kind of guardlint's pod-template table) without a non-empty
    `metadata.labels.team` (the label name is a parameter).

    ## Why is this bad?
    At Acme, alerts are routed by the team label; a workload without one pages nobody.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: nginx:1.27
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      labels: {team: storefront}
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: nginx:1.27
    ```
    """
    if next(iter_pod_specs(resource, ctx.workloads), None) is None:
        return
    if get_str(resource.data, ("metadata", "labels", params.label)):
        return
    yield Violation(("metadata", "labels", params.label), f"{resource.display()} has no {params.label!r} label")


RULE = team_label_missing
