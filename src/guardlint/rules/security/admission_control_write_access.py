"""admission-control-write-access: a ClusterRole can change or remove admission webhooks and policies."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.security._rbac import grant, role_rules

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

GROUP = "admissionregistration.k8s.io"
ADMISSION_RESOURCES = (
    "validatingwebhookconfigurations",
    "mutatingwebhookconfigurations",
    "validatingadmissionpolicies",
    "validatingadmissionpolicybindings",
    "mutatingadmissionpolicies",
    "mutatingadmissionpolicybindings",
)
WRITE_VERBS = ("create", "update", "patch", "delete", "deletecollection")


@rule(
    code="SEC100",
    name="admission-control-write-access",
    title="RBAC role can change admission webhooks or policies",
    severity=Severity.WARNING,
    pack="security",
    since="0.2.0",
    status="preview",
    tags=("rbac",),
    remediation="Grant only get, list and watch on admission configurations; a controller that injects its own "
    "webhook's CA bundle needs update or patch only on its own configurations (resourceNames).",
    kinds=("ClusterRole",),
    references=(
        Reference("Kubernetes: RBAC Good Practices (control admission)",
                  "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#control-admission-webhooks"),
        Reference("Kubernetes: Dynamic Admission Control",
                  "https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/"),
    ),
)
def admission_control_write_access(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports ClusterRole rules that allow `create`, `update`, `patch`, `delete` or `deletecollection` (or
    `*`) on `validatingwebhookconfigurations`, `mutatingwebhookconfigurations`,
    `validatingadmissionpolicies`, `validatingadmissionpolicybindings`, `mutatingadmissionpolicies` or
    `mutatingadmissionpolicybindings` in the `admissionregistration.k8s.io` group (or `*` groups). Rules
    limited by `resourceNames` are not reported: they reach only the named configurations (create cannot be
    limited that way, so such a rule grants no create at all). `resources: ["*"]` is left to
    `wildcard-rbac-rule`. Roles are not reported: these objects are cluster-scoped, so a Role cannot grant
    them.

    ## Why is this bad?
    Admission webhooks and policies enforce the cluster's guardrails (Pod Security, image policies, quota
    and tenancy checks). Whoever can delete or patch them can switch that enforcement off (set
    `failurePolicy: Ignore`, narrow the rules, delete the binding) and then create what it blocked; whoever
    can create a mutating webhook sees and can change every object it intercepts, Secrets included. The
    Kubernetes RBAC good practices list write access to admission configuration among the permissions that
    allow privilege escalation.

    ## Example
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: webhook-manager
    rules:
      - apiGroups: [admissionregistration.k8s.io]
        resources: [validatingwebhookconfigurations, mutatingwebhookconfigurations]
        verbs: [get, list, watch, update, patch]
    ```

    ## Use instead
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: webhook-manager
    rules:
      - apiGroups: [admissionregistration.k8s.io]
        resources: [validatingwebhookconfigurations, mutatingwebhookconfigurations]
        verbs: [get, list, watch]
      - apiGroups: [admissionregistration.k8s.io]
        resources: [validatingwebhookconfigurations]
        resourceNames: [acme-validating-webhook]
        verbs: [update, patch]
    ```
    """
    for r in role_rules(resource, ctx.index):
        if r.resource_names:
            continue
        hits: list[tuple[int, str, str]] = []
        for name in ADMISSION_RESOURCES:
            hit = grant(r, GROUP, name, WRITE_VERBS, wildcard_resource=False)
            if hit is not None:
                hits.append((hit[0], name, hit[1]))
        if not hits:
            continue
        index, _, verb = hits[0]
        names = ", ".join(name for _, name, _ in hits)
        verbs = [v for v in r.verbs if v == "*" or v in WRITE_VERBS]
        effect = (
            "it can add admission webhooks or policies that intercept requests across the cluster"
            if verbs == ["create"] else "it can switch admission control off for the whole cluster"
        )
        yield Violation((*r.path, "resources", index),
                        f"{resource.describe()} allows {', '.join(verbs) or verb} on {names}: {effect}", at_value=True)


RULE = admission_control_write_access
