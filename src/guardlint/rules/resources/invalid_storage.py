"""invalid-storage: a PersistentVolumeClaim, PersistentVolume or StorageClass the API server rejects for a reason
no schema states (access modes, sizes, volume sources, data sources, class and provisioner names)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.names import dns_subdomain_reasons
from guardlint.model.ports import is_unrendered
from guardlint.model.quantity import quantity_amount, quantity_text
from guardlint.model.resourcenames import qualified_name_problem
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.model.paths import FieldPath

PV_SOURCES = ("hostPath", "gcePersistentDisk", "awsElasticBlockStore", "glusterfs", "flocker", "nfs", "rbd",
              "quobyte", "cephfs", "iscsi", "cinder", "fc", "flexVolume", "azureFile", "vsphereVolume",
              "photonPersistentDisk", "portworxVolume", "azureDisk", "scaleIO", "local", "storageos", "csi")
"""The volume sources of a PersistentVolume, in the order ``ValidatePersistentVolumeSpec`` counts them."""
CLASS_RECLAIM_POLICIES = ("Delete", "Retain")
"""A StorageClass's ``reclaimPolicy`` (``validateReclaimPolicy``): a PersistentVolume's may also be Recycle."""
BINDING_MODES = ("Immediate", "WaitForFirstConsumer")
MAX_PARAMETERS = 512
"""``maxProvisionerParameterLen``: the most entries a StorageClass's ``parameters`` may hold."""
DATA_SOURCE_CHECKS_SINCE = (1, 24)
"""From 1.24 (AnyVolumeDataSource on by default) a claim keeps every data source and the API validates it;
before, one it did not know was dropped rather than rejected."""
STORAGE = Reference("Kubernetes: Persistent Volumes",
                    "https://kubernetes.io/docs/concepts/storage/persistent-volumes/")


def _text(value: Any) -> str | None:
    """A string the rule judges: not a placeholder left unrendered."""
    return value if isinstance(value, str) and not is_unrendered(value) else None


def _access_modes(spec: Mapping[str, Any], partial: bool, kind: str) -> Iterator[Violation]:
    """Required, and ReadWriteOncePod alone (the names themselves are the schema's)."""
    modes = spec.get("accessModes")
    if modes is None or modes == []:
        if not partial:
            where = ("spec", "accessModes") if modes is not None else ("spec",)
            yield Violation(where, f"the API rejects a {kind} without accessModes (at least 1 access mode is required)",
                            at_value=modes is not None)
        return
    if isinstance(modes, list) and "ReadWriteOncePod" in modes and any(
            m in ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany") for m in modes):
        yield Violation(("spec", "accessModes"), "the API rejects ReadWriteOncePod next to other access modes (may "
                        "not use ReadWriteOncePod with other access modes)", at_value=True)


def _size(raw: Any, at: FieldPath, label: str) -> Iterator[Violation]:
    """``ValidatePositiveQuantityValue``."""
    value = quantity_amount(raw) if raw is not None else None
    if value is not None and value <= 0:
        yield Violation(at, f"the API rejects {label} {quantity_text(raw)}: must be greater than zero", at_value=True)


def _class_name(spec: Mapping[str, Any]) -> Iterator[Violation]:
    """``ValidateClassName`` on a non-empty ``storageClassName``."""
    name = _text(spec.get("storageClassName"))
    reasons = dns_subdomain_reasons(name) if name else ()
    if reasons:
        yield Violation(("spec", "storageClassName"), f"the API rejects storageClassName {name!r}: "
                        f"{'; '.join(reasons)}", at_value=True)


def _data_source(source: Any, at: FieldPath, field: str) -> Iterator[Violation]:
    """``validateDataSource`` / ``validateDataSourceRef``: the core group holds only PersistentVolumeClaims."""
    if not isinstance(source, Mapping):
        return
    kind, group = _text(source.get("kind")), source.get("apiGroup")
    if kind and kind != "PersistentVolumeClaim" and (group is None or group == ""):
        hint = " (a VolumeSnapshot is apiGroup snapshot.storage.k8s.io)" if kind == "VolumeSnapshot" else ""
        yield Violation(at, f"the API rejects {field} kind {kind!r} without an apiGroup (must be "
                        f"'PersistentVolumeClaim' when referencing the default apiGroup){hint}")
    text = _text(group)
    reasons = dns_subdomain_reasons(text) if text else ()
    if reasons:
        yield Violation((*at, "apiGroup"), f"the API rejects {field} apiGroup {text!r}: {'; '.join(reasons)}",
                        at_value=True)


def _claim(spec: Mapping[str, Any], partial: bool, version: tuple[int, int]) -> Iterator[Violation]:
    """``ValidatePersistentVolumeClaimSpec``."""
    yield from _access_modes(spec, partial, "PersistentVolumeClaim")
    resources = spec.get("resources")
    requests = resources.get("requests") if isinstance(resources, Mapping) else None
    if isinstance(requests, Mapping) and "storage" in requests:
        yield from _size(requests.get("storage"), ("spec", "resources", "requests", "storage"), "storage request")
    elif not partial and (requests is None or isinstance(requests, Mapping)):
        where: FieldPath = ("spec", "resources", "requests") if requests is not None else (
            ("spec", "resources") if resources is not None else ("spec",))
        yield Violation(where, "the API rejects a claim without a storage request (spec.resources[storage]: "
                        "Required value): set resources.requests.storage")
    yield from _class_name(spec)
    if version < DATA_SOURCE_CHECKS_SINCE:
        return
    source, ref = spec.get("dataSource"), spec.get("dataSourceRef")
    yield from _data_source(source, ("spec", "dataSource"), "dataSource")
    yield from _data_source(ref, ("spec", "dataSourceRef"), "dataSourceRef")
    if not isinstance(source, Mapping) or not isinstance(ref, Mapping):
        return
    if ref.get("namespace"):
        yield Violation(("spec", "dataSource"), "the API rejects dataSource next to a dataSourceRef with a namespace "
                        "(may not be specified when dataSourceRef.namespace is specified)")
    elif any(source.get(key) != ref.get(key) for key in ("apiGroup", "kind", "name")) and not any(
            is_unrendered(v) for v in (*source.values(), *ref.values()) if isinstance(v, str)):
        yield Violation(("spec", "dataSource"), "the API rejects a dataSource that differs from dataSourceRef (must "
                        "match dataSourceRef): set one of them")


def _volume(spec: Mapping[str, Any], partial: bool) -> Iterator[Violation]:
    """``ValidatePersistentVolumeSpec`` for a PersistentVolume object."""
    yield from _access_modes(spec, partial, "PersistentVolume")
    capacity = spec.get("capacity")
    if isinstance(capacity, Mapping) and capacity:
        for key in capacity:
            if key != "storage":
                yield Violation(("spec", "capacity", key), f"the API rejects capacity {key!r}: a PersistentVolume's "
                                "capacity holds only storage (supported values: \"storage\")")
        if "storage" in capacity:
            yield from _size(capacity.get("storage"), ("spec", "capacity", "storage"), "capacity")
        else:
            yield Violation(("spec", "capacity"), "the API rejects a capacity without storage (supported values: "
                            "\"storage\")")
    elif (capacity is None or isinstance(capacity, Mapping)) and not partial:
        where: FieldPath = ("spec", "capacity") if capacity is not None else ("spec",)
        yield Violation(where, "the API rejects a PersistentVolume without a capacity (spec.capacity: Required "
                        "value): set capacity.storage")
    sources = [key for key in PV_SOURCES if spec.get(key) is not None]
    if not sources and not partial:
        yield Violation(("spec",), "the API rejects a PersistentVolume without a volume source (must specify a "
                        f"volume type: one of {', '.join(PV_SOURCES)})")
    for i, key in enumerate(sources):
        if i and key != "flexVolume":  # flexVolume is counted, never refused itself
            yield Violation(("spec", key), f"the API rejects {key} next to {sources[0]} (may not specify more than 1 "
                            "volume type)")
    affinity = spec.get("nodeAffinity")
    if isinstance(affinity, Mapping) and affinity.get("required") is None:
        yield Violation(("spec", "nodeAffinity"), "the API rejects nodeAffinity without required (must specify "
                        "required node constraints)")
    elif affinity is None and sources[:1] == ["local"] and not partial:
        yield Violation(("spec", "local"), "the API rejects a local volume without nodeAffinity (Local volume "
                        "requires node affinity): name the node that holds the path in nodeAffinity.required")
    host = spec.get("hostPath")
    path = host.get("path") if isinstance(host, Mapping) else None
    if (isinstance(path, str) and path.startswith("/") and path.strip("/") == ""
            and spec.get("persistentVolumeReclaimPolicy") == "Recycle"):
        yield Violation(("spec", "persistentVolumeReclaimPolicy"), "the API rejects reclaim policy Recycle for a "
                        "hostPath volume of '/' (may not be 'recycle' for a hostPath mount of '/')", at_value=True)
    yield from _class_name(spec)


def _storage_class(data: Mapping[str, Any], partial: bool) -> Iterator[Violation]:
    """``ValidateStorageClass`` beyond the name and the schema."""
    provisioner = data.get("provisioner")
    if provisioner == "" and not partial:
        yield Violation(("provisioner",), "the API rejects an empty provisioner (Required value)", at_value=True)
    text = _text(provisioner)
    problem = qualified_name_problem(text.lower()) if text else None
    if problem is not None and text is not None:
        yield Violation(("provisioner",), f"the API rejects provisioner {text!r}: it {problem} (a provisioner is a "
                        "qualified name such as ebs.csi.aws.com or kubernetes.io/aws-ebs)", at_value=True)
    policy = _text(data.get("reclaimPolicy"))
    if policy and policy not in CLASS_RECLAIM_POLICIES:
        hint = " (Recycle is for PersistentVolumes, never provisioned ones)" if policy == "Recycle" else ""
        yield Violation(("reclaimPolicy",), f"the API rejects reclaimPolicy {policy!r}: supported values: 'Delete', "
                        f"'Retain'{hint}", at_value=True)
    mode = _text(data.get("volumeBindingMode"))
    if mode and mode not in BINDING_MODES:
        yield Violation(("volumeBindingMode",), f"the API rejects volumeBindingMode {mode!r}: supported values: "
                        "'Immediate', 'WaitForFirstConsumer'", at_value=True)
    parameters = data.get("parameters")
    if isinstance(parameters, Mapping):
        if len(parameters) > MAX_PARAMETERS:
            yield Violation(("parameters",), f"the API rejects {len(parameters)} parameters: may have at most "
                            f"{MAX_PARAMETERS} entries")
        if "" in parameters:
            yield Violation(("parameters", ""), "the API rejects an empty parameter name (field can not be empty.)")


@rule(
    code="RES128",
    name="invalid-storage",
    title="PersistentVolumeClaim, PersistentVolume or StorageClass that the API rejects",
    severity=Severity.ERROR,
    pack="resources",
    since="0.3.0",
    status="preview",
    tags=("consistency", "api-rejects"),
    remediation="Give each claim and volume at least one access mode (ReadWriteOncePod alone), a positive storage "
    "size (a claim's resources.requests.storage, a volume's capacity.storage and nothing else) and a volume exactly "
    "one source; name a VolumeSnapshot data source with apiGroup snapshot.storage.k8s.io; give a StorageClass a "
    "qualified provisioner name, reclaimPolicy Delete or Retain and volumeBindingMode Immediate or "
    "WaitForFirstConsumer.",
    references=(STORAGE, Reference("Kubernetes: Storage Classes",
                                   "https://kubernetes.io/docs/concepts/storage/storage-classes/")),
    kinds=("PersistentVolumeClaim", "PersistentVolume", "StorageClass"),
)
def invalid_storage(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports storage objects that the API server's validation rejects for a reason the schema does not state
    (the access-mode, volume-mode and PersistentVolume reclaim-policy names are `unsupported-field-value`'s):

    - a PersistentVolumeClaim (`ValidatePersistentVolumeClaimSpec`) without `accessModes`, with
      `ReadWriteOncePod` next to another mode, without `resources.requests.storage` or with one that is not
      positive, with a `storageClassName` that is not a DNS subdomain; from Kubernetes 1.24 (when the API keeps
      every data source) a `dataSource` or `dataSourceRef` of a kind other than PersistentVolumeClaim without an
      `apiGroup` (a VolumeSnapshot is `snapshot.storage.k8s.io`), an `apiGroup` that is not a DNS subdomain, a
      `dataSource` that differs from `dataSourceRef`, or one next to a `dataSourceRef` with a `namespace`;
    - a PersistentVolume (`ValidatePersistentVolumeSpec`) without `accessModes` or with `ReadWriteOncePod` next to
      another mode, without a `capacity`, with a capacity other than `storage` or a storage size that is not
      positive, with no volume source or more than one (`nfs` and `hostPath`), a `nodeAffinity` without
      `required`, a `local` volume without `nodeAffinity`, reclaim policy Recycle for a `hostPath` of `/`, a
      `storageClassName` that is not a DNS subdomain;
    - a StorageClass (`ValidateStorageClass`) with an empty `provisioner` or one that is not a qualified name
      once lowercased (`ebs.csi.aws.com`, `kubernetes.io/aws-ebs`; not `My Provisioner` or `a/b/c`), a
      `reclaimPolicy` other than Delete or Retain (Recycle is a PersistentVolume's only), a `volumeBindingMode`
      other than Immediate or WaitForFirstConsumer, an empty parameter name or more than 512 parameters.

    Values with an unrendered placeholder are not judged; a kustomize patch or another fragment is not judged
    for the fields it leaves out.

    ## Why is this bad?
    The API server rejects the object (`spec.accessModes: Required value: at least 1 access mode is required`,
    `spec.dataSource: Invalid value: "VolumeSnapshot": must be 'PersistentVolumeClaim' when referencing the
    default apiGroup`, `reclaimPolicy: Unsupported value: "Recycle"`), so the sync fails and every workload that
    mounts the claim waits for it (Kubernetes documentation, "Persistent Volumes", "Storage Classes").

    ## Example
    ```yaml
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata:
      name: restore
    spec:
      storageClassName: fast
      resources:
        requests:
          storage: 10Gi
      dataSource:
        kind: VolumeSnapshot
        name: nightly
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata:
      name: restore
    spec:
      storageClassName: fast
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: 10Gi
      dataSource:
        apiGroup: snapshot.storage.k8s.io
        kind: VolumeSnapshot
        name: nightly
    ```
    """
    data = resource.data
    kind = resource.kind
    if kind == "StorageClass":
        if resource.group == "storage.k8s.io":
            from guardlint.rules.resources._common import is_partial_object

            yield from _storage_class(data, is_partial_object(resource, ctx))
        return
    spec = data.get("spec")
    if resource.group != "" or not isinstance(spec, Mapping):
        return
    from guardlint.rules.resources._common import is_partial_object

    partial = is_partial_object(resource, ctx)
    if kind == "PersistentVolumeClaim":
        yield from _claim(spec, partial, ctx.kubernetes_version)
    else:
        yield from _volume(spec, partial)


RULE = invalid_storage
