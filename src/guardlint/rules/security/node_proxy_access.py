"""node-proxy-access: a role can reach the kubelet API through nodes/proxy."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.security._rbac import ROLE_KINDS, grant, role_rules

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="SEC066",
    name="node-proxy-access",
    title="RBAC role can use the nodes/proxy subresource",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=("rbac",),
    remediation=(
        "Remove nodes/proxy from the role; read metrics through nodes/metrics or nodes/stats (or the metrics API) "
        "instead."
    ),
    kinds=ROLE_KINDS,
    references=(
        Reference("Kubernetes: RBAC Good Practices (access to proxy subresource of nodes)",
                  "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#access-to-proxy-subresource-of-nodes"),
        Reference("Kubernetes: Kubelet authentication/authorization",
                  "https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/"),
    ),
)
def node_proxy_access(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Role and ClusterRole rules that name `nodes/proxy` (or `*/proxy`) in the core API group, with
    any verb. A `resources: ["*"]` is left to `wildcard-rbac-rule`.

    ## Why is this bad?
    `nodes/proxy` forwards requests to the kubelet API of any node, which can run commands in every pod on
    the node and bypasses audit logging and admission control; even `get` is enough to open an exec session
    over a WebSocket (https://kubernetes.io/docs/concepts/security/rbac-good-practices/).

    ## Example
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: node-metrics
    rules:
      - apiGroups: [""]
        resources: [nodes, nodes/proxy]
        verbs: [get, list, watch]
    ```

    ## Use instead
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: node-metrics
    rules:
      - apiGroups: [""]
        resources: [nodes, nodes/metrics, nodes/stats]
        verbs: [get, list, watch]
    ```
    """
    for r in role_rules(resource, ctx.index):
        if not r.verbs:
            continue
        hit = grant(r, "", "nodes/proxy", r.verbs, wildcard_resource=False)
        if hit is None:
            continue
        index, verb = hit
        yield Violation(
            (*r.path, "resources", index),
            f"{resource.describe()} allows {verb!r} on nodes/proxy: the kubelet API of every node, "
            "including exec into its pods",
            at_value=True,
        )


RULE = node_proxy_access
