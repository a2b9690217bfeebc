"""restricted-volume-type: a pod uses a volume type outside the restricted allow-list (PSS restrictedVolumes)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import iter_maps
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.security import _pss

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHECK = "restrictedVolumes"

ALLOWED = (
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret",
)
RESTRICTED = (
    "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd",
    "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk",
    "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos",
)


@rule(
    code="SEC013",
    name="restricted-volume-type",
    pods_only=True,
    title="Pod uses a volume type the restricted level forbids",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=_pss.TAGS_RESTRICTED,
    remediation=(
        "Use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or "
        "secret volumes; reach other storage through a PersistentVolumeClaim."
    ),
    references=(
        _pss.PSS_RESTRICTED_REF,
        Reference("Kubernetes: Volumes", "https://kubernetes.io/docs/concepts/storage/volumes/"),
    ),
    enabled_by_default=False,
    extra=_pss.extra("Volume Types", _pss.RESTRICTED, CHECK, "1.0", replaces="hostPathVolumes"),
)
def restricted_volume_type(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports every pod volume whose source is not one of `configMap`, `csi`, `downwardAPI`, `emptyDir`,
    `ephemeral`, `image`, `persistentVolumeClaim`, `projected` and `secret`: `hostPath`, `nfs`, `gitRepo`,
    the in-tree cloud disks and the other in-tree drivers, and unknown source keys. A volume with no source
    at all is allowed, because the API server turns it into an `emptyDir`. This is the `restrictedVolumes`
    check of the Pod Security Standards, level restricted, at every policy version; at the restricted level
    it replaces the baseline `hostPathVolumes` check.

    ## Why is this bad?
    In-tree volume drivers mount storage on the node with the kubelet's privileges, and `hostPath` exposes
    the node's file system; both bypass the PersistentVolume access control that storage administrators
    set up. The restricted level allows only volume types that are safe for any user to create
    (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted).

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: reports
    spec:
      selector:
        matchLabels: {app: reports}
      template:
        metadata:
          labels: {app: reports}
        spec:
          containers:
            - name: reports
              image: example.com/reports:2.3.0
              volumeMounts:
                - {name: share, mountPath: /data}
          volumes:
            - name: share
              nfs: {server: nfs.example.com, path: /exports/reports}
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: reports
    spec:
      selector:
        matchLabels: {app: reports}
      template:
        metadata:
          labels: {app: reports}
        spec:
          containers:
            - name: reports
              image: example.com/reports:2.3.0
              volumeMounts:
                - {name: share, mountPath: /data}
          volumes:
            - name: share
              persistentVolumeClaim: {claimName: reports-share}
    ```
    """
    suffix = _pss.note(_pss.RESTRICTED, _pss.policy_version(ctx), CHECK)
    for pod in _pss.pods(resource, ctx):
        for i, volume in iter_maps(pod.spec, ("volumes",)):
            if any(volume.get(key) is not None for key in ALLOWED):
                continue
            key = next((k for k in RESTRICTED if volume.get(k) is not None), None)
            if key is None:
                key = next((k for k, v in volume.items() if k != "name" and v is not None), None)
                if key is None:  # no source: the API server defaults it to emptyDir
                    continue
                what = f"the unknown volume type {key!r}"
            else:
                what = f"the restricted volume type {key!r}"
            yield Violation(
                (*pod.path, "volumes", i, key),
                f"volume {volume.get('name')!r} uses {what} {suffix}",
            )


RULE = restricted_volume_type
