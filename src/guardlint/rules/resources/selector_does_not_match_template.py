"""selector-does-not-match-template: a workload's selector does not match its pod template labels."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get
from guardlint.model.groups import APPS_GROUPS
from guardlint.model.selectors import label_selector_matches, match_labels, selector_is_empty, selector_text
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import DEPLOYMENTS, LABELS
from guardlint.rules.resources._common import is_partial_object

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_APPS_KINDS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")
_SELECTOR_REQUIRED_VERSIONS = ("v1", "v1beta2")


def _labels_text(labels: Any) -> str:
    if not isinstance(labels, dict) or not labels:
        return "no labels"
    return ",".join(f"{k}={v}" for k, v in labels.items())


@rule(
    code="RES060",
    name="selector-does-not-match-template",
    title="Workload selector does not match its pod template labels",
    severity=Severity.ERROR,
    pack="resources",
    since="0.1.0",
    tags=("consistency", "api-rejects"),
    remediation="Make spec.selector match spec.template.metadata.labels (every matchLabels pair present in the "
    "template labels, every matchExpressions term satisfied).",
    references=(DEPLOYMENTS, LABELS),
    kinds=(*_APPS_KINDS, "ReplicationController", "Job"),
)
def selector_does_not_match_template(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Deployments, ReplicaSets, StatefulSets and DaemonSets whose `spec.selector` does not select
    their own `spec.template.metadata.labels`, and those of `apps/v1` (and `v1beta2`) that have no selector
    or an empty one; ReplicationControllers whose `spec.selector` map is not contained in the template
    labels; and Jobs with `manualSelector: true` whose selector does not match. The selector is evaluated
    with label-selector semantics (matchLabels AND matchExpressions with `In`, `NotIn`, `Exists`,
    `DoesNotExist`).

    ## Why is this bad?
    The API server rejects such an object (`selector does not match template labels`, or `spec.selector:
    Required value`): a controller whose selector does not match the pods it creates would create pods
    forever (Kubernetes documentation, "Deployments", "Selector").

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
          labels: {app: frontend}
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
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web, tier: frontend}
        spec:
          containers:
            - name: web
              image: nginx:1.27
    ```
    """
    if is_partial_object(resource, ctx):
        return
    spec = resource.data.get("spec")
    if not isinstance(spec, dict) or not isinstance(spec.get("template"), dict):
        return
    labels = get(spec, ("template", "metadata", "labels"))
    label_map = labels if isinstance(labels, dict) else {}
    labels_path = ("spec", "template", "metadata", "labels")
    selector = spec.get("selector")
    if resource.kind in _APPS_KINDS:
        if resource.group not in APPS_GROUPS:
            return
        required = resource.group == "apps" and resource.version in _SELECTOR_REQUIRED_VERSIONS
        if selector is None:
            if required:
                yield Violation(("spec", "selector"), f"{resource.describe()} has no spec.selector, which "
                                f"{resource.api_version} requires")
            return
        if not isinstance(selector, dict):
            return
        if selector_is_empty(selector) and required:
            yield Violation(("spec", "selector"), f"{resource.describe()} has an empty selector, which the API rejects")
            return
        matched = label_selector_matches(selector, label_map)
    elif resource.kind == "ReplicationController":
        if resource.group != "" or not isinstance(selector, dict) or not selector:
            return
        matched = match_labels(selector, label_map)
    else:  # Job
        if resource.group != "batch" or spec.get("manualSelector") is not True or not isinstance(selector, dict):
            return
        matched = label_selector_matches(selector, label_map)
    if matched is False:
        yield Violation(
            labels_path,
            f"{resource.describe()} selects {selector_text(selector)} but its pod template has "
            f"{_labels_text(labels)}; the API rejects a selector that does not match the template labels",
        )


RULE = selector_does_not_match_template
