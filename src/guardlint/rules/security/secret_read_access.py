"""secret-read-access: a role can read Secrets."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.security._rbac import ROLE_KINDS, grant, role_rules

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    verbs: Annotated[tuple[str, ...], param(
        "Verbs that read Secrets ('*' always counts).",
        min_items=1,
        unique_items=True,
        items={"minLength": 1},
    )] = ("get", "list", "watch")
    ignore_resource_names: Annotated[bool, param("Accept rules limited to named Secrets with resourceNames.")] = True


@rule(
    code="SEC062",
    name="secret-read-access",
    title="RBAC role can read Secrets",
    severity=Severity.INFO,
    pack="security",
    since="0.1.0",
    tags=("rbac", "secrets"),
    remediation=(
        "Limit the rule to the Secrets the subject needs with resourceNames, or mount the Secrets into its pods "
        "instead."
    ),
    params=Params,
    kinds=ROLE_KINDS,
    enabled_by_default=False,
    references=(
        Reference("Kubernetes: RBAC Good Practices (listing secrets)",
                  "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets"),
    ),
)
def secret_read_access(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Role and ClusterRole rules that allow a read verb (`get`, `list`, `watch` or `*`) on `secrets`
    in the core API group, also through `resources: ["*"]` or `apiGroups: ["*"]`. Rules limited by
    `resourceNames` are accepted unless `ignore-resource-names` is off. Off by default: many controllers
    legitimately read Secrets.

    ## Why is this bad?
    Reading Secrets gives the credentials of every service account, registry and application in scope;
    `list` and `watch` return their contents too, not just names
    (https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets).

    ## Example
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: config-reader
    rules:
      - apiGroups: [""]
        resources: [configmaps, secrets]
        verbs: [get, list, watch]
    ```

    ## Use instead
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: config-reader
      namespace: shop
    rules:
      - apiGroups: [""]
        resources: [configmaps]
        verbs: [get, list, watch]
      - apiGroups: [""]
        resources: [secrets]
        resourceNames: [shop-tls]
        verbs: [get]
    ```
    """
    for r in role_rules(resource, ctx.index):
        if params.ignore_resource_names and r.resource_names:
            continue
        hit = grant(r, "", "secrets", params.verbs)
        if hit is None:
            continue
        index, verb = hit
        scope = "in every namespace" if resource.kind == "ClusterRole" else "in its namespace"
        yield Violation(
            (*r.path, "resources", index),
            f"{resource.describe()} allows {verb!r} on Secrets {scope}",
            at_value=True,
        )


RULE = secret_read_access
