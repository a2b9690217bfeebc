"""invalid-volume-mount: a container mounts a volume its pod does not define, or mounts two volumes at one path."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import get_list
from guardlint.model.groups import APPS_GROUPS
from guardlint.model.ports import is_unrendered
from guardlint.model.workloads import ContainerKind, ContainerRef, iter_containers, iter_pod_specs
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.resources._common import is_partial_object

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.model.paths import FieldPath

KUBERNETES_POD_KINDS = frozenset({
    ("", "Pod"), ("", "PodTemplate"), ("", "ReplicationController"), ("batch", "Job"), ("batch", "CronJob"),
    *((g, k) for g in APPS_GROUPS for k in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")),
})
"""Kubernetes' own workloads: their pods are exactly what the manifest says. An operator's custom resource is not
judged, since its controller may add volumes of its own (Argo's workflow-level volumes, KServe's model volume)."""

# (list, the key naming its path, what a path is called)
_LISTS = (("volumeMounts", "mountPath", "mount path"), ("volumeDevices", "devicePath", "device path"))


@rule(
    code="RES111",
    name="invalid-volume-mount",
    pods_only=True,
    title="Container volume mount that the API rejects: unknown volume, repeated path, sub-path or options",
    severity=Severity.ERROR,
    pack="resources",
    since="0.3.0",
    status="preview",
    tags=("consistency", "api-rejects"),
    remediation="Name a volume of the pod's spec.volumes (or, in a StatefulSet, of its volumeClaimTemplates) in "
    "every volumeMounts and volumeDevices entry, give each mount of a container its own path, and write subPath "
    "and subPathExpr (one of them) as relative paths without '..'.",
    kinds=tuple(sorted({k for _, k in KUBERNETES_POD_KINDS})),
    references=(
        Reference("Kubernetes: Volumes", "https://kubernetes.io/docs/concepts/storage/volumes/"),
        Reference("Kubernetes API: VolumeMount",
                  "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#volumes-1"),
    ),
)
def invalid_volume_mount(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports, in the pods of Kubernetes' own workloads (Pod, Deployment, ReplicaSet, StatefulSet,
    DaemonSet, Job, CronJob, ReplicationController, PodTemplate), a container, init container, sidecar or ephemeral
    container whose `volumeMounts` or `volumeDevices` entry names a volume that is not in the pod's `volumes` (a
    StatefulSet's `volumeClaimTemplates` count as volumes: the controller adds one per template), and a `mountPath`
    (or `devicePath`) that a container uses twice. Names and paths are compared exactly, as the API server compares
    them. It also reports what `validateVolumeMounts` rejects in one mount: a `subPath` or `subPathExpr` that is
    absolute or has a `..` element, both of them on one mount, `mountPropagation: Bidirectional` in a container (or
    init container) that is not privileged, and `recursiveReadOnly: Enabled` or `IfPossible` without `readOnly:
    true` or with a propagation other than `None`. A kustomize patch or another fragment is not judged (its base has
    the volumes), nor a pod whose volume or mount names are unrendered templates (`{{ .Values.name }}`), nor an
    operator's custom resource (its controller may add volumes).

    ## Why is this bad?
    The API server rejects the pod, and with it the Deployment, DaemonSet, Job or CronJob whose
    template it is (`volumeMounts[0].name: Not found: "config"`, `volumeMounts[1].mountPath: Invalid value: "/data":
    must be unique`, `volumeMounts[0].subPath: Invalid value: "/a": must be a relative path`). A StatefulSet is
    accepted, since its claim templates are volumes only in the pods it makes, but the controller then fails to
    create every pod. The usual cause is a renamed volume or a typo, as in `name: ca-certs` for a volume named `ca`.

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
              image: example.com/web:1.4.2
              volumeMounts:
                - {name: config, mountPath: /etc/web}
          volumes:
            - name: web-config
              configMap: {name: web}
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
          containers:
            - name: web
              image: example.com/web:1.4.2
              volumeMounts:
                - {name: web-config, mountPath: /etc/web}
          volumes:
            - name: web-config
              configMap: {name: web}
    ```
    """
    if (resource.group, resource.kind) not in KUBERNETES_POD_KINDS or is_partial_object(resource, ctx):
        return
    claims: list[object] = []
    if resource.kind == "StatefulSet":
        for template in get_list(resource.data, ("spec", "volumeClaimTemplates")) or ():
            meta = template.get("metadata") if isinstance(template, dict) else None
            claims.append(meta.get("name") if isinstance(meta, dict) else None)
    for pod in iter_pod_specs(resource, ctx.workloads):
        names = [v.get("name") if isinstance(v, dict) else None for v in get_list(pod.spec, ("volumes",)) or ()]
        names += claims
        # Every volume must have a plain name for an absent one to be certain (a template may render any name).
        judge_names = all(isinstance(n, str) and not is_unrendered(n) for n in names)
        defined = set(names)
        for c in iter_containers(pod):
            for field, path_key, what in _LISTS:
                mounts = c.data.get(field)
                if not isinstance(mounts, list):
                    continue
                seen: set[str] = set()
                for i, mount in enumerate(mounts):
                    if not isinstance(mount, dict):
                        continue
                    name = mount.get("name")
                    if (judge_names and isinstance(name, str) and name and name not in defined
                            and not is_unrendered(name)):
                        message = _unknown(c.describe(), field, name, names, resource)
                        yield Violation((*c.path, field, i, "name"), message, at_value=True)
                    if field == "volumeMounts":
                        yield from _mount_problems(c, mount, (*c.path, field, i))
                    target = mount.get(path_key)
                    if not isinstance(target, str) or not target:
                        continue
                    if target in seen:
                        yield Violation((*c.path, field, i, path_key), f"{c.describe()} uses {what} {target!r} "
                                        f"twice in {field}; the API requires each to be unique", at_value=True)
                    seen.add(target)


def _relative_path_problem(text: str) -> str | None:
    """``validateLocalDescendingPath``: a relative path without a ``..`` element (one reason is enough; the API
    gives both when both hold)."""
    reasons = (["must be a relative path"] if text.startswith("/") else []) + (
        ["must not contain '..'"] if ".." in text.split("/") else [])
    return "; ".join(reasons) or None


def _mount_problems(c: ContainerRef, mount: dict[str, Any], at: FieldPath) -> Iterator[Violation]:
    """What ``validateVolumeMounts`` checks in one mount besides its name and path: ``subPath`` and
    ``subPathExpr`` (relative, no ``..``, not both), Bidirectional propagation only in a privileged container, and
    a recursive read-only mount only when ``readOnly`` is true and propagation is None."""
    sub_path = mount.get("subPath")
    sub_path_expr = mount.get("subPathExpr")
    for key, value in (("subPath", sub_path), ("subPathExpr", sub_path_expr)):
        # subPathExpr holds $(VAR) references by design (the kubelet expands them; the API checks the text as
        # written): only a template placeholder of another tool leaves it unjudged.
        placeholder = ("{{" in value or "${" in value) if key == "subPathExpr" and isinstance(value, str) else (
            isinstance(value, str) and is_unrendered(value))
        if isinstance(value, str) and value and not placeholder:
            problem = _relative_path_problem(value)
            if problem is not None:
                yield Violation((*at, key), f"{c.describe()} mounts {key} {value!r}: {problem}", at_value=True)
    if isinstance(sub_path, str) and sub_path and isinstance(sub_path_expr, str) and sub_path_expr:
        yield Violation((*at, "subPathExpr"), f"{c.describe()} sets both subPath and subPathExpr on one mount: "
                        "subPathExpr and subPath are mutually exclusive", at_value=True)
    propagation = mount.get("mountPropagation")
    if propagation == "Bidirectional" and c.kind is not ContainerKind.EPHEMERAL and c.security_context.get(
            "privileged") is not True:
        yield Violation((*at, "mountPropagation"), f"{c.describe()} is not privileged: Bidirectional mount "
                        "propagation is available only to privileged containers", at_value=True)
    if mount.get("recursiveReadOnly") in ("Enabled", "IfPossible"):
        if mount.get("readOnly") is not True:
            yield Violation((*at, "recursiveReadOnly"), f"{c.describe()} sets recursiveReadOnly without readOnly: "
                            "true: may only be specified when readOnly is true", at_value=True)
        if propagation is not None and propagation != "None":
            yield Violation((*at, "recursiveReadOnly"), f"{c.describe()} sets recursiveReadOnly with "
                            f"mountPropagation {propagation}: may only be specified when mountPropagation is None "
                            "or not specified", at_value=True)


def _unknown(container: str, field: str, name: str, names: list[object], resource: Resource) -> str:
    known = ", ".join(repr(n) for n in dict.fromkeys(names)) or "none"
    if resource.kind == "StatefulSet":
        where = "the pod's volumes or the StatefulSet's volumeClaimTemplates"
    else:
        where = "the pod's volumes"
    return f"{container} lists volume {name!r} in {field}, which is not among {where} ({known})"


RULE = invalid_volume_mount
