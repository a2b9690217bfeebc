"""persistent-volume-create-access: a role can create PersistentVolumes (opt-in)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.security._rbac import grant, role_rules

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="SEC104",
    name="persistent-volume-create-access",
    title="RBAC role can create PersistentVolumes",
    severity=Severity.WARNING,
    pack="security",
    since="0.3.0",
    status="preview",
    tags=("rbac",),
    remediation="Grant create on persistentvolumeclaims instead and let a StorageClass provision the volumes; keep "
    "create on persistentvolumes for the storage provisioner's own service account.",
    kinds=("ClusterRole",),
    enabled_by_default=False,
    references=(
        Reference("Kubernetes: RBAC Good Practices (persistent volume creation)",
                  "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#persistent-volume-creation"),
        Reference("Kubernetes: Persistent Volumes",
                  "https://kubernetes.io/docs/concepts/storage/persistent-volumes/"),
    ),
)
def persistent_volume_create_access(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports ClusterRole rules that allow `create` (or `*`) on `persistentvolumes` in the core API group (or
    `*` groups). A rule limited by `resourceNames` grants no `create` (a create request names no object), and
    `resources: ["*"]` is left to `wildcard-rbac-rule`. Roles are not reported: PersistentVolumes are
    cluster-scoped, so a Role cannot grant them. Off by default: the service accounts of storage provisioners
    (CSI external-provisioner, local volume provisioners) need this permission.

    ## Why is this bad?
    A PersistentVolume can be a `hostPath` volume. Whoever can create one can bind it to a claim of their own
    and mount any directory of the node into a pod, which Pod Security Admission does not see (the pod uses a
    claim, not a hostPath volume). The Kubernetes RBAC good practices list the creation of arbitrary
    PersistentVolumes among the permissions that allow privilege escalation, and recommend granting
    PersistentVolumeClaims instead.

    ## Example
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: team-storage
    rules:
      - apiGroups: [""]
        resources: [persistentvolumes, persistentvolumeclaims]
        verbs: [get, list, create]
    ```

    ## Use instead
    ```yaml
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: team-storage
    rules:
      - apiGroups: [""]
        resources: [persistentvolumeclaims]
        verbs: [get, list, create]
      - apiGroups: [""]
        resources: [persistentvolumes]
        verbs: [get, list]
    ```
    """
    for r in role_rules(resource, ctx.index):
        if r.resource_names:
            continue  # create cannot be limited by name: such a rule grants no create
        hit = grant(r, "", "persistentvolumes", ("create",), wildcard_resource=False)
        if hit is None:
            continue
        index, verb = hit
        yield Violation(
            (*r.path, "resources", index),
            f"{resource.describe()} allows {verb!r} on persistentvolumes: a hostPath PersistentVolume bound to a "
            "claim of one's own mounts any directory of a node into a pod",
            at_value=True,
        )


RULE = persistent_volume_create_access
