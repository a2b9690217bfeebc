"""invalid-hpa: a HorizontalPodAutoscaler (autoscaling/v1, v2beta1, v2beta2 or v2) whose target, metrics or behavior
the API server rejects."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.names import dns_label_reasons, path_segment_reasons
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
_VERSIONS = ("v1", "v2beta1", "v2beta2", "v2")
"""The autoscaling versions judged: each is converted to the API's own type and validated there."""
_POLICY_TYPES = ("Pods", "Percent")
_SELECT_POLICIES = ("Max", "Min", "Disabled")
HPA = Reference("Kubernetes: Horizontal Pod Autoscaling",
                "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/")


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    """A string the rule judges: not a placeholder left unrendered."""
    return value if isinstance(value, str) and not is_unrendered(value) else None


def _positive(raw: Any, at: FieldPath, label: str) -> Iterator[Violation]:
    """``validateMetricTarget``: a quantity target (``value``, ``averageValue``) must be positive."""
    value = quantity_amount(raw) if raw is not None else None
    if value is not None and value <= 0:
        yield Violation(at, f"the API rejects {label} {quantity_text(raw)}: must be positive", at_value=True)


def _utilization(raw: Any, at: FieldPath, label: str) -> Iterator[Violation]:
    """``validateMetricTarget``: a utilization target must be at least 1 (percent)."""
    utilization = _int(raw)
    if utilization is not None and utilization < 1:
        yield Violation(at, f"the API rejects {label} {utilization}: must be greater than 0", at_value=True)


def _segment(raw: Any, at: FieldPath, label: str) -> Iterator[Violation]:
    """``IsValidPathSegmentName`` (``ValidateCrossVersionObjectReference``, ``validateMetricIdentifier``): the name
    is one segment of the URL the controller asks for it."""
    text = _text(raw)
    reasons = path_segment_reasons(text) if text else ()
    if reasons:
        yield Violation(at, f"the API rejects {label} {text!r}: {'; '.join(reasons)}", at_value=True)


def _identifiers(source: Mapping[str, Any], kind: str, at: FieldPath, beta1: bool) -> Iterator[Violation]:
    """The names a metric source holds: the metric name (``validateMetricIdentifier``), the described object's
    kind and name (``ValidateCrossVersionObjectReference``), the container of a container resource metric
    (``ValidateDNS1123Label``)."""
    if kind in ("pods", "object", "external"):
        if beta1:
            yield from _segment(source.get("metricName"), (*at, "metricName"), "metric name")
        else:
            metric = source.get("metric")
            if isinstance(metric, Mapping):
                yield from _segment(metric.get("name"), (*at, "metric", "name"), "metric name")
    if kind == "object":
        field = "target" if beta1 else "describedObject"
        described = source.get(field)
        if isinstance(described, Mapping):
            for key in ("kind", "name"):
                yield from _segment(described.get(key), (*at, field, key), f"described object {key}")
    elif kind == "containerResource":
        container = _text(source.get("container"))
        reasons = dns_label_reasons(container) if container else ()
        if reasons:
            yield Violation((*at, "container"), f"the API rejects container {container!r}: {'; '.join(reasons)}",
                            at_value=True)


def _target(target: Any, source: str, at: FieldPath) -> Iterator[Violation]:
    """``validateMetricTarget`` and what each source requires of its target (autoscaling/v2 and v2beta2, whose
    metric targets are the API's own)."""
    if not isinstance(target, Mapping):
        return
    # a target type other than Utilization, Value or AverageValue is the schema's finding (unsupported-field-value)
    for key in ("value", "averageValue"):
        yield from _positive(target.get(key), (*at, key), f"target {key}")
    yield from _utilization(target.get("averageUtilization"), (*at, "averageUtilization"), "averageUtilization")
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
    elif source == "external" and has["value"] and has["averageValue"]:
        yield Violation((*at, "value"), "the API rejects an external metric target with both value and averageValue "
                        "(may not set both a target value for metric and a per-pod target)")


def _beta1_target(src: Mapping[str, Any], source: str, at: FieldPath) -> Iterator[Violation]:
    """An autoscaling/v2beta1 metric source, as the API validates it after converting it to its own type: the
    ``target...`` fields become the target (``targetAverageUtilization`` the average utilization,
    ``targetAverageValue`` the average value, ``targetValue`` the value), then ``validateMetricTarget`` and the
    source's own requirements apply."""
    if source in ("resource", "containerResource"):
        utilization, average = src.get("targetAverageUtilization"), src.get("targetAverageValue")
        yield from _utilization(utilization, (*at, "targetAverageUtilization"), "targetAverageUtilization")
        yield from _positive(average, (*at, "targetAverageValue"), "targetAverageValue")
        if utilization is None and average is None:
            yield Violation(at, "the API rejects a resource metric with neither targetAverageUtilization nor "
                            "targetAverageValue (must set either a target raw value or a target utilization)")
        elif utilization is not None and average is not None:
            yield Violation((*at, "targetAverageValue"), "the API rejects a resource metric with both "
                            "targetAverageUtilization and targetAverageValue (may not set both a target raw value "
                            "and a target utilization)")
    elif source == "pods":
        yield from _positive(src.get("targetAverageValue"), (*at, "targetAverageValue"), "targetAverageValue")
    elif source == "object":
        yield from _positive(src.get("targetValue"), (*at, "targetValue"), "targetValue")
        yield from _positive(src.get("averageValue"), (*at, "averageValue"), "averageValue")
    else:
        value, average = src.get("targetValue"), src.get("targetAverageValue")
        yield from _positive(value, (*at, "targetValue"), "targetValue")
        yield from _positive(average, (*at, "targetAverageValue"), "targetAverageValue")
        if value is None and average is None:
            yield Violation(at, "the API rejects an external metric with neither targetValue nor targetAverageValue "
                            "(must set either a target value for metric or a per-pod target)")
        elif value is not None and average is not None:
            yield Violation((*at, "targetValue"), "the API rejects an external metric with both targetValue and "
                            "targetAverageValue (may not set both a target value for metric and a per-pod target)")


def _metric(metric: Mapping[str, Any], at: FieldPath, beta1: bool) -> Iterator[Violation]:
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
        yield from _identifiers(source, expected, (*at, expected), beta1)
        if beta1:
            yield from _beta1_target(source, expected, (*at, expected))
        else:
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
    title="HorizontalPodAutoscaler target, metric or scaling behavior that the API rejects",
    severity=Severity.ERROR,
    pack="resources",
    since="0.3.0",
    status="preview",
    tags=("consistency", "api-rejects"),
    remediation="Describe each metric in the field its type names (resource for Resource, pods for Pods, ...) "
    "with the target that source takes (averageUtilization or averageValue for resources, averageValue for pods, "
    "value or averageValue for object and external metrics, not both for external ones), positive targets, metric "
    "and target names without '/' or '%' (external metric names use '|'), scaling policies of type Pods or "
    "Percent with a positive value and periodSeconds of 1-1800, and stabilization windows of 0-3600 seconds.",
    references=(HPA,),
    kinds=("HorizontalPodAutoscaler",),
)
def invalid_hpa(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports a HorizontalPodAutoscaler whose target, `metrics` or `behavior` the API server's autoscaling
    validation (`validateMetricSpec`, `validateMetricTarget`, `validateScalingRules`, `validateScalingPolicy`,
    `ValidateCrossVersionObjectReference`) rejects. In `autoscaling/v2` and `v2beta2`:

    - a metric whose `type` is not Object, Pods, Resource, ContainerResource or External, that leaves out the
      source its type names, or that describes another source too;
    - a target `value` or `averageValue` that is not positive, an `averageUtilization` below 1 (a target
      `type` other than Utilization, Value or AverageValue is `unsupported-field-value`'s); a Resource or
      ContainerResource target with neither `averageUtilization` nor `averageValue` (a `value` target is not
      one) or with both; a Pods target without `averageValue`; an Object or External target with neither
      `value` nor `averageValue`, an External target with both;
    - a metric `name`, a described object's `kind` or `name` that cannot be a URL path segment (`.`, `..`, or
      holding `/` or `%`: an external metric such as `pubsub.googleapis.com/subscription/...` is written with
      `|` for the `/`), a ContainerResource `container` that is not a DNS label;
    - in `behavior.scaleUp` or `scaleDown`: a `stabilizationWindowSeconds` outside 0-3600, a `selectPolicy`
      other than Max, Min or Disabled, a policy whose `type` is not Pods or Percent, whose `value` is not positive
      or whose `periodSeconds` is outside 1-1800.

    Older versions are converted to the API's own type and validated there, so each is judged by what its
    fields become, never by fields it does not have: in `autoscaling/v2beta1` (served up to Kubernetes 1.24) a
    `targetAverageUtilization` below 1, a `targetAverageValue` or `targetValue` (or an Object metric's
    `averageValue`) that is not positive, a Resource or ContainerResource metric with neither or both of
    `targetAverageUtilization` and `targetAverageValue`, an External metric with neither or both of
    `targetValue` and `targetAverageValue`, the metric types and names as above; in `autoscaling/v1` a
    `targetCPUUtilizationPercentage` below 1 (it becomes a CPU utilization target). In every version a
    `scaleTargetRef` `kind` or `name` that cannot be a URL path segment. A version the target Kubernetes
    version no longer serves is `removed-api`'s, not judged here.

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
    if resource.group != "autoscaling" or resource.version not in _VERSIONS:
        return
    from guardlint.apischema.lifecycle import removals_by_kind

    removal = removals_by_kind().get((resource.api_version, resource.kind))
    if removal is not None and ctx.kubernetes_version >= removal.removed_in:
        return  # not served by the target: the API answers "no matches for kind" (removed-api), validates nothing
    spec = resource.data.get("spec")
    if not isinstance(spec, Mapping):
        return
    ref = spec.get("scaleTargetRef")
    if isinstance(ref, Mapping):
        for key in ("kind", "name"):
            yield from _segment(ref.get(key), ("spec", "scaleTargetRef", key), f"scaleTargetRef {key}")
    if resource.version == "v1":
        # converted to one Resource metric (cpu, Utilization) whose averageUtilization is this value
        yield from _utilization(spec.get("targetCPUUtilizationPercentage"), ("spec", "targetCPUUtilizationPercentage"),
                                "targetCPUUtilizationPercentage")
        return
    beta1 = resource.version == "v2beta1"
    metrics = spec.get("metrics")
    for i, metric in enumerate(metrics if isinstance(metrics, list) else ()):
        if isinstance(metric, Mapping):
            yield from _metric(metric, ("spec", "metrics", i), beta1)
    behavior = None if beta1 else spec.get("behavior")
    if isinstance(behavior, Mapping):
        for key in ("scaleUp", "scaleDown"):
            yield from _rules(behavior.get(key), ("spec", "behavior", key))


RULE = invalid_hpa
