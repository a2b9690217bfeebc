"""invalid-volume: a pod volume the API server rejects (name, duplicate, sources, paths, file modes)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_list
from guardlint.model.names import LABEL_REASON, dns_label_reasons
from guardlint.model.ports import is_unrendered
from guardlint.model.workloads import iter_pod_specs
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.resources.invalid_volume_mount import KUBERNETES_POD_KINDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeGuard

    from guardlint.model.paths import FieldPath

SOURCES = (
    "emptyDir", "hostPath", "gitRepo", "gcePersistentDisk", "awsElasticBlockStore", "secret", "nfs", "iscsi",
    "glusterfs", "flocker", "persistentVolumeClaim", "rbd", "cinder", "cephfs", "quobyte", "downwardAPI", "fc",
    "flexVolume", "configMap", "azureFile", "vsphereVolume", "photonPersistentDisk", "portworxVolume", "azureDisk",
    "storageos", "projected", "scaleIO", "csi", "ephemeral", "image",
)
"""The volume sources in the order ``validateVolumeSource`` counts them: the first one set is the volume's type,
every later one is "may not specify more than 1 volume type". A key set to null is no source (it decodes to a nil
pointer). A volume with none is not rejected: the v1 API's defaulting (``SetDefaults_Volume``) makes it an
``emptyDir`` before validation runs, so "must specify a volume type" cannot happen for a manifest."""
FILE_MODE_MAX = 0o777
FILE_MODE_REASON = "must be a number between 0 and 0777 (octal), both inclusive"


def _path_reasons(path: str, *, key_to_path: bool) -> tuple[str, ...]:
    """``validateLocalDescendingPath`` (a relative path with no ``..`` element) and, for an item's ``path``
    (``ValidateLocalNonReservedPath``), no ``..`` at its start either."""
    reasons: tuple[str, ...] = ("must be a relative path",) if path.startswith("/") else ()
    if ".." in path.split("/"):
        reasons += ("must not contain '..'",)
    if key_to_path and path.startswith("..") and not path.startswith("../"):
        reasons += ("must not start with '..'",)
    return reasons


def _mode_problem(value: Any) -> TypeGuard[int]:
    """A file mode (an integer, not a boolean) outside 0-0777."""
    return isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= FILE_MODE_MAX


def _octal(value: int) -> str:
    return f"0{value:o}" if value >= 0 else str(value)


def _items(source: dict[str, Any], at: FieldPath, what: str) -> Iterator[Violation]:
    """The ``items`` of a configMap, secret or downwardAPI source (``validateKeyToPath``,
    ``validateDownwardAPIVolumeFile``): each path relative, without a ``..`` element and not starting with
    ``..`` (``ValidateLocalNonReservedPath``), each mode within 0-0777."""
    items = source.get("items")
    if not isinstance(items, list):
        return
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        path = item.get("path")
        if isinstance(path, str) and path and not is_unrendered(path):
            reasons = _path_reasons(path, key_to_path=True)
            if reasons:
                yield Violation((*at, "items", i, "path"),
                                f"{what} item path {path!r}: {'; '.join(reasons)}", at_value=True)
        mode = item.get("mode")
        if _mode_problem(mode):
            yield Violation((*at, "items", i, "mode"),
                            f"{what} item mode {mode} ({_octal(mode)} in octal): {FILE_MODE_REASON}", at_value=True)


def _source_problems(kind: str, source: Any, at: FieldPath) -> Iterator[Violation]:
    """What the API checks inside the sources this rule reads (paths and file modes)."""
    if not isinstance(source, dict):
        return
    if kind == "hostPath":
        path = source.get("path")
        if isinstance(path, str) and ".." in path.split("/") and not is_unrendered(path):
            yield Violation((*at, "path"), f"hostPath path {path!r}: must not contain '..'", at_value=True)
        return
    if kind == "gitRepo":
        directory = source.get("directory")
        if isinstance(directory, str) and directory and not is_unrendered(directory):
            reasons = _path_reasons(directory, key_to_path=False)
            if reasons:
                yield Violation((*at, "directory"), f"gitRepo directory {directory!r}: {'; '.join(reasons)}",
                                at_value=True)
        return
    if kind not in ("configMap", "secret", "downwardAPI", "projected"):
        return
    mode = source.get("defaultMode")
    if _mode_problem(mode):
        yield Violation((*at, "defaultMode"),
                        f"{kind} defaultMode {mode} ({_octal(mode)} in octal): {FILE_MODE_REASON}", at_value=True)
    if kind != "projected":
        yield from _items(source, at, kind)
        return
    seen: set[str] = set()
    for j, projection in enumerate(get_list(source, ("sources",)) or ()):
        if not isinstance(projection, dict):
            continue
        for part in ("configMap", "secret", "downwardAPI"):
            inner = projection.get(part)
            if isinstance(inner, dict):
                yield from _items(inner, (*at, "sources", j, part), part)
        yield from _projection_conflicts(projection, (*at, "sources", j), seen)
        token = projection.get("serviceAccountToken")
        path = token.get("path") if isinstance(token, dict) else None
        if isinstance(path, str) and path and not is_unrendered(path):
            reasons = _path_reasons(path, key_to_path=True)
            if reasons:
                yield Violation((*at, "sources", j, "serviceAccountToken", "path"),
                                f"serviceAccountToken path {path!r}: {'; '.join(reasons)}", at_value=True)


PROJECTION_SOURCES = ("secret", "configMap", "downwardAPI", "serviceAccountToken", "clusterTrustBundle")
"""The sources ``validateProjectionSources`` counts in one ``sources`` entry (more than one: "may not specify more
than 1 volume type"), in its order. The paths it collects across the volume are the secret, configMap and
downwardAPI ``items`` paths and the clusterTrustBundle ``path``; a serviceAccountToken's path is not compared."""


def _projection_conflicts(projection: dict[str, Any], at: FieldPath, seen: set[str]) -> Iterator[Violation]:
    """``validateProjectionSources``: one source per entry, and no path written twice in the volume (``seen``
    holds the paths of the earlier entries, in the order the API reads them)."""
    named = [part for part in PROJECTION_SOURCES if projection.get(part) is not None]
    if len(named) > 1:
        yield Violation(at, f"projected volume source with {' and '.join(named)}: may not specify more than 1 "
                        "volume type (one source per entry of sources)")
    for part in named:
        inner = projection.get(part)
        if not isinstance(inner, dict):
            continue
        if part == "clusterTrustBundle":
            entries: list[tuple[FieldPath, Any]] = [((*at, part, "path"), inner.get("path"))]
        elif part == "serviceAccountToken":
            continue
        else:
            items = inner.get("items")
            entries = [((*at, part, "items", i, "path"), item.get("path"))
                       for i, item in enumerate(items if isinstance(items, list) else ()) if isinstance(item, dict)]
        for where, path in entries:
            if not isinstance(path, str) or not path:
                continue
            if is_unrendered(path):
                continue
            if path in seen:
                yield Violation(where, f"projected {part} path {path!r}: conflicting duplicate paths (an earlier "
                                "item of the volume already writes this file)", at_value=True)
            else:
                seen.add(path)


def volume_problems(volumes: list[Any], at: FieldPath, *, patch: bool) -> Iterator[Violation]:
    """``ValidateVolumes`` over a pod's ``volumes`` at path ``at``. A volume with any problem is left out of the
    names a later volume is compared with, as the API leaves it out; a patch (``patch``) is not judged for names
    used twice (a strategic merge joins them)."""
    accepted: set[str] = set()
    for i, volume in enumerate(volumes):
        if not isinstance(volume, dict):
            continue
        here = (*at, i)
        name = volume.get("name")
        label = f"volume {name!r}" if isinstance(name, str) and name else f"volume {i}"
        problems: list[Violation] = []
        found = [key for key in SOURCES if volume.get(key) is not None]
        for extra in found[1:]:
            problems.append(Violation((*here, extra), f"the API rejects {label}: may not specify more than 1 volume "
                                      f"type (it has {found[0]} and {extra})"))
        for key in found[:1]:
            problems.extend(Violation(v.path, f"the API rejects {label}: {v.message}", at_value=v.at_value)
                            for v in _source_problems(key, volume[key], (*here, key)))
        unrendered = isinstance(name, str) and is_unrendered(name)
        if name == "":
            problems.append(Violation((*here, "name"), f"the API rejects {label}: its name is empty (Required "
                                      "value)", at_value=True))
        elif isinstance(name, str) and not unrendered:
            reasons = dns_label_reasons(name)
            if reasons:
                text = "; ".join("not a DNS label: " + r if r == LABEL_REASON else r for r in reasons)
                problems.append(Violation((*here, "name"), f"the API rejects {label}: {text}", at_value=True))
            if name in accepted and not patch:
                problems.append(Violation((*here, "name"), f"the API rejects {label}: Duplicate value (an earlier "
                                          "volume of the pod has this name)", at_value=True))
        if problems:
            yield from problems
        elif isinstance(name, str):
            accepted.add(name)


@rule(
    code="RES113",
    name="invalid-volume",
    pods_only=True,
    title="Pod volume that the API rejects",
    severity=Severity.ERROR,
    pack="resources",
    since="0.3.0",
    status="preview",
    tags=("consistency", "api-rejects"),
    remediation="Give each volume a unique DNS-label name (lowercase letters, digits and '-') and exactly one "
    "source (emptyDir, configMap, secret, persistentVolumeClaim, ...); write paths inside a volume as relative "
    "paths without '..', and file modes in octal (0644, not 644); in a projected volume give each source its "
    "own entry of sources and each file its own path.",
    kinds=tuple(sorted({k for _, k in KUBERNETES_POD_KINDS})),
    references=(
        Reference("Kubernetes: Volumes", "https://kubernetes.io/docs/concepts/storage/volumes/"),
        Reference("Kubernetes API: Volume",
                  "https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/volume/"),
    ),
)
def invalid_volume(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports, in the pods of Kubernetes' own workloads (Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job,
    CronJob, ReplicationController, PodTemplate), an entry of `spec.volumes` that the API server's pod
    validation (`ValidateVolumes`) rejects, with its reason:

    - a name that is empty or not a DNS label (at most 63 lowercase letters, digits and `-`, starting and
      ending with a letter or digit: no `_`, `.` or capitals);
    - a name an earlier volume of the pod already has (compared, as the API compares, with the earlier
      volumes that have no problem of their own);
    - a second source next to the first (`may not specify more than 1 volume type`, reported at each extra
      source; a source set to null is none). A volume with no source is not reported: the API makes it an
      `emptyDir` before it validates the pod;
    - in the volume's source: a `hostPath` path with a `..` element; a `gitRepo` directory, or a `path` of
      the `items` of a configMap, secret, downwardAPI or projected source, that is absolute or holds (or
      starts with) `..`; a projected `serviceAccountToken` path likewise; a `defaultMode` or an item's `mode`
      outside 0-0777 (octal; `644` written without its leading zero is decimal 644, above 0777 = 511);
    - in a projected volume: an entry of `sources` with more than one source, and a file path that an earlier
      source of the volume already writes (`conflicting duplicate paths`: the `items` paths of secret,
      configMap and downwardAPI sources and a clusterTrustBundle `path`, compared as written).

    A kustomize patch or another fragment is not judged for names used twice (a strategic merge joins volumes
    by name); names and paths with an unrendered placeholder are not judged; an operator's custom resource is
    not judged (its controller builds the pods).

    ## Why is this bad?
    The API server rejects the pod, and with it the Deployment, StatefulSet, DaemonSet, Job or CronJob whose
    template it is (`spec.template.spec.volumes[1].name: Duplicate value: "data"`,
    `spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type`). The usual causes are a
    copied volume entry, a volume named with `_`, and `defaultMode: 644` meant as octal.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
        - name: web
          image: example.com/web:1.4.2
      volumes:
        - name: cache
          emptyDir: {}
        - name: cache
          configMap: {name: web, defaultMode: 644}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
        - name: web
          image: example.com/web:1.4.2
      volumes:
        - name: cache
          emptyDir: {}
        - name: config
          configMap: {name: web, defaultMode: 0644}
    ```
    """
    if (resource.group, resource.kind) not in KUBERNETES_POD_KINDS:
        return
    patch: bool | None = None
    for pod in iter_pod_specs(resource, ctx.workloads):
        volumes = pod.spec.get("volumes")
        if not isinstance(volumes, list) or not volumes:
            continue
        if patch is None:
            from guardlint.model.patches import is_patch

            patch = is_patch(resource, ctx.index)
        yield from volume_problems(volumes, (*pod.path, "volumes"), patch=patch)


RULE = invalid_volume
