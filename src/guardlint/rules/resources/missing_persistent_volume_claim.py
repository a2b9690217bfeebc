"""missing-persistent-volume-claim: a pod refers to a PersistentVolumeClaim that does not exist."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.resources._refs import missing_references

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES070",
    name="missing-persistent-volume-claim",
    # Gate: the rule yields nothing when this does not hold: it reports the persistentVolumeClaim volumes
    # `_refs.object_references` finds.
    gates=("references",),
    pods_only=True,
    title="Pod mounts a PersistentVolumeClaim that does not exist",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("consistency",),
    remediation="Create the PersistentVolumeClaim in the pod's namespace, fix the claim name, or list it under "
    "known-objects.",
    references=(
        Reference("Kubernetes: Persistent Volumes", "https://kubernetes.io/docs/concepts/storage/persistent-volumes/"),
    ),
)
def missing_persistent_volume_claim(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports `persistentVolumeClaim` volumes of pod templates of every workload kind whose `claimName` is
    not among the linted objects in the same namespace. StatefulSet `volumeClaimTemplates` are mounted through
    `volumeMounts`, not volumes, and are never involved.

    Missing-object policy: pre-commit passes only the changed files and charts reference objects that live
    elsewhere, so a reference is reported only when the run is not partial (or `--context` covers the namespace),
    the linted set holds at least one PersistentVolumeClaim in the pod's namespace (or config declares the namespace
    complete), and the PersistentVolumeClaim is neither among the linted objects nor listed under `known-objects` in
    config. Objects without a namespace (their namespace is chosen at apply time) are judged only against linted
    objects in their own directory tree. Nor is a reference reported when something may create the object at run
    time: a linted Role in scope, or any linted ClusterRole, that grants `create` on that kind, or a custom resource
    in scope that an operator may turn into one.

    ## Why is this bad?
    The scheduler cannot place a pod whose claim does not exist: it stays `Pending` with
    `persistentvolumeclaim "x" not found` (Kubernetes documentation, "Persistent Volumes").

    ## Example
    ```yaml
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata:
      name: uploads
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests: {storage: 10Gi}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: cms
    spec:
      selector:
        matchLabels: {app: cms}
      template:
        metadata:
          labels: {app: cms}
        spec:
          containers:
            - name: cms
              image: example.com/cms:5.0.0
              volumeMounts:
                - {name: data, mountPath: /var/uploads}
          volumes:
            - name: data
              persistentVolumeClaim: {claimName: cms-uploads}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata:
      name: uploads
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests: {storage: 10Gi}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: cms
    spec:
      selector:
        matchLabels: {app: cms}
      template:
        metadata:
          labels: {app: cms}
        spec:
          containers:
            - name: cms
              image: example.com/cms:5.0.0
              volumeMounts:
                - {name: data, mountPath: /var/uploads}
          volumes:
            - name: data
              persistentVolumeClaim: {claimName: uploads}
    ```
    """
    yield from missing_references(resource, ctx, "PersistentVolumeClaim")


RULE = missing_persistent_volume_claim
