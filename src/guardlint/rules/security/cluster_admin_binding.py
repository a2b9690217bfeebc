"""cluster-admin-binding: a binding grants the cluster-admin role."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from guardlint.findings import Severity
from guardlint.model.access import get_str, iter_maps
from guardlint.model.resource import Resource
from guardlint.rules.api import Reference, RuleContext, Violation, rule
from guardlint.rules.security._rbac import BINDING_KINDS, is_binding


class Params(NamedTuple):
    roles: tuple[str, ...] = ("cluster-admin",)


PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "roles": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "minItems": 1,
            "uniqueItems": True,
            "default": ["cluster-admin"],
            "description": "ClusterRoles that grant full control (add your own super-user roles).",
        },
    },
}


def _subjects(resource: Resource) -> str:
    out = []
    for _, s in iter_maps(resource.data, ("subjects",)):
        ns = get_str(s, ("namespace",))
        out.append(f"{s.get('kind')} {(ns + '/') if ns else ''}{s.get('name')}")
    return ", ".join(out) or "no subjects"


@rule(
    code="SEC061",
    name="cluster-admin-binding",
    title="Binding grants the cluster-admin role",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=("rbac",),
    remediation="Bind a role that grants only the verbs and resources the subject needs instead of cluster-admin.",
    params=Params,
    params_schema=PARAMS_SCHEMA,
    kinds=BINDING_KINDS,
    references=(
        Reference("Kubernetes: Role Based Access Control Good Practices",
                  "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"),
        Reference("Kubernetes: User-facing roles (cluster-admin)",
                  "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles"),
    ),
)
def cluster_admin_binding(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports ClusterRoleBindings and RoleBindings whose `roleRef` is a ClusterRole in `roles` (default
    `cluster-admin`). A RoleBinding grants it within its namespace, a ClusterRoleBinding everywhere.

    ## Why is this bad?
    `cluster-admin` allows every action on every resource. A workload bound to it turns any bug into a
    cluster takeover, and a person bound to it bypasses every other control. The Kubernetes RBAC good
    practices reserve it for break-glass use
    (https://kubernetes.io/docs/concepts/security/rbac-good-practices/).

    ## Example
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata:
      name: ci-admin
    subjects:
      - kind: ServiceAccount
        name: ci
        namespace: ci
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: ClusterRole
      name: cluster-admin
    ```

    ## Use instead
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      name: ci-deployer
      namespace: shop
    subjects:
      - kind: ServiceAccount
        name: ci
        namespace: ci
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: ClusterRole
      name: edit
    ```
    """
    if not is_binding(resource):
        return
    if get_str(resource.data, ("roleRef", "kind")) != "ClusterRole":
        return
    name = get_str(resource.data, ("roleRef", "name"))
    if name not in params.roles:
        return
    scope = "in every namespace" if resource.kind == "ClusterRoleBinding" else (
        f"in namespace {resource.namespace!r}" if resource.namespace else "in its namespace"
    )
    yield Violation(
        ("roleRef", "name"),
        f"{resource.kind} grants {name!r} {scope} to {_subjects(resource)}",
        at_value=True,
    )


RULE = cluster_admin_binding
