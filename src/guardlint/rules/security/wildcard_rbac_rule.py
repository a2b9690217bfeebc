"""wildcard-rbac-rule: a Role or ClusterRole grants '*' verbs or resources."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_list
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.security._rbac import ROLE_KINDS, role_rules

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Literal

_FIELDS = ("verbs", "resources", "apiGroups", "nonResourceURLs")
METRICS_GROUPS = frozenset({"metrics.k8s.io", "custom.metrics.k8s.io", "external.metrics.k8s.io"})
"""Read-only APIs whose resources are metric names, so a '*' is the documented way to grant them."""
_WHAT = {
    "verbs": "every verb, including escalate, bind and impersonate where they apply",
    "resources": "every resource of the listed API groups, including ones added later",
    "apiGroups": "every API group, including ones CRDs add later",
    "nonResourceURLs": "every non-resource URL of the API server",
}


class Params(NamedTuple):
    fields: Annotated[tuple[Literal["verbs", "resources", "apiGroups", "nonResourceURLs"], ...], param(
        "Rule fields in which a '*' is reported.",
        unique_items=True,
    )] = ("verbs", "resources")


@rule(
    code="SEC060",
    name="wildcard-rbac-rule",
    title="RBAC role grants '*' verbs or resources",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=("rbac",),
    remediation="List the verbs and resources the subject needs instead of '*'.",
    params=Params,
    kinds=ROLE_KINDS,
    references=(
        Reference("Kubernetes: Role Based Access Control Good Practices (least privilege)",
                  "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege"),
    ),
)
def wildcard_rbac_rule(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports a `*` in the `verbs` or `resources` of a Role or ClusterRole rule (and, when added to `fields`,
    in `apiGroups` or `nonResourceURLs`). Partial patterns such as `*/scale` are not reported. Aggregated
    ClusterRoles, whose rules the controller fills in, are skipped, and so are rules limited to the metrics
    APIs (`metrics.k8s.io`, `custom.metrics.k8s.io`, `external.metrics.k8s.io`), which are read-only and
    whose resources are metric names.

    ## Why is this bad?
    A wildcard grants more than anyone reviewed: `verbs: ["*"]` includes `escalate`, `bind` and
    `impersonate` where they apply, and `resources: ["*"]` covers Secrets and every resource type that a CRD
    adds later. The Kubernetes RBAC good practices ask for explicit lists
    (https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege).

    ## Example
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: deployer
      namespace: shop
    rules:
      - apiGroups: [apps]
        resources: ["*"]
        verbs: ["*"]
    ```

    ## Use instead
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: deployer
      namespace: shop
    rules:
      - apiGroups: [apps]
        resources: [deployments]
        verbs: [get, list, watch, update, patch]
    ```
    """
    for r in role_rules(resource, ctx.index):
        if r.api_groups and set(r.api_groups) <= METRICS_GROUPS:
            continue
        for field in params.fields:
            for j, item in enumerate(get_list(r.data, (field,)) or ()):
                if item == "*":
                    yield Violation(
                        (*r.path, field, j),
                        f"{resource.describe()} grants '*' in {field}: {_WHAT[field]}",
                        at_value=True,
                    )


RULE = wildcard_rbac_rule
