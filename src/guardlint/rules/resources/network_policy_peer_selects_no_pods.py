"""network-policy-peer-selects-no-pods: a NetworkPolicy allows traffic from or to pods that no workload runs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.access import iter_maps
from guardlint.model.paths import FieldPath
from guardlint.model.selection import pods_related_to
from guardlint.model.selectors import (
    label_selector_matches,
    pod_assumption,
    selector_is_empty,
    selector_is_valid,
    selector_text,
)
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.resources._common import can_judge_pods, sees_namespace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
"""The label the API server sets on every Namespace to its name."""


def pinned_namespaces(selector: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The namespaces a ``namespaceSelector`` names by ``kubernetes.io/metadata.name`` (``matchLabels`` or one ``In``
    expression, and nothing else); None when it selects by other labels (the Namespaces and their labels may live
    outside the linted set)."""
    match, exprs = selector.get("matchLabels"), selector.get("matchExpressions")
    if match and exprs:
        return None
    if isinstance(match, dict) and len(match) == 1:
        value = match.get(NAMESPACE_NAME_LABEL)
        return (value,) if isinstance(value, str) and value else None
    if isinstance(exprs, list) and len(exprs) == 1 and isinstance(exprs[0], dict):
        expr = exprs[0]
        values = expr.get("values")
        if expr.get("key") == NAMESPACE_NAME_LABEL and expr.get("operator") == "In" and isinstance(values, list) \
                and values and all(isinstance(v, str) and v for v in values):
            return tuple(dict.fromkeys(values))
    return None


def _peers(resource: Resource) -> Iterator[tuple[FieldPath, str, Mapping[str, Any], Any]]:
    """(path of the peer, direction, podSelector, namespaceSelector or None) of every peer with a podSelector."""
    for direction, side in (("ingress", "from"), ("egress", "to")):
        for i, item in iter_maps(resource.data, ("spec", direction)):
            for j, peer in iter_maps(item, (side,)):
                selector = peer.get("podSelector")
                if isinstance(selector, dict):
                    yield ("spec", direction, i, side, j), direction, selector, peer.get("namespaceSelector")


def _selects_any(ctx: RuleContext, selector: Mapping[str, Any], view: Resource) -> bool:
    """Whether ``selector`` matches the pod template of any workload related to ``view``: the first match ends the
    search (``selected_workloads`` lists every match, a fifth of all templates for a peer on a team label)."""
    pods = pods_related_to(ctx, view, lambda p: label_selector_matches(selector, p.labels, assume=pod_assumption(p)),
                           (selector, True))
    return next(pods, None) is not None


@rule(
    code="RES092",
    name="network-policy-peer-selects-no-pods",
    title="NetworkPolicy peer selects no pods",
    severity=Severity.WARNING,
    pack="resources",
    since="0.2.0",
    status="preview",
    tags=("consistency", "networking"),
    remediation="Make the peer's podSelector match the pod template labels of the workloads that should be allowed "
    "(and its namespaceSelector their namespace), or remove the peer.",
    references=(
        Reference("Kubernetes: Network Policies",
                  "https://kubernetes.io/docs/concepts/services-networking/network-policies/"),
    ),
    kinds=("NetworkPolicy",),
)
def network_policy_peer_selects_no_pods(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports `ingress[].from[]` and `egress[].to[]` peers of NetworkPolicies (`networking.k8s.io`) whose non-empty
    `podSelector` matches the pod template labels of no workload among the linted objects in the namespace the
    peer means: the policy's own namespace when the peer has no `namespaceSelector`, or the namespaces a
    `namespaceSelector` names by their `kubernetes.io/metadata.name` label (in `matchLabels`, or one `In`
    expression). Peers whose `namespaceSelector` selects by other labels are not judged (the Namespaces and their
    labels may live elsewhere), nor are empty pod selectors (every pod of the namespace) or `ipBlock` peers.

    Missing-object policy: as `network-policy-selects-no-pods`, each namespace is judged only when the run is not
    partial (or `--context` covers it), the policy's tree holds at least one workload in exactly that namespace (in
    a folder of independent alternatives: the policy's own file), no custom resource there may make an operator run
    pods and no linted workload's service account may create or label pods there.

    ## Why is this bad?
    A peer that matches no pod allows nothing: the traffic the rule was written for (usually after a label change
    on the client side) is dropped once the policy isolates the pods, and the application fails with timeouts
    (Kubernetes documentation, "Network Policies").

    ## Example
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: db
      namespace: shop
    spec:
      podSelector:
        matchLabels: {app: db}
      ingress:
        - from:
            - podSelector:
                matchLabels: {app: backend}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
      namespace: shop
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
            - name: api
              image: example.com/api:2.1.0
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: db
      namespace: shop
    spec:
      podSelector:
        matchLabels: {app: db}
      ingress:
        - from:
            - podSelector:
                matchLabels: {app: api}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
      namespace: shop
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          containers:
            - name: api
              image: example.com/api:2.1.0
    ```
    """
    if resource.group != "networking.k8s.io":
        return
    judgeable: dict[str | None, bool] = {}
    for path, direction, selector, ns_selector in _peers(resource):
        if selector_is_empty(selector) or not selector_is_valid(selector):
            continue
        if ns_selector is None:
            namespaces: tuple[str | None, ...] = (resource.namespace,)
        elif not isinstance(ns_selector, dict):
            continue
        else:
            pinned = pinned_namespaces(ns_selector)
            if pinned is None:
                continue
            namespaces = pinned
        views = [resource if ns == resource.namespace else resource._replace(namespace=ns) for ns in namespaces]
        if not all(sees_namespace(ctx, view) for view in views):
            continue  # ``can_judge_pods`` is False for one of them (a partial run): leave before the search
        if any(_selects_any(ctx, selector, view) for view in views):
            continue
        for view in views:
            if view.namespace not in judgeable:
                judgeable[view.namespace] = can_judge_pods(ctx, view)
        if not all(judgeable[view.namespace] for view in views):
            continue
        named = [repr(ns) for ns in namespaces if ns]
        where = ("namespace " + " or ".join(named)) if named else "its namespace"
        side = "from" if direction == "ingress" else "to"
        yield Violation((*path, "podSelector"), f"{resource.describe()} allows {direction} traffic {side} pods "
                        f"{selector_text(selector)}, which matches no pod template among the linted workloads in "
                        f"{where}")


RULE = network_policy_peer_selects_no_pods
