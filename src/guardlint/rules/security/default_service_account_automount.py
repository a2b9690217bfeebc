"""default-service-account-automount: the namespace's default ServiceAccount hands its token to every pod."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="SEC101",
    name="default-service-account-automount",
    title="The default ServiceAccount mounts its token into pods",
    severity=Severity.WARNING,
    pack="security",
    since="0.2.0",
    status="preview",
    tags=("service-accounts", "hardening"),
    remediation="Set automountServiceAccountToken: false on the default ServiceAccount; pods that need an API "
    "token run as a service account of their own.",
    kinds=("ServiceAccount",),
    references=(
        Reference("Kubernetes: Configure Service Accounts for Pods (opt out of API credential automounting)",
                  "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/"
                  "#opt-out-of-api-credential-automounting"),
        Reference("Kubernetes: RBAC Good Practices", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"),
    ),
)
def default_service_account_automount(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports a ServiceAccount object named `default` (the account of every pod in its namespace that names
    none) unless it sets `automountServiceAccountToken: false`. Only the object itself is judged: a
    namespace whose `default` account is not among the linted objects is left to the cluster (and pods are
    `service-account-token-automounted`'s business). On by default: manifests rarely declare the `default`
    account, and when they do it is to configure it, which is the place to switch the token off.

    ## Why is this bad?
    Every pod of the namespace that does not name a service account runs as `default`, and unless the
    account or the pod says otherwise the kubelet mounts an API token into each of them. Most such pods
    never call the API, so the token only serves an attacker who gets into one of them, with whatever the
    account has been granted since (`imagePullSecrets` and role bindings added to `default` reach every pod).
    The CIS Kubernetes Benchmark (5.1.5) asks for `automountServiceAccountToken: false` on default
    service accounts.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: default
      namespace: shop
    imagePullSecrets:
      - name: registry-credentials
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: default
      namespace: shop
    imagePullSecrets:
      - name: registry-credentials
    automountServiceAccountToken: false
    ```
    """
    if resource.group != "" or resource.name != "default":
        return
    value = resource.data.get("automountServiceAccountToken")
    if value is False or (value is not None and not isinstance(value, bool)):
        return  # a string or number is wrong-field-type's finding
    where = f"in namespace {resource.namespace!r}" if resource.namespace else "of the namespace it is applied to"
    if value is None:
        yield Violation(("automountServiceAccountToken",),
                        f"the default ServiceAccount {where} does not set automountServiceAccountToken: false, so "
                        "every pod that names no service account gets an API token")
    else:
        yield Violation(("automountServiceAccountToken",),
                        f"the default ServiceAccount {where} sets automountServiceAccountToken to "
                        f"{str(value).lower()}, so every pod that names no service account gets an API token",
                        at_value=True)


RULE = default_service_account_automount
