"""default-service-account: a pod runs as, or a binding grants roles to, a namespace's default service account."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_bool, get_str, iter_maps
from guardlint.model.workloads import iter_pod_specs
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.references import RBAC_GOOD_PRACTICES
from guardlint.rules.security._accounts import BINDING_KINDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    allow_without_token: Annotated[bool, param(
        "Accept pods that run as the default service account but set automountServiceAccountToken: false (they "
        "hold no credential).",
    )] = True


@rule(
    code="SEC035",
    name="default-service-account",
    title="Workload or binding uses the namespace's default service account",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=("hardening", "service-accounts", "rbac"),
    remediation=(
        "Create a ServiceAccount per workload, set serviceAccountName in the pod spec, and bind roles to that "
        "account instead of 'default'."
    ),
    params=Params,
    enabled_by_default=False,
    references=(
        Reference("Kubernetes: Service Accounts", "https://kubernetes.io/docs/concepts/security/service-accounts/"),
        RBAC_GOOD_PRACTICES,
    ),
)
def default_service_account(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports pod specs that run as the namespace's `default` service account (no `serviceAccountName`, or
    `default`), unless they set `automountServiceAccountToken: false` and `allow-without-token` is on, and
    RoleBindings and ClusterRoleBindings with a `ServiceAccount` subject named `default`. Off by default.

    ## Why is this bad?
    Every pod of a namespace that does not name a service account runs as `default`. Permissions granted to
    it are therefore granted to all of them, including pods added later by other teams, and pods that share
    the account cannot be told apart in audit logs
    (https://kubernetes.io/docs/concepts/security/rbac-good-practices/).

    ## Example
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      name: read-config
      namespace: shop
    subjects:
      - kind: ServiceAccount
        name: default
        namespace: shop
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: Role
      name: config-reader
    ```

    ## Use instead
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      name: read-config
      namespace: shop
    subjects:
      - kind: ServiceAccount
        name: checkout
        namespace: shop
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: Role
      name: config-reader
    ```
    """
    if resource.kind in BINDING_KINDS and resource.group == "rbac.authorization.k8s.io":
        for i, subject in iter_maps(resource.data, ("subjects",)):
            if subject.get("kind") == "ServiceAccount" and subject.get("name") == "default":
                ns = get_str(subject, ("namespace",)) or resource.namespace
                where = f" of namespace {ns!r}" if ns else ""
                yield Violation(
                    ("subjects", i, "name"),
                    f"{resource.kind} grants role {get_str(resource.data, ('roleRef', 'name'))!r} to the default "
                    f"service account{where}, and so to every pod there that names no service account",
                    at_value=True,
                )
        return
    for pod in iter_pod_specs(resource, ctx.workloads):
        if params.allow_without_token and get_bool(pod.spec, ("automountServiceAccountToken",)) is False:
            continue
        for key in ("serviceAccountName", "serviceAccount"):
            if get_str(pod.spec, (key,)) == "default":
                yield Violation((*pod.path, key), "the pod runs as the default service account", at_value=True)
                break
        else:
            if not get_str(pod.spec, ("serviceAccountName",)) and not get_str(pod.spec, ("serviceAccount",)):
                yield Violation(
                    (*pod.path, "serviceAccountName"),
                    "the pod sets no serviceAccountName, so it runs as the default service account",
                )


RULE = default_service_account
