"""missing-secret: a pod refers to a Secret that does not exist."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.resources._refs import missing_references

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES069",
    name="missing-secret",
    # Gate: the rule yields nothing when this does not hold: it reports the references `_refs.object_references`
    # finds, each in one of the fields the gate looks at (a ServiceAccount's imagePullSecrets by its kind).
    gates=("references",),
    title="Pod refers to a Secret that does not exist",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("consistency",),
    remediation="Create the Secret in the pod's namespace, fix the name, mark the reference optional: true, or "
    "list it under known-objects.",
    references=(
        Reference("Kubernetes: Secrets", "https://kubernetes.io/docs/concepts/configuration/secret/"),
        Reference("Kubernetes: Pull an Image from a Private Registry",
                  "https://kubernetes.io/docs/tasks/configure-pod-container/pull-image-private-registry/"),
    ),
)
def missing_secret(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports references to Secrets from pod templates of every workload kind (`secret` volumes, projected
    volume sources, `env[].valueFrom.secretKeyRef` and `envFrom[].secretRef` of every container, the pod's
    `imagePullSecrets`) and ServiceAccounts' `imagePullSecrets` that name a Secret not among the linted objects in
    the same namespace. References with `optional: true` are not reported, and neither are Secrets that a linted
    object produces: a SealedSecret, an ExternalSecret (`spec.target.name`), a cert-manager Certificate
    (`spec.secretName`) or a kustomize `secretGenerator`.

    Missing-object policy: pre-commit passes only the changed files and charts reference objects that live
    elsewhere, so a reference is reported only when the run is not partial (or `--context` covers the namespace),
    the linted set holds at least one Secret in the pod's namespace (or config declares the namespace complete), and
    the Secret is neither among the linted objects nor listed under `known-objects` in config. Objects without a
    namespace (their namespace is chosen at apply time) are judged only against linted objects in their own
    directory tree. Nor is a reference reported when something may create the object at run time: a linted Role in
    scope, or any linted ClusterRole, that grants `create` on that kind, or a custom resource in scope that an
    operator may turn into one.

    ## Why is this bad?
    The kubelet cannot start a container whose Secret is missing: the pod stays in `ContainerCreating`
    (volume) or `CreateContainerConfigError` (environment) until the Secret appears (Kubernetes documentation,
    "Secrets"). A missing image pull Secret does not stop the pod by itself: the kubelet warns and pulls without
    credentials, which fails for a private image (`ErrImagePull`) ("Pull an Image from a Private Registry").

    ## Example
    ```yaml
    apiVersion: v1
    kind: Secret
    metadata:
      name: db-credentials
      namespace: shop
    type: Opaque
    stringData:
      password: change-me
    ---
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: migrate
      namespace: shop
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: migrate
              image: example.com/migrate:3.2.0
              env:
                - name: DB_PASSWORD
                  valueFrom:
                    secretKeyRef: {name: db-creds, key: password}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Secret
    metadata:
      name: db-credentials
      namespace: shop
    type: Opaque
    stringData:
      password: change-me
    ---
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: migrate
      namespace: shop
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: migrate
              image: example.com/migrate:3.2.0
              env:
                - name: DB_PASSWORD
                  valueFrom:
                    secretKeyRef: {name: db-credentials, key: password}
    ```
    """
    yield from missing_references(resource, ctx, "Secret")


RULE = missing_secret
