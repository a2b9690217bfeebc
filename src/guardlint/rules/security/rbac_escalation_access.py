"""rbac-escalation-access: a role can escalate, bind or impersonate."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.security._rbac import RBAC_GROUP, ROLE_KINDS, grant, role_rules

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Literal

TARGETS: dict[str, tuple[tuple[str, str], ...]] = {
    "escalate": ((RBAC_GROUP, "roles"), (RBAC_GROUP, "clusterroles")),
    "bind": ((RBAC_GROUP, "roles"), (RBAC_GROUP, "clusterroles")),
    "impersonate": (
        ("", "users"), ("", "groups"), ("", "serviceaccounts"),
        ("authentication.k8s.io", "userextras/scopes"), ("authentication.k8s.io", "uids"),
    ),
}
_WHY = {
    "escalate": "create or change roles with permissions the subject does not have",
    "bind": "bind any role, including ones with permissions the subject does not have",
    "impersonate": "act as other users, groups or service accounts",
}


class Params(NamedTuple):
    verbs: Annotated[tuple[Literal["escalate", "bind", "impersonate"], ...], param(
        "Escalation verbs to report.",
        min_items=1,
        unique_items=True,
    )] = ("escalate", "bind", "impersonate")


@rule(
    code="SEC064",
    name="rbac-escalation-access",
    title="RBAC role can escalate, bind or impersonate",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=("rbac",),
    remediation="Remove the escalate, bind and impersonate verbs; grant the needed permissions directly instead.",
    params=Params,
    kinds=ROLE_KINDS,
    references=(
        Reference(
            "Kubernetes: RBAC, privilege escalation prevention and bootstrapping",
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping",
        ),
        Reference("Kubernetes: User impersonation",
                  "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation"),
    ),
)
def rbac_escalation_access(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Role and ClusterRole rules that allow `escalate` or `bind` on `roles` or `clusterroles`, or
    `impersonate` on `users`, `groups`, `serviceaccounts`, `userextras` or `uids`. The verb or the resource
    must be named explicitly; a rule with `*` in both is left to `wildcard-rbac-rule`.

    ## Why is this bad?
    These verbs are the RBAC authorizer's explicit exceptions to its own escalation check: `escalate`
    allows writing roles with permissions the subject lacks, `bind` allows binding them, and `impersonate`
    allows acting as anyone, for example as a member of `system:masters`
    (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping).

    ## Example
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: team-admin
    rules:
      - apiGroups: [rbac.authorization.k8s.io]
        resources: [roles, rolebindings]
        verbs: [get, list, create, update, bind, escalate]
    ```

    ## Use instead
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: team-admin
    rules:
      - apiGroups: [rbac.authorization.k8s.io]
        resources: [roles, rolebindings]
        verbs: [get, list, create, update]
    ```
    """
    for r in role_rules(resource, ctx.index):
        for verb in params.verbs:
            for group, target in TARGETS[verb]:
                hit = grant(r, group, target, (verb,))
                if hit is None:
                    continue
                index, granted = hit
                resource_item = (r.data.get("resources") or [None])[index]
                if granted == "*" and resource_item == "*":
                    continue  # both wildcards: wildcard-rbac-rule reports it
                path = r.item_path("verbs", verb) if granted == verb else (*r.path, "resources", index)
                yield Violation(
                    path,
                    f"{resource.describe()} allows {verb!r} on {target} ({_WHY[verb]})",
                    at_value=True,
                )
                break


RULE = rbac_escalation_access
