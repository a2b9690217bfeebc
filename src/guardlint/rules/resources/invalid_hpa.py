"""invalid-hpa: an autoscaling/v2 HorizontalPodAutoscaler whose metrics or behavior the API server rejects."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.ports import is_unrendered
from guardlint.model.quantity import quantity_amount, quantity_text
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.model.paths import FieldPath

MAX_PERIOD_SECONDS = 1800
"""``MaxPeriodSeconds``: the longest scaling policy period."""
MAX_STABILIZATION_WINDOW_SECONDS = 3600
"""``MaxStabilizationWindowSeconds``."""
_SOURCES = {"Object": "object", "Pods": "pods", "Resource": "resource", "ContainerResource": "containerResource",
            "External": "external"}
"""Metric source types and the field each one is described in (``validateMetricSpec``)."""
_POLICY_TYPES = ("Pods", "Percent")
_SELECT_POLICIES = ("Max", "Min", "Disabled")
HPA = Reference("Kubernetes: Horizontal Pod Autoscaling",
                "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/")


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _target(target: Any, source: str, at: FieldPath) -> Iterator[Violation]:
    """``validateMetricTarget`` and what each source requires of its target."""
    if not isinstance(target, Mapping):
        return
    # a target type other than Utilization, Value or AverageValue is the schema's finding (unsupported-field-value)
    for key in ("value", "averageValue"):
        raw = target.get(key)
        value = quantity_amount(raw) if raw is not None else None
        if value is not None and value <= 0:
            yield Violation((*at, key), f"the API rejects target {key} {quantity_text(raw)}: must be positive",
                            at_value=True)
    utilization = _int(target.get("averageUtilization"))
    if utilization is not None and utilization < 1:
        yield Violation((*at, "averageUtilization"), f"the API rejects averageUtilization {utilization}: must be "
                        "greater than 0", at_value=True)
    has = {key: target.get(key) is not None for key in ("value", "averageValue", "averageUtilization")}
    if source in ("resource", "containerResource"):
        if not has["averageUtilization"] and not has["averageValue"]:
            hint = " (a value target is not one for a resource metric)" if has["value"] else ""
            yield Violation((*at, "averageUtilization"), "the API rejects a resource metric target with neither "
                            f"averageUtilization nor averageValue (must set either a target raw value or a target "
                            f"utilization){hint}")
        elif has["averageUtilization"] and has["averageValue"]:
            yield Violation((*at, "averageValue"), "the API rejects a resource metric target with both "
                            "averageUtilization and averageValue (may not set both a target raw value and a target "
                            "utilization)")
    elif source == "pods" and not has["averageValue"]:
        yield Violation((*at, "averageValue"), "the API rejects a pods metric target without averageValue (must "
                        "specify a positive target averageValue)")
    elif source in ("object", "external") and not has["value"] and not has["averageValue"]:
        yield Violation((*at, "averageValue"), f"the API rejects an {source} metric target with neither value nor "
                        "averageValue")


def _metric(metric: Mapping[str, Any], at: FieldPath) -> Iterator[Violation]:
    """``validateMetricSpec``: the source its type names is the one it describes, and that source's target."""
    kind = metric.get("type")
    if not isinstance(kind, str) or is_unrendered(kind):
        return
    expected = _SOURCES.get(kind)
    if expected is None:
        yield Violation((*at, "type"), f"the API rejects metric type {kind!r}: supported values: "
                        f"{', '.join(repr(k) for k in _SOURCES)}", at_value=True)
        return
    present = [field for field in _SOURCES.values() if metric.get(field) is not None]
    if expected not in present:
        yield Violation((*at, expected), f"the API rejects a metric of type {kind} without {expected} (must populate "
                        "information for the given metric source)")
    for other in present:
        if other != expected:
            yield Violation((*at, other), f"the API rejects {other} in a metric of type {kind} (must populate the "
                            "given metric source only)")
    source = metric.get(expected)
    if isinstance(source, Mapping):
        yield from _target(source.get("target"), expected, (*at, expected, "target"))


def _rules(rules: Any, at: FieldPath) -> Iterator[Violation]:
    """``validateScalingRules`` and ``validateScalingPolicy`` (after the v2 defaults, which fill in what a rules
    block leaves out)."""
    if not isinstance(rules, Mapping):
        return
    window = _int(rules.get("stabilizationWindowSeconds"))
    if window is not None and not 0 <= window <= MAX_STABILIZATION_WINDOW_SECONDS:
        yield Violation((*at, "stabilizationWindowSeconds"), f"the API rejects stabilizationWindowSeconds {window}: "
                        f"must be between 0 and {MAX_STABILIZATION_WINDOW_SECONDS}", at_value=True)
    select = rules.get("selectPolicy")
    if isinstance(select, str) and select not in _SELECT_POLICIES and not is_unrendered(select):
        yield Violation((*at, "selectPolicy"), f"the API rejects selectPolicy {select!r}: supported values: "
                        "'Disabled', 'Max', 'Min'", at_value=True)
    policies = rules.get("policies")
    # An empty list is "must specify at least one Policy" once it reaches validation, but whether every client
    # (server-side apply included) keeps an explicit [] rather than the defaults was not verified: not judged.
    for i, policy in enumerate(policies if isinstance(policies, list) else ()):
        if not isinstance(policy, Mapping):
            continue
        here = (*at, "policies", i)
        kind = policy.get("type")
        if isinstance(kind, str) and kind not in _POLICY_TYPES and not is_unrendered(kind):
            yield Violation((*here, "type"), f"the API rejects policy type {kind!r}: supported values: 'Percent', "
                            "'Pods'", at_value=True)
        value = _int(policy.get("value"))
        if value is not None and value <= 0:
            yield Violation((*here, "value"), f"the API rejects policy value {value}: must be greater than zero",
                            at_value=True)
        period = _int(policy.get("periodSeconds"))
        if period is not None and not 0 < period <= MAX_PERIOD_SECONDS:
            yield Violation((*here, "periodSeconds"), f"the API rejects periodSeconds {period}: must be greater than "
                            f"zero and at most {MAX_PERIOD_SECONDS}", at_value=True)


@rule(
    code="RES127",
    name="invalid-hpa",
    title="HorizontalPodAutoscaler metric or scaling behavior that the API rejects",
    severity=Severity.ERROR,
    pack="resources",
    since="0.3.0",
    status="preview",
    tags=("consistency", "api-rejects"),
    remediation="Describe each metric in the field its type names (resource for Resource, pods for Pods, ...) "
    "with the target that source takes (averageUtilization or averageValue for resources, averageValue for pods, "
    "value or averageValue for object and external metrics), positive targets, scaling policies of type Pods or "
    "Percent with a positive value and periodSeconds of 1-1800, and stabilization windows of 0-3600 seconds.",
    references=(HPA,),
    kinds=("HorizontalPodAutoscaler",),
)
def invalid_hpa(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports an `autoscaling/v2` HorizontalPodAutoscaler whose `metrics` or `behavior` the API server's
    autoscaling validation (`validateMetricSpec`, `validateMetricTarget`, `validateScalingRules`,
    `validateScalingPolicy`) rejects:

    - a metric whose `type` is not Object, Pods, Resource, ContainerResource or External, that leaves out the
      source its type names, or that describes another source too;
    - a target `value` or `averageValue` that is not positive, an `averageUtilization` below 1 (a target
      `type` other than Utilization, Value or AverageValue is `unsupported-field-value`'s); a Resource or
      ContainerResource target with neither `averageUtilization` nor `averageValue` (a `value` target is not
      one) or with both; a Pods target without `averageValue`; an Object or External target with neither
      `value` nor `averageValue`;
    - in `behavior.scaleUp` or `scaleDown`: a `stabilizationWindowSeconds` outside 0-3600, a `selectPolicy`
      other than Max, Min or Disabled, a policy whose `type` is not Pods or Percent, whose `value` is not positive
      or whose `periodSeconds` is outside 1-1800.

    The bounds `minReplicas` and `maxReplicas` are `hpa-min-above-max`'s. Values with an unrendered placeholder
    are not judged.

    ## Why is this bad?
    The API server rejects the autoscaler (`spec.metrics[0].resource.target.averageUtilization: Required value:
    must set either a target raw value or a target utilization`), so the workload is never scaled and a sync
    keeps failing (Kubernetes documentation, "Horizontal Pod Autoscaling").

    ## Example
    ```yaml
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata:
      name: web
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
      minReplicas: 2
      maxReplicas: 10
      metrics:
        - type: Resource
          resource:
            name: cpu
            target: {type: Utilization, value: "70"}
      behavior:
        scaleDown:
          policies:
            - {type: Percent, value: 50, periodSeconds: 3600}
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
      metrics:
        - type: Resource
          resource:
            name: cpu
            target: {type: Utilization, averageUtilization: 70}
      behavior:
        scaleDown:
          policies:
            - {type: Percent, value: 50, periodSeconds: 1800}
    ```
    """
    if resource.group != "autoscaling" or resource.version != "v2":
        return
    spec = resource.data.get("spec")
    if not isinstance(spec, Mapping):
        return
    metrics = spec.get("metrics")
    for i, metric in enumerate(metrics if isinstance(metrics, list) else ()):
        if isinstance(metric, Mapping):
            yield from _metric(metric, ("spec", "metrics", i))
    behavior = spec.get("behavior")
    if isinstance(behavior, Mapping):
        for key in ("scaleUp", "scaleDown"):
            yield from _rules(behavior.get(key), ("spec", "behavior", key))


RULE = invalid_hpa
