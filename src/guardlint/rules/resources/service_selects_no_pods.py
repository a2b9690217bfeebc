"""service-selects-no-pods: a Service's selector matches no pod template among the linted objects."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.selection import service_selector, service_selects_any_pod
from guardlint.model.selectors import selector_text
from guardlint.rules.api import Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import LABELS, SERVICES
from guardlint.rules.resources._common import can_judge_pods, sees_namespace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES061",
    name="service-selects-no-pods",
    title="Service selector matches no pods",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("consistency", "networking"),
    remediation="Make the Service selector match the pod template labels of the workload it fronts.",
    references=(SERVICES, LABELS),
    kinds=("Service",),
)
def service_selects_no_pods(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Services whose `spec.selector` matches the pod template labels of no workload (every kind of the
    pod-template table, custom resources included) in the same namespace among the linted objects. Services
    without a selector (endpoints managed by hand or by another controller) and `ExternalName` Services
    select nothing on purpose and are not reported.

    Missing-object policy: the rule judges a namespace only when the run is not partial (or `--context` covers the
    namespace) (pre-commit passes only changed files), the linted set holds at least one workload in that namespace,
    and no custom resource in it is of a kind that may make an operator run pods (any API group outside the built-in
    and common configuration-only groups, plus Prometheus-operator kinds). Objects without a namespace (their
    namespace is chosen at apply time) are judged only against linted objects in their own directory tree.

    ## Why is this bad?
    A Service that selects no pods has no endpoints: clients get connection refused or time out, and
    Ingresses in front of it return 503. It usually means a label was renamed on one side only
    (Kubernetes documentation, "Service").

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: web
    spec:
      selector: {app: web-frontend}
      ports:
        - port: 80
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
    apiVersion: v1
    kind: Service
    metadata:
      name: web
    spec:
      selector: {app: web}
      ports:
        - port: 80
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
    if resource.group != "":
        return
    selector = service_selector(resource)
    # Without the first step of ``can_judge_pods`` (a partial run) nothing is reported: leave before the search.
    if selector is None or not sees_namespace(ctx, resource) or service_selects_any_pod(ctx, resource, selector):
        return
    if can_judge_pods(ctx, resource):
        yield Violation(("spec", "selector"), f"{resource.describe()} selects {selector_text(selector)}, which matches "
                        "no pod template among the linted workloads in its namespace")


RULE = service_selects_no_pods
