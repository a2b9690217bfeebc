"""authenticated-access-binding: a binding grants more than reading to every authenticated identity."""

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
    PolicyRule,
    aggregated_sources,
    aggregation_selectors,
    is_binding,
    is_role,
    role_rules,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated

EVERYONE: dict[tuple[str, str], str] = {
    ("Group", "system:authenticated"): "every user and service account with valid credentials",
    ("Group", "system:serviceaccounts"): "every service account of every namespace",
}
"""The groups the API server puts every authenticated request, or every service account, in."""

BUILT_IN_WRITERS: tuple[tuple[str, dict[str, str]], ...] = (
    ("system:aggregate-to-admin", {"kubernetes.io/bootstrapping": "rbac-defaults",
                                   "rbac.authorization.k8s.io/aggregate-to-admin": "true"}),
    ("system:aggregate-to-edit", {"kubernetes.io/bootstrapping": "rbac-defaults",
                                  "rbac.authorization.k8s.io/aggregate-to-edit": "true"}),
)
"""Built-in ClusterRoles that every cluster has, with their labels, whose rules write (create, update and
delete workloads, Services, ConfigMaps, Secrets, ...): an aggregation selector that picks one of them gives
the aggregated role those writes. (``edit`` carries the admin label too and is covered by it;
``system:aggregate-to-view`` only reads.)"""

READ_VERBS = frozenset({"get", "list", "watch"})
EVENT_GROUPS = frozenset({"", "events.k8s.io"})
CONNECT_SUBRESOURCES = frozenset({"exec", "attach", "portforward", "proxy"})
REVIEW_GROUPS = frozenset({"authentication.k8s.io", "authorization.k8s.io"})
SELF_REVIEWS = frozenset({"selfsubjectreviews", "selfsubjectaccessreviews", "selfsubjectrulesreviews"})
"""Create-only resources that answer a question about the caller alone (who am I, what may I do): the built-in
``system:basic-user`` ClusterRole grants ``create`` on them to ``system:authenticated``."""


class Params(NamedTuple):
    roles: Annotated[tuple[str, ...], param(
        "ClusterRoles not among the linted objects that count as allowing more than reading (the built-in "
        "user-facing roles that write; add your own).",
        unique_items=True,
        items={"minLength": 1},
    )] = ("cluster-admin", "admin", "edit")


def _beyond_reading(r: PolicyRule) -> str | None:
    """What the rule allows beyond reading objects other than Secrets, or None: a verb other than get, list
    and watch on a resource other than Events, any verb on Secrets, or any verb on a subresource that opens a
    connection (exec, attach, port-forward, proxy: ``get`` opens some of them)."""
    secrets_group = any(g in ("", "*") for g in r.api_groups)
    only_event_groups = all(g in EVENT_GROUPS for g in r.api_groups)
    only_review_groups = all(g in REVIEW_GROUPS for g in r.api_groups)
    # RBAC cannot limit create (or deletecollection) by name: with resourceNames those verbs grant nothing.
    writes = [v for v in r.verbs if v not in READ_VERBS
              and not (r.resource_names and v in ("create", "deletecollection"))]
    for item in r.resources:
        if item == "events" and only_event_groups:
            continue  # recording Events is what every component may do; it changes no other object
        if item in SELF_REVIEWS and only_review_groups:
            continue  # a review of the caller's own identity or access: it reads or changes nothing else
        if writes:
            return f"{writes[0]!r} on {item} ({to_dotted(r.path)})"
        if not r.verbs:
            return None
        if secrets_group and item == "secrets":
            return f"{r.verbs[0]!r} on Secrets ({to_dotted(r.path)})"
        if secrets_group and item == "*":
            return f"{r.verbs[0]!r} on every resource, Secrets included ({to_dotted(r.path)})"
        if item.partition("/")[2] in CONNECT_SUBRESOURCES:
            return f"{r.verbs[0]!r} on {item}, which opens a connection into pods or nodes ({to_dotted(r.path)})"
    return None


def _role_power(index: ResourceIndex, role: Resource, seen: set[int]) -> str | None:
    """What a linted Role or ClusterRole allows beyond reading, through its own rules or (for an aggregated
    ClusterRole) the linted ClusterRoles it aggregates or the built-in cluster-admin, or None."""
    seen.add(id(role))
    for r in role_rules(role, index):
        how = _beyond_reading(r)
        if how is not None:
            return how
    if role.kind != "ClusterRole":
        return None
    for path, selector in aggregation_selectors(role):
        if label_selector_matches(selector, CLUSTER_ADMIN_LABELS) is True:
            return f"everything: {to_dotted(path)} aggregates the built-in cluster-admin"
        for name, labels in BUILT_IN_WRITERS:
            if label_selector_matches(selector, labels) is True:
                return f"writes: {to_dotted(path)} aggregates the built-in {name}"
    for source in aggregated_sources(index, role, label_selector_matches):
        if id(source) in seen:
            continue
        how = _role_power(index, source, seen)
        if how is not None:
            return f"{how} through the aggregated ClusterRole {source.name!r}"
    return None


@rule(
    code="SEC111",
    name="authenticated-access-binding",
    title="RBAC binding grants more than reading to every authenticated identity",
    severity=Severity.WARNING,
    pack="security",
    since="0.3.0",
    status="preview",
    tags=("rbac",),
    remediation="Bind the role to the users, groups or service accounts that need it instead of "
    "system:authenticated or system:serviceaccounts, or reduce it to get, list and watch on what is public.",
    params=Params,
    kinds=BINDING_KINDS,
    references=(
        RBAC_GOOD_PRACTICES,
        Reference("Kubernetes: Authenticating (user and group names)",
                  "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#users-in-kubernetes"),
        Reference("Kubernetes: Default roles and role bindings",
                  "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#default-roles-and-role-bindings"),
    ),
)
def authenticated_access_binding(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports RoleBinding and ClusterRoleBinding subjects `Group system:authenticated` (every user and service
    account the API server authenticates) and `Group system:serviceaccounts` (every service account of every
    namespace) when the bound role allows more than reading: a verb other than `get`, `list` and `watch` on
    any resource but Events and the reviews of the caller's own identity and access (`selfsubjectreviews`,
    `selfsubjectaccessreviews`, `selfsubjectrulesreviews`, which the built-in `system:basic-user` grants
    these groups), any verb on Secrets (`secrets` or `*` in the core or `*` group, named or
    not), or any verb on a subresource that opens a connection (`exec`, `attach`, `portforward`, `proxy`).
    The role is a ClusterRole in `roles` (default: the built-in `cluster-admin`, `admin` and `edit`), or a
    Role or ClusterRole among the linted objects in the binding's tree; an aggregated ClusterRole is judged
    by the linted ClusterRoles it aggregates and by the built-in ones its selectors pick (`cluster-admin`,
    `system:aggregate-to-admin` and `system:aggregate-to-edit` write). A binding of a role that is neither
    is not reported, nor rules on `nonResourceURLs` (the built-in bindings give these groups discovery and
    health endpoints that way). Bindings of
    `system:anonymous` and `system:unauthenticated` are `anonymous-access-binding`'s.

    ## Why is this bad?
    `system:authenticated` is not "our users": it holds every identity the cluster's authenticators accept,
    every service account token of every workload included, and on some managed platforms anyone with an
    account of the cloud provider. A binding to it turns one stolen workload token into whatever the role
    allows. The defaults give these groups only discovery and their own permissions' review; the Kubernetes
    RBAC good practices advise against granting them more.

    ## Example
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata:
      name: everyone-edits
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: ClusterRole
      name: edit
    subjects:
      - kind: Group
        apiGroup: rbac.authorization.k8s.io
        name: system:authenticated
    ```

    ## Use instead
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      name: team-edits
      namespace: shop
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: ClusterRole
      name: edit
    subjects:
      - kind: Group
        apiGroup: rbac.authorization.k8s.io
        name: example:shop-developers
    ```
    """
    if not is_binding(resource):
        return
    hits = [(i, subject, who) for i, subject in iter_maps(resource.data, ("subjects",))
            if (who := EVERYONE.get((str(subject.get("kind")), str(subject.get("name"))))) is not None]
    if not hits:
        return
    role_kind = get_str(resource.data, ("roleRef", "kind"))
    name = get_str(resource.data, ("roleRef", "name"))
    if role_kind not in ("ClusterRole", "Role") or not name:
        return
    how: str | None
    if role_kind == "ClusterRole" and name in params.roles:
        how = f"more than reading ({name!r} is one of the built-in roles that write)"
    else:
        role = ctx.index.find_related(role_kind, name, resource)
        if role is None or not is_role(role):
            return
        how = _role_power(ctx.index, role, set())
    if how is None:
        return
    scope = "in every namespace" if resource.kind == "ClusterRoleBinding" else (
        f"in namespace {resource.namespace!r}" if resource.namespace else "in its namespace"
    )
    for i, subject, who in hits:
        yield Violation(
            ("subjects", i, "name"),
            f"{resource.describe()} grants {role_kind} {name!r} {scope} to {subject.get('kind')} "
            f"{subject.get('name')}, {who}; the role allows {how}",
            at_value=True,
        )


RULE = authenticated_access_binding
