"""cluster-admin-binding: a binding grants the cluster-admin role."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_str, iter_maps
from guardlint.model.index import ResourceIndex
from guardlint.model.paths import to_dotted
from guardlint.model.selectors import label_selector_matches
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.references import RBAC_GOOD_PRACTICES
from guardlint.rules.security._rbac import (
    BINDING_KINDS,
    CLUSTER_ADMIN_LABELS,
    aggregated_sources,
    aggregation_selectors,
    is_binding,
    is_full_access,
    is_role,
    role_rules,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    roles: Annotated[tuple[str, ...], param(
        "ClusterRoles that grant full control (add your own super-user roles).",
        min_items=1,
        unique_items=True,
        items={"minLength": 1},
    )] = ("cluster-admin",)


def _subjects(resource: Resource) -> str:
    out = []
    for _, s in iter_maps(resource.data, ("subjects",)):
        ns = get_str(s, ("namespace",))
        out.append(f"{s.get('kind')} {(ns + '/') if ns else ''}{s.get('name')}")
    return ", ".join(out) or "no subjects"


@rule(
    code="SEC061",
    name="cluster-admin-binding",
    title="Binding grants the cluster-admin role or an equivalent",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=("rbac",),
    remediation="Bind a role that grants only the verbs and resources the subject needs instead of cluster-admin.",
    params=Params,
    kinds=BINDING_KINDS,
    references=(
        RBAC_GOOD_PRACTICES,
        Reference("Kubernetes: User-facing roles (cluster-admin)",
                  "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles"),
    ),
)
def cluster_admin_binding(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports ClusterRoleBindings and RoleBindings whose `roleRef` is a ClusterRole in `roles` (default
    `cluster-admin`), or a Role or ClusterRole among the linted objects (in the binding's tree) that is
    equivalent to it: a rule with `*` in `verbs`, `apiGroups` and `resources` and no `resourceNames`, or, for
    an aggregated ClusterRole, an aggregation selector that picks the built-in `cluster-admin` (label
    `kubernetes.io/bootstrapping: rbac-defaults`, or an empty selector) or a linted ClusterRole that is itself
    equivalent. A RoleBinding grants the role within its namespace, a ClusterRoleBinding everywhere.

    ## Why is this bad?
    `cluster-admin` allows every action on every resource, and so does any role with a wildcard rule on
    every resource of every API group, whatever it is called. A workload bound to it turns any bug into a
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
    role_kind = get_str(resource.data, ("roleRef", "kind"))
    name = get_str(resource.data, ("roleRef", "name"))
    if role_kind not in ("ClusterRole", "Role") or not name:
        return
    scope = "in every namespace" if resource.kind == "ClusterRoleBinding" else (
        f"in namespace {resource.namespace!r}" if resource.namespace else "in its namespace"
    )
    if role_kind == "ClusterRole" and name in params.roles:
        yield Violation(
            ("roleRef", "name"),
            f"{resource.kind} grants {name!r} {scope} to {_subjects(resource)}",
            at_value=True,
        )
        return
    role = ctx.index.find_related(role_kind, name, resource)
    if role is None or not is_role(role):
        return
    how = _full_access(ctx.index, role, set())
    if how is not None:
        yield Violation(
            ("roleRef", "name"),
            f"{resource.kind} grants {role_kind} {name!r}, which allows every verb on every resource like "
            f"cluster-admin ({how}), {scope} to {_subjects(resource)}",
            at_value=True,
        )


def _full_access(index: ResourceIndex, role: Resource, seen: set[int]) -> str | None:
    """How ``role`` comes to allow everything, or None: a wildcard rule of its own, an aggregation selector
    that picks the built-in cluster-admin, or an aggregated ClusterRole in its tree that does."""
    seen.add(id(role))
    for r in role_rules(role, index):
        if is_full_access(r):
            return f"{to_dotted(r.path)} is '*' on '*' in every API group"
    if role.kind != "ClusterRole":
        return None
    for path, selector in aggregation_selectors(role):
        if label_selector_matches(selector, CLUSTER_ADMIN_LABELS) is True:
            return f"{to_dotted(path)} aggregates the built-in cluster-admin"
    for source in aggregated_sources(index, role, label_selector_matches):
        if id(source) in seen:
            continue
        if _full_access(index, source, seen) is not None:
            return f"it aggregates ClusterRole {source.name!r}, which does"
    return None

RULE = cluster_admin_binding
