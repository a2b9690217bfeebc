"""token-create-access: a role can mint tokens for service accounts."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.security._rbac import ROLE_KINDS, grant, role_rules

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="SEC067",
    name="token-create-access",
    title="RBAC role can create service account tokens",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=("rbac", "service-accounts"),
    remediation="Remove serviceaccounts/token from the role, or limit it to named service accounts with resourceNames.",
    kinds=ROLE_KINDS,
    references=(
        Reference("Kubernetes: RBAC Good Practices (token request)",
                  "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#token-request"),
    ),
)
def token_create_access(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Role and ClusterRole rules that allow `create` (or `*`) on `serviceaccounts/token` (or
    `*/token`) in the core API group, unless the rule is limited to named service accounts with
    `resourceNames`. A `resources: ["*"]` is left to `wildcard-rbac-rule`.

    ## Why is this bad?
    The TokenRequest API issues a token for any service account in scope: the holder can act as each of
    them, including controllers' highly privileged accounts in a ClusterRole's case
    (https://kubernetes.io/docs/concepts/security/rbac-good-practices/#token-request).

    ## Example
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: token-broker
    rules:
      - apiGroups: [""]
        resources: [serviceaccounts/token]
        verbs: [create]
    ```

    ## Use instead
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: token-broker
      namespace: builds
    rules:
      - apiGroups: [""]
        resources: [serviceaccounts/token]
        resourceNames: [image-pusher]
        verbs: [create]
    ```
    """
    for r in role_rules(resource, ctx.index):
        if r.resource_names:
            continue
        hit = grant(r, "", "serviceaccounts/token", ("create",), wildcard_resource=False)
        if hit is None:
            continue
        index, verb = hit
        scope = "in every namespace" if resource.kind == "ClusterRole" else "in its namespace"
        yield Violation(
            (*r.path, "resources", index),
            f"{resource.describe()} allows {verb!r} on serviceaccounts/token: tokens for any service account {scope}",
            at_value=True,
        )


RULE = token_create_access
