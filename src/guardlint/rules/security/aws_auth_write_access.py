"""aws-auth-write-access: a role can rewrite the ConfigMap that maps AWS identities to Kubernetes ones on EKS."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.access import get_str
from guardlint.model.index import ResourceIndex
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import RBAC_GOOD_PRACTICES
from guardlint.rules.security._rbac import ROLE_KINDS, PolicyRule, grant, is_binding, role_rules

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CONFIG_MAP = "aws-auth"
NAMESPACE = "kube-system"
WRITE_VERBS = ("update", "patch")
"""Verbs that change the existing ConfigMap (``*`` counts too). ``create`` is not among them: it writes the
mappings only where the ConfigMap does not exist yet (an EKS cluster with nodes in the ConfigMap mode has one),
and RBAC cannot limit it by name (a rule with ``resourceNames`` grants no create at all)."""


def _bindings_by_cluster_role(index: ResourceIndex) -> Mapping[str, tuple[Resource, ...]]:
    """The bindings that grant a ClusterRole in kube-system, by the ClusterRole's name: every ClusterRoleBinding
    and the RoleBindings of kube-system (built once per run)."""
    table: dict[str, list[Resource]] = {}
    for kind in ("ClusterRoleBinding", "RoleBinding"):
        for b in index.of_kind(kind, any_namespace=True):
            if not is_binding(b) or (kind == "RoleBinding" and b.namespace != NAMESPACE):
                continue
            if get_str(b.data, ("roleRef", "kind")) != "ClusterRole":
                continue
            name = get_str(b.data, ("roleRef", "name"))
            if name:
                table.setdefault(name, []).append(b)
    return {k: tuple(v) for k, v in table.items()}


def _binding_in_kube_system(role: Resource, index: ResourceIndex) -> Resource | None:
    """The first linted binding in ``role``'s tree that grants the ClusterRole in kube-system, or None."""
    if not role.name:
        return None
    table = index.memo("security.aws-auth.cluster-role-bindings", lambda: _bindings_by_cluster_role(index))
    for b in table.get(role.name, ()):
        if index.same_tree(role, b):
            return b
    return None


def _grant(r: PolicyRule) -> tuple[int, str] | None:
    """(index of the ``configmaps`` item, verb) when the rule may change a ConfigMap called aws-auth."""
    if r.resource_names and CONFIG_MAP not in r.resource_names:
        return None
    return grant(r, "", "configmaps", WRITE_VERBS, wildcard_resource=False)


@rule(
    code="SEC110",
    name="aws-auth-write-access",
    title="RBAC role can rewrite the EKS aws-auth ConfigMap",
    severity=Severity.WARNING,
    pack="security",
    since="0.3.0",
    status="preview",
    tags=("rbac", "eks"),
    remediation="Remove create, update and patch on ConfigMaps in kube-system (or on the one named aws-auth) from "
    "roles that do not administer cluster access; on EKS, manage access with access entries instead.",
    kinds=ROLE_KINDS,
    enabled_by_default=False,
    references=(
        Reference("Amazon EKS: Grant IAM users and roles access to Kubernetes APIs (aws-auth ConfigMap)",
                  "https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html"),
        RBAC_GOOD_PRACTICES,
    ),
)
def aws_auth_write_access(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Role and ClusterRole rules that let their subjects change the ConfigMap `kube-system/aws-auth`,
    which maps AWS IAM roles and users to Kubernetes users and groups on Amazon EKS:

    - a rule on `configmaps` in the core API group (or `*` groups) whose `resourceNames` include `aws-auth`
      and whose verbs include `update`, `patch` or `*`, in a ClusterRole or in a Role of `kube-system`;
    - a rule on `configmaps` without `resourceNames` whose verbs include `update`, `patch` or `*`, in a
      Role of `kube-system`, or in a ClusterRole that a linted ClusterRoleBinding, or a RoleBinding of
      `kube-system`, grants (in the role's tree).

    `resources: ["*"]` is left to `wildcard-rbac-rule`. Not reported: `create` (it writes the mappings only
    where the ConfigMap does not exist yet, and RBAC cannot limit it by name), `delete` (it removes access,
    it grants none), a ClusterRole without `resourceNames` that no linted binding grants in kube-system, and
    a Role of another namespace or of no namespace.

    ## Why is this bad?
    The IAM authenticator of an EKS cluster reads `aws-auth` to decide who an AWS identity is in Kubernetes.
    Whoever can change it can map an AWS role it controls to `system:masters` and so become cluster
    administrator, beyond what RBAC shows: the grant lives in a ConfigMap, not in a binding. The Amazon EKS
    documentation recommends access entries instead, and treats write access to `aws-auth` as cluster
    administration. Off by default: the ConfigMap means something only on EKS clusters that still read it
    (authentication mode `CONFIG_MAP` or `API_AND_CONFIG_MAP`); turn the rule on where they do.

    ## Example
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: config-editor
      namespace: kube-system
    rules:
      - apiGroups: [""]
        resources: [configmaps]
        verbs: [get, list, update, patch]
    ```

    ## Use instead
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: config-editor
      namespace: kube-system
    rules:
      - apiGroups: [""]
        resources: [configmaps]
        resourceNames: [coredns]
        verbs: [get, update, patch]
    ```
    """
    if resource.kind == "Role" and resource.namespace != NAMESPACE:
        return
    for r in role_rules(resource, ctx.index):
        hit = _grant(r)
        if hit is None:
            continue
        index, verb = hit
        if r.resource_names:
            how = f"{verb!r} on the ConfigMap named {CONFIG_MAP!r}"
            if resource.kind == "ClusterRole":
                how += " in any namespace it is granted in"
        elif resource.kind == "Role":
            how = f"{verb!r} on every ConfigMap of {NAMESPACE}"
        else:
            binding = _binding_in_kube_system(resource, ctx.index)
            if binding is None:
                continue
            where = "in every namespace" if binding.kind == "ClusterRoleBinding" else f"in {NAMESPACE}"
            how = f"{verb!r} on every ConfigMap, and {binding.describe()} grants it {where}"
        yield Violation(
            (*r.path, "resources", index),
            f"{resource.describe()} allows {how}: on EKS, it can map an AWS identity to system:masters in "
            f"{NAMESPACE}/{CONFIG_MAP} and become cluster administrator",
            at_value=True,
        )


RULE = aws_auth_write_access
