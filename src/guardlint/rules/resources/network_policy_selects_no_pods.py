"""network-policy-selects-no-pods: a NetworkPolicy's podSelector matches no pods."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.selection import selected_workloads
from guardlint.model.selectors import selector_is_empty, selector_text
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.resources._common import can_judge_pods, sees_namespace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES066",
    name="network-policy-selects-no-pods",
    title="NetworkPolicy selects no pods",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("consistency", "networking"),
    remediation="Make spec.podSelector match the pod template labels of the workloads the policy should "
    "isolate ({} selects every pod in the namespace).",
    references=(
        Reference("Kubernetes: Network Policies",
                  "https://kubernetes.io/docs/concepts/services-networking/network-policies/"),
    ),
    kinds=("NetworkPolicy",),
)
def network_policy_selects_no_pods(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports NetworkPolicies (`networking.k8s.io`) whose non-empty `spec.podSelector` matches the pod
    template labels of no workload in the same namespace among the linted objects. An empty selector `{}`
    selects every pod of the namespace and is never reported.

    Missing-object policy: judged only when the run is not partial (or `--context` covers the namespace), the linted
    set holds at least one workload in that namespace, and no custom resource there may make an operator run pods.
    Objects without a namespace (their namespace is chosen at apply time) are judged only against linted objects in
    their own directory tree.

    ## Why is this bad?
    A policy that selects no pod isolates nothing: the pods it was written for (usually after a label
    change) accept all traffic, silently (Kubernetes documentation, "Network Policies").

    ## Example
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: db-ingress
    spec:
      podSelector:
        matchLabels: {app: postgres}
      ingress:
        - from:
            - podSelector:
                matchLabels: {app: api}
    ---
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: db
    spec:
      serviceName: db
      selector:
        matchLabels: {app: db}
      template:
        metadata:
          labels: {app: db}
        spec:
          containers:
            - name: db
              image: postgres:16.4
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: db-ingress
    spec:
      podSelector:
        matchLabels: {app: db}
      ingress:
        - from:
            - podSelector:
                matchLabels: {app: api}
    ---
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: db
    spec:
      serviceName: db
      selector:
        matchLabels: {app: db}
      template:
        metadata:
          labels: {app: db}
        spec:
          containers:
            - name: db
              image: postgres:16.4
    ```
    """
    if resource.group != "networking.k8s.io":
        return
    spec = resource.data.get("spec")
    selector = spec.get("podSelector") if isinstance(spec, dict) else None
    if not isinstance(selector, dict) or selector_is_empty(selector):
        return
    if not sees_namespace(ctx, resource):
        return  # ``can_judge_pods`` is False (a partial run): leave before the search
    if selected_workloads(ctx, selector, resource) == [] and can_judge_pods(ctx, resource):
        yield Violation(("spec", "podSelector"), f"{resource.describe()} selects {selector_text(selector)}, which "
                        "matches no pod template among the linted workloads in its namespace")


RULE = network_policy_selects_no_pods
