"""service-account-token-automounted: a pod gets an API token it has no use for."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_bool
from guardlint.model.workloads import iter_pod_specs
from guardlint.rules.api import FixEdit, Reference, Resource, RuleContext, Severity, Violation, rule, structural_fix
from guardlint.rules.params import param
from guardlint.rules.security._accounts import is_bound, service_account_automount, service_account_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated


class Params(NamedTuple):
    only_default_service_account: Annotated[bool, param(
        "Report only pods that run as the namespace's default service account. When false, also report pods whose "
        "service account no RoleBinding or ClusterRoleBinding among the linted objects names (only when the whole "
        "repository is linted).",
    )] = True


@rule(
    code="SEC034",
    fixable="unsafe",
    name="service-account-token-automounted",
    pods_only=True,
    title="Pod mounts a service account token it does not need",
    severity=Severity.INFO,
    pack="security",
    since="0.1.0",
    tags=("hardening", "service-accounts"),
    remediation=(
        "Set automountServiceAccountToken: false in the pod spec (or on its ServiceAccount); mount a projected "
        "token only where the program calls the Kubernetes API."
    ),
    params=Params,
    enabled_by_default=False,
    references=(
        Reference(
            "Kubernetes: Configure Service Accounts for Pods (opt out of API credential automounting)",
            "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/"
            "#opt-out-of-api-credential-automounting",
        ),
    ),
)
def service_account_token_automounted(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports pod specs that leave `automountServiceAccountToken` unset while their service account does not
    need an API token: by default, pods that run as the namespace's `default` service account. A pod is not
    reported when its ServiceAccount (among the linted objects) sets `automountServiceAccountToken: false`,
    when a RoleBinding or ClusterRoleBinding among the linted objects names the service account (its
    permissions are meant to be used), or when the pod sets the field explicitly. With
    `only-default-service-account: false` pods running as other service accounts that no binding names are
    reported too, but only when the run covers the whole repository. Off by default.

    ## Why is this bad?
    Every container of such a pod finds a bearer token for the Kubernetes API in
    `/var/run/secrets/kubernetes.io/serviceaccount`. A compromised application can use it to explore the
    cluster, and any permission later granted to the service account becomes reachable from every pod that
    runs as it (https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/).

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: nginx:1.27.3
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          automountServiceAccountToken: false
          containers:
            - name: web
              image: nginx:1.27.3
    ```
    """
    for pod in iter_pod_specs(resource, ctx.workloads):
        if get_bool(pod.spec, ("automountServiceAccountToken",)) is not None:
            continue
        name = service_account_name(pod)
        if name != "default" and params.only_default_service_account:
            continue
        if service_account_automount(ctx.index, name, resource) is False:
            continue
        if is_bound(ctx.index, name, resource):
            continue
        if name != "default" and not ctx.index.covered(resource.namespace, resource.file):
            continue
        if name == "default":
            text = "runs as the default service account and mounts its API token"
        else:
            text = f"mounts the API token of service account {name!r}, which no linted binding grants any role"
        path = (*pod.path, "automountServiceAccountToken")
        yield Violation(path, f"the pod {text}", fix=structural_fix(
            "set automountServiceAccountToken to false", FixEdit("set", path, False)))


RULE = service_account_token_automounted
