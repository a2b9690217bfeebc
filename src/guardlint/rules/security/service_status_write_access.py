"""service-status-write-access: a role can write the status of Services (CVE-2020-8554)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.security._rbac import ROLE_KINDS, grant, role_rules

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

WRITE_VERBS = ("update", "patch")
"""The verbs the ``status`` subresource of a Service accepts that change it (``get`` reads it)."""


@rule(
    code="SEC109",
    name="service-status-write-access",
    title="RBAC role can write the status of Services",
    severity=Severity.WARNING,
    pack="security",
    since="0.3.0",
    status="preview",
    tags=("rbac", "network"),
    remediation="Leave services/status to the controller that provisions load balancers (the cloud controller "
    "manager, MetalLB and the like); grant get, list and watch otherwise.",
    kinds=ROLE_KINDS,
    references=(
        Reference("Kubernetes issue 97076: CVE-2020-8554, man in the middle using LoadBalancer or ExternalIPs",
                  "https://github.com/kubernetes/kubernetes/issues/97076"),
        Reference("Kubernetes: Service status (load balancer ingress)",
                  "https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer"),
    ),
)
def service_status_write_access(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Role and ClusterRole rules that allow `update` or `patch` (or `*`) on `services/status` in the
    core API group (or `*` groups), through the item `services/status` or `*/status`, limited by
    `resourceNames` or not: writing the status of one named Service is enough. `resources: ["*"]` is left
    to `wildcard-rbac-rule`. A Role counts: the addresses a Service's status announces are routed on every
    node, whatever the namespace. The rules of an aggregated ClusterRole are filled in by the controller:
    the ClusterRoles it aggregates are reported themselves.

    ## Why is this bad?
    `status.loadBalancer.ingress` of a `LoadBalancer` Service lists the addresses its load balancer answers
    on, and kube-proxy on every node sends traffic for those addresses to the Service's pods. Whoever can
    write it can name any address, another tenant's service or an external API, and receive the traffic
    that pods in the cluster send there (CVE-2020-8554, unpatched by design: the fix is to restrict this
    permission). Only the controller that provisions load balancers needs it.

    ## Example
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: service-publisher
    rules:
      - apiGroups: [""]
        resources: [services, services/status]
        verbs: [get, list, watch, update, patch]
    ```

    ## Use instead
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: service-publisher
    rules:
      - apiGroups: [""]
        resources: [services]
        verbs: [get, list, watch, update, patch]
    ```
    """
    for r in role_rules(resource, ctx.index):
        hit = grant(r, "", "services/status", WRITE_VERBS, wildcard_resource=False)
        if hit is None:
            continue
        index, verb = hit
        names = f" (resourceNames {', '.join(r.resource_names)})" if r.resource_names else ""
        yield Violation(
            (*r.path, "resources", index),
            f"{resource.describe()} allows {verb!r} on services/status{names}: it can announce any address as a "
            "Service's load balancer and receive the traffic that every node then sends there (CVE-2020-8554)",
            at_value=True,
        )


RULE = service_status_write_access
