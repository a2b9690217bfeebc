"""anonymous-access-binding: a binding grants a role to requests that carry no credentials."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_str, iter_maps
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import RBAC_GOOD_PRACTICES
from guardlint.rules.security._rbac import BINDING_KINDS, is_binding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

UNAUTHENTICATED: dict[tuple[str, str], str] = {
    ("User", "system:anonymous"): "the user of every request without credentials",
    ("Group", "system:unauthenticated"): "the group of every request without credentials",
}
"""The identities the API server gives a request that no authenticator accepted (when anonymous requests are
enabled, the default)."""


@rule(
    code="SEC108",
    name="anonymous-access-binding",
    title="RBAC binding grants a role to unauthenticated requests",
    severity=Severity.WARNING,
    pack="security",
    since="0.3.0",
    status="preview",
    tags=("rbac",),
    remediation="Remove system:anonymous and system:unauthenticated from the subjects and bind the role to the "
    "users, groups or service accounts that need it.",
    kinds=BINDING_KINDS,
    references=(
        RBAC_GOOD_PRACTICES,
        Reference("Kubernetes: Anonymous requests",
                  "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests"),
    ),
)
def anonymous_access_binding(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports RoleBinding and ClusterRoleBinding subjects `User system:anonymous` and `Group
    system:unauthenticated`, whatever role they are bound to. `system:authenticated` (every user and service
    account with valid credentials) is not reported.

    ## Why is this bad?
    Every request that reaches the API server without credentials is `system:anonymous` in
    `system:unauthenticated`: whatever the role allows is open to anyone who can reach the API server's port,
    without a token or a certificate. The Kubernetes RBAC good practices advise reviewing bindings of
    `system:unauthenticated` and removing them where possible; the defaults give these identities only the
    health and version endpoints.

    ## Example
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata:
      name: status-readers
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: ClusterRole
      name: status-reader
    subjects:
      - kind: Group
        apiGroup: rbac.authorization.k8s.io
        name: system:unauthenticated
    ```

    ## Use instead
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata:
      name: status-readers
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: ClusterRole
      name: status-reader
    subjects:
      - kind: Group
        apiGroup: rbac.authorization.k8s.io
        name: example:monitoring
    ```
    """
    if not is_binding(resource):
        return
    role_kind = get_str(resource.data, ("roleRef", "kind")) or "role"
    role_name = get_str(resource.data, ("roleRef", "name"))
    role = f"{role_kind} {role_name!r}" if role_name else "its role"
    for i, subject in iter_maps(resource.data, ("subjects",)):
        who = UNAUTHENTICATED.get((str(subject.get("kind")), str(subject.get("name"))))
        if who is None:
            continue
        yield Violation(
            ("subjects", i, "name"),
            f"{resource.describe()} grants {role} to {subject.get('kind')} {subject.get('name')}, {who}: anyone "
            "who can reach the API server has what the role allows",
            at_value=True,
        )


RULE = anonymous_access_binding
