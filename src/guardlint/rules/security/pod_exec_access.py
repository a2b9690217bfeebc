"""pod-exec-access: a role can run commands in, or attach to, running containers."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.security._rbac import ROLE_KINDS, grant, role_rules

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Literal


class Params(NamedTuple):
    subresources: Annotated[tuple[Literal["exec", "attach", "portforward", "ephemeralcontainers", "proxy"], ...], param(
        "Pod subresources to report.",
        min_items=1,
        unique_items=True,
    )] = ("exec", "attach")


@rule(
    code="SEC063",
    name="pod-exec-access",
    title="RBAC role can exec into or attach to pods",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=("rbac",),
    remediation="Remove pods/exec and pods/attach from the role; debug through logs, metrics or a break-glass role.",
    params=Params,
    kinds=ROLE_KINDS,
    references=(
        Reference("Kubernetes: RBAC Good Practices (privilege escalation risks)",
                  "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#kubernetes-rbac---privilege-escalation-risks"),
    ),
)
def pod_exec_access(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports Role and ClusterRole rules that name `pods/exec` or `pods/attach` (or `*/exec`, `*/attach`;
    more pod subresources with `subresources`) in the core API group with a verb that opens the session
    (`create`, `get` or `*`). A `resources: ["*"]` is left to `wildcard-rbac-rule`.

    ## Why is this bad?
    Exec and attach run commands inside any container in scope, with that container's service account
    token, mounted Secrets and network position: whoever holds the role holds every pod's privileges
    (https://kubernetes.io/docs/concepts/security/rbac-good-practices/).

    ## Example
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: support
      namespace: shop
    rules:
      - apiGroups: [""]
        resources: [pods, pods/log, pods/exec]
        verbs: [get, list, create]
    ```

    ## Use instead
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata:
      name: support
      namespace: shop
    rules:
      - apiGroups: [""]
        resources: [pods, pods/log]
        verbs: [get, list]
    ```
    """
    for r in role_rules(resource, ctx.index):
        for sub in params.subresources:
            hit = grant(r, "", f"pods/{sub}", ("create", "get"), wildcard_resource=False)
            if hit is None:
                continue
            index, verb = hit
            yield Violation(
                (*r.path, "resources", index),
                f"{resource.describe()} allows {verb!r} on pods/{sub}: commands in any container in scope",
                at_value=True,
            )


RULE = pod_exec_access
