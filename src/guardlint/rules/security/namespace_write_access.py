"""namespace-write-access: a role can change Namespace objects, their labels included (opt-in)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.security._rbac import ROLE_KINDS, grant, role_rules

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

WRITE_VERBS = ("update", "patch")


@rule(
    code="SEC106",
    name="namespace-write-access",
    title="RBAC role can change Namespace labels",
    severity=Severity.INFO,
    pack="security",
    since="0.3.0",
    status="preview",
    tags=("rbac",),
    remediation="Let only cluster administrators (or a vetted controller) update or patch Namespaces; label "
    "namespaces through the pipeline that creates them.",
    kinds=ROLE_KINDS,
    enabled_by_default=False,
    references=(
        Reference("Kubernetes: RBAC Good Practices (namespace modification)",
                  "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#namespace-modification"),
        Reference("Kubernetes: Pod Security Admission",
                  "https://kubernetes.io/docs/concepts/security/pod-security-admission/"),
    ),
)
def namespace_write_access(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Role and ClusterRole rules that allow `update` or `patch` (or `*`) on `namespaces` in the core
    API group (or `*` groups), limited by `resourceNames` or not. A Role counts too: bound in a namespace, it
    reaches that Namespace object itself. `resources: ["*"]` is left to `wildcard-rbac-rule`. Off by default:
    controllers that label namespaces (service meshes, policy engines) need this permission.

    ## Why is this bad?
    A Namespace's labels decide which Pod Security Admission level applies to its pods
    (`pod-security.kubernetes.io/enforce`) and which NetworkPolicy namespace selectors and webhook
    `namespaceSelector`s match it. Whoever can change them can relax the namespace to `privileged`, take it out
    of an admission webhook's scope or into a network peer's. The Kubernetes RBAC good practices list namespace
    modification among the permissions that allow privilege escalation.

    ## Example
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: team-admin
      namespace: team-a
    rules:
      - apiGroups: [""]
        resources: [namespaces]
        verbs: [get, patch]
    ```

    ## Use instead
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: team-admin
      namespace: team-a
    rules:
      - apiGroups: [""]
        resources: [namespaces]
        verbs: [get]
    ```
    """
    for r in role_rules(resource, ctx.index):
        hit = grant(r, "", "namespaces", WRITE_VERBS, wildcard_resource=False)
        if hit is None:
            continue
        index, verb = hit
        which = f"namespaces (only {', '.join(r.resource_names)})" if r.resource_names else "namespaces"
        yield Violation(
            (*r.path, "resources", index),
            f"{resource.describe()} allows {verb!r} on {which}: their labels set the Pod Security level and what "
            "namespace selectors of NetworkPolicies and admission webhooks match",
            at_value=True,
        )


RULE = namespace_write_access
