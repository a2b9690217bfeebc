"""missing-service-account: a pod refers to a ServiceAccount that does not exist."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.resources._refs import missing_references

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES067",
    name="missing-service-account",
    # Gate: the rule yields nothing when this does not hold: it reports the serviceAccountName or
    # serviceAccount a pod names (`_refs.object_references`).
    gates=("service-account",),
    pods_only=True,
    title="Pod runs as a ServiceAccount that does not exist",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("consistency",),
    remediation="Create the ServiceAccount in the pod's namespace, fix the name, or list it under known-objects "
    "if it is managed elsewhere.",
    references=(
        Reference("Kubernetes: Configure Service Accounts for Pods", "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/"),
    ),
)
def missing_service_account(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports pod templates of every workload kind whose `serviceAccountName` (or the deprecated
    `serviceAccount`) names a ServiceAccount that is not among the linted objects in the same namespace. The
    `default` ServiceAccount exists in every namespace and is never reported.

    Missing-object policy: pre-commit passes only the changed files and charts reference objects that live
    elsewhere, so a reference is reported only when the run is not partial (or `--context` covers the namespace),
    the linted set holds at least one ServiceAccount in the pod's namespace (or config declares the namespace
    complete), and the ServiceAccount is neither among the linted objects nor listed under `known-objects` in
    config. Objects without a namespace (their namespace is chosen at apply time) are judged only against linted
    objects in their own directory tree. Nor is a reference reported when a linted Role in scope, or any linted
    ClusterRole, grants `create` on ServiceAccounts (something creates them at run time).

    ## Why is this bad?
    The ServiceAccount admission plugin rejects a pod whose ServiceAccount does not exist, so the
    workload's controller fails to create any pod (`error looking up service account`) while the Deployment
    itself applies cleanly (Kubernetes documentation, "Configure Service Accounts for Pods").

    ## Example
    ```yaml
    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: api
      namespace: shop
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
      namespace: shop
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          serviceAccountName: api-server
          containers:
            - name: api
              image: example.com/api:3.2.0
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: api
      namespace: shop
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
      namespace: shop
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
        spec:
          serviceAccountName: api
          containers:
            - name: api
              image: example.com/api:3.2.0
    ```
    """
    yield from missing_references(resource, ctx, "ServiceAccount")


RULE = missing_service_account
