"""hpa-targets-nothing: a HorizontalPodAutoscaler scales an object that does not exist."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.scaling import is_scaled_object, scale_target
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import HPA, KEDA_SCALED_OBJECT
from guardlint.rules.resources._common import is_missing

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES064",
    name="hpa-targets-nothing",
    title="HorizontalPodAutoscaler targets an object that does not exist",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("consistency", "autoscaling"),
    remediation="Point spec.scaleTargetRef at the workload's kind and name, or remove the autoscaler.",
    references=(HPA, KEDA_SCALED_OBJECT),
    kinds=("HorizontalPodAutoscaler", "ScaledObject"),
)
def hpa_targets_nothing(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports HorizontalPodAutoscalers whose `spec.scaleTargetRef` (kind and name, in the autoscaler's
    namespace) names no object among the linted objects nor in `known-objects`. KEDA ScaledObjects
    (`keda.sh`), for which KEDA creates and owns such an autoscaler, are judged the same way, their
    `scaleTargetRef` kind defaulting to `Deployment` as KEDA does.

    Missing-object policy: the rule judges only when the run is not partial (or `--context` covers the namespace)
    (pre-commit passes only changed files) and the linted set holds at least one object of the target's kind in that
    namespace (or config declares the namespace complete). Objects without a namespace (their namespace is chosen at
    apply time) are judged only against linted objects in their own directory tree.

    ## Why is this bad?
    The autoscaler does nothing and reports `FailedGetScale`; the workload it was meant to scale (usually
    renamed) runs at a fixed size and falls over under load (Kubernetes documentation, "Horizontal Pod
    Autoscaling").

    ## Example
    ```yaml
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata:
      name: web
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web-v1}
      minReplicas: 2
      maxReplicas: 10
    ---
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
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata:
      name: web
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
      minReplicas: 2
      maxReplicas: 10
    ---
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
    """
    if resource.kind == "ScaledObject" and not is_scaled_object(resource):
        return  # another group's kind of that name
    target = scale_target(resource)
    if target is None:
        return
    kind, name = target[0], target[1]
    if not isinstance(kind, str) or not isinstance(name, str) or not kind or not name:
        return
    if is_missing(ctx, kind, name, resource):
        yield Violation(("spec", "scaleTargetRef", "name"), f"{resource.describe()} scales {kind} {name!r}, which is "
                        "not among the linted objects", at_value=True)


RULE = hpa_targets_nothing
