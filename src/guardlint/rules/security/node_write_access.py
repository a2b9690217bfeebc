"""node-write-access: a ClusterRole can change Node objects or their status (opt-in)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.security._rbac import grant, role_rules

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

WRITE_VERBS = ("update", "patch")
_EFFECT = {
    "nodes": "it can relabel and untaint nodes, which steers pods (with their service accounts and Secrets) "
             "onto a node of its choosing or onto control-plane nodes",
    "nodes/status": "it can rewrite a node's reported addresses, capacity and conditions, which the API server "
                    "and the scheduler act on",
}


@rule(
    code="SEC107",
    name="node-write-access",
    title="RBAC role can change Nodes or their status",
    severity=Severity.INFO,
    pack="security",
    since="0.3.0",
    status="preview",
    tags=("rbac",),
    remediation="Leave Node writes to the kubelets (the NodeRestriction admission plugin limits each to its own "
    "Node) and to vetted node controllers; grant get, list and watch otherwise.",
    kinds=("ClusterRole",),
    enabled_by_default=False,
    references=(
        Reference("Kubernetes: Using Node Authorization",
                  "https://kubernetes.io/docs/reference/access-authn-authz/node/"),
        Reference("Kubernetes: Taints and Tolerations",
                  "https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/"),
    ),
)
def node_write_access(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports ClusterRole rules that allow `update` or `patch` (or `*`) on `nodes` or `nodes/status` in the core
    API group (or `*` groups), limited by `resourceNames` or not. `resources: ["*"]` is left to
    `wildcard-rbac-rule`. Roles are not reported: Nodes are cluster-scoped. Off by default: schedulers,
    autoscalers, node feature discovery and device operators need this permission.

    ## Why is this bad?
    Node labels and taints decide where pods run: whoever can change them can remove the taint that keeps
    workloads off control-plane nodes, or give a node it controls the labels that sensitive workloads select,
    and so receive their pods with their service-account tokens and Secrets. A node's status (its addresses,
    capacity and conditions) is what the API server connects to and the scheduler places pods by. Kubelets may
    change only their own Node (NodeRestriction); a role that may change any Node is outside that guard.

    ## Example
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: node-labeller
    rules:
      - apiGroups: [""]
        resources: [nodes]
        verbs: [get, list, watch, patch]
    ```

    ## Use instead
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: node-reader
    rules:
      - apiGroups: [""]
        resources: [nodes]
        verbs: [get, list, watch]
    ```
    """
    for r in role_rules(resource, ctx.index):
        seen: set[int] = set()
        for target in ("nodes", "nodes/status"):
            hit = grant(r, "", target, WRITE_VERBS, wildcard_resource=False)
            if hit is None or hit[0] in seen:
                continue
            index, verb = hit
            seen.add(index)
            # ``*/status`` matches nodes/status too: name what the item written there reaches.
            yield Violation(
                (*r.path, "resources", index),
                f"{resource.describe()} allows {verb!r} on {target}: {_EFFECT[target]}",
                at_value=True,
            )


RULE = node_write_access
